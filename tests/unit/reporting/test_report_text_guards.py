"""Text going out (issue 12, items 5, 6 and the bidi low item): XLSX cells a spreadsheet would run
as formulas get OWASP's leading quote, bidi overrides show as visible markers in HTML and XLSX,
and terminal output loses escapes and bidi controls through one helper."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reportkit import make_finding, make_run

from harness.reporting.build import build_reports, build_summary
from harness.reporting.terminal import print_findings_table
from harness.rundir import RunDir
from harness.textout import (
    BIDI_CONTROLS,
    FORMULA_STARTS,
    SafeTextStream,
    for_terminal,
    guard_formula,
    neutralise_bidi,
)

RLO = "\u202e"
SPOOF = f"invoice{RLO}gnp.exe"  # shows as "invoiceexe.png" when the override is honoured
STARTS = ["@SUM(1,2)", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1"]


def _hostile_run(root: Path) -> Path:
    run = make_run(root, label=SPOOF)
    rd = RunDir(run)
    findings = [make_finding("R42", "low", "needs-review", (1,), title=SPOOF, message=m, t=1.0) for m in STARTS]
    findings.append(make_finding("R09", "high", "violation", (1,), title="bidi", message=f"component {SPOOF}", sdk=f"sdk{RLO}x", t=1.0))
    rd.findings.write_text("".join(json.dumps(f.to_dict(), ensure_ascii=False) + "\n" for f in findings), encoding="utf-8")
    return run


def _cells(path: Path) -> list[object]:
    wb = load_workbook(path)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


@pytest.mark.parametrize("summary", [False, True])
def test_workbooks_guard_formulas_and_show_bidi_controls(tmp_path: Path, summary: bool) -> None:
    run = _hostile_run(tmp_path)
    path = build_summary([run], tmp_path / "out")["xlsx"] if summary else build_reports(run, ("xlsx",))["xlsx"]
    texts = [v for v in _cells(path) if isinstance(v, str)]
    assert texts
    for v in texts:
        assert not v.startswith(FORMULA_STARTS), repr(v)
        assert not any(ch in BIDI_CONTROLS for ch in v), repr(v)
    for m in STARTS:
        assert "'" + m in texts, m
    assert any("invoice[U+202E]gnp.exe" in v for v in texts)


def test_html_shows_bidi_controls_as_markers(tmp_path: Path) -> None:
    run = _hostile_run(tmp_path)
    for html in (build_reports(run, ("html",))["html"], build_summary([run], tmp_path / "out")["html"]):
        page = Path(html).read_text(encoding="utf-8")
        assert not any(ch in BIDI_CONTROLS for ch in page), html
        assert "invoice[U+202E]gnp.exe" in page


def test_for_terminal_removes_escapes_controls_and_bidi() -> None:
    hostile = "v1\x1b[2J\x1b[H\x1b]0;owned\x07\x1b]8;;http://x\x1b\\link\x9b31m\rfindings 0\x08\x00" + RLO + "gnp.exe\u2066x\u2069"
    out = for_terminal(hostile)
    assert out == "v1linkfindings 0gnp.exex"
    assert for_terminal("a\tb\nc") == "a\tb\nc"
    assert for_terminal("a\tb\nc\u2028d", one_line=True) == "a b c d"
    assert for_terminal("点餐助手 👩‍💻") == "点餐助手 👩‍💻"  # text and emoji joiners stay


def test_guards_leave_ordinary_text_alone() -> None:
    assert guard_formula("plain =1") == "plain =1" and guard_formula("") == ""
    assert guard_formula("=1") == "'=1"
    assert neutralise_bidi("مرحبا hello") == "مرحبا hello"  # right-to-left text itself is fine
    assert neutralise_bidi("a\u200fb") == "a[U+200F]b"


def test_safe_stream_filters_every_write() -> None:
    raw = io.StringIO()
    s = SafeTextStream(raw)
    print("ok\x1b[2J", RLO, "\rdone", file=s)
    assert raw.getvalue() == "ok  done\n"


def test_findings_table_cleans_cells_with_the_same_helper(tmp_path: Path) -> None:
    raw = io.StringIO()
    rows = [{"package": f"p{RLO}kg\x1b[2J", "scenario": "S1", "rule_id": "R09", "severity": "high", "verdict": "violation", "message": f"msg\r\x1b]0;t\x07{SPOOF}", "t": 1.0}]
    print_findings_table(rows, SafeTextStream(raw), color=True, width=120)
    out = raw.getvalue()
    assert RLO not in out and "\r" not in out and "\x1b]" not in out and "\x1b[2J" not in out
    assert "\x1b[1;31m" in out  # the table's own colour still reaches a colour terminal


def test_checklist_and_compare_pages_show_bidi_markers(tmp_path: Path) -> None:
    from harness.handover.compare import compare, render_html
    from harness.reporting.checklist import write_checklist

    before, after = tmp_path / "a", tmp_path / "b"
    _hostile_run(before)
    run = _hostile_run(after)
    rd = RunDir(run)
    # one finding only in the later run, its title and message carrying the override
    extra = make_finding("R10", "high", "violation", (2,), title=SPOOF, message=f"after {SPOOF}", t=2.0)
    with open(rd.findings, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(extra.to_dict(), ensure_ascii=False) + "\n")
    pages = [render_html(compare(before, after))]
    for paths in write_checklist([run], tmp_path / "ck", formats=["html"], lang="en").values():
        pages += [Path(p).read_text(encoding="utf-8") for k, p in paths.items() if k == "html"]
    assert len(pages) == 2
    for page in pages:
        assert not any(ch in BIDI_CONTROLS for ch in page)
    assert "invoice[U+202E]gnp.exe" in pages[0]
