"""The Kyiv Security Compact pack: complete, satisfiable, never met on missing facts; findings on the shipped corpus."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from obcheck.cases import relied_on
from obcheck.engines import make_engine
from obcheck.facts import load_agreement
from obcheck.rules import Catalogue, load_catalogue
from tests.conftest import IDEAL, ROOT, cli

PACK = "kyiv-security-compact-2022"
CRITERIA = (
    "binding-status positive-commitments bilateral-plus-joint-compact core-guarantor-group broader-non-military-group "
    "russia-excluded-no-veto supplementary-agreements un-endorsement peace-process-embedding self-defence-capacity "
    "guaranteed-security-assistance resource-mobilisation-codified defence-industrial-base-investment "
    "weapons-transfers-swift-delivery air-missile-defence-closed-sky intelligence-sharing training-missions-nato-standards "
    "joint-exercises-ukraine-and-nato-soil territorial-defence-and-reserve rapid-reaction-forces eu-defence-financing-access "
    "preventive-measures-package extended-guarantees-on-aggression joint-threat-assessment consultation-within-24h "
    "activation-decision-72h activation-without-third-party-confirmation sanctions-maintained-until-conditions "
    "snapback-sanctions asset-seizure-legal-framework black-sea-regional-security territorial-scope-recognised-borders "
    "open-ended-duration immediate-effect return-of-displaced-prerequisite eu-nato-path-preserved"
).split()
DONE_WHEN_2024 = ("gb-2024", "us-2024", "de-2024", "fr-2024")
# Every bilateral security agreement Ukraine signed in 2024-25 under the G7 declaration, and the contrast documents.
BILATERAL = tuple(
    f"{code}-2024" for code in
    "gb de fr dk ca it nl fi lv es be pt se no is us jp eu lt ee pl lu ro cz si ie hr gr".split()
) + ("al-2025",)
CONTRASTS = ("budapest-memorandum-1994", "istanbul-draft-2022", "north-atlantic-treaty-1949", "ukraine-compact-2024")


@cache
def catalogue() -> Catalogue:
    return load_catalogue([ROOT / "rules"])


@cache
def engine(name: str) -> Any:
    return make_engine(name, catalogue())


def kyiv_rules() -> list[Any]:
    return [r for r in catalogue().rules() if r.pack == PACK]


def test_one_rule_per_criterion_with_tier_and_citation() -> None:
    rules = kyiv_rules()
    assert sorted(r.id for r in rules) == sorted(CRITERIA)
    for rule in rules:
        assert rule.tier in ("framework", "core-military", "broader-non-military")
        assert rule.criterion.url.startswith("https://") and rule.criterion.standard == PACK


@pytest.mark.parametrize("engine_name", ["durable", "python"])
def test_the_ideal_agreement_meets_every_criterion(engine_name: str) -> None:
    ideal = load_agreement(IDEAL, catalogue().vocabulary)
    outcomes = engine(engine_name).evaluate(ideal.id, ideal.values)
    not_met = {rule: o for (pack, rule), o in outcomes.items() if pack == PACK and o not in ("met", "not_applicable")}
    assert not_met == {}


@pytest.mark.parametrize("rule_id", CRITERIA)
def test_deleting_a_relied_on_fact_turns_the_rule_unknown_never_met(rule_id: str) -> None:
    ideal = load_agreement(IDEAL, catalogue().vocabulary)
    rule = next(r for r in kyiv_rules() if r.id == rule_id)
    paths = [p for p in relied_on(rule) if p in ideal.values]
    assert paths, f"{rule_id}: the ideal agreement states none of the facts it relies on"
    for path in paths:
        values = {k: v for k, v in ideal.values.items() if k != path}
        for name in ("durable", "python"):
            assert engine(name).evaluate(ideal.id, values)[(PACK, rule_id)] == "unknown", (rule_id, path, name)


# ------------------------------------------------------------------ the shipped corpus


@cache
def shipped() -> dict[str, Any]:
    result = cli("check", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {a["id"]: a for a in json.loads(result.stdout)["agreements"]}


def status(agreement: str, rule: str) -> str:
    return next(f["status"] for f in shipped()[agreement]["findings"] if f["rule"] == rule)


def test_every_shipped_agreement_gets_all_36_rules() -> None:
    assert set(DONE_WHEN_2024) | {"budapest-memorandum-1994"} <= set(shipped())
    for agreement in shipped().values():
        assert sorted(f["rule"] for f in agreement["findings"] if f["pack"] == PACK) == sorted(CRITERIA)
        assert sum(agreement["summary"].values()) == len(agreement["findings"])


def test_the_corpus_holds_every_2024_25_bilateral_agreement_and_the_contrast_documents() -> None:
    assert len(BILATERAL) == 29
    assert set(BILATERAL) | set(CONTRASTS) <= set(shipped())
    assert all(shipped()[a]["kind"] == "bilateral-agreement" for a in BILATERAL)


def test_every_shipped_document_has_its_expected_findings_pinned() -> None:
    """Membership comes from data: a document added with `obcheck new agreement` + `obcheck new expected` passes."""
    import yaml

    pinned = {yaml.safe_load(p.read_text())["agreement"] for p in (ROOT / "tests" / "expected").glob("*.yaml")}
    assert set(shipped()) == pinned


def test_budapest_memorandum_is_a_gap_on_activation_and_not_met_on_binding_status() -> None:
    assert status("budapest-memorandum-1994", "activation-without-third-party-confirmation") == "gap"
    assert status("budapest-memorandum-1994", "binding-status") != "met"


@pytest.mark.parametrize(("document", "outcome"), [
    ("budapest-memorandum-1994", "gap"),  # assistance runs through the Security Council, where Russia holds a veto
    ("istanbul-draft-2022", "gap"),  # Russia among the guarantors, a response by agreement of all of them
    ("north-atlantic-treaty-1949", "met"),  # Art. 5: "such action as it deems necessary", no one to confirm it
])
def test_activation_without_third_party_confirmation_on_the_contrast_documents(document: str, outcome: str) -> None:
    assert status(document, "activation-without-third-party-confirmation") == outcome


@pytest.mark.parametrize("agreement", BILATERAL)
def test_no_bilateral_agreement_is_met_on_binding_status(agreement: str) -> None:
    assert status(agreement, "binding-status") != "met"  # none was ratified as a treaty in any cited source


@pytest.mark.parametrize("agreement", DONE_WHEN_2024)
def test_no_2024_agreement_is_met_on_binding_status_or_open_ended_duration(agreement: str) -> None:
    assert status(agreement, "binding-status") != "met"
    assert status(agreement, "open-ended-duration") != "met"


def test_shipped_json_is_byte_identical_across_runs() -> None:
    first = cli("check", "--format", "json").stdout
    assert first == cli("check", "--format", "json").stdout


def test_every_document_met_on_binding_status_cites_each_fact_its_met_condition_reads() -> None:
    from obcheck.rules import predicates

    rule = next(r for r in kyiv_rules() if r.id == "binding-status")
    met = [a for a in shipped().values() if status(a["id"], "binding-status") == "met"]
    assert met, "no shipped document is met on binding-status: the assertions below would never run"
    for agreement in met:
        finding = next(f for f in agreement["findings"] if f["rule"] == "binding-status")
        assert "legal.binding_strength" in finding["evidence"], agreement["id"]
        for path in finding["evidence"]:  # every stated fact the met decision read, with its quote and source
            assert path in {p.path for p in predicates(rule.met)} | set(rule.paths)
            fact = agreement["facts"][path]
            assert fact["quote"] and agreement["sources"][fact["source"]]["url"].startswith("http"), (agreement["id"], path)


def test_every_fact_value_cites_a_source_url() -> None:
    """Every stated value has evidence with a source url; unverified entries say what was looked for."""
    from obcheck.facts import load_agreement

    for file in sorted((ROOT / "facts").glob("*.yaml")):
        agreement = load_agreement(file, catalogue().vocabulary)
        for fact in agreement.facts.values():
            assert fact.source.url.startswith(("https://", "http://")) and fact.evidence.quote, (file.name, fact.path)
            assert fact.evidence.evidence in ("text", "official", "secondary")
        assert all(note.strip() for note in agreement.unverified.values()), file.name
