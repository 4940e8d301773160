"""The operator registry: for each condition operator, what it takes, where it applies, how it is evaluated and compiled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from obcheck.fact_types import FactType

# An engine-neutral test on the properties of one engine fact, which the durable compiler and the Rego
# translation each render: ("cmp", prop, op, constant) with op one of == != >= < <= >; ("ex", prop): the
# property is present; ("and", [tests]); ("or", [tests]). None: the test can never hold (e.g. "surely absent").
Test = tuple[Any, ...] | None
Operand = Literal["value", "values", "member", "true", "count"]


class Props(Protocol):
    """How an operator names what it reads; the compiler records each read so the engine fact carries it."""

    def value(self, path: str) -> str: ...  # the path's value, normalised (ordered enums as rank, numbers as floats)

    def member(self, path: str, member: str) -> str: ...  # a list path: does it include `member`

    def size(self, path: str) -> str: ...  # a list path: how many members it has

    def present(self, path: str) -> str: ...  # a property that is there exactly when the path is stated

    def constant(self, path: str, value: Any) -> Any: ...  # a constant normalised as the path's values are


@dataclass(frozen=True)
class Operator:
    """One condition operator: what it takes, the fact types it applies to, and how each engine tests it."""

    name: str
    phrase: str  # describe(): a template with {path} and {value}
    operand: Operand  # one value of the path's type; a non-empty list of them; one declared member; true; a count
    types: tuple[str, ...]  # the fact types it applies to
    holds: Callable[[Any, Any, FactType, list[str]], bool]  # (actual, operand, type, declared values): the interpreter
    test: Callable[[Props, str, Any, bool], Test]  # (props, path, operand, want): surely true (want) or surely false


def _equal(a: Any, b: Any) -> bool:
    """Equal values of the same type; ints and floats compare as numbers, booleans never equal numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def _eq(p: Props, path: str, value: Any, want: bool) -> Test:
    return ("cmp", p.value(path), "==" if want else "!=", p.constant(path, value))


def _in(p: Props, path: str, values: list[Any], want: bool) -> Test:
    # surely in: equal to one of them; surely not in: unequal to each
    return ("or" if want else "and", [_eq(p, path, v, want) for v in values])


def _bound(at_least: bool) -> Callable[[Props, str, Any, bool], Test]:
    def test(p: Props, path: str, value: Any, want: bool) -> Test:
        op = {(True, True): ">=", (True, False): "<", (False, True): "<=", (False, False): ">"}[(at_least, want)]
        return ("cmp", p.value(path), op, p.constant(path, value))

    return test


def _ordered(at_least: bool) -> Callable[[Any, Any, FactType, list[str]], bool]:
    def holds(actual: Any, bound: Any, kind: FactType, values: list[str]) -> bool:
        a, b = kind.key(actual, values), kind.key(bound, values)
        return bool(a >= b) if at_least else bool(a <= b)

    return holds


SCALARS = ("bool", "integer", "number", "string", "date", "enum", "ordered_enum")
ORDERED_TYPES = ("integer", "number", "date", "ordered_enum")

OPERATORS: dict[str, Operator] = {op.name: op for op in (
    Operator("equals", "{path} is {value}", "value", SCALARS, lambda a, v, k, vs: _equal(a, v), _eq),
    Operator("not_equals", "{path} is not {value}", "value", SCALARS, lambda a, v, k, vs: not _equal(a, v),
             lambda p, path, v, want: _eq(p, path, v, not want)),
    Operator("in", "{path} is one of {value}", "values", SCALARS, lambda a, v, k, vs: any(_equal(a, e) for e in v), _in),
    Operator("not_in", "{path} is none of {value}", "values", SCALARS, lambda a, v, k, vs: not any(_equal(a, e) for e in v),
             lambda p, path, v, want: _in(p, path, v, not want)),
    Operator("at_least", "{path} is at least {value}", "value", ORDERED_TYPES, _ordered(True), _bound(True)),
    Operator("at_most", "{path} is at most {value}", "value", ORDERED_TYPES, _ordered(False), _bound(False)),
    # absence is unknown, never false: exists can be surely true but never surely false
    Operator("exists", "{path} is stated", "true", (*SCALARS, "list"), lambda a, v, k, vs: True,
             lambda p, path, v, want: ("ex", p.present(path)) if want else None),
    Operator("contains", "{path} includes {value}", "member", ("list",), lambda a, v, k, vs: v in a,
             lambda p, path, v, want: ("cmp", p.member(path, v), "==", want)),
    Operator("count_at_least", "{path} has at least {value} members", "count", ("list",), lambda a, n, k, vs: len(a) >= n,
             lambda p, path, n, want: ("cmp", p.size(path), ">=" if want else "<", n)),
)}
