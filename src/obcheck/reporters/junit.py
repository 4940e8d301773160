"""JUnit XML reporter: a suite per agreement, a case per rule; what --fail-on counts fails, other unknowns are skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from obcheck.model import FAIL_ON, Outcome, Report
from obcheck.reporters import WholeReport
from obcheck.reporters.safe import xml
from obcheck.waivers import describe_waiver


class Reporter(WholeReport):
    def render(self, report: Report) -> str:
        # failures are exactly what makes the exit code 1: the outcomes --fail-on counts (none by default), less waived ones
        failing = FAIL_ON[self.options.get("fail_on", "never")]
        provisional = report.tool.get("provisional")
        root = ET.Element("testsuites", name=xml(f"obcheck (provisional: {provisional})" if provisional else "obcheck"))
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for a in report.agreements:
            gaps = sum(1 for f in a.findings if f.status in failing and not f.waiver)
            skipped = sum(1 for f in a.findings if f.waiver or (f.status is Outcome.UNKNOWN and f.status not in failing))
            # a draft's or reported document's suite says so in its name: CI pages show names, not properties
            suite = ET.SubElement(root, "testsuite", name=xml(a.id + (f" [{a.status}]" if a.provisional else "")), tests=str(len(a.findings)), failures=str(gaps), errors="0", skipped=str(skipped))
            totals["tests"] += len(a.findings)
            totals["failures"] += gaps
            totals["skipped"] += skipped
            for f in a.findings:
                case = ET.SubElement(suite, "testcase", classname=xml(f"{a.id}.{f.pack}"), name=xml(f.rule), file=xml(f.location.rpartition(":")[0]))
                if f.waiver:  # accepted: skipped with the reason, never failed
                    ET.SubElement(case, "skipped", message=xml(f"waived {describe_waiver(f.waiver)}: {f.message}"))
                elif f.status in failing:
                    ET.SubElement(case, "failure", message=xml(f.message), type=str(f.status)).text = xml(f"{f.location}: {f.message}\nremediation: {f.remediation}")
                elif f.status is Outcome.UNKNOWN:
                    ET.SubElement(case, "skipped", message=xml(f"unknown ({f.bound}): {f.message} Missing: {', '.join(f.missing)}"))
                else:
                    waived = f" (waived {describe_waiver(f.waiver)})" if f.waiver else ""
                    ET.SubElement(case, "system-out").text = xml(f"{f.status}: {f.message}{waived}")
        if report.errors:
            files = sorted({d.path for d in report.errors})
            suite = ET.SubElement(root, "testsuite", name="obcheck input", tests=str(len(files)), failures="0", errors=str(len(files)), skipped="0")
            for path in files:
                case = ET.SubElement(suite, "testcase", classname="obcheck.input", name=xml(path), file=xml(path))
                lines = [str(d) for d in report.errors if d.path == path]
                ET.SubElement(case, "error", message=xml(lines[0]), type="input").text = xml("\n".join(lines))
            totals["tests"] += len(files)
            totals["errors"] += len(files)
        if report.summary.waiver_notes:
            notes = report.summary.waiver_notes
            suite = ET.SubElement(root, "testsuite", name="obcheck waivers", tests=str(len(notes)), failures="0", errors="0", skipped="0")
            for d in notes:
                case = ET.SubElement(suite, "testcase", classname="obcheck.waivers", name=f"{d.path}:{d.line}", file=d.path)
                if d.message.startswith("waiver expired") and failing:  # fails CI exactly as under --fail-on (exit 1)
                    ET.SubElement(case, "failure", message=xml(d.message), type="expired-waiver").text = xml(str(d))
                    suite.set("failures", str(int(suite.get("failures", "0")) + 1))
                    totals["failures"] += 1
                else:
                    ET.SubElement(case, "skipped", message=xml(d.message))
                    suite.set("skipped", str(int(suite.get("skipped", "0")) + 1))
                    totals["skipped"] += 1
            totals["tests"] += len(notes)
        for key, value in totals.items():
            root.set(key, str(value))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
