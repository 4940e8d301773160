"""The benchmark: in one run on the same generated files, obcheck against the floor under each layer (reading the
bytes, a parse that keeps positions, the rules hand-written in Python, each engine alone) and Rego/regopy, with
peak memory and a profile; writes bench/RESULTS.md (measurements, the layer table, ratios, targets).

    python bench/run.py                      # N = 1,000, 10,000 and 20,000 (several minutes)
    python bench/run.py --sizes 50 --out /tmp/r.md   # the smoke test's size
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
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
# Bytecode written and used, as on a user's machine: with PYTHONDONTWRITEBYTECODE an edited module is compiled again
# at every start, and start-up would measure the compiler.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT / "src")}
TARGET_N = 10_000
PROFILE_SAMPLE = 200  # agreements profiled: cProfile slows a run several-fold, and the shares settle well before
NOT_ROWS = ("stages", "variants", "profile", "startup")  # results that are tables of their own, not rows of the main one


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
    """The fastest of `repeat` runs (this machine is shared, and noise only ever adds time), with the slowest
    over the fastest as `spread_of_runs`."""
    return fastest([measure() for _ in range(repeat)])


def fastest(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest of some runs of one measurement, with the slowest over the fastest as `spread_of_runs`."""
    for r in runs:
        r.setdefault("seconds", r["wall"])
    quickest = min(runs, key=lambda r: r["seconds"])
    quickest["spread_of_runs"] = max(r["seconds"] for r in runs) / quickest["seconds"]
    return quickest


