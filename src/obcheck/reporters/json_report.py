"""JSON reporter (schema_version 3): sorted keys, stable order, byte-identical from run to run; streamed agreement by agreement."""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # what json.dumps uses for str without ensure_ascii
from typing import Any

from obcheck.model import SHAPE, UNKEYED, AgreementReport, Finding, Header, Rendered, Summary, value_key
from obcheck.rules import Rule

# Schema 2 states each rule's description and citation once per report and each cited fact and source once per
# agreement; findings refer to them by id. Schema 1 repeated them in every finding: 740 MB for 10,000 agreements.
# Schema 3 adds `errors`: the located errors of fact files that could not be reported (--keep-going).
SCHEMA_VERSION = 3


def _dump(value: Any) -> str:
    # No indent: with indent the json module falls back to its pure-Python encoder, which cost more than
    # the rest of obcheck together on a large corpus (bench/NOTES.md). One agreement per line instead.
    # No circular check: the data holds no cycles (values shared between findings are not cycles), and the check's
    # bookkeeping of every container was a tenth of the encoding; the bytes are the same.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, check_circular=False)


class Reporter:
    """Valid JSON written as it streams: the agreements one per line, then what is known only at the end.
    'agreements' sorts first among the top-level keys, so the document is the same as a sorted dump."""

    def __init__(self, **_: Any) -> None:
        self.header: Header | None = None
        self.first = True

    def begin(self, header: Header) -> str:
        self.header = header
        return '{"agreements": ['

    def agreement(self, item: AgreementReport | Rendered) -> str:
        text = item.text if isinstance(item, Rendered) else line(item)
        sep = "\n" if self.first else ",\n"
        self.first = False
        return sep + text

    def end(self, summary: Summary) -> str:
        assert self.header is not None
        tail = {
            "errors": [{"path": d.path, "line": d.line, "col": d.col, "message": d.message} for d in summary.errors],
            "packs": self.header.packs, "rules": [rule_data(r) for r in self.header.rules],
            "schema_version": SCHEMA_VERSION, "summary": summary.counts, "tool": self.header.tool,
        }
        if summary.has_waivers:  # only when waivers are in play, so reports without them keep their bytes
            tail["waivers"] = {
                "waived": summary.waived, "expired": summary.expired_waivers,
                "notes": [{"path": d.path, "line": d.line, "col": d.col, "message": d.message} for d in summary.waiver_notes],
            }
        return "\n], " + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in tail.items()) + "}\n"


def line(agreement: AgreementReport) -> str:
    """One agreement's JSON text (a module-level function, so --jobs workers can render in parallel): the text of
    _dump(as_data(agreement)), with each finding's text from _finding_text."""
    data = as_data(agreement, with_findings=False)
    before = {k: v for k, v in data.items() if k < "findings"}  # the keys around 'findings', in sort_keys order
    after = {k: v for k, v in data.items() if k > "findings"}
    findings = '"findings": [' + ", ".join([_finding_text(f) for f in agreement.findings]) + "]"
    return "{" + ", ".join([part for part in (_dump(before)[1:-1], findings, _dump(after)[1:-1]) if part]) + "}"


# A finding's text depends on the finding alone, and agreements share most of them but for the location: each text is
# kept, split at its location, by everything else it shows (a finding's JSON was ~60% of the encoder's time). A
# finding copied from a shape findings.py kept (model.SHAPE) is keyed by that shape, which decides all it shows but
# the location; any other by _text_key: each shown value itself, a fact value as model.value_key gives it (true is
# not 1 in JSON), a would_take by identity. Each entry keeps the object its key names by identity (so its id is not
# reused). A finding with a value of another kind, contested readings or a waiver is encoded whole.
_TEXTS: dict[Any, tuple[object, str, str]] = {}
MAX_TEXTS = 2_048  # kept (the first met) of each kind: 91% of 61,500 findings found on 1,500 synthetic agreements, ~3 MB
_BY_SHAPE: dict[int, tuple[object, str, str]] = {}
_HERE = "\x00obcheck: the location\x00"  # a kept text's location while it is encoded, then where it goes
_HERE_TEXT = encode_basestring(_HERE)


