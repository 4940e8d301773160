"""The timeline (pure): each document's dates and status, its supersession links, rendered for terminal, CSV, Markdown, JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass

from obcheck.facts import Agreement

COLUMNS = ("id", "status", "reported", "signed", "entry_into_force", "ends", "supersedes", "superseded_by", "title")


@dataclass(frozen=True)
class Life:
    id: str
    status: str
    reported: str | None
    signed: str | None
    entry_into_force: str | None
    ends: str | None  # stated, or derived from a fixed term
    supersedes: tuple[str, ...]
    superseded_by: tuple[str, ...]
    title: str


def timeline(agreements: list[Agreement]) -> list[Life]:
    """In order of first appearance (reported or signed), then id; the supersession links both ways."""
    by = {a.id: a for a in agreements}
    later: dict[str, list[str]] = {}
    for a in agreements:
        for old in a.supersedes:
            later.setdefault(old, []).append(a.id)
    lives = [
        Life(a.id, a.status, a.reported, a.signed, a.entry_into_force, a.ends, a.supersedes, tuple(sorted(later.get(a.id, []))), a.title)
        for a in by.values()
    ]
    return sorted(lives, key=lambda x: (x.signed or x.reported or "9999", x.id))


def render_timeline(fmt: str, lives: list[Life]) -> str:
    rows = [[_cell(getattr(x, c)) for c in COLUMNS] for x in lives]
    if fmt == "json":
        return json.dumps([asdict(x) for x in lives], indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "csv":
        from obcheck.reporters.safe import csv_cell

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([csv_cell(c) for c in row] for row in rows)
        return out.getvalue()
    if fmt == "markdown":
        from obcheck.reporters.safe import markdown

        lines = ["| " + " | ".join(c.replace("_", " ") for c in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(markdown(c) for c in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    from obcheck.reporters.safe import visible

    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(COLUMNS[:-1])]
    lines = ["  ".join(c.replace("_", " ").ljust(w) for c, w in zip(COLUMNS[:-1], widths, strict=True))]
    lines += ["  ".join(visible(v).ljust(w) for v, w in zip(r[:-1], widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value)
