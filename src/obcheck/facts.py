"""Fact files: what one agreement says, each value with its source; validated against the vocabulary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import Field

from obcheck.errors import Diagnostic, InputError, did_you_mean, shown
from obcheck.source import Document
from obcheck.validation import ID_RE as _ID_RE
from obcheck.validation import StrictModel, id_message, id_problem, load_model
from obcheck.vocabulary import Vocabulary, date_problem

ID_RE = _ID_RE  # the one id pattern of every kind of id (validation.ID_RE); the command line checks new ids with it
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
MAX_QUOTE_CHARACTERS = 400  # a backstop for separators no rule can list: the longest shipped quote has 206
Level = Literal["text", "official", "secondary", "unverified"]
Kind = Literal[
    "bilateral-agreement", "multilateral-declaration", "memorandum", "treaty", "draft-treaty", "joint-statement", "hypothetical"
]


Status = Literal["draft", "reported", "signed", "in-force", "superseded", "expired", "terminated"]
# What a reader may lean on (docs/fact-files.md): the document's own text; an official statement of a party;
# reputable reporting or scholarship; a partisan or state-controlled outlet, or one that could not be identified.
Reliability = Literal["own-text", "official", "reputable", "partisan"]
RELIABILITY_OF_TYPE = {"text": "own-text", "official-summary": "official", "secondary": "reputable"}


class Source(StrictModel):
    id: str
    title: str
    url: str
    type: Literal["text", "official-summary", "secondary"]
    reliability: Reliability | None = None  # default: from the type (text own-text, official-summary official, secondary reputable)

    @property
    def trust(self) -> str:
        return self.reliability or RELIABILITY_OF_TYPE[self.type]


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
    # reputable sources disagree: every rule reading the fact is evaluated on the value and on each alternative
    contested: bool = False
    # an amendment: the value holds from / until these dates (check --as-of)
    valid_from: str | None = None
    valid_until: str | None = None
    proposed: Proposed | None = None  # a value the clause finder proposed, unverified until a person accepts it


class FactFile(StrictModel):
    id: str
    title: str
    kind: Kind
    parties: list[str]
    status: Status | None = None  # default: signed when `signed` is given, else draft
    signed: str | None = None
    reported: str | None = None  # a draft's or reported document's first report (what --as-of dates it by)
    entry_into_force: str | None = None
    ends: str | None = None  # stated end; otherwise derived from duration.years where the text states it
    supersedes: list[str] = Field(default_factory=list)
    place: str | None = None
    note: str | None = None
    sources: list[Source]
    facts: dict[str, Evidence]


class Reading(NamedTuple):
    """One value of a fact with its citation (a contested fact has several)."""

    value: Any
    source: Source
    quote: str
    evidence: str
    clause: str | None


@dataclass(frozen=True)
class Fact:
    """One verified value with where it came from."""

    path: str
    value: Any
    evidence: Evidence
    source: Source
    line: int

    alternatives: tuple[Reading, ...] = field(default=(), compare=False)

    @property
    def readings(self) -> list[Reading]:
        """Every value a contested fact may have, each with its citation; the one value of a settled fact."""
        own = Reading(self.value, self.source, self.evidence.quote or "", str(self.evidence.evidence), self.evidence.clause)
        return [own, *self.alternatives] if self.evidence.contested else [own]


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
    status: str = "signed"
    reported: str | None = None
    entry_into_force: str | None = None
    ends: str | None = None
    supersedes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()

    @property
    def values(self) -> dict[str, Any]:
        return {path: fact.value for path, fact in self.facts.items()}

    @cached_property
    def contested(self) -> dict[str, Fact]:
        # cached: the findings ask once per rule, and building it walks every fact (0.5 s of a 1,000-file run)
        return {path: fact for path, fact in self.facts.items() if fact.evidence.contested}

    @property
    def provisional(self) -> bool:
        """A draft or reported document: its terms are not a signed text, and reports label it so."""
        return self.status in ("draft", "reported")

    def as_of(self, day: str) -> Agreement | None:
        """The document as it stood on `day` (YYYY-MM-DD): None if it did not exist yet or had ended; otherwise
        with only the facts valid that day."""
        began = self.signed or self.reported
        if began is None or began > day or (self.ends is not None and self.ends < day):
            return None
        facts = {p: f for p, f in self.facts.items()
                 if (f.evidence.valid_from or "") <= day and (f.evidence.valid_until is None or day <= f.evidence.valid_until)}
        return dataclasses.replace(self, facts=facts) if len(facts) != len(self.facts) else self


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
            continue
        if ev.evidence == "unverified":
            unverified[name] = ev.note or ""
            continue
        assert ev.source is not None
        source = sources[ev.source]
        if source.trust == "partisan" and not any(sources[a.source].trust != "partisan" for a in ev.alternatives):
            # a value resting only on a partisan or state-controlled outlet (or an unidentified one) is not established
            unverified[name] = f"rests only on {source.title} ({source.trust} source): counted as unverified"
            continue
        others = tuple(Reading(a.value, sources[a.source], a.quote, str(a.evidence), a.clause) for a in ev.alternatives) if ev.alternatives else ()
        facts[name] = Fact(name, ev.value, ev, source, lines[name], others)
    entry = model.entry_into_force or _derived_entry(model, facts)
    # derived from dates the file states, never from today's date: the same inputs give the same report
    status = model.status or ("in-force" if model.signed and entry else "signed" if model.signed else "draft")
    return Agreement(
        model.id, model.title, model.kind, tuple(model.parties), model.signed, model.place, doc.path, facts, unverified, lines,
        status, model.reported, entry, model.ends or _derived_end(entry or model.signed, facts), tuple(model.supersedes),
        tuple(model.sources),
    )


def _derived_entry(model: FactFile, facts: dict[str, Fact]) -> str | None:
    """Entry into force from the facts: a stated date, or the signature where the text takes effect on signature."""
    stated = facts.get("entry_into_force.date")
    if stated is not None and isinstance(stated.value, str):
        return stated.value
    on_signature = facts.get("entry_into_force.on_signature")
    return model.signed if on_signature is not None and on_signature.value is True else None


def _derived_end(start: str | None, facts: dict[str, Fact]) -> str | None:
    """A fixed term ends its number of years after entry into force (or signature) where the text states both."""
    years = facts.get("duration.years")
    if years is None or start is None or not isinstance(years.value, int):
        return None
    kind = facts.get("duration.kind")
    if kind is not None and kind.value != "fixed-term":
        return None
    try:
        begun = dt.date.fromisoformat(start)
        return begun.replace(year=begun.year + years.value).isoformat()
    except ValueError:  # 29 February plus a number of years, or beyond year 9999
        return None


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
        errors.append(doc.error(("id",), id_message("agreement", model.id)))
    for i, party in enumerate(model.parties):
        if party not in ISO_3166:
            hint = f" (did you mean '{COMMON_MISTAKES[party]}'?)" if party in COMMON_MISTAKES else ""
            errors.append(doc.error(("parties", i), f"party {shown(party)} must be an ISO 3166 alpha-2 code or EU{hint}"))
    for key in ("signed", "reported", "entry_into_force", "ends"):
        value = getattr(model, key)
        if value is not None and (problem := date_problem(value)):
            errors.append(doc.error((key,), f"{key} must be a date: {problem}"))
    if model.status in ("signed", "in-force", "superseded", "expired", "terminated") and model.signed is None:
        errors.append(doc.error(("status",), f"a {model.status} document needs its 'signed' date"))
    if model.status in ("draft", "reported") and model.signed is not None:
        errors.append(doc.error(("status",), f"a {model.status} document has no 'signed' date; set status signed or in-force"))
    for i, other in enumerate(model.supersedes):
        if problem := id_problem("agreement", other):
            errors.append(doc.error(("supersedes", i), problem))
    source_ids: set[str] = set()
    for i, source in enumerate(model.sources):
        if problem := id_problem("source", source.id):
            errors.append(doc.error(("sources", i, "id"), problem))
        if source.id in source_ids:
            errors.append(doc.error(("sources", i, "id"), f"duplicate source id {shown(source.id)}"))
        source_ids.add(source.id)
        if not source.url.startswith(("https://", "http://")):
            errors.append(doc.error(("sources", i, "url"), f"source url must start with https:// or http://; got {shown(source.url)}"))
    checker = vocabulary.checker
    for name, ev in model.facts.items():
        loc = ("facts", name)
        check = checker(name)
        if check is None:
            errors.append(doc.error(loc, vocabulary.unknown_path(name), key=True))
            continue
        _check_evidence(errors, doc, loc, name, ev, source_ids, check)
    return errors


def _check_evidence(
    errors: list[Diagnostic], doc: Document, loc: tuple[str, ...], name: str, ev: Evidence, source_ids: set[str],
    check: Callable[[Any], str | None],
) -> None:
    """One fact's entry: the keys its evidence level needs, then each of its values (`check`: the path's)."""
    if ev.proposed is not None:
        if ev.evidence != "unverified":
            errors.append(doc.error((*loc, "proposed"), f"{name}: 'proposed' belongs to an unverified value; once accepted, delete it"))
        if ev.value is None:
            errors.append(doc.error((*loc, "proposed"), f"{name}: a proposal needs the 'value' proposed"))
    if ev.evidence == "unverified":
        if not ev.note:
            errors.append(doc.error(loc, f"{name}: an unverified fact needs a 'note' saying what was looked for", key=True))
    elif ev.value is None or ev.source is None or ev.quote is None:
        errors += [doc.error(loc, f"{name}: evidence '{ev.evidence}' needs '{key}'", key=True)
                   for key, given in (("value", ev.value), ("source", ev.source), ("quote", ev.quote)) if given is None]
    _check_reading(errors, doc, loc, ev.value, ev.source, ev.quote, source_ids, check)
    for i, alt in enumerate(ev.alternatives):
        _check_reading(errors, doc, (*loc, "alternatives", i), alt.value, alt.source, alt.quote, source_ids, check)


def _check_reading(
    errors: list[Diagnostic], doc: Document, at: tuple[str | int, ...], value: Any, source: str | None,
    quote: str | None, source_ids: set[str], check: Callable[[Any], str | None],
) -> None:
    """One value of a fact (the stated one or an alternative): its type, its source, its quote's length."""
    if value is not None and (problem := check(value)):
        errors.append(doc.error((*at, "value"), problem))
    if source is not None and source not in source_ids:
        errors.append(doc.error((*at, "source"), f"unknown source {shown(source)}{did_you_mean(source, source_ids)}"))
    if quote is not None and (problem := quote_problem(quote)):
        errors.append(doc.error((*at, "quote"), problem))


