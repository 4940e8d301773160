"""The library API as a notebook user meets it: the example in docs/api.md runs and says what it claims."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import obcheck
from obcheck.errors import InputError
from obcheck.reporters import render
from tests.conftest import MINI, ROOT, fact_file, write


def test_the_documented_example_runs() -> None:
    code = re.search(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(), re.DOTALL)
    assert code is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "docs/api.md", "exec"), {})  # noqa: S102 - our own documented example
    first, second = out.getvalue().splitlines()
    assert re.fullmatch(r"(met|partial|gap|unknown|not_applicable) - .+", first)
    assert re.fullmatch(r"\d+ unknown of 36", second)


def test_check_returns_findings_and_lists_bad_files(tmp_path: Path) -> None:
    fact_file(tmp_path / "a.yaml", id="a-2024")
    write(tmp_path / "z.yaml", "id: [broken\n")
    report = obcheck.check(tmp_path, rules=MINI, engine="python")
    assert [a.id for a in report.agreements] == ["a-2024"]
    assert report.finding("a-2024", "mini/simple").status is obcheck.Outcome.MET
    assert [d.path for d in report.errors] == [str(tmp_path / "z.yaml")]
    assert "## a-2024" in render("markdown", report)


def test_bad_rules_raise_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        obcheck.check(tmp_path, rules=tmp_path / "nowhere")
    assert "rules folder not found" in str(err.value)


def test_load_catalogue() -> None:
    catalogue = obcheck.load_catalogue([MINI])
    assert [p.id for p in catalogue.packs] == ["mini"] and {r.id for r in catalogue.rules()} == {"simple", "operators"}
