"""Findings: turn the engine's outcome for each (rule, agreement) into a finding a reader can act on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from obcheck.errors import InternalError
from obcheck.facts import Agreement, Fact, Reading
from obcheck.model import SHAPE, UNKEYED, AgreementReport, Finding, Outcome, made, tally, value_key
from obcheck.outcomes import RANK, Bounds, Truth, Truths, bounds, outcome
from obcheck.remedies import what_it_would_take
from obcheck.rules import PLACEHOLDER_RE, Condition, Rule, predicates, remember, show_value
from obcheck.vocabulary import Vocabulary

Variant = tuple[dict[str, Reading], dict[tuple[str, str], Truths]]  # one reading of each contested fact, and its truths


def agreement_report(
    agreement: Agreement, rules: list[Rule], truths: dict[tuple[str, str], Truths], variants: list[Variant] | None = None,
    vocabulary: Vocabulary | None = None,
) -> AgreementReport:
    """Every rule's finding for one agreement; the engine must give the truths of every rule, and only those.
    `variants`: the truths under each combination of a contested fact's readings (run.assess). With the
    vocabulary, each finding below met also says what it would take to raise it."""
    if set(truths) != {(r.pack, r.id) for r in rules} or any(set(t) != set(truths) for _, t in variants or []):
        raise InternalError(f"agreement {agreement.id}: the engine did not evaluate exactly the rules of the run")
    cited: dict[str, dict[str, Any]] = {}  # each fact's evidence entry, built once and shared by the findings citing it
    values = agreement.values if vocabulary is not None else None  # built once, not once per finding
    findings = [finding(rule, agreement, truths[(rule.pack, rule.id)], cited, vocabulary, values) for rule in rules]
    if variants:  # only contested facts give variants (run.assess): without any, every finding stands as it is
        contested = agreement.contested  # a property that builds a dict: once per agreement, not per rule
        findings = [_contested(f, rule, agreement, contested, variants) for f, rule in zip(findings, rules)]
    findings.sort(key=lambda f: (f.pack, f.rule))
    return AgreementReport(
        agreement.id, agreement.title, agreement.kind, agreement.signed, list(agreement.parties), agreement.file,
        tally(f.status for f in findings), findings, agreement.status, agreement.entry_into_force, agreement.ends,
    )


def _contested(found: Finding, rule: Rule, agreement: Agreement, contested: dict[str, Fact], variants: list[Variant]) -> Finding:
    """Where reputable sources disagree on a fact the rule reads, the rule is evaluated on each value: if every
    reading gives the same outcome it stands; otherwise the finding is unknown, bounded by the readings' outcomes,
    and shows every value with its citation."""
    read = [p for p in rule.paths if p in contested]
    if not read or not variants:
        return found
    key = (rule.pack, rule.id)
    outcomes: dict[tuple[int, ...], Outcome] = {}
    for readings, truths in variants:
        chosen = tuple(contested[p].readings.index(readings[p]) for p in read)
        outcomes.setdefault(chosen, outcome(truths[key]))
    shown: list[dict[str, Any]] = [{"fact": p, "values": [
        {"value": r.value, "source": r.source.title, "url": r.source.url, "quote": r.quote, "evidence_level": r.evidence,
         "reliability": r.source.trust, "outcome": str(outcomes[tuple(i if q == p else 0 for q in read)])}
        for i, r in enumerate(contested[p].readings)]} for p in read]
    distinct = set(outcomes.values())
    if len(distinct) == 1:
        return dataclasses.replace(found, contested=shown)
    ranked = sorted((o for o in distinct if o in RANK), key=RANK.__getitem__)
    words = "; ".join(
        f"{c['fact']} is " + " or ".join(f"{show_value(v['value'])} ({v['source']}: {v['outcome']})" for v in c["values"]) for c in shown)
    return dataclasses.replace(
        found, status=Outcome.UNKNOWN, message=f"Sources disagree: {words}.", contested=shown, missing=[],
        floor=ranked[0] if ranked else None, ceiling=ranked[-1] if ranked else None, needs={},
        may_not_apply=Outcome.NOT_APPLICABLE in distinct,
    )


def finding(
    rule: Rule, agreement: Agreement, truth: Truths, cited: dict[str, dict[str, Any]] | None = None,
    vocabulary: Vocabulary | None = None, values: dict[str, Any] | None = None,
) -> Finding:
    """One outcome with everything a reader needs: message, expected vs actual, both sides' citations, and for an
    unknown what is known: its floor and ceiling, and the facts that would decide each outcome above the floor."""
    plan = _plan(rule)
    facts = agreement.facts
    cited = {} if cited is None else cited
    evidence = []
    for path in plan.paths:
        fact = facts.get(path)
        if fact is not None:
            entry = cited.get(path)
            if entry is None:
                entry = cited[path] = _cite(path, fact, agreement.file)
            evidence.append(entry)
    shape = _shape(plan, rule, agreement, truth, vocabulary, values)
    found = made({
        **plan.constants, "status": shape["status"], "message": shape["message"], "actual": shape["actual"].copy(),
        "evidence": evidence, "missing": shape["missing"].copy(), "location": _location(agreement, evidence, plan.paths),
        "floor": shape["floor"], "ceiling": shape["ceiling"], "needs": {k: v.copy() for k, v in shape["needs"].items()},
        "may_not_apply": shape["may_not_apply"], "contested": [], "would_take": shape["would_take"], "waiver": None,
    })
    if "kept" in shape:  # what the finding shows but its location is the shape's: formats may keep its text by it
        found.__dict__[SHAPE] = shape
    return found


def _shape(
    plan: _Plan, rule: Rule, agreement: Agreement, truth: Truths, vocabulary: Vocabulary | None, values: dict[str, Any] | None,
) -> dict[str, Any]:
    """The fields of a finding that follow from the rule, its truths and the values of the facts it reads and its
    messages name: worked out once per such combination, not once per finding (on 3,000 synthetic agreements,
    6,265 combinations for 123,000 findings). The lists and dicts in it are shared: findings get copies. `values`:
    the agreement's values (agreement.values), where the caller built them once for many findings."""
    facts = agreement.facts
    key: list[Any] = [truth.applies, truth.met, truth.partial, truth.has_partial]
    for path in plan.reads:
        fact = facts.get(path)
        if fact is None:
            key.append(_ABSENT)
        else:
            value = fact.value
            kind = value.__class__
            key.append(value if kind is str or kind is int else value_key(value))
    shapes = plan.shapes.get(id(vocabulary))
    if shapes is None:
        shapes = plan.shapes[id(vocabulary)] = (vocabulary, {})  # the entry keeps the vocabulary, so its id is not reused
    keyed = UNKEYED not in key
    shape = shapes[1].get(tuple(key)) if keyed else None
    if shape is None:
        status, bound = _judged(truth)
        unknown = status is Outcome.UNKNOWN
        shape = {
            "status": status, "message": _fill(plan.parts[status], facts),
            "actual": {p: facts[p].value if p in facts else None for p in plan.paths},
            "missing": [p for p in plan.paths if p not in facts] if unknown else [],
            "floor": bound.floor, "ceiling": bound.ceiling, "needs": _needs(rule, facts, truth, bound) if unknown else {},
            "may_not_apply": bound.may_not_apply,
            "would_take": (
                what_it_would_take(rule, agreement.values if values is None else values, vocabulary)
                if vocabulary is not None and status is not Outcome.MET else None
            ),
        }
        if keyed and len(shapes[1]) < MAX_SHAPES:
            shapes[1][tuple(key)] = shape
            shape["kept"] = True
    return shape


