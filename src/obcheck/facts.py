"""Fact files: what one agreement says, each value with its source; validated against the vocabulary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from obcheck.errors import Diagnostic, InputError, did_you_mean
from obcheck.fact_types import FACT_TYPES
from obcheck.source import Document
from obcheck.validation import StrictModel, load_model
from obcheck.vocabulary import Vocabulary

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# ISO 3166-1 alpha-2 codes in use (a shape check alone lets UK, EL or XX through), plus EU for the Union.
ISO_3166 = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW EU
""".split())
COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}
MAX_QUOTE_WORDS = 25
Level = Literal["text", "official", "secondary", "unverified"]
Kind = Literal[
    "bilateral-agreement", "multilateral-declaration", "memorandum", "treaty", "draft-treaty", "joint-statement", "hypothetical"
]


class Source(StrictModel):
    id: str
    title: str
    url: str
    type: Literal["text", "official-summary", "secondary"]


class Alternative(StrictModel):
    value: Any
    source: str
    quote: str
    evidence: Literal["text", "official", "secondary"]
    clause: str | None = None


class Proposed(StrictModel):
    """Where `obcheck draft` found a value: the text, the position and clause of the cue it matched, and a quote."""

    text: str
    line: int
    col: int
    clause: str | None = None
    quote: str


class Evidence(StrictModel):
    evidence: Level
    value: Any = None
    source: str | None = None
    clause: str | None = None
    quote: str | None = None
    note: str | None = None
    alternatives: list[Alternative] = Field(default_factory=list)
    proposed: Proposed | None = None  # a value the clause finder proposed, unverified until a person accepts it


class FactFile(StrictModel):
    id: str
    title: str
    kind: Kind
    parties: list[str]
    signed: str | None = None
    place: str | None = None
    note: str | None = None
    sources: list[Source]
    facts: dict[str, Evidence]


@dataclass(frozen=True)
class Fact:
    """One verified value with where it came from."""

    path: str
    value: Any
    evidence: Evidence
    source: Source
    line: int


@dataclass(frozen=True)
class Agreement:
    """A validated fact file: header, verified values (unverified ones are absent) and their evidence."""

    id: str
    title: str
    kind: str
    parties: tuple[str, ...]
    signed: str | None
    place: str | None
    file: str
    facts: dict[str, Fact]
    unverified: dict[str, str]
    lines: dict[str, int]  # the line of every fact entry, verified or not

    @property
    def values(self) -> dict[str, Any]:
        return {path: fact.value for path, fact in self.facts.items()}


def load_agreement(path: Path, vocabulary: Vocabulary, text: str | None = None, include_proposed: bool = False) -> Agreement:
    """Parse and validate one fact file; every problem in it is reported together. With include_proposed, the values
    `obcheck draft` proposed count as facts of evidence level 'proposed' (for a provisional report)."""
    doc, model = load_model(path, FactFile, "a fact file", text)
    errors = _check(doc, model, vocabulary)
    if errors:
        raise InputError(errors)
    sources = {s.id: s for s in model.sources}
    facts, unverified, lines = {}, {}, {}
    key_lines = doc.key_lines(("facts",))
    for name, ev in sorted(model.facts.items()):
        lines[name] = key_lines[name]
        if ev.evidence == "unverified" and include_proposed and ev.proposed is not None:
            facts[name] = _proposed_fact(name, ev, ev.proposed, lines[name])
        elif ev.evidence == "unverified":
            unverified[name] = ev.note or ""
        else:
            assert ev.source is not None
            facts[name] = Fact(name, ev.value, ev, sources[ev.source], lines[name])
    return Agreement(model.id, model.title, model.kind, tuple(model.parties), model.signed, model.place, doc.path, facts, unverified, lines)


