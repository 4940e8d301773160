"""The agreement x criterion matrix (pure): rows, tier-grouped columns, counts; rendered for terminal, CSV, Markdown, JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from obcheck.model import OUTCOMES, Finding, Outcome, Report
from obcheck.ranking import Score, score

SYMBOL = {"met": "●", "partial": "◐", "gap": "✗", "unknown": "?", "not_applicable": "–", "at_least_partial": "◔"}
STYLE = {"met": "green", "partial": "yellow", "gap": "bold red", "unknown": "blue", "not_applicable": "dim", "at_least_partial": "cyan"}
CELLS = (*OUTCOMES, "at_least_partial")  # an unknown whose floor is partial shows what is known
SORTS = ("id", "gaps", "score")


@dataclass(frozen=True)
class Column:
    key: str  # pack/rule
    rule: str
    title: str
    tier: str
    pack: str


@dataclass(frozen=True)
class Matrix:
    columns: list[Column]
    rows: list[tuple[str, str]]  # (agreement id, title)
    cells: dict[tuple[str, str], str]  # (agreement id, column key) -> status, or at_least_partial
    row_counts: dict[str, dict[str, int]]
    column_counts: dict[str, dict[str, int]]
    scores: dict[str, Score]  # agreement id -> score over the columns shown

    @property
    def packs(self) -> list[str]:
        return sorted({c.pack for c in self.columns})


def cell(f: Finding) -> str:
    return "at_least_partial" if f.status is Outcome.UNKNOWN and f.floor is Outcome.PARTIAL else str(f.status)


def build(report: Report, sort: str = "id") -> Matrix:
    """Columns grouped by tier in pack order; rows by id, by most gaps first ('gaps'), or by score, best first
    ('score': the agreements closest to the standard; ties by best possible score, then id)."""
    columns: dict[str, Column] = {}
    cells: dict[tuple[str, str], str] = {}
    for a in report.agreements:
        for f in a.findings:
            key = f"{f.pack}/{f.rule}"
            columns.setdefault(key, Column(key, f.rule, f.title, f.tier or "", f.pack))
            cells[(a.id, key)] = cell(f)
    tiers: list[tuple[str, str]] = []
    for c in columns.values():
        if (c.pack, c.tier) not in tiers:
            tiers.append((c.pack, c.tier))
    ordered = sorted(columns.values(), key=lambda c: (c.pack, tiers.index((c.pack, c.tier)), c.key))
    row_counts = {a.id: dict(a.summary) for a in report.agreements}
    points = {a.id: score(a.findings) for a in report.agreements}
    rows = [(a.id, a.title) for a in report.agreements]
    if sort == "gaps":
        rows.sort(key=lambda r: (-row_counts[r[0]]["gap"], -row_counts[r[0]]["partial"], r[0]))
    elif sort == "score":
        rows.sort(key=lambda r: (-round(points[r[0]].score, 6), -round(points[r[0]].best, 6), r[0]))
    column_counts: dict[str, dict[str, int]] = {c.key: dict.fromkeys(map(str, OUTCOMES), 0) for c in ordered}
    for a in report.agreements:
        for f in a.findings:
            column_counts[f"{f.pack}/{f.rule}"][f.status] += 1
    return Matrix(ordered, rows, cells, row_counts, column_counts, points)


def render_terminal(m: Matrix, width: int, color: bool) -> str:
    """A rich table: numbered criteria columns (legend below, with each criterion's gap count) so 36 columns fit;
    terminals too narrow for the grid get one line per agreement: its score, counts and gaps."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=width, color_system="standard" if color else None, force_terminal=color, record=True,
                      file=io.StringIO(), emoji=False, highlight=False)
    name_width = max([9, *(len(a) for a, _ in m.rows)]) + 1
    stats = (("met", 4), ("gap", 4), ("score", 7), ("unk%", 5))  # partial and unknown counts: the cells show them
    if width < name_width + 2 * len(m.columns) + sum(w for _, w in stats):
        for agreement, _ in m.rows:
            s, rc = m.scores[agreement], m.row_counts[agreement]
            gaps = [c.rule for c in m.columns if m.cells.get((agreement, c.key)) == "gap"]
            console.print(escape(f"{agreement}: score {s} ({s.unknown:.0f}% unknown); {rc['met']} met, {rc['partial']} partial, "
                                 f"{rc['gap']} gap, {rc['unknown']} unknown") + (f"; gaps: {escape(', '.join(gaps))}" if gaps else ""),
                          soft_wrap=False, overflow="fold")
        return console.export_text(styles=color)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 0))
    table.add_column("agreement", no_wrap=True, min_width=name_width)
    for i, _ in enumerate(m.columns, 1):
        table.add_column(str(i % 10), justify="center", width=2)
    for name, w in stats:
        table.add_column(name, justify="right", width=w, no_wrap=True)
    for agreement, _ in m.rows:
        cells = []
        for c in m.columns:
            status = m.cells.get((agreement, c.key), "unknown")
            cells.append(f"[{STYLE[status]}]{SYMBOL[status]}[/]")
        rc, s = m.row_counts[agreement], m.scores[agreement]
        table.add_row(escape(agreement), *cells, str(rc["met"]), str(rc["gap"]), str(s), f"{s.unknown:.0f}")
    console.print(table)
    console.print("  ".join(f"[{STYLE[o]}]{SYMBOL[o]}[/] {o.replace('_', ' ')}" for o in CELLS))
    console.print("score: met 1, partial 1/2, weighted by severity; unknowns at their floor (..best at their ceiling); see docs/ranking.md")
    tier = None
    for i, c in enumerate(m.columns, 1):
        if (c.pack, c.tier) != tier:
            tier = (c.pack, c.tier)
            console.print(f"[bold]{escape(c.pack)}: {escape(c.tier)}[/]")
        console.print(f"  {i:>2} {escape(c.rule)} ({m.column_counts[c.key]['gap']} gaps)")
    return console.export_text(styles=color)


