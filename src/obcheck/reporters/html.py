"""HTML reporter: one self-contained page, the matrix as a heatmap linked to every finding, with filters (jinja2, autoescaped)."""

from __future__ import annotations

import base64
import hashlib
from importlib import resources

from obcheck.model import Outcome, Report
from obcheck.ranking import scores
from obcheck.reporters import WholeReport
from obcheck.reporters.matrix import CELLS, SYMBOL, build, cell
from obcheck.rules import show_value

# Cards in reading order: what falls short first, what is met last.
CARD_ORDER = {Outcome.GAP: 0, Outcome.PARTIAL: 1, Outcome.UNKNOWN: 2, Outcome.MET: 3, Outcome.NOT_APPLICABLE: 4}


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        return render(report, self.options.get("sort", "id"))


def _spans(labels: list[str]) -> list[tuple[str, int]]:
    spans: list[tuple[str, int]] = []
    for label in labels:
        if spans and spans[-1][0] == label:
            spans[-1] = (label, spans[-1][1] + 1)
        else:
            spans.append((label, 1))
    return spans


def render(report: Report, sort: str = "id") -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("obcheck.reporters", "."),
        autoescape=select_autoescape(default=True, default_for_string=True),  # every string from rules or facts is data
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    script = resources.files("obcheck.reporters").joinpath("report.js").read_text(encoding="utf-8")
    # the page's policy admits this one script by its hash: no other script can run, whatever the data holds
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    matrix = build(report, sort)
    ordered = {a.id: sorted(a.findings, key=lambda f: (f.pack, CARD_ORDER[f.status], f.rule)) for a in report.agreements}
    met_by: dict[str, list[str]] = {}  # precedents: a shortfall's card links to the documents that meet the criterion
    for a in report.agreements:
        for f in a.findings:
            if f.status == "met":
                met_by.setdefault(f"{f.pack}/{f.rule}", []).append(a.id)
    return env.get_template("report.html.j2").render(
        report=report, matrix=matrix, tiers=_spans([c.tier for c in matrix.columns]), pack_spans=_spans([c.pack for c in matrix.columns]),
        tier_names=sorted({c.tier for c in matrix.columns if c.tier}), symbol=SYMBOL, cells=CELLS, cell=cell, show=show_value,
        ordered=ordered, pack_scores={a.id: scores(a) for a in report.agreements}, met_by=met_by,
        script=script, script_hash=f"sha256-{digest}",
    )
