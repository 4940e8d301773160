"""The command line: parses options, calls the library, writes output atomically, maps results to exit codes."""

from __future__ import annotations

import functools
import math
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from obcheck import __version__
from obcheck.engines import DEFAULT_ENGINE, ENGINES
from obcheck.errors import Diagnostic, InputError, InternalError
from obcheck.model import FAIL_ON
from obcheck.reporters import FORMATS
from obcheck.reporters.matrix import MATRIX_FORMATS, SORTS

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
_DEBUG = {"on": False}  # set by `obcheck --debug`: print an internal error's traceback instead of filing it


def _echo_errors(diagnostics: list[Diagnostic], what: str) -> NoReturn:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)
    n = len(diagnostics)
    click.echo(f"obcheck: {n} error{'s' if n != 1 else ''}; {what}", err=True)
    sys.exit(EXIT_INPUT)


class Terminated(BaseException):
    """SIGTERM or SIGHUP, raised where the program stands so that cleanup (the temporary output file) runs."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _crash(exc: BaseException) -> NoReturn:
    """An unexpected exception: one line naming it and where it happened, the traceback filed (or printed with
    --debug), exit 3, so CI can tell a crash from findings."""
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    if _DEBUG["on"]:
        click.echo(text, err=True, nl=False)
        where = ""
    else:
        frames = traceback.extract_tb(exc.__traceback__)
        at = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        try:
            fd, path = tempfile.mkstemp(prefix="obcheck-crash-", suffix=".txt")
            with open(fd, "w", encoding="utf-8") as handle:
                handle.write(f"obcheck {__version__}\n{' '.join(sys.argv)}\n\n{text}")
            where = f"{at}; traceback in {path} (--debug prints it)"
        except OSError:
            where = f"{at} (--debug prints the traceback)"
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    click.echo(f"obcheck: internal error: {type(exc).__name__}: {detail}{where}; please report it with the command you ran", err=True)
    sys.exit(EXIT_INTERNAL)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input -> located messages and exit 2; anything unexpected -> one line and exit 3; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _terminate)
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _echo_errors(exc.diagnostics, "nothing was evaluated or written")
        except InternalError as exc:
            click.echo(f"obcheck: internal error: {exc}", err=True)
            click.echo("obcheck: this is a bug in obcheck or its engine; please report it with the command you ran", err=True)
            sys.exit(EXIT_INTERNAL)
        except (KeyboardInterrupt, Terminated) as exc:
            from obcheck.output import remove_pending

            remove_pending()
            click.echo("obcheck: interrupted; no output written, any earlier output file is unchanged", err=True)
            sys.exit(130 if isinstance(exc, KeyboardInterrupt) else 128 + int(exc.args[0]))
        except click.ClickException:
            raise  # usage errors: click prints them and exits 2
        except Exception as exc:  # noqa: BLE001 - the promise is exit 3 and one line, whatever broke
            _crash(exc)

    return wrapper


class _Bar:
    """A progress bar on stderr when it is a terminal; nothing at all when output is piped or redirected."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        if not sys.stderr.isatty() or total < 2:
            return
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("checking", total=total)

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)
            if self._progress.finished:
                self._progress.stop()
                self._progress = None


def _warn(message: str) -> None:
    click.echo(message, err=True)


def _packs_of(packs: tuple[str, ...]) -> tuple[str, ...]:
    """Configured packs name packs of the configured rules: with --rules on the command line (and no --pack), every
    pack of those rules is reported, as it would be without a configuration."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or "rules" not in ctx.params:
        return packs
    from click.core import ParameterSource

    if ctx.get_parameter_source("rules") is ParameterSource.COMMANDLINE and ctx.get_parameter_source("packs") is ParameterSource.DEFAULT_MAP:
        return ()
    return packs


def _start(
    paths: tuple[Path, ...], rules: tuple[Path, ...], engine_name: str, options: Any = None, *,
    packs: tuple[str, ...] = (), select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), **kwargs: Any,
) -> Any:
    from obcheck.run import Options, default_facts, default_rules, paths_or, settle_gc, start

    if options is None:
        options = Options(packs=_packs_of(tuple(packs)), select=tuple(select), ignore=tuple(ignore))
    run = start(paths_or(paths, default_facts), paths_or(rules, default_rules), engine_name, options, progress=_Bar(), warn=_warn, **kwargs)
    settle_gc()  # the command's own process: the rules are loaded, the agreements are still to come
    return run


def _check_output(output: Path | None, paths: tuple[Path, ...], rules: tuple[Path, ...]) -> None:
    """Before any work: the output must not be one of the run's inputs, nor a folder, nor in a missing folder."""
    from obcheck.output import check_target
    from obcheck.run import default_facts, default_rules, input_files, paths_or

    if output is not None:
        check_target(output, input_files(paths_or(paths, default_facts), paths_or(rules, default_rules)))