def counts(summary: dict[str, int]) -> str:
    return ", ".join(f"{summary[o]} {o}" for o in OUTCOMES)


def _score_cells(m: Matrix, agreement: str) -> list[object]:
    s = m.scores[agreement]
    return [round(s.score, 1), round(s.best, 1), round(s.unknown, 1)]


def render_csv(m: Matrix) -> str:
    from obcheck.reporters.safe import csv_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["agreement", *[c.key for c in m.columns], *OUTCOMES, "score", "best", "unknown_share"])
    for agreement, _ in m.rows:
        writer.writerow([csv_cell(agreement), *[m.cells.get((agreement, c.key), "") for c in m.columns],
                         *[m.row_counts[agreement][o] for o in OUTCOMES], *_score_cells(m, agreement)])
    return out.getvalue()


def render_markdown(m: Matrix) -> str:
    from obcheck.reporters.safe import code, markdown

    lines = ["| agreement | " + " | ".join(f"{i}" for i, _ in enumerate(m.columns, 1)) + " | met | gaps | score | unknown |",
             "|---|" + ":-:|" * len(m.columns) + "--:|--:|--:|--:|"]
    for agreement, _ in m.rows:
        cells = " | ".join(SYMBOL[m.cells.get((agreement, c.key), "unknown")] for c in m.columns)
        s, rc = m.scores[agreement], m.row_counts[agreement]
        lines.append(f"| {markdown(agreement)} | {cells} | {rc['met']} | {rc['gap']} | {s} | {s.unknown:.0f}% |")
    lines += ["", "Legend: " + ", ".join(f"{SYMBOL[o]} {o.replace('_', ' ')}" for o in CELLS) + ". Score: see docs/ranking.md.", ""]
    lines += [f"{i}. {code(c.key)} ({markdown(c.tier)}): {markdown(c.title)}" for i, c in enumerate(m.columns, 1)]
    return "\n".join(lines) + "\n"


def render_json(m: Matrix) -> str:
    data = {
        "columns": [{"key": c.key, "pack": c.pack, "rule": c.rule, "title": c.title, "tier": c.tier, "counts": m.column_counts[c.key]} for c in m.columns],
        "rows": [{"agreement": a, "title": t, "counts": m.row_counts[a], "cells": {c.key: m.cells.get((a, c.key)) for c in m.columns},
                  "score": dict(zip(("score", "best", "unknown_share"), _score_cells(m, a), strict=True))} for a, t in m.rows],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


MATRIX_FORMATS = ("terminal", "csv", "markdown", "json", "html")


def render_matrix(fmt: str, report: Report, sort: str = "id", width: int = 120, color: bool = False) -> str:
    """The matrix in one of MATRIX_FORMATS (html is the whole report page, sorted the same way)."""
    if fmt == "html":
        from obcheck.reporters.html import render

        return render(report, sort)
    m = build(report, sort)
    if fmt == "terminal":
        return render_terminal(m, width, color)
    return {"csv": render_csv, "markdown": render_markdown, "json": render_json}[fmt](m)
