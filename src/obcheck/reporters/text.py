"""Plain-text reporter: per agreement a summary per pack first, then its findings at the chosen level of detail."""

from __future__ import annotations

from typing import Any

from obcheck.model import OUTCOMES, SHORTFALLS, AgreementReport, Finding, Header, Rendered, Summary
from obcheck.ranking import scores
from obcheck.reporters.safe import visible
from obcheck.rules import show_value
from obcheck.waivers import describe_waiver

COLOURS = {"gap": "\x1b[1;31m", "partial": "\x1b[33m", "unknown": "\x1b[34m"}
# The default report lists every gap and the critical partials and unknowns; -v lists every finding.
def _listed_by_default(f: Finding) -> bool:
    return f.status == "gap" or f.severity == "critical"


class Reporter:
    def __init__(self, detail: str = "default", color: bool = False, **_: Any) -> None:  # detail: summary (-q), default, verbose (-v)
        self.detail, self.color = detail, color
        self.packs = ""

    def begin(self, header: Header) -> str:
        self.packs = visible(", ".join(f"{p['id']} {p['version']} ({p['rules']} rules)" for p in header.packs))
        provisional = header.tool.get("provisional")
        return f"PROVISIONAL REPORT: {provisional}.\n\n" if provisional else ""

    def agreement(self, item: AgreementReport | Rendered) -> str:
        assert isinstance(item, AgreementReport)
        signed = f", signed {item.signed}" if item.signed else ""
        standing = f"; {item.standing}" if item.standing else ""
        lines = [visible(f"{item.id}: {item.title} ({item.kind}{signed}{standing})")]
        points = scores(item)
        for pack, s in points.items():
            found = [f for f in item.findings if f.pack == pack]
            counts_ = {str(o): sum(1 for f in found if f.status == o) for o in OUTCOMES}
            lines.append(f"  {visible(pack)}: score {s} ({s.unknown:.0f}% unknown) · {counts(counts_)}")
            if self.detail == "summary":
                continue
            listed = [f for status in SHORTFALLS for f in found if f.status == status
                      and (self.detail == "verbose" or _listed_by_default(f))]
            for f in listed:
                lines += self.finding(f)
            hidden = sum(1 for f in found if f.status in SHORTFALLS) - len(listed)
            if hidden:
                lines.append(f"    … {hidden} more partial or unknown below critical severity (-v lists every finding)")
        return "\n".join(lines) + "\n\n"

    def finding(self, f: Finding) -> list[str]:
        word = f"{f.status.upper():<8}"
        if self.color:
            word = f"{COLOURS.get(f.status, '')}{word}\x1b[0m"
        waived = " (waived)" if f.waiver else ""
        lines = [f"    {word} {visible(f.rule)} [{f.severity}] {visible(f.location)}{waived}"]
        if f.waiver:
            lines.append(visible(f"             waived: {describe_waiver(f.waiver)}"))
        if f.bound:
            lines.append(f"             unknown — {visible(f.bound)}")
        for c in f.contested:
            readings = " or ".join(f"{show_value(v['value'])} ({v['source']}, {v['reliability']}: {v['outcome']})" for v in c["values"])
            lines.append(visible(f"             contested: {c['fact']} is {readings}"))
        lines.append(f"             {visible(f.message)}")
        if f.missing and not f.bound:
            lines.append(f"             missing: {', '.join(f.missing)}")
        if self.detail == "verbose":
            for e in f.evidence:
                clause = f", {e['clause']}" if e.get("clause") else ""
                lines.append(visible(f"             {e['fact']} = {show_value(e['value'])}: \"{e['quote']}\" "
                                     f"({e['source']['title']}{clause}; {e['evidence_level']}, {e['source']['reliability']})"))
            c = f.criterion
            trust = f", {c['reliability']} source" if c.get("reliability") else ""
            lines.append(visible(f"             the criterion ({c['section']}; {c['evidence_level']}{trust}): \"{c['quote']}\""))
            if c["threshold"]["caveat"]:
                lines.append(visible(f"             caveat: the met threshold rests on {c['threshold']['level']} evidence: {c['threshold']['note']}"))
        return lines

    def end(self, summary: Summary) -> str:
        lines = []
        if summary.errors:
            lines.append(f"not reported: {len(summary.failed_files)} file(s) could not be read")
            lines += [f"  {visible(d)}" for d in summary.errors]
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
