"""Waivers: an accepted finding is shown as waived with its justification in every format and stops counting for
--fail-on; an expired waiver waives nothing and fails --fail-on; a waiver matching nothing is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import obcheck
from obcheck.reporters import FORMATS
from tests.conftest import MINI, ROOT, cli, fact_file, write

GAP = "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n"
JUSTIFICATION = "Accepted for the pilot: the flag is set by a later protocol."


def waivers_file(tmp_path: Path, *entries: str) -> Path:
    return write(tmp_path / "waivers.yaml", "waivers:\n" + "".join(entries))


def entry(rule: str = "simple", agreement: str = "b-*", outcome: str = "gap", expires: str = "2999-12-31",
          justification: str = JUSTIFICATION) -> str:
    return (f"  - rule: {rule}\n    agreement: \"{agreement}\"\n    outcome: {outcome}\n"
            f"    justification: \"{justification}\"\n    owner: policy team\n    expires: \"{expires}\"\n")


@pytest.fixture
def facts(tmp_path: Path) -> Path:
    fact_file(tmp_path / "facts" / "a.yaml", id="a-2024")  # simple: met
    fact_file(tmp_path / "facts" / "b.yaml", GAP, id="b-2024")  # simple: gap
    return tmp_path / "facts"


def check(facts: Path, waivers: Path, *args: str) -> tuple[int, str, str]:
    result = cli("check", facts, "--rules", MINI, "--waivers", waivers, *args)
    return result.exit_code, result.stdout, result.stderr


def test_a_waived_gap_is_shown_with_its_justification_and_does_not_fail_the_run(facts: Path, tmp_path: Path) -> None:
    assert cli("check", facts, "--rules", MINI, "--fail-on", "gap").exit_code == 1  # unwaived, the gap fails
    code, out, err = check(facts, waivers_file(tmp_path, entry()), "--fail-on", "gap")
    assert code == 0 and err == ""
    assert "  GAP      simple [low] " in out and "(waived)" in out  # still listed, with its real outcome
    assert f"waived: gap accepted by policy team until 2999-12-31: {JUSTIFICATION} ({tmp_path / 'waivers.yaml'}:2:5)" in out
    assert "; 1 waived" in out
    report = obcheck.check(facts, rules=MINI, waivers=tmp_path / "waivers.yaml", engine="python")
    waived = report.finding("b-2024", "simple")
    assert waived.status == "gap" and waived.waiver is not None and waived.waiver["owner"] == "policy team"
    assert report.finding("a-2024", "simple").waiver is None
    assert not report.summary.fails("gap") and report.summary.waived["gap"] == 1


def test_a_waiver_accepts_only_its_outcome_and_matches_pack_rule_globs(facts: Path, tmp_path: Path) -> None:
    code, out, err = check(facts, waivers_file(tmp_path, entry(outcome="partial")), "--fail-on", "gap")
    assert code == 1 and "(waived)" not in out  # a gap is worse than the partial accepted
    assert "matches no partial finding of rule 'simple'" in err
    code, out, _ = check(facts, waivers_file(tmp_path, entry(rule="mini/sim*", agreement="*")), "--fail-on", "gap")
    assert code == 0 and out.count("(waived)") == 1


def test_an_expired_waiver_waives_nothing_is_reported_and_fails_under_fail_on(facts: Path, tmp_path: Path) -> None:
    path = waivers_file(tmp_path, entry(expires="2020-01-01"))
    code, out, err = check(facts, path, "--fail-on", "unknown")
    assert code == 1 and "(waived)" not in out
    note = f"{path}:2:5: warning: waiver expired on 2020-01-01 (owner policy team); it no longer waives b-2024/simple: renew it or fix the findings"
    assert note in err.splitlines()
    assert "waivers to look at:" in out
    # even where nothing else would fail: the expiry itself fails --fail-on, and never is never
    path = waivers_file(tmp_path, entry(expires="2020-01-01", agreement="a-*"))
    assert check(facts, path, "--fail-on", "gap", "--pack", "mini")[0] == 1
    only_met = tmp_path / "only-met"
    fact_file(only_met / "a.yaml", "  demo.flag: {value: true, source: s1, quote: q, evidence: text}\n", id="a-2024")
    assert check(only_met, path, "--fail-on", "gap")[0] == 1
    assert check(only_met, path, "--fail-on", "never")[0] == 0


def test_an_unused_waiver_is_reported_without_changing_the_exit_code(facts: Path, tmp_path: Path) -> None:
    path = waivers_file(tmp_path, entry(), entry(rule="no-such-rule", agreement="*"))
    code, out, err = check(facts, path, "--fail-on", "gap")
    assert code == 0 and "(waived)" in out  # the other waiver still waives
    assert f"{path}:8:5: warning: waiver matches no gap finding of rule 'no-such-rule' for agreement '*': remove it or correct it" in err


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_shows_waived_findings_and_waiver_notes(facts: Path, tmp_path: Path, fmt: str) -> None:
    path = waivers_file(tmp_path, entry(), entry(rule="no-such-rule", agreement="*", justification="Never used."))
    code, out, _ = check(facts, path, "--format", fmt)
    assert code == 0
    text = out.replace("&#39;", "'")  # HTML escapes the quotes in the note
    assert JUSTIFICATION in text, fmt
    assert "waiver matches no gap finding of rule 'no-such-rule'" in text, fmt


def test_json_and_sarif_carry_waivers_as_data(facts: Path, tmp_path: Path) -> None:
    import jsonschema

    path = waivers_file(tmp_path, entry())
    data = json.loads(check(facts, path, "--format", "json")[1])
    b = next(a for a in data["agreements"] if a["id"] == "b-2024")
    simple = next(f for f in b["findings"] if f["rule"] == "simple")
    assert simple["waiver"]["justification"] == JUSTIFICATION and simple["status"] == "gap"
    assert data["waivers"] == {"waived": {"met": 0, "partial": 0, "gap": 1, "unknown": 0, "not_applicable": 0}, "expired": 0, "notes": []}
    sarif = json.loads(check(facts, path, "--format", "sarif")[1])
    jsonschema.Draft4Validator(json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())).validate(sarif)
    waived = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(waived) == 1 and waived[0]["suppressions"][0]["status"] == "accepted"
    without = json.loads(cli("check", facts, "--rules", MINI, "--format", "json").stdout)
    assert "waivers" not in without  # reports without waivers keep their shape


def test_junit_skips_a_waived_gap_and_fails_an_expired_waiver(facts: Path, tmp_path: Path) -> None:
    out = check(facts, waivers_file(tmp_path, entry()), "--format", "junit")[1]
    assert 'failures="0"' in out.split("\n")[1] and "<skipped message=\"waived gap accepted" in out
    out = check(facts, waivers_file(tmp_path, entry(expires="2020-01-01")), "--format", "junit", "--fail-on", "gap")[1]
    assert 'type="expired-waiver"' in out and '<testsuite name="obcheck waivers"' in out


@pytest.mark.parametrize(("body", "message"), [
    (entry(expires="2024-02-30"), ":7:14: expires must be a date: 2024-02-30 is not a date that exists"),
    (entry() + "    colour: red\n", ":8:5: unknown key 'colour'"),
    (entry(outcome="met"), ":4:14: waivers.0.outcome: Input should be 'gap', 'partial' or 'unknown'"),
])
def test_a_bad_waivers_file_is_a_located_input_error(facts: Path, tmp_path: Path, body: str, message: str) -> None:
    result = cli("check", facts, "--rules", MINI, "--waivers", waivers_file(tmp_path, body))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in result.stderr, result.stderr
    missing = cli("check", facts, "--rules", MINI, "--waivers", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "nope.yaml:1:1: waivers file not found" in missing.stderr


def test_worker_processes_apply_waivers_as_one_process_does(facts: Path, tmp_path: Path) -> None:
    path = waivers_file(tmp_path, entry(), entry(rule="no-such-rule", agreement="*"))
    one = check(facts, path, "--format", "json")
    two = check(facts, path, "--format", "json", "--jobs", "2")
    assert one == two and "waiver" in one[1]
