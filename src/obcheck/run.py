"""The run: find the inputs, load rules and facts, evaluate every (rule, agreement) pair, yield reports in file order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from obcheck import __version__
from obcheck.cache import Cache, code_version, digest
from obcheck.engines import DEFAULT_ENGINE, ENGINES, Engine, make_engine, resolve
from obcheck.errors import Diagnostic, InputError, did_you_mean
from obcheck.model import AgreementReport, Failed, Header, Rendered, Report, Summary
from obcheck.rules import Catalogue, Rule, load_catalogue
from obcheck.source import STDIN, display_path, parse, read_text, yaml_files
from obcheck.vocabulary import Vocabulary

if TYPE_CHECKING:  # imported where used: a run served from the cache never loads pydantic's models
    from obcheck.facts import Agreement
    from obcheck.waivers import Waivers

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


def select_rules(catalogue: Catalogue, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> Catalogue:
    """Only the rules whose id or pack/id matches a --select pattern (all when none is given), less those matching
    an --ignore pattern; patterns are globs. A pattern that matches no rule is an input error (a typo would
    otherwise silently select nothing)."""
    import dataclasses
    from fnmatch import fnmatchcase

    if not select and not ignore:
        return catalogue
    names = [(r, (r.id, f"{r.pack}/{r.id}")) for r in catalogue.rules()]
    for pattern in (*select, *ignore):
        if not any(fnmatchcase(n, pattern) for _, ns in names for n in ns):
            known = sorted({n for _, ns in names for n in ns})
            raise InputError([Diagnostic("<command line>", 1, 1, f"no rule matches '{pattern}'{did_you_mean(pattern, known)}")])

    def kept(names_of: tuple[str, ...]) -> bool:
        chosen = not select or any(fnmatchcase(n, p) for p in select for n in names_of)
        return chosen and not any(fnmatchcase(n, p) for p in ignore for n in names_of)

    packs = tuple(dataclasses.replace(p, rules=tuple(r for r in p.rules if kept((r.id, f"{r.pack}/{r.id}")))) for p in catalogue.packs)
    return Catalogue(catalogue.vocabulary, packs)


@dataclass(frozen=True)
class Options:
    """What a run evaluates beyond the files, sent to --jobs workers as one picklable record."""

    packs: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    as_of: str | None = None  # only what existed that day (YYYY-MM-DD)
    would_take: bool = True  # work out what would raise each finding below met (formats that do not show it skip it)
    include_proposed: bool = False  # count the clause finder's proposals as facts (a provisional report)

    def catalogue(self, rule_dirs: list[Path]) -> Catalogue:
        return select_rules(select_packs(load_catalogue(rule_dirs), self.packs), self.select, self.ignore)

    def cached_catalogue(self, rule_dirs: list[Path], cache: Cache | None) -> tuple[Catalogue, bytes | None]:
        """The selected catalogue, from the cache when its files are unchanged, with the key that reports made
        from it are stored under (None: nothing is cached this run)."""
        key = _catalogue_key(rule_dirs, self) if cache is not None else None
        if cache is not None and key is not None:
            found = cache.get("catalogue", key)
            if isinstance(found, Catalogue):
                return found, key
        catalogue = self.catalogue(rule_dirs)
        if cache is not None and key is not None:
            cache.put("catalogue", key, catalogue)
        return catalogue, key


def _resolve(engine: str, warn: Callable[[str], None] | None, store: Cache | None) -> str:
    """The engine that will run (engines.resolve), its answer and warning kept in the cache: finding out means
    importing the engine, which a run served from the cache otherwise never does."""
    if store is None:
        return resolve(engine, warn)
    key = digest(b"engine", code_version(), engine, ENGINES[engine].installed())
    found = store.get("engine", key)
    if not (isinstance(found, tuple) and len(found) == 2 and found[0] in ENGINES and isinstance(found[1], tuple)):
        said: list[str] = []
        found = (resolve(engine, said.append), tuple(said))
        store.put("engine", key, found)
    for message in found[1]:
        if warn is not None:
            warn(str(message))
    return str(found[0])


def _catalogue_files(rule_dirs: list[Path]) -> list[Path]:
    """Every YAML file a catalogue can be loaded from: a rule folder's own and its subfolders' (a folder of packs,
    each with its rules and perhaps a vocabulary), and the vocabulary beside a lone pack folder. No deeper: the
    loader reads no deeper, and `--rules /` must not walk the disk."""
    out: set[Path] = set()
    for root in rule_dirs:
        for pattern in ("*.yaml", "*.yml", "*/*.yaml", "*/*.yml"):
            out.update(root.glob(pattern))
        if (root / "pack.yaml").is_file() and (root.parent / "vocabulary.yaml").is_file():
            out.add(root.parent / "vocabulary.yaml")
    return sorted(out)


def _catalogue_key(rule_dirs: list[Path], options: Options) -> bytes | None:
    """What a loaded catalogue depends on: obcheck's code, the working folder (messages and reports name files
    relative to it), the selection, and the name and bytes of every YAML file under the rule folders. None when
    a file cannot be read as it is (the load reports why, and nothing is cached)."""
    import os
    import stat

    from obcheck.source import MAX_FILE_BYTES

    parts: list[bytes | str] = [code_version(), os.getcwd(), repr((options.packs, options.select, options.ignore))]
    try:
        for file in _catalogue_files(rule_dirs):
            info = file.stat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                return None
            parts += [str(file), file.read_bytes()]
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on older Pythons
        return None
    return digest(*parts)


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
    from obcheck.facts import load_agreement

    seen = _Ids()
    for file in _each_file(paths, progress):
        if isinstance(file, Failed):
            yield file
            continue
        try:
            name, text = _named(file)
            agreement = load_agreement(name, vocabulary, text, include_proposed=include_proposed)
        except InputError as exc:
            yield Failed(str(file), exc.diagnostics)
            continue
        yield seen.check(agreement.id, agreement.file) or agreement


def _listed(paths: list[Path], progress: Progress | None) -> list[Path] | Failed:
    """The fact files named, the progress bar started for them; or the diagnostics of a bad path."""
    files = fact_files(paths)
    if progress and not isinstance(files, Failed):
        progress.start(len(files))
    return files


def _each_file(paths: list[Path], progress: Progress | None) -> Iterator[Path | Failed]:
    """The fact files in order, the progress bar advanced for each; a bad path yields its diagnostics alone."""
    files = _listed(paths, progress)
    if isinstance(files, Failed):
        yield files
        return
    for file in files:
        if progress:
            progress.advance()
        yield file


def _named(file: Path) -> tuple[Path, str | None]:
    """A file, or '-': standard input's text under the name <stdin> (messages and reports say where it came from)."""
    if str(file) != STDIN:
        return file, None
    import sys

    try:
        return Path("<stdin>"), sys.stdin.read()
    except (OSError, UnicodeDecodeError, AttributeError) as exc:
        raise InputError([Diagnostic("<stdin>", 1, 1, f"cannot read standard input: {exc}")]) from None


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


