"""Text from fact files reaches no output as markup, formula, escape sequence or broken XML."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import MINI, cli, write

HOSTILE = """id: evil-2024
title: "\\e]0;owned\\a\\e[2J<script>alert(1)</script> [click](javascript:alert(1))\\n# forged heading"
kind: bilateral-agreement
parties: [NO, UA]
signed: 2024-05-31
sources:
  - {id: s1, title: "=HYPERLINK(\\"http://evil\\")", url: "https://example.org/a) [x](javascript:alert(1)", type: text}
facts:
  demo.flag: {value: false, source: s1, quote: "=1+1 \\u0007 bell", clause: "Art. 1\\n## injected", evidence: text}
"""


@pytest.fixture
def evil(tmp_path: Path) -> Path:
    return write(tmp_path / "evil file.yaml", HOSTILE)


def run(evil: Path, fmt: str) -> str:
    result = cli("check", evil, "--rules", MINI, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_text_report_shows_control_characters_instead_of_sending_them(evil: Path) -> None:
    out = run(evil, "text")
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned" in out
    assert not any(line.startswith("# forged") for line in out.splitlines())


def test_explain_shows_control_characters(evil: Path) -> None:
    result = cli("explain", "simple", str(evil), "--rules", MINI)
    assert result.exit_code == 0 and "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_csv_cells_cannot_be_formulas(evil: Path) -> None:
    rows = list(csv.reader(io.StringIO(run(evil, "csv"))))
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_markdown_has_no_raw_html_no_foreign_links_no_injected_headings(evil: Path) -> None:
    out = run(evil, "markdown")
    import re

    assert not re.search(r"(?<!\\)<script>", out), "raw HTML"
    assert not re.search(r"(?<!\\)\]\(javascript:", out), "a link to a script"
    assert not any(line.startswith(("## injected", "# forged")) for line in out.splitlines())
    assert "(https://example.org/a%29" in out or "example.org/a%29" in out  # the ) of the url cannot close the link


def test_junit_is_well_formed(evil: Path) -> None:
    root = ET.fromstring(run(evil, "junit"))
    assert root.get("tests") == "2"


def test_sarif_uris_are_percent_encoded(evil: Path) -> None:
    sarif = json.loads(run(evil, "sarif"))
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"] for loc in r["locations"]]
    assert uris and all(" " not in u and "evil%20file.yaml" in u for u in uris)


def test_github_annotations_cannot_start_another_command(evil: Path) -> None:
    import dataclasses

    import obcheck
    from obcheck.reporters import render

    report = obcheck.check(evil, rules=MINI)
    (agreement,) = report.agreements
    forged = [dataclasses.replace(f, message="x\r\n::error file=a,line=1::forged 100%") for f in agreement.findings]
    report.agreements[0] = dataclasses.replace(agreement, findings=forged)
    out = render("github", report)
    assert all(line.startswith(("::notice ", "::warning ", "::error ", "obcheck: ")) for line in out.splitlines())
    assert "x%0D%0A::error file=a,line=1::forged 100%25" in out


def test_html_escapes_everything(evil: Path) -> None:
    out = run(evil, "html")
    assert "<script>alert" not in out and 'href="javascript:' not in out
