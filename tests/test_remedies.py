"""What it would take: the smallest change sets really give the promised outcome on both engines, and no proper subset does."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcheck.explain import find_rule
from obcheck.interpreter import outcome
from obcheck.remedies import BELOW, candidates, what_it_would_take
from obcheck.rules import Rule
from tests.conftest import MINI, cli, fact_file
from tests.test_engines import catalogue, engines, needs_durable, value_strategy

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
