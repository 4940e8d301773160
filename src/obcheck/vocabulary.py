"""The fact vocabulary: every path an agreement may state, its type and values; checks values against it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from obcheck.errors import Diagnostic, InputError, did_you_mean, listed, shown
from obcheck.source import Document, parse
from obcheck.validation import StrictModel, pydantic_diagnostics

PathType = Literal["bool", "integer", "number", "string", "date", "enum", "ordered_enum", "list"]
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\Z")  # \Z: $ would let a trailing newline through
# The shape only (ASCII digits; \d would take any script's digits, $ a trailing newline): date_problem decides.
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
WITH_VALUES = ("enum", "ordered_enum", "list")
# The compiler asserts list members as properties <path>.has_<index>: a path of that shape would collide with one
# and silently overwrite it in the engine's fact.
RESERVED_RE = re.compile(r"\.has_[0-9]+\Z")
# durable_rules' JSON parser crashes the process on numbers written with an exponent (1e-05, 1e+16),
# which is how Python writes floats outside these bounds; integers stay exact up to 2^53.
MIN_MAGNITUDE, MAX_MAGNITUDE = 1e-4, 1e15
MAX_INTEGER = 2**53 - 1
ORDERED = ("integer", "number", "date", "ordered_enum")
# durable_rules stores a string's length in 16 bits: a longer string wraps and compares equal to its prefix
# (a 65,539-byte text equals "abc"), so a text the engine sees must fit in 65,535 UTF-8 bytes.
MAX_STRING_BYTES = 65_535


class PathSpec(StrictModel):
    type: PathType
    meaning: str
    values: list[str] | None = None


class _VocabularyFile(StrictModel):
    version: int
    paths: dict[str, PathSpec]


@dataclass(frozen=True)
class Vocabulary:
    paths: dict[str, PathSpec]
    files: tuple[str, ...] = ()
    # each path's allowed values as a set, built on first use: a list fact of 100,000 items checked against an
    # enum of 100,000 values by list search was 10^10 comparisons
    _allowed: dict[str, frozenset[Any]] = field(default_factory=dict, compare=False, repr=False)

    def allowed(self, path: str) -> frozenset[Any]:
        found = self._allowed.get(path)
        if found is None:
            found = self._allowed[path] = frozenset(self.paths[path].values or ())
        return found

    def spec(self, path: str) -> PathSpec | None:
        return self.paths.get(path)

    def unknown_path(self, path: str) -> str:
        return f"unknown fact path {shown(path)}{did_you_mean(path, self.paths)}"

    def rank(self, path: str, value: str) -> int:
        """Position of an ordered-enum value, weakest first: what at_least/at_most compare."""
        values = self.paths[path].values or ()
        return values.index(value)

    def check(self, path: str, value: Any) -> str | None:
        """Why `value` is not a valid value of `path`, or None when it is."""
        spec = self.paths[path]
        kind = spec.type
        if kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
            if ok and abs(value) > MAX_INTEGER:
                return f"{path}: {shown(value)} is beyond the supported range of +/-{MAX_INTEGER}"
        elif kind == "number":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok and not (value == 0 or MIN_MAGNITUDE <= abs(value) < MAX_MAGNITUDE):
                return f"{path}: {shown(value)} is outside the supported range (0, or between 0.0001 and 10^15 in size)"
        elif kind == "string":
            ok = isinstance(value, str)
            if ok and (problem := string_problem(value)):
                return f"{path}: {problem}"
        elif kind == "date":
            problem = date_problem(value)
            return f"{path} is a date: {problem}" if problem else None
        elif kind == "list":
            if not isinstance(value, list):
                return f"{path} is a list of {_choices(spec)}: got {shown(value)}"
            for item in value:
                if not _hashable(item) or item not in self.allowed(path):
                    return f"{path}: {shown(item)} is not one of {_choices(spec)}{did_you_mean(str(item), spec.values or ())}"
            if len(set(value)) != len(value):
                return f"{path}: the list repeats a value"
            return None
        else:  # enum, ordered_enum
            if _hashable(value) and value in self.allowed(path):
                return None
            return f"{path}: {shown(value)} is not one of {_choices(spec)}{did_you_mean(str(value), spec.values or ())}"
        return None if ok else f"{path} is {_article(kind)} {kind}: got {shown(value)}"

    def merged(self, other: Vocabulary) -> Vocabulary:
        clash = [p for p in other.paths if p in self.paths and other.paths[p] != self.paths[p]]
        if clash:
            line, col = _key_position(other.files[0], ("paths", clash[0]))
            raise InputError([Diagnostic(other.files[0], line, col, f"vocabulary redefines {shown(clash[0])} differently from {self.files[0]}")])
        return Vocabulary({**self.paths, **other.paths}, self.files + other.files)


def string_problem(value: str) -> str | None:
    """Why a text cannot go to durable_rules (too long for its 16-bit lengths), or None."""
    size = len(value.encode("utf-8"))
    if size > MAX_STRING_BYTES:
        return f"the text is {size:,} bytes long (UTF-8); at most {MAX_STRING_BYTES:,}, durable_rules' limit"
    return None


def date_problem(value: Any) -> str | None:
    """Why `value` is not a date that exists, written YYYY-MM-DD (years 0001 to 9999), or None when it is one.
    The standard library decides: 2024-02-30 and year 0 do not exist."""
    if not (isinstance(value, str) and DATE_RE.fullmatch(value)):
        return f"expected YYYY-MM-DD, got {shown(value)}"
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        return f"{value} is not a date that exists ({exc})"
    return None


def _key_position(file: str, loc: tuple[str, ...]) -> tuple[int, int]:
    """Where a key of an already loaded file stands. Error path only: the file is parsed again rather than every
    vocabulary keeping its node tree."""
    try:
        return parse(Path(file)).position(loc, key=True)
    except InputError:  # changed since it was read: point at the file
        return (1, 1)


def _hashable(value: Any) -> bool:
    return not isinstance(value, (list, dict))


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _choices(spec: PathSpec) -> str:
    return listed(spec.values or ())


def load_vocabulary(path: Path) -> Vocabulary:
    """Load and check one vocabulary.yaml; all its problems are reported together."""
    doc = parse(path)
    errors = _check(doc)
    if errors:
        raise InputError(errors)
    model = _VocabularyFile.model_validate(doc.data)
    return Vocabulary(dict(sorted(model.paths.items())), (doc.path,))


def _check(doc: Document) -> list[Diagnostic]:
    try:
        model = _VocabularyFile.model_validate(doc.data)
    except ValidationError as exc:
        return pydantic_diagnostics(doc, exc, _VocabularyFile)
    errors = []
    for name, spec in model.paths.items():
        loc = ("paths", name)
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
