"""CSV reporter: one row per finding, stable columns, for spreadsheets; a row per error of a file that failed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from obcheck.model import AgreementReport, Header, Rendered, Summary
from obcheck.reporters.safe import csv_cell
from obcheck.waivers import describe_waiver

COLUMNS = (
    "agreement", "agreement_title", "pack", "rule", "title", "tier", "severity", "status",
    "message", "missing", "location", "criterion_evidence", "criterion_url", "floor", "ceiling", "bound", "agreement_status", "waiver",
)


def _rows(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue()


class Reporter:
    def __init__(self, **_: Any) -> None:
        pass

    def begin(self, header: Header) -> str:
        provisional = header.tool.get("provisional")
        # a provisional report says so in its first row, where a spreadsheet reader starts
        banner = [("", "", "", "", "", "", "", "provisional", f"Provisional report: {provisional}.", "", "", "", "", "")] if provisional else []
        return _rows([COLUMNS, *banner])

    def agreement(self, item: AgreementReport | Rendered) -> str:
        assert isinstance(item, AgreementReport)
        return _rows(
            (item.id, item.title, f.pack, f.rule, f.title, f.tier or "", f.severity, f.status, f.message,
             " ".join(f.missing), f.location, f.criterion["evidence_level"], f.criterion["url"],
             f.floor or "", f.ceiling or "", f.bound, item.status, describe_waiver(f.waiver) if f.waiver else "")
            for f in item.findings
        )

    def end(self, summary: Summary) -> str:
        # a file that failed: status 'error', its message and position, so a spreadsheet shows what is missing
        blank = ("",) * 6  # criterion_evidence .. waiver
        errors = [("", "", "", "", "", "", "", "error", d.message, "", f"{d.path}:{d.line}:{d.col}", *blank) for d in summary.errors]
        # waivers that expired or match nothing: status 'waiver', so a spreadsheet filter finds them
        notes = [("", "", "", "", "", "", "", "waiver", d.message, "", f"{d.path}:{d.line}:{d.col}", *blank) for d in summary.waiver_notes]
        return _rows(errors + notes)
