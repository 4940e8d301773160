"""The run: discover inputs, load rules and facts, evaluate every (rule, agreement) pair, build findings."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from obcheck import __version__
from obcheck.errors import Diagnostic, InputError, InternalError, did_you_mean
from obcheck.facts import Agreement, load_agreement
from obcheck.rules import OUTCOMES, PLACEHOLDER_RE, Catalogue, Rule, load_catalogue, show_value
from obcheck.source import parse, yaml_files
from obcheck.vocabulary import Vocabulary

ENGINES = ("durable", "python")


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...


class Engine(Protocol):
    name: str

    def evaluate(self, agreement_id: str, values: dict[str, Any]) -> dict[tuple[str, str], str]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Finding:
    rule: str
    pack: str
    title: str
    severity: str
    tier: str | None
    status: str
    message: str
    expected: str
    actual: dict[str, Any]
    evidence: list[dict[str, Any]]
    missing: list[str]
    criterion: dict[str, Any]
    remediation: str
    location: str


@dataclass(frozen=True)
class AgreementReport:
    id: str
    title: str
    kind: str
    signed: str | None
    parties: list[str]
    file: str
    summary: dict[str, int]
    findings: list[Finding]


@dataclass(frozen=True)
class Rendered:
    """An agreement a --jobs worker has already rendered: what the report counts, and its text. Sending text
    back instead of findings takes pickling and rendering off the main process, the serial part of a run."""

    id: str
    file: str
    summary: dict[str, int]
    text: str


class Report:
    """The run's result. Agreements stream from `source` once; `summary` counts what has streamed so far.
    Renderers that need every agreement at once call `agreements`, which keeps them in memory."""

    def __init__(
        self, tool: dict[str, str], packs: list[dict[str, Any]], agreements: Iterable[AgreementReport] = (), rules: Iterable[Rule] = ()
    ) -> None:
        self.tool, self.packs, self.rules = tool, packs, list(rules)
        self.source: Iterator[AgreementReport | Rendered] = iter(agreements)
        self.summary = dict.fromkeys(OUTCOMES, 0)
        self.statuses: set[str] = set()
        self._kept: list[AgreementReport] | None = None

    def stream(self) -> Iterator[AgreementReport | Rendered]:
        for agreement in self.source:
            for outcome, n in agreement.summary.items():
                self.summary[outcome] += n
                if n:
                    self.statuses.add(outcome)
            yield agreement

    @property
    def agreements(self) -> list[AgreementReport]:
        if self._kept is None:
            self._kept = [a for a in self.stream() if isinstance(a, AgreementReport)]  # renderers of all at once get no Rendered
        return self._kept


# ------------------------------------------------------------------ discovery


def default_rules() -> list[Path]:
    return [_default_root() / "rules"]


def default_facts() -> list[Path]:
    return [_default_root() / "facts"]


def default_expected() -> Path | None:
    folder = _default_root() / "tests" / "expected"
    return folder if folder.is_dir() else None


def _default_root() -> Path:
    """The repository we stand in, else the copies shipped in the package, else the source checkout."""
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / "rules" / "vocabulary.yaml").is_file() and (base / "facts").is_dir():
            return base
    here = Path(__file__).resolve().parent
    for base in (here / "_data", here.parents[1]):
        if (base / "rules" / "vocabulary.yaml").is_file():
            return base
    return Path.cwd()


# ------------------------------------------------------------------ engines


def make_engine(name: str, catalogue: Catalogue, warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> Engine:
    """The durable_rules engine by default; the interpreter when asked, or (with a note) when durable cannot load."""
    from obcheck.interpreter import PythonEngine

    rules = list(catalogue.rules())
    if name == "durable":
        from obcheck import engine

        if engine.available():
            from obcheck.compiler import compile_rules

            return engine.DurableEngine(compile_rules(rules, catalogue.vocabulary), catalogue.vocabulary)
        warn(f"obcheck: durable_rules is not available here ({engine.IMPORT_ERROR}); running on the Python interpreter")
    return PythonEngine(rules, catalogue.vocabulary)


# ------------------------------------------------------------------ the run


def fact_files(paths: list[Path]) -> list[Path] | list[Diagnostic]:
    """The fact files named (folders walked in sorted order), or the diagnostics of a bad path."""
    try:
        return list(yaml_files(paths, what="fact"))
    except InputError as exc:
        return exc.diagnostics


def load_agreements(
    paths: list[Path], vocabulary: Vocabulary, progress: Progress | None = None
) -> Iterator[Agreement | list[Diagnostic]]:
    """Each fact file in turn, validated; a bad file yields its diagnostics instead, so all errors are seen."""
    files = fact_files(paths)
    if files and isinstance(files[0], Diagnostic):
        yield files  # type: ignore[misc]
        return
    seen = _Ids()
    if progress:
        progress.start(len(files))
    for file in files:
        if progress:
            progress.advance()
        try:
            agreement = load_agreement(file, vocabulary)  # type: ignore[arg-type]
        except InputError as exc:
            yield exc.diagnostics
            continue
        yield seen.check(agreement.id, agreement.file) or agreement


class _Ids:
    """Agreement ids must be unique across the run: the second file with an id is an error."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def check(self, agreement_id: str, file: str) -> list[Diagnostic] | None:
        if agreement_id in self.seen:
            line, col = _id_position(file)
            return [Diagnostic(file, line, col, f"agreement id '{agreement_id}' is also used by {self.seen[agreement_id]}")]
        self.seen[agreement_id] = file
        return None


