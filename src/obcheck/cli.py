"""The command line: parses options, runs the checker, writes output atomically, maps outcomes to exit codes."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from obcheck import __version__
from obcheck.errors import InputError, InternalError
from obcheck.reporters import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
FAIL_ON = {"gap": ("gap",), "partial": ("gap", "partial"), "unknown": ("gap", "partial", "unknown"), "never": ()}


def _input_error(exc: InputError, written: bool = False) -> NoReturn:
    for diagnostic in exc.diagnostics:
        click.echo(str(diagnostic), err=True)
    n = len(exc.diagnostics)
    what = "the good files were reported (--keep-going)" if written else "nothing was evaluated or written"
    click.echo(f"obcheck: {n} error{'s' if n != 1 else ''}; {what}", err=True)
    sys.exit(EXIT_INPUT)


class Terminated(BaseException):
    """SIGTERM, raised where the program stands so that cleanup (the temporary output file) runs."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input -> located messages and exit 2; a broken invariant -> exit 3; never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signal.signal(signal.SIGTERM, _terminate)
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _input_error(exc)
        except InternalError as exc:
            click.echo(f"obcheck: internal error: {exc}", err=True)
            click.echo("obcheck: this is a bug in obcheck or its engine; please report it with the command you ran", err=True)
            sys.exit(EXIT_INTERNAL)
        except (KeyboardInterrupt, Terminated) as exc:
            click.echo("obcheck: interrupted; no output written, any earlier output file is unchanged", err=True)
            sys.exit(143 if isinstance(exc, Terminated) else 130)

    return wrapper


def write_output(text: str | Iterable[str], output: Path | None) -> None:
    """Write the output whole or not at all. Pieces go to a temporary file first: an error or a signal while
    they are produced leaves an earlier --output file (or standard output) untouched. Memory stays flat."""
    directory = output.parent if output is not None and str(output.parent) else Path(tempfile.gettempdir() if output is None else ".")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name if output else 'obcheck'}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for piece in [text] if isinstance(text, str) else text:
                handle.write(piece)
            if output is not None:  # durable before it replaces the old file; for stdout it is only a buffer
                handle.flush()
                os.fsync(handle.fileno())
        if output is not None:
            os.replace(tmp, output)
            return
        with open(tmp, encoding="utf-8") as handle:
            while block := handle.read(1 << 20):
                click.echo(block, nl=False)
    finally:
        Path(tmp).unlink(missing_ok=True)


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


def _run(paths: tuple[Path, ...], rules: tuple[Path, ...], engine_name: str, **kwargs: Any) -> Any:
    from obcheck.checker import default_facts, default_rules, run_check

    return run_check(_paths(paths, default_facts), _paths(rules, default_rules), engine_name, progress=_Bar(), **kwargs)


def _paths(values: tuple[Path, ...], default: Callable[[], list[Path]]) -> list[Path]:
    return list(values) if values else default()


pack_option = click.option("--pack", "packs", multiple=True, help="Only this pack (repeatable). Default: every pack found.")
rules_option = click.option(
    "--rules", "rules", multiple=True, type=click.Path(path_type=Path),
    help="A rule pack folder, or a folder of packs with vocabulary.yaml (repeatable). Default: the repository's rules/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="obcheck")
def main() -> None:
    """Check agreements against the obligations a standard demands.

    Rules (rules/) encode a standard's criteria; fact files (facts/) record what each agreement says,
    each fact with its source. Every rule gets exactly one outcome per agreement:
    met, partial, gap, unknown (a needed fact is absent or unverified) or not_applicable.
    """
    try:  # every relative path and default folder depends on it
        os.getcwd()
    except OSError:
        click.echo("obcheck: the working folder no longer exists (deleted?); change to an existing folder", err=True)
        sys.exit(EXIT_INPUT)


jobs_option = click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
                           help="Worker processes; the output is identical to --jobs 1.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(list(FORMATS)), help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here (atomically) instead of standard output.")
@click.option("--fail-on", default="never", show_default=True, type=click.Choice(list(FAIL_ON)),
              help="Exit 1 when any finding is at or above this status (gap > partial > unknown).")
@click.option("--engine", "engine_name", default="durable", show_default=True, type=click.Choice(["durable", "python"]),
              help="durable: the durable_rules engine. python: obcheck's own interpreter of the same rules.")