MAX_SHAPES = 256  # combinations kept per (rule, vocabulary): a rule reading a number may meet thousands of values
_ABSENT = object()  # in a shape's key, a fact the agreement does not state (a stated null is None)


def _cite(path: str, fact: Fact, file: str) -> dict[str, Any]:
    """A fact's evidence entry, as every format shows it."""
    source, evidence = fact.source, fact.evidence
    return {
        "fact": path, "value": fact.value, "location": f"{file}:{fact.line}",
        "source": {"id": source.id, "title": source.title, "url": source.url, "type": source.type, "reliability": source.trust},
        "clause": evidence.clause, "quote": evidence.quote, "evidence_level": evidence.evidence, "note": evidence.note,
    }


_JUDGED: dict[tuple[Truth, Truth, Truth, bool], tuple[Outcome, Bounds]] = {}  # a few dozen truth combinations at most


def _judged(truth: Truths) -> tuple[Outcome, Bounds]:
    """The outcome and bounds of a rule's truths, worked out once per combination of truths (not per finding)."""
    key = (truth.applies, truth.met, truth.partial, truth.has_partial)
    known = _JUDGED.get(key)
    if known is None:
        known = _JUDGED[key] = (outcome(truth), bounds(truth))
    return known


@dataclass(frozen=True)
class _Plan:
    """What every finding of one rule shares, worked out once per rule rather than once per finding."""

    paths: tuple[str, ...]
    constants: dict[str, Any]  # the Finding fields that come from the rule alone
    parts: dict[Outcome, list[str]]  # each outcome's message template, split at its placeholders (see fill)
    reads: tuple[str, ...]  # the paths and the messages' placeholders: the facts a finding's shape depends on
    shapes: dict[int, tuple[Vocabulary | None, dict[tuple[Any, ...], dict[str, Any]]]]  # by id(vocabulary): see _shape


