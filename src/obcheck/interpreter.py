"""Pure-Python evaluation of the condition grammar in three-valued logic: the test oracle and `--engine python`."""

from __future__ import annotations

from typing import Any

from obcheck.fact_types import FACT_TYPES
from obcheck.operators import OPERATORS
from obcheck.rules import AnyOf, Condition, Not, Predicate, Rule
from obcheck.vocabulary import Vocabulary

Truth = bool | None  # None = unknown: a fact the condition needs is absent or unverified


def evaluate(cond: Condition, values: dict[str, Any], vocabulary: Vocabulary) -> Truth:
    """Kleene logic: `all` is false if any part is false, `any` true if any part is true, else unknown spreads."""
    if isinstance(cond, Predicate):
        return _predicate(cond, values, vocabulary)
    if isinstance(cond, Not):
        inner = evaluate(cond.part, values, vocabulary)
        return None if inner is None else not inner
    results = [evaluate(p, values, vocabulary) for p in cond.parts]
    decisive = isinstance(cond, AnyOf)  # the value that settles the whole: True for any, False for all
    if decisive in results:
        return decisive
    return None if None in results else not decisive


def _predicate(pred: Predicate, values: dict[str, Any], vocabulary: Vocabulary) -> Truth:
    if pred.path not in values:
        return None
    spec = vocabulary.paths[pred.path]
    return OPERATORS[pred.op].holds(values[pred.path], pred.value, FACT_TYPES[spec.type], spec.values or [])


def decide(applies: Truth, met: Truth, partial: Truth, has_partial: bool) -> str:
    """The documented precedence: not_applicable, then unknown, met, unknown, partial, unknown, gap."""
    if applies is False:
        return "not_applicable"
    if applies is None or met is None:
        return "unknown"
    if met:
        return "met"
    if not has_partial:
        return "gap"
    if partial is None:
        return "unknown"
    return "partial" if partial else "gap"


class PythonEngine:
    """Evaluates every rule of a catalogue against one agreement's verified values."""

    name = "python"

    def __init__(self, rules: list[Rule], vocabulary: Vocabulary) -> None:
        self.rules, self.vocabulary = rules, vocabulary

    def evaluate(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]:
        out = {}
        for rule in self.rules:
            out[(rule.pack, rule.id)] = outcome(rule, values, self.vocabulary)
        return out

    def close(self) -> None:
        """Nothing to free; present so every engine has the same shape."""


def outcome(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> str:
    applies = evaluate(rule.applies_when, values, vocabulary) if rule.applies_when is not None else True
    met = evaluate(rule.met, values, vocabulary)
    partial = evaluate(rule.partial, values, vocabulary) if rule.partial is not None else None
    return decide(applies, met, partial, rule.partial is not None)
