"""What policy teams use to write rules: explain, schemas for editors, generated docs, obcheck test, the pytest plugin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obcheck.source import parse
from tests.conftest import FIXTURES, MINI, ROOT, cli, fact_file, write


def test_explain_rule_in_plain_words() -> None:
    out = cli("explain", "operators", "--rules", MINI).stdout
    assert "It is MET when:\n  - all of:\n    - demo.level is at least high\n    - demo.hours is at most 24" in out
    assert "This criterion rests on secondary or seed sources" in out and "Remediation: Raise the level." in out


def test_explain_outcome_shows_each_condition_value_and_source() -> None:
    out = cli("explain", "simple", str(FIXTURES / "corpus" / "beta-2025.yaml"), "--rules", MINI).stdout
    assert out.startswith("simple on beta-2025 (tests/fixtures/corpus/beta-2025.yaml): GAP")
    assert "- demo.flag is true: FALSE\n      seen: false at tests/fixtures/corpus/beta-2025.yaml:8 (secondary evidence; Beta | news report)" in out
    assert '"No flag, says the report." <https://example.org/beta>' in out
    # the decision, then what would raise it (tests/test_remedies.py checks the sets themselves)
    assert "Decision: gap, because the met condition fails.\n\nWhat it would take" in out
    assert out.rstrip().endswith("  to MET:\n    - demo.flag = true (now false)")


def test_explain_unknown_rule_suggests_the_name() -> None:
    result = cli("explain", "simpel", "--rules", MINI)
    assert result.exit_code == 2 and "no rule 'simpel' (did you mean 'simple'?)" in result.stderr


@pytest.mark.parametrize(("kind", "files"), [
    ("facts", sorted((FIXTURES / "corpus").glob("*.yaml"))),
    ("rules", [MINI / "operators.yaml", MINI / "simple.yaml"]),
    ("cases", sorted(MINI.glob("*.cases.yaml"))),
])
def test_generated_schemas_accept_valid_files_and_reject_a_typo(kind: str, files: list[Path], tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(cli("schema", kind, "--rules", MINI).stdout)
    validator = jsonschema.Draft202012Validator(schema)
    for file in files:
        assert list(validator.iter_errors(parse(file).data)) == [], file
    broken = parse(files[0]).data
    broken["titel"] = "typo"
    assert any("titel" in e.message for e in validator.iter_errors(broken))


def test_obcheck_test_reports_failures_with_location_and_exits_1(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    for f in MINI.iterdir():
        write(pack / f.name, f.read_text())
    write(pack / "simple.cases.yaml", "rule: simple\ncases:\n  - name: Wrong on purpose\n    facts: {demo.flag: true}\n    expect: gap\n"
          "  - name: A known shortcoming\n    facts: {demo.flag: false}\n    expect: todo-met\n")
    result = cli("test", "--rules", pack, "--coverage", "--min-coverage", "100")
    assert result.exit_code == 1
    assert f"FAIL {pack / 'simple.cases.yaml'}:3: case 'Wrong on purpose': expected gap, got met" in result.stdout
    assert "TODO" in result.stdout and "mini/simple: 2/3  missing: unknown" in result.stdout
    assert "coverage 87.5% is below --min-coverage 100" in result.stdout


def test_obcheck_test_flags_a_vacuous_rule(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    for f in MINI.iterdir():
        write(pack / f.name, f.read_text())
    # met through `any` with a constant-true branch: deleting demo.flag leaves it met
    text = (MINI / "simple.yaml").read_text().replace("met: {fact: demo.flag, equals: true}", "met:\n  any:\n    - {fact: demo.flag, equals: true}\n    - {fact: demo.level, at_least: none}")
    write(pack / "simple.yaml", text)
    write(pack / "simple.cases.yaml", "rule: simple\ncases:\n  - name: Both set is met\n    facts: {demo.flag: true, demo.level: low}\n    expect: met\n")
    result = cli("test", "--rules", pack)
    assert result.exit_code == 1 and "VACUOUS" in result.stdout and "stays met without demo.flag" in result.stdout


def test_pytest_collects_rule_cases(pytestconfig: pytest.Config) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", str(MINI)], capture_output=True, text=True, cwd=ROOT)
    assert "operators.cases.yaml::High level within 24 hours, no tag c and a share other than 0.5 is met" in done.stdout
    assert "9 tests collected" in done.stdout


def test_another_project_with_a_cases_file_collects_normally(tmp_path: Path) -> None:
    """The plugin is installed globally; a project that is not an obcheck rule pack must not notice it."""
    import subprocess
    import sys

    write(tmp_path / "foo.cases.yaml", "whatever: [1, 2]\n")
    write(tmp_path / "test_one.py", "def test_one():\n    assert 1 + 1 == 2\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "error" not in done.stdout.lower()


def test_generated_docs_and_schemas_are_current() -> None:
    result = cli("docs", "--check")
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(("met", "message"), [
    ("all: [{fact: demo.flag, equals: true}, {fact: demo.flag, equals: false}]", "'met' can never hold"),
    ("any: [{fact: demo.flag, equals: true}, {fact: demo.flag, not_equals: true}]", "'met' can never fail"),
    ("{fact: demo.level, exists: true}", "(exists is never false: absence is unknown)"),
    ("{fact: demo.hours, at_least: 5}\npartial: {fact: demo.hours, at_least: 10}", "outcome partial is never reached"),
    ("{fact: demo.hours, at_least: 5}\npartial: {fact: demo.hours, at_most: 10}", "outcome gap is never reached"),
])
def test_validate_lints_conditions_that_cannot_hold_or_cannot_fail(tmp_path: Path, met: str, message: str) -> None:
    pack = tmp_path / "pack"
    for f in MINI.iterdir():
        write(pack / f.name, f.read_text())
    text = (MINI / "simple.yaml").read_text().replace("met: {fact: demo.flag, equals: true}", f"met:\n  {met}" if not met.startswith("{") else f"met: {met}")
    text = text.replace("messages: {met: Flag set.,", "messages: {partial: p, met: Flag set.,")
    write(pack / "simple.yaml", text)
    result = cli("validate", FIXTURES / "corpus", "--rules", pack)
    assert result.exit_code == 2 and message in result.stderr and "simple.yaml:" in result.stderr, result.stderr


def test_validate_requires_cases_beside_each_rule(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    for f in MINI.iterdir():
        if f.name != "simple.cases.yaml":
            write(pack / f.name, f.read_text())
    result = cli("validate", FIXTURES / "corpus", "--rules", pack)
    assert result.exit_code == 2 and "simple.yaml:1:1: rule 'simple' has no cases file simple.cases.yaml" in result.stderr


def test_new_rule_and_agreement_are_valid_as_written(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    for f in MINI.iterdir():
        write(pack / f.name, f.read_text())
    assert cli("new", "rule", "mini", "my-criterion", "--rules", pack).exit_code == 0
    assert (pack / "my-criterion.yaml").is_file() and (pack / "my-criterion.cases.yaml").is_file()
    assert cli("new", "agreement", "xx-2026", "--facts", tmp_path / "facts", "--rules", pack).exit_code == 0
    result = cli("validate", tmp_path / "facts", "--rules", pack)
    assert result.exit_code == 0, result.stderr
    tested = cli("test", "--rules", pack, "--coverage", "--min-coverage", "100")
    assert tested.exit_code == 0, tested.stdout
    again = cli("new", "rule", "mini", "my-criterion", "--rules", pack)
    assert again.exit_code == 2 and "already exists; not overwritten" in again.stderr


def test_new_pack_then_rule_in_a_fresh_rules_folder(tmp_path: Path) -> None:
    """`new pack` gives a pack that loads with no rules (a warning, not an error); `new rule` fills it, with the
    schema modeline in both starter files."""
    rules = tmp_path / "rules"
    write(rules / "vocabulary.yaml", (MINI / "vocabulary.yaml").read_text())
    fact_file(tmp_path / "facts" / "a.yaml", id="a-2024")
    assert cli("new", "pack", "my-standard", "--rules", rules).exit_code == 0
    empty = cli("validate", tmp_path / "facts", "--rules", rules)
    assert empty.exit_code == 0 and "warning: pack 'my-standard' has no rules yet" in empty.stderr
    assert cli("check", tmp_path / "facts", "--rules", rules).exit_code == 0  # an empty pack fails no command
    assert cli("new", "rule", "my-standard", "first-criterion", "--rules", rules).exit_code == 0
    for name in ("first-criterion.yaml", "first-criterion.cases.yaml"):
        first = (rules / "my-standard" / name).read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../../docs/schemas/"), name
    tested = cli("test", "--rules", rules, "--coverage", "--min-coverage", "100")
    assert tested.exit_code == 0, tested.stdout
    assert cli("new", "pack", "my-standard", "--rules", rules).exit_code == 2  # never overwritten


def test_custom_pack_example_prints_its_expected_output(monkeypatch: pytest.MonkeyPatch) -> None:
    example = ROOT / "examples" / "custom-pack"
    monkeypatch.chdir(example)
    result = cli("check", "facts", "--rules", "rules")
    assert result.exit_code == 0 and result.stdout == (example / "expected-output.txt").read_text()
    tested = cli("test", "--rules", "rules", "--coverage", "--min-coverage", "100")
    assert tested.exit_code == 0 and "11 passed, 0 failed" in tested.stdout


def test_shipped_yaml_files_carry_the_schema_modeline() -> None:
    for path in sorted((ROOT / "facts").glob("*.yaml")) + sorted((ROOT / "rules").glob("*/*.yaml")):
        if path.name in ("pack.yaml", "vocabulary.yaml"):
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(".schema.json"), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), (path, target)


def test_new_expected_pins_the_outcomes_and_obcheck_test_holds_the_agreement_to_them(tmp_path: Path) -> None:
    facts = tmp_path / "facts"
    fact_file(facts / "b.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n", id="b-2024")
    expected = tmp_path / "expected"
    made = cli("new", "expected", facts / "b.yaml", "--pack", "mini", "--dir", expected, "--rules", MINI)
    assert made.exit_code == 0, made.stderr
    text = (expected / "b-2024.yaml").read_text()
    assert "  simple: gap            # demo.flag=false\n" in text and "agreement: b-2024\npack: mini\n" in text
    assert cli("test", facts, "--rules", MINI, "--expected", expected).exit_code == 0
    again = cli("new", "expected", facts / "b.yaml", "--pack", "mini", "--dir", expected, "--rules", MINI)
    assert again.exit_code == 2 and "already exists; not overwritten (--force replaces it)" in again.stderr
    fact_file(facts / "b.yaml", "  demo.flag: {value: true, source: s1, quote: q, evidence: text}\n", id="b-2024")
    failed = cli("test", facts, "--rules", MINI, "--expected", expected)
    assert failed.exit_code == 1 and "b-2024 simple: expected gap, got met" in failed.stdout
