"""The rules as a programmer would hand-write them: plain Python generated from the shipped catalogue, the floor of evaluation.

    python bench/handwritten.py            # print the generated module
    python bench/handwritten.py FACTS_DIR  # check it against the python and durable engines on every agreement

One function per rule takes a dict of verified values (path -> value; an absent path is an unknown fact) and
returns the rule's outcome. Each predicate is inlined as a Python expression on a local; `all` / `any` / `not`
are Kleene's three-valued logic written out with `None` for unknown (obcheck.interpreter is the reference);
conditions are evaluated only as far as the outcome needs them (`met` is not looked at when the rule does not
apply). No obcheck code runs inside the generated functions.

The module is generated at run time (`compile`/`exec`) rather than written once and checked in: a checked-in copy
goes stale the day a rule changes, and the benchmark would then time something that is no longer the catalogue.
Generating costs milliseconds and is outside every timed loop; the check against both engines runs before any
timing, so a generator bug fails the benchmark instead of flattering it.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from obcheck.operators import OPERATORS
from obcheck.rules import AnyOf, Condition, Not, Predicate, Rule, describe
from obcheck.vocabulary import Vocabulary

Evaluate = Callable[[dict[str, Any]], dict[tuple[str, str], str]]
# the operators `expression` writes out; one added to obcheck.operators must be added here before the bench runs
WRITTEN = frozenset(("equals", "not_equals", "in", "not_in", "at_least", "at_most", "exists", "contains", "count_at_least"))


def _constant(value: Any) -> str:
    return repr(value)


def _members(values: Iterable[Any]) -> str:
    """A set display of constants: CPython compiles `x in {...}` with constants to a frozenset lookup."""
    return "{" + ", ".join(map(_constant, values)) + ",}"


def _ranked(path: str, bound: Any, vocabulary: Vocabulary, at_least: bool) -> list[str]:
    declared = list(vocabulary.paths[path].values or [])
    rank = declared.index(bound)
    return declared[rank:] if at_least else declared[: rank + 1]


def expression(pred: Predicate, x: str, vocabulary: Vocabulary) -> str:
    """The predicate as a Python expression on the local `x`, which holds the path's (present, validated) value."""
    kind = vocabulary.paths[pred.path].type
    value = pred.value
    op = pred.op
    if op in ("equals", "not_equals") and isinstance(value, bool):
        return f"{x} is {'' if op == 'equals' else 'not '}{value}"  # a bool path holds only bools: identity is equality
    if op == "equals":
        return f"{x} == {_constant(value)}"
    if op == "not_equals":
        return f"{x} != {_constant(value)}"
    if op == "in":
        return f"{x} in {_members(value)}"
    if op == "not_in":
        return f"{x} not in {_members(value)}"
    if op in ("at_least", "at_most"):
        if kind == "ordered_enum":  # by rank: the members at or above (below) the bound, precomputed
            return f"{x} in {_members(_ranked(pred.path, value, vocabulary, op == 'at_least'))}"
        # integers and numbers compare as numbers; dates are validated YYYY-MM-DD, so text order is date order
        return f"{x} {'>=' if op == 'at_least' else '<='} {_constant(value)}"
    if op == "exists":
        return "True"
    if op == "contains":
        return f"{_constant(value)} in {x}"
    if op == "count_at_least":
        return f"len({x}) >= {_constant(value)}"
    raise SystemExit(f"handwritten.py: no hand-written form for operator {op!r}: add one before benchmarking")


class _Function:
    """The body of one rule's function: a local per path read, a temporary per condition node."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.lines: list[str] = []
        self.locals: dict[str, str] = {}
        self.n = 0

    def local(self, path: str) -> str:
        if path not in self.locals:
            self.locals[path] = f"x{len(self.locals)}"
        return self.locals[path]

    def emit(self, cond: Condition) -> str:
        """Lines computing the condition's truth (True, False or None = unknown) into a temporary; its name."""
        self.n += 1
        t = f"t{self.n}"
        if isinstance(cond, Predicate):
            x = self.local(cond.path)
            self.lines.append(f"{t} = None if {x} is None else ({expression(cond, x, self.vocabulary)})")
        elif isinstance(cond, Not):
            inner = self.emit(cond.part)
            self.lines.append(f"{t} = None if {inner} is None else not {inner}")
        else:
            parts = [self.emit(p) for p in cond.parts]
            # Kleene: `all` is false if a part is false, `any` true if a part is true; else unknown if a part is
            decisive = isinstance(cond, AnyOf)
            settled = " or ".join(f"{p} is {decisive}" for p in parts)
            unknown = " or ".join(f"{p} is None" for p in parts)
            self.lines.append(f"{t} = {decisive} if ({settled}) else (None if ({unknown}) else {not decisive})")
        return t


