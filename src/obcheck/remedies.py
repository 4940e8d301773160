"""What it would take (pure): the smallest sets of fact values that would raise a finding to partial and to met."""

from __future__ import annotations

import itertools
import math
import weakref
from typing import Any

from obcheck.fact_types import FACT_TYPES
from obcheck.interpreter import evaluate, outcome
from obcheck.outcomes import Truth
from obcheck.rules import Predicate, Rule, predicates, remember, show_value
from obcheck.vocabulary import Vocabulary

MAX_EVALUATIONS = 200_000  # per finding, as the linter bounds its enumeration; beyond it the answer is left out (no shipped rule comes close)
BELOW: dict[str, tuple[str, ...]] = {  # the outcomes worth raising a finding to, from where it stands
    "gap": ("partial", "met"), "unknown": ("partial", "met"), "not_applicable": ("partial", "met"), "partial": ("met",),
}

# A change set: the (fact path, value) pairs to state, sorted by path. Results are plain data for every format.
Changes = list[dict[str, Any]]

# What a finding would take depends only on how each fact the rule reads fares against the rule's predicates on
# it: two agreements whose values pass and fail the same predicates (10 or 12 years against "at least 10") get the
# same smallest sets, because a minimal set never changes a value into one the predicates cannot tell apart from it.
# So the search runs once per (rule, that signature) and the answer is only reordered for each agreement; on
# corpora of thousands of agreements nearly every finding is then a cache hit (_Table.answers).
_PREDICATES: dict[int, dict[str, list[Predicate]]] = {}  # by id(rule), while the rule lives (rules.remember)


def _by_path(rule: Rule) -> dict[str, list[Predicate]]:
    found = _PREDICATES.get(id(rule))
    if found is None:
        found = {}
        for cond in (rule.applies_when, rule.met, rule.partial):
            for p in predicates(cond):
                found.setdefault(p.path, []).append(p)
        remember(_PREDICATES, rule, found)
    return found


def candidates(rule: Rule, path: str, vocabulary: Vocabulary) -> list[Any]:
    """Values of one path that reach every branch of the rule's predicates on it (the linter's sample domain)."""
    spec = vocabulary.paths[path]
    constants = [v for p in _by_path(rule).get(path, []) if p.op != "exists" for v in (p.value if isinstance(p.value, list) else [p.value])]
    return FACT_TYPES[spec.type].samples(constants, spec.values or [])


