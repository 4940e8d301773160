"""The quality gates CI holds the project to: ruff, mypy, and the shipped packs' own validation and case coverage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, cli


def test_shipped_rules_and_facts_validate() -> None:
    result = cli("validate")
    assert result.exit_code == 0 and result.stdout.startswith("ok: "), result.stdout + result.stderr


def test_shipped_packs_cases_reach_every_outcome() -> None:
    result = cli("test", "--coverage", "--min-coverage", "100")
    assert result.exit_code == 0, result.stdout[-2000:]
    assert "coverage: 100.0%" in result.stdout and ", 0 failed" in result.stdout


def test_min_coverage_refuses_nan() -> None:
    result = cli("test", "--min-coverage", "nan")
    assert result.exit_code == 2 and "--min-coverage" in result.stderr


@pytest.mark.ci
@pytest.mark.parametrize("command", [
    ["ruff", "check", "src", "tests", "bench"],
    ["mypy", "src"],
], ids=["ruff", "mypy"])
def test_linters_are_clean(command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