def rule_function(name: str, rule: Rule, vocabulary: Vocabulary) -> str:
    """One rule as a function: the outcome precedence of obcheck.outcomes.decide, each condition only if needed."""
    f = _Function(vocabulary)
    body: list[str] = []

    def block(cond: Condition) -> str:
        f.lines = []
        t = f.emit(cond)
        body.extend(f.lines)
        return t

    if rule.applies_when is not None:
        applies = block(rule.applies_when)
        body += [f"if {applies} is False:", "    return 'not_applicable'", f"if {applies} is None:", "    return 'unknown'"]
    met = block(rule.met)
    body += [f"if {met} is None:", "    return 'unknown'", f"if {met}:", "    return 'met'"]
    if rule.partial is None:
        body.append("return 'gap'")
    else:
        partial = block(rule.partial)
        body += [f"if {partial} is None:", "    return 'unknown'", f"return 'partial' if {partial} else 'gap'"]
    reads = [f"{x} = v.get({path!r})" for path, x in f.locals.items()]  # values are never None: absent is unknown
    doc = [f"# {part}: {describe(cond)}" for part, cond in
           (("applies when", rule.applies_when), ("met", rule.met), ("partial", rule.partial)) if cond is not None]
    return "\n".join([f"def {name}(v):  # {rule.pack}/{rule.id}", *("    " + line for line in doc + reads + body)])


def source(rules: list[Rule], vocabulary: Vocabulary) -> str:
    """The whole generated module: a function per rule and `evaluate`, giving every rule's outcome as the engines do."""
    names = [f"r{i}" for i in range(len(rules))]
    parts = ['"""Generated by bench/handwritten.py from the shipped rules; do not edit."""', ""]
    parts += [rule_function(name, rule, vocabulary) + "\n" for name, rule in zip(names, rules)]
    pairs = ", ".join(f"{(rule.pack, rule.id)!r}: {name}(v)" for name, rule in zip(names, rules))
    parts.append(f"def evaluate(v):\n    return {{{pairs}}}\n")
    return "\n".join(parts)


def build(rules: list[Rule], vocabulary: Vocabulary) -> Evaluate:
    """Compile the generated module; its source is registered with linecache so tracebacks and profiles show it."""
    if unwritten := sorted(set(OPERATORS) - WRITTEN):
        raise SystemExit(f"handwritten.py: no hand-written form for operator(s) {', '.join(unwritten)}: add them to `expression`")
    text = source(rules, vocabulary)
    filename = "<bench/handwritten generated>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102 - our own generated code, from the shipped rules
    evaluate: Evaluate = namespace["evaluate"]
    return evaluate


def check(evaluate: Evaluate, agreements: list[tuple[str, dict[str, Any]]], engines: dict[str, Any]) -> None:
    """The hand-written outcomes must equal every engine's on every agreement, or the benchmark stops here."""
    for agreement_id, values in agreements:
        ours = evaluate(values)
        for name, engine in engines.items():
            theirs = engine.evaluate(agreement_id, values)
            if ours != theirs:
                diff = sorted(k for k in theirs.keys() | ours.keys() if ours.get(k) != theirs.get(k))
                shown = "; ".join(f"{p}/{r}: hand-written {ours.get((p, r))}, {name} {theirs.get((p, r))}" for p, r in diff[:5])
                raise SystemExit(f"handwritten.py: outcomes differ from the {name} engine on {agreement_id} ({len(diff)} rules): {shown}")


def load(folder: Path) -> tuple[list[Rule], Vocabulary, list[tuple[str, dict[str, Any]]]]:
    """The catalogue and every agreement of a folder, parsed and validated by obcheck, as (id, values)."""
    from obcheck.facts import load_agreement
    from obcheck.rules import load_catalogue

    catalogue = load_catalogue([ROOT / "rules"])
    agreements = []
    for file in sorted(folder.glob("*.yaml")):
        a = load_agreement(file, catalogue.vocabulary)
        agreements.append((a.id, a.values))
    return list(catalogue.rules()), catalogue.vocabulary, agreements


def checked(folder: Path) -> tuple[Evaluate, list[tuple[str, dict[str, Any]]]]:
    """The generated evaluation, checked equal to both engines on the folder's agreements, and those agreements."""
    from obcheck.compiler import compile_rules
    from obcheck.engine import DurableEngine
    from obcheck.interpreter import PythonEngine

    rules, vocabulary, agreements = load(folder)
    evaluate = build(rules, vocabulary)
    durable = DurableEngine(compile_rules(rules, vocabulary), vocabulary)
    try:
        check(evaluate, agreements, {"python": PythonEngine(rules, vocabulary), "durable": durable})
    finally:
        durable.close()
    return evaluate, agreements


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _, done = checked(Path(sys.argv[1]))
        print(f"hand-written outcomes equal the python and durable engines' on {len(done):,} agreements")
    else:
        from obcheck.rules import load_catalogue

        catalogue = load_catalogue([ROOT / "rules"])
        print(source(list(catalogue.rules()), catalogue.vocabulary), end="")
