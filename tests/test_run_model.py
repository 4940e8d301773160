"""The run model: --keep-going writes a complete, valid document in every format; crashes exit 3 in one line."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from obcheck.reporters import FORMATS
from tests.conftest import MINI, ROOT, cli, fact_file, write

GAP_FACTS = "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n"


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, Path]:
    """Two good fact files around a broken one (sorted between them)."""
    fact_file(tmp_path / "facts" / "a.yaml", id="a-2024")
    broken = write(tmp_path / "facts" / "b.yaml", "id: b-2024\ntitle: [unclosed\n")
    fact_file(tmp_path / "facts" / "c.yaml", GAP_FACTS, id="c-2024")
    return tmp_path / "facts", broken


def _keep_going(facts: Path, fmt: str, out: Path) -> str:
    extra = ["--fail-on", "gap"] if fmt == "junit" else []  # JUnit's failures are what --fail-on counts
    result = cli("check", facts, "--rules", MINI, "--format", fmt, "--keep-going", "-o", out, *extra)
    assert result.exit_code == 2, result.stderr  # bad input is still exit 2
    assert "the good files were reported (--keep-going)" in result.stderr
    assert "Traceback" not in result.stderr
    return out.read_text(encoding="utf-8")


def _json(text: str, broken: Path) -> None:
    data = json.loads(text)
    assert [a["id"] for a in data["agreements"]] == ["a-2024", "c-2024"]
    assert [e["path"] for e in data["errors"]] == [str(broken)] and data["errors"][0]["line"] == 3
    assert data["summary"]["gap"] == 1 and data["summary"]["met"] == 1


def _text(text: str, broken: Path) -> None:
    assert "a-2024: Test agreement" in text and "c-2024: Test agreement" in text
    assert f"  {broken}:3:1" in text
    assert text.rstrip().splitlines()[-1].startswith("2 agreements against mini 0.1") and "1 file(s) failed" in text


def _markdown(text: str, broken: Path) -> None:
    assert "## a-2024" in text and "## c-2024" in text
    assert "## Files not reported" in text and f"`{broken}:3:1" in text


def _csv(text: str, broken: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["agreement"] for r in rows if r["status"] != "error"} == {"a-2024", "c-2024"}
    errors = [r for r in rows if r["status"] == "error"]
    assert errors and errors[0]["location"].startswith(f"{broken}:3:1")


def _html(text: str, broken: Path) -> None:
    HTMLParser().feed(text)  # raises on nothing, so check structure by content too
    assert text.rstrip().endswith("</html>")
    assert 'id="a-a-2024"' in text and 'id="a-c-2024"' in text
    assert "Files not reported" in text and f"{broken}:3:1" in text


def _sarif(text: str, broken: Path) -> None:
    import jsonschema

    sarif = json.loads(text)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(broken)
    assert {r["properties"]["agreement"] for r in sarif["runs"][0]["results"]} == {"a-2024", "c-2024"}


def _junit(text: str, broken: Path) -> None:
    root = ET.fromstring(text)  # well-formed
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert {"a-2024", "c-2024", "obcheck input"} <= set(suites)
    assert root.get("errors") == "1" and root.get("failures") == "1"
    (case,) = suites["obcheck input"].iter("testcase")
    assert case.get("name") == str(broken) and case.find("error") is not None


def _github(text: str, broken: Path) -> None:
    lines = text.splitlines()
    assert all(line.startswith("::") for line in lines[:-1]) and lines[-1].startswith("obcheck: 2 agreements")
    assert any(line.startswith(f"::error file={broken},line=3,col=1,title=obcheck input::") for line in lines)
    assert any("title=c-2024%3A mini/simple gap::gap: Flag is false." in line for line in lines)


CHECKS = {"github": _github, "json": _json, "text": _text, "markdown": _markdown, "csv": _csv, "html": _html, "sarif": _sarif, "junit": _junit}


def test_every_format_is_checked_here() -> None:
    assert set(CHECKS) == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(CHECKS))
def test_keep_going_writes_a_complete_valid_document(fmt: str, mixed: tuple[Path, Path], tmp_path: Path) -> None:
    facts, broken = mixed
    CHECKS[fmt](_keep_going(facts, fmt, tmp_path / f"out.{fmt}"), broken)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_keep_going_with_workers_gives_the_same_document(fmt: str, mixed: tuple[Path, Path], tmp_path: Path) -> None:
    facts, _ = mixed
    serial = _keep_going(facts, fmt, tmp_path / "serial")
    result = cli("check", facts, "--rules", MINI, "--format", fmt, "--keep-going", "--jobs", "2", "-o", tmp_path / "jobs")
    assert result.exit_code == 2 and (tmp_path / "jobs").read_text(encoding="utf-8") == serial


def test_without_keep_going_a_bad_file_writes_nothing(mixed: tuple[Path, Path], tmp_path: Path) -> None:
    facts, broken = mixed
    out = write(tmp_path / "report.json", "previous")
    result = cli("check", facts, "--rules", MINI, "--format", "json", "-o", out)
    assert result.exit_code == 2 and f"{broken}:3:1" in result.stderr
    assert out.read_text() == "previous"


def test_an_internal_fault_exits_3_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import obcheck.findings

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("injected fault")

    monkeypatch.setattr(obcheck.findings, "agreement_report", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # let TMPDIR take effect for the filed traceback
    result = cli("check", ROOT / "tests" / "fixtures" / "corpus", "--rules", MINI)
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("obcheck: internal error: ZeroDivisionError: injected fault at test_run_model.py:")
    (filed,) = tmp_path.glob("obcheck-crash-*.txt")
    assert "Traceback" in filed.read_text() and "injected fault" in filed.read_text()
    debug = cli("--debug", "check", ROOT / "tests" / "fixtures" / "corpus", "--rules", MINI)
    assert debug.exit_code == 3 and "Traceback (most recent call last)" in debug.stderr
