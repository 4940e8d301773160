"""Reporters: one module a format, each a Reporter (begin, agreement, end), registered here by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

from obcheck.model import AgreementReport, Failed, Finding, Header, Rendered, Report, Summary, tally

# format name -> module in this package; each module defines a Reporter class.
# Imported on use only, so a command never pays for a format it does not print.
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "markdown": "markdown",
    "csv": "csv_report",
    "sarif": "sarif",
    "junit": "junit",
    "html": "html",
    "github": "github",
}

# The formats that show what would raise a finding (Finding.would_take); the others are spared working it out.
SHOWS_WOULD_TAKE = frozenset({"json", "markdown"})


class Reporter(Protocol):
    """Pure: each call returns the text to append; none reads or writes a file, none raises for bad input."""

    def begin(self, header: Header) -> str: ...

    def agreement(self, item: AgreementReport | Rendered) -> str: ...

    def end(self, summary: Summary) -> str: ...


class WholeReport:
    """For formats that need every agreement at once (a page, a test report): they render at the end."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.header: Header | None = None
        self.agreements: list[AgreementReport] = []

    def begin(self, header: Header) -> str:
        self.header = header
        return ""

    def agreement(self, item: AgreementReport | Rendered) -> str:
        if not isinstance(item, AgreementReport):
            raise TypeError("this format renders whole reports; workers must send findings, not text")
        self.agreements.append(item)
        return ""

    def end(self, summary: Summary) -> str:
        assert self.header is not None, "end() before begin()"
        return self.render(Report(self.header, self.agreements, summary))

    def render(self, report: Report) -> str:
        raise NotImplementedError


def reporter(name: str, **options: Any) -> Reporter:
    module = importlib.import_module(f"obcheck.reporters.{FORMATS[name]}")
    return module.Reporter(**options)  # type: ignore[no-any-return]


def line_renderer(name: str) -> Callable[[AgreementReport], str] | None:
    """The format's one-agreement renderer, where it has one (json): --jobs workers then render in parallel."""
    module = importlib.import_module(f"obcheck.reporters.{FORMATS[name]}")
    return getattr(module, "line", None)


def render(name: str, report: Report, **options: Any) -> str:
    """A finished report in one format (the library's and the tests' way in)."""
    out = reporter(name, **options)
    pieces = [out.begin(report.header), *(out.agreement(a) for a in report.agreements), out.end(report.summary)]
    return "".join(pieces)


def shown_only(item: AgreementReport, keep: Callable[[Finding], bool]) -> AgreementReport:
    """The agreement with only the findings --status/--severity keep, its counts recomputed to match."""
    import dataclasses

    findings = [f for f in item.findings if keep(f)]
    return dataclasses.replace(item, findings=findings, summary=tally(f.status for f in findings))


def emit(
    items: Any, header: Header, out: Reporter, write: Callable[[str], None], keep_going: bool = False,
    keep: Callable[[Finding], bool] | None = None,
    finish: Callable[[Summary], None] | None = None,
) -> Summary:
    """Feed a run's items to a reporter in order. Without keep_going, rendering stops at the first bad file (the
    caller then discards the output) but every file is still read, so all errors are reported together; with it,
    the good files are reported and the document ends listing the files that failed."""
    summary = Summary()
    write(out.begin(header))
    for item in items:
        if isinstance(item, Failed):
            summary.errors.extend(item.diagnostics)
        elif keep_going or not summary.errors:
            if keep is not None and isinstance(item, AgreementReport):
                item = shown_only(item, keep)
            summary.add(item)
            write(out.agreement(item))
    if finish is not None:  # what is known only when every item is in (the run's waivers that expired or matched nothing)
        finish(summary)
    if keep_going or not summary.errors:
        write(out.end(summary))
    return summary