def _report(paths: tuple[Path, ...], rules: tuple[Path, ...], engine_name: str, **kwargs: Any) -> Any:
    """A whole run in memory; any bad fact file is an input error (for commands that need every agreement)."""
    report = _start(paths, rules, engine_name, **kwargs).report()
    if report.errors:
        raise InputError(report.errors)
    return report


pack_option = click.option("--pack", "packs", multiple=True, help="Only this pack (repeatable). Default: every pack found.")
rules_option = click.option(
    "--rules", "rules", multiple=True, type=click.Path(path_type=Path),
    help="A rule pack folder, or a folder of packs with vocabulary.yaml (repeatable). Default: the repository's rules/.",
)
engine_option = click.option(
    "--engine", "engine_name", default=DEFAULT_ENGINE, show_default=True, type=click.Choice(list(ENGINES)),
    help="; ".join(f"{e.name}: {e.help}" for e in ENGINES.values()) + ".",
)
output_option = click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
                             help="Write here (atomically) instead of standard output.")
select_option = click.option("--select", multiple=True, help="Only these rules: ids, PACK/ID or globs (comma list or repeated).")
ignore_option = click.option("--ignore", multiple=True, help="Not these rules: ids, PACK/ID or globs (comma list or repeated).")
color_option = click.option("--color", default="auto", show_default=True, type=click.Choice(["auto", "always", "never"]),
                            help="Colour on a terminal (auto honours NO_COLOR and TERM=dumb).")
cache_options = (
    click.option("--no-cache", is_flag=True, envvar="OBCHECK_NO_CACHE",
                 help="Neither read nor write the cache (also OBCHECK_NO_CACHE=1)."),
    click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
                 help="The cache folder. Default: $OBCHECK_CACHE_DIR, else .obcheck_cache beside the configuration file, else here."),
)


def with_cache(func: Callable[..., Any]) -> Callable[..., Any]:
    """--no-cache and --cache-dir, turned into the cache folder to use (or None) as the `cache` parameter."""

    @functools.wraps(func)
    def wrapper(*args: Any, no_cache: bool, cache_dir: Path | None, **kwargs: Any) -> Any:
        return func(*args, cache=None if no_cache else _cache_folder(cache_dir), **kwargs)

    for option in reversed(cache_options):
        wrapper = option(wrapper)
    return wrapper


def _cache_folder(cache_dir: Path | None) -> Path:
    from obcheck.cache import default_folder

    if cache_dir is not None:
        return cache_dir
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_object(object) if ctx is not None else None
    return default_folder(getattr(settings, "file", None))