def input_files(fact_paths: list[Path], rule_dirs: list[Path]) -> list[Path]:
    """Every file a run may read: what an output must never replace."""
    out: list[Path] = []
    for root in [*fact_paths, *rule_dirs]:
        if root.is_dir():
            out += [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml")]
        elif root.exists():
            out.append(root)
    for root in rule_dirs:  # a lone pack folder reads the vocabulary beside it
        if (root / "pack.yaml").is_file() and (root.parent / "vocabulary.yaml").is_file():
            out.append(root.parent / "vocabulary.yaml")
    return out


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
    fact_paths: list[Path], rule_dirs: list[Path], engine: str = DEFAULT_ENGINE, options: Options | None = None,
    jobs: int = 1, render: Callable[[AgreementReport], str] | None = None, progress: Progress | None = None,
    on_agreement: Callable[[Agreement], None] | None = None, warn: Callable[[str], None] | None = None,
    waivers: Waivers | None = None, cache: Path | None = None,
) -> Run:
    """Load the rules (a bad rule raises InputError: no report is possible) and return the run, which evaluates
    agreement by agreement as it is consumed, so memory does not grow with the corpus. With jobs > 1, worker
    processes do the work; with `render` (a module-level function, so workers can import it) they send back
    Rendered agreements. With `cache` (a folder), the catalogue and each agreement's report are read from it
    when what made them is unchanged, and stored there otherwise (cache.py); the output is the same either way."""
    options = options or Options()
    store = Cache(cache) if cache is not None and on_agreement is None else None  # on_agreement needs loaded agreements
    catalogue, key = options.cached_catalogue(rule_dirs, store)
    rules = sorted(catalogue.rules(), key=lambda r: (r.pack, r.id))
    engine_name = _resolve(engine, warn, store)  # the parent builds an engine only when it evaluates itself
    parallel = jobs > 1 and not any(str(p) == STDIN for p in fact_paths)  # workers cannot share standard input
    if store is not None and parallel:
        store.close()  # the workers read the catalogue stored here; the parent evaluates nothing, so lets the file go
    elif store is not None:
        store.commit()
    tool = {"name": "obcheck", "version": __version__, "engine": engine_name}
    if options.include_proposed:  # every format states it: these findings rest on values no person has accepted yet
        tool["provisional"] = PROVISIONAL
    header = Header(
        tool=tool,
        packs=[{"id": p.id, "version": p.version, "title": p.title, "rules": len(p.rules)} for p in catalogue.packs],
        rules=rules,
    )
    if waivers is not None:
        render = None  # waivers are applied here, to findings, so workers send findings rather than text
    if parallel:
        items = _parallel(fact_paths, rule_dirs, options, engine_name, jobs, progress, render, cache if store else None)
    else:
        evaluator = _Evaluator(catalogue, engine_name, options, store, key, render)
        items = evaluator.run(fact_paths, progress, on_agreement)
    if waivers is not None:
        items = waivers.stream(items)
    return Run(header, items, catalogue, waivers)