def interleaved(repeat: int, measures: dict[str, Callable[[], dict[str, float]]]) -> dict[str, dict[str, float]]:
    """best() of each measure, their runs taken in turn (a, b, c, a, b, c, ...) so that the machine's drift reaches
    each alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in measures}
    for _ in range(repeat):
        for name, measure in measures.items():
            runs[name].append(measure())
    return {name: fastest(done) for name, done in runs.items()}


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


def bench(n: int, jobs: bool, data: Path, repeat: int, variants: bool = False, profile: bool = False, full: bool = True) -> dict[str, dict[str, float]]:
    """Every row on the same files. The rows that enter a target or the layer table are the best of `repeat`
    runs; Rego (a 10 x margin), the stage breakdown and the profile run once, as they take longest. A cold run
    starts from an empty cache (and fills it: what a first run costs); the warm run reads that cache. Without
    `full` (sizes beyond the target N), only the cold durable run, for the scaling targets."""
    folder = dataset(n, data)
    tmp = Path(tempfile.mkdtemp())
    obcheck = [PY, "-m", "obcheck", "check", str(folder), "--format", "json"]
    rows: dict[str, dict[str, float]] = {}

    def cold(*extra: str, out: str = "d.json") -> dict[str, float]:
        shutil.rmtree(tmp / "cache", ignore_errors=True)
        return run([*obcheck, *extra, "--cache-dir", str(tmp / "cache"), "--output", str(tmp / out)])

    # The rows a target divides are measured in interleaved rounds (parse floor, cold, --jobs 2; then again): this
    # machine's speed drifts by 10-30% over minutes, and a row measured minutes after the other moved the ratio
    # by as much (--jobs 2 came out at 1.64 x in a run where interleaved pairs gave 1.76-1.91 x).
    paired: dict[str, Callable[[], dict[str, float]]] = {}
    if full:
        for name, mode in FLOORS:
            if mode == "parse":
                paired[name] = functools.partial(inproc, mode, folder)
            else:
                rows[name] = best(repeat, functools.partial(inproc, mode, folder))
    paired["obcheck, durable"] = cold
    if jobs:
        paired["obcheck, durable, --jobs 2"] = functools.partial(cold, "--jobs", "2", out="j.json")
    measured = interleaved(repeat, paired)
    order = [name for name, _ in FLOORS] if full else []
    order += ["obcheck, durable", "obcheck, durable, warm cache", "obcheck, python", "obcheck, durable, --jobs 2"]
    if full:
        measured["obcheck, durable, warm cache"] = best(repeat, lambda: run([*obcheck, "--cache-dir", str(tmp / "cache"), "--output", str(tmp / "w.json")]))
        measured["obcheck, durable, warm cache"]["identical"] = float((tmp / "d.json").read_bytes() == (tmp / "w.json").read_bytes())
        measured["obcheck, python"] = best(repeat, lambda: run([*obcheck, "--engine", "python", "--no-cache", "--output", str(tmp / "p.json")]))
    if jobs:
        same = (tmp / "d.json").read_bytes() == (tmp / "j.json").read_bytes()
        measured["obcheck, durable, --jobs 2"]["identical"] = float(same)
    measured.update(rows)
    rows = {name: measured[name] for name in order if name in measured}  # the table's order
    if full:
        rows["Rego (regopy), end to end"] = best(1, lambda: run([PY, str(BENCH / "rego.py"), str(folder), str(tmp / "r.json")]))
        rows["stages"] = best(1, lambda: inproc("stages", folder))
    if variants:
        rows["variants"] = inproc("variants", folder)
    if profile:
        rows["profile"] = layers.profile(folder, PROFILE_SAMPLE)
    shutil.rmtree(tmp)  # outputs of up to 700 MB each at N = 20,000, and the cache
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
    stage_keys = [k for k in results[sizes[0]]["stages"] if k not in ("seconds", "wall", "rss_mb", "spread_of_runs")]
    lines += ["", "Stages of obcheck (in one process, durable engine):", "", "| N | " + " | ".join(stage_keys) + " |"]
    lines.append("|---:|" + "---:|" * len(stage_keys))
    for n in sizes:
        if "stages" in results[n]:  # sizes beyond the target N measure only the cold run
            lines.append(f"| {n:,} | " + " | ".join(f"{results[n]['stages'][k]:.2f}" for k in stage_keys) + " |")
    for n in sizes:
        if "variants" in results[n]:
            lines += ["", (f"Ways of driving durable_rules on the engine floor's pre-parsed agreements (N = {n:,}, "
                           "the best of 3 interleaved rounds; `bench/variants.py`, outcomes checked equal to obcheck's):"), "",
                      "| variant | seconds |", "|---|---:|"]
            for name, value in results[n]["variants"].items():
                if name not in ("wall", "rss_mb", "seconds", "spread_of_runs"):
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
    ("libyaml's event stream, positions kept (the floor of a parse built on libyaml's events)", "libyaml events, positions kept"),
    ("obcheck's own parse with positions (`source.parse`: `quickparse` reads these files line by line)", "obcheck's own parse, positions kept"),
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


def warm_vs_cold(results: Results, n: int) -> Target | None:
    r = results[n]
    if "obcheck, durable, warm cache" not in r:
        return None
    ratio = r["obcheck, durable, warm cache"]["seconds"] / r["obcheck, durable"]["seconds"]
    same = bool(r["obcheck, durable, warm cache"].get("identical"))
    return (f"warm cache <= 0.25 x cold at N={n:,}, output identical", f"{ratio:.3f} x, identical: {same}", ratio <= 0.25 and same)


def cold_vs_parse(results: Results, n: int) -> Target | None:
    ratio = results[n]["obcheck, durable"]["seconds"] / results[n]["parse floor (PyYAML C loader)"]["seconds"]
    return (f"cold durable end to end <= 1.3 x the CSafeLoader parse at N={n:,}", f"{ratio:.2f} x", ratio <= 1.3)


def python_vs_parse(results: Results, n: int) -> Target | None:
    ratio = results[n]["obcheck, python"]["seconds"] / results[n]["parse floor (PyYAML C loader)"]["seconds"]
    return (f"python engine end to end (no cache) <= 2 x the CSafeLoader parse at N={n:,}", f"{ratio:.2f} x", ratio <= 2)


def startup(results: Results, n: int) -> Target | None:
    found = results[n].get("startup")
    if found is None:
        return None
    ratio = found["warm / imports"]
    return ("`obcheck check facts/gb-2024.yaml` (warm) <= 1.6 x `python -c \"import yaml, pydantic, click\"`",
            (f"{ratio:.2f} x ({1000 * found['obcheck check, warm cache']:.0f} ms against {1000 * found['import yaml, pydantic, click']:.0f} ms; "
            f"no cache {found['cold / imports']:.2f} x)"), ratio <= 1.6)


def faster_than_rego(results: Results, n: int) -> Target | None:
    ratio = results[n]["Rego (regopy), end to end"]["seconds"] / results[n]["obcheck, durable"]["seconds"]
    return (f"at least 10 x faster than Rego/regopy at N={n:,} (cold)", f"{ratio:.2f} x", ratio >= 10)


def time_scaling(results: Results, n: int) -> Target | None:
    if 20_000 not in results or 10_000 not in results:
        return None
    big, small = results[20_000]["obcheck, durable"], results[10_000]["obcheck, durable"]
    t = big["seconds"] / small["seconds"]
    spread = f"slowest/fastest of the runs: {small['spread_of_runs']:.2f} at 10,000, {big['spread_of_runs']:.2f} at 20,000"
    return ("time(20,000) / time(10,000) <= 2.2 (cold, fastest runs)", f"{t:.2f} ({spread})", t <= 2.2)


def memory_scaling(results: Results, n: int) -> Target | None:
    if 20_000 not in results or 10_000 not in results:
        return None
    m = results[20_000]["obcheck, durable"]["rss_mb"] / results[10_000]["obcheck, durable"]["rss_mb"]
    return ("RSS(20,000) / RSS(10,000) <= 1.3", f"{m:.2f}", m <= 1.3)


def peak_memory(results: Results, n: int) -> Target | None:
    at = 20_000 if 20_000 in results else n
    rss = results[at]["obcheck, durable"]["rss_mb"]
    return (f"peak RSS at N={at:,} < 100 MB", f"{rss:.0f} MB", rss < 100)


def jobs_speedup(results: Results, n: int) -> Target | None:
    r = results[n]
    if "obcheck, durable, --jobs 2" not in r:
        return None
    j = r["obcheck, durable"]["seconds"] / r["obcheck, durable, --jobs 2"]["seconds"]
    same = bool(r["obcheck, durable, --jobs 2"].get("identical"))
    return (f"--jobs 2 >= 1.8 x faster at N={n:,} (cold), output identical", f"{j:.2f} x, identical: {same}", j >= 1.8 and same)


# One entry per target, in the order reported: a target is (results, target N) -> (text, measured, holds), or None
# when the run lacks what it needs (e.g. the scaling targets without both 10,000 and 20,000).
TARGETS: list[Callable[[Results, int], Target | None]] = [
    warm_vs_cold, cold_vs_parse, startup, python_vs_parse, faster_than_rego, time_scaling, memory_scaling, peak_memory,
    jobs_speedup,
]


def targets(results: Results) -> list[Target]:
    n = target_n(results)
    return [t for target in TARGETS if (t := target(results, n)) is not None]


def startup_ratios(repeat: int) -> dict[str, float]:
    """bench/startup.py in a process of its own: a one-file check against importing its dependencies."""
    done = subprocess.run([PY, str(BENCH / "startup.py"), "--repeat", str(repeat)], check=True, env=ENV, capture_output=True, text=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,20000")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--data", type=Path, default=DATA, help="where generated agreements are kept between runs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement that enters a target (the best is kept)")
    parser.add_argument("--startup-repeat", type=int, default=15, help="rounds of the one-file start-up measurement")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: Results = {}
    for n in sizes:
        print(f"N = {n:,} ...", file=sys.stderr, flush=True)
        jobs = n == max(s for s in sizes if s <= TARGET_N) if any(s <= TARGET_N for s in sizes) else False
        results[n] = bench(n, jobs=jobs, data=args.data, repeat=args.repeat, variants=n == min(sizes), profile=n == target_n(sizes),
                           full=n <= target_n(sizes))
    print("start-up ...", file=sys.stderr, flush=True)
    results[target_n(sizes)]["startup"] = startup_ratios(args.startup_repeat)
    text = report(results, args.repeat)
    notes = BENCH / "NOTES.md"
    if args.out == BENCH / "RESULTS.md" and notes.exists():
        text += "\n" + notes.read_text()
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
