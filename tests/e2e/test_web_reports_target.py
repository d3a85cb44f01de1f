"""Reports say what was tested: one of the harness's reference pages (a simulated target in a
real Chromium, labelled like the reference device's SIMULATED runs) or a real URL. Both runs are
real: the reference page from the harness's loopback server, the "real URL" a page served by a
plain HTTP server on 127.0.0.1 that the harness knows nothing about. Checked in the HTML, JSON,
XLSX reports and the 认定方法 checklist."""

from __future__ import annotations

import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from harness.assemble import AppRequest, run_app
from harness.reporting.build import build_summary
from harness.reporting.checklist import write_checklist

pytestmark = pytest.mark.chromium
pytest.importorskip("playwright")
if shutil.which("chromium") is None:
    pytest.skip("needs Debian's chromium", allow_module_level=True)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Lot 5 parking</title></head>
<body><h1>Lot 5 · pay for parking</h1><input id="plate" placeholder="Plate number"><button id="pay">Pay</button></body></html>"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _xlsx_facts(path: Path) -> dict[str, str]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            facts = {str(r[0]): str(r[1]) for r in rows if r and len(r) >= 2 and r[0] is not None}
            if "SIMULATED" in facts:
                return facts
    finally:
        wb.close()
    raise AssertionError("no run facts sheet with a SIMULATED row")


def _run(app: str, results: Path, lang: str = "en") -> Path:
    (out,) = list(run_app(AppRequest(app=app, device="web", scenario="W1", results=str(results), reports=("html", "json", "xlsx"), lang=lang)))
    return out.run_dir


def test_reports_say_reference_page_or_real_url(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "pay.html").write_text(PAGE, encoding="utf-8")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/pay.html"
        page_run = _run("parking-implied", tmp_path / "a")
        url_run = _run(url, tmp_path / "b")
        page_run_zh = _run("parking-implied", tmp_path / "c", lang="zh")
    finally:
        httpd.shutdown()
        httpd.server_close()

    # the reference page: a simulated target, said so everywhere
    html = (page_run / "report.html").read_text(encoding="utf-8")
    assert "SIMULATED TARGET" in html and "reference page" in html and "reference device, not a real app" not in html
    doc = json.loads((page_run / "findings.json").read_text(encoding="utf-8"))
    assert doc["run"]["simulated"] is True
    assert doc["summary"]["target"]["kind"] == "reference-page" and "parking-implied" in doc["summary"]["target"]["where"]
    facts = _xlsx_facts(page_run / "report.xlsx")
    assert facts["SIMULATED"].startswith("YES: reference page") and facts["target"].startswith("reference page")
    # the same in a Chinese report
    html = (page_run_zh / "report.html").read_text(encoding="utf-8")
    assert "模拟目标" in html and "参考页面" in html and "参考设备，并非真实应用" not in html

    # the real URL: not simulated, and the URL is named
    html = (url_run / "report.html").read_text(encoding="utf-8")
    assert 'id="simulated"' not in html and "real URL" in html and url in html
    doc = json.loads((url_run / "findings.json").read_text(encoding="utf-8"))
    assert doc["run"]["simulated"] is False
    assert doc["summary"]["target"] == {**doc["summary"]["target"], "kind": "url", "simulated": False, "where": url}
    facts = _xlsx_facts(url_run / "report.xlsx")
    assert facts["SIMULATED"] == "no" and facts["target"] == f"real URL: {url}"

    # the checklist of each target (HTML and JSON), and the summary over both
    written = write_checklist([page_run, url_run], tmp_path / "checklists", formats=("html", "json"))
    docs = {}
    for paths in written.values():
        d = json.loads(paths["json"].read_text(encoding="utf-8"))
        docs[d["target"]["kind"]] = (d, paths["html"].read_text(encoding="utf-8"))
    assert set(docs) == {"reference-page", "url"}
    page_doc, page_html = docs["reference-page"]
    url_doc, url_html = docs["url"]
    assert page_doc["simulated"] is True and "模拟目标" in page_html
    assert url_doc["simulated"] is False and "真实网址" in url_html and url in url_html
    out = tmp_path / "summary"
    build_summary([page_run, url_run], out, formats=("html",), lang="en")
    assert "reference pages" in (out / "summary.html").read_text(encoding="utf-8")
