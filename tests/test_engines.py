"""The durable_rules engine against the interpreter oracle, the compiler's output, and the engine's guards."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcheck import engine as durable
from obcheck.compiler import FactTexts, compile_rules, engine_fact
from obcheck.errors import InputError
from obcheck.fact_types import MAX_STRING_BYTES
from obcheck.interpreter import PythonEngine
from obcheck.outcomes import decide
from obcheck.rules import Catalogue, load_catalogue
from tests.conftest import FIXTURES, MINI, ROOT

LIMITS = FIXTURES / "limits-pack"  # rules at durable_rules' limits: a 65,535-byte text, 64 branches
LONGEST = "x" * (MAX_STRING_BYTES - 2) + "é"  # the constant of limits/long-text: 65,535 UTF-8 bytes

needs_durable = pytest.mark.skipif(not durable.available(), reason=f"durable_rules not importable: {durable.IMPORT_ERROR}")


@cache
def catalogue() -> Catalogue:
    """Every shipped pack, the test pack that uses every operator, and the pack at durable_rules' limits."""
    return load_catalogue([ROOT / "rules", MINI, LIMITS])


@cache
def engines() -> tuple[Any, PythonEngine]:
    cat = catalogue()
    rules = list(cat.rules())
    return durable.DurableEngine(compile_rules(rules, cat.vocabulary), cat.vocabulary), PythonEngine(rules, cat.vocabulary)


