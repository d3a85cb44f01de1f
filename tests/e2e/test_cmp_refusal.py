"""S2 refuses consent-management (CMP) dialogs, on the reference device (SIMULATED apps):
"Reject all" on the first layer, or the settings layer (manage options, every purpose and
vendor switched off, then save), never an accept; every tap of the refusal counted once; a
refusal through several "are you sure?" prompts counted in full (R43)."""

from __future__ import annotations

from pathlib import Path

from harness.assemble import resolve_app
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.events import ApiCall, ConsentDecision, ErrorRecord, StepMarker, UiAction, UiSnapshot
from harness.pipeline import analyze_run
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline


def run_s2(tmp_path: Path, model: str) -> tuple[Path, list[object]]:
    driver = SimDriver()
    app = resolve_app(driver, model)
    (sc,) = resolve_scenarios("S2")
    res = Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref=model)
    return res.run_dir, list(Timeline.read(RunDir(res.run_dir).timeline))


def _accept_taps(events: list[object]) -> list[UiAction]:
    return [e for e in events if isinstance(e, UiAction) and e.action == "tap" and e.role == "accept"]


def test_s2_rejects_all_on_a_cmp_first_layer(tmp_path: Path) -> None:
    run, events = run_s2(tmp_path, "clean-news-cmp")
    decisions = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "cmp"]
    assert [(d.choice, d.taps, d.how) for d in decisions] == [("decline", 1, "tap:Reject All")]
    assert not _accept_taps(events)
    assert not [e for e in events if isinstance(e, ApiCall) and e.category == "AD_ID"]  # the ads SDK never started
    ends = {e.step: e.status for e in events if isinstance(e, StepMarker) and e.phase == "end"}
    assert ends["decide_privacy"] == "ok" and ends["assert_functional"] == "ok", ends
    # the banner does not come back at the cold starts that follow
    cmp_snaps = [e for e in events if isinstance(e, UiSnapshot) and e.screen_kind == "cmp_dialog"]
    assert all(s.seq < decisions[0].seq for s in cmp_snaps)
    assert not [f for f in analyze_run(run) if f.verdict in ("violation", "needs-review")]


def test_s2_refuses_through_the_settings_layer_when_the_first_layer_has_no_reject(tmp_path: Path) -> None:
    run, events = run_s2(tmp_path, "weather-cmp")
    decisions = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "cmp"]
    assert len(decisions) == 1
    d = decisions[0]
    assert d.choice == "decline" and d.taps == 6, d
    steps = d.how.split(" > ")
    assert steps[0] == "tap:Manage options" and steps[-1] == "tap:Confirm choices" and len([s for s in steps if s.startswith("off:")]) == 4
    offs = [e for e in events if isinstance(e, UiAction) and e.role == "consent_toggle_off"]
    assert len(offs) == 4
    assert not _accept_taps(events)
    assert not [e for e in events if isinstance(e, ApiCall) and e.category == "AD_ID"]
    findings = {f.rule_id: f for f in analyze_run(run) if f.verdict in ("violation", "needs-review")}
    assert {"R12", "R13", "R43"} <= set(findings)
    assert "6 taps" in findings["R43"].message


NO_WAY_OUT = """
model: cmp-accept-only
package: com.test.cmpacceptonly
label: Accept Only
profile: news
locale: en
api_level: 34
description: a CMP whose settings layer can only accept
on_launch:
  - if: {consent: none}
    then: [goto: home, goto: form]
    else: [goto: home]
screens:
  form:
    layout: dialog
    title: We value your privacy
    body: ["We and our 80 partners store and/or access information on a device, such as cookies, for personalised ads and content."]
    elements:
      - {id: btn_accept, type: button, text: Accept all, style: primary, on_tap: [consent: accept, close: true]}
      - {id: btn_more, type: button, text: Manage options, style: secondary, on_tap: [goto: more]}
  more:
    layout: dialog
    title: Manage options
    body: ["Our partners use cookies and process personal data for personalised ads. Legitimate interest applies."]
    elements:
      - {id: btn_accept2, type: button, text: Accept all, style: primary, on_tap: [consent: accept, close: true]}
  home:
    activity: .MainActivity
    title: Home
    body: [News of the day]
    elements:
      - {id: btn_news, type: button, text: News, style: secondary, on_tap: [goto: home]}
features:
  news:
    taps: [btn_news]
    basic: true
    expect: News of the day
truth: []
clean: true
"""


