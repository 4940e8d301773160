"""The benchmark cannot rot: its script runs end to end at N = 50 (timings are recorded, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.ci
def test_benchmark_runs_at_small_size(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "50", "--repeat", "1", "--out", str(out), "--data", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    for row in ("parse floor (PyYAML C loader)", "engine floor (durable_rules)", "obcheck, durable", "obcheck, python",
                "Rego (regopy), end to end", "--jobs 2", "load with positions", "Ways of driving durable_rules", "## Targets"):
        assert row in text
    assert len(list((tmp_path / "data" / "50").glob("*.yaml"))) == 50
