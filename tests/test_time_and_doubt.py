"""Documents in time (status, dates, --as-of, timeline) and in doubt (contested values, source reliability)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import MINI, cli, write

HEAD = """id: {id}
title: {title}
kind: bilateral-agreement
parties: [NO, UA]
{dates}sources:
  - {{id: s1, title: The text, url: "https://example.org/s1", type: text}}
  - {{id: s2, title: A reputable paper, url: "https://example.org/s2", type: secondary}}
  - {{id: s3, title: A state outlet, url: "https://example.org/s3", type: secondary, reliability: partisan}}
facts:
"""


def doc(folder: Path, id: str, dates: str, facts: str, title: str = "A document") -> Path:
    return write(folder / f"{id}.yaml", HEAD.format(id=id, title=title, dates=dates) + facts)


FLAG = "  demo.flag: {{value: {v}, source: s1, quote: q, evidence: text{extra}}}\n"


def test_as_of_reports_only_what_existed_that_day_and_the_facts_valid_then(tmp_path: Path) -> None:
    doc(tmp_path, "old-2020", "signed: 2020-01-01\nends: 2023-12-31\n", FLAG.format(v="true", extra=""))
    doc(tmp_path, "new-2024", "signed: 2024-07-01\n", FLAG.format(v="true", extra=""))
    doc(tmp_path, "talk-2024", "status: reported\nreported: 2024-03-01\n", FLAG.format(v="true", extra=""))
    amended = ("  demo.flag: {value: false, source: s1, quote: q, evidence: text, valid_until: 2022-06-30}\n")
    doc(tmp_path, "amend-2021", "signed: 2021-01-01\n", amended)

    def ids(day: str) -> list[str]:
        data = json.loads(cli("check", tmp_path, "--rules", MINI, "--format", "json", "--as-of", day).stdout)
        return [a["id"] for a in data["agreements"]]

    assert ids("2019-12-31") == []
    assert ids("2022-01-01") == ["amend-2021", "old-2020"]
    assert ids("2024-06-01") == ["amend-2021", "talk-2024"]  # the 2020 document ended; the 2024 one is not signed yet
    assert ids("2024-07-01") == ["amend-2021", "new-2024", "talk-2024"]
    later = json.loads(cli("check", tmp_path / "amend-2021.yaml", "--rules", MINI, "--format", "json", "--as-of", "2023-01-01").stdout)
    simple = next(f for f in later["agreements"][0]["findings"] if f["rule"] == "simple")
    assert simple["status"] == "unknown"  # the value held only until mid-2022
    assert cli("check", tmp_path, "--rules", MINI, "--as-of", "2024-02-30").exit_code == 2


def test_timeline_shows_dates_status_and_supersession_both_ways(tmp_path: Path) -> None:
    doc(tmp_path, "first-2024", "signed: 2024-01-12\n", "  duration.years: {value: 10, source: s1, quote: q, evidence: text}\n")
    doc(tmp_path, "second-2025", "status: in-force\nsigned: 2025-01-16\nentry_into_force: 2025-10-15\nsupersedes: [first-2024]\n",
        "  duration.years: {value: 100, source: s1, quote: q, evidence: text}\n")
    lives = json.loads(cli("timeline", tmp_path, "--format", "json").stdout)  # the shipped vocabulary: duration.years
    first, second = lives
    assert first["id"] == "first-2024" and first["superseded_by"] == ["second-2025"]
    assert second["supersedes"] == ["first-2024"] and second["entry_into_force"] == "2025-10-15"
    for fmt in ("terminal", "csv", "markdown"):
        out = cli("timeline", tmp_path, "--format", fmt).stdout
        assert "first-2024" in out and "2025-10-15" in out


def test_derived_end_of_a_fixed_term() -> None:
    lives = {x["id"]: x for x in json.loads(cli("timeline", "--format", "json").stdout)}
    fixed = [x for x in lives.values() if x["ends"]]
    assert fixed and all(int(x["ends"][:4]) - int((x["entry_into_force"] or x["signed"])[:4]) == 10 for x in fixed)  # 10-year terms


def test_reported_terms_are_labelled_in_every_format(tmp_path: Path) -> None:
    doc(tmp_path, "talk-2024", "status: reported\nreported: 2024-03-01\n", FLAG.format(v="false", extra=""))
    labels = {"text": "REPORTED: terms as reported, not a signed text", "json": '"status": "reported"',
              "markdown": "## talk-2024 (reported)", "csv": ",reported,", "sarif": '"agreement_status": "reported"',
              "junit": 'name="talk-2024 [reported]"', "html": '<span class="doc-status">reported</span>',
              "github": "title=talk-2024 (reported)%3A"}
    for fmt, label in labels.items():
        out = cli("check", tmp_path, "--rules", MINI, "--format", fmt, "--fail-on", "never").stdout
        assert label in out, fmt


def test_contested_values_are_evaluated_each_and_shown_with_their_citations(tmp_path: Path) -> None:
    split = ("  demo.flag: {value: true, source: s1, quote: binding, evidence: text, contested: true,\n"
             "              alternatives: [{value: false, source: s2, quote: not binding, evidence: secondary}]}\n")
    doc(tmp_path, "split-2024", "signed: 2024-01-01\n", split)
    data = json.loads(cli("check", tmp_path, "--rules", MINI, "--format", "json").stdout)
    simple = next(f for f in data["agreements"][0]["findings"] if f["rule"] == "simple")
    assert simple["status"] == "unknown" and (simple["floor"], simple["ceiling"]) == ("gap", "met")
    (fact,) = simple["contested"]
    assert [(v["value"], v["outcome"], v["source"]) for v in fact["values"]] == [(True, "met", "The text"), (False, "gap", "A reputable paper")]
    assert simple["message"].startswith("Sources disagree: demo.flag is true (The text: met) or false (A reputable paper: gap)")
    text = cli("check", tmp_path, "--rules", MINI, "-v").stdout
    assert "contested: demo.flag is true (The text, own-text: met) or false (A reputable paper, reputable: gap)" in text
    memo = cli("check", tmp_path, "--rules", MINI, "--format", "markdown", "--fail-on", "never").stdout  # crashed once
    assert "  - contested: `demo.flag` is true (The text, own-text: met) or false (A reputable paper, reputable: gap)" in memo
    assert "  - criterion: " in memo.split("  - contested: `demo.flag`")[1]

    same = ("  demo.flag: {value: false, source: s1, quote: q, evidence: text, contested: true,\n"
            "              alternatives: [{value: false, source: s2, quote: q2, evidence: secondary}]}\n")
    doc(tmp_path, "split-2024", "signed: 2024-01-01\n", same)
    agreed = json.loads(cli("check", tmp_path, "--rules", MINI, "--format", "json").stdout)
    simple = next(f for f in agreed["agreements"][0]["findings"] if f["rule"] == "simple")
    assert simple["status"] == "gap" and simple["contested"]  # the readings agree: the outcome stands, the doubt is shown


def test_a_value_resting_only_on_a_partisan_outlet_counts_as_unverified(tmp_path: Path) -> None:
    doc(tmp_path, "state-2024", "signed: 2024-01-01\n", "  demo.flag: {value: true, source: s3, quote: q, evidence: secondary}\n")
    data = json.loads(cli("check", tmp_path, "--rules", MINI, "--format", "json").stdout)
    (agreement,) = data["agreements"]
    simple = next(f for f in agreement["findings"] if f["rule"] == "simple")
    assert simple["status"] == "unknown" and simple["actual"] == {"demo.flag": None}
    doc(tmp_path, "state-2024", "signed: 2024-01-01\n", "  demo.flag: {value: true, source: s2, quote: q, evidence: secondary}\n")
    counted = json.loads(cli("check", tmp_path, "--rules", MINI, "--format", "json").stdout)["agreements"][0]
    assert counted["reliability"] == {"reputable": 1} and counted["sources"]["s2"]["reliability"] == "reputable"


def test_status_must_agree_with_the_dates(tmp_path: Path) -> None:
    doc(tmp_path, "odd-2024", "status: reported\nsigned: 2024-01-01\n", FLAG.format(v="true", extra=""))
    result = cli("validate", tmp_path, "--rules", MINI)
    assert result.exit_code == 2 and "a reported document has no 'signed' date" in result.stderr


def test_the_shipped_corpus_as_of_mid_2024() -> None:
    data = json.loads(cli("check", "--format", "json", "--as-of", "2024-06-01").stdout)
    ids = {a["id"] for a in data["agreements"]}
    assert {"gb-2024", "de-2024", "budapest-memorandum-1994", "north-atlantic-treaty-1949", "istanbul-draft-2022"} <= ids
    assert not ids & {"us-2024", "gb-2025-100-year-partnership", "coalition-paris-declaration-2026", "us-guarantees-2025", "al-2025"}
    assert all((a["signed"] or "") <= "2024-06-01" for a in data["agreements"] if a["status"] not in ("draft", "reported"))
    lives = {x["id"]: x for x in json.loads(cli("timeline", "--format", "json").stdout)}
    assert lives["us-guarantees-2025"]["status"] == "reported" and lives["istanbul-draft-2022"]["status"] == "draft"
