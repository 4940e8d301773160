"""The run: find the inputs, load rules and facts, evaluate every (rule, agreement) pair, yield reports in file order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from obcheck import __version__
from obcheck.engines import DEFAULT_ENGINE, Engine, make_engine, resolve
from obcheck.errors import Diagnostic, InputError, did_you_mean
from obcheck.facts import Agreement, load_agreement
from obcheck.findings import agreement_report
from obcheck.model import AgreementReport, Failed, Header, Rendered, Report, Summary
from obcheck.rules import Catalogue, Rule, load_catalogue
from obcheck.source import parse, yaml_files
from obcheck.vocabulary import Vocabulary
from obcheck.waivers import Waivers, load_waivers

Item = AgreementReport | Rendered | Failed
PROVISIONAL = "includes values proposed by obcheck draft that no person has accepted yet"


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self) -> None: ...


# ------------------------------------------------------------------ discovery


def default_rules() -> list[Path]:
    return [_default_root() / "rules"]


def default_facts() -> list[Path]:
    return [_default_root() / "facts"]


def default_waivers() -> Path | None:
    """The repository's waivers.yaml, where it has one."""
    path = _default_root() / "waivers.yaml"
    return path if path.is_file() else None


def default_texts() -> Path:
    return _default_root() / "texts"


def default_expected() -> Path | None:
    folder = _default_root() / "tests" / "expected"
    return folder if folder.is_dir() else None


def _default_root() -> Path:
    """The repository we stand in, else the copies shipped in the package, else the source checkout."""
    cwd = Path.cwd()
    for base in (cwd, *cwd.parents):
        if (base / "rules" / "vocabulary.yaml").is_file() and (base / "facts").is_dir():
            return base
    here = Path(__file__).resolve().parent
    for base in (here / "_data", here.parents[1]):
        if (base / "rules" / "vocabulary.yaml").is_file():
            return base
    return cwd


def paths_or(values: tuple[Path, ...] | list[Path] | None, default: Callable[[], list[Path]]) -> list[Path]:
    """The paths given, else the default ones."""
    return list(values) if values else default()


def select_packs(catalogue: Catalogue, packs: tuple[str, ...] | list[str] = ()) -> Catalogue:
    """Only the named packs (all when none is named); an unknown name is an input error."""
    if not packs:
        return catalogue
    known = [p.id for p in catalogue.packs]
    unknown = [p for p in packs if p not in known]
    if unknown:
        raise InputError([Diagnostic("<command line>", 1, 1, f"no pack '{unknown[0]}'{did_you_mean(unknown[0], known)}")])
    return Catalogue(catalogue.vocabulary, tuple(p for p in catalogue.packs if p.id in packs))


# ------------------------------------------------------------------ loading facts


def fact_files(paths: list[Path]) -> list[Path] | Failed:
    """The fact files named (folders walked in sorted order), or the diagnostics of a bad path."""
    try:
        return list(yaml_files(paths, what="fact"))
    except InputError as exc:
        return Failed(exc.diagnostics[0].path, exc.diagnostics)


def load_agreements(
    paths: list[Path], vocabulary: Vocabulary, progress: Progress | None = None, include_proposed: bool = False
) -> Iterator[Agreement | Failed]:
    """Each fact file in turn, validated; a bad file yields its diagnostics instead, so all errors are seen."""
    files = fact_files(paths)
    if isinstance(files, Failed):
        yield files
        return
    seen = _Ids()
    if progress:
        progress.start(len(files))
    for file in files:
        if progress:
            progress.advance()
        try:
            agreement = load_agreement(file, vocabulary, include_proposed=include_proposed)
        except InputError as exc:
            yield Failed(str(file), exc.diagnostics)
            continue
        yield seen.check(agreement.id, agreement.file) or agreement


