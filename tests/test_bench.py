"""The benchmark cannot rot: its script runs end to end at N = 50 (timings are recorded, never asserted)."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from obcheck.compiler import compile_rules
from obcheck.engine import DurableEngine
from obcheck.interpreter import PythonEngine
from tests.conftest import ROOT


def bench_module(name: str) -> ModuleType:
    """A module of bench/ (not a package), imported from its file."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.ci
def test_benchmark_runs_at_small_size(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "50", "--repeat", "1", "--startup-repeat", "1", "--out", str(out), "--data", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    for row in ("read the bytes", "libyaml events, positions kept", "obcheck's own parse, positions kept",
                "parse floor (PyYAML C loader)", "hand-written rules on parsed values", "python engine on parsed values",
                "durable engine on parsed values", "engine floor (durable_rules)", "obcheck, durable", "obcheck, python",
                "obcheck, durable, warm cache", "warm cache <= 0.25 x cold", "import yaml, pydantic, click", "| cache |",
                "Rego (regopy), end to end", "--jobs 2", "load with positions", "Ways of driving durable_rules",
                "## Layers", "÷ CSafeLoader parse", "### Where a durable run's time goes", "| would_take |", "## Targets"):
        assert row in text
    assert "outcomes differ" not in text  # every durable variant gives obcheck's outcomes
    assert len(list((tmp_path / "data" / "50").glob("*.yaml"))) == 50


@pytest.mark.ci
def test_handwritten_rules_match_both_engines_and_a_wrong_one_is_refused() -> None:
    handwritten = bench_module("handwritten")
    evaluate, agreements = handwritten.checked(ROOT / "facts")  # raises SystemExit on any difference
    assert len(agreements) > 10
    outcomes = {o for _, values in agreements for o in evaluate(values).values()}
    assert outcomes == {"met", "partial", "gap", "unknown"}

    def wrong(values: dict) -> dict:  # one rule's outcome flipped for one agreement
        out = evaluate(values)
        if values is agreements[0][1]:
            key = next(iter(out))
            out[key] = "gap" if out[key] != "gap" else "met"
        return out

    rules, vocabulary, _ = handwritten.load(ROOT / "facts")
    with pytest.raises(SystemExit, match="outcomes differ from the python engine"):
        handwritten.check(wrong, agreements, {"python": PythonEngine(rules, vocabulary)})


@pytest.mark.ci
def test_handwritten_applies_when_matches_both_engines() -> None:
    """No shipped rule has applies_when: give each one another rule's condition as its own, so that the generated
    not_applicable branch is checked against both engines too."""
    handwritten = bench_module("handwritten")
    rules, vocabulary, agreements = handwritten.load(ROOT / "facts")
    rules = [dataclasses.replace(rule, applies_when=rules[(i + 1) % len(rules)].met) for i, rule in enumerate(rules)]
    evaluate = handwritten.build(rules, vocabulary)
    durable = DurableEngine(compile_rules(rules, vocabulary), vocabulary)
    try:
        handwritten.check(evaluate, agreements, {"python": PythonEngine(rules, vocabulary), "durable": durable})
    finally:
        durable.close()
    outcomes = {o for _, values in agreements for o in evaluate(values).values()}
    assert outcomes == {"met", "partial", "gap", "unknown", "not_applicable"}  # every branch of the precedence taken


@pytest.mark.ci
def test_profile_time_of_shared_code_goes_to_the_stages_that_called_it() -> None:
    layers = bench_module("layers")
    parse = ("/x/src/obcheck/source.py", 1, "parse")
    search = ("/x/src/obcheck/remedies.py", 1, "_search")
    interpreter = ("/x/src/obcheck/interpreter.py", 1, "evaluate")
    isinstance_ = ("~", 0, "<built-in method builtins.isinstance>")
    libyaml = ("~", 0, "<method 'get_event' of '_yaml.CParser' objects>")
    stats = {  # func: (calls, primitive calls, own time, cumulative time, {caller: (.., .., own time for it, ..)})
        parse: (1, 1, 1.0, 4.0, {}),
        search: (1, 1, 2.0, 7.0, {}),
        interpreter: (9, 9, 4.0, 5.0, {search: (9, 9, 4.0, 5.0)}),
        isinstance_: (9, 9, 1.0, 1.0, {parse: (3, 3, 0.25, 0.25), interpreter: (6, 6, 0.75, 0.75)}),
        libyaml: (5, 5, 3.0, 3.0, {parse: (5, 5, 3.0, 3.0)}),
    }
    out = layers.breakdown(stats)
    assert out["parse"] == pytest.approx(1.0 + 0.25 + 3.0)
    assert out["would_take"] == pytest.approx(2.0 + 4.0 + 0.75)  # the interpreter serves would_take's search here
    assert sum(out.values()) == pytest.approx(11.0)
