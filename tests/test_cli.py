"""The command line as users and CI meet it: formats, exit codes, atomic output, engine choice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from obcheck import engine as durable
from tests.conftest import MINI, ROOT, cli, fact_file

GAP_FACTS = "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n  demo.level: {value: low, source: s1, quote: q, evidence: text}\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    fact_file(tmp_path / "facts" / "b.yaml", GAP_FACTS, id="b-2024")
    fact_file(tmp_path / "facts" / "a.yaml", id="a-2024")
    return tmp_path / "facts"


def test_json_report_shape_and_byte_identical_runs(corpus: Path) -> None:
    first = cli("check", corpus, "--rules", MINI, "--format", "json")
    second = cli("check", corpus, "--rules", MINI, "--format", "json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["schema_version"] == 3
    assert data["packs"] == [{"id": "mini", "version": "0.1", "title": "A small pack the tests use to exercise every operator", "rules": 2}]
    simple_rule = next(r for r in data["rules"] if r["rule"] == "simple")  # what every agreement shares, stated once
    assert simple_rule["pack"] == "mini" and simple_rule["expected"] == "demo.flag is true"
    assert set(simple_rule) == {"pack", "rule", "title", "severity", "tier", "expected", "remediation", "criterion"}
    assert [a["id"] for a in data["agreements"]] == ["a-2024", "b-2024"]
    b = data["agreements"][1]
    assert b["summary"] == {"met": 0, "partial": 0, "gap": 1, "unknown": 1, "not_applicable": 0}
    simple = next(f for f in b["findings"] if f["rule"] == "simple")
    assert simple["status"] == "gap" and simple["message"] == "Flag is false."
    assert simple["actual"] == {"demo.flag": False} and simple["evidence"] == ["demo.flag"]
    fact = b["facts"]["demo.flag"]  # each cited fact once per agreement; its source once too
    assert fact["location"].endswith("b.yaml:9") and fact["value"] is False and fact["quote"] == "q"
    assert b["sources"][fact["source"]]["url"] == "https://example.org/s1"
    operators = next(f for f in b["findings"] if f["rule"] == "operators")
    assert operators["status"] == "unknown" and operators["missing"] == ["demo.code", "demo.day", "demo.hours", "demo.share", "demo.tags"]
    assert set(simple) == {"rule", "pack", "status", "message", "actual", "evidence", "missing", "location",
                           "floor", "ceiling", "needs", "may_not_apply", "contested", "would_take"}  # would_take: below met only


def test_text_report_lists_gaps_with_locations(corpus: Path) -> None:
    result = cli("check", corpus, "--rules", MINI, "-v")
    assert result.exit_code == 0
    assert "b-2024: Test agreement (bilateral-agreement, signed 2024-05-31)" in result.stdout
    assert "    GAP      simple [low] " in result.stdout and "b.yaml:9" in result.stdout
    assert "unknown — gap at worst, partial at best; partial needs demo.code, demo.day, demo.hours, demo.tags; it may not apply" in result.stdout
    assert result.stdout.rstrip().endswith("1 met, 0 partial, 1 gap, 2 unknown, 0 not_applicable")


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("gap", 1), ("partial", 1), ("unknown", 1)])
def test_fail_on_sets_the_exit_code(corpus: Path, fail_on: str, code: int) -> None:
    assert cli("check", corpus, "--rules", MINI, "--fail-on", fail_on).exit_code == code


def test_fail_on_unknown_counts_unknown_but_gap_does_not(tmp_path: Path) -> None:
    fact_file(tmp_path / "u.yaml", "  demo.flag: {value: true, source: s1, quote: q, evidence: text}\n")
    assert cli("check", tmp_path, "--rules", MINI, "--fail-on", "gap").exit_code == 0  # operators is unknown only
    assert cli("check", tmp_path, "--rules", MINI, "--fail-on", "unknown").exit_code == 1


def test_output_file_is_written_whole_and_replaced(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous")
    assert cli("check", corpus, "--rules", MINI, "--format", "json", "--output", out).exit_code == 0
    assert json.loads(out.read_text())["schema_version"] == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_bad_input_leaves_the_previous_output_untouched(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous")
    fact_file(corpus / "bad.yaml", "  demo.flag: {value: maybe, source: s1, quote: q, evidence: text}\n", id="c-2024")
    result = cli("check", corpus, "--rules", MINI, "--output", out)
    assert result.exit_code == 2 and out.read_text() == "previous"


@pytest.mark.skipif(not durable.available(), reason="durable_rules not importable here")
def test_engines_give_the_same_report(corpus: Path) -> None:
    a = json.loads(cli("check", corpus, "--rules", MINI, "--format", "json").stdout)
    b = json.loads(cli("check", corpus, "--rules", MINI, "--format", "json", "--engine", "python").stdout)
    assert a["tool"]["engine"] == "durable" and b["tool"]["engine"] == "python"
    assert a["agreements"] == b["agreements"]


def test_without_durable_obcheck_says_so_and_runs_on_the_interpreter(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(durable, "IMPORT_ERROR", "ImportError: simulated")
    result = cli("check", corpus, "--rules", MINI, "--format", "json")
    assert result.exit_code == 0
    assert "the durable engine is not available here (ImportError: simulated); running on the python engine" in result.stderr
    assert json.loads(result.stdout)["tool"]["engine"] == "python"


def test_usage_error_exits_2(corpus: Path) -> None:
    assert cli("check", corpus, "--format", "yaml").exit_code == 2
    result = cli("check", corpus / "nope.yaml", "--rules", MINI)
    assert result.exit_code == 2 and "nope.yaml:1:1: no such file or folder" in result.stderr


def test_validate_reports_counts(corpus: Path) -> None:
    result = cli("validate", corpus, "--rules", MINI)
    assert result.exit_code == 0 and result.stdout.startswith("ok: 2 fact files, 1 packs, 2 rules, 7 fact paths")


def test_python_dash_m_runs_the_cli_as_a_process(corpus: Path) -> None:
    """The console entry as users call it: a process, real exit code, no traceback on bad input."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    ok = subprocess.run([sys.executable, "-m", "obcheck", "check", str(corpus), "--rules", str(MINI)], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and "b-2024" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "obcheck", "validate", str(MINI / "pack.yaml"), "--rules", str(MINI)], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "missing required key" in bad.stderr


