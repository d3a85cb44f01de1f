"""consent-harness compare on a before/after pair: demo-precollect and its fixed build
(tests/fixtures/compare/demo-precollect-fixed.yaml, SIMULATED). Exactly the fixed findings are
reported fixed; nothing is new; the reverse direction fails CI; untested scenarios are never fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.handover.compare import compare

FIXED_MODEL = Path(__file__).resolve().parents[1] / "fixtures" / "compare" / "demo-precollect-fixed.yaml"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    before = tmp_path_factory.mktemp("before")
    after = tmp_path_factory.mktemp("after")
    assert main(["run", "--app", "demo-precollect", "--results", str(before), "--fail-on", "never", "--no-report"]) == 0
    assert main(["run", "--app", str(FIXED_MODEL), "--results", str(after), "--fail-on", "never", "--no-report"]) == 0
    return before, after


def test_exactly_the_fixed_findings(pair: tuple[Path, Path]) -> None:
    cmp = compare(*pair)
    fixed = sorted((c.scenario, c.rule_id, c.category, c.sdk, c.before - c.after) for c in cmp.changes if c.status == "fixed")
    # the planted before-consent and after-decline collection of the original (its truth list)
    assert fixed == [
        ("S1", "R09", "DEVICE_ID", "umeng", 1),
        ("S1", "R33", "DEVICE_ID", "umeng", 1),
        ("S2", "R09", "DEVICE_ID", "umeng", 1),
        ("S2", "R10", "DEVICE_ID", "umeng", 1),
        ("S2", "R10", "NET_ID", "jpush", 1),
        ("S2", "R33", "DEVICE_ID", "umeng", 2),
        ("S2", "R33", "NET_ID", "jpush", 1),
        ("S3", "R09", "DEVICE_ID", "umeng", 1),
        ("S3", "R33", "DEVICE_ID", "umeng", 1),
        ("S4", "R09", "DEVICE_ID", "umeng", 1),
        ("S4", "R33", "DEVICE_ID", "umeng", 1),
        ("S5", "R09", "DEVICE_ID", "umeng", 1),
        ("S5", "R33", "DEVICE_ID", "umeng", 1),
    ]
    assert cmp.count("new") == 0 and cmp.count("not-retested") == 0
    # what the fix did not touch stays: the re-shown prompt, no policy page, withdrawal, deletion
    assert sorted({c.rule_id for c in cmp.changes if c.status == "unchanged"}) == ["R02", "R16", "R18", "R40"]


def test_cli_exit_codes_and_outputs(pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = pair
    h, j = tmp_path / "c.html", tmp_path / "c.json"
    # the runs were judged under cn, so the table and page are Chinese unless --lang en
    assert main(["compare", str(before), str(after), "--html", str(h), "--json", str(j), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "new 0  fixed 14" in out and "FIXED" in out and "NEW " not in out
    data = json.loads(j.read_text("utf-8"))
    assert data["totals"]["fixed"] == 14 and data["totals"]["new"] == 0
    assert "Findings compared" in h.read_text("utf-8") and "<script" not in h.read_text("utf-8")
    # the other way round the planted findings are new: CI fails
    assert main(["compare", str(after), str(before), "--lang", "en"]) == 1
    assert "NEW" in capsys.readouterr().out
    assert main(["compare", str(after), str(before), "--fail-on", "never"]) == 0
    capsys.readouterr()
    assert main(["compare", str(before), str(tmp_path / "nope")]) == 2


def test_cn_runs_compare_in_chinese_and_en_on_request(pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Runs judged under cn: the table and the page are Chinese by default (glossary names,
    zh rule titles, Chinese notes), with no English wording of the catalogues left; --lang en
    gives the English table; JSON keeps codes."""
    from harness.i18n import load_messages

    before, after = pair
    h = tmp_path / "c.html"
    assert main(["compare", str(after), str(before), "--html", str(h), "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "对比  A：" in out and "新增 14" in out and "已修复 0" in out and "未复测 0" in out
    assert "征得同意前收集个人信息" in out and "违规" in out  # R09's cn title, the verdict's name
    assert "NEW" not in out and "not re-tested" not in out and " runs)" not in out
    page = h.read_text("utf-8")
    assert '<html lang="zh-CN">' in page and "发现对比" in page and "按应用和规则" in page and "Findings compared" not in page
    english = [en for en, zh in load_messages().ui.items() if en != zh and len(en) >= 14 and " " in en]
    assert not [en for en in english if en in out or en in page]
    assert main(["compare", str(after), str(before), "--lang", "en", "--fail-on", "never"]) == 0
    assert "NEW" in capsys.readouterr().out


def test_a_scenario_not_run_again_is_not_fixed(pair: tuple[Path, Path], tmp_path: Path) -> None:
    before, _after = pair
    only_s1 = tmp_path / "only-s1"
    assert main(["run", "--app", str(FIXED_MODEL), "--scenario", "S1", "--results", str(only_s1), "--fail-on", "never", "--no-report"]) == 0
    cmp = compare(before, only_s1)
    assert {c.scenario for c in cmp.changes if c.status == "fixed"} == {"S1"}
    assert {c.scenario for c in cmp.changes if c.status == "not-retested"} == {"S2", "S3", "S4", "S5"}


def test_single_runs_and_batches_of_apps(pair: tuple[Path, Path], tmp_path: Path) -> None:
    before, after = pair
    s1a = next(p for p in before.iterdir() if p.name.endswith("-S1"))
    s1b = next(p for p in after.iterdir() if p.name.endswith("-S1"))
    one = compare(s1a, s1b)
    assert {(c.rule_id, c.status) for c in one.changes} == {("R09", "fixed"), ("R33", "fixed")}
    # two "batches" holding several apps, nested a level deeper: matched per app
    batch_a = tmp_path / "batch-a" / "runs"
    batch_b = tmp_path / "batch-b" / "runs"
    assert main(["run", "--app", "parking-pay", "--scenario", "S1,S2", "--results", str(batch_a), "--fail-on", "never", "--no-report"]) == 0
    assert main(["run", "--app", "parking-pay", "--scenario", "S1,S2", "--results", str(batch_b), "--fail-on", "never", "--no-report"]) == 0
    assert main(["run", "--app", "demo-precollect", "--scenario", "S1", "--results", str(batch_a), "--fail-on", "never", "--no-report"]) == 0
    assert main(["run", "--app", str(FIXED_MODEL), "--scenario", "S1", "--results", str(batch_b), "--fail-on", "never", "--no-report"]) == 0
    cmp = compare(batch_a.parent, batch_b.parent)
    by_app = cmp.by_app_rule()
    assert by_app[("com.refapp.etingche.pay", "R23")]["unchanged"] >= 1 and by_app[("com.refapp.etingche.pay", "R23")]["fixed"] == 0
    assert by_app[("com.example.precollect", "R09")]["fixed"] == 1
