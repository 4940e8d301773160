"""JSON reporter (schema_version 1): sorted keys, stable order, byte-identical from run to run."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from obcheck.checker import Report

SCHEMA_VERSION = 1


def as_data(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": report.tool,
        "packs": report.packs,
        "summary": report.summary,
        "agreements": [dataclasses.asdict(a) for a in report.agreements],
    }


def render(report: Report) -> str:
    return json.dumps(as_data(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
