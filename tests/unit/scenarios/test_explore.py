"""The ``explore`` step (S5) on the reference device: it finds the policy and the settings
targets at the right depth, never taps a destructive or consent control, and stays bounded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.assemble import resolve_app
from harness.consent_ui.parse import PageTexts, page_texts, parse_hierarchy
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.errors import ScreenParseError
from harness.events import ExploreResult, StepMarker, UiAction, UiSnapshot
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.scenarios.loader import load_scenario
from harness.timeline import Timeline


def _run(
    tmp_path: Path, app: str, explore: dict[str, Any] | None = None
) -> tuple[list[Any], dict[str, Any] | None, SimDriver]:
    if explore is None:
        scenario = resolve_scenarios("S5")[0]
    else:
        scenario = load_scenario(
            {
                "id": "SX",
                "steps": [
                    {"launch": {"clear": True}},
                    {"wait_idle": 5},
                    {"decide_privacy": "accept"},
                    {"decide_permissions": {"choice": "deny", "wait": 3}},
                    {"explore": explore},
                ],
            }
        )
    drv = SimDriver()
    res = Runner(drv, SimInstrumentation(drv), tmp_path, hook_pack="sim").run(
        resolve_app(drv, app), scenario, app_ref=app
    )
    events = list(Timeline.read(res.run_dir / "timeline.jsonl"))
    results = [e for e in events if isinstance(e, ExploreResult)]
    assert len(results) <= 1
    if not results:
        return events, None, drv
    r = results[0]
    found = {f.target: f.entry() for f in r.found}
    out = {"found": found, "missing": list(r.missing), "max_depth": r.max_depth, "screens": r.screens, "taps": r.taps, "complete": r.complete}
    return events, out, drv


def _explore_taps(events: list[Any]) -> list[str]:
    return [e.text for e in events if isinstance(e, UiAction) and e.action == "tap" and e.role == "explore"]


def test_clean_control_policy_one_tap_settings_two(tmp_path: Path) -> None:
    events, result, _ = _run(tmp_path, "clean-powerbank")
    # it has no personalised content, so it needs (and has) no personalisation switch
    assert result is not None and result["missing"] == ["personalisation"]
    found = result["found"]
    assert found["policy"]["clicks"] == 1 and found["policy"]["path"] == ["隐私政策"]
    assert found["withdraw"] == {"clicks": 2, "path": ["我的", "隐私设置"]}
    assert {k: found["delete_account"][k] for k in ("clicks", "path")} == {"clicks": 2, "path": ["我的", "注销账号"]}
    # the deletion page is opened once to read its conditions (never its confirm)
    assert found["delete_account"]["screen"] and found["delete_account"]["near"]
    assert found["complaint"]["clicks"] == 2
    # the policy screen id names a recorded snapshot whose texts hold the policy
    snap = next(e for e in events if isinstance(e, UiSnapshot) and e.screen_id == found["policy"]["screen"])
    texts = snap.texts
    assert any("privacy@suixinchong.example" in t for t in texts)
    # every step of the run ended ok
    assert all(e.status == "ok" for e in events if isinstance(e, StepMarker) and e.phase == "end")


def test_deletion_found_three_deep_and_never_executed(tmp_path: Path) -> None:
    events, result, drv = _run(tmp_path, "kids-edu")
    assert result is not None
    entry = result["found"]["delete_account"]
    assert {k: entry[k] for k in ("clicks", "path")} == {"clicks": 3, "path": ["我的", "账号与安全", "注销账号"]}
    taps = _explore_taps(events)
    assert taps, "explore tapped nothing"
    # rules.md R40: the flow is captured up to the final confirm: the entry is opened once (its
    # page, with any conditions, is recorded as entry["screen"]); nothing that confirms is tapped
    assert [t for t in taps if "注销" in t or "删除" in t] == ["注销账号"], taps
    assert not [t for t in taps if "确认" in t or "提交" in t], taps
    assert entry["screen"] != entry["near"]
    # the confirm control would end the process ('account deleted'): the app is still alive
    assert drv.is_running("com.refapp.xiaoshumiao.kids")
    assert "withdraw" in result["missing"]


def test_policy_five_deep_is_missed_at_depth_four_and_found_at_five(tmp_path: Path) -> None:
    _, at4, _ = _run(tmp_path / "d4", "news-daily")
    assert at4 is not None and "policy" in at4["missing"] and at4["complete"] is True
    _, at5, _ = _run(tmp_path / "d5", "news-daily", {"max_depth": 5, "targets": "policy"})
    assert at5 is not None
    assert at5["found"]["policy"]["clicks"] == 5
    assert at5["found"]["policy"]["path"] == ["我的", "设置", "关于我们", "法律信息", "隐私政策"]


def test_bounded_by_max_screens(tmp_path: Path) -> None:
    events, result, _ = _run(tmp_path, "news-daily", {"max_screens": 2})
    assert result is not None
    assert result["screens"] <= 2 and result["complete"] is False
    assert len(_explore_taps(events)) <= 2 * 5 * 3


def test_unknown_target_is_a_step_error(tmp_path: Path) -> None:
    events, result, _ = _run(tmp_path, "clean-parking", {"targets": "policy,nonsense"})
    assert result is None
    end = next(e for e in events if isinstance(e, StepMarker) and e.step == "explore" and e.phase == "end")
    assert end.status == "error" and "nonsense" in end.message


def test_consent_controls_are_never_tapped(tmp_path: Path) -> None:
    events, _, _ = _run(tmp_path, "supermarket-en")
    taps = _explore_taps(events)
    assert taps and not [t for t in taps if t in ("Agree", "Disagree", "Stop processing my data")], taps


def test_page_texts_are_bounded_and_say_what_they_left_out() -> None:
    nodes = "".join(f'<node text="{"字" * 390}{i:04d}" bounds="[0,0][1,1]"/>' for i in range(1000))
    pt = page_texts(parse_hierarchy(f"<hierarchy>{nodes}</hierarchy>"))
    assert 0 < len(pt.texts) <= 200 and sum(map(len, pt.texts)) <= 30_000
    assert len(pt.texts) + pt.omitted == 1000  # nothing cut silently
    # an unreadable screen is refused by the one parser and has no text
    for bad in ("<hierarchy><node text='a'", '<!DOCTYPE x [<!ENTITY e "boom">]><hierarchy><node text="&e;"/></hierarchy>'):
        with pytest.raises(ScreenParseError):
            parse_hierarchy(bad)
    assert page_texts(None) == PageTexts((), 0)
    # duplicates and blank texts are dropped, whitespace is folded
    assert page_texts(
        parse_hierarchy('<hierarchy><node text=" a  b "/><node text="a b"/><node text=""/><node content-desc="c"/></hierarchy>')
    ) == PageTexts(("a b", "c"), 0)


@pytest.mark.parametrize("app", ["clean-parking", "demo-precollect"])
def test_explore_result_is_one_typed_event_nothing_cut(tmp_path: Path, app: str) -> None:
    events, result, _ = _run(tmp_path, app)
    assert result is not None
    # typed and whole: no JSON in a step message, every path label as explore recorded it
    assert not [e for e in events if isinstance(e, StepMarker) and e.step == "explore" and e.phase not in ("begin", "end")]
    [ev] = [e for e in events if isinstance(e, ExploreResult)]
    assert all(len(label) <= 24 for f in ev.found for label in f.path)
    assert all(len(f.path) <= f.clicks for f in ev.found)
    assert set(result) == {"found", "missing", "max_depth", "screens", "taps", "complete"}
    assert set(result["found"]) | set(result["missing"]) == {
        "policy",
        "withdraw",
        "delete_account",
        "complaint",
        "personalisation",
    }


@pytest.mark.parametrize(
    ("app", "package", "confirm"),
    [
        ("clean-transit-ru", "com.refapp3.poezd.bilety", "Удалить навсегда"),
        ("clean-delivery-ko", "com.refapp3.baedal.eats", "탈퇴하기"),
    ],
)
def test_destructive_controls_in_other_languages_are_never_tapped(tmp_path: Path, app: str, package: str, confirm: str) -> None:
    # explore once executed a Russian account deletion and a Korean consent withdrawal: the
    # never-tap words were Chinese and English only
    events, result, drv = _run(tmp_path, app)
    assert result is not None
    taps = _explore_taps(events)
    assert confirm not in taps and not [t for t in taps if "Отозвать" in t or "철회" in t], taps
    assert drv.is_running(package)
    # the policy (title in Cyrillic / Hangul), withdrawal and deletion are found two taps deep
    assert {result["found"][t]["clicks"] for t in ("policy", "withdraw", "delete_account")} == {2}


def test_policy_heading_is_judged_against_the_word_it_names() -> None:
    from harness.scenarios.steps import EXPLORE_TARGETS, _is_heading

    words = EXPLORE_TARGETS["policy"]
    assert _is_heading("Политика конфиденциальности", words)  # 27 letters, a title
    assert _is_heading("《隐私政策》", words) and _is_heading("سياسة الخصوصية", words)
    assert not _is_heading("Bitte lesen Sie unsere Datenschutzerklärung, bevor Sie fortfahren und die App nutzen.", words)
    assert not _is_heading("", words)


def test_explore_restarts_from_the_main_screen_when_it_began_on_a_pushed_page(tmp_path: Path) -> None:
    # after the permission dialogs the app shows a promotion page; a relaunch lands on the real
    # main screen, from which the policy is two taps away
    events, result, _ = _run(tmp_path, "ticket-two-screens")
    assert result is not None
    assert result["found"]["policy"]["path"] == ["我的", "隐私政策"]
    assert result["found"]["withdraw"]["clicks"] == 2 and "delete_account" in result["found"]
