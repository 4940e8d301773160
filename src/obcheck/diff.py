"""Compare two runs (pure): every outcome that flips, with its cause; and the research questions that would decide unknowns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from obcheck.errors import Diagnostic, InputError, shown
from obcheck.model import Outcome, Report
from obcheck.rules import Rule, show_value


@dataclass(frozen=True)
class Flip:
    agreement: str
    rule: str
    old: str | None  # None: the rule or agreement did not exist
    new: str | None
    causes: tuple[str, ...]


def flips(old: Report, new: Report, old_rules: dict[str, Rule], new_rules: dict[str, Rule]) -> list[Flip]:
    """Outcomes that differ between two reports, each explained by fact changes, rule changes, or additions."""
    def outcomes(report: Report) -> dict[tuple[str, str], Any]:
        return {(a.id, f"{f.pack}/{f.rule}"): f for a in report.agreements for f in a.findings}

    before, after = outcomes(old), outcomes(new)
    out = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.status == b.status:
            continue
        agreement, rule = key
        causes: list[str] = []
        if a is None or b is None:
            if rule not in old_rules:
                causes.append(f"rule {rule} added")
            elif rule not in new_rules:
                causes.append(f"rule {rule} removed")
            else:
                causes.append(f"agreement {agreement} {'added' if a is None else 'removed'}")
        else:
            if _definition(old_rules[rule]) != _definition(new_rules[rule]):
                causes.append(f"rule {rule} changed")
            for path in sorted(set(a.actual) | set(b.actual)):
                va, vb = a.actual.get(path), b.actual.get(path)
                if va != vb:
                    causes.append(f"fact {path}: {show_value(va)} -> {show_value(vb)}")
        out.append(Flip(agreement, rule, a.status if a else None, b.status if b else None, tuple(causes)))
    return out


def _definition(rule: Rule) -> tuple[Any, ...]:
    """What decides a rule's outcome (not its wording or where it was written)."""
    return (rule.applies_when, rule.met, rule.partial)


def render_flips(items: list[Flip]) -> str:
    if not items:
        return "no outcome changed\n"
    lines = []
    for f in items:
        lines.append(f"{f.agreement} {f.rule}: {f.old or 'absent'} -> {f.new or 'absent'}")
        lines += [f"  because {c}" for c in f.causes] or ["  because of an unexplained change (please report)"]
    lines.append(f"{len(items)} outcome{'s' if len(items) != 1 else ''} changed")
    return "\n".join(lines) + "\n"


def questions(report: Report, unverified: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Per agreement, each missing fact with the number of unknown outcomes that need it, most needed first."""
    out = []
    for a in report.agreements:
        need: Counter[str] = Counter()
        rules: dict[str, list[str]] = {}
        for f in a.findings:
            if f.status is Outcome.UNKNOWN:
                for path in f.missing:
                    need[path] += 1
                    rules.setdefault(path, []).append(f.rule)
        items = [
            {"fact": path, "unknown_outcomes": n, "rules": sorted(rules[path]), "unverified_note": unverified.get(a.id, {}).get(path)}
            for path, n in sorted(need.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        out.append({"agreement": a.id, "title": a.title, "questions": items})
    return out


def render_questions(items: list[dict[str, Any]]) -> str:
    lines = []
    for entry in items:
        lines.append(f"{entry['agreement']}: {entry['title']}")
        if not entry["questions"]:
            lines.append("  nothing unknown")
        for q in entry["questions"]:
            note = f"  [unverified: {q['unverified_note']}]" if q["unverified_note"] else ""
            lines.append(f"  {q['unknown_outcomes']:>2} unknown  {q['fact']}  ({', '.join(q['rules'])}){note}")
        lines.append("")
    return "\n".join(lines)


def checkout(rev: str, into: Path) -> Path:
    """facts/ and rules/ as they were at a git revision, extracted with git archive (the work tree is untouched).
    A revision can never become an option: one that starts with '-' is refused; the others are resolved to a
    commit id after --end-of-options, and only that id reaches git archive."""
    import subprocess

    if not rev or rev.startswith("-") or any(ord(c) < 32 for c in rev):
        # git would take it for an option (--output=FILE truncates a file)
        raise InputError([Diagnostic("<command line>", 1, 1, f"--rev: {shown(rev)} is not a revision (a revision cannot start with '-')")])
    into.mkdir(parents=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                                capture_output=True, check=True, text=True).stdout.strip()
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "--", "facts", "rules"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True, capture_output=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        detail = str(exc)
        if isinstance(exc, subprocess.CalledProcessError):  # rev-parse --quiet says nothing: the revision does not exist
            err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
            detail = err.strip()[:200] or "no such revision"
        raise InputError([Diagnostic("<command line>", 1, 1, f"cannot read facts/ and rules/ at revision {shown(rev)}: {detail}")]) from None
    return into