jobs_option = click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
                           help="Worker processes; the output is identical to --jobs 1.")


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Repeatable options that also take comma lists: --status gap,partial --status unknown."""
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())


def _choices(values: tuple[str, ...], allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    from obcheck.errors import did_you_mean

    items = _split(values)
    for item in items:
        if item not in allowed:
            raise click.BadParameter(f"{item!r} is not one of {', '.join(allowed)}{did_you_mean(item, allowed)}", param_hint=option)
    return items


def _colour(choice: str, output: Path | None) -> bool:
    """--color: always, never, or (auto) on a terminal that is not dumb, unless NO_COLOR is set."""
    if choice != "auto":
        return choice == "always"
    return (output is None and sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="obcheck")
@click.option("--debug", is_flag=True, help="On an internal error, print the traceback instead of filing it.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Settings file (default: the nearest obcheck.toml, or pyproject.toml with [tool.obcheck], upwards).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.pass_context
def main(ctx: click.Context, debug: bool, config_file: Path | None, isolated: bool) -> None:
    """Check agreements against the obligations a standard demands.

    Rules (rules/) encode a standard's criteria; fact files (facts/) record what each agreement says,
    each fact with its source. Every rule gets exactly one outcome per agreement:
    met, partial, gap, unknown (a needed fact is absent or unverified) or not_applicable.
    """
    _DEBUG["on"] = debug
    try:  # every relative path and default folder depends on it
        cwd = Path(os.getcwd())
    except OSError:
        click.echo("obcheck: the working folder no longer exists (deleted?); change to an existing folder", err=True)
        sys.exit(EXIT_INPUT)
    from obcheck import config

    try:
        settings = config.load(None if isolated else config_file or config.find(cwd))
    except InputError as exc:
        _echo_errors(exc.diagnostics, "nothing was evaluated or written")
    ctx.obj = settings
    ctx.default_map = settings.default_map()


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(list(FORMATS)), help="Output format.")
@output_option
@click.option("--fail-on", default="never", show_default=True, type=click.Choice(list(FAIL_ON)),
              help="Exit 1 when any finding is at or above this status (gap > partial > unknown).")
@engine_option
@jobs_option
@click.option("--keep-going", is_flag=True, help="Report the good files even when some are bad, listing the bad ones (still exits 2).")
@click.option("--include-proposed", is_flag=True,
              help="Count the values obcheck draft proposed as facts: a provisional report, labelled as such in every format.")
@click.option("--waivers", "waivers_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Accepted findings (rule, agreement, outcome, justification, owner, expiry). Default: the repository's waivers.yaml if any.")
@pack_option
@select_option
@ignore_option
@click.option("--status", multiple=True, help="Only findings with these outcomes (comma list or repeated), e.g. gap,partial.")
@click.option("--severity", multiple=True, help="Only findings of these severities (comma list or repeated), e.g. critical,high.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Only the documents that existed on this day (signed or reported by then, not yet ended), with the facts valid then.")
@click.option("--quiet", "-q", is_flag=True, help="Text: the summary per agreement and pack only.")
@click.option("--verbose", "-v", is_flag=True, help="Text: every finding, with the agreement's quotes and the criterion's words.")
@color_option
@with_cache
@guarded
def check(
    paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str, engine_name: str,
    jobs: int, keep_going: bool, include_proposed: bool, waivers_file: Path | None, packs: tuple[str, ...],
    select: tuple[str, ...], ignore: tuple[str, ...], status: tuple[str, ...], severity: tuple[str, ...], as_of: Any,
    quiet: bool, verbose: bool, color: str, cache: Path | None,
) -> None:
    """Report the gaps of each agreement (fact files or folders; default: the repository's facts/).
    Settings come from obcheck.toml or [tool.obcheck] in pyproject.toml (`obcheck config` shows them); flags win.

    A waived finding is shown as waived with its justification and does not count for --fail-on; a waiver that
    expired (exit 1 under --fail-on) or matches nothing is reported."""
    from obcheck.model import OUTCOMES
    from obcheck.output import AtomicOutput
    from obcheck.reporters import SHOWS_WOULD_TAKE, emit, line_renderer, reporter
    from obcheck.run import Options, default_waivers

    if quiet and verbose:
        raise click.UsageError("use either --quiet or --verbose")
    statuses = _choices(status, tuple(OUTCOMES), "--status")
    severities = _choices(severity, ("critical", "high", "medium", "low"), "--severity")
    keep = (lambda f: (not statuses or f.status in statuses) and (not severities or f.severity in severities)) if statuses or severities else None
    _check_output(output, paths, rules)
    source = waivers_file or default_waivers()
    if waivers_file is not None and not waivers_file.is_file():
        raise InputError([Diagnostic(str(waivers_file), 1, 1, "waivers file not found")])
    waivers = None
    if source is not None:
        from obcheck.waivers import load_waivers

        waivers = load_waivers(source)
    render = line_renderer(fmt) if keep is None else None  # filtered findings are rendered here
    options = Options(packs=_packs_of(packs), select=_split(select), ignore=_split(ignore), as_of=as_of.date().isoformat() if as_of else None,
                      would_take=fmt in SHOWS_WOULD_TAKE, include_proposed=include_proposed)
    run = _start(paths, rules, engine_name, options, jobs=jobs, render=render, waivers=waivers, cache=cache)
    detail = "summary" if quiet else "verbose" if verbose else "default"
    with AtomicOutput(output) as out:
        summary = emit(run.items, run.header, reporter(fmt, detail=detail, color=_colour(color, output), fail_on=fail_on),
                       out.write, keep_going, keep, run.finish)
        if summary.errors and not keep_going:
            out.discard()
    for note in summary.waiver_notes:
        click.echo(f"{note.path}:{note.line}:{note.col}: warning: {note.message}", err=True)
    if summary.errors:
        _echo_errors(summary.errors, "the good files were reported (--keep-going)" if keep_going else "nothing was written")
    if summary.fails(fail_on):
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--texts", "texts_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of documents' texts (ID.txt and ID.meta.yaml). Default: the repository's texts/.")
@guarded
def validate(paths: tuple[Path, ...], rules: tuple[Path, ...], texts_dir: Path | None) -> None:
    """Check rules and fact files without evaluating them, lint the rules (unsatisfiable or unfailable
    conditions, missing cases, rule ids reused across packs), and check that every text-level quote of a
    document with a text in texts/ occurs in it (whitespace, quotes and dashes normalised)."""
    from obcheck.lint import lint
    from obcheck.run import default_facts, default_rules, default_texts, paths_or
    from obcheck.run import validate as run_validate

    folder = texts_dir or default_texts()
    catalogue, count, n_texts, quotes = run_validate(paths_or(paths, default_facts), paths_or(rules, default_rules), folder)
    errors, warnings = lint(catalogue)
    for warning in warnings:
        click.echo(str(warning), err=True)
    if errors:
        raise InputError(errors)
    n_rules = sum(len(p.rules) for p in catalogue.packs)
    checked = f"; {quotes} text-level quote{'s' if quotes != 1 else ''} found in {n_texts} shipped text{'s' if n_texts != 1 else ''}" if n_texts else ""
    click.echo(f"ok: {count} fact files, {len(catalogue.packs)} packs, {n_rules} rules, {len(catalogue.vocabulary.paths)} fact paths{checked}")


class _Percent(click.FloatRange):
    """0 to 100. FloatRange alone lets nan through (every comparison with nan is false), and a gate of nan never fails."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number between 0 and 100", param, ctx)
        return number


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--expected", "expected_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of expected-findings files. Default: tests/expected/ of the repository (when --rules is not given).")
@engine_option
@click.option("--coverage", is_flag=True, help="Show, per rule, which outcomes its cases reach.")
@click.option("--min-coverage", type=_Percent(0, 100), help="Fail when outcome coverage is below this percentage.")
@guarded
def test_command(
    paths: tuple[Path, ...], rules: tuple[Path, ...], expected_dir: Path | None, engine_name: str, coverage: bool, min_coverage: float | None
) -> None:
    """Run every rule's cases and every agreement's expected findings; exit 1 on a failure."""
    from obcheck.cases import report_lines, run_cases, run_expected
    from obcheck.engines import make_engine
    from obcheck.rules import load_catalogue
    from obcheck.run import default_expected, default_facts, default_rules, load_all, paths_or

    catalogue = load_catalogue(paths_or(rules, default_rules))
    engine = make_engine(engine_name, catalogue, _warn)
    try:
        run = run_cases(catalogue, engine)
        # the repository's expected findings belong to its own rules: not run against other --rules
        folder = expected_dir or (default_expected() if not rules else None)
        expected = sorted(folder.glob("*.yaml")) if folder and folder.is_dir() else []
        if expected:
            agreements = {a.id: a for a in load_all(paths_or(paths, default_facts), catalogue.vocabulary)}
            run_expected(catalogue, engine, expected, agreements, run)
    finally:
        engine.close()
    lines, failed = report_lines(run, coverage, min_coverage)
    click.echo("\n".join(lines))
    if failed:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.option("--write", "mode", flag_value="write", help="Rewrite the generated files.")
