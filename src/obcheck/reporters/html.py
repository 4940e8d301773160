"""HTML reporter: one self-contained page, the matrix as a heatmap linked to every finding's detail (jinja2, autoescaped)."""

from __future__ import annotations

from obcheck.model import Report
from obcheck.reporters import WholeReport
from obcheck.reporters.matrix import SYMBOL, build
from obcheck.rules import show_value


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        return render(report, self.options.get("sort", "id"))


def render(report: Report, sort: str = "id") -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("obcheck.reporters", "."),
        autoescape=select_autoescape(default=True, default_for_string=True),  # every string from rules or facts is data
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    matrix = build(report, sort)
    tiers: list[tuple[str, int]] = []
    for column in matrix.columns:
        if tiers and tiers[-1][0] == column.tier:
            tiers[-1] = (column.tier, tiers[-1][1] + 1)
        else:
            tiers.append((column.tier, 1))
    findings = {(a.id, f"{f.pack}/{f.rule}"): f for a in report.agreements for f in a.findings}
    met_by: dict[str, list[str]] = {}  # precedents: a shortfall's card links to the documents that meet the criterion
    for (agreement, key), f in findings.items():
        if f.status == "met":
            met_by.setdefault(key, []).append(agreement)
    return env.get_template("report.html.j2").render(
        report=report, matrix=matrix, tiers=tiers, symbol=SYMBOL, findings=findings, show=show_value, met_by=met_by,
    )