def _proposed_fact(name: str, ev: Evidence, proposed: Proposed, line: int) -> Fact:
    """A proposal as a fact for a provisional report: evidence level 'proposed', its source the text and position
    (built without validation: no fact file may state these levels itself)."""
    where = f"{proposed.text}:{proposed.line}:{proposed.col}"
    evidence = Evidence.model_construct(
        evidence="proposed", value=ev.value, source="proposed", clause=proposed.clause, quote=proposed.quote,
        note="proposed by obcheck draft; not yet accepted by a person", alternatives=[], proposed=proposed,
    )
    source = Source.model_construct(id="proposed", title=f"obcheck draft proposal ({where})", url=where, type="text")
    return Fact(name, ev.value, evidence, source, line)


def _check(doc: Document, model: FactFile, vocabulary: Vocabulary) -> list[Diagnostic]:
    errors = []
    if not ID_RE.match(model.id):
        errors.append(doc.error(("id",), f"id '{model.id}' must be lower-case words joined by '-' (e.g. gb-2024)"))
    for i, party in enumerate(model.parties):
        if party not in ISO_3166:
            hint = f" (did you mean '{COMMON_MISTAKES[party]}'?)" if party in COMMON_MISTAKES else ""
            errors.append(doc.error(("parties", i), f"party '{party}' must be an ISO 3166 alpha-2 code or EU{hint}"))
    if model.signed is not None and (problem := FACT_TYPES["date"].problem("signed", model.signed, [])):
        errors.append(doc.error(("signed",), problem))
    source_ids: set[str] = set()
    for i, source in enumerate(model.sources):
        if source.id in source_ids:
            errors.append(doc.error(("sources", i, "id"), f"duplicate source id '{source.id}'"))
        source_ids.add(source.id)
        if not source.url.startswith(("https://", "http://")):
            errors.append(doc.error(("sources", i, "url"), f"source url must start with https:// or http://; got {source.url!r}"))
    for name, ev in model.facts.items():
        loc = ("facts", name)
        if vocabulary.spec(name) is None:
            errors.append(doc.error(loc, vocabulary.unknown_path(name), key=True))
            continue
        errors.extend(_check_evidence(doc, loc, name, ev, source_ids, vocabulary))
    return errors


def _check_evidence(
    doc: Document, loc: tuple[str, ...], name: str, ev: Evidence, source_ids: set[str], vocabulary: Vocabulary
) -> list[Diagnostic]:
    errors = []
    if ev.proposed is not None and ev.evidence != "unverified":
        errors.append(doc.error((*loc, "proposed"), f"{name}: 'proposed' belongs to an unverified value; once accepted, delete it"))
    if ev.proposed is not None and ev.value is None:
        errors.append(doc.error((*loc, "proposed"), f"{name}: a proposal needs the 'value' proposed"))
    if ev.evidence == "unverified":
        if not ev.note:
            errors.append(doc.error(loc, f"{name}: an unverified fact needs a 'note' saying what was looked for", key=True))
    else:
        for key in ("value", "source", "quote"):
            if getattr(ev, key) is None:
                errors.append(doc.error(loc, f"{name}: evidence '{ev.evidence}' needs '{key}'", key=True))
    entries: list[tuple[tuple[str | int, ...], Any, str | None, str | None]] = [(loc, ev.value, ev.source, ev.quote)]
    entries += [((*loc, "alternatives", i), alt.value, alt.source, alt.quote) for i, alt in enumerate(ev.alternatives)]
    for at, value, source, quote in entries:
        if value is not None and (problem := vocabulary.check(name, value)):
            errors.append(doc.error((*at, "value"), problem))
        if source is not None and source not in source_ids:
            errors.append(doc.error((*at, "source"), f"unknown source '{source}'{did_you_mean(source, source_ids)}"))
        if quote is not None and len(quote.split()) > MAX_QUOTE_WORDS:
            errors.append(doc.error((*at, "quote"), f"quote has {len(quote.split())} words; at most {MAX_QUOTE_WORDS}"))
    return errors