@jobs_option
@click.option("--keep-going", is_flag=True, help="Report the good files even when some are bad (still exits 2).")
@pack_option
@guarded
def check(
    paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str, engine_name: str,
    jobs: int, keep_going: bool, packs: tuple[str, ...],
) -> None:
    """Report the gaps of each agreement (fact files or folders; default: the repository's facts/)."""
    from obcheck.reporters import chunks, line_renderer

    render = line_renderer(fmt) if jobs > 1 else None
    report = _run(paths, rules, engine_name, jobs=jobs, keep_going=keep_going, packs=packs, render=render)
    if keep_going:
        errors: list[Any] = []
        write_output(_collecting(chunks(fmt, report), errors), output)
        if errors:
            _input_error(InputError(errors), written=True)
    else:
        write_output(chunks(fmt, report), output)
    if report.statuses & set(FAIL_ON[fail_on]):
        sys.exit(EXIT_FINDINGS)


def _collecting(pieces: Iterable[str], errors: list[Any]) -> Iterable[str]:
    """Under --keep-going the bad files' errors end the stream; keep them and finish the output."""
    try:
        yield from pieces
    except InputError as exc:
        errors.extend(exc.diagnostics)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@guarded
def validate(paths: tuple[Path, ...], rules: tuple[Path, ...]) -> None:
    """Check rules and fact files without evaluating them, and lint the rules (unsatisfiable or
    unfailable conditions, missing cases, rule ids reused across packs)."""
    from obcheck.checker import default_facts, default_rules, validate as run_validate
    from obcheck.lint import lint

    catalogue, count = run_validate(_paths(paths, default_facts), _paths(rules, default_rules))
    errors, warnings = lint(catalogue)
    for warning in warnings:
        click.echo(str(warning), err=True)
    if errors:
        raise InputError(errors)
    n_rules = sum(len(p.rules) for p in catalogue.packs)
    click.echo(f"ok: {count} fact files, {len(catalogue.packs)} packs, {n_rules} rules, {len(catalogue.vocabulary.paths)} fact paths")


