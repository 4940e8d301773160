"""What it would take: the smallest change sets really give the promised outcome on both engines, and no proper subset does."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import obcheck.remedies
from obcheck.explain import find_rule
from obcheck.interpreter import outcome
from obcheck.remedies import BELOW, MAX_EVALUATIONS, candidates, what_it_would_take
from obcheck.rules import Predicate, Rule
from obcheck.vocabulary import PathSpec, Vocabulary
from tests.conftest import MINI, cli, fact_file
from tests.test_engines import (
    _conditions,
    _grid_facts,
    catalogue,
    engines,
    grid,
    make_rule,
    needs_durable,
    value_strategy,
)

ABSENT = object()


def both(rule: Rule, values: dict[str, Any]) -> tuple[str, str]:
    """The rule's outcome on the durable engine and on the interpreter."""
    fast, oracle = engines()
    return fast.evaluate("would-take", values)[(rule.pack, rule.id)], oracle.evaluate("would-take", values)[(rule.pack, rule.id)]


@st.composite
def rule_and_values(draw: st.DrawFn) -> tuple[Rule, dict[str, Any]]:
    """A rule of any pack, and values for the facts it reads: absent, one of its sample values, or any valid value."""
    cat = catalogue()
    rule = draw(st.sampled_from(sorted(cat.rules(), key=lambda r: (r.pack, r.id))))
    values = {}
    for path in rule.paths:
        samples = candidates(rule, path, cat.vocabulary)
        value = draw(st.one_of(st.just(ABSENT), st.sampled_from(samples), value_strategy(cat.vocabulary.paths[path])))
        if value is not ABSENT:
            values[path] = value
    return rule, values


@needs_durable
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=rule_and_values())
def test_every_proposed_set_gives_its_outcome_on_both_engines_and_no_proper_subset_does(case: tuple[Rule, dict[str, Any]]) -> None:
    rule, values = case
    vocabulary = catalogue().vocabulary
    now = outcome(rule, values, vocabulary)
    remedies = what_it_would_take(rule, values, vocabulary)
    assert remedies is not None
    assert set(remedies) <= set(BELOW.get(now, ()))  # only ever a higher outcome, never the current one
    for target, sets in remedies.items():
        assert sets, "a target is listed only with at least one set"
        assert len({len(s) for s in sets}) == 1, "all the smallest sets have the same size"
        for changes in sets:
            assert [c["fact"] for c in changes] == sorted({c["fact"] for c in changes})
            assert all(values.get(c["fact"], ABSENT) != c["value"] for c in changes), "every change changes something"
            assert both(rule, {**values, **{c["fact"]: c["value"] for c in changes}}) == (target, target)
            for size in range(len(changes)):
                for subset in itertools.combinations(changes, size):
                    assert target not in both(rule, {**values, **{c["fact"]: c["value"] for c in subset}})


@needs_durable
def test_the_property_test_sees_every_target_reached() -> None:
    """Guard against a vacuous property: the shipped rules do propose sets for partial and for met, of several sizes."""
    cat = catalogue()
    sizes: dict[str, set[int]] = {"partial": set(), "met": set()}
    for rule in cat.rules():
        for target, sets in (what_it_would_take(rule, {}, cat.vocabulary) or {}).items():
            sizes[target].update(len(s) for s in sets)
    assert sizes["partial"] and len(sizes["met"]) >= 2


def test_binding_status_for_gb_2024_would_take_a_legally_binding_ratified_text() -> None:
    result = cli("explain", "binding-status", "gb-2024")
    assert result.exit_code == 0
    tail = result.stdout.split("What it would take (the smallest sets of facts; the agreement's other facts unchanged):\n")[1]
    assert tail.startswith("  to MET, any one of:\n")
    assert "    - legal.binding_strength = legally-binding (now political) and legal.ratified = true (now false)\n" in tail
    rule = find_rule(catalogue(), "binding-status")
    sets = what_it_would_take(rule, {"legal.binding_strength": "political", "legal.ratified": False}, catalogue().vocabulary)
    # since the rule-fidelity work, a legally binding text in force on signature, or one not needing ratification, is met too
    assert [{"fact": "legal.binding_strength", "value": "legally-binding"}, {"fact": "legal.ratified", "value": True}] in sets["met"]
    assert all(len(s) == 2 and {"fact": "legal.binding_strength", "value": "legally-binding"} in s for s in sets["met"])


