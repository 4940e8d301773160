"""The agreement x criterion matrix (pure): rows, tier-grouped columns, counts; rendered for terminal, CSV, Markdown, JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from obcheck.model import OUTCOMES, Report

SYMBOL = {"met": "●", "partial": "◐", "gap": "✗", "unknown": "?", "not_applicable": "–"}
STYLE = {"met": "green", "partial": "yellow", "gap": "bold red", "unknown": "blue", "not_applicable": "dim"}


@dataclass(frozen=True)
class Column:
    key: str  # pack/rule
    rule: str
    title: str
    tier: str


@dataclass(frozen=True)
class Matrix:
    columns: list[Column]
    rows: list[tuple[str, str]]  # (agreement id, title)
    cells: dict[tuple[str, str], str]  # (agreement id, column key) -> status
    row_counts: dict[str, dict[str, int]]
    column_counts: dict[str, dict[str, int]]


def build(report: Report, sort: str = "id") -> Matrix:
    """Columns grouped by tier in pack order; rows by id, or by most gaps first with sort='gaps'."""
    columns: dict[str, Column] = {}
    cells: dict[tuple[str, str], str] = {}
    for a in report.agreements:
        for f in a.findings:
            key = f"{f.pack}/{f.rule}"
            columns.setdefault(key, Column(key, f.rule, f.title, f.tier or ""))
            cells[(a.id, key)] = f.status
    tiers: list[str] = []
    for c in columns.values():
        if c.tier not in tiers:
            tiers.append(c.tier)
    ordered = sorted(columns.values(), key=lambda c: (tiers.index(c.tier), c.key))
    row_counts = {a.id: dict(a.summary) for a in report.agreements}
    rows = [(a.id, a.title) for a in report.agreements]
    if sort == "gaps":
        rows.sort(key=lambda r: (-row_counts[r[0]]["gap"], -row_counts[r[0]]["partial"], r[0]))
    column_counts: dict[str, dict[str, int]] = {c.key: dict.fromkeys(map(str, OUTCOMES), 0) for c in ordered}
    for (_, key), status in cells.items():
        column_counts[key][status] += 1
    return Matrix(ordered, rows, cells, row_counts, column_counts)


def render_terminal(m: Matrix, width: int, color: bool) -> str:
    """A rich table: numbered criteria columns (legend below) so 36 columns fit; narrow terminals get one
    line per agreement listing its gaps instead."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=width, color_system="standard" if color else None, force_terminal=color, record=True, file=io.StringIO())
    if width < 20 + 2 * len(m.columns):
        for agreement, _ in m.rows:
            gaps = [c.rule for c in m.columns if m.cells.get((agreement, c.key)) == "gap"]
            console.print(f"{agreement}: {counts(m.row_counts[agreement])}" + (f"; gaps: {', '.join(gaps)}" if gaps else ""))
        return console.export_text(styles=color)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, padding=(0, 0))
    label = "gaps per criterion"
    table.add_column("agreement", no_wrap=True, min_width=max([len(label), *(len(a) for a, _ in m.rows)]) + 1)
    for i, _ in enumerate(m.columns, 1):
        table.add_column(str(i % 10), justify="center", width=2)
    table.add_column(" gap", justify="right")
    table.add_column(" part", justify="right")
    table.add_column(" unk", justify="right")
    for agreement, _ in m.rows:
        cells = []
        for c in m.columns:
            status = m.cells.get((agreement, c.key), "unknown")
            cells.append(f"[{STYLE[status]}]{SYMBOL[status]}[/]")
        rc = m.row_counts[agreement]
        table.add_row(agreement, *cells, str(rc["gap"]), str(rc["partial"]), str(rc["unknown"]))
    table.add_row(label, *[str(m.column_counts[c.key]["gap"]) for c in m.columns], "", "", "")
    console.print(table)
    console.print("  ".join(f"[{STYLE[o]}]{SYMBOL[o]}[/] {o}" for o in OUTCOMES))
    tier = None
    for i, c in enumerate(m.columns, 1):
        if c.tier != tier:
            tier = c.tier
            console.print(f"[bold]{tier}[/]")
        console.print(f"  {i:>2} {c.rule}")
    return console.export_text(styles=color)


def counts(summary: dict[str, int]) -> str:
    return ", ".join(f"{summary[o]} {o}" for o in OUTCOMES)


def render_csv(m: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["agreement", *[c.key for c in m.columns], *OUTCOMES])
    for agreement, _ in m.rows:
        writer.writerow([agreement, *[m.cells.get((agreement, c.key), "") for c in m.columns], *[m.row_counts[agreement][o] for o in OUTCOMES]])
    return out.getvalue()


def render_markdown(m: Matrix) -> str:
    lines = ["| agreement | " + " | ".join(f"{i}" for i, _ in enumerate(m.columns, 1)) + " | gaps |",
             "|---|" + ":-:|" * len(m.columns) + "--:|"]
    for agreement, _ in m.rows:
        cells = " | ".join(SYMBOL[m.cells.get((agreement, c.key), "unknown")] for c in m.columns)
        lines.append(f"| {agreement} | {cells} | {m.row_counts[agreement]['gap']} |")
    lines += ["", "Legend: " + ", ".join(f"{SYMBOL[o]} {o}" for o in OUTCOMES), ""]
    lines += [f"{i}. `{c.rule}` ({c.tier}): {c.title}" for i, c in enumerate(m.columns, 1)]
    return "\n".join(lines) + "\n"


def render_json(m: Matrix) -> str:
    data = {
        "columns": [{"key": c.key, "rule": c.rule, "title": c.title, "tier": c.tier, "counts": m.column_counts[c.key]} for c in m.columns],
        "rows": [{"agreement": a, "title": t, "counts": m.row_counts[a], "cells": {c.key: m.cells.get((a, c.key)) for c in m.columns}} for a, t in m.rows],
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
