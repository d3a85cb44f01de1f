"""Reports of a cn run are Chinese throughout: no English wording of the catalogues is left in
report.html, the workbook, the JSON/JUnit texts or the summary; every text a template or a
writer prints has a Chinese wording; eu runs stay English."""

from __future__ import annotations

import ast
import json
import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from harness.assemble import AppRequest, run_app
from harness.i18n import load_messages
from harness.reporting.build import build_summary

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "harness" / "reporting" / "templates"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: words that are names, not English prose: allowed in a Chinese page
NAMES = {"SDK", "API", "APIs", "App", "Hook", "HTTP", "HTTPS", "TLS", "QUIC", "XML", "JSON", "CMP", "MAC", "Wi-Fi", "ID", "IP", "UDP", "TCP", "CA"}


def _segments(template: str, min_len: int) -> list[str]:
    """The literal runs of an English wording (placeholders cut out) long enough to be telling."""
    out = []
    for lit, _name, _spec, _conv in string.Formatter().parse(template):
        for part in re.split(r"[()\[\];:,.]", lit):
            part = part.strip()
            if len(part) >= min_len and re.search(r"[a-z]{3,} [a-z]{3,}", part):
                out.append(part)
    return out


def _english_catalogue() -> list[str]:
    cat = load_messages()
    segs: set[str] = set()
    for en, zh in cat.ui.items():
        if en != zh:
            segs.update(_segments(en, 14))
    for entry in cat.messages.values():
        segs.update(_segments(entry["en"], 14))
    return sorted(segs)


