"""The result model: outcomes, findings, agreement reports and the report a run produces (plain data, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from obcheck.errors import Diagnostic


class Outcome(StrEnum):
    """One per (rule, agreement). A StrEnum: it compares, sorts, hashes and serialises as its plain name."""

    MET = "met"
    PARTIAL = "partial"
    GAP = "gap"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
# Listed in reports (met and not_applicable are counted, not listed), worst first.
SHORTFALLS: tuple[Outcome, ...] = (Outcome.GAP, Outcome.PARTIAL, Outcome.UNKNOWN)
# --fail-on: which outcomes make the run exit 1.
FAIL_ON: dict[str, tuple[Outcome, ...]] = {
    "gap": (Outcome.GAP,),
    "partial": (Outcome.GAP, Outcome.PARTIAL),
    "unknown": (Outcome.GAP, Outcome.PARTIAL, Outcome.UNKNOWN),
    "never": (),
}


# Stand-ins in value_key's keys, each equal only to itself
_TRUE, _FALSE, _FLOAT = object(), object(), object()
UNKEYED = object()  # value_key of a value that cannot be a key


def value_key(value: Any) -> Any:
    """A fact value as a dict key that two values share only when every format shows them alike: true is not 1, 1.0
    is not 1, 0.0 is not -0.0, a list is not a string (a string or an integer is its own key; callers on a hot path
    test for those first). UNKEYED for a value that cannot be one."""
    kind = value.__class__
    if kind is str or kind is int or value is None:
        return value
    if kind is bool:
        return _TRUE if value else _FALSE
    if kind is float:
        return (_FLOAT, value.hex())
    if kind is list and all(v.__class__ is str for v in value):
        return tuple(value)
    return UNKEYED


def tally(statuses: Iterable[str]) -> dict[str, int]:
    """Counts per outcome, every outcome present (zeros included) in the fixed order."""
    counts = dict.fromkeys(map(str, OUTCOMES), 0)
    for status in statuses:
        if status not in counts:
            raise ValueError(f"{status!r} is not an outcome")
        counts[status] += 1  # an Outcome is its name as a key (StrEnum): no Outcome(status) call a finding
    return counts


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule for one agreement, with what decided it and what could change it."""

    rule: str
    pack: str
    title: str
    severity: str
    tier: str | None
    status: Outcome
    message: str
    expected: str
    actual: dict[str, Any]
    evidence: list[dict[str, Any]]
    missing: list[str]
    criterion: dict[str, Any]
    remediation: str
    location: str
    # What the missing facts still allow, where the rule applies (outcomes.py): for a decided outcome
    # floor = ceiling = status; None for not_applicable. `needs`: for each outcome above the floor that some
    # completion reaches, the missing facts that would decide it. `may_not_apply`: applies_when is undecided.
    floor: Outcome | None = None
    ceiling: Outcome | None = None
    needs: dict[str, list[str]] = field(default_factory=dict)
    may_not_apply: bool = False
    # facts the rule reads on which reputable sources disagree: each value with its citation and the outcome it gives
    contested: list[dict[str, Any]] = field(default_factory=list)

    @property
    def bound(self) -> str:
        """The range in words, for an unknown: 'at least partial; met needs x.y'."""
        if self.status is not Outcome.UNKNOWN or self.floor is None:
            return ""
        if self.floor is self.ceiling:
            head = f"{self.floor} if it applies"
        elif self.floor is Outcome.GAP:
            head = f"gap at worst, {self.ceiling} at best"
        else:
            head = f"at least {self.floor}"
        lists = [p for p in self.needs.values() if p]
        if len(lists) > 1 and all(p == lists[0] for p in lists):
            needs = f"{', '.join(lists[0])} would decide it"
        else:
            needs = "; ".join(f"{o} needs {', '.join(p)}" for o, p in self.needs.items() if p)
        apply = "; it may not apply" if self.may_not_apply else ""
        return head + (f"; {needs}" if needs else "") + apply
    # below met: for each higher outcome, the smallest sets of {fact, value} that would give it (remedies.py);
    # None where not worked out (met findings, or a search too large)
    would_take: dict[str, list[list[dict[str, Any]]]] | None = None
    # a waiver in force that accepts this outcome (waivers.py): rule, agreement, outcome, justification, owner,
    # expires, location. The finding keeps its status and is still listed; it only stops counting for --fail-on
    waiver: dict[str, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        """The fields, without the shape a finding made in this process may carry (SHAPE): it means nothing to
        another process, nor to a finding read back from the cache."""
        state = self.__dict__
        return {k: v for k, v in state.items() if k != SHAPE} if SHAPE in state else state


# Not a field: findings.finding puts under this name the kept shape it copied the finding from, whose fields but the
# location are the finding's. A reporter may key a finding's text by it (json_report). dataclasses.replace,
# copies and pickles make findings without it.
SHAPE = "_shape"


def made(fields: dict[str, Any]) -> Finding:
    """A Finding from a dict of every one of its fields, as Finding(**fields) makes it, without the frozen
    dataclass's __init__ (which sets each of its 21 fields through object.__setattr__: 2.5 us a finding against 1.0)
    and without a keyword call (which builds the dict twice: 1.7 us against 0.95). The dict becomes the finding's
    own; the result is as frozen. tests/test_reports.py checks it equals Finding(**fields)."""
    finding = object.__new__(Finding)
    object.__setattr__(finding, "__dict__", fields)
    return finding


@dataclass(frozen=True)
class AgreementReport:
    """One agreement's findings, counts and standing."""

    id: str
    title: str
    kind: str
    signed: str | None
    parties: list[str]
    file: str
    summary: dict[str, int]
    findings: list[Finding]
    status: str = "signed"  # draft, reported, signed, in-force, superseded, expired, terminated
    entry_into_force: str | None = None
    ends: str | None = None

    @property
    def provisional(self) -> bool:
        """A draft or reported document: reports label its terms as such, never mixing them with signed texts."""
        return self.status in ("draft", "reported")

    @property
    def standing(self) -> str:
        """The document's status in words, for every format's heading: loud where the terms are not a signed text."""
        if self.provisional:
            return f"{self.status.upper()}: terms {'of a draft' if self.status == 'draft' else 'as reported'}, not a signed text"
        words = {"in-force": "in force", "signed": ""}.get(self.status, self.status)  # 'signed <date>' is said already
        since = f" from {self.entry_into_force}" if self.status == "in-force" and self.entry_into_force else ""
        until = f"ends {self.ends}" if self.ends else ""
        return ", ".join(w for w in (words + since, until) if w)


@dataclass(frozen=True)
class Rendered:
    """An agreement a --jobs worker has already rendered: what the report counts, and its text. Sending text
    back instead of findings takes pickling and rendering off the main process, the serial part of a run."""

    id: str
    file: str
    summary: dict[str, int]
    text: str


@dataclass(frozen=True)
class Failed:
    """A fact file that could not be loaded: its located errors. The run goes on with the next file."""

    file: str
    diagnostics: list[Diagnostic]


@dataclass(frozen=True)
class Header:
    """What a report states before any agreement: the tool, the packs and their rules."""

    tool: dict[str, str]
    packs: list[dict[str, Any]]
    rules: list[Any]  # obcheck.rules.Rule, sorted by (pack, id)


@dataclass
class Summary:
    """Counts over what has been reported so far, and the files that failed."""

    counts: dict[str, int] = field(default_factory=lambda: tally(()))
    agreements: int = 0
    errors: list[Diagnostic] = field(default_factory=list)
    waived: dict[str, int] = field(default_factory=lambda: tally(()))  # of counts, the findings a waiver accepts
    waiver_notes: list[Diagnostic] = field(default_factory=list)  # waivers that expired or match nothing
    expired_waivers: int = 0

    def add(self, item: AgreementReport | Rendered) -> None:
        self.agreements += 1
        for outcome, n in item.summary.items():
            self.counts[outcome] += n
        if isinstance(item, AgreementReport):
            for f in item.findings:
                if f.waiver is not None:
                    self.waived[f.status] += 1

    @property
    def has_waivers(self) -> bool:
        """Whether waivers were in play: reports then show them (and leave them out otherwise, unchanged)."""
        return bool(self.waiver_notes) or any(self.waived.values())

    @property
    def failed_files(self) -> list[str]:
        return sorted({d.path for d in self.errors})

    def fails(self, fail_on: str) -> bool:
        """True when a finding at or above `fail_on` was reported and not waived, or a waiver has expired
        (the exit code 1 of --fail-on; --fail-on never never fails)."""
        outcomes = FAIL_ON[fail_on]
        return any(self.counts[o] - self.waived[o] for o in outcomes) or bool(outcomes and self.expired_waivers)


@dataclass(frozen=True)
class Report:
    """A finished run held in memory: what the library API returns and what whole-page renderers read."""

    header: Header
    agreements: list[AgreementReport]
    summary: Summary

    @property
    def packs(self) -> list[dict[str, Any]]:
        return self.header.packs

    @property
    def tool(self) -> dict[str, str]:
        return self.header.tool

    @property
    def errors(self) -> list[Diagnostic]:
        return self.summary.errors

    def agreement(self, agreement_id: str) -> AgreementReport:
        return next(a for a in self.agreements if a.id == agreement_id)

    def finding(self, agreement_id: str, rule: str) -> Finding:
        """A finding by agreement id and rule id (or pack/rule)."""
        return next(f for f in self.agreement(agreement_id).findings if rule in (f.rule, f"{f.pack}/{f.rule}"))
