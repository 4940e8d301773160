"""CSV reporter: one row per finding, stable columns, for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from obcheck.checker import Report

COLUMNS = (
    "agreement", "agreement_title", "pack", "rule", "title", "tier", "severity", "status",
    "message", "missing", "location", "criterion_evidence", "criterion_url",
)


def chunks(report: Report) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for a in report.stream():
        for f in a.findings:
            writer.writerow((
                a.id, a.title, f.pack, f.rule, f.title, f.tier or "", f.severity, f.status, f.message,
                " ".join(f.missing), f.location, f.criterion["evidence_level"], f.criterion["url"],
            ))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def render(report: Report) -> str:
    return "".join(chunks(report))