@click.option("--check", "mode", flag_value="check", default=True, help="Exit 1 when a generated file is stale (default).")
@guarded
def docs(mode: str) -> None:
    """Generate facts/README.md (agreements table), docs/rules.md (rule catalogue) and docs/schemas/ from the sources."""
    from obcheck.docgen import generated_files, stale_files
    from obcheck.output import write_output
    from obcheck.rules import load_catalogue
    from obcheck.run import default_facts, default_rules, load_all

    catalogue = load_catalogue(default_rules())
    facts_dir = default_facts()[0]
    targets = generated_files(facts_dir.parent, catalogue, load_all([facts_dir], catalogue.vocabulary))
    stale = stale_files(targets)
    if mode == "write":
        for path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_output(targets[path], path)
            click.echo(f"wrote {path}")
        return
    for path in stale:
        click.echo(f"stale: {path} (run `obcheck docs --write`)")
    if stale:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="terminal", show_default=True, type=click.Choice(MATRIX_FORMATS))
@click.option("--sort", default="id", show_default=True, type=click.Choice(SORTS), help="Row order: by id, most gaps first, or best score first (closest to the standard).")
@output_option
@engine_option
@pack_option
@select_option
@ignore_option
@color_option
@with_cache
@guarded
def matrix(
    paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, sort: str, output: Path | None, engine_name: str, packs: tuple[str, ...],
    select: tuple[str, ...], ignore: tuple[str, ...], color: str, cache: Path | None,
) -> None:
    """Agreements as rows, criteria as columns (grouped by tier): where each agreement falls short."""
    import shutil

    from obcheck.output import write_output
    from obcheck.reporters.matrix import render_matrix

    _check_output(output, paths, rules)
    report = _report(paths, rules, engine_name, packs=packs, select=_split(select), ignore=_split(ignore), cache=cache)
    colour = fmt == "terminal" and _colour(color, output)
    write_output(render_matrix(fmt, report, sort, shutil.get_terminal_size((120, 40)).columns, colour), output)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="terminal", show_default=True, type=click.Choice(["terminal", "csv", "markdown", "json"]))
