"""Reporters: pure functions `render(report) -> str`, one module a format, registered here by name."""

from __future__ import annotations

import importlib
from collections.abc import Callable
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