def _id_position(file: str) -> tuple[int, int]:
    """Where the second file states its id. Error path only, so the file is parsed again rather than every
    agreement carrying positions it almost never needs."""
    try:
        return parse(Path(file)).position(("id",))
    except InputError:  # changed since it was read: point at the file
        return (1, 1)


def run_check(
    fact_paths: list[Path], rule_dirs: list[Path], engine_name: str = "durable",
    on_agreement: Callable[[Agreement], None] | None = None, progress: Progress | None = None,
    jobs: int = 1, keep_going: bool = False, packs: tuple[str, ...] = (),
    render: Callable[[AgreementReport], str] | None = None,
) -> Report:
    """Evaluate every rule against every agreement, streaming: the report's agreements are produced as they
    are consumed, so memory does not grow with the corpus. Bad input anywhere raises InputError when the
    stream ends (after every file was read), so a renderer never completes a report on a partial corpus;
    with keep_going the good files are reported and the errors raised at the end all the same. With jobs > 1 and
    `render` (a module-level function, so workers can import it), workers send back Rendered agreements."""
    catalogue = select_packs(load_catalogue(rule_dirs), packs)
    rules = list(catalogue.rules())
    engine = make_engine(engine_name, catalogue)
    report = Report(
        tool={"name": "obcheck", "version": __version__, "engine": engine.name},
        packs=[{"id": p.id, "version": p.version, "title": p.title, "rules": len(p.rules)} for p in catalogue.packs],
        rules=rules,
    )
    if jobs > 1:
        engine.close()  # each worker builds its own
        items = _parallel(fact_paths, rule_dirs, packs, engine.name, jobs, progress, render)
    else:
        items = _serial(fact_paths, catalogue, rules, engine, progress, on_agreement)
    report.source = _guard(items, keep_going)
    return report


def select_packs(catalogue: Catalogue, packs: tuple[str, ...]) -> Catalogue:
    """Only the named packs (all when none is named); an unknown name is an input error."""
    if not packs:
        return catalogue
    known = [p.id for p in catalogue.packs]
    unknown = [p for p in packs if p not in known]
    if unknown:
        raise InputError([Diagnostic("<command line>", 1, 1, f"no pack '{unknown[0]}'{did_you_mean(unknown[0], known)}")])
    return Catalogue(catalogue.vocabulary, tuple(p for p in catalogue.packs if p.id in packs))


def _serial(
    fact_paths: list[Path], catalogue: Catalogue, rules: list[Rule], engine: Engine,
    progress: Progress | None, on_agreement: Callable[[Agreement], None] | None,
) -> Iterator[AgreementReport | list[Diagnostic]]:
    try:
        for item in load_agreements(fact_paths, catalogue.vocabulary, progress):
            if isinstance(item, list):
                yield item
                continue
            yield agreement_report(item, rules, engine.evaluate(item.id, item.values))
            if on_agreement:
                on_agreement(item)
    finally:
        engine.close()


def _guard(items: Iterator[AgreementReport | Rendered | list[Diagnostic]], keep_going: bool) -> Iterator[AgreementReport | Rendered]:
    """Pass agreements through until the first bad file; then only validate. Raise every error at the end."""
    errors: list[Diagnostic] = []
    for item in items:
        if isinstance(item, list):
            errors.extend(item)
        elif keep_going or not errors:
            yield item
    if errors:
        raise InputError(errors)


# ------------------------------------------------------------------ --jobs: worker processes

_WORKER: dict[str, Any] = {}


def _init_worker(
    rule_dirs: list[Path], packs: tuple[str, ...], engine_name: str, render: Callable[[AgreementReport], str] | None
) -> None:
    """Once per worker: the rules are loaded and compiled once, not once per agreement."""
    catalogue = select_packs(load_catalogue(rule_dirs), packs)
    engine = make_engine(engine_name, catalogue, warn=lambda m: None)
    _WORKER.update(catalogue=catalogue, rules=list(catalogue.rules()), engine=engine, render=render)


def _work(file: str) -> AgreementReport | Rendered | list[Diagnostic]:
    try:
        agreement = load_agreement(Path(file), _WORKER["catalogue"].vocabulary)
    except InputError as exc:
        return exc.diagnostics
    report = agreement_report(agreement, _WORKER["rules"], _WORKER["engine"].evaluate(agreement.id, agreement.values))
    render = _WORKER["render"]
    return report if render is None else Rendered(report.id, report.file, report.summary, render(report))


