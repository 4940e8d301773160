"""Static checks on loaded rules (pure): conditions that can never hold or never fail, missing cases, ids reused across packs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from obcheck.cases import cases_path
from obcheck.cases import reachable as reachable_outcomes
from obcheck.errors import Diagnostic
from obcheck.fact_types import FACT_TYPES
from obcheck.interpreter import evaluate, outcome
from obcheck.rules import Catalogue, Condition, Predicate, Rule, predicates
from obcheck.vocabulary import Vocabulary

MAX_COMBINATIONS = 200_000  # beyond this a rule is not enumerated (none of the shipped rules comes close)
ABSENT = object()


def lint(catalogue: Catalogue) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, warnings) for every rule of the catalogue."""
    errors, warnings = [], []
    owners: dict[str, str] = {}
    for pack in catalogue.packs:
        if not pack.rules:
            warnings.append(Diagnostic(f"{pack.directory}/pack.yaml", 1, 1, f"warning: pack '{pack.id}' has no rules yet (obcheck new rule {pack.id} ID)"))
    for rule in catalogue.rules():
        if not cases_path(rule).is_file():
            errors.append(Diagnostic(rule.file, 1, 1, f"rule '{rule.id}' has no cases file {cases_path(rule).name}: add met, gap and unknown cases"))
        errors.extend(_satisfiable(rule, catalogue.vocabulary))
        if rule.id in owners and owners[rule.id] != rule.pack:
            warnings.append(Diagnostic(rule.file, rule.line, 1, f"warning: rule id '{rule.id}' is also used in pack '{owners[rule.id]}'; name it PACK/RULE on the command line"))
        owners.setdefault(rule.id, rule.pack)
    return errors, warnings


def _domain(path: str, preds: list[Predicate], vocabulary: Vocabulary) -> list[Any]:
    """Values that reach every branch of the predicates on one path: each enum value, each threshold and its
    neighbours, each subset of the list members they name; plus absence."""
    spec = vocabulary.paths[path]
    constants = [v for p in preds for v in (p.value if isinstance(p.value, list) else [p.value]) if p.op != "exists"]
    values = FACT_TYPES[spec.type].samples(constants, spec.values or [])
    return [*values, ABSENT]


def _combinations(domains: list[list[Any]]) -> Iterator[tuple[Any, ...]]:
    """Every combination, but first a spread of them (each domain cycled together, then a fixed pseudo-random
    sample), so the search usually finds every truth and outcome, and stops, long before the full product."""
    import random

    longest = max((len(d) for d in domains), default=0)
    for i in range(longest):
        yield tuple(d[i % len(d)] for d in domains)
    pick = random.Random(0)  # fixed seed: the same rules give the same lint, run after run
    for _ in range(2_000):
        yield tuple(pick.choice(d) for d in domains)
    yield from itertools.product(*domains)


def _satisfiable(rule: Rule, vocabulary: Vocabulary) -> list[Diagnostic]:
    conds: dict[str, Condition] = {"met": rule.met}
    if rule.applies_when is not None:
        conds["applies_when"] = rule.applies_when
    if rule.partial is not None:
        conds["partial"] = rule.partial
    by_path: dict[str, list[Predicate]] = {}
    for cond in conds.values():
        for p in predicates(cond):
            by_path.setdefault(p.path, []).append(p)
    domains = {path: _domain(path, preds, vocabulary) for path, preds in sorted(by_path.items())}
    total = 1
    for d in domains.values():
        total *= len(d)
    if total > MAX_COMBINATIONS:
        return []
    seen: dict[str, set[Any]] = {name: set() for name in conds}
    reached: set[str] = set()
    paths = list(domains)
    reachable = reachable_outcomes(rule)
    for combo in _combinations([domains[p] for p in paths]):
        values = {p: v for p, v in zip(paths, combo, strict=True) if v is not ABSENT}
        for name, cond in conds.items():
            seen[name].add(evaluate(cond, values, vocabulary))
        reached.add(outcome(rule, values, vocabulary))
        if reached >= reachable and all(len(truths) == 3 for truths in seen.values()):
            break  # every condition was true, false and unknown, every outcome reached: nothing left to find
    out = []
    for name, truths in seen.items():
        first = next(predicates(conds[name]))
        if True not in truths:
            out.append(Diagnostic(rule.file, first.line, first.col, f"'{name}' can never hold: no values of the facts it reads make it true"))
        if False not in truths:
            out.append(Diagnostic(rule.file, first.line, first.col, f"'{name}' can never fail: no values of the facts it reads make it false"
                                  + (" (exists is never false: absence is unknown)" if any(p.op == "exists" for p in predicates(conds[name])) else "")))
    if out:
        return out
    first = next(predicates(rule.partial or rule.met))
    if rule.partial is not None and "partial" not in reached:
        out.append(Diagnostic(rule.file, first.line, first.col, "outcome partial is never reached: whenever 'partial' holds, 'met' holds too"))
    if "gap" not in reached:
        out.append(Diagnostic(rule.file, first.line, first.col, "outcome gap is never reached: 'partial' holds whenever 'met' fails"))
    return out