class _Percent(click.FloatRange):
    """0 to 100. FloatRange alone lets nan through (every comparison with nan is false), and a gate of nan never fails."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number between 0 and 100", param, ctx)
        return number


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--expected", "expected_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of expected-findings files. Default: tests/expected/ of the repository (when --rules is not given).")
@click.option("--engine", "engine_name", default="durable", show_default=True, type=click.Choice(["durable", "python"]))
@click.option("--coverage", is_flag=True, help="Show, per rule, which outcomes its cases reach.")
@click.option("--min-coverage", type=_Percent(0, 100), help="Fail when outcome coverage is below this percentage.")
@guarded
def test_command(
    paths: tuple[Path, ...], rules: tuple[Path, ...], expected_dir: Path | None, engine_name: str, coverage: bool, min_coverage: float | None
) -> None:
    """Run every rule's cases and every agreement's expected findings; exit 1 on a failure."""
    from obcheck.cases import run_cases, run_expected
    from obcheck.checker import default_expected, default_facts, default_rules, load_all, make_engine
    from obcheck.rules import load_catalogue

    catalogue = load_catalogue(_paths(rules, default_rules))
    engine = make_engine(engine_name, catalogue)
    try:
        run = run_cases(catalogue, engine)
        # the repository's expected findings belong to its own rules: not run against other --rules
        folder = expected_dir or (default_expected() if not rules else None)
        expected = sorted(folder.glob("*.yaml")) if folder and folder.is_dir() else []
        if expected:
            agreements = {a.id: a for a in load_all(_paths(paths, default_facts), catalogue.vocabulary)}
            run_expected(catalogue, engine, expected, agreements, run)
    finally:
        engine.close()
    for line in run.failures:
        click.echo(f"FAIL {line}")
    for line in run.todos:
        click.echo(f"TODO {line}")
    for line in run.vacuous:
        click.echo(f"VACUOUS {line}")
    if coverage:
        click.echo("outcome coverage per rule (reached / possible):")
        for key in sorted(run.possible):
            missing = sorted(run.possible[key] - run.reached[key])
            note = f"  missing: {', '.join(missing)}" if missing else ""
            click.echo(f"  {key}: {len(run.reached[key] & run.possible[key])}/{len(run.possible[key])}{note}")
        click.echo(f"coverage: {run.coverage:.1f}%")
    below = min_coverage is not None and run.coverage < min_coverage
    if below:
        click.echo(f"coverage {run.coverage:.1f}% is below --min-coverage {min_coverage:g}")
    click.echo(f"{run.passed} passed, {len(run.failures)} failed" + (f", {len(run.todos)} todo" if run.todos else ""))
    if run.failures or run.vacuous or below:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.option("--write", "mode", flag_value="write", help="Rewrite the generated files.")
@click.option("--check", "mode", flag_value="check", default=True, help="Exit 1 when a generated file is stale (default).")
@guarded
def docs(mode: str) -> None:
    """Generate facts/README.md (agreements table), docs/rules.md (rule catalogue) and docs/schemas/ from the sources."""
    from obcheck.checker import default_facts, default_rules, load_all
    from obcheck.docgen import agreements_table, rule_catalogue
    from obcheck.schemas import SCHEMAS, render_schema
    from obcheck.rules import load_catalogue

    catalogue = load_catalogue(default_rules())
    facts_dir = default_facts()[0]
    agreements = load_all([facts_dir], catalogue.vocabulary)
    docs_dir = facts_dir.parent / "docs"
    targets = {facts_dir / "README.md": agreements_table(agreements), docs_dir / "rules.md": rule_catalogue(catalogue)}
    for kind, build in SCHEMAS.items():
        targets[docs_dir / "schemas" / f"{kind}.schema.json"] = render_schema(build(catalogue.vocabulary))
    stale = [path for path, text in targets.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
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
@click.option("--format", "fmt", default="terminal", show_default=True, type=click.Choice(["terminal", "csv", "markdown", "json", "html"]))
@click.option("--sort", default="id", show_default=True, type=click.Choice(["id", "gaps"]), help="Row order: by id, or most gaps first.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here (atomically) instead of standard output.")
@click.option("--engine", "engine_name", default="durable", show_default=True, type=click.Choice(["durable", "python"]))
@pack_option
@guarded
def matrix(
    paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, sort: str, output: Path | None, engine_name: str, packs: tuple[str, ...]
) -> None:
    """Agreements as rows, criteria as columns (grouped by tier): where each agreement falls short."""
    import shutil

    from obcheck.reporters import matrix as grid

    report = _run(paths, rules, engine_name, packs=packs)
    if fmt == "html":
        from obcheck.reporters.html import render

        text = render(report, sort)
    else:
        m = grid.build(report, sort)
        if fmt == "terminal":
            color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            text = grid.render_terminal(m, shutil.get_terminal_size((120, 40)).columns, color)
        else:
            text = {"csv": grid.render_csv, "markdown": grid.render_markdown, "json": grid.render_json}[fmt](m)
    write_output(text, output)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]))
@click.option("--engine", "engine_name", default="durable", show_default=True, type=click.Choice(["durable", "python"]))
@pack_option
@guarded
def questions(paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, engine_name: str, packs: tuple[str, ...]) -> None:
    """The research to-do list: per agreement, the missing facts that keep criteria unknown, most needed first."""
    import json

    from obcheck.diff import questions as ask, render_questions

    unverified: dict[str, dict[str, str]] = {}
    report = _run(paths, rules, engine_name, packs=packs, on_agreement=lambda a: unverified.__setitem__(a.id, a.unverified))
    items = ask(report, unverified)
    click.echo(json.dumps(items, indent=2, sort_keys=True, ensure_ascii=False) if fmt == "json" else render_questions(items), nl=fmt == "json")


@main.command()
@click.argument("old", required=False, type=click.Path(path_type=Path))
@click.argument("new", required=False, type=click.Path(path_type=Path))
@rules_option
@click.option("--rev", help="Compare two git revisions of the repository's facts/ and rules/, as A..B.")
@click.option("--engine", "engine_name", default="durable", show_default=True, type=click.Choice(["durable", "python"]))
@guarded
def diff(old: Path | None, new: Path | None, rules: tuple[Path, ...], rev: str | None, engine_name: str) -> None:
    """List each outcome that flips between OLD and NEW (files, folders, or --rev A..B) and why."""
    from obcheck.checker import default_rules, run_check
    from obcheck.diff import flips, render_flips
    from obcheck.rules import load_catalogue

    def rules_by_key(dirs: list[Path]) -> dict[str, Any]:
        return {f"{r.pack}/{r.id}": r for r in load_catalogue(dirs).rules()}

    if rev:
        if old or new or ".." not in rev:
            raise click.UsageError("use either OLD NEW or --rev A..B")
        a, b = rev.split("..", 1)
        with tempfile.TemporaryDirectory() as tmp:
            sides = [_checkout(a, Path(tmp) / "old"), _checkout(b or "HEAD", Path(tmp) / "new")]
            reports = [run_check([s / "facts"], [s / "rules"], engine_name) for s in sides]
            defs = [rules_by_key([s / "rules"]) for s in sides]
            for report in reports:
                report.agreements  # noqa: B018 - read them now, before the checkout is deleted
    else:
        if not (old and new):
            raise click.UsageError("give OLD and NEW (fact files or folders), or --rev A..B")
        dirs = _paths(rules, default_rules)
        reports = [run_check([old], dirs, engine_name), run_check([new], dirs, engine_name)]
        defs = [rules_by_key(dirs)] * 2
    items = flips(reports[0], reports[1], defs[0], defs[1])
    click.echo(render_flips(items), nl=False)


def _checkout(rev: str, into: Path) -> Path:
    """facts/ and rules/ as they were at a git revision, extracted with git archive (the work tree is untouched)."""
    import subprocess

    into.mkdir(parents=True)
    if rev.startswith("-"):  # git would take it for an option (--output=FILE truncates a file)
        raise click.UsageError(f"--rev: {rev!r} is not a revision (a revision cannot start with '-')")
    try:
        # resolved to a commit id first (after --end-of-options), so what reaches git archive is never an option
        commit = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                                capture_output=True, check=True, text=True).stdout.strip()
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "--", "facts", "rules"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True, capture_output=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        detail = str(exc)
        if isinstance(exc, subprocess.CalledProcessError):  # rev-parse --quiet says nothing: the revision does not exist
            err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
            detail = err.strip() or "no such revision"
        raise click.UsageError(f"cannot read facts/ and rules/ at revision {rev!r}: {detail}") from None
    return into


@main.command()
@click.argument("rule_name", metavar="RULE")
@click.argument("agreement", required=False)
@rules_option
@click.option("--facts", "facts_dirs", multiple=True, type=click.Path(path_type=Path), help="Where to find AGREEMENT by id. Default: facts/.")
@guarded
def explain(rule_name: str, agreement: str | None, rules: tuple[Path, ...], facts_dirs: tuple[Path, ...]) -> None:
    """Explain RULE in plain words; with AGREEMENT (an id or a fact file), show why it got its outcome."""
    from obcheck.checker import default_facts, default_rules, load_all
    from obcheck.errors import Diagnostic, did_you_mean
    from obcheck.explain import explain_outcome, explain_rule
    from obcheck.facts import load_agreement
    from obcheck.rules import load_catalogue

    catalogue = load_catalogue(_paths(rules, default_rules))
    matches = [r for r in catalogue.rules() if rule_name in (r.id, f"{r.pack}/{r.id}")]
    if len(matches) != 1:
        names = [f"{r.pack}/{r.id}" for r in catalogue.rules()]
        hint = did_you_mean(rule_name, [r.id for r in catalogue.rules()] + names)
        problem = f"'{rule_name}' names {len(matches)} rules ({', '.join(f'{r.pack}/{r.id}' for r in matches)}): write PACK/RULE" if matches else f"no rule '{rule_name}'{hint}"
        raise InputError([Diagnostic("<command line>", 1, 1, problem)])
    rule = matches[0]
    if agreement is None:
        click.echo(explain_rule(rule, catalogue.vocabulary), nl=False)
        return
    if Path(agreement).is_file():
        found = load_agreement(Path(agreement), catalogue.vocabulary)
    else:
        by_id = {a.id: a for a in load_all(_paths(facts_dirs, default_facts), catalogue.vocabulary)}
        if agreement not in by_id:
            raise InputError([Diagnostic("<command line>", 1, 1, f"no agreement '{agreement}'{did_you_mean(agreement, by_id)}")])
        found = by_id[agreement]
    click.echo(explain_outcome(rule, found, catalogue.vocabulary), nl=False)


@main.command()
@click.argument("kind", type=click.Choice(["facts", "rules", "cases"]))
@rules_option
@guarded
def schema(kind: str, rules: tuple[Path, ...]) -> None:
    """Print the JSON Schema of fact, rule or cases files (for the YAML language server in editors)."""
    from obcheck.checker import default_rules
    from obcheck.rules import load_catalogue
    from obcheck.schemas import SCHEMAS, render_schema

    click.echo(render_schema(SCHEMAS[kind](load_catalogue(_paths(rules, default_rules)).vocabulary)), nl=False)


@main.group()
def new() -> None:
    """Write a valid starter rule (with its cases) or fact file, or pin an agreement's expected outcomes."""


