"""Configuration and selection: where settings come from, which wins, and what each selecting flag does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MINI, ROOT, cli, fact_file, write

GAP = "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project of its own: the mini pack as rules/, two agreements in facts/, run from inside it."""
    for f in MINI.iterdir():
        write(tmp_path / "rules" / "mini" / f.name, f.read_text())
    (tmp_path / "rules" / "vocabulary.yaml").write_text((MINI / "vocabulary.yaml").read_text())
    (tmp_path / "rules" / "mini" / "vocabulary.yaml").unlink()
    fact_file(tmp_path / "facts" / "a.yaml", id="a-2024")
    fact_file(tmp_path / "facts" / "b.yaml", GAP, id="b-2024")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_shipped_configuration_reports_the_compact_only_and_labels_it() -> None:
    result = cli("check", "facts/gb-2024.yaml")
    assert result.exit_code == 0
    assert "  kyiv-security-compact-2022: score " in result.stdout and "north-atlantic" not in result.stdout
    both = cli("check", "facts/gb-2024.yaml", "--pack", "kyiv-security-compact-2022", "--pack", "north-atlantic-treaty-art5")
    assert "  north-atlantic-treaty-art5: score " in both.stdout


def test_config_in_pyproject_sets_defaults_and_flags_override_them(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "x"\n\n[tool.obcheck]\nformat = "json"\nfail-on = "gap"\n')
    result = cli("check")
    assert result.exit_code == 1 and json.loads(result.stdout)["summary"]["gap"] == 1  # json, and gap fails
    flagged = cli("check", "--format", "text", "--fail-on", "never")
    assert flagged.exit_code == 0 and flagged.stdout.startswith("a-2024: ")


def test_obcheck_toml_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obcheck]\nformat = "json"\n')
    write(project / "obcheck.toml", 'format = "csv"\n')
    assert cli("check").stdout.startswith("agreement,agreement_title,")
    shown = cli("config").stdout
    assert "format    = csv" in shown and f"{project / 'obcheck.toml'}:1" in shown


def test_config_is_found_from_a_subfolder_and_paths_are_relative_to_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "obcheck.toml", 'facts = ["facts/b.yaml"]\nformat = "json"\n')
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    assert [a["id"] for a in json.loads(cli("check").stdout)["agreements"]] == ["b-2024"]
    assert cli("--isolated", "check", str(project / "facts" / "a.yaml"), "--rules", str(project / "rules")).stdout.startswith("a-2024: ")


@pytest.mark.parametrize(("text", "at", "message"), [
    ('format = "json"\nfial-on = "gap"\n', ":2:1:", "unknown setting 'fial-on' (did you mean 'fail-on'?)"),
    ('format = "yaml"\n', ":1:1:", "format: 'yaml' is not one of text, json"),
    ('jobs = 0\n', ":1:1:", "jobs: a whole number from 1 to 64"),
    ('status = ["gap", "maybe"]\n', ":1:1:", "status: 'maybe' is not one of"),
    ('format = \n', ":1:", "TOML syntax error"),
])
def test_bad_settings_are_located_errors(project: Path, text: str, at: str, message: str) -> None:
    write(project / "obcheck.toml", text)
    result = cli("check")
    assert result.exit_code == 2 and result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{project / 'obcheck.toml'}{at}") and message in first, result.stderr


def test_select_and_ignore_take_ids_pack_ids_and_globs(project: Path) -> None:
    def rules_of(*args: str) -> set[str]:
        data = json.loads(cli("check", "--format", "json", *args).stdout)
        return {f["rule"] for a in data["agreements"] for f in a["findings"]}

    assert rules_of() == {"simple", "operators"}
    assert rules_of("--select", "simple") == {"simple"}
    assert rules_of("--select", "mini/op*") == {"operators"}
    assert rules_of("--ignore", "simple") == {"operators"}
    assert rules_of("--select", "simple,operators", "--ignore", "oper*") == {"simple"}
    typo = cli("check", "--select", "simpel")
    assert typo.exit_code == 2 and "no rule matches 'simpel' (did you mean 'simple'?)" in typo.stderr


def test_status_and_severity_keep_only_those_findings_and_count_only_them(project: Path) -> None:
    data = json.loads(cli("check", "--format", "json", "--status", "gap").stdout)
    assert [f["status"] for a in data["agreements"] for f in a["findings"]] == ["gap"]
    assert data["summary"] == {"met": 0, "partial": 0, "gap": 1, "unknown": 0, "not_applicable": 0}
    low = json.loads(cli("check", "--format", "json", "--severity", "low").stdout)
    assert {f["rule"] for a in low["agreements"] for f in a["findings"]} == {"simple"}
    bad = cli("check", "--status", "gapp")
    assert bad.exit_code == 2 and "'gapp' is not one of" in bad.stderr


def test_quiet_verbose_and_default_detail(project: Path) -> None:
    quiet = cli("check", "-q").stdout
    assert "mini: score" in quiet and "GAP" not in quiet
    default = cli("check").stdout
    assert "    GAP      simple [low]" in default and "… 1 more partial or unknown" in default
    verbose = cli("check", "-v").stdout
    assert 'demo.flag = false: "q"' in verbose and "the criterion (" in verbose and "UNKNOWN  operators" in verbose
    assert cli("check", "-q", "-v").exit_code == 2


def test_color_always_never_and_auto(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[1;31mGAP" in cli("check", "--color", "always").stdout
    assert "\x1b[" not in cli("check", "--color", "never").stdout
    assert "\x1b[" not in cli("check").stdout  # auto: not a terminal here
    assert "\x1b[" not in cli("matrix", "--color", "never").stdout
    assert "\x1b[" in cli("matrix", "--color", "always").stdout


def test_config_packs_do_not_leak_into_runs_with_other_rules() -> None:
    """The project's own configuration names the Compact; a run with --rules elsewhere reports that pack."""
    result = cli("check", ROOT / "tests" / "fixtures" / "corpus", "--rules", MINI)
    assert result.exit_code == 0 and "  mini: score" in result.stdout
