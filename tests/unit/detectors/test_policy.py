"""Policy-text and settings rules (harness/detectors/policy.py): word lists, hostile explore
records, the handling-time parser and SDK naming. The end-to-end cases are golden cases
(tests/golden/policy_*)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.detectors import analyze
from harness.detectors.policy import _days, _sdk_names, load_terms, parse_terms
from harness.errors import CatalogError
from harness.events import ApiCall, ConsentDecision, Event, RunMarker, StepMarker, UiSnapshot
from harness.findings import Finding
from harness.rundir import RunInfo
from harness.timeline import Timeline

POLICY_RULES = ("R02", "R03", "R05", "R06", "R16", "R40", "R41")
GOOD_POLICY = [
    "隐私政策",
    "我们收集手机号和设备标识符（Android ID），目的为提供服务与统计分析；第三方 SDK：友盟统计。保存期限为账号存续期间。"
    "您可以在隐私设置中撤回同意，我们将在 15 个工作日内答复。联系方式：privacy@x.example" + "。" * 60,
]


def _analyze(tmp_path: Path, events: list[Event], profile: str = "") -> list[Finding]:
    with Timeline(tmp_path / "timeline.jsonl") as tl:
        tl.extend(events)
    info = RunInfo(
        run_id="t",
        package="com.example.app",
        app="com.example.app",
        scenario="S5",
        device={},
        simulated=True,
        harness_version="test",
        status="completed",
        profile=profile,
    )
    result = analyze(Timeline.read(tmp_path / "timeline.jsonl"), info, jurisdiction="cn")
    assert result.errors == []
    return [f for f in result.findings if f.rule_id in POLICY_RULES]


def _snap(t: float, sid: str, texts: list[str]) -> UiSnapshot:
    return UiSnapshot(
        t=t,
        package="com.example.app",
        screen_kind="other",
        screen_id=sid,
        reading=json.dumps({"kind": "other", "controls": [], "texts": texts}, ensure_ascii=False),
    )


def _run(
    found: dict[str, Any] | str, texts: list[str] | None = None, apis: list[ApiCall] | None = None
) -> list[Event]:
    msg = found if isinstance(found, str) else json.dumps({"found": found, "complete": True, "screens": 5})
    evs: list[Event] = [
        RunMarker(t=0.0, phase="start", scenario="S5", package="com.example.app"),
        ConsentDecision(t=1.0, subject="privacy_policy", choice="accept", taps=1),
    ]
    evs += apis or []
    if texts is not None:
        evs.append(_snap(5.0, "pol", texts))
    evs.append(StepMarker(t=9.0, index=-1, step="explore", phase="result", status="ok", message=msg))
    evs.append(RunMarker(t=10.0, phase="end", status="completed"))
    return evs


ALL_FOUND = {
    "policy": {"clicks": 1, "screen": "pol"},
    "withdraw": {"clicks": 2},
    "delete_account": {"clicks": 2},
    "complaint": {"clicks": 2},
}


def test_clean_run_gives_nothing(tmp_path: Path) -> None:
    assert _analyze(tmp_path, _run(ALL_FOUND, GOOD_POLICY), profile="online_shopping") == []


@pytest.mark.parametrize(
    "message",
    ["not json", "[]", '{"found": 3}', "{" * 5000, '{"found": {"policy": {"clicks": "x", "screen": 7}}}'],
)
def test_unreadable_explore_record_gives_no_policy_text_findings(tmp_path: Path, message: str) -> None:
    found = _analyze(tmp_path, _run(message, GOOD_POLICY))
    # a record that does not parse is no evidence; one with nonsense values cannot place the policy
    assert not [f for f in found if f.rule_id in ("R03", "R05", "R06", "R41")]
    assert {f.rule_id for f in found} <= {"R02", "R16"}


def test_policy_deeper_than_four_taps(tmp_path: Path) -> None:
    found = _analyze(
        tmp_path,
        _run(
            {**ALL_FOUND, "policy": {"clicks": 5, "path": ["a", "b", "c", "d", "隐私政策"], "screen": "pol"}},
            GOOD_POLICY,
        ),
    )
    assert [(f.rule_id, f.verdict) for f in found] == [("R02", "violation")]
    assert "5 taps" in found[0].message and "a > b > c > d > 隐私政策" in found[0].message


def test_r40_needs_an_account(tmp_path: Path) -> None:
    no_delete = {k: v for k, v in ALL_FOUND.items() if k != "delete_account"}
    assert _analyze(tmp_path / "a", _run(no_delete, GOOD_POLICY), profile="parking_payment") == []
    (tmp_path / "b").mkdir()
    found = _analyze(tmp_path / "b", _run(no_delete, GOOD_POLICY), profile="online_shopping")
    assert [f.rule_id for f in found] == ["R40"]


def test_r16_policy_text_alone_is_enough(tmp_path: Path) -> None:
    no_withdraw = {k: v for k, v in ALL_FOUND.items() if k != "withdraw"}
    assert _analyze(tmp_path / "a", _run(no_withdraw, GOOD_POLICY)) == []
    (tmp_path / "b").mkdir()
    texts = [t.replace("您可以在隐私设置中撤回同意，", "") for t in GOOD_POLICY]
    assert [f.rule_id for f in _analyze(tmp_path / "b", _run(no_withdraw, texts))] == ["R16"]


def test_r05_only_counts_reads_after_acceptance(tmp_path: Path) -> None:
    before = ApiCall(
        t=0.5, category="APP_LIST", api_id="PackageManager.getInstalledPackages", sdk="app", source="frida"
    )
    after = ApiCall(
        t=2.0, category="CONTACTS", api_id="ContentResolver.query#contacts", sdk="app", source="frida"
    )
    found = _analyze(tmp_path, _run(ALL_FOUND, GOOD_POLICY, [before, after]))
    r05 = [f for f in found if f.rule_id == "R05"]
    assert [f.category for f in r05] == ["CONTACTS"]


def test_hostile_policy_text_is_bounded(tmp_path: Path) -> None:
    texts: list[Any] = ["隐私政策", "收集 使用 " + "x" * 100_000, 42, None]
    found = _analyze(tmp_path, _run(ALL_FOUND, texts))
    # no contact channel in the text: R41; the rest judged without error
    assert "R41" in {f.rule_id for f in found}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们将在 15 个工作日内答复您的投诉", [(15, True)]),
        ("注销申请将在30天内处理完毕", [(30, False)]),
        ("We reply to requests within 10 working days.", [(10, True)]),
        ("本政策于 2024 年 3 日更新", []),  # no response word in the sentence
    ],
)
def test_handling_time_parser(text: str, expected: list[tuple[int, bool]]) -> None:
    assert _days(text, load_terms().response_words) == expected


@pytest.mark.parametrize(
    ("policy_days", "flagged"),
    [("15 个工作日", False), ("16 个工作日", True), ("21 天", False), ("22 天", True)],
)
def test_response_time_limit(tmp_path: Path, policy_days: str, flagged: bool) -> None:
    texts = [GOOD_POLICY[0], GOOD_POLICY[1].replace("15 个工作日", policy_days)]
    found = _analyze(tmp_path, _run(ALL_FOUND, texts))
    assert [f.verdict for f in found if f.rule_id == "R41"] == (["violation"] if flagged else [])


def test_sdk_names_from_ids_and_packages() -> None:
    assert "友盟" in _sdk_names("umeng") and "umeng" in _sdk_names("umeng")
    assert "个推" in _sdk_names("com.igexin.push")
    assert "穿山甲" in _sdk_names("com.bytedance.sdk.openadsdk")
    assert _sdk_names("com.unknowncorp.tracker")[0] == "unknowncorp"


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"schema": 2},
        {"schema": 1, "categories": {}},
        {"schema": 1, "categories": {"X": []}},
        {"schema": 1, "categories": {"X": ["a"]}, "collection_words": "收集"},
    ],
)
def test_bad_word_lists_are_named(data: Any) -> None:
    with pytest.raises(CatalogError, match="policy_terms.yaml"):
        parse_terms(data)


def test_packaged_word_lists_cover_every_pi_category() -> None:
    from harness.catalog.rules import load_rules

    pi = {name for name, info in load_rules().categories.items() if info.pi}
    assert pi <= set(load_terms().categories), pi - set(load_terms().categories)
