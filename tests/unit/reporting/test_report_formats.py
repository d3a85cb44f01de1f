"""report.xlsx, summary.xlsx, findings.json and junit.xml."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reportkit import FORMULA, make_run

from harness.reporting.build import build_reports, build_summary, load_run
from harness.reporting.frames import FINDING_COLUMNS
from harness.reporting.json_report import SCHEMA_VERSION, render_findings_json
from harness.reporting.junit import render_junit
from harness.reporting.xlsx import RUN_COLUMNS

# -- Excel ------------------------------------------------------------------------------------


def test_run_workbook_sheets_and_layout(tmp_path: Path) -> None:
    path = build_reports(make_run(tmp_path), ("xlsx",), lang="en")["xlsx"]
    wb = load_workbook(path)
    assert wb.sheetnames == ["Findings", "Evidence", "API calls", "Screens", "Run"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws["A1"].font.bold
    fs = wb["Findings"]
    assert tuple(c.value for c in fs[1]) == FINDING_COLUMNS
    assert fs.max_row == 6
    sev_col = FINDING_COLUMNS.index("severity") + 1
    assert fs.cell(2, sev_col).value == "high"
    assert fs.cell(2, sev_col).fill.fgColor.rgb.endswith("F4CCCA")
    msg_col = FINDING_COLUMNS.index("message") + 1
    assert fs.column_dimensions["M"].width >= 40 and msg_col == 13
    # Evidence: one row per (finding, seq): 3 + 7 + 2 + 1 + 1
    assert wb["Evidence"].max_row == 1 + 14
    api = wb["API calls"]
    assert api.max_row == 1 + 11  # eleven ApiCall events in the run
    head = [c.value for c in api[1]]
    rows = [dict(zip(head, (c.value for c in r), strict=True)) for r in api.iter_rows(min_row=2)]
    assert {r["phase"] for r in rows} == {"before any prompt", "prompt visible", "after decline"}
    assert any(r["background"] is True and r["category"] == "LOCATION" for r in rows)
    screens = wb["Screens"]
    assert screens.max_row == 4
    assert "同意并继续" in str(screens.cell(2, 7).value)  # Chinese text intact
    run_facts = {r[0].value: r[1].value for r in wb["Run"].iter_rows(min_row=2)}
    assert str(run_facts["SIMULATED"]).startswith("YES")
    assert run_facts["app"] == "点餐助手" and run_facts["findings.high"] == 2


def test_workbook_keeps_hostile_text_as_text(tmp_path: Path) -> None:
    path = build_reports(make_run(tmp_path, hostile=True), ("xlsx",), lang="en")["xlsx"]
    ws = load_workbook(path)["Findings"]
    col = FINDING_COLUMNS.index("message") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
    formula = [c for c in cells if "=HYPERLINK" in str(c.value)]
    assert len(formula) == 1
    assert formula[0].data_type == "s" and str(formula[0].value).startswith("'" + FORMULA)
    assert all("\x1b" not in str(c.value) for c in cells)


def test_summary_workbook(tmp_path: Path) -> None:
    runs = [make_run(tmp_path, "a"), make_run(tmp_path, "b", scenario="S3", with_findings=False)]
    out = build_summary([*runs, tmp_path / "missing"], tmp_path / "out", lang="en")
    wb = load_workbook(out["xlsx"])
    assert wb.sheetnames == ["Findings", "Runs"]
    assert wb["Findings"].max_row == 1 + 5
    runs_ws = wb["Runs"]
    assert tuple(c.value for c in runs_ws[1]) == RUN_COLUMNS
    assert runs_ws.max_row == 1 + 3
    status = {r[0].value: r[RUN_COLUMNS.index("status")].value for r in runs_ws.iter_rows(min_row=2)}
    assert status[str(tmp_path / "missing")] == "missing"
    assert runs_ws.freeze_panes == "A2" and runs_ws.auto_filter.ref == f"A1:T{runs_ws.max_row}"


# -- findings.json ----------------------------------------------------------------------------


def test_findings_json_document(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    doc = json.loads(build_reports(run, ("json",), lang="en")["json"].read_text(encoding="utf-8"))
    assert set(doc) == {"schema", "generator", "run", "analysis", "findings", "summary"}
    assert doc["schema"] == SCHEMA_VERSION
    assert doc["run"]["package"] == "com.example.diancan" and doc["run"]["simulated"] is True
    assert doc["analysis"]["jurisdiction"] == "cn"
    assert [f["rule_id"] for f in doc["findings"]] == ["R09", "R10", "R22", "R42", "R27"]
    assert set(doc["findings"][0]["row"]) == set(FINDING_COLUMNS)
    s = doc["summary"]
    assert s["status"] == "violation" and s["analysed"] is True and s["findings"] == 5
    assert s["by_severity"] == {"high": 2, "medium": 1, "low": 1, "info": 1}
    assert s["by_verdict"] == {"violation": 3, "needs-review": 1, "info": 1}
    assert s["worst_severity"] == "high"
    assert s["api_calls"]["total"] == 13  # eleven events, one of them count=3
    assert s["api_calls"]["by_phase"] == {"pre_prompt": 2, "prompt": 1, "dismissed": 0, "declined": 10, "accepted": 0}
    assert s["api_calls"]["by_sdk"]["umeng"] == 7
    assert s["errors"][-1] == {"source": "detector", "where": "R26", "message": "frequency detector crashed: division by zero", "t": ""}
    # deterministic: same input, same bytes
    assert render_findings_json(load_run(run, lang="en")) == render_findings_json(load_run(run, lang="en"))


def test_findings_json_when_not_analysed_and_with_nan(tmp_path: Path) -> None:
    run = make_run(tmp_path, with_findings=False)
    (run / "run.json").write_text('{"run_id": "x", "package": "p", "app": "p", "scenario": "S1", "device": {"temp": NaN}, "simulated": false, "harness_version": "0"}', encoding="utf-8")
    text = render_findings_json(load_run(run, lang="en"))
    assert "NaN" not in text
    doc = json.loads(text)
    assert doc["run"]["device"]["temp"] is None
    assert doc["findings"] == [] and doc["summary"]["status"] == "not-analysed" and doc["summary"]["analysed"] is False
    assert any("findings.jsonl is missing" in n["message"] for n in doc["summary"]["notes"])


# -- junit.xml --------------------------------------------------------------------------------


def _suite(xml_text: str) -> tuple[ET.Element, ET.Element]:
    root = ET.fromstring(xml_text)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return root, suites[0]


@pytest.mark.parametrize(("fail_on", "failures"), [("high", 2), ("medium", 3), ("low", 4), ("info", 5)])
def test_junit_counts(tmp_path: Path, fail_on: str, failures: int) -> None:
    root, suite = _suite(render_junit([load_run(make_run(tmp_path), lang="en")], fail_on=fail_on))
    cases = suite.findall("testcase")
    # 8 rules checked + "run completed" + one crashed detector
    assert len(cases) == 10 and suite.get("tests") == "10" and root.get("tests") == "10"
    assert suite.get("failures") == str(failures) == root.get("failures")
    assert len([c for c in cases if c.find("failure") is not None]) == failures
    assert suite.get("errors") == "1"
    [err] = [c for c in cases if c.find("error") is not None]
    assert err.get("name") == "detector R26"
    r09 = next(c for c in cases if (c.get("name") or "").startswith("R09"))
    fail = r09.find("failure")
    assert fail is not None and fail.get("type") == "high" and "evidence #5" in (fail.text or "")
    assert "[SIMULATED]" in (suite.get("name") or "")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["simulated"] == "true" and props["hook_pack"] == "sha256:4f1c2a9e0d7b"


def test_junit_low_findings_go_to_system_out(tmp_path: Path) -> None:
    _, suite = _suite(render_junit([load_run(make_run(tmp_path), lang="en")], fail_on="high"))
    r22 = next(c for c in suite.findall("testcase") if (c.get("name") or "").startswith("R22"))
    assert r22.find("failure") is None
    out = r22.find("system-out")
    assert out is not None and "below fail_on=high" in (out.text or "")


def test_junit_not_analysed_and_aborted(tmp_path: Path) -> None:
    run = make_run(tmp_path, with_findings=False, with_analysis=False)
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    info["status"] = "aborted"
    (run / "run.json").write_text(json.dumps(info), encoding="utf-8")
    _, suite = _suite(build_reports(run, ("junit",), lang="en")["junit"].read_text(encoding="utf-8"))
    assert suite.get("skipped") == "1" and suite.get("errors") == "1" and suite.get("tests") == "2"


def test_junit_parses_with_hostile_text_and_several_runs(tmp_path: Path) -> None:
    runs = [load_run(make_run(tmp_path, "h", hostile=True), lang="en"), load_run(make_run(tmp_path, "n"), lang="en")]
    text = render_junit(runs)
    root = ET.fromstring(text)  # would raise on a forbidden control character
    assert len(root.findall("testsuite")) == 2 and root.get("tests") == "20" and root.get("failures") == "6"
    assert "\x1b" not in text and "\x01" not in text
    with pytest.raises(ValueError, match="fail_on"):
        render_junit(runs, fail_on="critical")
