"""Rough edges of issue 16, one test each: analyze re-renders reports; app-config typos are
errors with a suggestion; validate app-config; run says what it defaulted to; --fail-on info is
stricter than low."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.findings import Finding, fails


def test_analyze_rerenders_the_reports_it_finds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--app", "demo-precollect", "--scenario", "S2", "--results", str(tmp_path), "--fail-on", "never"]) == 0
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    before = json.loads((run / "findings.json").read_text("utf-8"))
    assert "认定方法" in (run / "report.html").read_text("utf-8")  # judged under cn
    capsys.readouterr()
    assert main(["analyze", str(run), "--jurisdiction", "eu", "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "html re-rendered" in out and "junit re-rendered" in out
    after = json.loads((run / "findings.json").read_text("utf-8"))
    assert after != before
    html = (run / "report.html").read_text("utf-8")
    assert "GDPR" in html or "ePrivacy" in html  # the report follows the new judgement
    lines = [json.loads(x) for x in (run / "findings.jsonl").read_text("utf-8").splitlines()]
    cited = {c["jurisdiction"] for f in lines for c in f["citations"]}
    assert cited <= {"eu", "play"}


def test_app_config_typo_is_an_error_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "app.yaml"
    bad.write_text("label: Shop\nfeatures:\n  browse: {taps: [btn_goods], basic: true, expcet: 商品列表}\n", encoding="utf-8")
    assert main(["validate", "app-config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "app.yaml:3: unknown key 'expcet' in feature 'browse'; did you mean 'expect'?" in err
    bad.write_text("lable: Shop\n", encoding="utf-8")
    assert main(["run", "--app", "demo-clean", "--scenario", "S1", "--app-config", str(bad), "--results", str(tmp_path / "r")]) == 2
    assert "did you mean 'label'?" in capsys.readouterr().err


def test_validate_app_config_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "app.yaml"
    good.write_text("label: 停车\nprofile: parking_payment\nfeatures:\n  pay: {taps: [btn_pay], basic: true, expect: 缴费成功}\n", encoding="utf-8")
    assert main(["validate", "app-config", str(good)]) == 0
    assert "OK, app config with profile parking_payment and 1 feature(s) (1 basic: pay)" in capsys.readouterr().out
    good.write_text("profile: no_such_profile\n", encoding="utf-8")
    assert main(["validate", "app-config", str(good)]) == 2


def test_run_says_what_it_defaulted_to(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--app", "demo-clean", "--results", str(tmp_path), "--no-report"]) == 0
    err = capsys.readouterr().out
    assert "no --device given: using the reference device (SIMULATED" in err
    assert "no --scenario given: running the standard suite S1..S5" in err
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 5
    assert main(["run", "--app", "demo-clean", "--device", "sim", "--scenario", "S1", "--results", str(tmp_path), "--no-report"]) == 0
    assert "no --" not in capsys.readouterr().out


def test_fail_on_info_is_stricter_than_low() -> None:
    info = Finding(rule_id="R39", title="t", severity="info", verdict="info", message="m")
    low = Finding(rule_id="R04", title="t", severity="low", verdict="needs-review", message="m")
    assert fails([info], "info") and not fails([info], "low")
    assert fails([low], "info") and fails([low], "low") and not fails([low], "medium")
    assert not fails([info, low], "never") and not fails([], "info")


BROKEN = "id: S9\nname: broken\ntitle: broken steps\nsteps:\n  - launch: {}\n  - tap: {target: no_such_button}\n  - exercise: {feature: no_such_feature}\n"


def test_a_failed_step_shows_in_validate_status_exit_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sc = tmp_path / "broken.yaml"
    sc.write_text(BROKEN, encoding="utf-8")
    cfg = tmp_path / "app.yaml"
    cfg.write_text("features:\n  browse: {taps: [btn_goods], basic: true}\n", encoding="utf-8")
    assert main(["validate", "scenario", str(sc), "--app-config", str(cfg)]) == 2
    assert "names feature 'no_such_feature'" in capsys.readouterr().err
    assert main(["run", "--app", "demo-clean", "--scenario", str(sc), "--results", str(tmp_path / "r")]) == 2
    assert "scenario steps failed (S9: 2)" in capsys.readouterr().err
    (run,) = [p for p in (tmp_path / "r").iterdir() if p.is_dir()]
    info = json.loads((run / "run.json").read_text("utf-8"))
    assert info["status"] == "steps-failed"
    assert [f["step"] for f in info["extra"]["failed_steps"]] == ["tap", "exercise"]
    html = (run / "report.html").read_text("utf-8")  # the cn profile: a Chinese report
    assert "部分场景步骤失败" in html and "no_such_button" in html
    junit = (run / "junit.xml").read_text("utf-8")
    assert "运行状态为「steps-failed」" in junit
    assert main(["report", str(run), "--formats", "html,junit", "--lang", "en"]) == 0
    assert "some scenario steps failed" in (run / "report.html").read_text("utf-8")
    junit = (run / "junit.xml").read_text("utf-8")
    assert "run status is &apos;steps-failed&apos;" in junit or "run status is 'steps-failed'" in junit
