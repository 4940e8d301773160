"""Compile rules to durable_rules JSON rulesets (pure): a rule per condition and truth, limits checked here, not at run time."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # what json.dumps uses for str without ensure_ascii
from typing import Any

from obcheck.errors import Diagnostic, InputError
from obcheck.fact_types import FACT_TYPES
from obcheck.operators import OPERATORS, Test
from obcheck.rules import All, Condition, Not, Predicate, Rule
from obcheck.vocabulary import Vocabulary

# durable_rules limits (research/durable-rules.md section 3), kept with a margin.
MAX_BRANCHES_PER_CRITERION = 64  # a fact matching more alpha branches at once fails with error 303
MAX_CRITERIA_PER_SHARD = 500  # 513 sibling tests hang ruleset creation
MAX_RULES_PER_SHARD = 4000  # 4,097 rules fail with error 106
MAX_PROPERTIES = 250  # 254 properties per fact fail with error 302 (sid and id count)

ALWAYS: dict[str, Any] = {"$always": True}  # sentinels, never emitted
NEVER: dict[str, Any] = {"$never": True}
SEEN = "seen"  # fires for every fact: proves the fact reached the engine


@dataclass(frozen=True)
class Read:
    """One fact property the engine sees: a path's value (normalised), a list member as a flag, or a list's size."""

    prop: str
    path: str
    derive: str = "value"  # value | member | size
    member: str | None = None


@dataclass(frozen=True)
class CompiledRule:
    pack: str
    rule: str
    crit: str
    shard: int
    reads: tuple[Read, ...]
    has_applies: bool = False
    has_partial: bool = False


@dataclass(frozen=True)
class Compiled:
    rules: tuple[CompiledRule, ...]
    rulesets: tuple[dict[str, Any], ...]  # one JSON ruleset per shard


def compile_rules(rules: list[Rule], vocabulary: Vocabulary) -> Compiled:
    """Every rule becomes durable rules named `<pack>/<id>|<condition>_<true|false>` (conditions: applies, met,
    partial), one per condition that can be surely true or surely false, plus `|seen`; each pattern starts with the
    positive test `crit`. The engine reports which fired: the three-valued truths from which obcheck's one
    precedence (outcomes.py) decides the outcome and its bounds, as the interpreter's truths do."""
    compiled: list[CompiledRule] = []
    rulesets: list[dict[str, Any]] = [{}]
    errors: list[Diagnostic] = []
    for rule in rules:
        crit = f"{rule.pack}/{rule.id}"
        c = _Compiler(vocabulary)
        conditions = {"applies": rule.applies_when, "met": rule.met, "partial": rule.partial}
        outcomes = {
            f"{name}_{str(want).lower()}": c.truth(cond, want)
            for name, cond in conditions.items() if cond is not None for want in (True, False)
        }
        branches = sum(_branches(e) for e in outcomes.values() if e is not NEVER)
        if branches > MAX_BRANCHES_PER_CRITERION:
            errors.append(Diagnostic(rule.file, rule.line, 1, f"rule too complex for durable_rules: {branches} alternative branches (at most {MAX_BRANCHES_PER_CRITERION}); split it or simplify any/not"))
        reads = tuple(sorted(c.reads.values(), key=lambda r: r.prop))
        if len(reads) + 2 > MAX_PROPERTIES:
            errors.append(Diagnostic(rule.file, rule.line, 1, f"rule reads {len(reads)} fact properties; durable_rules allows {MAX_PROPERTIES - 2}"))
        body = {name: _pattern(crit, expr) for name, expr in sorted(outcomes.items()) if expr is not NEVER}
        body[SEEN] = {"crit": crit}
        if len(rulesets[-1]) + len(body) > MAX_RULES_PER_SHARD or _criteria(rulesets[-1]) >= MAX_CRITERIA_PER_SHARD:
            rulesets.append({})
        for name, pattern in body.items():
            rulesets[-1][f"{crit}|{name}"] = {"all": [{"m": pattern}]}
        compiled.append(CompiledRule(rule.pack, rule.id, crit, len(rulesets) - 1, reads, rule.applies_when is not None, rule.partial is not None))
    if errors:
        raise InputError(errors)
    return Compiled(tuple(compiled), tuple(rulesets))


def _criteria(ruleset: dict[str, Any]) -> int:
    return sum(1 for name in ruleset if name.endswith(f"|{SEEN}"))


def _pattern(crit: str, expr: dict[str, Any]) -> dict[str, Any]:
    return {"crit": crit} if expr is ALWAYS else {"$and": [{"crit": crit}, expr]}


def _and(*parts: dict[str, Any]) -> dict[str, Any]:
    if any(p is NEVER for p in parts):
        return NEVER
    kept = _flat("$and", [p for p in parts if p is not ALWAYS])
    return ALWAYS if not kept else kept[0] if len(kept) == 1 else {"$and": kept}


def _or(*parts: dict[str, Any]) -> dict[str, Any]:
    if any(p is ALWAYS for p in parts):
        return ALWAYS
    kept = _flat("$or", [p for p in parts if p is not NEVER])
    return NEVER if not kept else kept[0] if len(kept) == 1 else {"$or": kept}