@new.command("rule")
@click.argument("pack")
@click.argument("rule_id", metavar="ID")
@rules_option
@guarded
def new_rule(pack: str, rule_id: str, rules: tuple[Path, ...]) -> None:
    """Write PACK/ID.yaml and ID.cases.yaml into the pack's folder (PACK: a pack id or folder)."""
    from obcheck.checker import default_rules
    from obcheck.errors import Diagnostic, did_you_mean
    from obcheck.rules import RULE_ID_RE, load_catalogue
    from obcheck.scaffold import rule_files

    catalogue = load_catalogue(_paths(rules, default_rules))
    found = next((p for p in catalogue.packs if pack in (p.id, p.directory, str(Path(p.directory).resolve()))), None)
    if found is None:
        raise InputError([Diagnostic("<command line>", 1, 1, f"no pack '{pack}'{did_you_mean(pack, [p.id for p in catalogue.packs])}")])
    if not RULE_ID_RE.match(rule_id):
        raise InputError([Diagnostic("<command line>", 1, 1, f"rule id '{rule_id}' must be lower-case words joined by '-'")])
    files = rule_files(rule_id, found.id, found.tiers[0] if found.tiers else None, catalogue.vocabulary)
    for name, text in files.items():
        target = Path(found.directory) / name
        if target.exists():
            raise InputError([Diagnostic(str(target), 1, 1, "already exists; not overwritten")])
    for name, text in files.items():
        write_output(text, Path(found.directory) / name)
        click.echo(f"wrote {Path(found.directory) / name}")