class _Ids:
    """Agreement ids must be unique across the run: the second file with an id is an error."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def check(self, agreement_id: str, file: str) -> Failed | None:
        if agreement_id in self.seen:
            line, col = _id_position(file)
            return Failed(file, [Diagnostic(file, line, col, f"agreement id '{agreement_id}' is also used by {self.seen[agreement_id]}")])
        self.seen[agreement_id] = file
        return None


def _id_position(file: str) -> tuple[int, int]:
    """Where the second file states its id. Error path only, so the file is parsed again rather than every
    agreement carrying positions it almost never needs."""
    try:
        return parse(Path(file)).position(("id",))
    except InputError:  # changed since it was read: point at the file
        return (1, 1)


def load_all(fact_paths: list[Path], vocabulary: Vocabulary) -> list[Agreement]:
    """Every agreement, or InputError with every problem of every file."""
    agreements, errors = [], []
    for item in load_agreements(fact_paths, vocabulary):
        if isinstance(item, Failed):
            errors.extend(item.diagnostics)
        else:
            agreements.append(item)
    if errors:
        raise InputError(errors)
    return agreements


# ------------------------------------------------------------------ the run


@dataclass
class Run:
    """A run under way: the header is known at once; `items` yields, in file order, each agreement's report (or a
    worker's rendering of it) or a file's located errors. It never raises for a bad fact file."""

    header: Header
    items: Iterator[Item]
    catalogue: Catalogue
    waivers: Waivers | None = None

    def finish(self, summary: Summary) -> None:
        """Once every item is consumed: the waivers that expired or matched nothing go into the summary."""
        if self.waivers is not None:
            summary.waiver_notes = self.waivers.notes()
            summary.expired_waivers = len(self.waivers.expired)

    def report(self) -> Report:
        """Consume the run into a Report held in memory (bad files' errors in its summary)."""
        summary = Summary()
        agreements = []
        for item in self.items:
            if isinstance(item, Failed):
                summary.errors.extend(item.diagnostics)
            elif isinstance(item, AgreementReport):
                summary.add(item)
                agreements.append(item)
            else:
                raise TypeError("a rendered agreement cannot be kept in a Report: run without render")
        self.finish(summary)
        return Report(self.header, agreements, summary)


def start(
    fact_paths: list[Path], rule_dirs: list[Path], engine: str = DEFAULT_ENGINE, packs: tuple[str, ...] | list[str] = (),
    jobs: int = 1, render: Callable[[AgreementReport], str] | None = None, progress: Progress | None = None,
    on_agreement: Callable[[Agreement], None] | None = None, warn: Callable[[str], None] | None = None,
    waivers: Waivers | None = None, would_take: bool = True, include_proposed: bool = False,
) -> Run:
    """Load the rules (a bad rule raises InputError: no report is possible) and return the run, which evaluates
    agreement by agreement as it is consumed, so memory does not grow with the corpus. With jobs > 1, worker
    processes do the work; with `render` (a module-level function, so workers can import it) they send back
    Rendered agreements. `would_take`: work out what would raise each finding below met (a format that does not
    show it need not pay for it)."""
    catalogue = select_packs(load_catalogue(rule_dirs), tuple(packs))
    rules = sorted(catalogue.rules(), key=lambda r: (r.pack, r.id))
    engine_name = resolve(engine, warn)  # the parent builds an engine only when it evaluates itself
    tool = {"name": "obcheck", "version": __version__, "engine": engine_name}
    if include_proposed:  # every format states it: these findings rest on values no person has accepted yet
        tool["provisional"] = PROVISIONAL
    header = Header(
        tool=tool,
        packs=[{"id": p.id, "version": p.version, "title": p.title, "rules": len(p.rules)} for p in catalogue.packs],
        rules=rules,
    )
    if waivers is not None:
        render = None  # waivers are applied here, to findings, so workers send findings rather than text
    if jobs > 1:
        items = _parallel(fact_paths, rule_dirs, tuple(packs), engine_name, jobs, progress, render, would_take, include_proposed)
    else:
        items = _serial(fact_paths, catalogue, engine_name, progress, on_agreement, would_take, include_proposed)
    if waivers is not None:
        items = waivers.stream(items)
    return Run(header, items, catalogue, waivers)


def check(
    facts: list[Path] | list[str] | Path | str | None = None, *, packs: tuple[str, ...] | list[str] = (),
    engine: str = DEFAULT_ENGINE, rules: list[Path] | list[str] | Path | str | None = None,
    waivers: Path | str | None = None,
) -> Report:
    """The library entry point: evaluate fact files or folders (default: the repository's facts/) against rule
    packs (default: every pack in the repository's rules/) and return the whole report. Bad rules raise
    InputError; a bad fact file is listed in `report.errors` and the others are still reported. `waivers`: a
    waivers file whose waivers in force mark the findings they accept (see docs/waivers.md)."""
    accepted = load_waivers(Path(waivers)) if waivers is not None else None
    run = start(_as_paths(facts, default_facts), _as_paths(rules, default_rules), engine, packs, waivers=accepted)
    return run.report()


def _as_paths(value: list[Path] | list[str] | Path | str | None, default: Callable[[], list[Path]]) -> list[Path]:
    if value is None:
        return default()
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(v) for v in value]