def test_a_cmp_that_can_only_be_accepted_is_left_unanswered(tmp_path: Path) -> None:
    model = tmp_path / "cmp-accept-only.yaml"
    model.write_text(NO_WAY_OUT, encoding="utf-8")
    _run, events = run_s2(tmp_path / "runs", str(model))
    assert not [e for e in events if isinstance(e, ConsentDecision) and e.subject == "cmp"]
    assert not _accept_taps(events)
    assert any(isinstance(e, ErrorRecord) and e.where == "decide_cmp" and "no way to refuse" in e.message for e in events)
    ends = {e.step: e.status for e in events if isinstance(e, StepMarker) and e.phase == "end"}
    assert ends["decide_privacy"] == "failed"


CHAIN = """
model: refusal-chain
package: com.test.refusalchain
label: Chain
profile: news
locale: en
api_level: 34
description: two "are you sure?" prompts after the decline
on_launch:
  - if: {consent: none}
    then: [goto: home, goto: privacy]
    else: [goto: home]
screens:
  privacy:
    layout: dialog
    title: Terms and Privacy Policy
    body: ["Please read our Terms of Service and Privacy Policy. We collect device information to provide the service. Tap Agree to continue."]
    elements:
      - {id: link_policy, type: link, text: Privacy Policy, on_tap: [goto: home]}
      - {id: btn_disagree, type: button, text: Disagree, style: secondary, on_tap: [goto: sure1]}
      - {id: btn_agree, type: button, text: Agree, style: primary, on_tap: [consent: accept, close: true]}
  sure1:
    layout: dialog
    title: Are you sure?
    body: ["Without your consent we cannot provide the service."]
    elements:
      - {id: btn_still, type: button, text: Still decline, style: secondary, on_tap: [goto: sure2]}
      - {id: btn_back1, type: button, text: Go back, style: primary, on_tap: [goto: privacy]}
  sure2:
    layout: dialog
    title: Really leave?
    body: ["If you don't agree, you can only read the headlines. Are you sure you want to decline?"]
    elements:
      - {id: btn_leave, type: button, text: Decline anyway, style: secondary, on_tap: [consent: decline, close: true]}
      - {id: btn_back2, type: button, text: Go back, style: primary, on_tap: [goto: privacy]}
  home:
    activity: .MainActivity
    title: Home
    body: [Headlines of the day]
    elements:
      - {id: btn_news, type: button, text: News, style: secondary, on_tap: [goto: home]}
features:
  news:
    taps: [btn_news]
    basic: true
    expect: Headlines of the day
truth: []
clean: true
"""


def test_a_refusal_through_two_confirmations_counts_three_taps(tmp_path: Path) -> None:
    model = tmp_path / "refusal-chain.yaml"
    model.write_text(CHAIN, encoding="utf-8")
    run, events = run_s2(tmp_path / "runs", str(model))
    decisions = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "privacy_policy"]
    assert decisions and max(d.taps for d in decisions) == 3
    assert decisions[-1].how == "tap:Disagree > tap:Still decline > tap:Decline anyway"
    assert len({d.screen_seq for d in decisions}) == 1  # one refusal of one prompt
    # the second prompt read after the first refusal is a second confirm, not a new privacy prompt
    kinds = [e.screen_kind for e in events if isinstance(e, UiSnapshot) and e.seq > decisions[0].seq - 6 and e.screen_kind != "other"]
    assert "second_confirm" in kinds
    r43 = [f for f in analyze_run(run) if f.rule_id == "R43"]
    assert r43 and "3 taps" in r43[0].message and r43[0].verdict in ("needs-review", "violation")