def _parallel(
    fact_paths: list[Path], rule_dirs: list[Path], packs: tuple[str, ...], engine_name: str, jobs: int,
    progress: Progress | None, render: Callable[[AgreementReport], str] | None,
) -> Iterator[AgreementReport | Rendered | list[Diagnostic]]:
    """Files are handed out in order and results come back in order, so the output equals --jobs 1."""
    import multiprocessing

    files = fact_files(fact_paths)
    if files and isinstance(files[0], Diagnostic):
        yield files  # type: ignore[misc]
        return
    if progress:
        progress.start(len(files))
    seen = _Ids()
    # fork is cheapest, but a fresh interpreter (spawn) keeps durable_rules' C state out of the workers
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_init_worker, initargs=(rule_dirs, packs, engine_name, render)) as pool:
        for item in pool.imap(_work, [str(f) for f in files], chunksize=max(1, min(64, len(files) // (jobs * 8) or 1))):
            if progress:
                progress.advance()
            if isinstance(item, list):
                yield item
            else:
                yield seen.check(item.id, item.file) or item


def agreement_report(agreement: Agreement, rules: list[Rule], outcomes: dict[tuple[str, str], str]) -> AgreementReport:
    expected_keys = {(r.pack, r.id) for r in rules}
    if set(outcomes) != expected_keys or not all(o in OUTCOMES for o in outcomes.values()):
        raise InternalError(f"agreement {agreement.id}: the engine did not give exactly one outcome for every rule")
    cited: dict[str, dict[str, Any]] = {}  # each fact's evidence entry, built once and shared by the findings citing it
    findings = [finding(rule, agreement, outcomes[(rule.pack, rule.id)], cited) for rule in rules]
    findings.sort(key=lambda f: (f.pack, f.rule))
    summary = dict.fromkeys(OUTCOMES, 0)
    for f in findings:
        summary[f.status] += 1
    return AgreementReport(
        agreement.id, agreement.title, agreement.kind, agreement.signed, list(agreement.parties), agreement.file, summary, findings
    )


def finding(rule: Rule, agreement: Agreement, status: str, cited: dict[str, dict[str, Any]] | None = None) -> Finding:
    """One outcome with everything a reader needs: message, expected vs actual, both sides' citations."""
    facts = agreement.facts
    cited = {} if cited is None else cited
    evidence = []
    for path in rule.paths:
        if path in facts:
            if path not in cited:
                fact = facts[path]
                cited[path] = {
                    "fact": path, "value": fact.value, "location": f"{agreement.file}:{fact.line}",
                    "source": {"id": fact.source.id, "title": fact.source.title, "url": fact.source.url, "type": fact.source.type},
                    "clause": fact.evidence.clause, "quote": fact.evidence.quote, "evidence_level": fact.evidence.evidence,
                    "note": fact.evidence.note,
                }
            evidence.append(cited[path])
    missing = [p for p in rule.paths if p not in facts] if status == "unknown" else []
    template = getattr(rule.messages, status) or rule.messages.gap
    return Finding(
        rule=rule.id, pack=rule.pack, title=rule.title, severity=rule.severity, tier=rule.tier, status=status,
        message=fill(template, agreement),
        expected=rule.expected,
        actual={p: facts[p].value if p in facts else None for p in rule.paths},
        evidence=evidence, missing=missing, criterion=rule.citation, remediation=rule.remediation,
        location=_location(agreement, evidence, rule.paths),
    )


def _location(agreement: Agreement, evidence: list[dict[str, Any]], paths: tuple[str, ...]) -> str:
    """Where a reader should look: the first fact the rule read, else an unverified entry it needed, else the file."""
    if evidence:
        return str(evidence[0]["location"])
    line = next((agreement.lines[p] for p in paths if p in agreement.lines), 1)
    return f"{agreement.file}:{line}"


def fill(template: str, agreement: Agreement) -> str:
    """Replace {fact.path} with the agreement's value, or 'unknown' where it states none."""

    def value(match: re.Match[str]) -> str:
        fact = agreement.facts.get(match.group(1))
        return show_value(fact.value if fact else None)

    return PLACEHOLDER_RE.sub(value, template)


def load_all(fact_paths: list[Path], vocabulary: Vocabulary) -> list[Agreement]:
    """Every agreement, or InputError with every problem of every file."""
    agreements, errors = [], []
    for item in load_agreements(fact_paths, vocabulary):
        if isinstance(item, list):
            errors.extend(item)
        else:
            agreements.append(item)
    if errors:
        raise InputError(errors)
    return agreements


def validate(fact_paths: list[Path], rule_dirs: list[Path]) -> tuple[Catalogue, int]:
    """Load rules and facts without evaluating; returns the catalogue and the number of fact files."""
    from obcheck.compiler import compile_rules

    catalogue = load_catalogue(rule_dirs)
    compile_rules(list(catalogue.rules()), catalogue.vocabulary)  # durable_rules' limits: accept only what check runs
    return catalogue, len(load_all(fact_paths, catalogue.vocabulary))