_PLANS: dict[int, _Plan] = {}  # by id(rule), while the rule lives (rules.remember)


def _plan(rule: Rule) -> _Plan:
    plan = _PLANS.get(id(rule))
    if plan is None:
        constants = {
            "rule": rule.id, "pack": rule.pack, "title": rule.title, "severity": rule.severity, "tier": rule.tier,
            "expected": rule.expected, "criterion": rule.citation, "remediation": rule.remediation,
        }
        # an unknown's bound is stated beside its message (Finding.bound)
        parts = {o: _split(getattr(rule.messages, o) or rule.messages.gap) for o in Outcome}
        named = [p for split in parts.values() for p in split[1::2]]
        plan = remember(_PLANS, rule, _Plan(rule.paths, constants, parts, tuple(dict.fromkeys([*rule.paths, *named])), {}))
    return plan


def _needs(rule: Rule, facts: dict[str, Any], truth: Truths, bound: Bounds) -> dict[str, list[str]]:
    """For each outcome above the floor that a completion reaches, the missing facts that would decide it: met
    needs what met (and an undecided applies_when) reads; partial also what partial reads."""
    if bound.floor is None or bound.ceiling is None:
        return {}

    def missing(*conds: Condition | None) -> list[str]:
        return sorted({p for c in conds for p in _paths(c) if p not in facts})

    applies = rule.applies_when if truth.applies is None else None
    out = {}
    if RANK[bound.ceiling] >= RANK[Outcome.PARTIAL] > RANK[bound.floor]:
        out[str(Outcome.PARTIAL)] = missing(applies, rule.met if truth.met is None else None, rule.partial)
    if bound.ceiling is Outcome.MET and bound.floor is not Outcome.MET:
        out[str(Outcome.MET)] = missing(applies, rule.met)
    return out


_PATHS: dict[int, frozenset[str]] = {}  # by id(condition), while the condition lives (rules.remember)


def _paths(cond: Condition | None) -> frozenset[str]:
    """The fact paths a condition reads, worked out once per condition."""
    if cond is None:
        return frozenset()
    known = _PATHS.get(id(cond))
    if known is None:
        known = remember(_PATHS, cond, frozenset(p.path for p in predicates(cond)))
    return known


def _location(agreement: Agreement, evidence: list[dict[str, Any]], paths: tuple[str, ...]) -> str:
    """Where a reader should look: the first fact the rule read, else an unverified entry it needed, else the file."""
    if evidence:
        return str(evidence[0]["location"])
    line = next((agreement.lines[p] for p in paths if p in agreement.lines), 1)
    return f"{agreement.file}:{line}"


def fill(template: str, agreement: Agreement) -> str:
    """Replace {fact.path} with the agreement's value, or 'unknown' where it states none."""
    return _fill(_split(template), agreement.facts)


def _split(template: str) -> list[str]:
    parts = _PARTS.get(template)
    if parts is None:
        parts = _PARTS[template] = PLACEHOLDER_RE.split(template)  # literal, path, literal, ..., literal
    return parts


def _fill(parts: list[str], facts: dict[str, Fact]) -> str:
    if len(parts) == 1:
        return parts[0]
    out = [parts[0]]
    for i in range(1, len(parts), 2):
        fact = facts.get(parts[i])
        out += (show_value(fact.value if fact else None), parts[i + 1])
    return "".join(out)


_PARTS: dict[str, list[str]] = {}  # each message template split at its placeholders, once (rules have a handful)