@output_option
@guarded
def timeline(paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Each document's life: reported, signed, in force, ends, and what it supersedes or is superseded by."""
    from obcheck.output import write_output
    from obcheck.rules import load_catalogue
    from obcheck.run import default_facts, default_rules, load_all, paths_or
    from obcheck.timeline import render_timeline
    from obcheck.timeline import timeline as build

    _check_output(output, paths, rules)
    catalogue = load_catalogue(paths_or(rules, default_rules))
    write_output(render_timeline(fmt, build(load_all(paths_or(paths, default_facts), catalogue.vocabulary))), output)


@main.command("config")
@click.pass_obj
@guarded
def show_config(settings: Any) -> None:
    """Print the effective settings and where each came from (a file's line, or the default)."""
    from obcheck import config

    defaults = {"format": "text", "fail-on": "never", "jobs": 1, "engine": DEFAULT_ENGINE, "color": "auto",
                "packs": ("every pack found",), "facts": ("facts/ of the repository",), "rules": ("rules/ of the repository",)}
    click.echo(config.describe(settings, defaults), nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]))
@engine_option
@pack_option
@guarded
def questions(paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, engine_name: str, packs: tuple[str, ...]) -> None:
    """The research to-do list: per agreement, the missing facts that keep criteria unknown, most needed first."""
    import json

    from obcheck.diff import questions as ask
    from obcheck.diff import render_questions

    unverified: dict[str, dict[str, str]] = {}
    report = _report(paths, rules, engine_name, packs=packs, on_agreement=lambda a: unverified.__setitem__(a.id, a.unverified))
    items = ask(report, unverified)
    click.echo(json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) if fmt == "json" else render_questions(items), nl=fmt == "json")