def _serial(
    fact_paths: list[Path], catalogue: Catalogue, engine_name: str, progress: Progress | None,
    on_agreement: Callable[[Agreement], None] | None, would_take: bool = True, include_proposed: bool = False,
) -> Iterator[Item]:
    rules = list(catalogue.rules())
    vocabulary = catalogue.vocabulary if would_take else None
    engine = make_engine(engine_name, catalogue)
    try:
        for item in load_agreements(fact_paths, catalogue.vocabulary, progress, include_proposed):
            if isinstance(item, Failed):
                yield item
                continue
            yield agreement_report(item, rules, engine.evaluate(item.id, item.values), vocabulary)
            if on_agreement:
                on_agreement(item)
    finally:
        engine.close()


def validate(fact_paths: list[Path], rule_dirs: list[Path], texts_dir: Path | None = None) -> tuple[Catalogue, int, int, int]:
    """Load rules and facts without evaluating, and check text-level quotes against the shipped texts; returns the
    catalogue, the number of fact files, of texts and of quotes checked. A quote missing from its text is an
    InputError like any other bad input."""
    from obcheck.texts import check_quotes, load_texts

    catalogue = load_catalogue(rule_dirs)
    agreements = load_all(fact_paths, catalogue.vocabulary)
    texts = load_texts(texts_dir) if texts_dir is not None else {}
    errors, checked = check_quotes(agreements, texts)
    if errors:
        raise InputError(errors)
    return catalogue, len(agreements), len(texts), checked


# ------------------------------------------------------------------ --jobs: worker processes

_WORKER: dict[str, Any] = {}


def _init_worker(
    rule_dirs: list[Path], packs: tuple[str, ...], engine_name: str, render: Callable[[AgreementReport], str] | None,
    would_take: bool = True, include_proposed: bool = False,
) -> None:
    """Once per worker: the rules are loaded and compiled once, not once per agreement. Ctrl-C is the parent's
    to handle: a worker that took it too would print its own traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    catalogue = select_packs(load_catalogue(rule_dirs), packs)
    engine: Engine = make_engine(engine_name, catalogue)
    _WORKER.update(catalogue=catalogue, rules=list(catalogue.rules()), engine=engine, render=render, would_take=would_take, include_proposed=include_proposed)


def _work(file: str) -> Item:
    try:
        agreement = load_agreement(Path(file), _WORKER["catalogue"].vocabulary, include_proposed=_WORKER["include_proposed"])
    except InputError as exc:
        return Failed(file, exc.diagnostics)
    vocabulary = _WORKER["catalogue"].vocabulary if _WORKER["would_take"] else None
    report = agreement_report(agreement, _WORKER["rules"], _WORKER["engine"].evaluate(agreement.id, agreement.values), vocabulary)
    render = _WORKER["render"]
    return report if render is None else Rendered(report.id, report.file, report.summary, render(report))


def _parallel(
    fact_paths: list[Path], rule_dirs: list[Path], packs: tuple[str, ...], engine_name: str, jobs: int,
    progress: Progress | None, render: Callable[[AgreementReport], str] | None, would_take: bool = True,
    include_proposed: bool = False,
) -> Iterator[Item]:
    """Files are handed out in order and results come back in order, so the output equals --jobs 1."""
    import multiprocessing

    files = fact_files(fact_paths)
    if isinstance(files, Failed):
        yield files
        return
    if progress:
        progress.start(len(files))
    seen = _Ids()
    workers = max(1, min(jobs, len(files)))  # no more workers than files: each one loads and compiles the rules
    # fork is cheapest, but a fresh interpreter (spawn) keeps durable_rules' C state out of the workers
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(workers, initializer=_init_worker, initargs=(rule_dirs, packs, engine_name, render, would_take, include_proposed))
    try:
        for item in pool.imap(_work, [str(f) for f in files], chunksize=max(1, min(64, len(files) // (workers * 8) or 1))):
            if progress:
                progress.advance()
            if isinstance(item, Failed):
                yield item
            else:
                yield seen.check(item.id, item.file) or item
        pool.close()
    finally:
        pool.terminate()  # on an error or Ctrl-C too: never wait on workers that may not finish
        pool.join()


def rules_by_key(catalogue: Catalogue) -> dict[str, Rule]:
    return {f"{r.pack}/{r.id}": r for r in catalogue.rules()}
