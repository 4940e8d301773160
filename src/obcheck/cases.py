"""Rule cases and expected findings: load them, run them on an engine, measure outcome coverage and vacuity."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from obcheck.errors import Diagnostic, InputError, did_you_mean, printable, shown
from obcheck.rules import Catalogue, Rule, predicates
from obcheck.validation import StrictModel, load_model
from obcheck.vocabulary import Vocabulary

Expect = Literal[
    "met", "partial", "gap", "unknown", "not_applicable",
    "todo-met", "todo-partial", "todo-gap", "todo-unknown", "todo-not_applicable",
]


class CaseModel(StrictModel):
    name: str
    facts: dict[str, Any]
    expect: Expect
    message: str | None = None  # a substring the rendered message must contain
    note: str | None = None


class CasesFile(StrictModel):
    rule: str
    cases: list[CaseModel]


class ExpectedFile(StrictModel):
    agreement: str
    pack: str
    outcomes: dict[str, Literal["met", "partial", "gap", "unknown", "not_applicable"]]
    notes: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    rule: Rule
    name: str
    facts: dict[str, Any]
    expect: str
    file: str
    line: int
    message: str | None = None
    vocabulary: Vocabulary | None = field(default=None, compare=False, repr=False)

    def failure(self, got: str) -> str | None:
        """Why the case fails with outcome `got` (wrong outcome, or a message without the expected words), else None."""
        where = f"{self.file}:{self.line}: case '{self.name}'"
        if got != self.expect:
            return f"{where}: expected {self.expect}, got {got}"
        if self.message is not None and self.message not in (shown := rendered_message(self.rule, self.facts, self.vocabulary)):
            return f"{where}: message {shown!r} does not contain {self.message!r}"
        return None

    @property
    def todo(self) -> bool:
        """A `todo-` case records a known shortcoming: reported, never a failure."""
        return self.expect.startswith("todo-")

    @property
    def outcome(self) -> str:
        return self.expect.removeprefix("todo-")


def cases_path(rule: Rule) -> Path:
    return Path(rule.file).with_name(f"{rule.id}.cases.yaml")


def load_cases(rule: Rule, catalogue: Catalogue) -> list[Case]:
    """The cases beside one rule; a missing file is an error (every rule must show it can be met, fail, be unknown)."""
    path = cases_path(rule)
    if not (path.exists() or path.is_symlink()):  # anything else there (a FIFO, a folder) is refused by the reader
        raise InputError([Diagnostic(rule.file, 1, 1, f"rule '{rule.id}' has no cases file {path.name}")])
    doc, model = load_model(path, CasesFile, "a cases file")
    errors = []
    if model.rule != rule.id:
        errors.append(doc.error(("rule",), f"cases file names rule {shown(model.rule)}, but sits beside '{rule.id}'"))
    vocabulary = catalogue.vocabulary
    for i, case in enumerate(model.cases):
        for name, value in case.facts.items():
            if vocabulary.spec(name) is None:
                errors.append(doc.error(("cases", i, "facts", name), vocabulary.unknown_path(name), key=True))
            elif problem := vocabulary.check(name, value):
                errors.append(doc.error(("cases", i, "facts", name), problem))
    seen: set[str] = set()  # a set, not names.index per case: that was quadratic in the number of cases
    for i, case in enumerate(model.cases):
        if case.name in seen:
            errors.append(doc.error(("cases", i, "name"), f"duplicate case name {shown(case.name)}"))
        seen.add(case.name)
    if errors:
        raise InputError(errors)
    return [
        Case(rule, c.name, dict(c.facts), c.expect, doc.path, doc.position(("cases", i))[0], c.message, catalogue.vocabulary)
        for i, c in enumerate(model.cases)
    ]


def load_expected(path: Path, catalogue: Catalogue) -> tuple[ExpectedFile, str, dict[str, int]]:
    """An agreement's pinned outcomes; returns the model, display path and each rule's line."""
    doc, model = load_model(path, ExpectedFile, "an expected-findings file")
    pack = next((p for p in catalogue.packs if p.id == model.pack), None)
    if pack is None:
        raise InputError([doc.error(("pack",), f"unknown pack {shown(model.pack)}{did_you_mean(model.pack, [p.id for p in catalogue.packs])}")])
    ids = {r.id for r in pack.rules}
    errors = [doc.error(("outcomes", r), f"unknown rule {shown(r)}{did_you_mean(r, ids)}", key=True) for r in model.outcomes if r not in ids]
    errors += [doc.error(("outcomes",), f"no expected outcome for rule '{r}'") for r in sorted(ids - set(model.outcomes))]
    if errors:
        raise InputError(errors)
    lines = {r: doc.position(("outcomes", r), key=True)[0] for r in model.outcomes}
    return model, doc.path, lines


def rendered_message(rule: Rule, facts: dict[str, Any], vocabulary: Vocabulary | None) -> str:
    """The message a report would show for these inline facts: the findings module's own finding (its outcome
    and bounds from the interpreter's truths), on a stand-in agreement whose facts cite the case."""
    from obcheck.facts import Agreement, Evidence, Fact, Source
    from obcheck.findings import finding
    from obcheck.interpreter import truths

    source = Source(id="case", title="rule case", url="https://example.org/case", type="text")
    stated = {p: Fact(p, v, Evidence(evidence="text", value=v, source="case", quote="case"), source, 1) for p, v in facts.items()}
    agreement = Agreement("case", "rule case", "hypothetical", (), None, None, "case", stated, {}, dict.fromkeys(facts, 1))
    assert vocabulary is not None, "a case's vocabulary renders its message"
    return finding(rule, agreement, truths(rule, facts, vocabulary)).message


