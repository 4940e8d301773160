"""Plain-text reporter: one block per agreement, its counts, then each non-met finding with its location."""

from __future__ import annotations

from obcheck.model import OUTCOMES, SHORTFALLS, AgreementReport, Header, Rendered, Summary
from obcheck.waivers import describe_waiver


class Reporter:
    def __init__(self) -> None:
        self.packs = ""

    def begin(self, header: Header) -> str:
        self.packs = ", ".join(f"{p['id']} {p['version']} ({p['rules']} rules)" for p in header.packs)
        provisional = header.tool.get("provisional")
        return f"PROVISIONAL REPORT: {provisional}.\n\n" if provisional else ""

    def agreement(self, item: AgreementReport | Rendered) -> str:
        assert isinstance(item, AgreementReport)
        signed = f", signed {item.signed}" if item.signed else ""
        lines = [f"{item.id}: {item.title} ({item.kind}{signed})", "  " + counts(item.summary)]
        for status in SHORTFALLS:
            for f in item.findings:
                if f.status != status:
                    continue
                waived = " (waived)" if f.waiver else ""
                lines.append(f"  {status.upper():<8} {f.rule} [{f.severity}] {f.location}{waived}")
                lines.append(f"           {f.message}")
                if f.missing:
                    lines.append(f"           missing: {', '.join(f.missing)}")
                if f.waiver:
                    lines.append(f"           waived: {describe_waiver(f.waiver)}")
        return "\n".join(lines) + "\n\n"

    def end(self, summary: Summary) -> str:
        lines = []
        if summary.errors:
            lines.append(f"not reported: {len(summary.failed_files)} file(s) could not be read")
            lines += [f"  {d}" for d in summary.errors]
            lines.append("")
        if summary.waiver_notes:
            lines.append("waivers to look at:")
            lines += [f"  {d}" for d in summary.waiver_notes]
            lines.append("")
        failed = f"; {len(summary.failed_files)} file(s) failed" if summary.errors else ""
        waived = f"; {sum(summary.waived.values())} waived" if summary.has_waivers else ""
        lines.append(f"{summary.agreements} agreements against {self.packs}: {counts(summary.counts)}{waived}{failed}")
        return "\n".join(lines) + "\n"


def counts(summary: dict[str, int]) -> str:
    return ", ".join(f"{summary.get(o, 0)} {o}" for o in OUTCOMES)