def check(
    facts: list[Path] | list[str] | Path | str | None = None, *, packs: tuple[str, ...] | list[str] = (),
    engine: str = DEFAULT_ENGINE, rules: list[Path] | list[str] | Path | str | None = None,
    waivers: Path | str | None = None, as_of: str | None = None, cache: Path | str | None = None,
) -> Report:
    """The library entry point: evaluate fact files or folders (default: the repository's facts/) against rule
    packs (default: every pack in the repository's rules/) and return the whole report. Bad rules raise
    InputError; a bad fact file is listed in `report.errors` and the others are still reported. `waivers`: a
    waivers file whose waivers in force mark the findings they accept (see docs/waivers.md); `as_of`: only the
    documents that existed on that day (YYYY-MM-DD); `cache`: a cache folder to use (default: none)."""
    from obcheck.waivers import load_waivers

    accepted = load_waivers(Path(waivers)) if waivers is not None else None
    options = Options(packs=tuple(packs), as_of=as_of)
    folder = Path(cache) if cache is not None else None
    run = start(_as_paths(facts, default_facts), _as_paths(rules, default_rules), engine, options, waivers=accepted, cache=folder)
    return run.report()


def _as_paths(value: list[Path] | list[str] | Path | str | None, default: Callable[[], list[Path]]) -> list[Path]:
    if value is None:
        return default()
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(v) for v in value]


MAX_VARIANTS = 64  # combinations of contested readings evaluated per agreement


