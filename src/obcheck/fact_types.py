"""The fact-type registry: for each type a vocabulary path may have, how values are checked, schema'd, normalised and sampled."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from obcheck.errors import did_you_mean

# durable_rules' JSON parser crashes the process on numbers written with an exponent (1e-05, 1e+16),
# which is how Python writes floats outside these bounds; integers stay exact up to 2^53.
MIN_MAGNITUDE, MAX_MAGNITUDE = 1e-4, 1e15
MAX_INTEGER = 2**53 - 1
DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


@dataclass(frozen=True)
class FactType:
    """Everything obcheck needs to know about one type. `values` are the path's declared values (enums, lists)."""

    name: str
    with_values: bool  # the vocabulary must declare the allowed values
    ordered: bool  # at_least / at_most apply
    problem: Callable[[str, Any, list[str]], str | None]  # why a value of a path is not of this type (None: it is)
    schema: Callable[[list[str]], dict[str, Any]]  # the JSON Schema of a value
    engine_value: Callable[[Any, list[str]], Any]  # what the engines compare: like with like
    samples: Callable[[list[Any], list[str]], list[Any]]  # values reaching every branch around these constants

    def key(self, value: Any, values: list[str]) -> Any:
        """The comparable form of a value (ordered enums by rank)."""
        return self.engine_value(value, values)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _plain(kind: str, ok: Callable[[Any], bool]) -> Callable[[str, Any, list[str]], str | None]:
    def problem(path: str, v: Any, values: list[str]) -> str | None:
        return None if ok(v) else f"{path} is {_article(kind)} {kind}: got {v!r}"

    return problem


def _integer_problem(path: str, v: Any, values: list[str]) -> str | None:
    if not _is_int(v):
        return f"{path} is an integer: got {v!r}"
    return f"{path}: {v} is beyond the supported range of +/-{MAX_INTEGER}" if abs(v) > MAX_INTEGER else None


def _number_problem(path: str, v: Any, values: list[str]) -> str | None:
    if not (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return f"{path} is a number: got {v!r}"
    if not (v == 0 or MIN_MAGNITUDE <= abs(v) < MAX_MAGNITUDE):
        return f"{path}: {v!r} is outside the supported range (0, or between 0.0001 and 10^15 in size)"
    return None


def _date_problem(path: str, v: Any, values: list[str]) -> str | None:
    if not (isinstance(v, str) and DATE_RE.match(v)):
        return f"{path} is a date: expected YYYY-MM-DD, got {v!r}"
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return f"{path}: {v!r} is not a calendar date"
    return None


def _member_problem(path: str, v: Any, values: list[str]) -> str | None:
    if isinstance(v, str) and v in values:
        return None
    return f"{path}: {v!r} is not one of {', '.join(values)}{did_you_mean(str(v), values)}"


def _list_problem(path: str, v: Any, values: list[str]) -> str | None:
    if not isinstance(v, list):
        return f"{path} is a list of {', '.join(values)}: got {v!r}"
    for item in v:
        if problem := _member_problem(path, item, values):
            return problem
    return f"{path}: the list repeats a value" if len(set(map(str, v))) != len(v) else None


def _numbers_around(constants: list[Any], values: list[str]) -> list[Any]:
    return sorted({x for c in constants if _is_int(c) or isinstance(c, float) for x in (c - 1, c, c + 1)} | {0})


def _days_around(constants: list[Any], values: list[str]) -> list[Any]:
    days = [dt.date.fromisoformat(c) for c in constants if isinstance(c, str)]
    out = {(d + dt.timedelta(days=k)).isoformat() for d in days for k in (-1, 0, 1) if dt.date.min < d < dt.date.max}
    return sorted(out | {"2000-01-01"})


def _list_samples(constants: list[Any], values: list[str]) -> list[Any]:
    """Every subset of the members the conditions name, and every prefix of the declared values (for counts)."""
    named = sorted({c for c in constants if isinstance(c, str) and c in values})
    subsets = [list(combo) for r in range(len(named) + 1) for combo in itertools.combinations(named, r)]
    prefixes = [values[:n] for n in range(len(values) + 1)]
    return [list(s) for s in dict.fromkeys(tuple(s) for s in subsets + prefixes)]


def _rank(value: Any, values: list[str]) -> int:
    return values.index(value)


FACT_TYPES: dict[str, FactType] = {t.name: t for t in (
    FactType("bool", False, False, _plain("bool", lambda v: isinstance(v, bool)),
             lambda _: {"type": "boolean"}, lambda v, _: v, lambda c, _: [True, False]),
    FactType("integer", False, True, _integer_problem, lambda _: {"type": "integer"}, lambda v, _: v, _numbers_around),
    FactType("number", False, True, _number_problem, lambda _: {"type": "number"}, lambda v, _: float(v), _numbers_around),
    FactType("string", False, False, _plain("string", lambda v: isinstance(v, str)),
             lambda _: {"type": "string"}, lambda v, _: v, lambda c, _: sorted({x for x in c if isinstance(x, str)} | {"(another value)"})),
    FactType("date", False, True, _date_problem, lambda _: {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
             lambda v, _: v, _days_around),
    FactType("enum", True, False, _member_problem, lambda vs: {"enum": list(vs)}, lambda v, _: v, lambda c, vs: list(vs)),
    FactType("ordered_enum", True, True, _member_problem, lambda vs: {"enum": list(vs)}, _rank, lambda c, vs: list(vs)),
    FactType("list", True, False, _list_problem, lambda vs: {"type": "array", "items": {"enum": list(vs)}, "uniqueItems": True},
             lambda v, _: v, _list_samples),
)}
ORDERED = tuple(name for name, t in FACT_TYPES.items() if t.ordered)
WITH_VALUES = tuple(name for name, t in FACT_TYPES.items() if t.with_values)
