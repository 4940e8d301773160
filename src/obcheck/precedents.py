"""Precedents (pure): the documents that already meet or partly meet a criterion, with the quotes that decide it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from obcheck.model import Outcome, Report
from obcheck.rules import Rule, predicates, show_value

# Model language is only as good as its source: the document's own words first, then a government's summary.
STRENGTH = {"text": 0, "official": 1, "secondary": 2, "proposed": 3}
ORDER = (Outcome.MET, Outcome.PARTIAL)
FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class Precedent:
    agreement: str
    title: str
    kind: str
    signed: str | None
    file: str
    status: str
    facts: list[dict[str, Any]]  # the deciding facts: fact, value, clause, quote, evidence_level, source, location


def deciding_paths(rule: Rule, status: Outcome) -> set[str]:
    """The facts a drafter has to word: those of the condition that held (and of applies_when, which had to hold)."""
    cond = rule.met if status is Outcome.MET else rule.partial
    return {p.path for c in (rule.applies_when, cond) for p in predicates(c)}


def find_precedents(report: Report, rule: Rule) -> list[Precedent]:
    """Every document of the report whose finding for `rule` is met, then partial; within each, the strongest
    evidence first (its deciding facts' levels compared best first), then by id so the order is stable."""
    found = []
    for a in report.agreements:
        f = next((f for f in a.findings if (f.pack, f.rule) == (rule.pack, rule.id)), None)
        if f is None or f.status not in ORDER:
            continue
        paths = deciding_paths(rule, f.status)
        facts = [
            {"fact": e["fact"], "value": e["value"], "clause": e["clause"], "quote": e["quote"], "evidence_level": e["evidence_level"],
             "source": {"title": e["source"]["title"], "url": e["source"]["url"]}, "location": e["location"]}
            for e in f.evidence if e["fact"] in paths
        ]
        facts.sort(key=lambda e: (STRENGTH[e["evidence_level"]], e["fact"]))
        found.append(Precedent(a.id, a.title, a.kind, a.signed, a.file, str(f.status), facts))
    found.sort(key=lambda p: (ORDER.index(Outcome(p.status)), [STRENGTH[e["evidence_level"]] for e in p.facts], p.agreement))
    return found


def render_precedents(rule: Rule, found: list[Precedent], fmt: str) -> str:
    """The precedents as text (terminal), Markdown (for a memo) or JSON (sorted keys, stable)."""
    if fmt == "json":
        data = {"pack": rule.pack, "rule": rule.id, "title": rule.title, "expected": rule.expected,
                "precedents": [asdict(p) for p in found]}
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    md = fmt == "markdown"
    lines = [f"# Precedents for {rule.pack}/{rule.id}" if md else f"Precedents for {rule.pack}/{rule.id}: {rule.title}"]
    if md:
        lines += ["", rule.title]
    lines += ["", f"Met when: {rule.expected}."]
    if not found:
        lines += ["", "No document meets or partly meets this criterion on the facts recorded."]
    for p in found:
        signed = f", signed {p.signed}" if p.signed else ""
        head = f"{p.status.upper()}  {p.agreement}: {p.title} ({p.kind}{signed})"
        lines += ["", f"## {p.status}: {p.agreement}" if md else head]
        if md:
            lines += ["", f"{p.title} ({p.kind}{signed}); facts: `{p.file}`.", ""]
        for e in p.facts:
            clause = f", {e['clause']}" if e["clause"] else ""
            where = f"{e['source']['title']}{clause}; {e['evidence_level']} evidence"
            if md:
                lines.append(f"- `{e['fact']}` = {show_value(e['value'])}: \"{e['quote']}\" ([{where}]({e['source']['url']}))")
            else:
                lines.append(f"  {e['fact']} = {show_value(e['value'])} ({where}; {e['location']})")
                lines.append(f'    "{e["quote"]}" <{e["source"]["url"]}>')
    return "\n".join(lines) + "\n"