def assess(engine: Engine, rules: list[Rule], agreement: Agreement, vocabulary: Vocabulary | None = None) -> AgreementReport:
    """Evaluate one agreement: its stated values, and, where reputable sources disagree on a fact, every
    combination of the readings (so a finding can say whether the disagreement matters). With the vocabulary,
    findings below met also say what it would take to raise them."""
    import itertools

    from obcheck.findings import agreement_report

    truths = engine.truths(agreement.id, agreement.values)
    contested = agreement.contested
    variants = []
    if contested:
        combos = itertools.islice(itertools.product(*(f.readings for f in contested.values())), MAX_VARIANTS)
        for combo in combos:
            chosen = dict(zip(contested, combo, strict=True))
            values = {**agreement.values, **{p: r.value for p, r in chosen.items()}}
            variants.append((chosen, engine.truths(agreement.id, values)))
    return agreement_report(agreement, rules, truths, variants, vocabulary)


@dataclass
class _Evaluator:
    """One process's evaluation of files: each file's report from the cache, or loaded and evaluated (and then
    stored). The engine is built on the first file the cache does not hold: a warm run never compiles the rules."""

    catalogue: Catalogue
    engine_name: str
    options: Options
    cache: Cache | None = None
    catalogue_key: bytes | None = None
    # renders each agreement where the format has a one-agreement renderer: the cache then keeps the text itself,
    # and a warm run only reads and writes it
    render: Callable[[AgreementReport], str] | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _rules: list[Rule] = field(default_factory=list, repr=False)
    _run_key: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # what every report of the run depends on (the catalogue, engine, options and form), hashed once a run
        if self.cache is not None and self.catalogue_key is not None:
            o = self.options
            form = "report" if self.render is None else f"{self.render.__module__}.{self.render.__qualname__}"
            self._run_key = digest(form, self.catalogue_key, self.engine_name, repr((o.as_of, o.would_take, o.include_proposed)))

    def key(self, shown: str, text: str) -> bytes | None:
        """What one agreement's report depends on: the run's catalogue, engine and options, the file's name as
        reports show it, and its text."""
        return None if self._run_key is None else digest(self._run_key, shown, text)

    def load(self, file: Path) -> tuple[str, str, AgreementReport | Rendered | None] | tuple[Agreement, bytes | None] | Failed:
        """A cached (id, file, report, its rendering, or None) when the cache holds the file; else the loaded agreement and the key
        to store its report under; else the file's errors."""
        try:
            name, text = _named(file)
            shown = "<stdin>" if text is not None and str(name) == "<stdin>" else display_path(name)  # once a file
            if text is None:
                text = read_text(name, shown)
            key = self.key(shown, text)
            if key is not None and self.cache is not None:
                found = self.cache.get("report", key)
                if isinstance(found, tuple) and len(found) == 3:
                    return found
            # imported here: a run served from the cache never loads pydantic's models
            from obcheck.facts import load_agreement

            return load_agreement(name, self.catalogue.vocabulary, text, include_proposed=self.options.include_proposed), key
        except InputError as exc:
            return Failed(str(file), exc.diagnostics)

    def evaluate(self, agreement: Agreement, key: bytes | None) -> AgreementReport | Rendered | None:
        """One loaded agreement through the run's options (None if it did not exist on the --as-of day), rendered
        where the run renders, and stored."""
        if self._engine is None:
            self._engine = make_engine(self.engine_name, self.catalogue)
            self._rules = list(self.catalogue.rules())
        options = self.options
        dated = agreement if options.as_of is None else agreement.as_of(options.as_of)
        vocabulary = self.catalogue.vocabulary if options.would_take else None
        report = None if dated is None else assess(self._engine, self._rules, dated, vocabulary)
        item: AgreementReport | Rendered | None = report
        if report is not None and self.render is not None:
            item = Rendered(report.id, report.file, report.summary, self.render(report))
        if key is not None and self.cache is not None:
            self.cache.put("report", key, (agreement.id, agreement.file, item))
        return item

    def one(self, file: Path) -> Item | None:
        """A worker's file: its report (None if it did not exist on the --as-of day) or its errors."""
        loaded = self.load(file)
        if isinstance(loaded, Failed):
            return loaded
        if len(loaded) == 3:
            return loaded[2]
        return self.evaluate(*loaded)

    def run(self, fact_paths: list[Path], progress: Progress | None, on_agreement: Callable[[Agreement], None] | None) -> Iterator[Item]:
        """Every file in order: its report, or its errors; an agreement id seen before is an error of its own."""
        seen = _Ids()
        try:
            for file in _each_file(fact_paths, progress):
                loaded = file if isinstance(file, Failed) else self.load(file)
                if isinstance(loaded, Failed):
                    yield loaded
                    continue
                if len(loaded) == 3:
                    agreement_id, shown, report = loaded
                    if twice := seen.check(agreement_id, shown):
                        yield twice
                    elif report is not None:
                        yield report
                    continue
                agreement, key = loaded
                if twice := seen.check(agreement.id, agreement.file):
                    yield twice
                    continue
                report = self.evaluate(agreement, key)
                if report is None:
                    continue
                yield report
                if on_agreement:
                    on_agreement(agreement)
        finally:
            self.close()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()  # at the end of the run, or where it stopped: what was worked out is kept
        if self._engine is not None:
            self._engine.close()
            self._engine = None


