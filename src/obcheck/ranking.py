"""Ranking: a documented score per agreement and standard, with the range its unknowns allow and their share."""

from __future__ import annotations

from dataclasses import dataclass

from obcheck.model import AgreementReport, Finding, Outcome

# How much a criterion counts, by its severity; how much an outcome earns. Documented in docs/ranking.md.
WEIGHT = {"critical": 3.0, "high": 2.0, "medium": 1.0, "low": 0.5}
VALUE = {Outcome.MET: 1.0, Outcome.PARTIAL: 0.5, Outcome.GAP: 0.0}


@dataclass(frozen=True)
class Score:
    """Percentages over the criteria that apply: `score` counts each unknown at its floor (what the facts
    establish), `best` at its ceiling; `unknown` is the weighted share of criteria still unknown."""

    score: float
    best: float
    unknown: float
    met: int
    weight: float

    def __str__(self) -> str:
        spread = f"..{self.best:.0f}" if round(self.best) != round(self.score) else ""
        return f"{self.score:.0f}{spread}"


def score(findings: list[Finding]) -> Score:
    total = earned = best = unknown = 0.0
    met = 0
    for f in findings:
        if f.floor is None or f.ceiling is None:  # not applicable: it does not count either way
            continue
        w = WEIGHT[f.severity]
        total += w
        earned += w * VALUE[f.floor]
        best += w * VALUE[f.ceiling]
        unknown += w if f.status is Outcome.UNKNOWN else 0.0
        met += f.status is Outcome.MET
    if not total:
        return Score(0.0, 0.0, 0.0, 0, 0.0)
    return Score(100 * earned / total, 100 * best / total, 100 * unknown / total, met, total)


def scores(agreement: AgreementReport) -> dict[str, Score]:
    """One score per pack of the agreement's findings."""
    packs = sorted({f.pack for f in agreement.findings})
    return {p: score([f for f in agreement.findings if f.pack == p]) for p in packs}
