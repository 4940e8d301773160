"""The same criteria in Rego, evaluated with regopy (OPA's Rego in Python): the peer engine obcheck is measured against.

    python bench/rego.py FACTS_DIR OUT.json

The Rego policy is generated from the rule packs with the same three-valued logic (a rule 'surely true' and
'surely false' per condition, unknown when neither holds), inputs normalised as for durable_rules. Files are
parsed with PyYAML's C loader, so this is the cheapest honest end-to-end run a user could build on Rego.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from obcheck.compiler import _Compiler, compile_rules, engine_values
from obcheck.operators import OPERATORS
from obcheck.rules import All, Condition, Not, Predicate, Rule, load_catalogue


class _Props(_Compiler):
    """The compiler's property names, so the Rego input is the durable engine fact without its discriminator."""


def _dnf(test: Any) -> list[list[str]]:
    """A test as alternatives of conjunctions of Rego expressions."""
    if test is None:
        return []
    if test[0] == "cmp":
        _, prop, op, constant = test
        return [[f"input[{json.dumps(prop)}] {op} {json.dumps(constant)}"]]
    if test[0] == "ex":
        return [[f"input[{json.dumps(test[1])}]"]]
    parts = [_dnf(t) for t in test[1]]
    if test[0] == "or":
        return [alt for p in parts for alt in p]
    out: list[list[str]] = [[]]
    for p in parts:
        out = [a + b for a in out for b in p]
    return out


class _Rego:
    def __init__(self) -> None:
        self.lines: list[str] = ["package obcheck", "import rego.v1", ""]
        self.n = 0

    def name(self) -> str:
        self.n += 1
        return f"c{self.n}"

    def cond(self, cond: Condition, vocab: Any) -> str:
        """Emit t_<name> and f_<name> for a condition; return the name."""
        name = self.name()
        if isinstance(cond, Predicate):
            for want in (True, False):
                for body in self.test(cond, vocab, want):
                    self.lines.append(f"{'t' if want else 'f'}_{name} if {{ {body} }}")
            return name
        if isinstance(cond, Not):
            inner = self.cond(cond.part, vocab)
            self.lines += [f"t_{name} if f_{inner}", f"f_{name} if t_{inner}"]
            return name
        parts = [self.cond(p, vocab) for p in cond.parts]
        every, some = ("t", "f") if isinstance(cond, All) else ("f", "t")
        self.lines.append(f"{every}_{name} if {{ " + "; ".join(f"{every}_{p}" for p in parts) + " }")
        self.lines += [f"{some}_{name} if {some}_{p}" for p in parts]
        return name

    def test(self, pred: Predicate, vocab: Any, want: bool) -> list[str]:
        """The operator's engine-neutral test (obcheck.operators), as Rego bodies: one per alternative."""
        props = _Props(vocab)
        return [" ; ".join(body) for body in _dnf(OPERATORS[pred.op].test(props, pred.path, pred.value, want))]

    def rule(self, index: int, rule: Rule, vocab: Any) -> None:
        aw = self.cond(rule.applies_when, vocab) if rule.applies_when else None
        met = self.cond(rule.met, vocab)
        partial = self.cond(rule.partial, vocab) if rule.partial else None
        t_aw = f"t_{aw}; " if aw else ""
        chain = [f'"met" if {{ {t_aw}t_{met} }}']
        if partial:
            chain += [f'"partial" if {{ {t_aw}f_{met}; t_{partial} }}', f'"gap" if {{ {t_aw}f_{met}; f_{partial} }}']
        else:
            chain.append(f'"gap" if {{ {t_aw}f_{met} }}')
        if aw:
            chain.append(f'"not_applicable" if f_{aw}')
        self.lines.append(f"r{index} := " + " else := ".join(chain) + ' else := "unknown"')


def policy(rules: list[Rule], vocab: Any) -> str:
    rego = _Rego()
    for i, rule in enumerate(rules):
        rego.rule(i, rule, vocab)
    rego.lines.append("outcomes := [" + ", ".join(f"r{i}" for i in range(len(rules))) + "]")
    return "\n".join(rego.lines) + "\n"


def engine_input(data: dict[str, Any], rules: list[Rule], vocab: Any) -> dict[str, Any]:
    """Verified values only, as obcheck gives them to durable_rules (every property any rule reads)."""
    values = {
        path: entry["value"] for path, entry in (data.get("facts") or {}).items()
        if entry.get("evidence") != "unverified" and path in vocab.paths and "value" in entry
    }
    return engine_values(_reads(rules, vocab), values, vocab)


def _reads(rules: list[Rule], vocab: Any) -> tuple[Any, ...]:
    key = id(rules)
    if key not in _READS:
        compiled = compile_rules(rules, vocab)
        _READS[key] = tuple({r.prop: r for c in compiled.rules for r in c.reads}.values())
    return _READS[key]


_READS: dict[int, tuple[Any, ...]] = {}


def main() -> None:
    from regopy import Interpreter

    facts_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    catalogue = load_catalogue([ROOT / "rules"])
    rules, vocab = list(catalogue.rules()), catalogue.vocabulary
    interpreter = Interpreter()
    interpreter.add_module("obcheck", policy(rules, vocab))
    results = {}
    for file in sorted(facts_dir.glob("*.yaml")):
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        interpreter.set_input(engine_input(data, rules, vocab))
        answer = json.loads(str(interpreter.query("x = data.obcheck.outcomes")))
        outcomes = answer["bindings"]["x"]
        results[data["id"]] = {f"{r.pack}/{r.id}": o for r, o in zip(rules, outcomes)}
    out.write_text(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
