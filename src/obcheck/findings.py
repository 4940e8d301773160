"""Findings: turn the engine's outcome for each (rule, agreement) into a finding a reader can act on."""

from __future__ import annotations

import re
from typing import Any

from obcheck.errors import InternalError
from obcheck.facts import Agreement
from obcheck.model import OUTCOMES, AgreementReport, Finding, Outcome, tally
from obcheck.remedies import what_it_would_take
from obcheck.rules import PLACEHOLDER_RE, Rule, show_value
from obcheck.vocabulary import Vocabulary


def agreement_report(
    agreement: Agreement, rules: list[Rule], outcomes: dict[tuple[str, str], str], vocabulary: Vocabulary | None = None
) -> AgreementReport:
    """Every rule's finding for one agreement; the engine must give exactly one known outcome per rule. With the
    vocabulary, each finding below met also says what it would take to raise it."""
    expected_keys = {(r.pack, r.id) for r in rules}
    if set(outcomes) != expected_keys or not all(o in OUTCOMES for o in outcomes.values()):
        raise InternalError(f"agreement {agreement.id}: the engine did not give exactly one outcome for every rule")
    cited: dict[str, dict[str, Any]] = {}  # each fact's evidence entry, built once and shared by the findings citing it
    values = agreement.values if vocabulary is not None else None  # built once, not once per finding
    findings = [finding(rule, agreement, Outcome(outcomes[(rule.pack, rule.id)]), cited, vocabulary, values) for rule in rules]
    findings.sort(key=lambda f: (f.pack, f.rule))
    return AgreementReport(
        agreement.id, agreement.title, agreement.kind, agreement.signed, list(agreement.parties), agreement.file,
        tally(f.status for f in findings), findings,
    )


def finding(
    rule: Rule, agreement: Agreement, status: Outcome, cited: dict[str, dict[str, Any]] | None = None,
    vocabulary: Vocabulary | None = None, values: dict[str, Any] | None = None,
) -> Finding:
    """One outcome with everything a reader needs: message, expected vs actual, both sides' citations."""
    facts = agreement.facts
    cited = {} if cited is None else cited
    evidence = []
    for path in rule.paths:
        if path in facts:
            if path not in cited:
                fact = facts[path]
                cited[path] = {
                    "fact": path, "value": fact.value, "location": f"{agreement.file}:{fact.line}",
                    "source": {"id": fact.source.id, "title": fact.source.title, "url": fact.source.url, "type": fact.source.type},
                    "clause": fact.evidence.clause, "quote": fact.evidence.quote, "evidence_level": fact.evidence.evidence,
                    "note": fact.evidence.note,
                }
            evidence.append(cited[path])
    missing = [p for p in rule.paths if p not in facts] if status is Outcome.UNKNOWN else []
    template = getattr(rule.messages, status) or rule.messages.gap
    return Finding(
        rule=rule.id, pack=rule.pack, title=rule.title, severity=rule.severity, tier=rule.tier, status=status,
        message=fill(template, agreement),
        expected=rule.expected,
        actual={p: facts[p].value if p in facts else None for p in rule.paths},
        evidence=evidence, missing=missing, criterion=rule.citation, remediation=rule.remediation,
        location=_location(agreement, evidence, rule.paths),
        would_take=(
            what_it_would_take(rule, agreement.values if values is None else values, vocabulary)
            if vocabulary is not None and status is not Outcome.MET else None
        ),
    )


def _location(agreement: Agreement, evidence: list[dict[str, Any]], paths: tuple[str, ...]) -> str:
    """Where a reader should look: the first fact the rule read, else an unverified entry it needed, else the file."""
    if evidence:
        return str(evidence[0]["location"])
    line = next((agreement.lines[p] for p in paths if p in agreement.lines), 1)
    return f"{agreement.file}:{line}"


def fill(template: str, agreement: Agreement) -> str:
    """Replace {fact.path} with the agreement's value, or 'unknown' where it states none."""

    def value(match: re.Match[str]) -> str:
        fact = agreement.facts.get(match.group(1))
        return show_value(fact.value if fact else None)

    return PLACEHOLDER_RE.sub(value, template)