def quote_problem(quote: str) -> str | None:
    """Why a quote is too long to be a short quotation, or None. Words are counted as a reader sees them: after
    NFKC (full-width and compatibility forms folded) with every invisible format character (zero-width space and
    joiners, word joiner, soft hyphen, BOM) and every other space or line break as a word break, so zero-width
    characters cannot glue 40 words into 1."""
    if len(quote) <= MAX_QUOTE_CHARACTERS and quote.count(" ") < MAX_QUOTE_WORDS and quote.isascii() and quote.isprintable():
        # nearly every quote: printable ASCII breaks words only at spaces, so it has at most one word more than spaces
        return None
    text = quote if quote.isascii() else unicodedata.normalize("NFKC", quote)  # NFKC leaves ASCII as it is
    words = word_count(text)
    if words > MAX_QUOTE_WORDS:
        return f"quote has {words} words; at most {MAX_QUOTE_WORDS}"
    if len(text) > MAX_QUOTE_CHARACTERS:
        return f"quote has {len(text):,} characters; at most {MAX_QUOTE_CHARACTERS}"
    return None


def word_count(text: str) -> int:
    """The words of a normalised text, every category C or Z character a break."""
    # Fast path, exact: isprintable() is False for every category C or Z character but the ASCII space, and every
    # character str.split() breaks on is in C or Z; so in printable text the one break is the space, as split() has
    # it (tests/test_quotes.py checks both facts for every code point and compares with the per-character count).
    if text.isprintable():
        return len(text.split())
    return len("".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).split())
