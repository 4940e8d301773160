"""The pydantic models of pack, rule, vocabulary, waivers and fact files, imported only when such a file is read."""

# Start-up stays free of pydantic (about 70 ms of model building): the loaded rules and vocabulary are plain
# dataclasses (rules.py, vocabulary.py) built from these models once they have validated a file, so a run whose
# catalogue comes from the cache never imports this module. The JSON Schemas for editors come from these models.

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from obcheck.facts import Kind, Level, Reliability, Status
from obcheck.validation import StrictModel

EvidenceLevel = Literal["verbatim-report", "report-quoted-by-secondary", "secondary-summary", "seed-only"]


class StandardRef(StrictModel):
    title: str
    url: str
    date: str | None = None
    authors: str | None = None
    citation: str | None = None


class PackFile(StrictModel):
    id: str
    version: str
    title: str
    tiers: list[str] = Field(default_factory=list)
    standard: StandardRef


class Criterion(StrictModel):
    standard: str
    section: str
    quote: str
    url: str
    evidence_level: EvidenceLevel
    evidence_note: str | None = None
    # the cited source's reliability class (docs/fact-files.md); a partisan or state-controlled outlet must say so
    reliability: Literal["own-text", "official", "reputable", "partisan"] | None = None


class ThresholdEvidence(StrictModel):
    """How well the rule's threshold (what counts as met, e.g. "within 24 hours", "NATO standards") is sourced,
    which can be weaker than the criterion itself: a verbatim criterion whose threshold comes from press."""

    level: Literal["verbatim-report", "report-quoted-by-secondary", "secondary-summary", "seed-only", "none"]
    note: str


class Messages(StrictModel):
    met: str
    gap: str
    unknown: str
    partial: str | None = None
    not_applicable: str | None = None


class RuleFile(StrictModel):
    id: str
    title: str
    severity: Literal["critical", "high", "medium", "low"]
    tier: str | None = None
    criterion: Criterion
    applies_when: Any = None
    met: Any
    partial: Any = None
    messages: Messages
    remediation: str
    rationale: str
    threshold_evidence: ThresholdEvidence | None = None


class PathSpec(StrictModel):
    type: str
    meaning: str
    values: list[str] | None = None


class VocabularyFile(StrictModel):
    version: int
    paths: dict[str, PathSpec]


class WaiverEntry(StrictModel):
    rule: str  # a rule id or PACK/RULE; globs allowed (binding-*, kyiv-security-compact-2022/*)
    agreement: str  # an agreement id; globs allowed (gb-*, *)
    outcome: Literal["gap", "partial", "unknown"]  # the outcome accepted: a worse one is not waived
    justification: str
    owner: str
    expires: str  # YYYY-MM-DD: the last day the waiver holds


class WaiverFile(StrictModel):
    waivers: list[WaiverEntry] = Field(default_factory=list)


# A fact file. Its plain objects (facts.py) are built from the data without these models whenever the data has the
# shape they demand; they are the JSON Schema for editors, and report the exact problems of a file that has not.
class Source(StrictModel):
    id: str
    title: str
    url: str
    type: Literal["text", "official-summary", "secondary"]
    reliability: Reliability | None = None  # default: from the type (text own-text, official-summary official, secondary reputable)


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
