"""Cues (the clause finder's vocabulary): load rules/cues.yaml, check it against the vocabulary, compile it for spaCy's Matcher."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from obcheck.errors import Diagnostic, InputError
from obcheck.validation import StrictModel, load_model
from obcheck.vocabulary import Vocabulary

GAP = "..."  # in a phrase: up to GAP_TOKENS tokens of anything
GAP_TOKENS = 4


class CueEntry(StrictModel):
    fact: str  # a vocabulary path
    value: Any  # the value the phrases signal (for a list path: one member)
    phrases: list[str] = Field(min_length=1)  # words matched case-insensitively; a|b for either; ... for a short gap
    # the documents whose text the phrases were copied from: the leave-one-document-out benchmark never scores a
    # cue on them
    written_from: list[str] = Field(default_factory=list)


class CueFile(StrictModel):
    version: int
    cues: list[CueEntry]


@dataclass(frozen=True)
class Cue:
    index: int
    fact: str
    value: Any
    phrases: tuple[str, ...]
    written_from: tuple[str, ...]
    line: int


def load_cues(path: Path, vocabulary: Vocabulary) -> list[Cue]:
    """The cues of a cues file, each checked: a known fact path, a valid value (a member, for lists), phrases that compile."""
    doc, model = load_model(path, CueFile, "a cues file")
    errors: list[Diagnostic] = []
    cues = []
    for i, entry in enumerate(model.cues):
        spec = vocabulary.spec(entry.fact)
        if spec is None:
            errors.append(doc.error(("cues", i, "fact"), vocabulary.unknown_path(entry.fact)))
            continue
        value = [entry.value] if spec.type == "list" else entry.value  # a list path's cue names one member
        if problem := vocabulary.check(entry.fact, value):
            errors.append(doc.error(("cues", i, "value"), problem))
        for j, phrase in enumerate(entry.phrases):
            if not phrase.split() or all(w == GAP for w in phrase.split()):
                errors.append(doc.error(("cues", i, "phrases", j), "a phrase needs at least one word"))
        cues.append(Cue(i, entry.fact, entry.value, tuple(entry.phrases), tuple(entry.written_from), doc.position(("cues", i))[0]))
    if errors:
        raise InputError(errors)
    return cues


def token_pattern(phrase: str) -> list[dict[str, Any]]:
    """A phrase as a spaCy Matcher token pattern: each word its lower-case form, a|b either, ... a short gap.
    Words are split as spaCy splits them (so "self-defence" is three tokens), by a blank English tokenizer."""
    from obcheck.draft import nlp

    tokenizer = nlp().tokenizer
    pattern: list[dict[str, Any]] = []
    for word in phrase.split():
        if word == GAP:
            pattern.append({"OP": f"{{0,{GAP_TOKENS}}}"})
        elif "|" in word:
            pattern.append({"LOWER": {"IN": [w.lower() for w in word.split("|") if w]}})
        else:
            pattern.extend({"LOWER": t.text.lower()} for t in tokenizer(word))
    return pattern


def cue_files(rule_dirs: list[Path]) -> list[Path]:
    """cues.yaml beside the vocabulary: in a rules folder, or (for a lone pack folder) in its parent."""
    found = []
    for root in rule_dirs:
        for candidate in (root / "cues.yaml", root.parent / "cues.yaml" if (root / "pack.yaml").is_file() else None):
            if candidate is not None and candidate.is_file() and candidate not in found:
                found.append(candidate)
    return found


def load_all_cues(rule_dirs: list[Path], vocabulary: Vocabulary) -> list[Cue]:
    """Every cue of every cues file, numbered in order; all files' errors reported together."""
    cues: list[Cue] = []
    errors: list[Diagnostic] = []
    for file in cue_files(rule_dirs):
        try:
            cues += [Cue(len(cues) + i, c.fact, c.value, c.phrases, c.written_from, c.line) for i, c in enumerate(load_cues(file, vocabulary))]
        except InputError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise InputError(errors)
    return cues