@main.command()
@click.argument("old", required=False, type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@rules_option
@click.option("--rev", help="Compare two git revisions of the repository's facts/ and rules/, as A..B.")
@engine_option
@guarded
def diff(old: Path | None, new: Path | None, rules: tuple[Path, ...], rev: str | None, engine_name: str) -> None:
    """List each outcome that flips between OLD and NEW (files, folders, or --rev A..B) and why."""
    import tempfile

    from obcheck.diff import checkout, flips, render_flips
    from obcheck.rules import load_catalogue
    from obcheck.run import default_rules, paths_or, rules_by_key

    if rev:
        if old or new or ".." not in rev:
            raise click.UsageError("use either OLD NEW or --rev A..B")
        a, b = rev.split("..", 1)
        with tempfile.TemporaryDirectory() as tmp:
            sides = [checkout(a, Path(tmp) / "old"), checkout(b or "HEAD", Path(tmp) / "new")]
            reports = [_report((s / "facts",), (s / "rules",), engine_name) for s in sides]
            defs = [rules_by_key(load_catalogue([s / "rules"])) for s in sides]
    else:
        if not (old and new):
            raise click.UsageError("give OLD and NEW (fact files or folders), or --rev A..B")
        dirs = tuple(paths_or(rules, default_rules))
        reports = [_report((old,), dirs, engine_name), _report((new,), dirs, engine_name)]
        defs = [rules_by_key(load_catalogue(list(dirs)))] * 2
    click.echo(render_flips(flips(reports[0], reports[1], defs[0], defs[1])), nl=False)


@main.command()
@click.argument("rule_name", metavar="RULE")
@click.argument("agreement", required=False)
@rules_option
@click.option("--facts", "facts_dirs", multiple=True, type=click.Path(path_type=Path), help="Where to find AGREEMENT by id. Default: facts/.")
@guarded
def explain(rule_name: str, agreement: str | None, rules: tuple[Path, ...], facts_dirs: tuple[Path, ...]) -> None:
    """Explain RULE in plain words; with AGREEMENT (an id or a fact file), show why it got its outcome."""
    from obcheck.explain import explain_outcome, explain_rule, find_agreement, find_rule
    from obcheck.rules import load_catalogue
    from obcheck.run import default_facts, default_rules, default_texts, paths_or
    from obcheck.texts import load_texts

    catalogue = load_catalogue(paths_or(rules, default_rules))
    rule = find_rule(catalogue, rule_name)
    from obcheck.reporters.safe import visible

    if agreement is None:
        text = explain_rule(rule, catalogue.vocabulary)
    else:
        found = find_agreement(agreement, paths_or(facts_dirs, default_facts), catalogue.vocabulary)
        text = explain_outcome(rule, found, catalogue.vocabulary, load_texts(default_texts()).get(found.id))
    click.echo("".join(visible(line) + "\n" for line in text.splitlines()), nl=False)


@main.command()
@click.argument("rule_name", metavar="RULE")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@pack_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "markdown", "json"]))
@engine_option
@guarded
def precedents(rule_name: str, paths: tuple[Path, ...], rules: tuple[Path, ...], packs: tuple[str, ...], fmt: str, engine_name: str) -> None:
    """Model language for drafters: the documents (fact files or folders; default facts/) that meet RULE, then
    those that partly meet it, each with the deciding facts' quotes, clause and evidence level, strongest first."""
    from obcheck.explain import find_rule
    from obcheck.precedents import find_precedents, render_precedents
    from obcheck.rules import load_catalogue
    from obcheck.run import default_rules, paths_or, select_packs

    rule = find_rule(select_packs(load_catalogue(paths_or(rules, default_rules)), packs), rule_name)
    report = _report(paths, rules, engine_name, packs=(rule.pack,))
    click.echo(render_precedents(rule, find_precedents(report, rule), fmt), nl=False)


