"""Measurements run inside one process, printed as JSON: the floors under each layer of a run, and obcheck's stages.

    python bench/floors.py MODE FACTS_DIR    # MODE: one of MODES below

Reading and parsing modes time the whole loop over the files (listing, reading, parsing); evaluation modes time
only the evaluation, on agreements parsed and validated by obcheck beforehand.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


def read_bytes(folder: Path) -> dict[str, float]:
    """Reading every file's bytes: the physical floor of any checker that looks at the files at all."""
    start = time.perf_counter()
    for file in files(folder):
        file.read_bytes()
    return {"seconds": time.perf_counter() - start}


def events(folder: Path) -> dict[str, float]:
    """Reading each file and walking libyaml's event stream, every event a Python object with its start and end
    marks: the lower bound of any parse built on libyaml's events (obcheck's fast path, quickparse, reads the
    common files without them). Both ways of walking it are timed, the faster counts; `libyaml alone` is the C
    parser with no Python objects at all (CParser.raw_parse), for reference."""
    from yaml._yaml import CParser

    def get_event(file: Path) -> None:
        get = CParser(file.read_text(encoding="utf-8")).get_event
        while get() is not None:
            pass

    def generator(file: Path) -> None:
        for _ in yaml.parse(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader):
            pass

    def raw(file: Path) -> None:
        CParser(file.read_text(encoding="utf-8")).raw_parse()

    out = {}
    for name, walk in (("CParser.get_event", get_event), ("yaml.parse", generator), ("libyaml alone", raw)):
        start = time.perf_counter()
        for file in files(folder):
            walk(file)
        out[name] = time.perf_counter() - start
    out["seconds"] = min(out["CParser.get_event"], out["yaml.parse"])
    return out


def own_parse(folder: Path) -> dict[str, float]:
    """obcheck's own parse alone (`source.parse`: its read, quickparse's lines or else libyaml's events, plain
    values, every node's position kept), without validation."""
    from obcheck.source import parse

    start = time.perf_counter()
    for file in files(folder):
        parse(file)
    return {"seconds": time.perf_counter() - start}


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


def handwritten(folder: Path) -> dict[str, float]:
    """The rules hand-written as plain Python (bench/handwritten.py) over pre-loaded value dicts, after checking
    that they give the python and durable engines' outcomes on every agreement (the run stops if not)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from handwritten import checked

    evaluate, agreements = checked(folder)
    start = time.perf_counter()
    for _, values in agreements:
        evaluate(values)
    return {"seconds": time.perf_counter() - start}


def engine_truths(name: str) -> Callable[[Path], dict[str, float]]:
    """One of obcheck's engines (`Engine.truths`, as the command calls it) on pre-loaded value dicts."""

    def measure(folder: Path) -> dict[str, float]:
        from obcheck.engines import make_engine
        from obcheck.facts import load_agreement
        from obcheck.rules import load_catalogue

        catalogue = load_catalogue([ROOT / "rules"])
        engine = make_engine(name, catalogue)
        agreements = [(a.id, a.values) for a in (load_agreement(f, catalogue.vocabulary) for f in files(folder))]
        start = time.perf_counter()
        for agreement_id, values in agreements:
            engine.truths(agreement_id, values)
        seconds = time.perf_counter() - start
        engine.close()
        return {"seconds": seconds}

    return measure


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


MODES: dict[str, Callable[[Path], dict[str, float]]] = {
    "bytes": read_bytes, "events": events, "ownparse": own_parse, "parse": parse_floor,
    "handwritten": handwritten, "python": engine_truths("python"), "durable": engine_truths("durable"),
    "engine": engine_floor, "stages": stages,
}  # and "variants": bench/variants.py


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "variants":
        sys.path.insert(0, str(ROOT / "bench"))
        from variants import main as variants

        print(json.dumps(variants(folder)))
    else:
        print(json.dumps(MODES[mode](folder)))
