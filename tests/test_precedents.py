"""Precedents: the documents that meet a criterion, strongest evidence first, in every format and from the HTML cards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import obcheck
from obcheck.explain import find_rule
from obcheck.model import Outcome
from obcheck.precedents import STRENGTH, deciding_paths, find_precedents
from tests.conftest import MINI, ROOT, cli, fact_file

PACK = "kyiv-security-compact-2022"


def test_binding_status_lists_the_north_atlantic_treaty_first_with_its_article_quote() -> None:
    result = cli("precedents", "binding-status")
    assert result.exit_code == 0, result.output
    first = result.stdout.split("\n\n")[2]  # title, "Met when", then the first document
    assert first.startswith("MET  north-atlantic-treaty-1949:")
    assert "Article 11" in first and "Ce traité sera ratifié" in first


def test_met_before_partial_and_strongest_evidence_first_with_only_deciding_facts() -> None:
    report = obcheck.check(packs=[PACK], engine="python")
    rule = find_rule(obcheck.load_catalogue([ROOT / "rules"]), "binding-status")
    found = find_precedents(report, rule)
    statuses = [p.status for p in found]
    assert statuses == sorted(statuses, key=lambda s: (s != "met"))  # every met before every partial
    expected = {a.id for a in report.agreements if report.finding(a.id, "binding-status").status in ("met", "partial")}
    assert {p.agreement for p in found} == expected
    for status in ("met", "partial"):
        keys = [[STRENGTH[e["evidence_level"]] for e in p.facts] for p in found if p.status == status]
        assert keys == sorted(keys)
    for p in found:
        assert {e["fact"] for e in p.facts} <= deciding_paths(rule, Outcome(p.status))
        assert all(e["quote"] for e in p.facts)
    # a partial document is quoted for what the partial condition reads, not for the ratification it lacks
    partial = next(p for p in found if p.status == "partial")
    assert "legal.ratified" not in {e["fact"] for e in partial.facts}


def test_markdown_and_json_carry_the_same_documents_in_the_same_order() -> None:
    md = cli("precedents", "binding-status", "--format", "markdown").stdout
    data = json.loads(cli("precedents", "binding-status", "--format", "json").stdout)
    order = [p["agreement"] for p in data["precedents"]]
    assert re.findall(r"^## (?:met|partial): (\S+)$", md, re.MULTILINE) == order
    assert data["rule"] == "binding-status" and data["precedents"][0]["facts"][0]["evidence_level"] == "text"


def test_no_precedent_is_said_plainly_and_unknown_rules_are_located_errors(tmp_path: Path) -> None:
    fact_file(tmp_path / "a.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n")
    result = cli("precedents", "simple", tmp_path, "--rules", MINI)
    assert result.exit_code == 0 and "No document meets or partly meets" in result.stdout
    bad = cli("precedents", "simpel", tmp_path, "--rules", MINI)
    assert bad.exit_code == 2 and "<command line>:1:1: no rule 'simpel' (did you mean 'simple'?)" in bad.stderr


def test_html_cards_below_met_link_to_the_documents_that_meet_the_criterion(tmp_path: Path) -> None:
    fact_file(tmp_path / "f" / "a.yaml", id="a-2024")
    fact_file(tmp_path / "f" / "b.yaml", "  demo.flag: {value: false, source: s1, quote: q, evidence: text}\n", id="b-2024")
    out = tmp_path / "r.html"
    assert cli("check", tmp_path / "f", "--rules", MINI, "--format", "html", "-o", out).exit_code == 0
    html = out.read_text()
    card = html.split('id="f-b-2024--mini--simple"')[1].split("</article>")[0]
    assert 'met by <a href="#f-a-2024--mini--simple">a-2024</a>' in card
    assert 'id="f-a-2024--mini--simple"' in html  # the link's target exists
    assert "precedents" not in html.split('id="f-a-2024--mini--simple"')[1].split("</article>")[0]
