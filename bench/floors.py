"""Measurements run inside one process, printed as JSON: the parse floor, the engine floor, obcheck's stages.

    python bench/floors.py parse|engine|stages|variants FACTS_DIR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def parse_floor(folder: Path) -> dict[str, float]:
    """Reading and parsing the same files with PyYAML's C loader alone: what any YAML tool must pay."""
    start = time.perf_counter()
    for file in files(folder):
        yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return {"seconds": time.perf_counter() - start}


def engine_floor(folder: Path) -> dict[str, float]:
    """durable_rules alone, driven exactly as obcheck drives it, on facts parsed, validated and shaped beforehand."""
    from obcheck.compiler import compile_rules, engine_fact
    from obcheck.engine import DurableEngine
    from obcheck.facts import load_agreement
    from obcheck.rules import load_catalogue

    catalogue = load_catalogue([ROOT / "rules"])
    compiled = compile_rules(list(catalogue.rules()), catalogue.vocabulary)
    engine = DurableEngine(compiled, catalogue.vocabulary)
    prepared = []
    for file in files(folder):
        a = load_agreement(file, catalogue.vocabulary)
        prepared.append([engine_fact(r, a.values, catalogue.vocabulary, a.id) for r in compiled.rules])
    for i, facts in enumerate(prepared):
        for fact in facts:
            fact["sid"] = str(i)
    start = time.perf_counter()
    for i, facts in enumerate(prepared):
        engine.fire(0, facts, "floor")  # assert, then take the firings, as obcheck does
        engine._delete(0, str(i))
    return {"seconds": time.perf_counter() - start}


def stages(folder: Path) -> dict[str, float]:
    """obcheck's own stages on the same files, each timed on its own, agreement by agreement as the command
    streams them (holding every parsed file at once, as an earlier version did, made garbage collection
    dominate and grow faster than N)."""
    from obcheck.compiler import compile_rules
    from obcheck.engine import DurableEngine
    from obcheck.facts import load_agreement
    from obcheck.findings import agreement_report
    from obcheck.reporters.json_report import line
    from obcheck.rules import load_catalogue
    from obcheck.source import parse, read_text

    catalogue = load_catalogue([ROOT / "rules"])
    rules = list(catalogue.rules())
    out = dict.fromkeys(("load with positions", "validate", "compile", "evaluate", "findings", "render"), 0.0)
    clock = time.perf_counter
    start = clock()
    engine = DurableEngine(compile_rules(rules, catalogue.vocabulary), catalogue.vocabulary)
    out["compile"] = clock() - start
    for file in files(folder):
        text = read_text(file)
        t0 = clock()
        parse(file, text)
        t1 = clock()
        agreement = load_agreement(file, catalogue.vocabulary, text)  # parses again: validate is the difference
        t2 = clock()
        outcomes = engine.truths(agreement.id, agreement.values)
        t3 = clock()
        report = agreement_report(agreement, rules, outcomes)
        t4 = clock()
        line(report)
        t5 = clock()
        out["load with positions"] += t1 - t0
        out["validate"] += (t2 - t1) - (t1 - t0)
        out["evaluate"] += t3 - t2
        out["findings"] += t4 - t3
        out["render"] += t5 - t4
    engine.close()
    return out


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "variants":
        sys.path.insert(0, str(ROOT / "bench"))
        from variants import main as variants

        print(json.dumps(variants(folder)))
    else:
        print(json.dumps({"parse": parse_floor, "engine": engine_floor, "stages": stages}[mode](folder)))
