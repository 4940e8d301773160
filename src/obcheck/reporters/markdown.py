"""Markdown reporter: a summary table, then per agreement its gaps, partials and unknowns with citations."""

from __future__ import annotations

from obcheck.model import OUTCOMES, SHORTFALLS, Report
from obcheck.remedies import describe_changes
from obcheck.reporters import WholeReport
from obcheck.rules import show_value
from obcheck.waivers import describe_waiver


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        return render(report)


def render(report: Report) -> str:
    packs = ", ".join(f"{p['title']} ({p['id']} {p['version']}, {p['rules']} rules)" for p in report.packs)
    lines = ["# obcheck gap report", "", f"Standard: {packs}.", ""]
    if report.tool.get("provisional"):
        lines[0] += " (provisional)"
        lines += [f"**Provisional:** this report {report.tool['provisional']}.", ""]
    lines += ["| agreement | signed | " + " | ".join(OUTCOMES) + " |", "|---|---|" + "---:|" * len(OUTCOMES)]
    for a in report.agreements:
        counts = " | ".join(str(a.summary[o]) for o in OUTCOMES)
        lines.append(f"| [{_cell(a.id)}](#{a.id}) {_cell(a.title)} | {a.signed or 'not signed'} | {counts} |")
    for a in report.agreements:
        lines += ["", f"## {a.id}", "", f"{_cell(a.title)} ({a.kind}{', signed ' + a.signed if a.signed else ''}); facts: `{a.file}`."]
        for status in SHORTFALLS:
            found = [f for f in a.findings if f.status == status]
            if not found:
                continue
            lines += ["", f"### {status} ({len(found)})", ""]
            for f in found:
                c = f.criterion
                secondary = ", rests on secondary sources" if c["secondary_only"] else ""
                waived = " **waived**" if f.waiver else ""
                lines.append(f"- **{f.title}** (`{f.rule}`, {f.severity}){waived}: {_cell(f.message)}")
                if f.waiver:
                    lines.append(f"  - waived: {_cell(describe_waiver(f.waiver))}")
                if f.missing:
                    lines.append(f"  - missing facts: {', '.join(f'`{m}`' for m in f.missing)}")
                for e in f.evidence:
                    clause = f", {e['clause']}" if e.get("clause") else ""
                    lines.append(f"  - `{e['fact']}` = {_cell(show_value(e['value']))}: \"{_cell(e['quote'])}\" ([{_cell(e['source']['title'])}]({e['source']['url']}){clause}; {e['evidence_level']})")
                lines.append(f"  - criterion: {_cell(c['section'])} ([source]({c['url']}); {c['evidence_level']}{secondary})")
                for target, sets in (f.would_take or {}).items():  # what the draft would have to say (remedies.py)
                    more = f" (or one of {len(sets) - 1} other sets of that size)" if len(sets) > 1 else ""
                    lines.append(f"  - would take for {target}: {_cell(describe_changes(sets[0], f.actual))}{more}")
    if report.summary.has_waivers:
        lines += ["", "## Waivers", "", f"{sum(report.summary.waived.values())} finding(s) waived (listed above, marked **waived**)."]
        if report.summary.waiver_notes:
            lines += ["", "To look at:", ""] + [f"- `{_cell(d)}`" for d in report.summary.waiver_notes]
    if report.errors:
        lines += ["", "## Files not reported", "", f"{len(report.summary.failed_files)} file(s) could not be read:", ""]
        lines += [f"- `{_cell(d)}`" for d in report.errors]
    return "\n".join(lines) + "\n"
