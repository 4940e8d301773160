"""The durable_rules adapter, the only module that imports it: registers compiled rulesets, asserts facts, collects firings."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from obcheck.compiler import SEEN, Compiled, CompiledRule, FactTexts
from obcheck.errors import InternalError
from obcheck.outcomes import Truths, outcome, truths_of
from obcheck.vocabulary import Vocabulary

try:
    import durable_rules_engine
    from durable.engine import Host

    IMPORT_ERROR: str | None = None
except Exception as exc:  # noqa: BLE001 - any failure (missing, or 3.13's undefined symbol) means "not available"
    IMPORT_ERROR = f"{type(exc).__name__}: {exc}"

# durable_rules error codes (rules.h) that users can meet, in words.
ERROR_CODES = {
    1: "no rule matched the fact",
    2: "the same fact was asserted twice",
    101: "out of memory or too many live sessions",
    102: "a list was used as a value (write any/in instead)",
    105: "an unknown name in the ruleset",
    106: "too many rules in one ruleset",
    202: "an object value that is not an operator, or an infinite number",
    302: "too many properties in one fact",
    303: "a fact matched too many rule branches at once",
    314: "a value larger than 16 MiB",
}


def available() -> bool:
    return IMPORT_ERROR is None


def explain(exc: BaseException) -> str:
    """durable_rules raises bare Exceptions whose text is often just a code: name it."""
    text = str(exc)
    for code, words in ERROR_CODES.items():
        if text.strip() == str(code) or text.endswith(f" {code}") or f"code {code}" in text:
            return f"{text} ({words})"
    return text


if IMPORT_ERROR is None:

    class _Host(Host):  # type: ignore[misc]
        """A Host without the background dispatcher (its timer threads segfault when shared, and leak).
        It only registers rulesets: DurableEngine runs the matched actions itself (see _fire)."""

        def _run(self) -> None:  # the dispatcher serves timers and queues, which obcheck never uses
            self._d_timer = self._t_timer = None

        def get_action(self, action_name: str) -> Callable[[Any], None]:
            def unused(c: Any) -> None:
                raise RuntimeError(f"rule {action_name}: durable's own action dispatch is not used by obcheck")

            return unused


class DurableEngine:
    """Evaluates compiled rules with durable_rules: one fact per (agreement, rule), all of an agreement's facts
    asserted at once (assert semantics: every matching rule fires), its session deleted afterwards (at most
    1,024 may live). Firings are read straight from the engine's action queue: durable's own Python dispatch
    builds a closure and re-serialises the session state for every firing, which cost more than matching."""

    name = "durable"

    def __init__(self, compiled: Compiled, vocabulary: Vocabulary) -> None:
        if IMPORT_ERROR is not None:
            raise InternalError(f"durable_rules cannot be imported: {IMPORT_ERROR}")
        self.compiled, self.vocabulary = compiled, vocabulary
        self._host = _Host()
        self._names: list[str] = []
        self._handles: list[int] = []
        for index, ruleset in enumerate(compiled.rulesets):
            _check_positive(ruleset)
            name = f"obcheck{index}"
            try:
                self._host.set_rulesets({name: _definition(ruleset)})
            except Exception as exc:  # noqa: BLE001 - durable raises bare Exception
                raise InternalError(f"durable_rules rejected {_culprit(ruleset)}: {explain(exc)}") from None
            self._names.append(name)
            self._handles.append(self._host.get_ruleset(name)._handle)
        crits = [r.crit for r in compiled.rules]
        if len(set(crits)) != len(crits):
            twice = sorted({c for c in crits if crits.count(c) > 1})
            raise InternalError(f"rules share the discriminator {', '.join(twice)}: their facts would merge in durable_rules")
        self._sessions = 0
        self._texts = FactTexts(compiled.rules, vocabulary)
        # each registered rule name that a firing can be read by without parsing it (see _fire): (crit, condition)
        self._rule_names = {name: _split(name) for ruleset in compiled.rulesets for name in ruleset
                            if not any(c in name for c in '"\\') and name.isprintable()}
        self._by_shard: dict[int, list[Any]] = {}
        for rule in compiled.rules:
            self._by_shard.setdefault(rule.shard, []).append(rule)
        # each rule's truths by the set of its rules that fired: a few combinations a rule, each resolved once
        self._resolved: list[dict[frozenset[str], Truths]] = [{} for _ in compiled.rules]
        self._keys = [(r.pack, r.rule) for r in compiled.rules]

    def evaluate(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]:
        """The outcome of every rule for one agreement."""
        return {key: str(outcome(t)) for key, t in self.truths(agreement_id, values).items()}

    def truths(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], Truths]:
        """Each rule's condition truths for one agreement, read from what fired."""
        fired: dict[str, set[str]] = {}
        try:
            properties = self._texts.properties(values)
        except Exception as exc:  # noqa: BLE001 - as when the batch was serialised at assertion
            raise InternalError(f"durable_rules failed on agreement {agreement_id}: {explain(exc)}") from None
        for shard, rules in sorted(self._by_shard.items()):
            self._sessions += 1
            sid = str(self._sessions)  # a session of its own per agreement, deleted below
            text, heads = self._texts.batch(rules, properties, agreement_id, sid)
            for fact_id, rule_name in self._fire(shard, text, heads, agreement_id):
                crit, name = self._rule_names.get(rule_name) or _split(rule_name)
                if fact_id != (heads[crit][0] if crit in heads else f"{agreement_id}|{crit}"):
                    raise InternalError(f"rule {rule_name} fired for fact {fact_id}: facts merged across rules")
                fired.setdefault(crit, set()).add(name)
            self._delete(shard, sid)
        out = []
        for rule, resolved in zip(self.compiled.rules, self._resolved):
            names = frozenset(fired.get(rule.crit, ()))
            found = resolved.get(names)
            if found is None:  # a defect raises here, every time, naming the agreement
                found = resolved[names] = _resolve(rule, agreement_id, names)
            out.append(found)
        return dict(zip(self._keys, out))

    def fire(self, shard: int, facts: list[dict[str, Any]], agreement_id: str) -> list[tuple[str, str]]:
        """Assert one agreement's facts and take every queued firing as (fact id, rule name)."""
        try:
            text = json.dumps(facts, ensure_ascii=False)
        except Exception as exc:  # noqa: BLE001
            raise InternalError(f"durable_rules failed on agreement {agreement_id}: {explain(exc)}") from None
        heads = {}
        for fact in facts:
            if isinstance(fact.get("id"), str) and isinstance(fact.get("crit"), str) and list(fact)[:2] == ["id", "crit"]:
                head = f'{{"id": {json.dumps(fact["id"], ensure_ascii=False)}, "crit": {json.dumps(fact["crit"], ensure_ascii=False)}'
                heads[fact["crit"]] = (fact["id"], head)
        return self._fire(shard, text, heads, agreement_id)

    def _fire(self, shard: int, text: str, heads: dict[str, tuple[str, str]], agreement_id: str) -> list[tuple[str, str]]:
        """Assert a batch of facts (JSON text) and take every queued firing as (fact id, rule name). `heads`: for
        a discriminator, the id of its fact and the text that fact starts with."""
        handle = self._handles[shard]
        try:
            code, state = durable_rules_engine.assert_facts(handle, text)
        except Exception as exc:  # noqa: BLE001 - durable raises bare Exception with a code
            raise InternalError(f"durable_rules failed on agreement {agreement_id}: {explain(exc)}") from None
        if code in (1, 2):
            # no delete_state after a refused batch: durable_rules segfaults on it; the run ends here anyway
            raise InternalError(f"durable_rules refused the facts of agreement {agreement_id}: {ERROR_CODES[code]}")
        out: list[tuple[str, str]] = []
        rule_name = "?"
        names = self._rule_names
        try:
            queued = durable_rules_engine.start_action_for_state(handle, state)
            while queued:
                action = queued[1]
                # A firing is the JSON text {"<rule name>":{"m":<the fact as asserted>}}. A rule name this engine
                # registered (no quote or backslash in it) ends at the first quote, and the fact's text starts
                # with its id and discriminator: where both are exactly a known rule and the text of that rule's
                # own fact, that is the firing, whatever the values after them hold. Anything else is parsed.
                end = action.find('"', 2)
                rule_name = action[2:end]
                rule = names.get(rule_name) if action.startswith('{"') and action.startswith('":{"m":', end) else None
                head = heads.get(rule[0]) if rule is not None else None
                if head is not None and action.startswith(head[1], end + 7):
                    out.append((head[0], rule_name))
                else:
                    ((rule_name, binding),) = json.loads(action).items()
                    out.append((binding["m"]["id"], rule_name))
                queued = durable_rules_engine.complete_and_start_action(handle, state)
                queued = (None, queued) if isinstance(queued, str) else queued
        except Exception as exc:  # noqa: BLE001
            raise InternalError(f"durable_rules failed after rule {rule_name} fired on agreement {agreement_id}: {explain(exc)}") from None
        return out

    def _delete(self, shard: int, sid: str) -> None:
        """Sessions must not pile up: at 1,025 live ones durable_rules fails (and its dispatcher crashes)."""
        try:
            durable_rules_engine.delete_state(self._handles[shard], sid)
        except Exception as exc:  # noqa: BLE001
            raise InternalError(f"durable_rules could not delete session {sid}: {explain(exc)}") from None

    def close(self) -> None:
        """Free the C rulesets: engine.py never does, and each leaks ~125 KB otherwise."""
        for handle in self._handles:
            try:
                durable_rules_engine.delete_ruleset(handle)
            except Exception:  # noqa: BLE001, S110 - best effort at shutdown: nothing to do about a ruleset that will not free
                pass
        self._handles = []


