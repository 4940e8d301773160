"""Reporters: pure functions `render(report) -> str`, one module a format, registered here by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

# format name -> module in this package; each module defines render(report) -> str.
# Imported on use only, so a command never pays for a format it does not print.
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "markdown": "markdown",
    "csv": "csv_report",
    "sarif": "sarif",
    "junit": "junit",
    "html": "html",
}


def renderer(name: str) -> Callable[[Any], str]:
    module = importlib.import_module(f"obcheck.reporters.{FORMATS[name]}")
    return module.render  # type: ignore[no-any-return]


def chunks(name: str, report: Any) -> Iterable[str]:
    """The output in pieces: streamed by formats that can (text, json, csv), whole for the others."""
    module = importlib.import_module(f"obcheck.reporters.{FORMATS[name]}")
    return module.chunks(report) if hasattr(module, "chunks") else [module.render(report)]


def line_renderer(name: str) -> Callable[[Any], str] | None:
    """The format's one-agreement renderer, where it has one (json): --jobs workers then render in parallel."""
    module = importlib.import_module(f"obcheck.reporters.{FORMATS[name]}")
    return getattr(module, "line", None)