def validate(fact_paths: list[Path], rule_dirs: list[Path], texts_dir: Path | None = None) -> tuple[Catalogue, int, int, int]:
    """Load rules and facts without evaluating, apply every compile-time limit, and check text-level quotes against
    the shipped texts; returns the catalogue, the number of fact files, of texts and of quotes checked. A quote
    missing from its text is an InputError like any other bad input."""
    from obcheck.compiler import compile_rules
    from obcheck.texts import check_quotes, load_texts

    catalogue = load_catalogue(rule_dirs)
    compile_rules(list(catalogue.rules()), catalogue.vocabulary)  # durable_rules' limits: accept only what check runs
    agreements = load_all(fact_paths, catalogue.vocabulary)
    texts = load_texts(texts_dir) if texts_dir is not None else {}
    errors, checked = check_quotes(agreements, texts)
    if errors:
        raise InputError(errors)
    return catalogue, len(agreements), len(texts), checked


def settle_gc() -> None:
    """In a process that only runs obcheck (the command, a --jobs worker), once the rules are loaded: what is alive
    now lives to the end, so the collector stops scanning it, and collects the young less often."""
    # Each agreement allocates thousands of containers that die by reference counting. At the default threshold
    # (700) a 1,000-file JSON run collected the young 1,054 times and scanned the whole heap of modules and rules
    # 7 times, 0.41 s in all (gc.callbacks); frozen, with this threshold: 84 young collections and no full one.
    # Never called by the library: the collector's settings are the whole process's.
    import gc

    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)


GC_YOUNG = 20_000  # allocations between collections of the young generation (Python's default: 700)


# ------------------------------------------------------------------ --jobs: worker processes

_WORKER: dict[str, Any] = {}


def _init_worker(
    rule_dirs: list[Path], options: Options, engine_name: str, render: Callable[[AgreementReport], str] | None, cache: Path | None,
) -> None:
    """Once per worker: the rules are loaded (or read from the cache) once, not once per agreement. Ctrl-C and a
    hang-up are the parent's to handle (a worker that took them would print its own traceback); the parent ends
    workers with SIGTERM. The worker started with these signals blocked (see _parallel): unblock once they are
    ignored."""
    import signal

    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    store = Cache(cache) if cache is not None else None
    if store is not None:
        from multiprocessing.util import Finalize

        # run when the worker exits normally (the pool closed and joined), not when it is terminated
        Finalize(None, store.close, exitpriority=10)
    catalogue, key = options.cached_catalogue(rule_dirs, store)
    _WORKER["evaluator"] = _Evaluator(catalogue, engine_name, options, store, key, render)
    settle_gc()


