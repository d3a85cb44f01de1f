"""The 认定方法 checklist of an app from its runs on the reference device (SIMULATED apps):
every item present with a verdict, verdicts honest about what was not tested, in Chinese for
cn and English by option, HTML/XLSX/JSON written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from harness.assemble import resolve_app
from harness.catalog.checklist import load_checklist
from harness.cli import main
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.pipeline import analyze_run
from harness.reporting.build import load_run
from harness.reporting.checklist import VERDICT_CODES, assess, write_checklist
from harness.runner import Runner
from harness.scenarios import resolve_scenarios


def _runs(tmp_path: Path, model: str, scenarios: str, jurisdiction: str = "cn") -> list[Path]:
    driver = SimDriver()
    app = resolve_app(driver, model)
    out = []
    for sc in resolve_scenarios(scenarios):
        res = Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref=model)
        analyze_run(res.run_dir, jurisdiction=jurisdiction)
        out.append(res.run_dir)
    return out


@pytest.fixture(scope="module")
def parking_all(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _runs(tmp_path_factory.mktemp("parking"), "parking-pay", "all")


def test_every_item_gets_a_verdict_backed_by_findings_or_reasons(parking_all: list[Path]) -> None:
    ac = assess([load_run(p) for p in parking_all])
    assert [a.item.id for a in ac.items] == [i.id for i in load_checklist().items]
    assert len(ac.items) == 31 and ac.lang == "zh" and not ac.eu_points
    for a in ac.items:
        assert a.verdict in VERDICT_CODES
        if a.verdict == "non-compliant":
            assert any(x.finding.verdict == "violation" for x in a.findings), a.item.id
        elif a.verdict in ("not-tested", "needs-review"):
            assert a.reasons, a.item.id  # each says why
    by = {a.item.id: a for a in ac.items}
    # the parking app blocks its basic function after a decline (R23): 四.2 is not met
    assert by["四.2"].verdict == "non-compliant"
    assert {x.finding.rule_id for x in by["四.2"].findings} >= {"R23"}
    # server-side and upgrade items are never compliant, and say what they need
    assert by["五.2"].verdict == "not-tested" and any("服务端" in r for r in by["五.2"].reasons)
    assert by["二.2"].verdict == "not-tested" and any("升级" in r for r in by["二.2"].reasons)
    assert by["一.4"].verdict == "not-tested"
    # the first-run prompt is shown (R01 judged, nothing found, fully covered): compliant
    assert by["一.2"].verdict == "compliant"


def test_a_clean_run_of_one_scenario_never_makes_untested_items_compliant(tmp_path: Path) -> None:
    # only S1 (observe): the decline, deny and settings items were not tested, whatever was found
    runs = _runs(tmp_path, "clean-parking", "S1")
    ac = assess([load_run(p) for p in runs])
    by = {a.item.id: a for a in ac.items}
    for iid in ("三.2", "三.8", "一.3", "四.2", "六.5"):
        assert by[iid].verdict == "not-tested", (iid, by[iid].verdict, by[iid].reasons)
    assert any("S5" in r for r in by["三.8"].reasons)
    assert any("S2" in r for r in by["三.2"].reasons)
    compliant = [a.item.id for a in ac.items if a.verdict == "compliant"]
    # only items whose conditions S1 meets can pass
    for iid in compliant:
        assert set(by[iid].item.requires) <= {"any", "api", "prompt", "profile"}, iid


def test_written_formats_chinese_by_default_english_by_option(parking_all: list[Path], tmp_path: Path) -> None:
    out = write_checklist(parking_all, tmp_path / "zh", formats=("html", "xlsx", "json"))
    (paths,) = out.values()
    html = paths["html"].read_text("utf-8")
    assert 'lang="zh-CN"' in html and "核对清单" in html and "不符合" in html and "未检测" in html
    assert html.count('<td class="id">') == 31
    assert "[OFF]" in html and "措辞未与存储的原文副本核对" in html  # unconfirmed wording is marked
    for legend in ("T8", "[M]", "[U]", "计数方法"):
        assert legend in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no external assets
    wb = load_workbook(paths["xlsx"], read_only=True)
    assert wb.sheetnames == ["清单", "发现", "图例"]
    rows = list(wb["清单"].iter_rows(values_only=True))
    assert rows[0][0] == "条目" and len(rows) == 32
    assert {r[4] for r in rows[1:]} <= {"不符合", "需复核", "未检测", "符合"}
    data = json.loads(paths["json"].read_text("utf-8"))
    assert len(data["items"]) == 31 and sum(data["counts"].values()) == 31
    en = write_checklist(parking_all, tmp_path / "en", formats=("html",), lang="en")
    html_en = next(iter(en.values()))["html"].read_text("utf-8")
    assert 'lang="en"' in html_en and "Not tested" in html_en and "Non-compliant" in html_en


def test_eu_profile_adds_the_eu_points(tmp_path: Path) -> None:
    runs = _runs(tmp_path, "supermarket-en", "S1,S2", jurisdiction="eu")
    ac = assess([load_run(p) for p in runs])
    assert ac.jurisdiction == "eu" and ac.lang == "en"
    assert len(ac.items) == 31 and len(ac.eu_points) == len(load_checklist().eu_points)
    by = {a.item.id: a for a in ac.eu_points}
    assert by["EU.14"].verdict == "not-tested"  # transfers outside the EEA need traffic capture


def test_cli_checklist_and_bad_input(parking_all: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", *map(str, parking_all), "-o", str(tmp_path), "--formats", "html,json"]) == 0
    assert "checklist html" in capsys.readouterr().out
    assert main(["checklist", str(tmp_path / "nope")]) == 2
    assert "run folder not found" in capsys.readouterr().err
    assert main(["checklist", str(parking_all[0]), "--formats", "doc"]) == 2
    assert "unknown checklist format" in capsys.readouterr().err


def test_checklist_is_a_registered_summary_format(parking_all: list[Path], tmp_path: Path) -> None:
    from harness.reporting.build import build_summary
    from harness.reporting.formats import formats

    fmt = formats("summary")["checklist"]
    assert fmt.default is False  # opt-in: a batch of thousands of apps does not get one by default
    out = build_summary(parking_all, tmp_path, formats=("html", "checklist"))
    index = json.loads(out["checklist"].read_text("utf-8"))
    (entry,) = index["checklists"]
    assert entry["package"] == "com.refapp.etingche.pay"
    assert (tmp_path / entry["files"]["html"]).is_file() and (tmp_path / entry["files"]["xlsx"]).is_file()
