"""JSON reporter (schema_version 1): sorted keys, stable order, byte-identical from run to run; streamed agreement by agreement."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from obcheck.checker import AgreementReport, Report

SCHEMA_VERSION = 1


def _dump(value: Any) -> str:
    # No indent: with indent the json module falls back to its pure-Python encoder, which cost more than
    # the rest of obcheck together on a large corpus (bench/NOTES.md). One agreement per line instead.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def chunks(report: Report) -> Iterator[str]:
    """Valid JSON written as it streams: the agreements one per line, then the summary known only at the end.
    'agreements' sorts first among the top-level keys, so the document is the same as a sorted dump."""
    yield '{"agreements": ['
    first = True
    for agreement in report.stream():
        yield ("\n" if first else ",\n") + _dump(as_data(agreement))
        first = False
    tail = {"packs": report.packs, "schema_version": SCHEMA_VERSION, "summary": report.summary, "tool": report.tool}
    yield "\n], " + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in tail.items()) + "}\n"


def as_data(agreement: AgreementReport) -> dict[str, Any]:
    """The agreement as plain data; cheaper than dataclasses.asdict, which deep-copies every value."""
    data = dict(vars(agreement))
    data["findings"] = [vars(f) for f in agreement.findings]
    return data


def render(report: Report) -> str:
    return "".join(chunks(report))