def _definition(ruleset: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy with each rule's action named after the rule: set_rulesets mutates what it is given."""
    return {rule: {**copy.deepcopy(body), "run": rule} for rule, body in ruleset.items()}


def _check_positive(ruleset: dict[str, Any]) -> None:
    """A pattern without a positive test re-fires forever in durable_rules (the state fact matches it): refuse it."""
    for rule, body in ruleset.items():
        pattern = body["all"][0]["m"] if body.get("all") else {}
        first = pattern["$and"][0] if "$and" in pattern else pattern
        if not (isinstance(first, dict) and list(first) == ["crit"] and isinstance(first["crit"], str)):
            raise InternalError(f"rule {rule} has no positive test first; durable_rules would loop on it")


def _culprit(ruleset: dict[str, Any]) -> str:
    """Which rule durable_rules refuses: register each alone on a scratch host (only on failure, so cost is moot)."""
    scratch = _Host()
    for i, (rule, body) in enumerate(ruleset.items()):
        try:
            scratch.set_rulesets({f"probe{i}": _definition({rule: body})})
        except Exception as exc:  # noqa: BLE001
            return f"rule {rule} ({explain(exc)})"
    return "the compiled ruleset (no single rule fails alone)"


def _split(rule_name: str) -> tuple[str, str]:
    """A compiled rule's name `<pack>/<id>|<condition>_<truth>` (or `|seen`) as (discriminator, the rest)."""
    crit, _, name = rule_name.rpartition("|")
    return crit, name


_NAMES = {condition: (f"{condition}_true", f"{condition}_false") for condition in ("applies", "met", "partial")}


def _resolve(rule: CompiledRule, agreement_id: str, fired: frozenset[str]) -> Truths:
    """Three-valued truths: a condition is true if its `_true` rule fired, false if its `_false` rule did, unknown
    if neither (a fact it needs is absent). Both firing, or the fact never seen, is a defect, never an outcome."""
    if SEEN not in fired:
        raise InternalError(f"rule {rule.crit} never saw agreement {agreement_id}: the engine lost a fact")
    applies = _truth(rule, agreement_id, fired, "applies") if rule.has_applies else True
    met = _truth(rule, agreement_id, fired, "met")
    partial = _truth(rule, agreement_id, fired, "partial") if rule.has_partial else None
    return truths_of(applies, met, partial, rule.has_partial)


def _truth(rule: CompiledRule, agreement_id: str, fired: frozenset[str], condition: str) -> bool | None:
    true, false = _NAMES[condition]
    surely_true, surely_false = true in fired, false in fired
    if surely_true and surely_false:
        raise InternalError(f"rule {rule.crit}: '{condition}' fired both true and false on {agreement_id}")
    return True if surely_true else False if surely_false else None
