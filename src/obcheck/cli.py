"""The command line: parses options, runs the checker, writes output atomically, maps outcomes to exit codes."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from obcheck import __version__
from obcheck.errors import InputError, InternalError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
FAIL_ON = {"gap": ("gap",), "partial": ("gap", "partial"), "unknown": ("gap", "partial", "unknown"), "never": ()}


def _input_error(exc: InputError) -> NoReturn:
    for diagnostic in exc.diagnostics:
        click.echo(str(diagnostic), err=True)
    n = len(exc.diagnostics)
    click.echo(f"obcheck: {n} error{'s' if n != 1 else ''}; nothing was evaluated or written", err=True)
    sys.exit(EXIT_INPUT)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input -> located messages and exit 2; a broken invariant -> exit 3; never a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            _input_error(exc)
        except InternalError as exc:
            click.echo(f"obcheck: internal error: {exc}", err=True)
            click.echo("obcheck: this is a bug in obcheck or its engine; please report it with the command you ran", err=True)
            sys.exit(EXIT_INTERNAL)
        except KeyboardInterrupt:
            click.echo("obcheck: interrupted; no output written", err=True)
            sys.exit(130)

    return wrapper


def write_output(text: str, output: Path | None) -> None:
    """Standard output, or a file replaced atomically: readers see the old file or the new, never half."""
    if output is None:
        click.echo(text, nl=False)
        return
    directory = output.parent if str(output.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _paths(values: tuple[Path, ...], default: Callable[[], list[Path]]) -> list[Path]:
    return list(values) if values else default()


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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]), help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here (atomically) instead of standard output.")
@click.option("--fail-on", default="never", show_default=True, type=click.Choice(list(FAIL_ON)),
              help="Exit 1 when any finding is at or above this status (gap > partial > unknown).")
@click.option("--engine", "engine_name", default="durable", show_default=True, type=click.Choice(["durable", "python"]),
              help="durable: the durable_rules engine. python: obcheck's own interpreter of the same rules.")
@guarded
def check(paths: tuple[Path, ...], rules: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str, engine_name: str) -> None:
    """Report the gaps of each agreement (fact files or folders; default: the repository's facts/)."""
    from obcheck.checker import default_facts, default_rules, run_check
    from obcheck.reporters import renderer

    report = run_check(_paths(paths, default_facts), _paths(rules, default_rules), engine_name)
    write_output(renderer(fmt)(report), output)
    failing = FAIL_ON[fail_on]
    if any(f.status in failing for a in report.agreements for f in a.findings):
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@rules_option
@guarded
def validate(paths: tuple[Path, ...], rules: tuple[Path, ...]) -> None:
    """Check rules and fact files without evaluating them."""
    from obcheck.checker import default_facts, default_rules, validate as run_validate

    catalogue, count = run_validate(_paths(paths, default_facts), _paths(rules, default_rules))
    n_rules = sum(len(p.rules) for p in catalogue.packs)
    click.echo(f"ok: {count} fact files, {len(catalogue.packs)} packs, {n_rules} rules, {len(catalogue.vocabulary.paths)} fact paths")
