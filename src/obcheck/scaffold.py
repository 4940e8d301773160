"""Starter files (pure text) for `obcheck new`: a rule with its cases, a fact file, an agreement's pinned outcomes."""

from __future__ import annotations

import json
from typing import Any

from obcheck.rules import show_value
from obcheck.vocabulary import Vocabulary


def pack_file(pack_id: str, title: str) -> str:
    """A pack with no rules yet: `obcheck new rule` fills it."""
    return f"""# A starter pack: name the standard it encodes, then add rules with `obcheck new rule {pack_id} RULE-ID`.
id: {pack_id}
version: "0.1.0"
title: {json.dumps(title)}
tiers: []
standard:
  title: TODO the standard's full title
  url: https://example.org/TODO-the-standard
"""


def rule_files(rule_id: str, pack: str, tier: str | None, vocabulary: Vocabulary) -> dict[str, str]:
    """A rule on the vocabulary's first ordered enum, so every outcome is reachable, and cases for each."""
    path, spec = next((p, s) for p, s in vocabulary.paths.items() if s.type == "ordered_enum" and len(s.values or []) >= 3)
    values = spec.values or []
    top, middle, bottom = values[-1], values[-2], values[0]
    tier_line = f"tier: {tier}\n" if tier else ""
    rule = f"""# yaml-language-server: $schema=../../docs/schemas/rules.schema.json
# A starter rule: replace the criterion, the conditions and the messages. `obcheck explain {rule_id}` reads it back.
id: {rule_id}
title: TODO one line saying what the standard demands
severity: medium
{tier_line}criterion:
  standard: {pack}
  section: TODO the section of the standard
  quote: ""
  url: https://example.org/TODO-the-standard
  evidence_level: seed-only
met:
  fact: {path}
  equals: {top}
partial:
  fact: {path}
  equals: {middle}
messages:
  met: "{path} is {{{path}}}."
  partial: "Only {{{path}}}; the standard demands {top}."
  gap: "{path} is {{{path}}}; the standard demands {top}."
  unknown: "No source states {path}."
remediation: TODO what the agreement would need to say.
rationale: TODO why these conditions encode the criterion.
"""
    cases = f"""# yaml-language-server: $schema=../../docs/schemas/cases.schema.json
rule: {rule_id}
cases:
  - name: The strongest value is met
    facts: {{{path}: {top}}}
    expect: met
  - name: The next value is partial
    facts: {{{path}: {middle}}}
    expect: partial
  - name: The weakest value is a gap
    facts: {{{path}: {bottom}}}
    expect: gap
  - name: Without the fact the rule is unknown
    facts: {{}}
    expect: unknown
"""
    return {f"{rule_id}.yaml": rule, f"{rule_id}.cases.yaml": cases}


def agreement_file(agreement_id: str, vocabulary: Vocabulary) -> str:
    """Every fact path of the vocabulary as an unverified entry: the file is valid as written and is the
    research checklist; replace each entry with a value and its evidence as sources are found."""
    lines = [
        "# yaml-language-server: $schema=../docs/schemas/facts.schema.json",
        "# A starter fact file: each fact below is still unverified (it counts as absent, so rules turn unknown).",
        "# Give each a value, source, clause, quote (at most 25 words) and evidence level. See docs/fact-files.md.",
        f"id: {agreement_id}",
        "title: TODO the document's title",
        "kind: bilateral-agreement",
        "parties: [UA]",
        "sources:",
        "  - id: text",
        "    title: TODO the source's title",
        "    url: https://example.org/TODO",
        "    type: text",
        "facts:",
    ]
    for path, spec in vocabulary.paths.items():
        lines += [f"  {path}:", "    evidence: unverified", f"    note: {json.dumps('TODO: ' + spec.meaning)}"]
    return "\n".join(lines) + "\n"


def expected_file(agreement_id: str, source: str, pack_id: str, findings: list[tuple[str, str, dict[str, Any]]]) -> str:
    """An agreement's outcomes pinned as they are now, one line a rule with the fact values that decide it,
    for review by hand: (rule id, outcome, {fact path: value or None}) for each rule of the pack."""
    lines = [
        f"# Expected {pack_id} outcomes for {agreement_id}, pinned from {source}; each line shows the facts that decide it.",
        "# When a fact or rule changes an outcome, change it here in the same commit and say why in the message.",
        f"agreement: {agreement_id}",
        f"pack: {pack_id}",
        "outcomes:",
    ]
    for rule, status, actual in sorted(findings):
        shown = ", ".join(f"{path}={_shown(value)}" for path, value in sorted(actual.items()))
        lines.append(f"  {rule}: {status:<15}# {shown}")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(_shown, value)) + "]"
    return show_value(value)
