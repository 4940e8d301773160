"""Report formats: golden CSV and Markdown, SARIF against its schema, JUnit counts, HTML escaping and a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, MINI, ROOT, cli, fact_file

CORPUS = FIXTURES / "corpus"


def run(*args: str | Path) -> str:
    result = cli("check", CORPUS, "--rules", MINI, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("fmt", "golden"), [("csv", "corpus.csv"), ("markdown", "corpus.md"), ("text", "corpus.txt")])
def test_golden_reports(fmt: str, golden: str, update_golden: bool) -> None:
    text = run("--format", fmt)
    path = ROOT / "tests" / "golden" / golden
    if update_golden:
        path.write_text(text)
    assert text == path.read_text()


def test_matrix_formats_are_golden(update_golden: bool) -> None:
    for fmt, golden in (("csv", "matrix.csv"), ("markdown", "matrix.md"), ("json", "matrix.json")):
        result = cli("matrix", CORPUS, "--rules", MINI, "--format", fmt, "--sort", "gaps")
        assert result.exit_code == 0, result.stderr
        path = ROOT / "tests" / "golden" / golden
        if update_golden:
            path.write_text(result.stdout)
        assert result.stdout == path.read_text()


def test_sarif_validates_against_the_2_1_0_schema() -> None:
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    sarif = json.loads(run("--format", "sarif"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    report = json.loads(run("--format", "json"))
    not_met = [(a["id"], f["rule"]) for a in report["agreements"] for f in a["findings"] if f["status"] in ("gap", "partial", "unknown")]
    assert sorted((r["properties"]["agreement"], r["ruleId"].split("/")[1]) for r in results) == sorted(not_met)
    gap = next(r for r in results if r["properties"]["status"] == "gap")
    assert gap["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "tests/fixtures/corpus/beta-2025.yaml"}, "region": {"startLine": 8}}
    assert gap["level"] == "note"  # the rule is low severity
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["mini/simple"]["helpUri"] == "https://example.org/demo"


def test_junit_parses_and_its_counts_match_the_json_report() -> None:
    root = ET.fromstring(cli("check", CORPUS, "--rules", MINI, "--format", "junit", "--fail-on", "gap").stdout)
    report = json.loads(run("--format", "json"))
    assert int(root.get("tests")) == sum(len(a["findings"]) for a in report["agreements"])
    assert int(root.get("failures")) == report["summary"]["gap"]
    assert int(root.get("skipped")) == report["summary"]["unknown"]
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    # a draft's suite is labelled so (beta-2025 states no signature: a draft)
    assert set(suites) == {a["id"] + (f" [{a['status']}]" if a["status"] in ("draft", "reported") else "") for a in report["agreements"]}
    failure = suites["beta-2025 [draft]"].find("testcase[@name='simple']/failure")
    assert failure is not None and failure.get("message") == "Flag is false."


@pytest.mark.parametrize("fail_on", ["never", "gap", "partial", "unknown"])
def test_junit_failures_are_exactly_what_makes_the_exit_code_1(fail_on: str) -> None:
    result = cli("check", CORPUS, "--rules", MINI, "--format", "junit", "--fail-on", fail_on)
    failures = int(ET.fromstring(result.stdout).get("failures") or 0)
    report = json.loads(run("--format", "json"))
    counted = {"never": (), "gap": ("gap",), "partial": ("gap", "partial"), "unknown": ("gap", "partial", "unknown")}[fail_on]
    assert failures == sum(report["summary"][o] for o in counted)
    assert (result.exit_code == 1) == (failures > 0)


def html_report(tmp_path: Path, title: str = "Alpha test agreement") -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    text = (corpus / "alpha-2024.yaml").read_text().replace("title: Alpha test agreement", f"title: {json.dumps(title)}")
    (corpus / "alpha-2024.yaml").write_text(text)
    out = tmp_path / "report.html"
    result = cli("matrix", corpus, "--rules", MINI, "--format", "html", "--output", out)
    assert result.exit_code == 0, result.stderr
    return out


XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def test_html_is_self_contained_and_escapes_fact_text(tmp_path: Path) -> None:
    html = html_report(tmp_path, XSS).read_text()
    assert html.lower().count("<script") == 1 and "<img" not in html.lower()  # our one script, admitted by its hash
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", html)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html.split("<body>")[0]), "the head must load nothing"
    assert "@import" not in html and "url(" not in html
    # every matrix cell links to a finding that exists on the page
    cells = re.findall(r'<td class="s-[a-z_]+"><a href="#([^"]+)"', html)
    assert len(cells) == 2 * 2 and all(f'id="{c}"' in html for c in cells)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (Debian package 'chromium'; .ci/run installs it)")
def test_html_renders_in_headless_chromium(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    page = html_report(tmp_path, XSS)
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    assert '<table class="matrix" id="matrix">' in dom
    assert dom.lower().count("<script") == 1, "the fact title must stay inert text, never an element"
    assert "&lt;script&gt;" in dom
    links = re.findall(r'<td class="s-([a-z_]+)"><a href="#([^"]+)"', dom)
    assert len(links) == 4 and all(f'id="{target}"' in dom for _, target in links)
    shot = tmp_path / "report.png"
    subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,900", page.as_uri()],
        capture_output=True, timeout=120,
    )
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
    keep = ROOT / "tests" / "output"
    keep.mkdir(exist_ok=True)
    shutil.copy(shot, keep / "report.png")
    record_property("screenshot", str(keep / "report.png"))
    print(f"screenshot: {keep / 'report.png'}")


def test_text_output_matches_the_json_counts(tmp_path: Path) -> None:
    fact_file(tmp_path / "x.yaml", id="x-2024")
    text = cli("check", tmp_path, "--rules", MINI).stdout
    assert "1 agreements against mini 0.1 (2 rules): 1 met, 0 partial, 0 gap, 1 unknown, 0 not_applicable" in text


def test_diff_names_each_flipped_outcome_and_its_cause(tmp_path: Path) -> None:
    old = fact_file(tmp_path / "old.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n")
    new = fact_file(tmp_path / "new.yaml", "  demo.flag: {value: true, source: s1, quote: q, evidence: text}\n")
    result = cli("diff", old, new, "--rules", MINI)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "test-2024 mini/simple: gap -> met\n  because fact demo.flag: false -> true\n1 outcome changed\n"
    assert cli("diff", old, old, "--rules", MINI).stdout == "no outcome changed\n"


def test_diff_reports_added_agreements_and_changed_rules(tmp_path: Path) -> None:
    a = tmp_path / "a"
    fact_file(a / "x.yaml", id="x-2024")
    b = tmp_path / "b"
    fact_file(b / "x.yaml", id="x-2024")
    fact_file(b / "y.yaml", id="y-2024")
    out = cli("diff", a, b, "--rules", MINI).stdout
    assert "y-2024 mini/simple: absent -> met\n  because agreement y-2024 added" in out


def test_questions_rank_missing_facts_by_the_unknowns_they_keep(tmp_path: Path) -> None:
    result = cli("questions", CORPUS, "--rules", MINI, "--format", "json")
    data = {e["agreement"]: e["questions"] for e in json.loads(result.stdout)}
    assert data["alpha-2024"] == []
    tags = next(q for q in data["beta-2025"] if q["fact"] == "demo.tags")
    assert tags == {"fact": "demo.tags", "unknown_outcomes": 1, "rules": ["operators"], "unverified_note": "The tags were not reported."}
    text = cli("questions", CORPUS, "--rules", MINI).stdout
    assert "   1 unknown  demo.tags  (operators)  [unverified: The tags were not reported.]" in text


def test_diff_between_git_revisions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(MINI, repo / "rules" / "mini")
    shutil.move(repo / "rules" / "mini" / "vocabulary.yaml", repo / "rules" / "vocabulary.yaml")
    fact_file(repo / "facts" / "x.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n", id="x-2024")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "one"], check=True)
    fact_file(repo / "facts" / "x.yaml", "  demo.flag: {value: true, source: s1, quote: q, evidence: text}\n", id="x-2024")
    subprocess.run([*git, "-C", str(repo), "commit", "-qam", "two"], check=True)
    monkeypatch.chdir(repo)
    result = cli("diff", "--rev", "HEAD~1..HEAD")
    assert result.exit_code == 0, result.stderr
    assert "x-2024 mini/simple: gap -> met\n  because fact demo.flag: false -> true" in result.stdout
    assert cli("diff", "--rev", "nope..HEAD").exit_code == 2


@pytest.mark.ci  # a whole browser on the whole corpus: CI runs it after the default suite
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (Debian package 'chromium'; .ci/run installs it)")
def test_shipped_corpus_matrix_renders_in_headless_chromium_with_every_cell_linked(tmp_path: Path) -> None:
    page = tmp_path / "matrix.html"
    result = cli("matrix", "--format", "html", "--sort", "gaps", "--output", page)
    assert result.exit_code == 0, result.stderr
    report = json.loads(cli("check", "--format", "json").stdout)
    cells = sum(len(a["findings"]) for a in report["agreements"])
    dom = subprocess.run(
        [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    links = re.findall(r'<td class="s-[a-z_]+"><a href="#([^"]+)"', dom)
    assert len(links) == cells and all(f'id="{target}"' in dom for target in links)
    shot = ROOT / "tests" / "output" / "matrix.png"
    shot.parent.mkdir(exist_ok=True)
    subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                    "--window-size=1600,1000", page.as_uri()], capture_output=True, timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")


def test_shipped_corpus_matrix_renders_in_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # A terminal wide enough for the grid: since the corpus holds ids of 32 characters (coalition-paris-declaration-2026),
    # the grid needs more than the default 120 columns, where a line per agreement is shown (pinned in matrix-score-120.txt).
    monkeypatch.setenv("COLUMNS", "200")
    result = cli("matrix", "--sort", "gaps")
    assert result.exit_code == 0 and "\ngr-2024 " in result.stdout and " binding-status (" in result.stdout


@pytest.mark.parametrize("width", [80, 120, 200])
def test_shipped_matrix_sorted_by_score_is_golden_and_fits_the_terminal(width: int, update_golden: bool) -> None:
    """The agreements closest to the Compact first, with met, score and unknown share; no line wider than the terminal."""
    import obcheck
    from obcheck.reporters.matrix import render_matrix

    report = obcheck.check(packs=["kyiv-security-compact-2022"])
    text = render_matrix("terminal", report, "score", width=width)
    assert all(len(line) <= width for line in text.splitlines()), max(text.splitlines(), key=len)
    golden = ROOT / "tests" / "golden" / f"matrix-score-{width}.txt"
    if update_golden:
        golden.write_text(text)
    assert text == golden.read_text()
    first = text.splitlines()[1 if text.startswith("agreement ") else 0]  # below the grid's header, or the first line per agreement
    assert first.startswith("us-2024")  # the highest score today (see bench of facts); the test pins the order


def test_findings_are_made_whole_and_frozen() -> None:
    # findings.finding builds each Finding with model.made (no per-field __init__): every field must be there, the
    # same as the constructor would give, and the object must stay frozen
    import dataclasses

    from obcheck.model import SHAPE, Finding
    from obcheck.run import check

    report = check(facts=ROOT / "facts" / "gb-2024.yaml")
    findings = [f for a in report.agreements for f in a.findings]
    assert findings
    names = {f.name for f in dataclasses.fields(Finding)}
    for found in findings:
        assert set(vars(found)) - {SHAPE} == names  # and the shape it was copied from, if kept (model.SHAPE)
        assert Finding(**{k: v for k, v in vars(found).items() if k != SHAPE}) == found
        with pytest.raises(dataclasses.FrozenInstanceError):
            found.status = found.status  # type: ignore[misc]


def test_findings_worked_out_once_per_shape_equal_findings_worked_out_each_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """findings._shape keeps what a (rule, truths, values read) combination gives and reuses it: every finding must
    equal the one worked out afresh, in whatever order the agreements come (the shipped documents, the test corpus
    and generated agreements, many of which share combinations)."""
    import importlib.util

    from obcheck import findings
    from obcheck.run import check

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generated = tmp_path / "generated"
    generate.generate(60, generated, seed=7)
    folders = [ROOT / "facts", FIXTURES / "corpus", generated]

    def reports(order: list[Path]) -> dict[str, object]:
        return {a.id: a for folder in order for a in check(facts=folder).agreements}

    worked: list[int] = []  # _fill runs once per shape worked out
    fill = findings._fill
    monkeypatch.setattr(findings, "_fill", lambda *args: worked.append(1) or fill(*args))
    monkeypatch.setattr(findings, "MAX_SHAPES", 0)  # nothing kept: each finding worked out on its own
    afresh = reports(folders)
    assert len(worked) == sum(len(a.findings) for a in afresh.values())  # type: ignore[attr-defined]
    worked.clear()
    monkeypatch.setattr(findings, "MAX_SHAPES", 1_024)
    kept = reports(folders)
    assert len(worked) < sum(len(a.findings) for a in kept.values()) / 2  # type: ignore[attr-defined]
    again = reports(folders[::-1])  # another order: other agreements work the shared combinations out
    assert kept == afresh and again == afresh


@pytest.mark.parametrize("a, b", [(True, 1), (False, 0), (1, 1.0), (0.0, -0.0), (["x"], "x"), (None, "null"), ([], ""),
                                  (["a", "b"], ["a,b"]), ([], None), (1.5, ["1.5"])])
def test_a_value_key_tells_apart_values_that_read_differently(a: object, b: object) -> None:
    from obcheck.findings import _ABSENT
    from obcheck.model import UNKEYED, value_key

    assert value_key(a) != value_key(b) and not {id(value_key(a)), id(value_key(b))} & {id(_ABSENT), id(UNKEYED)}
    assert value_key(a) == value_key(a.copy() if isinstance(a, list) else a)  # equal values meet
    assert value_key({"a": 1}) is UNKEYED and value_key([1]) is UNKEYED


def test_a_message_naming_a_fact_the_rule_does_not_read_is_filled_for_each_agreement() -> None:
    """A message may name any fact of the vocabulary: what it names is part of the combination a finding is kept
    by, so two agreements that differ only there get their own messages."""
    import dataclasses

    from obcheck.facts import load_agreement
    from obcheck.findings import finding
    from obcheck.outcomes import Truths
    from obcheck.rules import Messages, load_catalogue

    catalogue = load_catalogue([ROOT / "rules"])
    agreement = load_agreement(ROOT / "facts" / "gb-2024.yaml", catalogue.vocabulary)
    rule = next(iter(catalogue.rules()))
    other = next(p for p, f in agreement.facts.items() if p not in rule.paths and isinstance(f.value, bool))
    said = f"states {{{other}}}"
    rule = dataclasses.replace(rule, messages=Messages(met=said, gap=said, unknown=said, partial=said, not_applicable=said))
    flipped = dataclasses.replace(agreement, facts={**agreement.facts, other: dataclasses.replace(agreement.facts[other], value=not agreement.facts[other].value)})
    truth = Truths(True, True, None, False)
    messages = [finding(rule, a, truth).message for a in (agreement, flipped, agreement)]
    value = agreement.facts[other].value
    assert messages == [f"states {str(value).lower()}", f"states {str(not value).lower()}", f"states {str(value).lower()}"]


def test_the_json_line_is_the_sorted_dump_of_the_agreement_whatever_its_findings_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """json_report.line splices each finding's kept text around its location: every line must be exactly
    json.dumps(as_data(agreement), sort_keys=True, ensure_ascii=False), for findings kept, found again, not kept
    (the store full), contested, waived, and one whose own text holds the location's stand-in."""
    import dataclasses
    import importlib.util
    import json

    from obcheck.model import SHAPE
    from obcheck.reporters import json_report
    from obcheck.run import check

    def plain(agreement: object) -> str:
        return json.dumps(json_report.as_data(agreement), sort_keys=True, ensure_ascii=False)  # type: ignore[arg-type]

    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate(40, tmp_path / "generated", seed=11)
    agreements = [a for folder in (ROOT / "facts", FIXTURES / "corpus", tmp_path / "generated") for a in check(facts=folder).agreements]
    fact_file(tmp_path / "mini" / "b.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n", id="b-2024")
    split = ("  demo.flag: {value: true, source: s1, quote: binding, evidence: text, contested: true,\n"
             "              alternatives: [{value: false, source: s2, quote: not binding, evidence: text}]}\n")
    fact_file(tmp_path / "mini" / "c.yaml", split, id="c-2024")
    text = (tmp_path / "mini" / "c.yaml").read_text()
    (tmp_path / "mini" / "c.yaml").write_text(text.replace("facts:\n", '  - {id: s2, title: Another, url: "https://example.org/s2", type: text}\nfacts:\n'))
    (tmp_path / "waivers.yaml").write_text('waivers:\n  - rule: simple\n    agreement: "b-*"\n    outcome: gap\n    justification: "Accepted for the pilot."\n    owner: policy team\n    expires: "2999-12-31"\n')
    mini = check(facts=tmp_path / "mini", rules=MINI, waivers=tmp_path / "waivers.yaml").agreements
    assert any(f.waiver for a in mini for f in a.findings) and any(f.contested for a in mini for f in a.findings)
    agreements += mini
    monkeypatch.setattr(json_report, "_TEXTS", {})
    monkeypatch.setattr(json_report, "_BY_SHAPE", {})
    for order in (agreements, agreements[::-1]):  # texts kept, then found again from other agreements
        assert [json_report.line(a) for a in order] == [plain(a) for a in order]
    assert json_report._BY_SHAPE and not json_report._TEXTS  # findings of this process come with their shapes
    copied = [dataclasses.replace(a, findings=[dataclasses.replace(f) for f in a.findings]) for a in agreements]
    assert not any(SHAPE in vars(f) for a in copied for f in a.findings)  # a copy is keyed by what it shows
    for order in (copied, copied[::-1]):
        assert [json_report.line(a) for a in order] == [plain(a) for a in order]
    assert json_report._TEXTS
    monkeypatch.setattr(json_report, "MAX_TEXTS", 0)  # none kept: each encoded whole
    monkeypatch.setattr(json_report, "_TEXTS", {})
    monkeypatch.setattr(json_report, "_BY_SHAPE", {})
    assert [json_report.line(a) for a in agreements] == [plain(a) for a in agreements]
    first = agreements[0]
    odd = dataclasses.replace(first, findings=[dataclasses.replace(first.findings[0], message=json_report._HERE)])
    monkeypatch.setattr(json_report, "MAX_TEXTS", 10)
    assert json_report.line(odd) == plain(odd)
    shown = {k for a in agreements for f in a.findings for k in json_report._item(f)}
    assert shown == {"actual", "ceiling", "contested", "evidence", "floor", "location", "may_not_apply", "message", "missing",
                     "needs", "pack", "rule", "status", "waiver", "would_take"}, "a new key: add it to json_report._text_key"
    found = next(f for f in first.findings if f.actual and not f.contested)
    path = next(iter(found.actual))
    for value in (True, 1, 1.0, -0.0, 0.0, ["1"], "1", None):  # equal in Python, not in JSON
        one = dataclasses.replace(first, findings=[dataclasses.replace(found, actual={**found.actual, path: value})])
        assert json_report.line(one) == plain(one)