class _Text(HTMLParser):
    """Visible text of a page, without style/script and without code/mono spans (names)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = (dict(attrs).get("class") or "").split()
        if tag in ("style", "script", "code") or "mono" in cls:
            self._skip.append(tag)
        elif self._skip:
            self._skip.append(tag) if tag not in ("br", "img", "input", "col", "meta", "link") else None
        for k, v in attrs:  # visible attribute texts
            if k in ("placeholder", "alt", "aria-label") and v and not self._skip:
                self.parts.append(v)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


@pytest.fixture(scope="module")
def cn_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("cn")
    runs = []
    for app, scenarios in (("net-precollect", "S2"), ("demo-precollect", "S1,S3"), ("parking-pay", "S5")):
        request = AppRequest(app=app, device="sim", scenario=scenarios, results=str(root), reports=("html", "xlsx", "json", "junit", "terminal"))
        runs += [Path(o.run_dir) for o in run_app(request)]
    return runs


def _leftovers(text: str, english: list[str]) -> list[str]:
    return [seg for seg in english if seg in text]


def test_cn_report_html_has_no_english_ui_or_message_wording(cn_runs: list[Path]) -> None:
    english = _english_catalogue()
    assert len(english) > 150
    for run in cn_runs:
        page = _Text()
        page.feed((run / "report.html").read_text("utf-8"))
        text = "\n".join(page.parts)
        assert CJK.search(text)
        left = _leftovers(text, english)
        assert not left, f"{run.name}: English wording left in the Chinese report: {left[:8]}"


def test_cn_workbook_json_junit_and_table_are_chinese(cn_runs: list[Path]) -> None:
    english = _english_catalogue()
    for run in cn_runs:
        wb = load_workbook(run / "report.xlsx", read_only=True)
        assert wb.sheetnames == ["发现", "证据", "API调用", "同意界面", "运行信息"]
        cells: list[str] = []
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            assert rows and all(CJK.search(str(h)) or str(h) in NAMES for h in rows[0] if h is not None), (ws.title, rows[0])
            cells += [str(v) for row in rows for v in row if isinstance(v, str)]
        wb.close()
        left = _leftovers("\n".join(cells), english)
        assert not left, f"{run.name}: English wording left in report.xlsx: {left[:8]}"
        doc = json.loads((run / "findings.json").read_text("utf-8"))
        assert doc["summary"]["lang"] == "zh"
        texts = [f["message"] for f in doc["findings"]] + [f["title"] for f in doc["findings"]] + [doc["summary"]["headline"]]
        texts += [n["text"] for n in doc["summary"]["notes"]]
        assert not _leftovers("\n".join(texts), english)
        for f in doc["findings"]:
            assert f["severity"] in ("high", "medium", "low", "info") and f["message_id"]  # machine fields stay codes
        junit = (run / "junit.xml").read_text("utf-8")
        assert not _leftovers(junit, english), _leftovers(junit, english)[:5]
        table = (run / "findings.txt").read_text("utf-8")
        assert not _leftovers(table, english)


def test_cn_summary_is_chinese_and_eu_summary_english(cn_runs: list[Path], tmp_path: Path) -> None:
    english = _english_catalogue()
    out = build_summary(cn_runs, tmp_path / "s", formats=("html", "xlsx"))
    page = _Text()
    page.feed(out["html"].read_text("utf-8"))
    assert not _leftovers("\n".join(page.parts), english)
    wb = load_workbook(out["xlsx"], read_only=True)
    assert wb.sheetnames == ["发现", "运行"]
    wb.close()
    out_en = build_summary(cn_runs, tmp_path / "e", formats=("html",), lang="en")
    assert "All findings" in out_en["html"].read_text("utf-8")


def test_eu_run_stays_english(tmp_path: Path) -> None:
    (out,) = list(run_app(AppRequest(app="demo-precollect", device="sim", scenario="S1", results=str(tmp_path), jurisdiction="eu", reports=("html", "xlsx"))))
    html = (Path(out.run_dir) / "report.html").read_text("utf-8")
    assert '<html lang="en">' in html and "Verdict summary" in html and "结论摘要" not in html
    wb = load_workbook(Path(out.run_dir) / "report.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Findings"
    wb.close()


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)


def test_templates_print_no_untranslated_english() -> None:
    """Every English text in the report templates goes through _() / _n() and has a Chinese
    wording; text left outside them would stay English in a Chinese report."""
    cat = load_messages()
    missing: list[str] = []
    raw: list[str] = []
    for name in ("report.html", "summary.html", "_macros.html", "checklist.html"):
        src = (TEMPLATES / name).read_text("utf-8")
        for m in re.finditer(r"""_n?\(\s*(["'])((?:\\.|(?!\1).)*)\1(?:\s*,\s*(["'])((?:\\.|(?!\3).)*)\3)?""", src):
            for key in (m.group(2), m.group(4)):
                if key and key.replace('\\"', '"') not in cat.ui:
                    missing.append(f"{name}: {key}")
        body = re.sub(r"<(style|script)\b.*?</\1>", " ", src.split("<body>", 1)[-1], flags=re.S)
        text = re.sub(r"&\w+;", " ", _TAG.sub(" ", _JINJA.sub(" ", body)))
        for word in re.findall(r"[A-Za-z][A-Za-z-]{2,}", text):
            if word not in NAMES and word not in ("consent-harness", "report", "html"):  # the tool's and a file's name (report.html)
                raw.append(f"{name}: {word}")
    assert not missing, f"template texts without a zh wording in report_ui.yaml: {missing}"
    assert not raw, f"English words in templates outside _(): {sorted(set(raw))}"


def test_writers_use_only_catalogued_wording() -> None:
    """ui()/uin() calls and Note.of templates in the report writers name texts that have a
    Chinese wording."""
    cat = load_messages()
    missing = []
    for path in sorted((ROOT / "harness" / "reporting").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
            args = node.args
            keys = []
            if name == "ui" and args:
                keys = [args[0]]
            elif name == "uin" and len(args) >= 2:
                keys = args[:2]
            elif name == "of" and isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name) and fn.value.id == "Note" and len(args) >= 2:
                keys = [args[1]]
            for k in keys:
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value not in cat.ui:
                    missing.append(f"{path.name}:{k.lineno}: {k.value!r}")
    assert not missing, missing


def test_data_wordings_the_reports_print_have_chinese() -> None:
    """The English texts a report prints from other catalogues (threshold sources and units in
    rules.yaml, the standard scenarios' descriptions) have a zh wording; a changed text there
    fails here until report_ui.yaml follows."""
    import yaml

    from harness.catalog.rules import load_rules
    from harness.reporting.build import SCENARIO_DESCRIPTIONS

    ui_map = load_messages().ui
    rules = load_rules()
    missing = []
    for rule in rules.rules.values():
        for name in rule.thresholds:
            for jid in rules.jurisdictions:
                th = rules.threshold(rule.id, name, jid)
                for text in (th.source, th.unit):
                    if text and re.search(r"[A-Za-z]{2,}", text) and text not in ui_map:
                        missing.append(f"{rule.id}.{name} ({jid}): {text!r}")
    for rid, rule in rules.rules.items():
        if rule.check not in ui_map:  # what the rule checks (explain --lang zh)
            missing.append(f"{rid}: check")
        for c in rules.citations(rid, "cn"):
            if re.search(r"[A-Za-z]{3,} [a-z]{3,}", c.article) and c.article not in ui_map:
                missing.append(f"{rid} citation {c.document}: {c.article!r}")
    for path in sorted((ROOT / "harness").glob("**/scenarios/**/*.yaml")):
        desc = yaml.safe_load(path.read_text("utf-8")).get("description", "")
        if desc and desc.strip() not in ui_map:
            missing.append(f"{path.name}: description")
    missing += [f"SCENARIO_DESCRIPTIONS {k}" for k, v in SCENARIO_DESCRIPTIONS.items() if v not in ui_map]
    assert not missing, missing


def test_hostile_app_text_in_message_arguments_stays_text_in_every_language(tmp_path: Path) -> None:
    """App texts reach a Chinese message as arguments: in report.html they are escaped, bidi
    controls are shown as markers, and nothing inside them is taken as a placeholder; in the
    workbook a formula start stays text."""
    from dataclasses import replace

    from reportkit import make_finding, make_run

    from harness.i18n import Msg
    from harness.reporting.build import build_reports
    from harness.rundir import RunDir

    run = make_run(tmp_path)  # analysed under cn
    hostile = '<img src=x onerror=alert(1)>{who}\u202eexe.txt'
    formula = "=HYPERLINK(\"http://x\",\"y\")"
    msg = Msg.of("R12.ambiguous", subject=Msg.of("subject.privacy_policy"), texts=(hostile, formula))
    f = replace(make_finding("R12", "high", "violation", (1,), title="", message="plain"), msg=msg, title="")
    with open(RunDir(run).findings, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
    out = build_reports(run, ("html", "xlsx"))
    html = out["html"].read_text("utf-8")
    assert "隐私政策弹窗以含糊的措辞征求同意" in html
    assert "&lt;img src=x onerror=alert(1)&gt;{who}[U+202E]exe.txt" in html
    assert "<img src=x" not in html and "\u202e" not in html
    wb = load_workbook(out["xlsx"])
    cells = [c.value for row in wb["发现"].iter_rows() for c in row if isinstance(c.value, str)]
    msg_cell = next(c for c in cells if "含糊的措辞" in c)
    assert "[U+202E]" in msg_cell and formula in msg_cell
    assert not any(isinstance(c.value, str) and c.data_type == "f" for row in wb["发现"].iter_rows() for c in row)


def test_cn_checklist_page_workbook_and_json_are_chinese(cn_runs: list[Path], tmp_path: Path) -> None:
    """The checklist prints its wording from the same catalogue as the run report: no English of
    it (or of any other catalogue wording) is left in a Chinese checklist; en stays English."""
    from harness.reporting.checklist import write_checklist

    english = _english_catalogue()
    assert "How counts are made" in load_messages().ui  # the checklist's wording is catalogued
    written = write_checklist(cn_runs, tmp_path / "ck", formats=("html", "xlsx", "json"))
    assert written
    for package, paths in written.items():
        page = _Text()
        page.feed(paths["html"].read_text("utf-8"))
        left = _leftovers("\n".join(page.parts), english)
        assert not left, f"{package}: English wording left in the Chinese checklist: {left[:8]}"
        assert "已完成" in page.parts and "completed" not in page.parts  # run status by its glossary name
        assert not [p for p in page.parts if p.startswith("cn · China")]  # the profile by its zh name
        wb = load_workbook(paths["xlsx"], read_only=True)
        assert wb.sheetnames == ["清单", "发现", "图例"]
        cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
        wb.close()
        left = _leftovers("\n".join(cells), english)
        assert not left, f"{package}: English wording left in the Chinese checklist workbook: {left[:8]}"
        doc = json.loads(paths["json"].read_text("utf-8"))  # reasons are in the report language (codes stay codes)
        reasons = [r for row in doc["items"] for r in row["reasons"]]
        assert reasons and not _leftovers("\n".join(reasons), english)
    en = write_checklist(cn_runs[:1], tmp_path / "en", formats=("html",), lang="en")
    html = next(iter(en.values()))["html"].read_text("utf-8")
    assert "How counts are made" in html and "计数方法" not in html