@main.command()
@click.argument("text", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--id", "agreement_id", required=True, help="The new agreement's id (lower-case words joined by '-').")
@click.option("--title", default=None, help="Its title (default: the id).")
@click.option("--kind", default="draft-treaty", show_default=True,
              type=click.Choice(["bilateral-agreement", "multilateral-declaration", "memorandum", "treaty", "draft-treaty", "joint-statement", "hypothetical"]))
@click.option("--party", "parties", multiple=True, help="A party's ISO 3166 alpha-2 code, or EU (repeatable).")
@output_option
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@rules_option
@guarded
def draft(
    text: Path, agreement_id: str, title: str | None, kind: str, parties: tuple[str, ...], output: Path | None, force: bool,
    rules: tuple[Path, ...],
) -> None:
    """The clause finder: read an agreement's TEXT (plain text or Markdown), match the cues declared beside the
    vocabulary (rules/cues.yaml), and write a fact file (default facts/ID.yaml) of proposed values, each with its
    clause, quote and position. Proposals stay unverified until a person accepts them; `check --include-proposed`
    gives a provisional report with them."""
    from obcheck.cues import load_all_cues
    from obcheck.draft import draft_file, find, propose, read_text
    from obcheck.facts import ID_RE
    from obcheck.output import write_output
    from obcheck.rules import load_catalogue
    from obcheck.run import default_facts, default_rules, paths_or
    from obcheck.source import display_path

    if not ID_RE.match(agreement_id):
        raise InputError([Diagnostic("<command line>", 1, 1, f"id '{agreement_id}' must be lower-case words joined by '-' (e.g. gb-2024)")])
    rule_dirs = paths_or(rules, default_rules)
    catalogue = load_catalogue(rule_dirs)
    cues = load_all_cues(rule_dirs, catalogue.vocabulary)
    target = output or default_facts()[0] / f"{agreement_id}.yaml"
    if target.exists() and not force:
        raise InputError([Diagnostic(str(target), 1, 1, "already exists; not overwritten (--force replaces it)")])
    proposals = propose(find(read_text(text), cues), catalogue.vocabulary)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_output(draft_file(agreement_id, title or agreement_id, kind, list(parties), display_path(text), proposals, catalogue.vocabulary), target)
    click.echo(f"wrote {target}: {len(proposals)} proposed value{'s' if len(proposals) != 1 else ''} (unverified until accepted)")


@main.command()
@click.argument("kind", type=click.Choice(["facts", "rules", "cases"]))
@rules_option
@guarded
def schema(kind: str, rules: tuple[Path, ...]) -> None:
    """Print the JSON Schema of fact, rule or cases files (for the YAML language server in editors)."""
    from obcheck.rules import load_catalogue
    from obcheck.run import default_rules, paths_or
    from obcheck.schemas import SCHEMAS, render_schema

    click.echo(render_schema(SCHEMAS[kind](load_catalogue(paths_or(rules, default_rules)).vocabulary)), nl=False)


@main.group()
def cache() -> None:
    """The cache of loaded rules and agreement reports (check and matrix use it; --no-cache skips it)."""


cache_dir_option = click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
                                help="The cache folder (default: as check finds it).")


@cache.command("clear")
@cache_dir_option
@guarded
def cache_clear(cache_dir: Path | None) -> None:
    """Remove the cache folder and every entry in it."""
    from obcheck.cache import Cache

    folder = _cache_folder(cache_dir)
    try:
        count = Cache(folder).clear()
    except OSError as exc:
        raise InputError([Diagnostic(str(folder), 1, 1, f"cannot clear the cache: {exc.strerror or exc}")]) from None
    click.echo(f"removed {count:,} cache entr{'y' if count == 1 else 'ies'} and {folder}" if count else f"no cache at {folder}")


@cache.command("dir")
@cache_dir_option
@guarded
def cache_dir(cache_dir: Path | None) -> None:
    """Print where the cache is."""
    click.echo(str(_cache_folder(cache_dir)))


@main.group()
def new() -> None:
    """Write a valid starter pack, rule (with its cases) or fact file, or pin an agreement's expected outcomes."""


def _write_new(files: dict[Path, str]) -> None:
    """New files only: an existing one is never overwritten, and either all are written or none."""
    from obcheck.output import write_output

    for target in files:
        if target.exists():
            raise InputError([Diagnostic(str(target), 1, 1, "already exists; not overwritten")])
    for target, text in files.items():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError([Diagnostic(str(target), 1, 1, f"cannot create its folder: {exc.strerror}")]) from None
        write_output(text, target)
        click.echo(f"wrote {target}")