def _key(value: Any) -> Any:
    """A hashable stand-in for a fact value that tells true from 1 (lists as tuples)."""
    return tuple(value) if isinstance(value, list) else (type(value).__name__, value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def what_it_would_take(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> dict[str, list[Changes]] | None:
    """For each outcome above the current one (partial where the rule has it, met), every smallest set of changes
    that gives exactly that outcome: each changes a stated value or states an absent (or unverified) one, the
    agreement's other facts stay as they are. {} when the finding is met; None when the search would be too large.
    Smallest is by number of facts, so no proper subset of a set gives the outcome (it would be smaller).
    Partial is left out where met takes no more facts than it.
    Sets are ordered by path, then by value in the sample order, numbers nearest the stated one first (24 hours
    rather than 0 for 'at most 24'). The lists may be shared between findings: read them, do not change them."""
    table = _table(rule, vocabulary)
    # the signature: each path's class (one per truth vector against the rule's predicates on it), None if absent
    signature = tuple([table.classify(p, values[p]) if p in values else None for p in rule.paths])
    cached = table.answers.get(signature)
    if cached is None:
        relevant = {p: values[p] for p in rule.paths if p in values}
        answer = _search(rule, relevant, vocabulary)
        changed = frozenset(c["fact"] for sets in (answer or {}).values() for s in sets for c in s)
        cached = table.answers[signature] = (answer, changed)
    found, changed = cached
    near = {p for p in changed if _number(values.get(p))}
    if not found or not near:
        return found  # already in sample order, which is this agreement's order too
    relevant = {p: values[p] for p in rule.paths if p in values}
    index = {p: i for i, p in enumerate(rule.paths)}
    order = {p: {_key(v): i for i, v in enumerate(table.domain(p))} for p in rule.paths}

    def rank(changes: Changes) -> list[tuple[int, float, int]]:
        return [(index[c["fact"]], abs(c["value"] - relevant[c["fact"]]) if c["fact"] in near else 0, order[c["fact"]][_key(c["value"])])
                for c in changes]

    return {target: sorted(sets, key=rank) for target, sets in found.items()}


def _search(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> dict[str, list[Changes]] | None:
    current = outcome(rule, values, vocabulary)
    targets = [t for t in BELOW.get(current, ()) if t != "partial" or rule.partial is not None]
    if not targets:
        return {}
    table = _table(rule, vocabulary)
    # a change must change something: a stated value is replaced by another, never by itself
    domains = {p: [v for v in table.domain(p) if p not in values or v != values[p]] for p in rule.paths}
    # each candidate goes with the others of its class (the values with its truth vector), so that the interpreter
    # runs once per combination of classes (a handful) instead of once per combination of values (up to
    # thousands), and only the combinations of values that reach a target are ever built
    members: dict[str, dict[int, list[tuple[int, Any]]]] = {p: {} for p in rule.paths}
    for p in rule.paths:
        for i, v in enumerate(domains[p]):
            members[p].setdefault(table.classify(p, v), []).append((i, v))
    base = tuple(table.classify(p, values[p]) if p in values else None for p in rule.paths)
    found: dict[str, list[Changes]] = {}
    spent = 0
    for size in range(1, len(rule.paths) + 1):
        open_targets = [t for t in targets if t not in found]
        if not open_targets:
            break
        every = list(itertools.combinations(rule.paths, size))
        # the budget counts every combination of sample values of this size, the stated ones included: the answer
        # is kept per signature, so whether it is searched at all must not depend on more than the signature does
        # (counting without the stated values gave two agreements of one signature different verdicts, and the
        # first one searched decided for both: hypothesis found it)
        spent += sum(math.prod(len(table.domain(p)) for p in paths) for paths in every)
        if spent > MAX_EVALUATIONS:
            return None
        this_size: dict[str, list[Changes]] = {t: [] for t in open_targets}
        for paths in every:
            reached = table.reached(paths, base)
            rows = []
            for target in open_targets:
                for chosen in reached.get(target, ()):
                    for picked in itertools.product(*[members[p].get(c, ()) for p, c in zip(paths, chosen)]):
                        rows.append(([i for i, _ in picked], target, [{"fact": p, "value": v} for p, (_, v) in zip(paths, picked)]))
            rows.sort(key=lambda row: row[0])  # the order enumerating every combination of values gives
            for _, target, changes in rows:
                this_size[target].append(changes)
        found.update({t: sets for t, sets in this_size.items() if sets})
    if "partial" in found and "met" in found and len(found["met"][0]) <= len(found["partial"][0]):
        # met for as few facts: getting exactly partial would mean stating less than the draft could (weakening a
        # value to stay below met), which is no advice for a drafter
        del found["partial"]
    return {t: found[t] for t in targets if t in found}


class _Table:
    """One rule's outcomes by class. The interpreter reads a value only through the predicates on its path, so
    values with the same truth vector there (how the value fares against each of those predicates) are
    interchangeable: each path's values fall into classes, one per vector, and the outcome is worked out once per
    combination of classes, by the interpreter itself on one value of each class."""

    def __init__(self, rule: Rule, vocabulary: Vocabulary) -> None:
        self._rule, self.vocabulary = weakref.ref(rule), vocabulary  # weakly: the table must not keep its rule alive
        self.by_path = _by_path(rule)
        self.numbers: dict[str, dict[tuple[Truth, ...], int]] = {p: {} for p in rule.paths}  # vector -> class
        self.vectors: dict[str, list[tuple[Truth, ...]]] = {p: [] for p in rule.paths}  # class -> vector
        self.witness: dict[str, list[Any]] = {p: [] for p in rule.paths}  # class -> the first value seen in it
        self.memo: dict[str, dict[Any, int]] = {p: {} for p in rule.paths}  # value (strict key) -> class
        self.outcomes: dict[tuple[int | None, ...], str] = {}  # classes of every path -> outcome
        self.reach: dict[tuple[Any, ...], dict[str, list[tuple[int, ...]]]] = {}  # see reached
        # what_it_would_take's answers by signature (the class of each path, None where absent), and the facts
        # their sets change
        self.answers: dict[tuple[int | None, ...], tuple[dict[str, list[Changes]] | None, frozenset[str]]] = {}
        self.domains: dict[str, list[Any]] = {}  # see domain

    @property
    def rule(self) -> Rule:
        rule = self._rule()
        assert rule is not None, "a table is reached only through its live rule"
        return rule

    def domain(self, path: str) -> list[Any]:
        """The path's sample values (candidates), which depend on the vocabulary as well as the rule."""
        if path not in self.domains:
            self.domains[path] = candidates(self.rule, path, self.vocabulary)
        return self.domains[path]

    def classify(self, path: str, value: Any) -> int:
        # the memo tells true from 1 and 1 from 1.0, which some predicates do
        key = (list, tuple([(type(v), v) for v in value])) if type(value) is list else (type(value), value)
        memo = self.memo[path]
        known = memo.get(key)
        if known is not None:
            return known
        vector = tuple([evaluate(q, {path: value}, self.vocabulary) for q in self.by_path[path]])
        numbers = self.numbers[path]
        if vector not in numbers:
            numbers[vector] = len(self.vectors[path])
            self.vectors[path].append(vector)
            self.witness[path].append(value)
        memo[key] = numbers[vector]
        return memo[key]

    def reached(self, paths: tuple[str, ...], base: tuple[int | None, ...]) -> dict[str, list[tuple[int, ...]]]:
        """For each outcome, the combinations of classes of `paths` (of every class of their sample values) that
        give it, the other paths keeping their classes in `base`: shared by every agreement whose other facts
        fare the same."""
        where = [self.rule.paths.index(p) for p in paths]
        key = (paths, tuple([c for i, c in enumerate(base) if i not in where]))
        found = self.reach.get(key)
        if found is None:
            found = self.reach[key] = {}
            kinds = [sorted({self.classify(p, v) for v in self.domain(p)}) for p in paths]
            for chosen in itertools.product(*kinds):
                classes = list(base)
                for i, kind in zip(where, chosen):
                    classes[i] = kind
                found.setdefault(self.outcome(tuple(classes)), []).append(chosen)
        return found

    def outcome(self, classes: tuple[int | None, ...]) -> str:
        """The outcome with a value of each class stated (None: the path absent), in rule.paths order."""
        if classes not in self.outcomes:
            chosen = {p: self.witness[p][c] for p, c in zip(self.rule.paths, classes) if c is not None}
            self.outcomes[classes] = outcome(self.rule, chosen, self.vocabulary)
        return self.outcomes[classes]


_TABLES: dict[int, _Table] = {}  # by id(rule), while the rule lives (rules.remember)


def _table(rule: Rule, vocabulary: Vocabulary) -> _Table:
    table = _TABLES.get(id(rule))
    if table is None:
        table = remember(_TABLES, rule, _Table(rule, vocabulary))
    elif table.vocabulary is not vocabulary:
        table = _TABLES[id(rule)] = _Table(rule, vocabulary)  # the rule's entry still goes with it
    return table


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
            if target == "partial" and (rule.partial is None or "met" in remedies):
                continue  # no partial condition, or met takes as few facts
            lines.append(f"  to {target.upper()}: no values of the facts this rule reads give it")
            continue
        lines.append(f"  to {target.upper()}, any one of:" if len(sets) > 1 else f"  to {target.upper()}:")
        lines += [f"    - {describe_changes(s, values)}" for s in sets[:limit]]
        if len(sets) > limit:
            lines.append(f"    ... and {len(sets) - limit} more sets of the same size (obcheck check --format json lists them all)")
    return lines
