"""Fact files: what one agreement says, each value with its source; validated against the vocabulary."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NamedTuple, NoReturn, TypeVar, get_args

from obcheck.errors import Diagnostic, InputError, InternalError, did_you_mean, shown
from obcheck.ids import ID_RE as _ID_RE
from obcheck.ids import id_message, id_problem
from obcheck.source import Document, parse
from obcheck.vocabulary import Vocabulary, date_problem

ID_RE = _ID_RE  # the one id pattern of every kind of id (ids.ID_RE); the command line checks new ids with it
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


class Source(NamedTuple):
    """One source a fact file cites (file_models.Source is its schema)."""

    id: str
    title: str
    url: str
    type: str
    reliability: str | None = None  # default: from the type (text own-text, official-summary official, secondary reputable)

    @property
    def trust(self) -> str:
        return self.reliability or RELIABILITY_OF_TYPE[self.type]


class Alternative(NamedTuple):
    """Another reading of a contested fact, with its own citation."""

    value: Any
    source: str
    quote: str
    evidence: str
    clause: str | None = None


class Proposed(NamedTuple):
    """Where `obcheck draft` found a value: the text, the position and clause of the cue it matched, and a quote."""

    text: str
    line: int
    col: int
    quote: str
    clause: str | None = None


class Evidence(NamedTuple):
    """One fact entry as the file states it (file_models.Evidence is its schema)."""

    evidence: str
    value: Any = None
    source: str | None = None
    clause: str | None = None
    quote: str | None = None
    note: str | None = None
    alternatives: Sequence[Alternative] = ()
    # reputable sources disagree: every rule reading the fact is evaluated on the value and on each alternative
    contested: bool = False
    # an amendment: the value holds from / until these dates (check --as-of)
    valid_from: str | None = None
    valid_until: str | None = None
    proposed: Proposed | None = None  # a value the clause finder proposed, unverified until a person accepts it


class Contents(NamedTuple):
    """A fact file's data, of the shape file_models.FactFile demands, before its values are checked."""

    id: str
    title: str
    kind: str
    parties: list[str]
    status: str | None
    signed: str | None
    reported: str | None
    entry_into_force: str | None
    ends: str | None
    supersedes: list[str]
    place: str | None
    note: str | None
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
    doc = parse(path, text)
    model = _contents(doc.data)
    if model is None:
        _refuse(doc)
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


