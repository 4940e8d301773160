"""The fact-type registry: for each type a vocabulary path may have, how values are checked, schema'd, normalised and sampled."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self

from obcheck.errors import did_you_mean, listed, shown

# durable_rules' JSON parser crashes the process on numbers written with an exponent (1e-05, 1e+16),
# which is how Python writes floats outside these bounds; integers stay exact up to 2^53.
MIN_MAGNITUDE, MAX_MAGNITUDE = 1e-4, 1e15
MAX_INTEGER = 2**53 - 1
# The shape only (ASCII digits; \d would take any script's digits, $ a trailing newline): date_problem decides.
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# durable_rules stores a string's length in 16 bits: a longer string wraps and compares equal to its prefix
# (a 65,539-byte text equals "abc"). What counts is the text as it stands in the JSON obcheck hands the engine,
# escapes included: 65,530 x's and one control character (written \u0001, 6 bytes) already wrap.
MAX_STRING_BYTES = 65_535


class Choices(tuple[str, ...]):
    """A path's declared values: in order for messages, a set for membership (an enum of 100,000 values checked
    by list search against a list of 100,000 items was 10^10 comparisons)."""

    _set: frozenset[str]

    def __new__(cls, values: Iterable[str] = ()) -> Self:
        self = super().__new__(cls, values)
        self._set = frozenset(self)
        return self

    def __contains__(self, item: object) -> bool:
        try:
            return item in self._set
        except TypeError:  # unhashable (a list or mapping where a value belongs): not a member
            return False


def string_problem(value: str) -> str | None:
    """Why a text cannot go to durable_rules (too long for its 16-bit lengths), or None."""
    size = len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")) - 2  # without the quotes
    if size > MAX_STRING_BYTES:
        return f"the text is {size:,} bytes long (UTF-8, escapes counted); at most {MAX_STRING_BYTES:,}, durable_rules' limit"
    return None


def date_problem(value: Any) -> str | None:
    """Why `value` is not a date that exists, written YYYY-MM-DD (years 0001 to 9999), or None when it is one.
    The standard library decides: 2024-02-30 and year 0 do not exist."""
    if not (isinstance(value, str) and DATE_RE.fullmatch(value)):
        return f"expected YYYY-MM-DD, got {shown(value)}"
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        return f"{value} is not a date that exists ({exc})"
    return None


@dataclass(frozen=True)
class FactType:
    """Everything obcheck needs to know about one type. `values` are the path's declared values (enums, lists)."""

    name: str
    with_values: bool  # the vocabulary must declare the allowed values
    ordered: bool  # at_least / at_most apply
    problem: Callable[[str, Any, Choices], str | None]  # why a value of a path is not of this type (None: it is)
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


def _plain(kind: str, ok: Callable[[Any], bool]) -> Callable[[str, Any, Choices], str | None]:
    def problem(path: str, v: Any, values: Choices) -> str | None:
        return None if ok(v) else f"{path} is {_article(kind)} {kind}: got {shown(v)}"

    return problem


def _string_problem(path: str, v: Any, values: Choices) -> str | None:
    if not isinstance(v, str):
        return f"{path} is a string: got {shown(v)}"
    problem = string_problem(v)
    return f"{path}: {problem}" if problem else None


def _integer_problem(path: str, v: Any, values: Choices) -> str | None:
    if not _is_int(v):
        return f"{path} is an integer: got {shown(v)}"
    return f"{path}: {shown(v)} is beyond the supported range of +/-{MAX_INTEGER}" if abs(v) > MAX_INTEGER else None


def _number_problem(path: str, v: Any, values: Choices) -> str | None:
    if not (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return f"{path} is a number: got {shown(v)}"
    if not (v == 0 or MIN_MAGNITUDE <= abs(v) < MAX_MAGNITUDE):
        return f"{path}: {shown(v)} is outside the supported range (0, or between 0.0001 and 10^15 in size)"
    return None


def _date_problem(path: str, v: Any, values: Choices) -> str | None:
    problem = date_problem(v)
    return f"{path} is a date: {problem}" if problem else None


def _member_problem(path: str, v: Any, values: Choices) -> str | None:
    if v in values:
        return None
    return f"{path}: {shown(v)} is not one of {listed(values)}{did_you_mean(str(v), values)}"


def _list_problem(path: str, v: Any, values: Choices) -> str | None:
    if not isinstance(v, list):
        return f"{path} is a list of {listed(values)}: got {shown(v)}"
    for item in v:
        if problem := _member_problem(path, item, values):
            return problem
    return f"{path}: the list repeats a value" if len(set(map(str, v))) != len(v) else None


def _numbers_around(constants: list[Any], values: list[str]) -> list[Any]:
    return sorted({x for c in constants if _is_int(c) or isinstance(c, float) for x in (c - 1, c, c + 1)} | {0})


def _days_around(constants: list[Any], values: list[str]) -> list[Any]:
    days = [dt.date.fromisoformat(c) for c in constants if isinstance(c, str)]
    out = {d.isoformat() for d in days}
    out |= {(d - dt.timedelta(days=1)).isoformat() for d in days if d > dt.date.min}
    out |= {(d + dt.timedelta(days=1)).isoformat() for d in days if d < dt.date.max}
    return sorted(out | {"2000-01-01"})


def _list_samples(constants: list[Any], values: list[str]) -> list[Any]:
    """Every subset of the members the conditions name, and, for a count a condition names, lists one shorter, as
    long and one longer (prefixes of the declared values)."""
    named = sorted({c for c in constants if isinstance(c, str) and c in values})
    subsets = [list(combo) for r in range(len(named) + 1) for combo in itertools.combinations(named, r)]
    counts = {n for c in constants if _is_int(c) for n in (c - 1, c, c + 1) if 0 <= n <= len(values)}
    prefixes = [list(values[:n]) for n in sorted(counts)]
    return [list(s) for s in dict.fromkeys(tuple(s) for s in subsets + prefixes)]


def _rank(value: Any, values: list[str]) -> int:
    return values.index(value)


FACT_TYPES: dict[str, FactType] = {t.name: t for t in (
    FactType("bool", False, False, _plain("bool", lambda v: isinstance(v, bool)),
             lambda _: {"type": "boolean"}, lambda v, _: v, lambda c, _: [True, False]),
    FactType("integer", False, True, _integer_problem, lambda _: {"type": "integer"}, lambda v, _: v, _numbers_around),
    FactType("number", False, True, _number_problem, lambda _: {"type": "number"}, lambda v, _: float(v), _numbers_around),
    FactType("string", False, False, _string_problem,
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
