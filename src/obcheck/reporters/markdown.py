"""Markdown reporter: a memo per agreement and standard: its score, what it meets, its gaps and what would close them."""

from __future__ import annotations

from obcheck.model import OUTCOMES, SHORTFALLS, Finding, Outcome, Report
from obcheck.ranking import score
from obcheck.remedies import describe_changes
from obcheck.reporters import WholeReport
from obcheck.reporters.safe import code, link
from obcheck.reporters.safe import markdown as md
from obcheck.rules import show_value
from obcheck.waivers import describe_waiver


def anchor(agreement_id: str) -> str:
    """The heading anchor a Markdown renderer gives `## id`: ids follow one pattern, so this is the id itself."""
    return "".join(c for c in agreement_id.lower() if c.isalnum() or c in "-_")


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        return render(report)


def _finding(f: Finding) -> list[str]:
    c = f.criterion
    secondary = ", rests on secondary sources" if c["secondary_only"] else ""
    waived = " **waived**" if f.waiver else ""
    lines = [f"- **{md(f.title)}** ({code(f.rule)}, {md(f.severity)}){waived}: {md(f.message)}"]
    if f.waiver:
        lines.append(f"  - waived: {md(describe_waiver(f.waiver))}")
    if f.bound:
        lines.append(f"  - unknown — {md(f.bound)}")
    elif f.missing:
        lines.append(f"  - missing facts: {', '.join(code(m) for m in f.missing)}")
    for doubt in f.contested:  # not `c`: that is the criterion, read again below
        readings = " or ".join(f"{md(show_value(v['value']))} ({md(v['source'])}, {md(v['reliability'])}: {md(v['outcome'])})" for v in doubt["values"])
        lines.append(f"  - contested: {code(doubt['fact'])} is {readings}")
    if f.status is not Outcome.MET:
        lines.append(f"  - to close it: {md(f.remediation)}")
    for target, sets in (f.would_take or {}).items():  # what the draft would have to say (remedies.py)
        more = f" (or one of {len(sets) - 1} other sets of that size)" if len(sets) > 1 else ""
        lines.append(f"  - would take for {md(target)}: {md(describe_changes(sets[0], f.actual))}{more}")
    for e in f.evidence:
        clause = f", {md(e['clause'])}" if e.get("clause") else ""
        source = link(e["source"]["title"], e["source"]["url"])
        lines.append(f"  - {code(e['fact'])} = {md(show_value(e['value']))}: \"{md(e['quote'])}\" ({source}{clause}; {md(e['evidence_level'])}, {md(e['source']['reliability'])})")
    trust = f", {md(c['reliability'])} source" if c.get("reliability") else ""
    lines.append(f"  - criterion: {md(c['section'])} ({link('source', c['url'])}; {md(c['evidence_level'])}{trust}{secondary})")
    if c["threshold"]["caveat"]:
        lines.append(f"  - caveat: the met threshold rests on {md(c['threshold']['level'])} evidence: {md(c['threshold']['note'])}")
    return lines


def render(report: Report) -> str:
    lines = ["# obcheck gap report", ""]
    if report.tool.get("provisional"):
        lines[0] += " (provisional)"
        lines += [f"**Provisional:** this report {md(report.tool['provisional'])}.", ""]
    packs = [p["id"] for p in report.packs]
    for p in report.packs:
        lines += [f"## {md(p['title'])}", "", (f"{code(p['id'])} {md(p['version'])}, {p['rules']} rules. Score: met 1, partial ½, "
                  "weighted by severity; unknowns at their floor, the best case after `..`."), ""]
        lines += ["| agreement | signed | score | unknown share | " + " | ".join(o.replace("_", " ") for o in OUTCOMES) + " |",
                  "|---|---|---:|---:|" + "---:|" * len(OUTCOMES)]
        for a in report.agreements:
            found = [f for f in a.findings if f.pack == p["id"]]
            s = score(found)
            counts = " | ".join(str(sum(1 for f in found if f.status == o)) for o in OUTCOMES)
            label = f" **{md(a.status)}**" if a.provisional else ""
            lines.append(f"| [{md(a.id)}](#{anchor(a.id)}){label} {md(a.title)} | {md(a.signed or 'not signed')} | {s} | {s.unknown:.0f}% | {counts} |")
        lines.append("")
    for a in report.agreements:
        signed = f", signed {md(a.signed)}" if a.signed else ""
        lines += [f"## {md(a.id)}" + (f" ({md(a.status)})" if a.provisional else ""), "",
                  f"{md(a.title)} ({md(a.kind)}{signed}{'; ' + md(a.standing) if a.standing else ''}); facts: {code(a.file)}."]
        for pack in packs:
            found = [f for f in a.findings if f.pack == pack]
            if not found:
                continue
            s = score(found)
            met = [f for f in found if f.status is Outcome.MET]
            lines += ["", f"### {md(pack)}: score {s} ({s.unknown:.0f}% unknown)", ""]
            lines.append(f"Meets {len(met)} of {len(found)} criteria" + (f": {', '.join(md(f.title) for f in met)}." if met else "."))
            for status in SHORTFALLS:
                shown = [f for f in found if f.status == status]
                if shown:
                    lines += ["", f"#### {status} ({len(shown)})", ""]
                    for f in sorted(shown, key=lambda f: ("critical", "high", "medium", "low").index(f.severity)):
                        lines += _finding(f)
            if met:
                lines += ["", f"#### met ({len(met)})", ""]
                for f in met:
                    lines += _finding(f)
    if report.summary.has_waivers:
        lines += ["", "## Waivers", "", f"{sum(report.summary.waived.values())} finding(s) waived (listed above, marked **waived**)."]
        if report.summary.waiver_notes:
            lines += ["", "To look at:", ""] + [f"- {code(d)}" for d in report.summary.waiver_notes]
    if report.errors:
        lines += ["", "## Files not reported", "", f"{len(report.summary.failed_files)} file(s) could not be read:", ""]
        lines += [f"- {code(d)}" for d in report.errors]
    return "\n".join(lines) + "\n"
