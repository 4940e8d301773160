"""Ways of driving durable_rules, timed on the same pre-parsed agreements (the engine floor's setting), with the
outcomes of each checked against the default's: the cheapest correct variant is the one obcheck uses.

    python bench/variants.py FACTS_DIR [ROUNDS]   # prints JSON: variant -> best seconds (or why it is unusable)
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from obcheck.compiler import Compiled, compile_rules, engine_fact
from obcheck.engine import DurableEngine, durable_rules_engine
from obcheck.facts import load_agreement
from obcheck.rules import load_catalogue


def sharded(compiled: Compiled) -> Compiled:
    """One ruleset per rule instead of one for all: smaller rulesets, but an assert call per rule."""
    rules, rulesets = [], []
    for i, rule in enumerate(compiled.rules):
        whole = compiled.rulesets[rule.shard]
        rulesets.append({name: body for name, body in whole.items() if name.startswith(f"{rule.crit}|")})
        rules.append(dataclasses.replace(rule, shard=i))  # a copy keeps what the rule has (applies_when, partial)
    return Compiled(tuple(rules), tuple(rulesets))


def per_fact(engine: DurableEngine) -> Callable[[str, dict[str, Any]], dict[tuple[str, str], str]]:
    """Each (agreement, rule) fact asserted on its own call: one round trip per fact instead of one batch."""
    original = engine.fire

    def fire(shard: int, facts: list[dict[str, Any]], agreement_id: str) -> list[tuple[str, str]]:
        return [hit for fact in facts for hit in original(shard, [fact], agreement_id)]

    engine.fire = fire  # type: ignore[method-assign]
    return engine.evaluate


def retracting(engine: DurableEngine, vocabulary: Any) -> Callable[[str, dict[str, Any]], dict[tuple[str, str], str]]:
    """One session for the whole run; each agreement's facts are retracted after use instead of deleting its session."""
    from obcheck.engine import _resolve
    from obcheck.outcomes import outcome

    def evaluate(agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]:
        fired: dict[str, set[str]] = {}
        for shard, rules in sorted(engine._by_shard.items()):
            facts = [engine_fact(rule, values, vocabulary, agreement_id) for rule in rules]
            for fact in facts:
                fact["sid"] = "run"
            for _, name in engine.fire(shard, facts, agreement_id):
                crit, _, condition = name.rpartition("|")
                fired.setdefault(crit, set()).add(condition)
            durable_rules_engine.retract_facts(engine._handles[shard], json.dumps(facts, ensure_ascii=False))
        return {(r.pack, r.rule): str(outcome(_resolve(r, agreement_id, fired.get(r.crit, set())))) for r in engine.compiled.rules}

    return evaluate


def main(folder: Path, rounds: int = 3) -> dict[str, Any]:
    catalogue = load_catalogue([ROOT / "rules"])
    vocabulary = catalogue.vocabulary
    compiled = compile_rules(list(catalogue.rules()), vocabulary)
    agreements = [load_agreement(f, vocabulary) for f in sorted(folder.glob("*.yaml"))]
    variants: dict[str, Callable[[], Callable[[str, dict[str, Any]], dict[tuple[str, str], str]]]] = {
        "one ruleset, a session per agreement, facts in one batch (obcheck)": lambda: DurableEngine(compiled, vocabulary).evaluate,
        "a ruleset per rule (41 rulesets), a batch per ruleset": lambda: DurableEngine(sharded(compiled), vocabulary).evaluate,
        "one ruleset, each fact asserted on its own": lambda: per_fact(DurableEngine(compiled, vocabulary)),
        "one ruleset, one session for the run, facts retracted after each agreement": lambda: retracting(DurableEngine(compiled, vocabulary), vocabulary),
        "a ruleset per rule, one session for the run, facts retracted": lambda: retracting(DurableEngine(sharded(compiled), vocabulary), vocabulary),
    }
    out: dict[str, Any] = {}
    reference = [DurableEngine(compiled, vocabulary).evaluate(a.id, a.values) for a in agreements]
    for _ in range(rounds):  # rounds interleave the variants, and each keeps its best: noise only adds time
        for name, make in variants.items():
            if isinstance(out.get(name), str):
                continue
            evaluate = make()
            try:
                start = time.perf_counter()
                results = [evaluate(a.id, a.values) for a in agreements]
                seconds = time.perf_counter() - start
            except Exception as exc:  # noqa: BLE001 - a variant that fails is a result too
                out[name] = f"failed: {exc}"
                continue
            if results != reference:
                out[name] = f"outcomes differ from obcheck's ({seconds:.2f} s)"
                continue
            out[name] = min(seconds, out.get(name, seconds))
    return out

if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)))
