"""The fact vocabulary: every path an agreement may state, its type and values; checks values against it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from obcheck.errors import Diagnostic, InputError, did_you_mean, shown
from obcheck.fact_types import FACT_TYPES, WITH_VALUES, Choices, date_problem, string_problem
from obcheck.source import Document, parse

PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\Z")  # \Z: $ would let a trailing newline through
# The compiler names list members <path>.has_<index> and a list's size <path>.size in the engine's fact: a path
# of that shape would collide with one and silently overwrite it.
RESERVED_RE = re.compile(r"\.(has_[0-9]+|size)\Z")
__all__ = ["PATH_RE", "PathSpec", "Vocabulary", "date_problem", "load_vocabulary", "string_problem"]


@dataclass(frozen=True)
class PathSpec:
    """One fact path's declaration: its type, meaning and allowed values (validated by file_models.PathSpec)."""

    type: str
    meaning: str
    values: list[str] | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Every fact path an agreement may state, with its type and allowed values."""

    paths: dict[str, PathSpec]
    files: tuple[str, ...] = ()
    # each path's allowed values as a set, built on first use: a list fact of 100,000 items checked against an
    # enum of 100,000 values by list search was 10^10 comparisons
    _allowed: dict[str, Choices] = field(default_factory=dict, compare=False, repr=False)
    # each path's value check with its type and allowed values bound, built on first use: a fact file checks
    # thousands of values against a few hundred paths
    _checkers: dict[str, Callable[[Any], str | None]] = field(default_factory=dict, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (the cache) without the sets and checks built on use: they are rebuilt as needed."""
        return {**self.__dict__, "_allowed": {}, "_checkers": {}}

    def allowed(self, path: str) -> Choices:
        found = self._allowed.get(path)
        if found is None:
            found = self._allowed[path] = Choices(self.paths[path].values or ())
        return found

    def spec(self, path: str) -> PathSpec | None:
        return self.paths.get(path)

    def unknown_path(self, path: str) -> str:
        return f"unknown fact path {shown(path)}{did_you_mean(path, self.paths)}"

    def check(self, path: str, value: Any) -> str | None:
        """Why `value` is not a valid value of `path`, or None when it is."""
        checker = self.checker(path)
        if checker is None:
            raise KeyError(path)
        return checker(value)

    def checker(self, path: str) -> Callable[[Any], str | None] | None:
        """`check` of one path as a function of the value alone; None when the vocabulary has no such path."""
        found = self._checkers.get(path)
        if found is None:
            spec = self.paths.get(path)
            if spec is None:
                return None
            found = self._checkers[path] = _bound(FACT_TYPES[spec.type].problem, path, self.allowed(path))
        return found

    def merged(self, other: Vocabulary) -> Vocabulary:
        clash = [p for p in other.paths if p in self.paths and other.paths[p] != self.paths[p]]
        if clash:
            line, col = _key_position(other.files[0], ("paths", clash[0]))
            raise InputError([Diagnostic(other.files[0], line, col, f"vocabulary redefines {shown(clash[0])} differently from {self.files[0]}")])
        return Vocabulary({**self.paths, **other.paths}, self.files + other.files)


def _bound(problem: Callable[[str, Any, Choices], str | None], path: str, allowed: Choices) -> Callable[[Any], str | None]:
    return lambda value: problem(path, value, allowed)


def _key_position(file: str, loc: tuple[str, ...]) -> tuple[int, int]:
    """Where a key of an already loaded file stands. Error path only: the file is parsed again rather than every
    vocabulary keeping its node tree."""
    try:
        return parse(Path(file)).position(loc, key=True)
    except InputError:  # changed since it was read: point at the file
        return (1, 1)


def load_vocabulary(path: Path) -> Vocabulary:
    """Load and check one vocabulary.yaml; all its problems are reported together."""
    doc = parse(path)
    errors = _check(doc)
    if errors:
        raise InputError(errors)
    from obcheck.file_models import VocabularyFile

    model = VocabularyFile.model_validate(doc.data)
    paths = {name: PathSpec(spec.type, spec.meaning, spec.values) for name, spec in sorted(model.paths.items())}
    return Vocabulary(paths, (doc.path,))


def _check(doc: Document) -> list[Diagnostic]:
    from pydantic import ValidationError

    from obcheck.file_models import VocabularyFile
    from obcheck.validation import pydantic_diagnostics

    try:
        model = VocabularyFile.model_validate(doc.data)
    except ValidationError as exc:
        return pydantic_diagnostics(doc, exc, VocabularyFile)
    errors = []
    for name, spec in model.paths.items():
        loc = ("paths", name)
        if spec.type not in FACT_TYPES:
            errors.append(doc.error((*loc, "type"), f"{name}: unknown type '{spec.type}'; one of {', '.join(FACT_TYPES)}{did_you_mean(spec.type, FACT_TYPES)}"))
            continue
        if not PATH_RE.match(name):
            errors.append(doc.error(loc, f"fact path {shown(name)} must be dotted lower_snake segments", key=True))
        elif RESERVED_RE.search(name):
            errors.append(doc.error(loc, f"fact path {shown(name)}: a last segment has_<number> is reserved (the engine names list members so)", key=True))
        if spec.type in WITH_VALUES and not spec.values:
            errors.append(doc.error(loc, f"{name}: type {spec.type} needs a non-empty 'values' list", key=True))
        if spec.type not in WITH_VALUES and spec.values is not None:
            errors.append(doc.error((*loc, "values"), f"{name}: type {spec.type} takes no 'values'", key=True))
        if spec.values and len(set(spec.values)) != len(spec.values):
            errors.append(doc.error((*loc, "values"), f"{name}: 'values' repeats a value"))
        for i, value in enumerate(spec.values or ()):
            if problem := string_problem(value):  # enum values reach the engine as strings
                errors.append(doc.error((*loc, "values", i), f"{name}: {problem}"))
    return errors
