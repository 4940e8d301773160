"""Markdown reporter: a summary table, then per agreement its gaps, partials and unknowns with citations."""

from __future__ import annotations

from obcheck.model import OUTCOMES, SHORTFALLS, Report
from obcheck.reporters import WholeReport
from obcheck.reporters.safe import code, link
from obcheck.reporters.safe import markdown as md
from obcheck.rules import show_value


def anchor(agreement_id: str) -> str:
    """The heading anchor a Markdown renderer gives `## id`: ids follow one pattern, so this is the id itself."""
    return "".join(c for c in agreement_id.lower() if c.isalnum() or c in "-_")


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        return render(report)


def render(report: Report) -> str:
    packs = ", ".join(f"{md(p['title'])} ({md(p['id'])} {md(p['version'])}, {p['rules']} rules)" for p in report.packs)
    lines = ["# obcheck gap report", "", f"Standard: {packs}.", ""]
    lines += ["| agreement | signed | " + " | ".join(OUTCOMES) + " |", "|---|---|" + "---:|" * len(OUTCOMES)]
    for a in report.agreements:
        counts = " | ".join(str(a.summary[o]) for o in OUTCOMES)
        lines.append(f"| [{md(a.id)}](#{anchor(a.id)}) {md(a.title)} | {md(a.signed or 'not signed')} | {counts} |")
    for a in report.agreements:
        signed = f", signed {md(a.signed)}" if a.signed else ""
        lines += ["", f"## {md(a.id)}", "", f"{md(a.title)} ({md(a.kind)}{signed}); facts: {code(a.file)}."]
        for status in SHORTFALLS:
            found = [f for f in a.findings if f.status == status]
            if not found:
                continue
            lines += ["", f"### {status} ({len(found)})", ""]
            for f in found:
                c = f.criterion
                secondary = ", rests on secondary sources" if c["secondary_only"] else ""
                lines.append(f"- **{md(f.title)}** ({code(f.rule)}, {md(f.severity)}): {md(f.message)}")
                if f.bound:
                    lines.append(f"  - unknown — {md(f.bound)}")
                elif f.missing:
                    lines.append(f"  - missing facts: {', '.join(code(m) for m in f.missing)}")
                for e in f.evidence:
                    clause = f", {md(e['clause'])}" if e.get("clause") else ""
                    source = link(e["source"]["title"], e["source"]["url"])
                    lines.append(f"  - {code(e['fact'])} = {md(show_value(e['value']))}: \"{md(e['quote'])}\" ({source}{clause}; {md(e['evidence_level'])})")
                lines.append(f"  - criterion: {md(c['section'])} ({link('source', c['url'])}; {md(c['evidence_level'])}{secondary})")
    if report.errors:
        lines += ["", "## Files not reported", "", f"{len(report.summary.failed_files)} file(s) could not be read:", ""]
        lines += [f"- {code(d)}" for d in report.errors]
    return "\n".join(lines) + "\n"
