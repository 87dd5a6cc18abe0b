"""JUnit XML, the format CI systems (GitHub, GitLab, Jenkins) read test results in.

One ``<testcase>`` per stage: a failed or timed-out stage carries ``<failure>`` with the
learner-facing message, an internal error ``<error>``, a stage not run ``<skipped>``; the
stage's session log goes to ``<system-out>``. A batch is one ``<testsuite>`` per submission.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from crack.reporters.documents import Document, xml_safe


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _testcase(suite: ET.Element, challenge: str, stage: Mapping[str, Any]) -> None:
    case = _sub(
        suite,
        "testcase",
        classname=f"crack.{challenge}",
        name=stage["slug"],
        time=f"{stage['duration_s']:.3f}",
    )
    status, message = stage["status"], stage["message"]
    if status in ("failed", "timed_out"):
        _sub(case, "failure", message, message=_first_line(message), type=status)
    elif status == "error":
        _sub(case, "error", message, message=_first_line(message), type="internal-error")
    elif status == "skipped":
        _sub(case, "skipped", message=_first_line(message) or "not run")
    if stage["log"]:
        _sub(case, "system-out", stage["log"])


def _suite(parent: ET.Element, name: str, document: Document, error: str | None = None) -> ET.Element:
    stages = document["stages"]
    counts = {s: sum(stage["status"] == s for stage in stages) for s in ("failed", "timed_out", "error")}
    suite = _sub(
        parent,
        "testsuite",
        name=name,
        tests=str(len(stages) + (1 if error else 0)),
        failures=str(counts["failed"] + counts["timed_out"]),
        errors=str(counts["error"] + (1 if error else 0)),
        skipped=str(sum(stage["status"] == "skipped" for stage in stages)),
        time=f"{sum(stage['duration_s'] for stage in stages):.3f}",
    )
    properties = _sub(suite, "properties")
    for key in ("challenge", "program", "seed", "isolation", "score", "max_score"):
        _sub(properties, "property", name=key, value=str(document[key]))
    if error:
        # A submission that could not be graded at all: one erroring case says why, so a CI
        # dashboard shows it as broken rather than as merely skipped.
        case = _sub(suite, "testcase", classname=f"crack.{document['challenge']}", name="(grading)", time="0")
        _sub(case, "error", error, message=_first_line(error), type="not-graded")
    for stage in stages:
        _testcase(suite, document["challenge"], stage)
    return suite


def _serialise(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _totals(root: ET.Element, suites: Iterable[ET.Element]) -> None:
    suites = list(suites)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.set("time", f"{sum(float(s.get('time', '0')) for s in suites):.3f}")


def render_junit(document: Document) -> str:
    """One test report as JUnit XML: one testsuite named after the challenge."""
    root = ET.Element("testsuites", {"name": "crack"})
    suite = _suite(root, document["challenge"], document)
    _totals(root, [suite])
    return _serialise(root)


def render_junit_batch(batch: Document) -> str:
    """A batch report as JUnit XML: one testsuite per submission, named after it."""
    root = ET.Element("testsuites", {"name": f"crack grade {batch['challenge']}"})
    suites = [_suite(root, entry["name"], entry, entry.get("error")) for entry in batch["submissions"]]
    _totals(root, suites)
    return _serialise(root)
