"""Waivers: load waivers.yaml, mark the findings a person has accepted, and report the waivers that expired or match nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from obcheck.errors import Diagnostic, InputError
from obcheck.fact_types import date_problem
from obcheck.model import AgreementReport
from obcheck.source import Document

if TYPE_CHECKING:  # the file models are imported when a waivers file is read: reports that show waivers need no pydantic
    from obcheck.file_models import WaiverEntry


@dataclass(frozen=True)
class Waiver:
    entry: WaiverEntry
    file: str
    line: int
    col: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def data(self) -> dict[str, Any]:
        """What a report shows beside a waived finding."""
        return {**self.entry.model_dump(), "location": self.where}

    def matches(self, agreement: str, pack: str, rule: str, status: str) -> bool:
        return (
            status == self.entry.outcome and fnmatch.fnmatchcase(agreement, self.entry.agreement)
            and (fnmatch.fnmatchcase(rule, self.entry.rule) or fnmatch.fnmatchcase(f"{pack}/{rule}", self.entry.rule))
        )


@dataclass
class Waivers:
    """The waivers of a run: those in force waive matching findings; expired ones waive nothing and are reported,
    as are those in force that matched no finding."""

    active: list[Waiver]
    expired: list[Waiver]
    today: dt.date
    used: set[int] = field(default_factory=set)
    expired_hits: dict[int, list[str]] = field(default_factory=dict)

    def apply(self, report: AgreementReport) -> AgreementReport:
        """The agreement with each finding an active waiver accepts marked as waived (never removed)."""
        findings = []
        for f in report.findings:
            for i, w in enumerate(self.expired):
                if w.matches(report.id, f.pack, f.rule, f.status):
                    self.expired_hits.setdefault(i, []).append(f"{report.id}/{f.rule}")
            hit = next((i for i, w in enumerate(self.active) if w.matches(report.id, f.pack, f.rule, f.status)), None)
            if hit is None:
                findings.append(f)
                continue
            self.used.add(hit)
            findings.append(dataclasses.replace(f, waiver=self.active[hit].data()))
        return dataclasses.replace(report, findings=findings)

    def stream(self, items: Iterator[Any]) -> Iterator[Any]:
        for item in items:
            yield self.apply(item) if isinstance(item, AgreementReport) else item

    def notes(self) -> list[Diagnostic]:
        """Expired waivers (with the findings they would have waived) and waivers in force that matched nothing."""
        out = []
        for i, w in enumerate(self.expired):
            hits = self.expired_hits.get(i, [])
            what = f"; it no longer waives {', '.join(hits[:5])}{' ...' if len(hits) > 5 else ''}" if hits else ""
            out.append(Diagnostic(w.file, w.line, w.col, f"waiver expired on {w.entry.expires} (owner {w.entry.owner}){what}: renew it or fix the findings"))
        for i, w in enumerate(self.active):
            if i not in self.used:
                out.append(Diagnostic(w.file, w.line, w.col, f"waiver matches no {w.entry.outcome} finding of rule '{w.entry.rule}' for agreement '{w.entry.agreement}': remove it or correct it"))
        return sorted(out)


def load_waivers(path: Path, today: dt.date | None = None) -> Waivers:
    """A waivers file, split into waivers in force and expired ones; bad entries are located errors."""
    from obcheck.file_models import WaiverFile
    from obcheck.validation import load_model

    doc, model = load_model(path, WaiverFile, "a waivers file")
    today = today or dt.date.today()
    active: list[Waiver] = []
    expired: list[Waiver] = []
    errors: list[Diagnostic] = []
    for i, entry in enumerate(model.waivers):
        if problem := date_problem(entry.expires):
            errors.append(doc.error(("waivers", i, "expires"), f"expires must be a date: {problem}"))
            continue
        for key in ("justification", "owner"):
            if not getattr(entry, key).strip():
                errors.append(doc.error(("waivers", i, key), f"a waiver needs a non-empty {key}"))
        waiver = _located(doc, i, entry)
        (expired if dt.date.fromisoformat(entry.expires) < today else active).append(waiver)
    if errors:
        raise InputError(errors)
    return Waivers(active, expired, today)


def _located(doc: Document, i: int, entry: WaiverEntry) -> Waiver:
    line, col = doc.position(("waivers", i))
    return Waiver(entry, doc.path, line, col)


def describe_waiver(waiver: dict[str, Any]) -> str:
    """A waiver in one line, as every format shows it beside the finding it accepts."""
    return (f"{waiver['outcome']} accepted by {waiver['owner']} until {waiver['expires']}: {waiver['justification']} "
            f"({waiver['location']})")
