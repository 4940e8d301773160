"""Where a durable run's time goes: cProfile of `obcheck check DIR --format json`, its time grouped by stage.

    python bench/layers.py FACTS_DIR [SAMPLE]   # profile the first SAMPLE files (default 200); prints JSON

Each function's own time (cProfile's tottime) goes to the stage of the module it is in (STAGES). Code that
serves several stages -- the standard library (json, re, dataclasses), builtins, C methods, SHARED -- is charged to the
stages that called it, in proportion to the time it spent for each caller, one call level at a time up to the
first function of a staged module (cProfile records callers, not whole stacks). Module-level code (`<module>`,
imports at start-up) is `other`, as is everything outside the stages: the CLI, loading the rules, listing files.
"""

from __future__ import annotations

import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORDER = ("parse", "validate", "engine", "findings", "would_take", "render", "cache", "other")
# a module (obcheck's by name, others by top-level package) -> its stage
STAGES = {
    "obcheck.source": "parse", "obcheck.quickparse": "parse", "yaml": "parse", "_yaml": "parse",
    "obcheck.facts": "validate", "obcheck.validation": "validate", "obcheck.vocabulary": "validate",
    "obcheck.file_models": "validate", "obcheck.ids": "validate", "pydantic": "validate", "pydantic_core": "validate",
    "obcheck.engine": "engine", "obcheck.engines": "engine", "obcheck.compiler": "engine",
    "durable": "engine", "durable_rules_engine": "engine",
    "obcheck.findings": "findings", "obcheck.model": "findings", "obcheck.texts": "findings", "obcheck.cues": "findings",
    "obcheck.precedents": "findings", "obcheck.ranking": "findings", "obcheck.waivers": "findings",
    "obcheck.remedies": "would_take",
    "obcheck.reporters": "render", "obcheck.output": "render",
    "obcheck.cache": "cache", "pickle": "cache", "_pickle": "cache",
    "obcheck": "other", "click": "other",
}
# obcheck modules several stages call, charged to their callers like the standard library: in a durable run the
# interpreter and the operators serve would_take's search, the fact types both validation and that search
SHARED = frozenset(("obcheck.interpreter", "obcheck.operators", "obcheck.outcomes", "obcheck.fact_types", "obcheck.errors"))
Func = tuple[str, int, str]


def module(func: Func) -> str | None:
    """The dotted module of a profiled function (a C method's by its type's module), or None if unknown."""
    filename, _, name = func
    if filename == "~":  # a builtin or C method: "<method 'get_event' of '_yaml.CParser' objects>"
        if " of '" in name:
            return name.split(" of '", 1)[1].split("'", 1)[0].rsplit(".", 1)[0]
        if name.startswith("<built-in method ") and "." in name:
            return name.removeprefix("<built-in method ").split(".", 1)[0]
        return None
    parts = Path(filename).with_suffix("").parts
    for top in ("obcheck", "yaml", "pydantic", "pydantic_core", "durable", "click"):
        if top in parts:
            i = len(parts) - 1 - parts[::-1].index(top)
            return ".".join(parts[i:])
    return None


def stage_of(func: Func) -> str | None:
    """The stage a function's own time belongs to, or None: charge it to its callers."""
    if func[2] == "<module>":
        return "other"
    name = module(func)
    if name in SHARED:
        return None
    while name:
        if name in STAGES:
            return STAGES[name]
        name = name.rpartition(".")[0]
    return None


def breakdown(stats: dict[Func, Any]) -> dict[str, float]:
    """Seconds of profiled time per stage."""
    shares: dict[Func, dict[str, float]] = {}

    def share(func: Func, visiting: frozenset[Func]) -> dict[str, float]:
        """How a function's time divides among the stages (fractions summing to 1)."""
        if func in shares:
            return shares[func]
        stage = stage_of(func)
        if stage is not None:
            result = {stage: 1.0}
        else:
            callers = {c: edge for c, edge in stats[func][4].items() if c not in visiting and c in stats}
            weights = {c: edge[2] or edge[1] for c, edge in callers.items()}  # its own time for that caller, else calls
            total = sum(weights.values())
            result = {}
            for caller, weight in weights.items():
                for s, f in share(caller, visiting | {func}).items():
                    result[s] = result.get(s, 0.0) + f * weight / total
            result = result or {"other": 1.0}
        if not visiting:  # memoise only answers not cut short by a cycle
            shares[func] = result
        return result

    out = dict.fromkeys(ORDER, 0.0)
    for func, (_, _, tottime, _, _) in stats.items():
        for s, f in share(func, frozenset()).items():
            out[s] += tottime * f
    return out


def profile(folder: Path, sample: int = 200) -> dict[str, float]:
    """Profile `obcheck check` (durable, JSON) on a copy of the folder's first `sample` files; seconds per stage,
    with `agreements` and `profiled` (the profile's total, slower than an unprofiled run)."""
    with tempfile.TemporaryDirectory() as tmp:  # a cold run: its cache starts empty (and is filled: part of the cost)
        corpus = Path(tmp) / "sample"
        corpus.mkdir()
        chosen = sorted(folder.glob("*.yaml"))[:sample]
        for file in chosen:
            shutil.copyfile(file, corpus / file.name)
        out = Path(tmp) / "profile.out"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        command = [sys.executable, "-m", "cProfile", "-o", str(out), "-m", "obcheck", "check", str(corpus),
                   "--format", "json", "--output", str(Path(tmp) / "report.json"), "--cache-dir", str(Path(tmp) / "cache")]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise SystemExit(f"profiling failed ({done.returncode}): {done.stderr[-2000:]}")
        stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    result = breakdown(stats)
    result["profiled"] = sum(result[s] for s in ORDER)
    result["agreements"] = float(len(chosen))
    return result


if __name__ == "__main__":
    print(json.dumps(profile(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200)))
