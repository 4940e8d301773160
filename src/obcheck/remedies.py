"""What it would take (pure): the smallest sets of fact values that would raise a finding to partial and to met."""

from __future__ import annotations

import itertools
import json
from typing import Any

from obcheck.fact_types import FACT_TYPES
from obcheck.interpreter import outcome
from obcheck.rules import Rule, predicates, show_value
from obcheck.vocabulary import Vocabulary

MAX_EVALUATIONS = 200_000  # per finding, as the linter bounds its enumeration; beyond it the answer is left out (no shipped rule comes close)
BELOW: dict[str, tuple[str, ...]] = {  # the outcomes worth raising a finding to, from where it stands
    "gap": ("partial", "met"), "unknown": ("partial", "met"), "not_applicable": ("partial", "met"), "partial": ("met",),
}

# A change set: the (fact path, value) pairs to state, sorted by path. Results are plain data for every format.
Changes = list[dict[str, Any]]

# Findings of different agreements often share the values a rule reads (every agreement that states none of them,
# say); the answer depends on nothing else, so it is worked out once per (rule, values). Keyed by the rule object,
# which the entry keeps alive so its id cannot be reused.
_CACHE: dict[tuple[int, str], tuple[Rule, dict[str, list[Changes]] | None]] = {}


def candidates(rule: Rule, path: str, vocabulary: Vocabulary) -> list[Any]:
    """Values of one path that reach every branch of the rule's predicates on it (the linter's sample domain)."""
    spec = vocabulary.paths[path]
    conds = (rule.applies_when, rule.met, rule.partial)
    constants = [
        v for c in conds for p in predicates(c) if p.path == path and p.op != "exists"
        for v in (p.value if isinstance(p.value, list) else [p.value])
    ]
    return FACT_TYPES[spec.type].samples(constants, spec.values or [])


def what_it_would_take(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> dict[str, list[Changes]] | None:
    """For each outcome above the current one (partial where the rule has it, met), every smallest set of changes
    that gives exactly that outcome: each changes a stated value or states an absent (or unverified) one, the
    agreement's other facts stay as they are. {} when the finding is met; None when the search would be too large.
    Smallest is by number of facts, so no proper subset of a set gives the outcome (it would be smaller)."""
    relevant = {p: values[p] for p in rule.paths if p in values}
    key = (id(rule), json.dumps(relevant, sort_keys=True, default=str))
    if key not in _CACHE:
        _CACHE[key] = (rule, _search(rule, relevant, vocabulary))
    return _CACHE[key][1]


def _search(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> dict[str, list[Changes]] | None:
    current = outcome(rule, values, vocabulary)
    targets = [t for t in BELOW.get(current, ()) if t != "partial" or rule.partial is not None]
    if not targets:
        return {}
    # a change must change something: a stated value is replaced by another, never by itself
    domains = {p: _nearest_first([v for v in candidates(rule, p, vocabulary) if p not in values or v != values[p]], values.get(p))
               for p in rule.paths}
    found: dict[str, list[Changes]] = {}
    budget = MAX_EVALUATIONS
    for size in range(1, len(rule.paths) + 1):
        open_targets = [t for t in targets if t not in found]
        if not open_targets:
            break
        this_size: dict[str, list[Changes]] = {t: [] for t in open_targets}
        for paths in itertools.combinations(rule.paths, size):
            for combo in itertools.product(*(domains[p] for p in paths)):
                budget -= 1
                if budget < 0:
                    return None
                result = outcome(rule, {**values, **dict(zip(paths, combo))}, vocabulary)
                if result in this_size:
                    this_size[result].append([{"fact": p, "value": v} for p, v in zip(paths, combo)])
        found.update({t: sets for t, sets in this_size.items() if sets})
    return {t: found[t] for t in targets if t in found}


def _nearest_first(domain: list[Any], current: Any) -> list[Any]:
    """A drafter wants the least change first: numbers nearest the stated one (24 hours rather than 0 for 'at most 24')."""
    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not number(current) or not all(number(v) for v in domain):
        return domain
    return sorted(domain, key=lambda v: abs(v - current))


def describe_changes(changes: Changes, values: dict[str, Any]) -> str:
    """One change set in words: "legal.ratified = true (now false) and legal.x = y (now not stated)"."""
    parts = []
    for c in changes:
        now = show_value(values[c["fact"]]) if values.get(c["fact"]) is not None else "not stated"
        parts.append(f"{c['fact']} = {show_value(c['value'])} (now {now})")
    return " and ".join(parts)


def explain_lines(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary, limit: int = 8) -> list[str]:
    """The `explain` section: for each higher outcome, its smallest change sets (the first `limit` of them)."""
    remedies = what_it_would_take(rule, values, vocabulary)
    if remedies is None:
        return ["What it would take: too many combinations to search for this rule."]
    if not remedies:
        return []
    lines = ["What it would take (the smallest sets of facts; the agreement's other facts unchanged):"]
    for target in ("partial", "met"):
        if target not in BELOW.get(outcome(rule, values, vocabulary), ()):
            continue
        sets = remedies.get(target)
        if sets is None:
            if target == "partial" and rule.partial is None:
                continue
            lines.append(f"  to {target.upper()}: no values of the facts this rule reads give it")
            continue
        lines.append(f"  to {target.upper()}, any one of:" if len(sets) > 1 else f"  to {target.upper()}:")
        lines += [f"    - {describe_changes(s, values)}" for s in sets[:limit]]
        if len(sets) > limit:
            lines.append(f"    ... and {len(sets) - limit} more sets of the same size (obcheck check --format json lists them all)")
    return lines
