"""Every rule's messages say only what its conditions established. Each rule's outcomes are enumerated over the finite
domains of the facts it reads (enum values, booleans, list subsets, the rule's own constants +/- 1, and absent), the
message a report would print is rendered by the checker, and it must not call a stated fact unknown nor show a fact
the conditions never read. Also: cases can assert message words, and a rule's threshold evidence is validated."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from obcheck.cases import Case, load_cases, rendered_message
from obcheck.errors import InputError
from obcheck.interpreter import outcome
from obcheck.rules import PLACEHOLDER_RE, Catalogue, Rule, load_catalogue, predicates
from tests.conftest import ROOT, write

ABSENT = object()
CLAIMS_UNKNOWN = re.compile(r"not established|\bunknown\b", re.IGNORECASE)
MAX_COMBINATIONS = 50_000


@cache
def catalogue() -> Catalogue:
    return load_catalogue([ROOT / "rules"])


def rules() -> list[Rule]:
    return list(catalogue().rules())


def domain(rule: Rule, path: str) -> list[Any]:
    """The values worth trying for one path: every enum value, both booleans, every subset of a list's values (all of
    them up to six values), the constants the rule compares with +/- 1, and absent."""
    spec = catalogue().vocabulary.paths[path]
    kind = spec.type
    if kind == "bool":
        values: list[Any] = [True, False]
    elif kind in ("enum", "ordered_enum"):
        values = list(spec.values or [])
    elif kind == "list":
        items = list(spec.values or [])
        if len(items) <= 6:
            values = [list(c) for n in range(len(items) + 1) for c in itertools.combinations(items, n)]
        else:
            values = [[]] + [[i] for i in items] + [items]
    elif kind in ("integer", "number"):
        constants = {p.value for p in predicates_of(rule) if p.path == path and not isinstance(p.value, list)}
        values = sorted({c + d for c in constants if isinstance(c, (int, float)) for d in (-1, 0, 1)})
    elif kind == "date":
        constants = {p.value for p in predicates_of(rule) if p.path == path and isinstance(p.value, str)}
        values = sorted({(date.fromisoformat(c) + timedelta(days=d)).isoformat() for c in constants for d in (-1, 0, 1)})
    else:  # string
        values = ["stated"]
    return [*values, ABSENT]


def predicates_of(rule: Rule) -> list[Any]:
    return [p for c in (rule.applies_when, rule.met, rule.partial) for p in predicates(c)]


def combinations(rule: Rule) -> list[dict[str, Any]]:
    domains = [domain(rule, p) for p in rule.paths]
    total = 1
    for d in domains:
        total *= len(d)
    assert total <= MAX_COMBINATIONS, f"{rule.id}: {total} combinations; narrow the domains"
    return [
        {p: v for p, v in zip(rule.paths, values) if v is not ABSENT}
        for values in itertools.product(*domains)
    ]


@pytest.mark.parametrize("rule", rules(), ids=lambda r: f"{r.pack}/{r.id}")
def test_messages_show_only_facts_the_conditions_read(rule: Rule) -> None:
    for status in ("met", "partial", "gap", "unknown", "not_applicable"):
        template = getattr(rule.messages, status)
        for name in PLACEHOLDER_RE.findall(template or ""):
            assert name in rule.paths, f"{rule.id} {status} message shows {name}, which no condition reads"


@pytest.mark.parametrize("rule", rules(), ids=lambda r: f"{r.pack}/{r.id}")
def test_decided_messages_never_call_a_fact_unknown_in_words(rule: Rule) -> None:
    """A met, partial, gap or not-applicable message may show an absent fact's value as 'unknown' through its
    placeholder, but its own words never say something is not established: the outcome was decided."""
    for status in ("met", "partial", "gap", "not_applicable"):
        words = PLACEHOLDER_RE.sub("", getattr(rule.messages, status) or "")
        assert not CLAIMS_UNKNOWN.search(words), f"{rule.id} {status} message claims something is not established"


@pytest.mark.parametrize("rule", rules(), ids=lambda r: f"{r.pack}/{r.id}")
def test_every_outcome_renders_without_misnaming_a_known_fact(rule: Rule) -> None:
    vocabulary = catalogue().vocabulary
    unknown_template = rule.messages.unknown
    in_words_only = [p for p in rule.paths if p not in PLACEHOLDER_RE.findall(unknown_template)]
    reached = set()
    for facts in combinations(rule):
        status = outcome(rule, facts, vocabulary)
        reached.add(status)
        message = rendered_message(rule, facts, vocabulary)
        assert not PLACEHOLDER_RE.search(message), (rule.id, facts, message)
        if status != "unknown":
            continue
        # An unknown message names the facts it calls unknown: through placeholders (which show a stated fact's value,
        # never 'unknown'), or in words only when those facts are indeed absent whenever the rule is unknown.
        stated_but_unshown = [p for p in in_words_only if p in facts]
        assert not stated_but_unshown, f"{rule.id}: unknown message calls {stated_but_unshown} not established, but they are stated: {facts}"
        assert "unknown" in message or in_words_only, f"{rule.id}: unknown message shows no unknown fact for {facts}: {message}"
    assert "unknown" in reached and "met" in reached, (rule.id, reached)


# ------------------------------------------------------------------ cases can assert message words


def _case(rule: Rule, facts: dict[str, Any], expect: str, message: str | None) -> Case:
    return Case(rule, "a case", facts, expect, "cases.yaml", 1, message, catalogue().vocabulary)


def test_a_case_fails_when_the_message_lacks_its_words() -> None:
    rule = next(r for r in rules() if r.id == "consultation-within-24h")
    facts = {"activation.consultation": "fixed-deadline", "activation.consultation_hours": 24, "activation.at_ukraine_request": False}
    assert _case(rule, facts, "gap", "at Ukraine's request: false").failure("gap") is None
    problem = _case(rule, facts, "gap", "No consultation clause").failure("gap")
    assert problem is not None and "does not contain 'No consultation clause'" in problem
    assert "expected gap, got met" in str(_case(rule, facts, "gap", None).failure("met"))


def test_a_rule_whose_cases_check_messages_checks_them_in_every_case() -> None:
    for rule in rules():
        cases = load_cases(rule, catalogue())
        if any(c.message for c in cases):
            assert all(c.message for c in cases), rule.id


# ------------------------------------------------------------------ the evidence behind a rule's threshold

RULE = """id: demo
title: Demo
severity: low
criterion: {{standard: s, section: "-", quote: "", url: "https://example.org", evidence_level: {level}}}
met: {{fact: legal.ratified, equals: true}}
messages: {{met: m, gap: g, unknown: u}}
remediation: r
rationale: r
{threshold}"""


def _load(tmp_path: Path, level: str, threshold: str) -> Rule:
    from obcheck.rules import load_rule

    return load_rule(write(tmp_path / "demo.yaml", RULE.format(level=level, threshold=threshold)), "p", [], catalogue().vocabulary)


def test_threshold_evidence_defaults_to_the_criterion(tmp_path: Path) -> None:
    rule = _load(tmp_path, "secondary-summary", "")
    assert rule.threshold_evidence.level == "secondary-summary"


def test_threshold_evidence_may_be_weaker_than_the_criterion(tmp_path: Path) -> None:
    rule = _load(tmp_path, "verbatim-report", "threshold_evidence: {level: seed-only, note: from the seed article}\n")
    assert (rule.threshold_evidence.level, rule.threshold_evidence.note) == ("seed-only", "from the seed article")


def test_threshold_evidence_cannot_be_stronger_than_the_criterion(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        _load(tmp_path, "seed-only", "threshold_evidence: {level: verbatim-report, note: claimed}\n")
    assert "cannot rest on stronger evidence" in str(err.value.diagnostics[0])


def test_shipped_thresholds_from_press_or_the_seed_say_so() -> None:
    weaker = {r.id: r.threshold_evidence.level for r in rules() if r.threshold is not None}
    assert weaker["weapons-transfers-swift-delivery"] == "seed-only"
    assert weaker["training-missions-nato-standards"] == "secondary-summary"