def _work(files: list[str], spool: str | None) -> tuple[str | None, list[Item | None], list[int]]:
    """A chunk of files in a worker: each one's errors, report or rendering, or None (did not exist on the --as-of
    day). Rendered texts travel in a spool file in `spool` (its name, and each text's length in bytes, come back
    with the items, whose text is left empty); with no spool, or one that cannot be written, with the items."""
    import os
    import tempfile

    evaluator: _Evaluator = _WORKER["evaluator"]
    items = [evaluator.one(Path(file)) for file in files]
    texts = [item.text.encode("utf-8") for item in items if isinstance(item, Rendered)]
    if not texts or spool is None:
        return None, items, []
    # A chunk's texts (~45 KB an agreement in JSON) sent back through the pool's one result pipe made each worker
    # wait for the parent to read them, and the other worker wait for the pipe; a file takes them at once.
    name = None
    try:
        fd, name = tempfile.mkstemp(dir=spool, suffix=".spool")
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join(texts))
    except OSError:  # a full disk: slower through the pipe, never a failed run
        if name is not None:
            Path(name).unlink(missing_ok=True)
        return None, items, []
    shells = [Rendered(i.id, i.file, i.summary, "") if isinstance(i, Rendered) else i for i in items]
    return name, shells, [len(t) for t in texts]


def _unspool(name: str | None, lengths: list[int]) -> Iterator[str]:
    """The texts of a chunk's spool file, in order; the file is removed once read."""
    if name is None:
        return
    path = Path(name)
    data = path.read_bytes()
    path.unlink()
    start = 0
    for length in lengths:
        yield data[start:start + length].decode("utf-8")
        start += length


def _parallel(
    fact_paths: list[Path], rule_dirs: list[Path], options: Options, engine_name: str, jobs: int,
    progress: Progress | None, render: Callable[[AgreementReport], str] | None, cache: Path | None,
) -> Iterator[Item]:
    """Files are handed out in order and results come back in order, so the output equals --jobs 1."""
    import functools
    import multiprocessing
    import shutil
    import tempfile

    files = _listed(fact_paths, progress)
    if isinstance(files, Failed):
        yield files
        return
    seen = _Ids()
    workers = max(1, min(jobs, len(files)))  # no more workers than files: each one loads and compiles the rules
    # fork is cheapest, but a fresh interpreter (spawn) keeps durable_rules' C state out of the workers
    context = multiprocessing.get_context("spawn")
    # Children inherit the signal mask: blocked while the pool starts, a terminal's Ctrl-C or hang-up (sent to the
    # whole process group) reaches neither a starting worker nor multiprocessing's resource tracker, which would
    # each print a traceback; the workers unblock once they ignore them, the tracker exits with the parent.
    # multiprocessing's resource tracker unblocks SIGINT and SIGTERM in this thread after starting itself, so it
    # is started first and the signals blocked again before the workers are.
    import signal
    from multiprocessing import resource_tracker

    stopping = {signal.SIGINT, signal.SIGHUP, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    try:
        resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
        pool = context.Pool(workers, initializer=_init_worker, initargs=(rule_dirs, options, engine_name, render, cache))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    size = max(1, min(64, len(files) // (workers * 8) or 1))
    chunks = [[str(f) for f in files[i:i + size]] for i in range(0, len(files), size)]
    try:
        spool: str | None = tempfile.mkdtemp(prefix="obcheck-spool-")
    except OSError:  # no temporary folder can be written: the texts come through the pipe
        spool = None
    try:
        for name, items, lengths in pool.imap(functools.partial(_work, spool=spool), chunks):
            texts = _unspool(name, lengths)
            for item in items:
                if progress:
                    progress.advance()
                if item is None:
                    continue
                if isinstance(item, Failed):
                    yield item
                    continue
                if isinstance(item, Rendered) and name is not None:
                    item = Rendered(item.id, item.file, item.summary, next(texts))
                yield seen.check(item.id, item.file) or item
        pool.close()
        pool.join()  # workers exit normally and commit their cache entries (_init_worker)
    finally:
        pool.terminate()  # on an error or Ctrl-C too: never wait on workers that may not finish
        pool.join()
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)


def rules_by_key(catalogue: Catalogue) -> dict[str, Rule]:
    return {f"{r.pack}/{r.id}": r for r in catalogue.rules()}
