"""The clause finder: read an agreement's text, match the cues with spaCy's Matcher, write a fact file of proposed values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from obcheck.cues import Cue, token_pattern
from obcheck.errors import Diagnostic, InputError
from obcheck.facts import MAX_QUOTE_WORDS
from obcheck.vocabulary import Vocabulary

# A clause starts at a heading line: "Article 4", "ARTICLE IV", "Section 2", a Markdown heading, or a numbered
# paragraph "2. The ...". What precedes the first one is the preamble.
HEADING_RE = re.compile(
    r"^[ \t]*(?:#+[ \t]*)?(?:(?P<kind>article|section|part|chapter|paragraph)[ \t]+(?P<num>[0-9]+[a-z]?|[IVXLC]+)\b"
    r"|(?P<para>[0-9]+)\.[ \t]|(?P<md>#+)[ \t]*(?P<title>\S.*))",
    re.IGNORECASE | re.MULTILINE,
)


@cache
def nlp() -> Any:
    """A blank English pipeline with a rule-based sentencizer: no model to download, so it runs offline."""
    try:
        import spacy
    except ImportError:
        raise InputError([Diagnostic("<command line>", 1, 1, "obcheck draft needs spaCy: pip install 'obcheck[draft]'")]) from None
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


@dataclass(frozen=True)
class Match:
    cue: Cue
    start: int  # character offset in the text
    quote: str
    clause: str | None
    line: int
    col: int


@dataclass(frozen=True)
class Proposal:
    fact: str
    value: Any
    matches: tuple[Match, ...]  # the first is the one cited


def read_text(path: Path) -> str:
    """The text, with a shipped text's '#' header (a texts/ file with its meta file beside it) blanked out, so that
    positions stay those of the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputError([Diagnostic(str(path), line, 1, f"not UTF-8 text (byte {exc.start + 1}): save the text as UTF-8")]) from None
    if path.with_name(path.name.removesuffix(".txt") + ".meta.yaml").is_file():
        text = "\n".join(" " * len(line) if line.startswith("#") else line for line in text.split("\n"))
    return text


def clauses(text: str) -> list[tuple[int, str, int]]:
    """(offset, label, where its body starts) of each clause, in order; labels as fact files name clauses
    ("Article 4"). A heading alone on its line ends there; a numbered paragraph's body starts after its number."""
    out = [(0, "Preamble", 0)]
    for m in HEADING_RE.finditer(text):
        if m.group("kind"):
            label = f"{m.group('kind').capitalize()} {m.group('num')}"
            end = text.find("\n", m.end())
            body = m.end() if text[m.end():end if end >= 0 else len(text)].strip() else (end if end >= 0 else len(text))
        elif m.group("para"):
            label, body = f"Paragraph {m.group('para')}", m.end()
        else:
            label = m.group("title").strip()
            body = m.end()
        out.append((m.start(), label, body))
    return out


def find(text: str, cues: list[Cue], skip_document: str | None = None) -> list[Match]:
    """Every place a cue's phrase occurs, in text order (a cue written from `skip_document` is left out)."""
    from spacy.matcher import Matcher

    pipeline = nlp()
    matcher = Matcher(pipeline.vocab)
    usable = {c.index: c for c in cues if skip_document is None or skip_document not in c.written_from}
    if not usable:
        return []
    for cue in usable.values():
        matcher.add(str(cue.index), [token_pattern(p) for p in cue.phrases], greedy="LONGEST")
    doc = pipeline(text)
    heads = clauses(text)
    found = []
    for key, start, _ in sorted(matcher(doc), key=lambda m: (m[1], m[0])):
        cue = usable[int(pipeline.vocab.strings[key])]
        offset = doc[start].idx
        _, clause, body = next(h for h in reversed(heads) if h[0] <= offset)
        line = text.count("\n", 0, offset) + 1
        found.append(Match(cue, offset, _quote(doc[start].sent, offset, body), clause or None, line, offset - text.rfind("\n", 0, offset)))
    return found


def _quote(sentence: Any, offset: int, floor: int) -> str:
    """The sentence around a match (not reaching back over its clause's heading), whitespace collapsed, at most
    MAX_QUOTE_WORDS words and including the match."""
    words = [(m.start() + sentence.start_char, m.group()) for m in re.finditer(r"\S+", sentence.text)]
    words = [w for w in words if w[0] >= floor]
    at = max((i for i, (start, _) in enumerate(words) if start <= offset), default=0)
    first = min(max(0, at - 5), max(0, len(words) - MAX_QUOTE_WORDS))
    return " ".join(w for _, w in words[first:first + MAX_QUOTE_WORDS])


def propose(matches: list[Match], vocabulary: Vocabulary) -> dict[str, Proposal]:
    """One value per fact path: for a list path every member signalled; otherwise the value signalled most often
    (the earliest on a tie). The first match of the value chosen is the one cited."""
    by_fact: dict[str, list[Match]] = {}
    for m in matches:
        by_fact.setdefault(m.cue.fact, []).append(m)
    out = {}
    for fact, found in sorted(by_fact.items()):
        spec = vocabulary.paths[fact]
        if spec.type == "list":
            members = {m.cue.value for m in found}
            out[fact] = Proposal(fact, [v for v in spec.values or [] if v in members], tuple(found))
            continue
        counts: dict[str, list[Match]] = {}
        for m in found:
            counts.setdefault(repr(m.cue.value), []).append(m)
        best = max(counts.values(), key=lambda ms: (len(ms), -ms[0].start))
        out[fact] = Proposal(fact, best[0].cue.value, tuple(best))
    return out


def draft_file(
    agreement_id: str, title: str, kind: str, parties: list[str], text_path: str, proposals: dict[str, Proposal],
    vocabulary: Vocabulary,
) -> str:
    """A valid fact file: every vocabulary path, the proposed ones with their value, clause, quote and position, all
    unverified until a person accepts them (sets evidence, source and quote), so reports stay honest."""
    facts: dict[str, Any] = {}
    for path in vocabulary.paths:
        p = proposals.get(path)
        if p is None:
            facts[path] = {"evidence": "unverified", "note": f"obcheck draft found no cue for it in {text_path}"}
            continue
        first = p.matches[0]
        facts[path] = {
            "evidence": "unverified", "value": p.value,
            "note": f"proposed by obcheck draft ({len(p.matches)} cue match{'es' if len(p.matches) != 1 else ''}); "
                    "to accept, set evidence, source, clause and quote from the text, and delete 'proposed'",
            "proposed": {"text": text_path, "line": first.line, "col": first.col, "clause": first.clause, "quote": first.quote},
        }
    data = {
        "id": agreement_id, "title": title, "kind": kind, "parties": parties,
        "note": f"Drafted by obcheck draft from {text_path}: proposed values are unverified until a person accepts them.",
        "sources": [], "facts": facts,
    }
    head = "# yaml-language-server: $schema=../docs/schemas/facts.schema.json\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=False)
