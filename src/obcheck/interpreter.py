"""Pure-Python evaluation of the condition grammar in three-valued logic: the test oracle and `--engine python`."""

from __future__ import annotations

from typing import Any

from obcheck.fact_types import FACT_TYPES
from obcheck.operators import OPERATORS
from obcheck.outcomes import Truth, Truths, truths_of
from obcheck.outcomes import outcome as decided
from obcheck.rules import AnyOf, Condition, Not, Predicate, Rule
from obcheck.vocabulary import Vocabulary


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


class PythonEngine:
    """Evaluates every rule of a catalogue against one agreement's verified values."""

    name = "python"

    def __init__(self, rules: list[Rule], vocabulary: Vocabulary) -> None:
        self.rules, self.vocabulary = rules, vocabulary

    def truths(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], Truths]:
        return {(rule.pack, rule.id): truths(rule, values, self.vocabulary) for rule in self.rules}

    def evaluate(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]:
        return {key: decided(t) for key, t in self.truths(agreement_id, values).items()}

    def close(self) -> None:
        """Nothing to free; present so every engine has the same shape."""


def truths(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> Truths:
    applies = evaluate(rule.applies_when, values, vocabulary) if rule.applies_when is not None else True
    met = evaluate(rule.met, values, vocabulary)
    partial = evaluate(rule.partial, values, vocabulary) if rule.partial is not None else None
    return truths_of(applies, met, partial, rule.partial is not None)


def outcome(rule: Rule, values: dict[str, Any], vocabulary: Vocabulary) -> str:
    return str(decided(truths(rule, values, vocabulary)))
