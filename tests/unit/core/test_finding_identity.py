"""Finding identity: one finding per rule, subject and evidence; findings on one call grouped."""

from __future__ import annotations

from pathlib import Path

from harness.assemble import resolve_app
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.findings import Finding, merge_duplicates
from harness.pipeline import analyze_run
from harness.reporting.build import build_reports, load_run
from harness.runner import Runner
from harness.scenarios import resolve_scenarios


def _f(rule: str, verdict: str = "violation", sev: str = "high", msg: str = "m", ev: tuple[int, ...] = (3,), **kw: str) -> Finding:
    return Finding(rule_id=rule, title=rule, severity=sev, verdict=verdict, message=msg, evidence=ev, **kw)  # type: ignore[arg-type]


def test_same_rule_subject_and_evidence_is_one_finding() -> None:
    a = _f("R12", msg="No control to refuse.", sev="medium", verdict="needs-review")
    b = _f("R12", msg="Ambiguous accept wording.", ev=(3,))
    (one,) = merge_duplicates([a, b])
    assert one.verdict == "violation" and one.severity == "high"  # the worst of the two
    assert "No control to refuse." in one.message and "Ambiguous accept wording." in one.message
    # evidence order does not make a new finding; an identical message is not repeated
    (again,) = merge_duplicates([_f("R09", ev=(4, 2)), _f("R09", ev=(2, 4))])
    assert again.message == "m"


def test_other_subject_or_evidence_stays_separate() -> None:
    fs = [
        _f("R19", category="LOCATION", ev=(14,)),
        _f("R19", category="PHONE", ev=(14,)),  # one bundled request, two groups
        _f("R39", verdict="info", sev="info", ev=(), subject="debuggable"),
        _f("R39", verdict="info", sev="info", ev=(), subject="cleartext"),
        _f("R09", ev=(5,)),
        _f("R09", ev=(6,)),
    ]
    assert len(merge_duplicates(fs)) == 6
    assert Finding.from_dict(fs[2].to_dict()).subject == "debuggable"


def test_demo_runs_have_no_duplicate_identities_and_group_calls(tmp_path: Path) -> None:
    driver = SimDriver()
    app = resolve_app(driver, "demo-precollect")
    (sc,) = resolve_scenarios("S1")
    res = Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref="demo-precollect")
    findings = analyze_run(res.run_dir, jurisdiction="cn")
    ids = [f.identity() for f in findings]
    assert len(ids) == len(set(ids))
    data = load_run(res.run_dir)
    groups = data.call_groups()
    assert groups, "an early advertising-ID or device-ID read breaks several rules"
    for _seq, _desc, idx in groups:
        assert len({data.findings[i - 1].rule_id for i in idx}) >= 2
    html = build_reports(res.run_dir, ("html",))["html"].read_text("utf-8")  # cn: in Chinese
    assert 'id="same-call">同一调用上的发现' in html and 'id="counting">计数方法' in html
    html = build_reports(res.run_dir, ("html",), lang="en")["html"].read_text("utf-8")
    assert "Findings on the same call" in html and "How counts are made" in html
