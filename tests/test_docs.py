"""docs/rule-language.md is executed: every example loads, and every `with FACTS: OUTCOME` line holds on both engines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from obcheck import engine as durable
from obcheck.cases import CasesFile
from obcheck.compiler import compile_rules
from obcheck.file_models import PackFile
from obcheck.interpreter import outcome
from obcheck.rules import load_rule
from obcheck.source import parse
from obcheck.vocabulary import load_vocabulary
from tests.conftest import ROOT, write

DOC = ROOT / "docs" / "rule-language.md"
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
TIERS = ["framework", "core-military", "broader-non-military"]
RULE = """id: example
title: Example
severity: low
tier: framework
criterion: {{standard: docs, section: "-", quote: "", url: "https://example.org", evidence_level: seed-only}}
{met}
messages: {{met: m, gap: g, unknown: u}}
remediation: r
rationale: r
"""


def test_the_page_has_examples_of_every_operator() -> None:
    text = "\n".join(BLOCKS)
    from obcheck.operators import OPERATORS

    for op in (*OPERATORS, "all:", "any:", "not:", "applies_when"):
        assert re.search(rf"\b{op}", text), op


@pytest.mark.parametrize("block", BLOCKS, ids=[b.splitlines()[0][:50] for b in BLOCKS])
def test_example_runs(block: str, tmp_path: Path) -> None:
    vocabulary = load_vocabulary(ROOT / "rules" / "vocabulary.yaml")
    if block.startswith("id:") and "tiers:" in block:
        PackFile.model_validate(parse(write(tmp_path / "pack.yaml", block)).data)
    elif block.startswith("id:"):
        rule_id = re.match(r"id: (\S+)", block).group(1)  # type: ignore[union-attr]
        load_rule(write(tmp_path / f"{rule_id}.yaml", block), "docs", TIERS, vocabulary)
    elif block.startswith("rule:"):
        model = CasesFile.model_validate(parse(write(tmp_path / "c.yaml", block)).data)
        for case in model.cases:
            assert all(vocabulary.check(p, v) is None for p, v in case.facts.items())
    else:
        header, body = block.split("\n", 1)
        rule = load_rule(write(tmp_path / "example.yaml", RULE.format(met=body.strip())), "docs", TIERS, vocabulary)
        claims = re.findall(r"with (\{.*?\}): (\w+)", header)
        assert claims, header
        engines = []
        if durable.available():
            engines.append(durable.DurableEngine(compile_rules([rule], vocabulary), vocabulary))
        for facts_text, expected in claims:
            facts = parse(write(tmp_path / "f.yaml", f"f: {facts_text}\n")).data["f"]
            assert outcome(rule, facts, vocabulary) == expected, (facts, expected)
            for engine in engines:
                assert engine.evaluate("doc", facts)[("docs", "example")] == expected, (facts, expected)
