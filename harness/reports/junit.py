"""JUnit XML: one test case per gate and one per recording."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harness.reports.model import RecordingView, ReportView, headline_figures


def _suite(root: ET.Element, name: str, cases: list[ET.Element]) -> None:
    counts = {kind: str(sum(1 for c in cases if c.find(kind) is not None)) for kind in OUTCOMES}
    suite = ET.SubElement(
        root, "testsuite", name=name, tests=str(len(cases)),
        failures=counts["failure"], errors=counts["error"], skipped=counts["skipped"],
    )
    suite.extend(cases)


OUTCOMES = ("failure", "error", "skipped")
GATE_OUTCOMES = {"pass": "ok", "fail": "failure", "skipped": "skipped"}


def _case(classname: str, name: str, outcome: str, message: str, text: str = "") -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=name)
    if outcome in OUTCOMES:
        ET.SubElement(case, outcome, message=message).text = text or message
    return case


def _gate_case(name: str, gate: dict) -> ET.Element:
    """The gate's test case, its headline figures as properties and its reason as output."""
    case = _case("gates", name, GATE_OUTCOMES.get(gate["decision"], "failure"), gate["reason"])
    properties = ET.Element("properties")
    for label, value in headline_figures(name, gate):
        ET.SubElement(properties, "property", name=label, value=value)
    case.insert(0, properties)
    ET.SubElement(case, "system-out").text = gate["reason"]
    return case


def _gate_cases(view: ReportView) -> list[ET.Element]:
    cases = [_gate_case(name, gate) for name, gate in view.gates.items()]
    return cases + [_case("gates", name, "error", error) for name, error in view.errors.items()]


def _recording_case(rec: RecordingView) -> ET.Element:
    if rec.error:
        return _case("recordings", rec.name, "error", rec.error)
    details = "\n".join(
        f"{d.client} frame {d.frame} {d.path} ({d.kind}): legacy {d.legacy} candidate {d.candidate}"
        for d in rec.differences
    )
    return _case(
        "recordings", rec.name, "ok" if rec.ok else "failure", f"{len(rec.differences)} unwaived difference(s)", details
    )


def render_junit(view: ReportView) -> str:
    """The JUnit XML document."""
    root = ET.Element("testsuites", name="harness gate")
    _suite(root, "gates", _gate_cases(view))
    _suite(root, "recordings", [_recording_case(r) for r in view.recordings])
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
