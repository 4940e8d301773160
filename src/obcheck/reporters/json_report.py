"""JSON reporter (schema_version 1): sorted keys, stable order, byte-identical from run to run; streamed agreement by agreement."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from obcheck.checker import AgreementReport, Report

SCHEMA_VERSION = 1


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def _nested(value: Any, depth: int) -> str:
    """json.dumps output for a value sitting `depth` levels deep in the indented document."""
    return _dump(value).replace("\n", "\n" + "  " * depth)


def chunks(report: Report) -> Iterator[str]:
    """The same text as json.dumps(whole, indent=2, sort_keys=True), without holding every agreement:
    'agreements' sorts first among the top-level keys, so it can be written before the summary is known."""
    yield '{\n  "agreements": ['
    first = True
    for agreement in report.stream():
        yield ("\n    " if first else ",\n    ") + _nested(as_data(agreement), 2)
        first = False
    yield ("\n  ],\n" if not first else "],\n")
    tail = {"packs": report.packs, "schema_version": SCHEMA_VERSION, "summary": report.summary, "tool": report.tool}
    yield ",\n".join(f"  {json.dumps(k)}: {_nested(v, 1)}" for k, v in tail.items()) + "\n}\n"


def as_data(agreement: AgreementReport) -> dict[str, Any]:
    """The agreement as plain data; cheaper than dataclasses.asdict, which deep-copies every value."""
    data = dict(vars(agreement))
    data["findings"] = [vars(f) for f in agreement.findings]
    return data


def render(report: Report) -> str:
    return "".join(chunks(report))
