"""Start-up: a one-file `obcheck check` (warm and cold cache) against importing its dependencies, as whole processes.

    python bench/startup.py [--repeat 15] [--file facts/gb-2024.yaml]

Prints JSON: the best wall seconds of each command over interleaved rounds, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Bytecode is written and used, as on a user's machine (a PYTHONDONTWRITEBYTECODE environment would recompile
# every edited module on every start and measure the compiler).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT / "src")}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def measure(file: str, repeat: int) -> dict[str, float]:
    py = sys.executable
    with tempfile.TemporaryDirectory() as cache:
        commands = {
            "import yaml, pydantic, click": [py, "-c", "import yaml, pydantic, click"],
            "obcheck check, warm cache": [py, "-m", "obcheck", "check", file, "--cache-dir", cache],
            "obcheck check, no cache": [py, "-m", "obcheck", "check", file, "--no-cache"],
        }
        for cmd in commands.values():  # bytecode written, the cache filled
            timed(cmd)
        best = dict.fromkeys(commands, float("inf"))
        for _ in range(repeat):  # interleaved: a busy moment slows every command alike
            for name, cmd in commands.items():
                best[name] = min(best[name], timed(cmd))
    base = best["import yaml, pydantic, click"]
    return {**best, "warm / imports": best["obcheck check, warm cache"] / base, "cold / imports": best["obcheck check, no cache"] / base}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--file", default="facts/gb-2024.yaml")
    args = parser.parse_args()
    print(json.dumps(measure(args.file, args.repeat)))


if __name__ == "__main__":
    main()
