"""Bounds are sound and, where no fact path occurs twice in a rule, tight; both engines report the same truths."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcheck import engine as durable
from obcheck.compiler import compile_rules
from obcheck.errors import InputError
from obcheck.fact_types import FACT_TYPES
from obcheck.interpreter import PythonEngine, truths
from obcheck.model import Outcome
from obcheck.outcomes import RANK, Truths, bounds, outcome, truths_of
from obcheck.rules import Rule, predicates
from tests.test_engines import _conditions, _grid_facts, grid, make_rule, needs_durable

MAX_COMPLETIONS = 4_000


def _paths(rule: Rule) -> list[str]:
    return [p.path for c in (rule.applies_when, rule.met, rule.partial) for p in predicates(c)]


def _domain(rule: Rule, path: str) -> list[Any]:
    """Values of `path` reaching every branch of the rule's predicates on it."""
    spec = grid().paths[path]
    constants = [v for c in (rule.applies_when, rule.met, rule.partial) for p in predicates(c) if p.path == path
                 for v in (p.value if isinstance(p.value, list) else [p.value])]
    return FACT_TYPES[spec.type].samples(constants, spec.values or [])


def _two_sided(rule: Rule, pred: Any) -> bool:
    from obcheck.interpreter import evaluate

    return {evaluate(pred, {pred.path: v}, grid()) for v in _domain(rule, pred.path)} == {True, False}


def _completions(rule: Rule, values: dict[str, Any]) -> list[dict[str, Any]] | None:
    missing = sorted({p for p in _paths(rule) if p not in values})
    domains = [_domain(rule, p) for p in missing]
    total = 1
    for d in domains:
        total *= len(d)
    if total > MAX_COMPLETIONS:
        return None
    return [{**values, **dict(zip(missing, combo, strict=True))} for combo in itertools.product(*domains)]


SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=120, deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_every_completion_lies_within_the_bounds_and_distinct_paths_reach_both(data: st.DataObject) -> None:
    _sound_and_tight(data)


@pytest.mark.ci
@settings(max_examples=4000, deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_bounds_property_at_length(data: st.DataObject) -> None:
    """The same property, thousands of examples: CI runs it after the default suite."""
    _sound_and_tight(data)


def _sound_and_tight(data: st.DataObject) -> None:
    vocab = grid()
    conditions = _conditions(vocab)
    rule = make_rule(0, data.draw(conditions), data.draw(st.one_of(st.none(), conditions)), data.draw(st.one_of(st.none(), conditions)))
    values = data.draw(_grid_facts(vocab))
    values = {k: v for k, v in values.items() if k in set(_paths(rule))}
    b = bounds(truths(rule, values, vocab))
    completions = _completions(rule, values)
    if completions is None:
        return
    reached = set()
    for complete in completions:
        got = outcome(truths(rule, complete, vocab))
        if got is Outcome.NOT_APPLICABLE:
            assert b.may_not_apply or b.floor is None, (values, complete)
            continue
        assert b.floor is not None and b.ceiling is not None, (values, complete, got)
        assert RANK[b.floor] <= RANK[got] <= RANK[b.ceiling], (values, complete, got, b)
        reached.add(got)
    paths = _paths(rule)
    # exact where no path occurs twice and every predicate can be both true and false once its fact is stated
    # (`exists`, or `count_at_least: 0`, is true in every completion: its 'unknown' keeps a floor no completion
    # reaches; docs/rule-language.md says so)
    if len(paths) == len(set(paths)) and all(_two_sided(rule, p) for c in (rule.applies_when, rule.met, rule.partial)
                                             for p in predicates(c)) and b.floor is not None:
        assert b.floor in reached and b.ceiling in reached, (values, b, reached)


@needs_durable
@settings(max_examples=75, deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_durable_reports_the_interpreters_truths_so_the_same_bounds(data: st.DataObject) -> None:
    _same_truths(data)


@needs_durable
@pytest.mark.ci
@settings(max_examples=2000, deadline=None, suppress_health_check=SLOW)
@given(data=st.data())
def test_durable_truths_at_length(data: st.DataObject) -> None:
    _same_truths(data)


def _same_truths(data: st.DataObject) -> None:
    vocab = grid()
    conditions = _conditions(vocab)
    rules = [make_rule(i, data.draw(conditions), data.draw(st.one_of(st.none(), conditions)),
                       data.draw(st.one_of(st.none(), conditions))) for i in range(3)]
    try:
        compiled = compile_rules(rules, vocab)
    except InputError:
        return  # beyond durable's branch limit: refused at compile time
    fast, oracle = durable.DurableEngine(compiled, vocab), PythonEngine(rules, vocab)
    try:
        for values in data.draw(st.lists(_grid_facts(vocab), min_size=1, max_size=6)):
            assert fast.truths("g", values) == oracle.truths("g", values), values
    finally:
        fast.close()


def test_gb_2024_unknowns_keep_what_is_known() -> None:
    """Self-defence capacity: the UK commits assistance (partial holds), the capability goal and Article 51 are
    unread. (Activation was the first example; since the rule-fidelity work records the UK's joint decision and
    silence on third parties, it is decided: partial.)"""
    import obcheck

    report = obcheck.check("facts/gb-2024.yaml", packs=["kyiv-security-compact-2022"])
    f = report.finding("gb-2024", "self-defence-capacity")
    assert f.status is Outcome.UNKNOWN and f.floor is Outcome.PARTIAL and f.ceiling is Outcome.MET
    assert f.needs == {"met": ["assistance.capability_goal", "legal.art51_referenced"]}
    assert f.bound == "at least partial; met needs assistance.capability_goal, legal.art51_referenced"
    assert report.finding("gb-2024", "activation-without-third-party-confirmation").status is Outcome.PARTIAL
    assert all(x.floor is not None or x.status is Outcome.NOT_APPLICABLE for x in report.agreements[0].findings)


def test_truths_of_gives_each_combination_once_and_equal_to_its_constructor() -> None:
    for applies, met, partial, has_partial in itertools.product((True, False, None), (True, False, None), (True, False, None), (True, False)):
        made = truths_of(applies, met, partial, has_partial)
        assert made == Truths(applies, met, partial, has_partial) and made is truths_of(applies, met, partial, has_partial)