@new.command("pack")
@click.argument("pack_id", metavar="ID")
@click.option("--title", default=None, help="The standard's title (default: the id).")
@rules_option
@guarded
def new_pack(pack_id: str, title: str | None, rules: tuple[Path, ...]) -> None:
    """Write rules/ID/pack.yaml: an empty pack to add rules to with `obcheck new rule ID RULE`."""
    from obcheck.rules import RULE_ID_RE
    from obcheck.run import default_rules, paths_or
    from obcheck.scaffold import pack_file

    if not RULE_ID_RE.match(pack_id):
        raise InputError([Diagnostic("<command line>", 1, 1, f"pack id '{pack_id}' must be lower-case words joined by '-'")])
    root = paths_or(rules, default_rules)[0]
    _write_new({root / pack_id / "pack.yaml": pack_file(pack_id, title or pack_id)})


@new.command("rule")
@click.argument("pack")
@click.argument("rule_id", metavar="ID")
@rules_option
@guarded
def new_rule(pack: str, rule_id: str, rules: tuple[Path, ...]) -> None:
    """Write PACK/ID.yaml and ID.cases.yaml into the pack's folder (PACK: a pack id or folder)."""
    from obcheck.errors import did_you_mean
    from obcheck.rules import RULE_ID_RE, load_catalogue
    from obcheck.run import default_rules, paths_or
    from obcheck.scaffold import rule_files

    catalogue = load_catalogue(paths_or(rules, default_rules))
    found = next((p for p in catalogue.packs if pack in (p.id, p.directory, str(Path(p.directory).resolve()))), None)
    if found is None:
        raise InputError([Diagnostic("<command line>", 1, 1, f"no pack '{pack}'{did_you_mean(pack, [p.id for p in catalogue.packs])}")])
    if not RULE_ID_RE.match(rule_id):
        raise InputError([Diagnostic("<command line>", 1, 1, f"rule id '{rule_id}' must be lower-case words joined by '-'")])
    files = rule_files(rule_id, found.id, found.tiers[0] if found.tiers else None, catalogue.vocabulary)
    _write_new({Path(found.directory) / name: text for name, text in files.items()})


@new.command("agreement")
@click.argument("agreement_id", metavar="ID")
@click.option("--facts", "facts_dir", type=click.Path(path_type=Path, file_okay=False), help="Folder to write into. Default: facts/.")
@rules_option
@guarded
def new_agreement(agreement_id: str, facts_dir: Path | None, rules: tuple[Path, ...]) -> None:
    """Write facts/ID.yaml: every fact path of the vocabulary, still unverified (the research checklist)."""
    from obcheck.facts import ID_RE
    from obcheck.rules import load_catalogue
    from obcheck.run import default_facts, default_rules, paths_or
    from obcheck.scaffold import agreement_file

    if not ID_RE.match(agreement_id):
        raise InputError([Diagnostic("<command line>", 1, 1, f"id '{agreement_id}' must be lower-case words joined by '-' (e.g. gb-2024)")])
    target = (facts_dir or default_facts()[0]) / f"{agreement_id}.yaml"
    _write_new({target: agreement_file(agreement_id, load_catalogue(paths_or(rules, default_rules)).vocabulary)})


@new.command("expected")
@click.argument("fact_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--pack", "pack", required=True, help="The pack whose outcomes are pinned.")
@click.option("--dir", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Folder to write into. Default: tests/expected/.")
@click.option("--force", is_flag=True, help="Replace an existing file (review the diff: every changed line needs a reason).")
@rules_option
@guarded
def new_expected(fact_file: Path, pack: str, out_dir: Path | None, force: bool, rules: tuple[Path, ...]) -> None:
    """Write tests/expected/ID.yaml: the agreement's outcomes on PACK as they are now, with the facts behind
    each. A starting point to review line by line; `obcheck test` then holds the agreement to it."""
    from obcheck.output import write_output
    from obcheck.run import default_expected
    from obcheck.scaffold import expected_file

    (agreement,) = _report((fact_file,), rules, DEFAULT_ENGINE, packs=(pack,)).agreements
    folder = out_dir or default_expected() or Path("tests/expected")
    target = folder / f"{agreement.id}.yaml"
    if target.exists() and not force:
        raise InputError([Diagnostic(str(target), 1, 1, "already exists; not overwritten (--force replaces it)")])
    folder.mkdir(parents=True, exist_ok=True)
    findings = [(f.rule, str(f.status), f.actual) for f in agreement.findings]
    write_output(expected_file(agreement.id, agreement.file, pack, findings), target)
    click.echo(f"wrote {target}")