def test_a_findings_shape_stays_in_its_process() -> None:
    """findings.finding marks a finding with the kept shape it was copied from (model.SHAPE), by which the JSON
    reporter keeps its text. A pickled finding (the cache, --jobs) and a replaced one (a waiver, contested readings)
    are without it, and equal findings compare equal either way."""
    import dataclasses
    import pickle

    from obcheck.model import SHAPE
    from obcheck.run import check

    found = check(facts=ROOT / "facts" / "gb-2024.yaml").agreements[0].findings
    assert all(SHAPE in vars(f) for f in found)
    for f in found:
        for other in (pickle.loads(pickle.dumps(f)), dataclasses.replace(f), dataclasses.replace(f, waiver={"owner": "x"})):
            assert SHAPE not in vars(other)
        assert pickle.loads(pickle.dumps(f)) == f == dataclasses.replace(f)


def test_what_is_worked_out_for_a_rule_goes_when_the_rule_does() -> None:
    """A process that loads rules again and again (a server, a test session) must not keep every catalogue's memos:
    each rule's plan with its shapes, its predicates and what-it-would-take table, each condition's paths, last as
    long as the rule or condition (rules.remember)."""
    import gc

    from obcheck import findings, remedies
    from obcheck.run import check

    memos = {"plans": findings._PLANS, "paths": findings._PATHS, "predicates": remedies._PREDICATES, "tables": remedies._TABLES}
    gc.collect()
    before = {name: set(memo) for name, memo in memos.items()}
    for _ in range(3):
        report = check(facts=ROOT / "facts" / "gb-2024.yaml")
        assert any(f.would_take for a in report.agreements for f in a.findings)
        assert all(len(memo) > len(before[name]) for name, memo in memos.items())  # each was used
        del report
        gc.collect()
        assert {name: set(memo) <= before[name] for name, memo in memos.items()} == dict.fromkeys(memos, True)
