"""The benchmark: in one run on the same generated files, obcheck against the floor under each layer (reading the
bytes, a parse that keeps positions, the rules hand-written in Python, each engine alone) and Rego/regopy, with
peak memory and a profile; writes bench/RESULTS.md (measurements, the layer table, ratios, targets).

    python bench/run.py                      # N = 1,000, 10,000 and 20,000 (several minutes)
    python bench/run.py --sizes 50 --out /tmp/r.md   # the smoke test's size
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import layers

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
TARGET_N = 10_000
PROFILE_SAMPLE = 200  # agreements profiled: cProfile slows a run several-fold, and the shares settle well before
NOT_ROWS = ("stages", "variants", "profile")  # results that are tables of their own, not rows of the main one


def run(cmd: list[str]) -> dict[str, float]:
    """Run a command as a child we reap ourselves, so that its own peak memory is known."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: become the command
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.chdir(ROOT)
        os.execve(cmd[0], cmd, ENV)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}")
    return {"wall": seconds, "rss_mb": usage.ru_maxrss / 1024}


def inproc(mode: str, folder: Path) -> dict[str, float]:
    """A floors.py measurement: its own timing (JSON on stdout) plus the process's peak memory."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open(out.name, os.O_WRONLY)
            os.dup2(fd, 1)
            os.chdir(ROOT)
            os.execve(PY, [PY, str(BENCH / "floors.py"), mode, str(folder)], ENV)
        _, status, usage = os.wait4(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"floors.py {mode} failed")
        data = json.loads(Path(out.name).read_text())
    data["wall"] = time.perf_counter() - start
    data["rss_mb"] = usage.ru_maxrss / 1024
    return data


DATA = BENCH / ".data"


def dataset(n: int, data: Path) -> Path:
    folder = data / str(n)
    marker = folder / ".complete"
    if not marker.exists():
        subprocess.run([PY, str(BENCH / "generate.py"), str(n), str(folder)], check=True, env=ENV)
        marker.write_text("")
    return folder


def best(repeat: int, measure: Callable[[], dict[str, float]]) -> dict[str, float]:
    """The fastest of `repeat` runs: this machine is shared, and noise only ever adds time."""
    runs = [measure() for _ in range(repeat)]
    for r in runs:
        r.setdefault("seconds", r["wall"])
    return min(runs, key=lambda r: r["seconds"])


# The floors, each a floors.py mode timing its own loop on the same files: (row, mode).
FLOORS = [
    ("read the bytes", "bytes"),
    ("libyaml events, positions kept", "events"),
    ("obcheck's own parse, positions kept", "ownparse"),
    ("parse floor (PyYAML C loader)", "parse"),
    ("hand-written rules on parsed values", "handwritten"),
    ("python engine on parsed values", "python"),
    ("durable engine on parsed values", "durable"),
    ("engine floor (durable_rules)", "engine"),
]


def bench(n: int, jobs: bool, data: Path, repeat: int, variants: bool = False, profile: bool = False) -> dict[str, dict[str, float]]:
    """Every row on the same files. The rows that enter a target or the layer table are the best of `repeat`
    runs; Rego (a 10 x margin), the stage breakdown and the profile run once, as they take longest."""
    folder = dataset(n, data)
    tmp = Path(tempfile.mkdtemp())
    obcheck = [PY, "-m", "obcheck", "check", str(folder), "--format", "json"]
    rows: dict[str, dict[str, float]] = {}
    for name, mode in FLOORS:
        rows[name] = best(repeat, lambda mode=mode: inproc(mode, folder))
    rows["obcheck, durable"] = best(repeat, lambda: run([*obcheck, "--output", str(tmp / "d.json")]))
    rows["obcheck, python"] = best(repeat, lambda: run([*obcheck, "--engine", "python", "--output", str(tmp / "p.json")]))
    if jobs:
        rows["obcheck, durable, --jobs 2"] = best(repeat, lambda: run([*obcheck, "--jobs", "2", "--output", str(tmp / "j.json")]))
        same = (tmp / "d.json").read_bytes() == (tmp / "j.json").read_bytes()
        rows["obcheck, durable, --jobs 2"]["identical"] = float(same)
    rows["Rego (regopy), end to end"] = best(1, lambda: run([PY, str(BENCH / "rego.py"), str(folder), str(tmp / "r.json")]))
    rows["stages"] = best(1, lambda: inproc("stages", folder))
    if variants:
        rows["variants"] = inproc("variants", folder)
    if profile:
        rows["profile"] = layers.profile(folder, PROFILE_SAMPLE)
    for name in ("d.json", "p.json", "j.json", "r.json"):
        (tmp / name).unlink(missing_ok=True)  # up to 700 MB each at N = 20,000
    tmp.rmdir()
    return rows


Results = dict[int, dict[str, dict[str, float]]]


def target_n(sizes: Iterable[int]) -> int:
    """The size the targets and the layer table are read at: TARGET_N if measured, else the largest."""
    measured = set(sizes)
    return TARGET_N if TARGET_N in measured else max(measured)


def report(results: Results, repeat: int) -> str:
    sizes = sorted(results)
    lines = [
        "# Benchmark results", "",
        (f"Generated by `python bench/run.py` on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
         f"{time.strftime('%Y-%m-%d')}. Synthetic agreements from `bench/generate.py` (real fact format, ~14 KiB each, "
         "15% of facts absent, 7% unverified), evaluated against every rule in `rules/`. Times are seconds "
         "(the floors, `bench/floors.py`, time their own loop: reading and parsing rows the whole loop over the files, "
         "evaluation rows only the evaluation, on agreements parsed and validated beforehand; the rest are whole "
         f"processes), the best of {repeat} runs for every row that enters a target or the layer table; memory is peak RSS."), "",
        "| N | measurement | seconds | peak RSS MB |", "|---:|---|---:|---:|",
    ]
    for n in sizes:
        for name, row in results[n].items():
            if name not in NOT_ROWS:
                lines.append(f"| {n:,} | {name} | {row['seconds']:.2f} | {row['rss_mb']:.0f} |")
    lines += ["", "Stages of obcheck (in one process, durable engine):", "", "| N | " + " | ".join(k for k in results[sizes[0]]["stages"] if k not in ("seconds", "wall", "rss_mb")) + " |"]
    stage_keys = [k for k in results[sizes[0]]["stages"] if k not in ("seconds", "wall", "rss_mb")]
    lines.append("|---:|" + "---:|" * len(stage_keys))
    for n in sizes:
        lines.append(f"| {n:,} | " + " | ".join(f"{results[n]['stages'][k]:.2f}" for k in stage_keys) + " |")
    for n in sizes:
        if "variants" in results[n]:
            lines += ["", (f"Ways of driving durable_rules on the engine floor's pre-parsed agreements (N = {n:,}, "
                           "the best of 3 interleaved rounds; `bench/variants.py`, outcomes checked equal to obcheck's):"), "",
                      "| variant | seconds |", "|---|---:|"]
            for name, value in results[n]["variants"].items():
                if name not in ("wall", "rss_mb", "seconds"):
                    lines.append(f"| {name} | {value:.2f} |" if isinstance(value, float) else f"| {name} | {value} |")
    lines += layer_tables(results)
    lines += ["", "## Targets", "", "| target | measured | holds |", "|---|---|---|"]
    for text, value, ok in targets(results):
        lines.append(f"| {text} | {value} | {'yes' if ok else '**no**'} |")
    return "\n".join(lines) + "\n"


# The layer table: (label, row), cheapest layer first as the issue orders them; parse rows include reading.
LAYERS = [
    ("read the bytes", "read the bytes"),
    ("hand-written evaluation of the rules over parsed dicts (`bench/handwritten.py`)", "hand-written rules on parsed values"),
    ("`--engine python` evaluation (`PythonEngine.truths`)", "python engine on parsed values"),
    ("durable_rules evaluation (`DurableEngine.truths`: facts built, asserted, firings read)", "durable engine on parsed values"),
    ("durable_rules alone (the engine floor: facts built beforehand)", "engine floor (durable_rules)"),
    ("libyaml's event stream, positions kept (the fastest parse with positions)", "libyaml events, positions kept"),
    ("obcheck's own parse with positions (`source.parse`)", "obcheck's own parse, positions kept"),
    ("CSafeLoader parse (PyYAML's C loader, no positions)", "parse floor (PyYAML C loader)"),
    ("end to end, durable (`obcheck check DIR --format json`)", "obcheck, durable"),
]


def layer_tables(results: Results) -> list[str]:
    """The layers of a run at the target N, as measured by the rows above, and a profile of where a durable run's
    time goes."""
    n = target_n(results)
    r = results[n]
    parse = r["parse floor (PyYAML C loader)"]["seconds"]
    lines = ["", "## Layers", "",
             f"Each layer per agreement at N = {n:,}, from the rows above, and as a ratio to the CSafeLoader parse:", "",
             "| layer | ms per agreement | ÷ CSafeLoader parse |", "|---|---:|---:|"]
    for label, row in LAYERS:
        seconds = r[row]["seconds"]
        lines.append(f"| {label} | {1000 * seconds / n:.3f} | {seconds / parse:.3f} |")
    events = r["libyaml events, positions kept"]
    lines += ["", (f"The event stream walked with `CParser.get_event` took {events['CParser.get_event']:.2f} s, with `yaml.parse` "
                   f"{events['yaml.parse']:.2f} s (the faster is the row); libyaml alone, making no Python objects "
                   f"(`CParser.raw_parse`), {events['libyaml alone']:.2f} s. The hand-written rules were checked to give the "
                   "python and durable engines' outcome on every rule of every agreement before they were timed.")]
    if "profile" in r:
        prof = r["profile"]
        total = prof["profiled"]
        whole = 1000 * r["obcheck, durable"]["seconds"] / n
        lines += ["", "### Where a durable run's time goes", "",
                  (f"cProfile of `obcheck check SAMPLE --format json` on the first {prof['agreements']:.0f} of these agreements "
                   f"({total:.2f} s profiled; `bench/layers.py` groups the time by module into stages, shared code charged to "
                   "its callers). The profiler slows many small Python calls more than C, so its shares lean towards the "
                   f"Python-heavy stages; ms per agreement spreads the measured end-to-end durable run ({whole:.2f} ms) by share."), "",
                  "| stage | profiled seconds | share | ≈ ms per agreement |", "|---|---:|---:|---:|"]
        for stage in layers.ORDER:
            share = prof[stage] / total
            lines.append(f"| {stage} | {prof[stage]:.2f} | {100 * share:.1f}% | {whole * share:.2f} |")
    return lines


Target = tuple[str, str, bool]


def durable_vs_floors(results: Results, n: int) -> Target | None:
    r = results[n]
    ratio = r["obcheck, durable"]["seconds"] / (r["parse floor (PyYAML C loader)"]["seconds"] + r["engine floor (durable_rules)"]["seconds"])
    return (f"durable end to end <= 1.5 x (parse + engine floor) at N={n:,}", f"{ratio:.2f} x", ratio <= 1.5)


def python_vs_parse(results: Results, n: int) -> Target | None:
    ratio = results[n]["obcheck, python"]["seconds"] / results[n]["parse floor (PyYAML C loader)"]["seconds"]
    return (f"python engine end to end <= 2 x parse floor at N={n:,}", f"{ratio:.2f} x", ratio <= 2)


def faster_than_rego(results: Results, n: int) -> Target | None:
    ratio = results[n]["Rego (regopy), end to end"]["seconds"] / results[n]["obcheck, durable"]["seconds"]
    return (f"at least 3 x faster than Rego/regopy at N={n:,}", f"{ratio:.2f} x", ratio >= 3)


def time_scaling(results: Results, n: int) -> Target | None:
    if 20_000 not in results or 10_000 not in results:
        return None
    t = results[20_000]["obcheck, durable"]["seconds"] / results[10_000]["obcheck, durable"]["seconds"]
    return ("time(20,000) / time(10,000) <= 2.2", f"{t:.2f}", t <= 2.2)


def memory_scaling(results: Results, n: int) -> Target | None:
    if 20_000 not in results or 10_000 not in results:
        return None
    m = results[20_000]["obcheck, durable"]["rss_mb"] / results[10_000]["obcheck, durable"]["rss_mb"]
    return ("RSS(20,000) / RSS(10,000) <= 1.3", f"{m:.2f}", m <= 1.3)


def peak_memory(results: Results, n: int) -> Target | None:
    rss = results[n]["obcheck, durable"]["rss_mb"]
    return (f"peak RSS at N={n:,} < 300 MB", f"{rss:.0f} MB", rss < 300)


def jobs_speedup(results: Results, n: int) -> Target | None:
    r = results[n]
    if "obcheck, durable, --jobs 2" not in r:
        return None
    j = r["obcheck, durable"]["seconds"] / r["obcheck, durable, --jobs 2"]["seconds"]
    same = bool(r["obcheck, durable, --jobs 2"].get("identical"))
    return (f"--jobs 2 >= 1.6 x faster at N={n:,}, output identical", f"{j:.2f} x, identical: {same}", j >= 1.6 and same)


# One entry per target, in the order reported: a target is (results, target N) -> (text, measured, holds), or None
# when the run lacks what it needs (e.g. the scaling targets without both 10,000 and 20,000).
TARGETS: list[Callable[[Results, int], Target | None]] = [
    durable_vs_floors, python_vs_parse, faster_than_rego, time_scaling, memory_scaling, peak_memory, jobs_speedup,
]


def targets(results: Results) -> list[Target]:
    n = target_n(results)
    return [t for target in TARGETS if (t := target(results, n)) is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,20000")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--data", type=Path, default=DATA, help="where generated agreements are kept between runs")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement that enters a target (the best is kept)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: Results = {}
    for n in sizes:
        print(f"N = {n:,} ...", file=sys.stderr, flush=True)
        jobs = n == max(s for s in sizes if s <= TARGET_N) if any(s <= TARGET_N for s in sizes) else False
        results[n] = bench(n, jobs=jobs, data=args.data, repeat=args.repeat, variants=n == min(sizes), profile=n == target_n(sizes))
    text = report(results, args.repeat)
    notes = BENCH / "NOTES.md"
    if args.out == BENCH / "RESULTS.md" and notes.exists():
        text += "\n" + notes.read_text()
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
