"""Shipped texts: load texts/<document>.txt with its meta file, and check that text-level quotes occur in it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from obcheck.errors import Diagnostic, InputError
from obcheck.facts import Agreement
from obcheck.source import display_path, parse
from obcheck.validation import StrictModel, load_model

# Copies of a text differ in typography, not in words: curly and straight quotes, hyphens and dashes, line breaks.
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"} | {c: "-" for c in "‐‑‒–—―−"})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Whitespace collapsed, quotes straightened, dashes made hyphens; words and case untouched."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


class TextSource(StrictModel):
    title: str
    url: str
    read: str  # when and how it was read, e.g. "2026-12-04, stored copy"


class TextMeta(StrictModel):
    document: str  # the fact file id this is the text of
    title: str
    language: str
    source: TextSource
    licence: str  # the reuse terms found, or a plain statement that none were found
    complete: bool
    covers: list[str]  # the parts shipped, as fact files name clauses ("Preamble", "Article 4", "Paragraph 2")
    sources: list[str]  # the fact file's source ids that reproduce this wording: their quotes are checked
    note: str | None = None


@dataclass(frozen=True)
class Text:
    meta: TextMeta
    file: str
    body: str  # normalised, without the '#' header lines
    starts: tuple[tuple[int, int], ...] = ()  # (offset in body, line in the file) of each text line

    def locate(self, quote: str) -> int | None:
        """The line of the file where a quote starts, or None when it is not in the text."""
        at = self.body.find(normalise(quote))
        if at < 0:
            return None
        return next(line for offset, line in reversed(self.starts) if offset <= at)

    def covers(self, clause: str | None) -> bool:
        """Whether a quote from `clause` should be in this text: always for a complete text; for a partial one,
        when the clause names a shipped part ("Article 4, first paragraph" is in "Article 4"; "Article 41" is not)."""
        if self.meta.complete:
            return True
        if clause is None:
            return False
        return any(clause == part or (clause.startswith(part) and not clause[len(part)].isalnum()) for part in self.meta.covers)


def load_texts(folder: Path) -> dict[str, Text]:
    """Every texts/<id>.txt with its <id>.meta.yaml, by document id; a missing or bad meta file is a located error."""
    if not folder.is_dir():
        return {}
    texts, errors = {}, []
    for file in sorted(folder.glob("*.txt")):
        meta_file = file.with_name(file.name.removesuffix(".txt") + ".meta.yaml")
        if not meta_file.is_file():
            errors.append(Diagnostic(display_path(file), 1, 1, f"no {meta_file.name} beside it: record the text's source and licence"))
            continue
        try:
            doc, meta = load_model(meta_file, TextMeta, "a text's meta file")
        except InputError as exc:
            errors.extend(exc.diagnostics)
            continue
        if meta.document != file.name.removesuffix(".txt"):
            errors.append(doc.error(("document",), f"document '{meta.document}' must equal the text's file name stem '{file.name.removesuffix('.txt')}'"))
            continue
        # normalised line by line and joined with one space: the same text as normalising it whole, with each
        # line's offset kept so a quote can be placed on its line
        parts, starts, offset = [], [], 0
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith("#") or not line.strip():
                continue
            starts.append((offset, number))
            parts.append(normalise(line))
            offset += len(parts[-1]) + 1
        texts[meta.document] = Text(meta, display_path(file), " ".join(parts), tuple(starts))
    if errors:
        raise InputError(errors)
    return texts


def check_quotes(agreements: list[Agreement], texts: dict[str, Text]) -> tuple[list[Diagnostic], int]:
    """A located error for every text-level quote (value or alternative) that a shipped text should hold but does
    not: its document has a text, its source reproduces that text's wording, and its clause is a shipped part.
    Returns the errors and how many quotes were checked."""
    errors, checked = [], 0
    for agreement in agreements:
        text = texts.get(agreement.id)
        if text is None:
            continue
        doc = None
        for path, fact in sorted(agreement.facts.items()):
            entries: list[tuple[tuple[str | int, ...], str, str, str | None, str | None]] = [
                ((), fact.evidence.evidence, fact.source.id, fact.evidence.clause, fact.evidence.quote)
            ]
            entries += [(("alternatives", i), alt.evidence, alt.source, alt.clause, alt.quote) for i, alt in enumerate(fact.evidence.alternatives)]
            for at, level, source, clause, quote in entries:
                if level != "text" or source not in text.meta.sources or quote is None or not text.covers(clause):
                    continue
                checked += 1
                if normalise(quote) in text.body:
                    continue
                doc = doc or parse(Path(agreement.file))  # positions are looked up only when there is an error
                part = f" ({clause})" if clause else ""
                errors.append(doc.error(("facts", path, *at, "quote"),
                                        f"{path}: the quote{part} does not occur in {text.file}; copy it from the text, or correct its clause or source"))
    return errors, checked