def _flat(op: str, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nested $and in $and (or $or in $or) read better as one list and mean the same."""
    return [item for p in parts for item in p.get(op, [p])]


def _branches(expr: dict[str, Any]) -> int:
    """How many alternatives the engine expands an expression into (its disjunctive normal form)."""
    if "$or" in expr:
        return sum(_branches(e) for e in expr["$or"])
    if "$and" in expr:
        n = 1
        for e in expr["$and"]:
            n *= _branches(e)
        return n
    return 1


class _Compiler:
    """Three-valued logic without negation: for each condition, an expression for 'surely true' and one for
    'surely false'. A fact absent from the engine fact matches neither, so 'unknown' is what no rule decides."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.reads: dict[str, Read] = {}

    def truth(self, cond: Condition, want: bool) -> dict[str, Any]:
        if isinstance(cond, Predicate):
            return self.predicate(cond, want)
        if isinstance(cond, Not):
            return self.truth(cond.part, not want)
        parts = [self.truth(p, want) for p in cond.parts]
        conjunctive = isinstance(cond, All) == want  # all-true and any-false need every part
        return _and(*parts) if conjunctive else _or(*parts)

    def predicate(self, pred: Predicate, want: bool) -> dict[str, Any]:
        return _render(OPERATORS[pred.op].test(self, pred.path, pred.value, want))

    # Props: what an operator's test reads, recorded so engine_fact puts exactly these properties in the fact
    def value(self, path: str) -> str:
        self.reads[path] = Read(path, path)
        return path

    def member(self, path: str, member: str) -> str:
        prop = f"{path}.has_{(self.vocabulary.paths[path].values or []).index(member)}"
        self.reads[prop] = Read(prop, path, "member", member)
        return prop

    def size(self, path: str) -> str:
        prop = f"{path}.size"
        self.reads[prop] = Read(prop, path, "size")
        return prop

    def present(self, path: str) -> str:
        return self.size(path) if self.vocabulary.paths[path].type == "list" else self.value(path)

    def constant(self, path: str, value: Any) -> Any:
        return normalise(self.vocabulary, path, value)


_COMPARE = {"!=": "$neq", ">=": "$gte", "<": "$lt", "<=": "$lte", ">": "$gt"}


def _render(test: Test) -> dict[str, Any]:
    """An operator's engine-neutral test as a durable_rules expression."""
    if test is None:
        return NEVER
    if test[0] == "cmp":
        _, prop, op, constant = test
        return {prop: constant} if op == "==" else {_COMPARE[op]: {prop: constant}}
    if test[0] == "ex":
        return {"$ex": {test[1]: 1}}
    parts = [_render(t) for t in test[1]]
    return _and(*parts) if test[0] == "and" else _or(*parts)


def normalise(vocabulary: Vocabulary, path: str, value: Any) -> Any:
    """The engine compares like with like: ordered enums as ranks, numbers as floats, the rest unchanged."""
    spec = vocabulary.paths[path]
    return FACT_TYPES[spec.type].engine_value(value, spec.values or [])


def engine_fact(rule: CompiledRule, values: dict[str, Any], vocabulary: Vocabulary, agreement_id: str) -> dict[str, Any]:
    """The one fact asserted for (agreement, rule): discriminator, explicit id, and only the values the rule reads."""
    fact: dict[str, Any] = {"id": f"{agreement_id}|{rule.crit}", "crit": rule.crit}
    fact.update(engine_values(rule.reads, values, vocabulary))
    return fact


def engine_values(reads: tuple[Read, ...], values: dict[str, Any], vocabulary: Vocabulary) -> dict[str, Any]:
    """The properties the reads name, for the values an agreement states (absent ones stay absent: unknown)."""
    return {read.prop: engine_value(read, values[read.path], vocabulary) for read in reads if read.path in values}


def engine_value(read: Read, value: Any, vocabulary: Vocabulary) -> Any:
    """One property from the value of its path: a member flag, a size, or the value normalised."""
    if read.derive == "member":
        return read.member in value
    if read.derive == "size":
        return len(value)
    return normalise(vocabulary, read.path, value)


def _quoted(text: str) -> str:
    """A string's JSON text without its quotes: JSON escapes character by character, so pieces join as the whole."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _json(value: Any) -> str:
    """json.dumps(value, ensure_ascii=False) for one engine value, by the encoder's own parts for the common types."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


class FactTexts:
    """The engine facts of one agreement as the JSON text json.dumps writes for the list of engine_fact dicts (each
    with its session id last), without building the dicts: keys and discriminators are serialised once, and each
    property an agreement gives once however many rules read it."""

    def __init__(self, rules: Iterable[CompiledRule], vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.reads = {read.prop: read for rule in rules for read in rule.reads}  # never id, crit or sid: paths have a dot
        self.keys = {prop: f", {json.dumps(prop, ensure_ascii=False)}: " for prop in self.reads}
        self.crits: dict[str, str] = {}

    def properties(self, values: dict[str, Any]) -> dict[str, str]:
        """Each property the rules read, as `, "prop": value` JSON text, for the values an agreement states."""
        return {prop: self.keys[prop] + _json(engine_value(read, values[read.path], self.vocabulary))
                for prop, read in self.reads.items() if read.path in values}

    def batch(self, rules: Sequence[CompiledRule], properties: dict[str, str], agreement_id: str, sid: str) -> tuple[str, dict[str, tuple[str, str]]]:
        """The JSON list of the rules' facts, and for each rule's discriminator its fact's id and the text the fact
        starts with (its id and discriminator), by which a firing names its fact."""
        agreement = _quoted(agreement_id)
        tail = f', "sid": {json.dumps(sid, ensure_ascii=False)}}}'
        facts, heads = [], {}
        for rule in rules:
            crit = self.crits.get(rule.crit)
            if crit is None:
                crit = self.crits[rule.crit] = _quoted(rule.crit)
            head = f'{{"id": "{agreement}|{crit}", "crit": "{crit}"'
            heads[rule.crit] = (f"{agreement_id}|{rule.crit}", head)
            facts.append(head + "".join([properties[r.prop] for r in rule.reads if r.prop in properties]) + tail)
        return f"[{', '.join(facts)}]", heads
