"""Each agreement's expected findings (tests/expected/, reviewed by hand) hold on the shipped facts and rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from obcheck.cases import load_expected
from obcheck.engines import make_engine
from obcheck.rules import load_catalogue
from obcheck.run import load_all
from tests.conftest import ROOT

EXPECTED = sorted((ROOT / "tests" / "expected").glob("*.yaml"))


@cache
def world() -> tuple[Any, Any, dict[str, Any]]:
    catalogue = load_catalogue([ROOT / "rules"])
    agreements = {a.id: a for a in load_all([ROOT / "facts"], catalogue.vocabulary)}
    return catalogue, make_engine("durable", catalogue), agreements


def test_every_shipped_agreement_has_expected_findings() -> None:
    _, _, agreements = world()
    pinned = {load_expected(p, world()[0])[0].agreement for p in EXPECTED}
    assert sorted(agreements) == sorted(pinned)


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_expected_findings_hold(path: Path) -> None:
    catalogue, engine, agreements = world()
    model, shown, lines = load_expected(path, catalogue)
    agreement = agreements[model.agreement]
    got = engine.evaluate(agreement.id, agreement.values)
    wrong = {rule: f"{shown}:{lines[rule]}: expected {want}, got {got[(model.pack, rule)]}"
             for rule, want in model.outcomes.items() if got[(model.pack, rule)] != want}
    assert wrong == {}
