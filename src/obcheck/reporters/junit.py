"""JUnit XML reporter: a test suite per agreement, a test case per rule; gap fails, unknown is skipped; bad files are errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from obcheck.model import Outcome, Report
from obcheck.reporters import WholeReport
from obcheck.waivers import describe_waiver


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        provisional = report.tool.get("provisional")
        root = ET.Element("testsuites", name=f"obcheck (provisional: {provisional})" if provisional else "obcheck")
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for a in report.agreements:
            gaps = sum(1 for f in a.findings if f.status is Outcome.GAP and not f.waiver)
            skipped = sum(1 for f in a.findings if f.status is Outcome.UNKNOWN or (f.status is Outcome.GAP and f.waiver))
            suite = ET.SubElement(root, "testsuite", name=a.id, tests=str(len(a.findings)), failures=str(gaps), errors="0", skipped=str(skipped))
            totals["tests"] += len(a.findings)
            totals["failures"] += gaps
            totals["skipped"] += skipped
            for f in a.findings:
                case = ET.SubElement(suite, "testcase", classname=f"{a.id}.{f.pack}", name=f.rule, file=f.location.rpartition(":")[0])
                if f.waiver and f.status in (Outcome.GAP, Outcome.UNKNOWN):  # accepted: skipped with the reason, not failed
                    ET.SubElement(case, "skipped", message=f"waived {describe_waiver(f.waiver)}: {f.message}")
                elif f.status is Outcome.GAP:
                    ET.SubElement(case, "failure", message=f.message, type="gap").text = f"{f.location}: {f.message}\nremediation: {f.remediation}"
                elif f.status is Outcome.UNKNOWN:
                    ET.SubElement(case, "skipped", message=f"unknown: {f.message} Missing: {', '.join(f.missing)}")
                else:
                    waived = f" (waived {describe_waiver(f.waiver)})" if f.waiver else ""
                    ET.SubElement(case, "system-out").text = f"{f.status}: {f.message}{waived}"
        if report.errors:
            files = sorted({d.path for d in report.errors})
            suite = ET.SubElement(root, "testsuite", name="obcheck input", tests=str(len(files)), failures="0", errors=str(len(files)), skipped="0")
            for path in files:
                case = ET.SubElement(suite, "testcase", classname="obcheck.input", name=path, file=path)
                lines = [str(d) for d in report.errors if d.path == path]
                ET.SubElement(case, "error", message=lines[0], type="input").text = "\n".join(lines)
            totals["tests"] += len(files)
            totals["errors"] += len(files)
        if report.summary.waiver_notes:
            notes = report.summary.waiver_notes
            suite = ET.SubElement(root, "testsuite", name="obcheck waivers", tests=str(len(notes)), failures="0", errors="0", skipped="0")
            for d in notes:
                case = ET.SubElement(suite, "testcase", classname="obcheck.waivers", name=f"{d.path}:{d.line}", file=d.path)
                if d.message.startswith("waiver expired"):  # an expired waiver fails CI, as it does under --fail-on
                    ET.SubElement(case, "failure", message=d.message, type="expired-waiver").text = str(d)
                    suite.set("failures", str(int(suite.get("failures", "0")) + 1))
                    totals["failures"] += 1
                else:
                    ET.SubElement(case, "skipped", message=d.message)
                    suite.set("skipped", str(int(suite.get("skipped", "0")) + 1))
                    totals["skipped"] += 1
            totals["tests"] += len(notes)
        for key, value in totals.items():
            root.set(key, str(value))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
