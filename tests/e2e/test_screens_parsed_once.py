"""Every screen dump goes through the one bounded parser (harness.consent_ui.parse), once per
read: a dump it refuses (here 300 000 nodes, over the node limit) is refused once and no other
XML reader in the harness looks at it afterwards (the recogniser, page texts, the feature taps and
``explore`` all read the parsed tree)."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pytest

import harness.scenarios.context as runner_mod
from harness.assemble import resolve_app
from harness.consent_ui.parse import MAX_NODES
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.events import ErrorRecord, RunMarker, UiSnapshot
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios.loader import load_scenario
from harness.timeline import Timeline

ROOT = Path(__file__).resolve().parents[2]
HUGE_NODES = 300_000
assert HUGE_NODES > MAX_NODES


class HugeScreenDriver(SimDriver):
    """The reference device, except that after launch every dump has 300 000 nodes."""

    def __init__(self) -> None:
        super().__init__()
        self.launched = False
        self.reads = 0
        self.huge_reads = 0
        node = '<node text="x" bounds="[0,0][1,1]"/>'  # 300k of them stay under the byte limit
        self.huge = '<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0">' + node * HUGE_NODES + "</hierarchy>"

    def launch(self, package: str) -> None:
        super().launch(package)
        self.launched = True

    def hierarchy(self) -> str:
        self.reads += 1
        if self.launched:
            self.huge_reads += 1
            return self.huge
        return super().hierarchy()


def _forbidden(*_: Any, **__: Any) -> Any:
    raise AssertionError("a screen dump was parsed outside the one bounded parser")


@pytest.mark.timeout(300)
def test_huge_dump_is_refused_once_and_parsed_by_nothing_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = 0
    real_create = expat.ParserCreate

    def counting_create(*a: Any, **k: Any) -> Any:
        nonlocal created
        created += 1
        return real_create(*a, **k)

    parsed = 0
    real_parse = runner_mod.parse_hierarchy

    def counting_parse(xml: Any) -> Any:
        nonlocal parsed
        parsed += 1
        return real_parse(xml)

    # the one parser makes at most one expat parser per read; every other stdlib XML reader is refused
    monkeypatch.setattr(runner_mod, "parse_hierarchy", counting_parse)
    monkeypatch.setattr(expat, "ParserCreate", counting_create)
    for name in ("fromstring", "XML", "parse", "iterparse", "XMLParser", "XMLPullParser"):
        monkeypatch.setattr(ET, name, _forbidden)
    import defusedxml.ElementTree as SafeET

    for name in ("fromstring", "XML", "parse", "iterparse"):
        monkeypatch.setattr(SafeET, name, _forbidden)

    driver = HugeScreenDriver()
    app = resolve_app(driver, "clean-parking")
    scenario = load_scenario(
        {
            "id": "SX",
            "steps": [
                {"launch": {"clear": True, "wait": 0}},
                {"decide_privacy": {"choice": "decline", "wait": 0}},
                {"tap": "no_such_control"},
                {"exercise": "all"},
                {"explore": {"max_screens": 2, "max_depth": 1}},
            ],
        }
    )
    res = Runner(driver, SimInstrumentation(driver), tmp_path).run(app, scenario)
    events = list(Timeline.read(RunDir(res.run_dir).timeline))
    # the scenario's tap on a control that is not there could not be carried out: steps-failed
    assert isinstance(events[-1], RunMarker) and events[-1].status == "steps-failed"
    assert driver.huge_reads >= 5  # every step read the screen
    # one parse per read of the screen, and no other parser ran (the forbidden ones would raise):
    # the huge dumps are refused by the node count before expat starts, the others use one each
    assert parsed == driver.reads
    assert created == driver.reads - driver.huge_reads
    refusals = [e for e in events if isinstance(e, ErrorRecord) and e.where == "consent_ui"]
    assert len(refusals) == driver.huge_reads
    assert all(f"more than {MAX_NODES} nodes" in e.message for e in refusals)
    # the refused screen is read as unknown, with no page text taken from it
    huge = [s for s in events if isinstance(s, UiSnapshot) and s.t >= refusals[0].t]
    assert huge and all(s.screen_kind == "other" for s in huge)
    assert all(s.texts == () and s.texts_omitted == 0 for s in huge)


_XML_MODULES = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "defusedxml", "lxml", "expat")


def test_no_other_module_of_the_harness_reads_xml() -> None:
    """Statically: only the parser module imports an XML reader (the JUnit report builds XML
    with ElementTree and never parses any; the reference device escapes with saxutils)."""
    offenders = []
    for path in sorted((ROOT / "harness").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            names = [n for n in names if not n.startswith("xml.sax.saxutils")]  # escaping, for writers
            if any(n.startswith(m) for n in names for m in _XML_MODULES):
                offenders.append(rel)
    assert sorted(set(offenders)) == ["harness/consent_ui/parse.py", "harness/reporting/junit.py"]
    junit = (ROOT / "harness/reporting/junit.py").read_text(encoding="utf-8")
    for call in ("fromstring(", "ET.parse(", "iterparse(", "XMLParser(", "ET.XML("):
        assert call not in junit