def test_met_findings_propose_nothing_and_the_json_and_memo_show_the_sets(tmp_path: Any) -> None:
    fact_file(tmp_path / "f" / "a.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n", id="a-2024")
    fact_file(tmp_path / "f" / "b.yaml", id="b-2024")
    data = json.loads(cli("check", tmp_path / "f", "--rules", MINI, "--format", "json").stdout)
    by_id = {a["id"]: {f["rule"]: f for f in a["findings"]} for a in data["agreements"]}
    assert by_id["a-2024"]["simple"]["would_take"] == {"met": [[{"fact": "demo.flag", "value": True}]]}
    assert by_id["b-2024"]["simple"]["status"] == "met" and "would_take" not in by_id["b-2024"]["simple"]
    memo = cli("check", tmp_path / "f", "--rules", MINI, "--format", "markdown").stdout
    assert "  - would take for met: demo.flag = true (now false)\n" in memo
    text = cli("explain", "simple", str(tmp_path / "f" / "b.yaml"), "--rules", MINI).stdout
    assert "What it would take" not in text  # met: nothing to raise


def test_formats_that_do_not_show_it_do_not_work_it_out(tmp_path: Any, monkeypatch: Any) -> None:
    import obcheck.findings

    fact_file(tmp_path / "a.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n")
    calls: list[str] = []
    real = obcheck.findings.what_it_would_take
    monkeypatch.setattr(obcheck.findings, "what_it_would_take", lambda rule, *a: calls.append(rule.id) or real(rule, *a))
    assert cli("check", tmp_path, "--rules", MINI).exit_code == 0 and calls == []
    assert cli("check", tmp_path, "--rules", MINI, "--format", "csv").exit_code == 0 and calls == []
    assert cli("check", tmp_path, "--rules", MINI, "--format", "json").exit_code == 0 and "simple" in calls


def test_answers_are_kept_for_the_vocabulary_they_were_worked_out_against() -> None:
    """The same rule checked against a vocabulary whose enum allows one more value is searched again: the answer
    cached for the first vocabulary, whose values fare the same against the rule's predicates, is not reused."""
    rule = make_rule(0, Predicate("t.enum", "not_equals", "a", 1, 1))
    narrow = Vocabulary({"t.enum": PathSpec("enum", "enum", ["a", "b"])})
    wide = Vocabulary({"t.enum": PathSpec("enum", "enum", ["a", "b", "c"])})
    assert what_it_would_take(rule, {"t.enum": "a"}, narrow) == {"met": [[{"fact": "t.enum", "value": "b"}]]}
    assert what_it_would_take(rule, {"t.enum": "a"}, wide) == {
        "met": [[{"fact": "t.enum", "value": "b"}], [{"fact": "t.enum", "value": "c"}]]}


# ------------------------------------------------------------------ the class-based search against plain enumeration


