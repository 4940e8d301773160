"""GitHub Actions reporter: a workflow command per finding short of met, annotated at the fact file's line."""

from __future__ import annotations

from typing import Any

from obcheck.model import AgreementReport, Finding, Header, Outcome, Rendered, Summary
from obcheck.reporters.sarif import SEVERITY_LEVEL
from obcheck.waivers import describe_waiver

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    """A workflow command's message: GitHub's escapes, so a value cannot end the command or start another."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def level(f: Finding) -> str:
    """A gap carries the rule's severity, a partial at most a warning, an unknown is a notice (research to do)."""
    if f.status is Outcome.GAP:
        return LEVEL[SEVERITY_LEVEL[f.severity]]
    return "warning" if f.status is Outcome.PARTIAL else "notice"


class Reporter:
    def __init__(self, **_: Any) -> None:
        pass

    def begin(self, header: Header) -> str:
        provisional = header.tool.get("provisional")
        return f"::warning title=obcheck provisional report::{_data(provisional)}\n" if provisional else ""

    def agreement(self, item: AgreementReport | Rendered) -> str:
        assert isinstance(item, AgreementReport)
        lines = []
        for f in item.findings:
            if f.status not in (Outcome.GAP, Outcome.PARTIAL, Outcome.UNKNOWN):
                continue
            path, _, line = f.location.rpartition(":")
            bound = f" ({f.bound})" if f.bound else ""
            title = _property(f"{item.id}{' (' + item.status + ')' if item.provisional else ''}: {f.pack}/{f.rule} {f.status}")
            waived = f" (waived: {describe_waiver(f.waiver)})" if f.waiver else ""
            kind = "notice" if f.waiver else level(f)  # accepted: shown, never an error
            lines.append(f"::{kind} file={_property(path)},line={line},title={title}::{_data(f'{f.status}{bound}{waived}: {f.message}')}")
        return "".join(line + "\n" for line in lines)

    def end(self, summary: Summary) -> str:
        lines = [f"::error file={_property(d.path)},line={d.line},col={d.col},title=obcheck input::{_data(d.message)}" for d in summary.errors]
        lines += [f"::warning file={_property(d.path)},line={d.line},col={d.col},title=obcheck waiver::{_data(d.message)}" for d in summary.waiver_notes]
        counts = ", ".join(f"{n} {o}" for o, n in summary.counts.items())
        lines.append(f"obcheck: {summary.agreements} agreements: {counts}")
        return "\n".join(lines) + "\n"