@new.command("agreement")
@click.argument("agreement_id", metavar="ID")
@click.option("--facts", "facts_dir", type=click.Path(path_type=Path, file_okay=False), help="Folder to write into. Default: facts/.")
@rules_option
@guarded
def new_agreement(agreement_id: str, facts_dir: Path | None, rules: tuple[Path, ...]) -> None:
    """Write facts/ID.yaml: every fact path of the vocabulary, still unverified (the research checklist)."""
    from obcheck.checker import default_facts, default_rules
    from obcheck.errors import Diagnostic
    from obcheck.facts import ID_RE
    from obcheck.rules import load_catalogue
    from obcheck.scaffold import agreement_file

    if not ID_RE.match(agreement_id):
        raise InputError([Diagnostic("<command line>", 1, 1, f"id '{agreement_id}' must be lower-case words joined by '-' (e.g. gb-2024)")])
    target = (facts_dir or default_facts()[0]) / f"{agreement_id}.yaml"
    if target.exists():
        raise InputError([Diagnostic(str(target), 1, 1, "already exists; not overwritten")])
    target.parent.mkdir(parents=True, exist_ok=True)
    write_output(agreement_file(agreement_id, load_catalogue(_paths(rules, default_rules)).vocabulary), target)
    click.echo(f"wrote {target}")


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
    from obcheck.checker import default_expected
    from obcheck.errors import Diagnostic
    from obcheck.scaffold import expected_file

    report = _run((fact_file,), rules, "durable", packs=(pack,))
    (agreement,) = list(report.stream())
    folder = out_dir or default_expected() or Path("tests/expected")
    target = folder / f"{agreement.id}.yaml"
    if target.exists() and not force:
        raise InputError([Diagnostic(str(target), 1, 1, "already exists; not overwritten (--force replaces it)")])
    folder.mkdir(parents=True, exist_ok=True)
    findings = [(f.rule, f.status, f.actual) for f in agreement.findings]
    write_output(expected_file(agreement.id, agreement.file, pack, findings), target)
    click.echo(f"wrote {target}")