def brute_force(rule: Rule, values: dict[str, Any], vocabulary: Any, budget: int) -> dict[str, list[Any]] | None:
    """What it would take, worked out the plain way: every combination of sample values through the interpreter,
    smallest first, then ordered for this agreement (the search before it was done by classes, uncached)."""
    values = {p: values[p] for p in rule.paths if p in values}
    current = outcome(rule, values, vocabulary)
    targets = [t for t in BELOW.get(current, ()) if t != "partial" or rule.partial is not None]
    if not targets:
        return {}
    samples = {p: candidates(rule, p, vocabulary) for p in rule.paths}
    domains = {p: [v for v in samples[p] if p not in values or v != values[p]] for p in rule.paths}
    found: dict[str, list[Any]] = {}
    for size in range(1, len(rule.paths) + 1):
        if all(t in found for t in targets):
            break
        this_size: dict[str, list[Any]] = {t: [] for t in targets if t not in found}
        for paths in itertools.combinations(rule.paths, size):
            budget -= math.prod(len(samples[p]) for p in paths)  # every sample value counts, the stated one too
            if budget < 0:
                return None
            for combo in itertools.product(*(domains[p] for p in paths)):
                result = outcome(rule, {**values, **dict(zip(paths, combo))}, vocabulary)
                if result in this_size:
                    this_size[result].append([{"fact": p, "value": v} for p, v in zip(paths, combo)])
        found.update({t: sets for t, sets in this_size.items() if sets})
    if "partial" in found and "met" in found and len(found["met"][0]) <= len(found["partial"][0]):
        del found["partial"]
    found = {t: found[t] for t in targets if t in found}
    near = {p for p in rule.paths if isinstance(values.get(p), (int, float)) and not isinstance(values.get(p), bool)}
    if not any(c["fact"] in near for sets in found.values() for s in sets for c in s):
        return found  # in enumeration order

    def rank(changes: list[dict[str, Any]]) -> list[tuple[int, float, int]]:
        return [(rule.paths.index(c["fact"]), abs(c["value"] - values[c["fact"]]) if c["fact"] in near else 0,
                 next(i for i, v in enumerate(samples[c["fact"]]) if type(v) is type(c["value"]) and v == c["value"]))
                for c in changes]

    return {t: sorted(sets, key=rank) for t, sets in found.items()}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=rule_and_values())
def test_the_search_gives_what_plain_enumeration_gives_on_shipped_rules(case: tuple[Rule, dict[str, Any]]) -> None:
    rule, values = case
    vocabulary = catalogue().vocabulary
    assert repr(what_it_would_take(rule, values, vocabulary)) == repr(brute_force(rule, values, vocabulary, MAX_EVALUATIONS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_the_search_gives_what_plain_enumeration_gives_on_generated_rules(data: st.DataObject) -> None:
    """Generated rules over every operator and type, and a budget small enough to be exceeded now and then (the
    answer is then None both ways). Each example's rules are new objects, so nothing cached carries over."""
    vocab = grid()
    conditions = _conditions(vocab)
    budget = data.draw(st.integers(1, 3000))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(obcheck.remedies, "MAX_EVALUATIONS", budget)
        for i in range(3):
            rule = make_rule(i, data.draw(conditions), data.draw(st.one_of(st.none(), conditions)), data.draw(st.one_of(st.none(), conditions)))
            for values in data.draw(st.lists(_grid_facts(vocab), min_size=1, max_size=4)):
                assert repr(what_it_would_take(rule, values, vocab)) == repr(brute_force(rule, values, vocab, budget)), values


@pytest.mark.parametrize("budget", [3, 4])
@pytest.mark.parametrize("order", [(19, 5), (5, 19)])
def test_the_budget_gives_one_verdict_per_signature_whatever_came_first(budget: int, order: tuple[int, int]) -> None:
    # 19 and 5 fare alike against "at least 20" (one signature, one cached answer); 19 is one of the four sample
    # values (0, 19, 20, 21) and 5 is not. Counting the budget without the stated value gave 19 three combinations
    # and 5 four, so with a budget of 3 the first one searched decided for both
    vocab = grid()
    rule = make_rule(0, Predicate("t.integer", "at_least", 20, 1, 1))
    assert candidates(rule, "t.integer", vocab) == [0, 19, 20, 21]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(obcheck.remedies, "MAX_EVALUATIONS", budget)
        answers = [what_it_would_take(rule, {"t.integer": x}, vocab) for x in order]
    expected = None if budget == 3 else {"met": [[{"fact": "t.integer", "value": 20}], [{"fact": "t.integer", "value": 21}]]}
    assert answers == [expected, expected]
