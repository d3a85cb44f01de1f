"""The HTML run report and summary page: content, self-containment and escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from reportkit import IMG, SCRIPT, make_run

from harness.reporting.build import build_reports, build_summary, load_run
from harness.reporting.html import render_run_html, render_summary_html, screen_wireframe, timeline_shapes


class _Tags(HTMLParser):
    """Collects every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


def test_run_report_sections_and_rows(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    html = build_reports(run, ("html",), lang="en")["html"].read_text(encoding="utf-8")
    tags = _parse(html)
    ids = {a.get("id") for _, a in tags.tags}
    for section in ("run", "summary", "timeline", "findings", "evidence", "screens", "apis", "errors", "simulated"):
        assert section in ids, section
    finding_rows = [a for t, a in tags.tags if t == "tr" and "finding" in (a.get("class") or "").split()]
    assert len(finding_rows) == 5
    text = "".join(tags.text)
    assert "点餐助手" in text and "com.example.diancan" in text
    assert "SIMULATED — reference device, not a real app" in text
    assert "Decline the privacy policy" in text  # what the scenario does
    assert "sha256:4f1c2a9e0d7b" in text  # hook pack hash
    assert "3 violations found" in text
    assert "frequency detector crashed" in text and "hierarchy dump timed out" in text
    # evidence: every cited seq has an anchor the table links to
    for s in (5, 6, 7, 16, 21, 14):
        assert 'id="ev-' in html and re.search(rf'id="ev-\d+-{s}"', html), s
    # the stack is there, folded
    assert "<details><summary>stack (3 frames)</summary>" in html
    assert "com.umeng.commonsdk.UMConfigure.init" in text
    # thresholds carry their provenance
    assert "calls = 1 call" in text and 'class="tag law"' in html


def test_real_device_run_has_no_simulated_banner(tmp_path: Path) -> None:
    html = render_run_html(load_run(make_run(tmp_path, simulated=False), lang="en"))
    assert 'id="simulated"' not in html and "SIMULATED —" not in html


def test_self_contained_no_script_no_external_fetch(tmp_path: Path) -> None:
    html = render_run_html(load_run(make_run(tmp_path), lang="en"))
    tags = _parse(html)
    names = [t for t, _ in tags.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names
    for _t, attrs in tags.tags:
        for key in ("src", "href"):
            v = attrs.get(key) or ""
            assert not re.match(r"^(https?:|//|javascript:)", v, re.I), (key, v)
    assert "<style>" in html and "<svg" in html
    imgs = [a for t, a in tags.tags if t == "img"]
    assert len(imgs) == 1 and (imgs[0]["src"] or "").startswith("data:image/png;base64,")


def test_hostile_texts_are_escaped(tmp_path: Path) -> None:
    run = make_run(tmp_path, hostile=True)
    html = build_reports(run, ("html",), lang="en")["html"].read_text(encoding="utf-8")
    assert SCRIPT not in html and IMG not in html
    assert "<script>" not in html
    tags = _parse(html)
    assert all(t != "script" for t, _ in tags.tags)
    for t, attrs in tags.tags:
        assert not any(k.startswith("on") for k in attrs), (t, attrs)
        assert not (t == "img" and attrs.get("src") == "x")
    # the hostile text is still shown, as text
    text = "".join(tags.text)
    assert "<script>document.title='PWNED'" in text
    assert "<img src=x onerror=" in text
    # control characters (terminal escapes, \x01) are removed
    assert "\x1b" not in html and "\x01" not in html and "\x07" not in html


def test_report_for_missing_files_names_the_gaps(tmp_path: Path) -> None:
    run = make_run(tmp_path, with_findings=False, with_analysis=False, with_screens=False)
    html = render_run_html(load_run(run, lang="en"))
    assert 'id="notes"' in html
    assert "findings.jsonl is missing" in html
    assert "No findings file: this run has not been analysed." in html
    assert "Not analysed" in html
    empty = tmp_path / "bare"
    empty.mkdir()
    html = render_run_html(load_run(empty, lang="en"))
    assert "run.json is missing" in html and "timeline.jsonl is missing" in html
    assert "No events recorded: nothing to draw." in html


def test_timeline_geometry(tmp_path: Path) -> None:
    data = load_run(make_run(tmp_path, extra_api_calls=5000), lang="en")
    tl = timeline_shapes(data, width=1000)
    assert tl["categories"] == ["CLIPBOARD", "DEVICE_ID", "LOCATION", "NET_ID"]
    marks = [s for s in tl["shapes"] if s["tag"] == "rect" and s["title"].startswith("NET_ID:")]
    # 5000 calls within 5 s merge into a few 3-pixel marks that state how many calls each holds
    assert 1 < len(marks) <= 5 / 60.5 * 826 / 3 + 2
    counts = [re.match(r"NET_ID: (\d+) call", m["title"]) for m in marks]
    assert sum(int(c.group(1)) for c in counts if c) == 5000
    flags = [s for s in tl["shapes"] if s["tag"] == "path" and "decline" in s["title"]]
    assert len(flags) == 2  # policy decline and permission deny
    xs = [float(s["attrs"]["x"]) for s in tl["shapes"] if s["tag"] == "rect"]
    assert min(xs) >= 150 - 0.1 and max(xs) <= 1000


def test_summary_page(tmp_path: Path) -> None:
    runs = [
        make_run(tmp_path, "a-s1", scenario="S1"),
        make_run(tmp_path, "a-s3", scenario="S3", with_findings=False),
        make_run(tmp_path, "b-s2", scenario="S2", package="com.other.park", label="停车缴费", simulated=False),
    ]
    build_reports(runs[0], ("html",), lang="en")
    out = build_summary([*runs, tmp_path / "gone"], tmp_path / "summary", lang="en")
    html = out["html"].read_text(encoding="utf-8")
    tags = _parse(html)
    run_rows = [a for t, a in tags.tags if t == "tr" and a.get("class") == "run"]
    assert len(run_rows) == 3
    finding_rows = [a for t, a in tags.tags if t == "tr" and "finding" in (a.get("class") or "").split()]
    assert len(finding_rows) == 10
    text = "".join(tags.text)
    assert "停车缴费" in text and "NOT-ANALYSED".lower() in text.lower()
    assert str(tmp_path / "gone") in text  # a missing folder is listed, not fatal
    links = [a.get("href") for t, a in tags.tags if t == "a" and (a.get("href") or "").endswith("report.html")]
    assert links and all((out["html"].parent / str(h)).resolve().is_file() for h in links)
    assert "SIMULATED" in text


def test_screen_wireframe_when_no_screenshot(tmp_path: Path) -> None:
    reading = {
        "controls": [
            {"role": "accept", "text": "同意", "bounds": [60, 1000, 1020, 1120]},
            {"role": "decline", "text": "不同意", "bounds": [440, 1140, 640, 1200]},
            {"role": "other", "text": "bad", "bounds": [5, 5, 1, 1]},  # inverted: ignored
            {"role": "other", "text": "nan", "bounds": [0, 0, float("nan"), 10]},  # not finite: ignored
        ],
        "checkboxes": [{"text": "我已阅读", "checked": True, "bounds": [60, 900, 100, 940]}],
    }
    w = screen_wireframe(reading)
    assert w is not None and w["view"] == "0 0 1080 1920"
    boxes = [s for s in w["shapes"] if s["tag"] == "rect"][1:]
    assert [b["title"] for b in boxes] == ["accept: 同意", "decline: 不同意", "checkbox ticked: 我已阅读"]
    assert boxes[0]["attrs"]["stroke"] == "#1e7b4f" and boxes[1]["attrs"]["stroke"] == "#b3261e"
    assert screen_wireframe({"controls": [{"role": "accept", "text": "x"}]}) is None
    assert screen_wireframe({"controls": "nonsense"}) is None
    html = render_run_html(load_run(make_run(tmp_path), lang="en"))
    assert html.count('aria-label="schematic of the screen"') == 2  # the two screens without a PNG


def test_summary_top_rules_carry_titles(tmp_path: Path) -> None:
    runs = [make_run(tmp_path, "a"), make_run(tmp_path, "b", package="com.b")]
    html = render_summary_html([load_run(r, lang="en") for r in runs], out_dir=tmp_path)
    section = html[html.index('id="top-rules"') : html.index("</table>", html.index('id="top-rules"'))]
    rows = re.findall(r'<td class="rule">(R\d+)</td><td class="wrap">([^<]*)</td><td class="num">(\d+)</td>', section)
    assert rows[0] == ("R09", "Collection before consent", "2")
    assert {r for r, _, _ in rows} == {"R09", "R10", "R22"}  # violations only, not needs-review or info