def reachable(rule: Rule) -> set[str]:
    """The outcomes a rule can produce: met, gap, unknown always; partial and not_applicable when it has them."""
    out = {"met", "gap", "unknown"}
    if rule.partial is not None:
        out.add("partial")
    if rule.applies_when is not None:
        out.add("not_applicable")
    return out


def relied_on(rule: Rule) -> list[str]:
    """Paths whose absence must make a met outcome unknown: those read by applies_when and met."""
    return sorted({p.path for c in (rule.applies_when, rule.met) for p in predicates(c)})



@dataclass
class TestRun:
    """What `obcheck test` found: failures (located), todo notes, coverage per rule, vacuous rules."""

    passed: int = 0
    failures: list[str] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)
    reached: dict[str, set[str]] = field(default_factory=dict)
    possible: dict[str, set[str]] = field(default_factory=dict)
    vacuous: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        total = sum(len(v) for v in self.possible.values())
        hit = sum(len(self.reached.get(k, set()) & v) for k, v in self.possible.items())
        return 100.0 * hit / total if total else 100.0


def run_cases(catalogue: Catalogue, engine: Any) -> TestRun:
    """Every case of every rule, plus the mutation check on each met case."""
    run = TestRun()
    errors: list[Diagnostic] = []
    for rule in catalogue.rules():
        key = f"{rule.pack}/{rule.id}"
        run.possible[key] = reachable(rule)
        run.reached.setdefault(key, set())
        try:
            cases = load_cases(rule, catalogue)
        except InputError as exc:
            errors.extend(exc.diagnostics)
            continue
        for case in cases:
            got = engine.evaluate(f"case{case.line}", case.facts)[(rule.pack, rule.id)]
            run.reached[key].add(got)
            where = f"{printable(case.file)}:{case.line}"  # names and paths: no control character reaches the terminal
            if case.todo:
                run.todos.append(f"{where}: todo case '{printable(case.name)}': wants {case.outcome}, gets {got}")
            elif problem := case.failure(got):
                run.failures.append(problem)
            else:
                run.passed += 1
            if got == "met":
                for path in relied_on(rule):
                    if path in case.facts:
                        without = {k: v for k, v in case.facts.items() if k != path}
                        after = engine.evaluate("mutant", without)[(rule.pack, rule.id)]
                        if after != "unknown":
                            run.vacuous.append(f"{where}: rule '{rule.id}' stays {after} without {path} (case '{case.name}')")
    if errors:
        raise InputError(errors)
    return run


def run_expected(catalogue: Catalogue, engine: Any, expected: list[Path], agreements: dict[str, Any], run: TestRun) -> None:
    """Each agreement's pinned outcomes against what the engine now gives."""
    errors: list[Diagnostic] = []
    for path in expected:
        try:
            model, shown, lines = load_expected(path, catalogue)
        except InputError as exc:
            errors.extend(exc.diagnostics)
            continue
        agreement = agreements.get(model.agreement)
        if agreement is None:
            errors.append(Diagnostic(shown, 1, 1, f"no fact file with agreement id '{model.agreement}'{did_you_mean(model.agreement, agreements)}"))
            continue
        got = engine.evaluate(agreement.id, agreement.values)
        for rule_id, want in sorted(model.outcomes.items()):
            actual = got[(model.pack, rule_id)]
            if actual == want:
                run.passed += 1
            else:
                run.failures.append(f"{printable(shown)}:{lines[rule_id]}: {model.agreement} {rule_id}: expected {want}, got {actual}")
    if errors:
        raise InputError(errors)


def report_lines(run: TestRun, coverage: bool, min_coverage: float | None) -> tuple[list[str], bool]:
    """What `obcheck test` prints, and whether the run failed (a failure, a vacuous rule, coverage below the floor)."""
    lines = [f"FAIL {line}" for line in run.failures] + [f"TODO {line}" for line in run.todos]
    lines += [f"VACUOUS {line}" for line in run.vacuous]
    if coverage:
        lines.append("outcome coverage per rule (reached / possible):")
        for key in sorted(run.possible):
            missing = sorted(run.possible[key] - run.reached[key])
            note = f"  missing: {', '.join(missing)}" if missing else ""
            lines.append(f"  {key}: {len(run.reached[key] & run.possible[key])}/{len(run.possible[key])}{note}")
        lines.append(f"coverage: {run.coverage:.1f}%")
    below = min_coverage is not None and run.coverage < min_coverage
    if below:
        lines.append(f"coverage {run.coverage:.1f}% is below --min-coverage {min_coverage:g}")
    lines.append(f"{run.passed} passed, {len(run.failures)} failed" + (f", {len(run.todos)} todo" if run.todos else ""))
    return lines, bool(run.failures or run.vacuous or below)
