"""The durable_rules adapter, the only module that imports it: registers compiled rulesets, asserts facts, collects firings."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from obcheck.compiler import SEEN, Compiled, engine_fact
from obcheck.errors import InternalError
from obcheck.vocabulary import Vocabulary

try:
    import durable_rules_engine
    from durable.engine import Host, MessageNotHandledException, MessageObservedException

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
        """A Host without the background dispatcher: no timer threads (they segfault when shared), no leaks."""

        def __init__(self, on_fire: Callable[[str, str], None]) -> None:
            self._on_fire = on_fire
            super().__init__()

        def _run(self) -> None:  # the dispatcher serves timers and queues, which obcheck never uses
            self._d_timer = self._t_timer = None

        def get_action(self, action_name: str) -> Callable[[Any], None]:
            def collect(c: Any) -> None:
                try:
                    self._on_fire(c.m["id"], action_name)
                except Exception as exc:  # durable would swallow it into the state; say which rule it was
                    raise RuntimeError(f"rule {action_name}: {type(exc).__name__}: {exc}") from exc

            return collect


class DurableEngine:
    """Evaluates compiled rules with durable_rules: one fact per (agreement, rule), assert_fact semantics,
    every agreement's session deleted afterwards (at most 1,024 may live at once)."""

    name = "durable"

    def __init__(self, compiled: Compiled, vocabulary: Vocabulary) -> None:
        if IMPORT_ERROR is not None:
            raise InternalError(f"durable_rules cannot be imported: {IMPORT_ERROR}")
        self.compiled, self.vocabulary = compiled, vocabulary
        self._fired: list[tuple[str, str]] = []
        self._host = _Host(lambda fact_id, name: self._fired.append((fact_id, name)))
        self._names: list[str] = []
        for index, ruleset in enumerate(compiled.rulesets):
            _check_positive(ruleset)
            name = f"obcheck{index}"
            try:
                self._host.set_rulesets({name: _definition(ruleset)})
            except Exception as exc:  # noqa: BLE001 - durable raises bare Exception
                raise InternalError(f"durable_rules rejected {_culprit(ruleset)}: {explain(exc)}") from None
            self._names.append(name)
        crits = [r.crit for r in compiled.rules]
        if len(set(crits)) != len(crits):
            twice = sorted({c for c in crits if crits.count(c) > 1})
            raise InternalError(f"rules share the discriminator {', '.join(twice)}: their facts would merge in durable_rules")
        self._sessions = 0
        self._by_shard: dict[int, list[Any]] = {}
        for rule in compiled.rules:
            self._by_shard.setdefault(rule.shard, []).append(rule)

    def evaluate(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]:
        """The outcome of every rule for one agreement, resolved from what fired."""
        fired: dict[str, set[str]] = {}
        for shard, rules in sorted(self._by_shard.items()):
            facts = [engine_fact(rule, values, self.vocabulary, agreement_id) for rule in rules]
            self._sessions += 1
            sid = str(self._sessions)  # a session of its own per agreement, deleted below
            for fact in facts:
                fact["sid"] = sid
            self._fired.clear()
            try:
                state = self._host.assert_facts(self._names[shard], facts)
            except (MessageNotHandledException, MessageObservedException) as exc:
                # no delete_state after a refused batch: durable_rules segfaults on it; the run ends here anyway
                raise InternalError(f"durable_rules refused the facts of {agreement_id}: {type(exc).__name__}") from None
            except Exception as exc:  # noqa: BLE001 - durable raises bare Exception with a code
                raise InternalError(f"durable_rules failed on {agreement_id}: {explain(exc)}") from None
            self._delete(shard, sid)
            if isinstance(state, dict) and "exception" in state:
                raise InternalError(f"an action raised inside durable_rules on agreement {agreement_id}: {state['exception']}")
            for fact_id, rule_name in self._fired:
                crit, _, outcome = rule_name.rpartition("|")
                if fact_id != f"{agreement_id}|{crit}":
                    raise InternalError(f"rule {rule_name} fired for fact {fact_id}: facts merged across rules")
                fired.setdefault(crit, set()).add(outcome)
        return {(r.pack, r.rule): _resolve(r.crit, agreement_id, fired.get(r.crit, set())) for r in self.compiled.rules}

    def _delete(self, shard: int, sid: str) -> None:
        """Sessions must not pile up: at 1,025 live ones durable_rules fails (and its dispatcher crashes)."""
        try:
            self._host.delete_state(self._names[shard], sid)
        except Exception as exc:  # noqa: BLE001
            raise InternalError(f"durable_rules could not delete session {sid}: {explain(exc)}") from None

    def close(self) -> None:
        """Free the C rulesets: engine.py never does, and each leaks ~125 KB otherwise."""
        for name in self._names:
            try:
                durable_rules_engine.delete_ruleset(self._host.get_ruleset(name)._handle)
            except Exception:  # noqa: BLE001 - best effort at shutdown
                pass
        self._names = []


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
    scratch = _Host(lambda fact_id, name: None)
    for i, (rule, body) in enumerate(ruleset.items()):
        try:
            scratch.set_rulesets({f"probe{i}": _definition({rule: body})})
        except Exception as exc:  # noqa: BLE001
            return f"rule {rule} ({explain(exc)})"
    return "the compiled ruleset (no single rule fails alone)"


def _resolve(crit: str, agreement_id: str, outcomes: set[str]) -> str:
    """Exactly one outcome: the compiler makes met/partial/gap/not_applicable exclusive, and 'unknown' is
    a fact that reached the engine (seen) but that no outcome rule could decide."""
    if SEEN not in outcomes:
        raise InternalError(f"rule {crit} never saw agreement {agreement_id}: the engine lost a fact")
    decided = outcomes - {SEEN}
    if len(decided) > 1:
        raise InternalError(f"rule {crit} fired for several outcomes on {agreement_id}: {sorted(decided)}")
    return decided.pop() if decided else "unknown"
