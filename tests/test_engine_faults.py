"""durable_rules faults surface as clear internal errors naming the rule and agreement, never as a missing finding."""

from __future__ import annotations

from dataclasses import replace

import pytest

from obcheck import engine as durable
from obcheck.compiler import Compiled, compile_rules
from obcheck.errors import InternalError
from obcheck.rules import load_catalogue
from tests.conftest import FIXTURES, MINI, cli

pytestmark = pytest.mark.skipif(not durable.available(), reason="durable_rules not importable here")


def compiled() -> tuple[Compiled, object]:
    cat = load_catalogue([MINI])
    return compile_rules(list(cat.rules()), cat.vocabulary), cat.vocabulary


def test_a_malformed_ruleset_names_the_rule() -> None:
    c, vocab = compiled()
    bad = dict(c.rulesets[0])
    bad["mini/simple|met"] = {"all": [{"m": {"$and": [{"crit": "mini/simple"}, {"demo.flag": [True, False]}]}}]}  # a list value: error 102
    with pytest.raises(InternalError, match=r"rejected rule mini/simple\|met .*102"):
        durable.DurableEngine(replace(c, rulesets=(bad,)), vocab)


def test_a_pattern_that_would_loop_is_refused_before_durable_sees_it() -> None:
    c, vocab = compiled()
    bad = dict(c.rulesets[0])
    bad["mini/simple|gap"] = {"all": [{"m": {"$nex": {"demo.flag": 1}}}]}
    with pytest.raises(InternalError, match=r"rule mini/simple\|gap has no positive test first"):
        durable.DurableEngine(replace(c, rulesets=(bad,)), vocab)


def test_a_fault_while_taking_firings_names_rule_and_agreement(monkeypatch: pytest.MonkeyPatch) -> None:
    c, vocab = compiled()
    eng = durable.DurableEngine(c, vocab)

    def boom(handle: int, state: int) -> None:
        raise Exception("error code: 101")  # noqa: TRY002 - durable_rules raises bare Exception; this imitates it

    monkeypatch.setattr(durable.durable_rules_engine, "complete_and_start_action", boom)
    with pytest.raises(InternalError, match=r"after rule mini/\w+\|\w+ fired on agreement a-1: error code: 101"):
        eng.evaluate("a-1", {"demo.flag": True})


def test_a_firing_on_another_rules_fact_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine reads a firing's fact by the text its rule's own fact starts with; a fact that is not that one
    (here: one whose id is not its rule's) goes to the parser and the id check, which stops the run."""
    c, vocab = compiled()
    eng = durable.DurableEngine(c, vocab)
    original = eng._texts.batch

    def misnamed(*args: object) -> tuple[str, dict[str, tuple[str, str]]]:
        text, heads = original(*args)  # type: ignore[arg-type]
        return text.replace('"id": "a-1|mini/simple"', '"id": "a-1|mini/elsewhere"', 1), heads

    monkeypatch.setattr(eng._texts, "batch", misnamed)
    with pytest.raises(InternalError, match=r"rule mini/simple\|\w+ fired for fact a-1\|mini/elsewhere: facts merged across rules"):
        eng.evaluate("a-1", {"demo.flag": True})


def test_facts_that_merge_are_an_internal_error() -> None:
    """Two compiled rules with one discriminator would assert the same fact id twice."""
    c, vocab = compiled()
    twin = replace(c.rules[1], rule="twin")
    with pytest.raises(InternalError, match="rules share the discriminator mini/simple: their facts would merge"):
        durable.DurableEngine(replace(c, rules=(*c.rules, twin)), vocab)


def test_a_missing_outcome_stops_the_run_with_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    original = durable.DurableEngine.truths

    def lossy(self, agreement_id, values):  # type: ignore[no-untyped-def]
        out = original(self, agreement_id, values)
        out.pop(next(iter(out)))
        return out

    monkeypatch.setattr(durable.DurableEngine, "truths", lossy)
    result = cli("check", FIXTURES / "corpus", "--rules", MINI, "--format", "json")
    assert result.exit_code == 3 and result.stdout == ""
    assert "did not evaluate exactly the rules of the run" in result.stderr and "please report it" in result.stderr