def _derived_entry(model: Contents, facts: dict[str, Fact]) -> str | None:
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
    (no fact file may state these levels itself)."""
    where = f"{proposed.text}:{proposed.line}:{proposed.col}"
    note = "proposed by obcheck draft; not yet accepted by a person"
    evidence = Evidence("proposed", ev.value, "proposed", proposed.clause, proposed.quote, note, proposed=proposed)
    source = Source("proposed", f"obcheck draft proposal ({where})", where, "text")
    return Fact(name, ev.value, evidence, source, line)


_KINDS, _STATUSES, _LEVELS, _RELIABILITIES = (frozenset(get_args(t)) for t in (Kind, Status, Level, Reliability))
_CITED_LEVELS = frozenset(("text", "official", "secondary"))  # an alternative's: it cannot be unverified
_OPTIONAL_TEXT = frozenset((str, type(None)))
_FILE_KEYS, _REQUIRED_FILE_KEYS = frozenset(Contents._fields), frozenset(("id", "title", "kind", "parties", "sources", "facts"))


# The shape of a fact file, checked in one pass over the parsed data, with the plain objects built on the way.
# file_models.FactFile demands the same shape: each returns None where the pydantic model would refuse the data
# (tests/test_fuzz.py compares the two on generated data), and the model then reports exactly what is wrong.
# Validating through the model built ~60 pydantic objects a file: a third of the time the checks took.
def _contents(data: Any) -> Contents | None:
    """A fact file's data as plain objects, or None when it is not of the shape file_models.FactFile demands
    (strict: only the very types it names, the only ones the parser makes)."""
    if data.__class__ is not dict or not data.keys() <= _FILE_KEYS or not _REQUIRED_FILE_KEYS <= data.keys():
        return None
    get = data.get
    kind, status, parties, supersedes = data["kind"], get("status"), data["parties"], get("supersedes", [])
    if not (
        data["id"].__class__ is str and data["title"].__class__ is str and kind.__class__ is str and kind in _KINDS
        and (status is None or (status.__class__ is str and status in _STATUSES))
        and all(get(key).__class__ in _OPTIONAL_TEXT for key in ("signed", "reported", "entry_into_force", "ends", "place", "note"))
        and _texts(parties) and _texts(supersedes)
    ):
        return None
    sources, facts = data["sources"], data["facts"]
    if sources.__class__ is not list or facts.__class__ is not dict:
        return None
    cited = [_source(entry) for entry in sources]
    stated = {name: _evidence(entry) for name, entry in facts.items()}
    if None in cited or None in stated.values() or not all(name.__class__ is str for name in stated):
        return None
    return Contents(
        data["id"], data["title"], kind, list(parties), status, get("signed"), get("reported"), get("entry_into_force"),
        get("ends"), list(supersedes), get("place"), get("note"), cited, stated,  # type: ignore[arg-type]
    )


def _texts(value: Any) -> bool:
    return value.__class__ is list and all(item.__class__ is str for item in value)


_T = TypeVar("_T")


def _made(kind: Callable[..., _T], entry: Any) -> _T | None:
    """`kind` built from a mapping's keys, or None: the keyword call refuses unknown and missing keys, keys that
    are not strings, and an entry that is not a mapping."""
    try:
        return kind(**entry)
    except TypeError:
        return None


def _source(entry: Any) -> Source | None:
    if (source := _made(Source, entry)) is None:
        return None
    id, title, url, kind, reliability = source
    if (
        id.__class__ is str and title.__class__ is str and url.__class__ is str and kind.__class__ is str
        and kind in RELIABILITY_OF_TYPE and (reliability is None or (reliability.__class__ is str and reliability in _RELIABILITIES))
    ):
        return source
    return None


def _evidence(entry: Any) -> Evidence | None:
    if (evidence := _made(Evidence, entry)) is None:
        return None
    level, _, source, clause, quote, note, alternatives, contested, valid_from, valid_until, proposed = evidence
    if not (
        level.__class__ is str and level in _LEVELS and contested.__class__ is bool
        and source.__class__ in _OPTIONAL_TEXT and clause.__class__ in _OPTIONAL_TEXT and quote.__class__ in _OPTIONAL_TEXT
        and note.__class__ in _OPTIONAL_TEXT and valid_from.__class__ in _OPTIONAL_TEXT and valid_until.__class__ in _OPTIONAL_TEXT
    ):
        return None
    if alternatives != ():  # rare: a contested fact
        if alternatives.__class__ is not list:
            return None
        readings = [reading for alt in alternatives if (reading := _alternative(alt)) is not None]
        if len(readings) != len(alternatives):
            return None
        evidence = evidence._replace(alternatives=readings)
    if proposed is not None:  # rare: a value `obcheck draft` proposed
        if (proposed := _proposed(proposed)) is None:
            return None
        evidence = evidence._replace(proposed=proposed)
    return evidence


def _alternative(entry: Any) -> Alternative | None:
    if (alternative := _made(Alternative, entry)) is None:
        return None
    _, source, quote, level, clause = alternative
    if (
        source.__class__ is str and quote.__class__ is str and level.__class__ is str and level in _CITED_LEVELS
        and clause.__class__ in _OPTIONAL_TEXT
    ):
        return alternative
    return None


def _proposed(entry: Any) -> Proposed | None:
    if (proposed := _made(Proposed, entry)) is None:
        return None
    text, line, col, quote, clause = proposed
    if text.__class__ is str and quote.__class__ is str and line.__class__ is int and col.__class__ is int and clause.__class__ in _OPTIONAL_TEXT:
        return proposed
    return None


def _refuse(doc: Document) -> NoReturn:
    """Raise the located problems pydantic finds in a file `_contents` refused."""
    from obcheck.file_models import FactFile
    from obcheck.validation import validate

    validate(doc, FactFile, "a fact file")
    raise InternalError(f"{doc.path}: the fact file model accepts data of a shape the loader refuses")


def _check(doc: Document, model: Contents, vocabulary: Vocabulary) -> list[Diagnostic]:
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
        check = checker(name)
        if check is None:
            errors.append(doc.error(("facts", name), vocabulary.unknown_path(name), key=True))
            continue
        level, value, cited, _, quote, _, alternatives, _, _, _, proposed = ev
        if (
            level != "unverified" and value is not None and cited in source_ids and quote is not None
            and not alternatives and proposed is None and _short(quote)
        ):
            # nearly every fact: one value with a known source and a short quote; only the value can be wrong
            if problem := check(value):
                errors.append(doc.error(("facts", name, "value"), problem))
            continue
        _check_evidence(errors, doc, ("facts", name), name, ev, source_ids, check)
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
    if _short(quote):
        return None
    text = quote if quote.isascii() else unicodedata.normalize("NFKC", quote)  # NFKC leaves ASCII as it is
    words = word_count(text)
    if words > MAX_QUOTE_WORDS:
        return f"quote has {words} words; at most {MAX_QUOTE_WORDS}"
    if len(text) > MAX_QUOTE_CHARACTERS:
        return f"quote has {len(text):,} characters; at most {MAX_QUOTE_CHARACTERS}"
    return None


def _short(quote: str) -> bool:
    """True for a quote that is within both limits on its face (nearly every quote): printable ASCII breaks words
    only at spaces, so it has at most one word more than it has spaces. False says nothing: `quote_problem` decides."""
    return len(quote) <= MAX_QUOTE_CHARACTERS and quote.count(" ") < MAX_QUOTE_WORDS and quote.isascii() and quote.isprintable()


def word_count(text: str) -> int:
    """The words of a normalised text, every category C or Z character a break."""
    # Fast path, exact: isprintable() is False for every category C or Z character but the ASCII space, and every
    # character str.split() breaks on is in C or Z; so in printable text the one break is the space, as split() has
    # it (tests/test_quotes.py checks both facts for every code point and compares with the per-character count).
    if text.isprintable():
        return len(text.split())
    return len("".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text).split())