def value_strategy(spec: Any) -> st.SearchStrategy[Any]:
    """Valid values of a vocabulary type, crowded around the thresholds rules use."""
    kind = spec.type
    if kind == "bool":
        return st.booleans()
    if kind == "integer":
        # 62 and 63: the ends of limits/wide-in's 63-value in-list (64 branches, durable_rules' most)
        return st.one_of(st.sampled_from([0, 9, 10, 11, 23, 24, 25, 62, 63, 71, 72, 73]), st.integers(-(2**53) + 1, 2**53 - 1))
    if kind == "number":
        # the vocabulary's supported range: 0, or 1e-4 <= |x| < 1e15 (see vocabulary.py)
        magnitude = st.floats(1e-4, 1e15, exclude_max=True)
        return st.one_of(st.sampled_from([0.0, 0.5, 1.0]), magnitude, magnitude.map(lambda x: -x))
    if kind == "string":
        # short texts, and texts at durable_rules' 16-bit length limit (65,535 UTF-8 bytes): equal to the longest
        # constant, one character short of it, differing only in its last character, or as long in other bytes
        edge = st.sampled_from([LONGEST, LONGEST[:-1], LONGEST[:-1] + "y", "x" * MAX_STRING_BYTES, "é" * (MAX_STRING_BYTES // 2), "x"])
        return st.one_of(st.text(max_size=12), edge, st.text(max_size=12).map(lambda t: _fit(LONGEST[: -len(t) - 1] + t)))
    if kind == "date":
        return st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10)
    if kind == "list":
        return st.lists(st.sampled_from(spec.values), unique=True)
    return st.sampled_from(spec.values)


def _fit(text: str) -> str:
    """`text` cut until obcheck lets it reach the engine (at most MAX_STRING_BYTES as the engine's JSON holds it)."""
    from obcheck.fact_types import string_problem

    while string_problem(text):
        text = text[:-1]
    return text


@cache
def fact_sets() -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the vocabulary's paths (absent facts must agree too), each with a valid value."""
    vocab = catalogue().vocabulary
    return st.fixed_dictionaries({}, optional={path: value_strategy(spec) for path, spec in vocab.paths.items()})


@needs_durable
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(values=st.deferred(lambda: fact_sets()))
def test_durable_and_interpreter_agree_on_every_rule(values: dict[str, Any]) -> None:
    fast, oracle = engines()
    assert fast.truths("generated", values) == oracle.truths("generated", values)


@needs_durable
@pytest.mark.ci
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(values=st.deferred(lambda: fact_sets()))
def test_every_shipped_rule_agrees_at_length(values: dict[str, Any]) -> None:
    """The same property, thousands of examples: CI runs it after the default suite."""
    fast, oracle = engines()
    assert fast.truths("generated", values) == oracle.truths("generated", values)


# Text built to look like the engine's own framing: quotes, braces, '|', a rule name and a fact id.
AWKWARD = st.one_of(
    st.text(alphabet=st.sampled_from('"\\|{}:,m é\n'), max_size=24),
    st.sampled_from(['"}}', '", "id": "x|mini/simple"', '":{"m":{"id": "a|b", "crit": "b"', "mini/simple|met_true", "\\u0022"]),
)


def awkward_sets() -> st.SearchStrategy[dict[str, Any]]:
    """Fact sets whose every text value is awkward in JSON."""
    vocab = catalogue().vocabulary
    return st.fixed_dictionaries({}, optional={
        path: AWKWARD if spec.type == "string" else value_strategy(spec) for path, spec in vocab.paths.items()})


@needs_durable
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(values=st.deferred(awkward_sets), agreement_id=st.one_of(st.just("a-1"), AWKWARD))
def test_firings_are_read_without_parsing_them_whatever_the_facts_hold(values: dict[str, Any], agreement_id: str) -> None:
    """The engine reads each firing's rule and fact from the head of the action text (see DurableEngine._fire):
    values and ids made of JSON's own punctuation neither fool it nor send it to the parser."""
    fast, oracle = engines()

    def refused(text: str) -> Any:
        raise AssertionError(f"a firing was parsed: {text[:200]}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(durable.json, "loads", refused)
        assert fast.truths(agreement_id, values) == oracle.truths(agreement_id, values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(values=st.deferred(awkward_sets), agreement_id=st.one_of(st.just("a-1"), AWKWARD), sid=st.sampled_from(["1", "12"]))
def test_fact_texts_are_what_json_writes_for_the_engine_facts(values: dict[str, Any], agreement_id: str, sid: str) -> None:
    cat = catalogue()
    compiled = compile_rules(list(cat.rules()), cat.vocabulary)
    texts = FactTexts(compiled.rules, cat.vocabulary)
    text, heads = texts.batch(compiled.rules, texts.properties(values), agreement_id, sid)
    facts = [{**engine_fact(rule, values, cat.vocabulary, agreement_id), "sid": sid} for rule in compiled.rules]
    assert text == json.dumps(facts, ensure_ascii=False)
    assert {crit: fact_id for crit, (fact_id, _) in heads.items()} == {f["crit"]: f["id"] for f in facts}
    assert all(json.dumps(f, ensure_ascii=False).startswith(heads[f["crit"]][1] + ", ") for f in facts)


@needs_durable
def test_the_differential_test_reaches_every_outcome() -> None:
    """Guard against a vacuous property test: the generator must produce each outcome of the test pack."""
    fast, _ = engines()
    seen = set()
    for values in (
        {"demo.code": "MAYBE", "demo.day": "2023-01-01"},
        {"demo.code": "NO", "demo.level": "high", "demo.hours": 24, "demo.tags": [], "demo.share": 1.0},
        {"demo.code": "NO", "demo.level": "low", "demo.flag": True},
        {"demo.code": "NO", "demo.level": "low", "demo.flag": False, "demo.tags": ["b"], "demo.hours": 30},
        {"demo.code": "NO"},
    ):
        seen.add(fast.evaluate("x", values)[("mini", "operators")])
    assert seen == {"not_applicable", "met", "partial", "gap", "unknown"}


def test_decide_precedence() -> None:
    assert decide(False, None, None, True) == "not_applicable"
    assert decide(None, True, True, True) == "unknown"
    assert decide(True, None, True, True) == "unknown"
    assert decide(True, True, None, True) == "met"
    assert decide(True, False, None, True) == "unknown"
    assert decide(True, False, True, True) == "partial"
    assert decide(True, False, False, True) == "gap"
    assert decide(True, False, None, False) == "gap"


def test_compiled_test_pack_matches_golden(update_golden: bool) -> None:
    """The compiler is pure: the same rules give the same ruleset JSON, reviewed in tests/golden/."""
    cat = load_catalogue([MINI])
    compiled = compile_rules(list(cat.rules()), cat.vocabulary)
    text = json.dumps({"rulesets": compiled.rulesets, "reads": [[r.prop for r in c.reads] for c in compiled.rules]}, indent=2, sort_keys=True) + "\n"
    golden = ROOT / "tests" / "golden" / "mini-pack.compiled.json"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()


def test_every_pattern_starts_with_a_positive_test() -> None:
    """A pattern without one re-fires forever in durable_rules; the discriminator comes first in all of them."""
    cat = catalogue()
    compiled = compile_rules(list(cat.rules()), cat.vocabulary)
    for ruleset in compiled.rulesets:
        for name, body in ruleset.items():
            pattern = body["all"][0]["m"]
            first = pattern["$and"][0] if "$and" in pattern else pattern
            assert list(first) == ["crit"] and name.startswith(first["crit"] + "|")
    assert "\"$ne\"" not in json.dumps(compiled.rulesets)  # the silent typo for $neq


def test_engine_fact_holds_only_what_the_rule_reads() -> None:
    cat = load_catalogue([MINI])
    compiled = compile_rules(list(cat.rules()), cat.vocabulary)
    simple = next(r for r in compiled.rules if r.rule == "simple")
    fact = engine_fact(simple, {"demo.flag": True, "demo.level": "high"}, cat.vocabulary, "a-1")
    assert fact == {"id": "a-1|mini/simple", "crit": "mini/simple", "demo.flag": True}


def test_a_rule_too_complex_for_durable_is_a_located_compile_error(tmp_path) -> None:
    cat = load_catalogue([MINI])
    rule = next(r for r in cat.rules() if r.id == "operators")
    from dataclasses import replace

    from obcheck.rules import AnyOf

    wide = AnyOf(tuple(AnyOf((rule.met, rule.partial)) for _ in range(40)))
    with pytest.raises(InputError) as info:
        compile_rules([replace(rule, met=wide)], cat.vocabulary)
    assert "operators.yaml" in str(info.value) and "too complex for durable_rules" in str(info.value)


@needs_durable
def test_many_agreements_do_not_exhaust_durable_sessions() -> None:
    """Each agreement's session is deleted: far more than the 1,024-session limit run cleanly."""
    fast, _ = engines()
    values = {"demo.flag": True}
    for i in range(1100):
        assert fast.evaluate(f"a-{i}", values)[("mini", "simple")] == "met"


@needs_durable
def test_texts_at_durable_rules_length_limit_compare_exactly() -> None:
    """At 65,535 bytes durable_rules still compares texts right; beyond it the length wraps, which is why the
    loader refuses longer texts (tests/bad_inputs: long-string-fact, long-string-in-rule)."""
    fast, oracle = engines()
    for value, want in ((LONGEST, "met"), (LONGEST[:-1], "gap"), (LONGEST[:-1] + "y", "gap"), ("x", "gap")):
        values = {"limits.text": value}
        assert fast.evaluate("edge", values)[("limits", "long-text")] == want
        assert oracle.evaluate("edge", values)[("limits", "long-text")] == want
    for n, want in ((62, "met"), (63, "gap"), (0, "met")):
        assert fast.evaluate("wide", {"limits.count": n})[("limits", "wide-in")] == want


def test_a_text_beyond_durable_rules_length_limit_never_reaches_it() -> None:
    vocab = catalogue().vocabulary
    assert vocab.check("limits.text", LONGEST) is None
    assert "65,536 bytes long" in (vocab.check("limits.text", LONGEST + "x") or "")
    assert "65,537 bytes long" in (vocab.check("limits.text", "é" * 32_768 + "z") or "")


# ------------------------------------------------------------------ every operator on every fact type, generated rules

from dataclasses import replace

from obcheck.fact_types import FACT_TYPES
from obcheck.operators import OPERATORS
from obcheck.rules import All, AnyOf, Not, Predicate, Rule
from obcheck.vocabulary import PathSpec, Vocabulary

# An operand of each scalar type, and a second one for lists of values; a new fact type needs its entries here.
OPERAND = {"bool": True, "integer": 5, "number": 0.5, "string": "x", "date": "2024-01-01", "enum": "b", "ordered_enum": "b"}
OTHER = {"bool": False, "integer": 7, "number": 2.0, "string": "y", "date": "2025-06-30", "enum": "c", "ordered_enum": "c"}


@cache
def grid() -> Vocabulary:
    """One path per registered fact type, so generated rules can pair every operator with every type."""
    return Vocabulary({
        f"t.{name}": PathSpec(name, name, ["a", "b", "c"] if t.with_values else None)
        for name, t in FACT_TYPES.items()
    })


def operands(op: str, kind: str) -> list[Any]:
    return {
        "value": [OPERAND.get(kind)], "values": [[OPERAND.get(kind), OTHER.get(kind)]], "member": ["b"],
        "true": [True], "count": [0, 1, 2, 3],
    }[OPERATORS[op].operand]


def pairs() -> list[tuple[str, str]]:
    return [(op, kind) for op, o in OPERATORS.items() for kind in FACT_TYPES if kind in o.types]


@cache
def template() -> Rule:
    return next(r for r in load_catalogue([MINI]).rules() if r.id == "simple")


def make_rule(i: int, met: Any, partial: Any = None, applies: Any = None) -> Rule:
    return replace(template(), id=f"g{i}", pack="grid", met=met, partial=partial, applies_when=applies)


def test_every_type_has_test_operands() -> None:
    scalar = [k for k in FACT_TYPES if k != "list"]
    assert set(scalar) <= set(OPERAND) and set(scalar) <= set(OTHER), "a new fact type needs operands in this test"
    assert all(kind in FACT_TYPES for op in OPERATORS.values() for kind in op.types)


@needs_durable
def test_every_operator_on_every_type_agrees_on_both_engines() -> None:
    """Exhaustive over each pair's sample domain: the predicate, and its negation (the compiler's 'surely false')."""
    vocab = grid()
    rules: list[Rule] = []
    for op, kind in pairs():
        for operand in operands(op, kind):
            pred = Predicate(f"t.{kind}", op, operand, 1, 1)
            rules += [make_rule(len(rules), pred), make_rule(len(rules) + 1, Not(pred))]
    assert {(r.met.op if isinstance(r.met, Predicate) else "") for r in rules} >= set(OPERATORS)
    fast, oracle = durable.DurableEngine(compile_rules(rules, vocab), vocab), PythonEngine(rules, vocab)
    try:
        checked = 0
        for kind, spec in vocab.paths.items():
            constants = [v for r in rules if isinstance(r.met, Predicate) and r.met.path == kind
                         for v in (r.met.value if isinstance(r.met.value, list) else [r.met.value])]
            for value in [*FACT_TYPES[spec.type].samples(constants, spec.values or []), None]:
                values = {} if value is None else {kind: value}
                assert fast.evaluate("g", values) == oracle.evaluate("g", values), (kind, value)
                checked += 1
        assert checked > 40
    finally:
        fast.close()


def _conditions(vocab: Vocabulary) -> st.SearchStrategy[Any]:
    def predicate(pair: tuple[str, str]) -> st.SearchStrategy[Any]:
        op, kind = pair
        return st.sampled_from(operands(op, kind)).map(lambda v: Predicate(f"t.{kind}", op, v, 1, 1))

    leaves = st.sampled_from(pairs()).flatmap(predicate)
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: All(tuple(ps))),
        st.lists(inner, min_size=1, max_size=3).map(lambda ps: AnyOf(tuple(ps))),
        inner.map(Not),
    ), max_leaves=6)


def _grid_facts(vocab: Vocabulary) -> st.SearchStrategy[dict[str, Any]]:
    def values(path: str, spec: PathSpec) -> st.SearchStrategy[Any]:
        near = FACT_TYPES[spec.type].samples([OPERAND.get(spec.type), OTHER.get(spec.type)], spec.values or [])
        return st.one_of(st.sampled_from(near), value_strategy(spec)) if near else value_strategy(spec)

    return st.fixed_dictionaries({}, optional={path: values(path, spec) for path, spec in vocab.paths.items()})


@needs_durable
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_rules_agree_on_both_engines(data: st.DataObject) -> None:
    _generated_rules_agree(data)


@needs_durable
@pytest.mark.ci
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_rules_agree_at_length(data: st.DataObject) -> None:
    _generated_rules_agree(data)


def _generated_rules_agree(data: st.DataObject) -> None:
    """Generated rules (met, partial, applies_when over every operator and type) on generated facts."""
    vocab = grid()
    conditions = _conditions(vocab)
    rules = []
    for i in range(4):
        met = data.draw(conditions)
        partial = data.draw(st.one_of(st.none(), conditions))
        applies = data.draw(st.one_of(st.none(), conditions))
        rules.append(make_rule(i, met, partial, applies))
    try:
        from obcheck.compiler import compile_rules as compile_
        compiled = compile_(rules, vocab)
    except InputError:
        return  # beyond durable's branch limit: refused at compile time, which is the documented behaviour
    fast, oracle = durable.DurableEngine(compiled, vocab), PythonEngine(rules, vocab)
    try:
        for values in data.draw(st.lists(_grid_facts(vocab), min_size=1, max_size=8)):
            assert fast.evaluate("g", values) == oracle.evaluate("g", values), values
    finally:
        fast.close()
