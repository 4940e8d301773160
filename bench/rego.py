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

from obcheck.compiler import normalise
from obcheck.rules import All, Condition, Not, Predicate, Rule, load_catalogue


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
            for want, body in ((True, self.test(cond, vocab, True)), (False, self.test(cond, vocab, False))):
                if body:
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

    def test(self, pred: Predicate, vocab: Any, want: bool) -> str | None:
        spec = vocab.paths[pred.path]
        key = json.dumps(pred.path)
        if pred.op == "exists":
            return f"input[{key}]" if want else None
        if pred.op == "contains":
            member = json.dumps(f"{pred.path}.has_{spec.values.index(pred.value)}")
            return f"input[{member}] == {json.dumps(want)}"
        op, value = pred.op, pred.value
        if op in ("not_equals", "not_in"):
            op, want = ("equals" if op == "not_equals" else "in"), not want
        if op == "equals":
            return f"input[{key}] {'==' if want else '!='} {json.dumps(normalise(vocab, pred.path, value))}"
        if op == "in":
            values = json.dumps([normalise(vocab, pred.path, v) for v in value])
            return f"input[{key}] in {values}" if want else f"x := input[{key}]; not x in {values}"
        bound = json.dumps(normalise(vocab, pred.path, value))
        cmp = {("at_least", True): ">=", ("at_least", False): "<", ("at_most", True): "<=", ("at_most", False): ">"}[(op, want)]
        return f"input[{key}] {cmp} {bound}"

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
    """Verified values only, normalised as obcheck normalises them for durable_rules."""
    out: dict[str, Any] = {}
    for path, entry in (data.get("facts") or {}).items():
        if entry.get("evidence") == "unverified" or path not in vocab.paths or "value" not in entry:
            continue
        spec = vocab.paths[path]
        if spec.type == "list":
            for i, member in enumerate(spec.values):
                out[f"{path}.has_{i}"] = member in entry["value"]
        else:
            out[path] = normalise(vocab, path, entry["value"])
    return out


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