def _finding_text(f: Finding) -> str:
    shape = f.__dict__.get(SHAPE) if not f.contested and not f.waiver else None
    store: dict[Any, tuple[object, str, str]]
    key: Any
    if shape is not None:
        store, key, kept_alive = _BY_SHAPE, id(shape), shape
    else:
        store, key, kept_alive = _TEXTS, _text_key(f), f.would_take
    kept = None if key is None else store.get(key)
    if kept is None:
        item = _item(f)
        if key is None or len(store) >= MAX_TEXTS:
            return _dump(item)
        item["location"] = _HERE
        text = _dump(item)
        if text.count(_HERE_TEXT) != 1:  # a value holds the stand-in too: this one is encoded whole
            item["location"] = f.location
            return _dump(item)
        before, after = text.split(_HERE_TEXT)
        kept = store[key] = (kept_alive, before, after)
    return kept[1] + encode_basestring(f.location) + kept[2]


def _text_key(f: Finding) -> tuple[Any, ...] | None:
    if f.contested or f.waiver:
        return None
    values: list[Any] = []
    for value in f.actual.values():
        kind = value.__class__
        keyed = value if kind is str or kind is int else value_key(value)
        if keyed is UNKEYED:
            return None
        values.append(keyed)
    return (
        f.pack, f.rule, f.status, f.message, f.floor, f.ceiling, f.may_not_apply, tuple(f.actual), tuple(values),
        tuple([e["fact"] for e in f.evidence]), tuple(f.missing), tuple([(k, tuple(v)) for k, v in f.needs.items()]),
        id(f.would_take),
    )


def _item(f: Finding) -> dict[str, Any]:
    """A finding as the JSON shows it (its evidence as the ids of the facts it cites, stated once per agreement)."""
    item = {
        "rule": f.rule, "pack": f.pack, "status": f.status, "message": f.message, "actual": f.actual,
        "evidence": [e["fact"] for e in f.evidence], "missing": f.missing, "location": f.location,
        "floor": f.floor, "ceiling": f.ceiling, "needs": f.needs, "may_not_apply": f.may_not_apply, "contested": f.contested,
    }
    if f.would_take:  # optional: only below met, and only where some values of the rule's facts raise it
        item["would_take"] = f.would_take
    if f.waiver:  # optional: the waiver in force that accepts this outcome
        item["waiver"] = f.waiver
    return item


def rule_data(rule: Rule) -> dict[str, Any]:
    """What does not change from agreement to agreement: the rule's description, expectation and citation."""
    return {
        "pack": rule.pack, "rule": rule.id, "title": rule.title, "severity": rule.severity, "tier": rule.tier,
        "expected": rule.expected, "remediation": rule.remediation, "criterion": rule.citation,
    }


def as_data(agreement: AgreementReport, with_findings: bool = True) -> dict[str, Any]:
    """The agreement as plain data: its findings, and the facts and sources they cite, each stated once."""
    facts: dict[str, dict[str, Any]] = {}
    cited_sources: dict[str, dict[str, Any]] = {}  # each source id's entry as the last newly cited fact gives it
    for f in agreement.findings:
        for entry in f.evidence:
            path = entry["fact"]
            if path not in facts:
                fact = facts[path] = entry.copy()  # a copy (sort_keys: the keys' order does not matter)
                del fact["fact"]
                source = entry["source"]
                fact["source"] = source["id"]
                cited_sources[source["id"]] = source
    sources = {}
    for key, source in cited_sources.items():
        sources[key] = source.copy()
        del sources[key]["id"]
    data = {k: v for k, v in vars(agreement).items() if k != "findings"}
    reliability: dict[str, int] = {}
    for fact in facts.values():  # how much of what the findings cite rests on each class of source
        trust = sources[fact["source"]]["reliability"]
        reliability[trust] = reliability.get(trust, 0) + 1
    data.update(facts=facts, sources=sources, standing=agreement.standing, reliability=reliability)
    if with_findings:
        data["findings"] = [_item(f) for f in agreement.findings]
    return data