@pytest.mark.parametrize("args", [["--help"], ["validate", "tests/fixtures/corpus", "--rules", "tests/fixtures/mini-pack"]])
def test_startup_imports_nothing_the_command_does_not_use(args: list[str]) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['obcheck', *{args!r}]\n"
        "try:\n    runpy.run_module('obcheck', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('durable', 'durable_rules_engine', 'jinja2', 'rich', 'multiprocessing'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert "HEAVY []" in done.stderr, done.stderr


def test_pack_option_selects_packs(corpus: Path) -> None:
    data = json.loads(cli("check", corpus, "--rules", MINI, "--pack", "mini", "--format", "json").stdout)
    assert [p["id"] for p in data["packs"]] == ["mini"]
    wrong = cli("check", corpus, "--rules", MINI, "--pack", "minni")
    assert wrong.exit_code == 2 and "no pack 'minni' (did you mean 'mini'?)" in wrong.stderr


def test_a_dash_reads_one_fact_file_from_standard_input() -> None:
    from click.testing import CliRunner

    from obcheck.cli import main

    text = (ROOT / "tests" / "fixtures" / "corpus" / "beta-2025.yaml").read_text()
    result = CliRunner().invoke(main, ["check", "-", "--rules", str(MINI), "--format", "json"], input=text)
    assert result.exit_code == 0, result.stderr
    (agreement,) = json.loads(result.stdout)["agreements"]
    assert agreement["id"] == "beta-2025" and agreement["file"] == "<stdin>"
    bad = CliRunner().invoke(main, ["check", "-", "--rules", str(MINI)], input="id: [x\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("<stdin>:2:1: YAML syntax error")


def test_the_pre_commit_hooks_name_real_commands() -> None:
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"obcheck-validate", "obcheck-test"}
    for hook in hooks:
        command = hook["entry"].split()[1]
        assert cli(command, "--help").exit_code == 0


def test_the_command_tunes_the_collector_for_its_own_process_only(tmp_path: Path) -> None:
    # the command settles the collector once the rules are loaded (run.settle_gc: 0.41 s of full-heap scans saved on
    # 1,000 files); the library, which runs inside other programs, leaves it alone
    import gc

    from obcheck.run import GC_YOUNG, check

    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    check(facts=ROOT / "facts" / "gb-2024.yaml")
    assert gc.get_threshold() == (700, 10, 10) and gc.get_freeze_count() == 0
    cli("check", "facts/gb-2024.yaml", "--no-cache")
    assert gc.get_threshold()[0] == GC_YOUNG and gc.get_freeze_count() > 0
