"""Outcome logic: the precedence that turns the truths of applies_when, met and partial into one outcome and its bounds."""

from __future__ import annotations

from dataclasses import dataclass

from obcheck.model import Outcome

Truth = bool | None  # None = unknown: a fact the condition needs is absent or unverified

# The order bounds are taken on (not_applicable is reported apart).
RANK = {Outcome.GAP: 0, Outcome.PARTIAL: 1, Outcome.MET: 2}


@dataclass(frozen=True)
class Truths:
    """What an engine reports for one (rule, agreement): each condition's three-valued truth."""

    applies: Truth
    met: Truth
    partial: Truth
    has_partial: bool


_TRUTHS: dict[tuple[Truth, Truth, Truth, bool], Truths] = {}  # 54 combinations at most


def truths_of(applies: Truth, met: Truth, partial: Truth, has_partial: bool) -> Truths:
    """The Truths of these values, each combination built once and shared (it is frozen): the engines make one a
    rule and agreement, and a frozen dataclass costs ~1 us to build."""
    key = (applies, met, partial, has_partial)
    found = _TRUTHS.get(key)
    if found is None:
        found = _TRUTHS[key] = Truths(applies, met, partial, has_partial)
    return found


def decide(applies: Truth, met: Truth, partial: Truth, has_partial: bool) -> Outcome:
    """The documented precedence: not_applicable, then unknown, met, unknown, partial, unknown, gap."""
    if applies is False:
        return Outcome.NOT_APPLICABLE
    if applies is None or met is None:
        return Outcome.UNKNOWN
    if met:
        return Outcome.MET
    if not has_partial:
        return Outcome.GAP
    if partial is None:
        return Outcome.UNKNOWN
    return Outcome.PARTIAL if partial else Outcome.GAP


@dataclass(frozen=True)
class Bounds:
    """The worst and best outcome some completion of the missing facts could give where the rule applies, and
    whether it may not apply at all (applies_when undecided). For a decided outcome floor = ceiling = outcome."""

    floor: Outcome | None  # None only for not_applicable
    ceiling: Outcome | None
    may_not_apply: bool


def bounds(t: Truths) -> Bounds:
    """Sound always; tight when the conditions share no fact path (three-valued logic is exact there)."""
    if t.applies is False:
        return Bounds(None, None, False)
    may_not_apply = t.applies is None
    if t.met is True:
        return Bounds(Outcome.MET, Outcome.MET, may_not_apply)
    partial_floor = Outcome.PARTIAL if t.has_partial and t.partial is True else Outcome.GAP
    if t.met is None:
        return Bounds(partial_floor, Outcome.MET, may_not_apply)
    if not t.has_partial or t.partial is False:
        return Bounds(Outcome.GAP, Outcome.GAP, may_not_apply)
    if t.partial is True:
        return Bounds(Outcome.PARTIAL, Outcome.PARTIAL, may_not_apply)
    return Bounds(Outcome.GAP, Outcome.PARTIAL, may_not_apply)


def outcome(t: Truths) -> Outcome:
    return decide(t.applies, t.met, t.partial, t.has_partial)
