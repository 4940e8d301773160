"""Plain-text reporter: one block per agreement, its counts, then each non-met finding with its location."""

from __future__ import annotations

from collections.abc import Iterator

from obcheck.checker import Report
from obcheck.rules import OUTCOMES

SHOWN = ("gap", "partial", "unknown")  # met and not_applicable are counted, not listed


def chunks(report: Report) -> Iterator[str]:
    n = 0
    for agreement in report.stream():
        n += 1
        signed = f", signed {agreement.signed}" if agreement.signed else ""
        lines = [f"{agreement.id}: {agreement.title} ({agreement.kind}{signed})", "  " + counts(agreement.summary)]
        for status in SHOWN:
            for f in agreement.findings:
                if f.status != status:
                    continue
                lines.append(f"  {status.upper():<8} {f.rule} [{f.severity}] {f.location}")
                lines.append(f"           {f.message}")
                if f.missing:
                    lines.append(f"           missing: {', '.join(f.missing)}")
        yield "\n".join(lines) + "\n\n"
    packs = ", ".join(f"{p['id']} {p['version']} ({p['rules']} rules)" for p in report.packs)
    yield f"{n} agreements against {packs}: {counts(report.summary)}\n"


def render(report: Report) -> str:
    return "".join(chunks(report))


def counts(summary: dict[str, int]) -> str:
    return ", ".join(f"{summary.get(o, 0)} {o}" for o in OUTCOMES)
