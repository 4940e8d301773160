"""SARIF 2.1.0 reporter: one result per gap, partial or unknown, located at the fact file line, for code scanning."""

from __future__ import annotations

import json
from typing import Any

from obcheck.model import SHORTFALLS, Finding, Report
from obcheck.reporters import WholeReport
from obcheck.reporters.safe import uri
from obcheck.waivers import describe_waiver

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SEVERITY_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def level(f: Finding) -> str:
    """A gap carries the rule's severity; a partial at most a warning; an unknown is a note (research to do)."""
    if f.status == "gap":
        return SEVERITY_LEVEL[f.severity]
    if f.status == "partial":
        return "warning" if SEVERITY_LEVEL[f.severity] == "error" else SEVERITY_LEVEL[f.severity]
    return "note"


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        return render(report)


def render(report: Report) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for a in report.agreements:
        for f in a.findings:
            rule_id = f"{f.pack}/{f.rule}"
            if rule_id not in rules:
                c = f.criterion
                rules[rule_id] = {
                    "id": rule_id, "name": f.rule,
                    "shortDescription": {"text": f.title},
                    "fullDescription": {"text": c["quote"] or f"{f.title} ({c['section']})"},
                    "helpUri": c["url"],
                    "help": {"text": f.remediation},
                    "defaultConfiguration": {"level": SEVERITY_LEVEL[f.severity]},
                    "properties": {"severity": f.severity, "tier": f.tier, "criterion_evidence": c["evidence_level"]},
                }
            if f.status not in SHORTFALLS:
                continue
            path, _, line = f.location.rpartition(":")
            result: dict[str, Any] = {
                "ruleId": rule_id, "level": level(f),
                "message": {"text": f"{a.id}{' (' + a.status + ')' if a.provisional else ''}: {f.status}" + (f" ({f.bound})" if f.bound else "") + f": {f.message}"
                            + (f" Missing facts: {', '.join(f.missing)}." if f.missing else "")},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(path)}, "region": {"startLine": int(line)}}}],
                "properties": {"agreement": a.id, "status": f.status, "floor": f.floor, "ceiling": f.ceiling, "agreement_status": a.status},
            }
            if f.waiver:  # SARIF's own way to say a result was reviewed and accepted: shown, not counted
                result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": describe_waiver(f.waiver)}]
            results.append(result)
    sarif = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "obcheck", "version": report.header.tool["version"], "informationUri": "https://pypi.org/project/obcheck/",
                                 "rules": [rules[k] for k in sorted(rules)]}},
            "results": results,
            **({"properties": {"provisional": report.tool["provisional"]}} if report.tool.get("provisional") else {}),
            # files that could not be read: the run did not complete, and each error says where
            "invocations": [{
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": d.message},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(d.path)}, "region": {"startLine": d.line, "startColumn": d.col}}}]}
                    for d in report.errors
                ] + [
                    {"level": "warning", "message": {"text": f"waiver: {d.message}"},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": d.path}, "region": {"startLine": d.line, "startColumn": d.col}}}]}
                    for d in report.summary.waiver_notes
                ],
            }],
        }],
    }
    return json.dumps(sarif, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
