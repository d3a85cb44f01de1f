"""Word lists and number parsing of the policy rules: deadlines in Chinese and English
numerals (R41), retention periods that are no deadline, vendor and product aliases (R06),
deletion conditions (R40), and the background window / expected-text helpers of the steps."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harness.detectors.policy import _days, _sdk_names, load_terms, parse_number
from harness.errors import StepError
from harness.scenarios.steps import BACKGROUND_WINDOW_ENV, _shows, background_window

NEAR = ("投诉", "处理", "删除", "答复", "complaint", "repl", "answer")


@pytest.mark.parametrize(
    "token, value",
    [("15", 15), ("十五", 15), ("三十", 30), ("二十一", 21), ("十", 10), ("一百", 100), ("两", 2), ("fifteen", 15), ("twenty-one", 21), ("thirty", 30), ("七", 7)],
)
def test_numbers_in_digits_chinese_numerals_and_english_words(token: str, value: int) -> None:
    assert parse_number(token) == value


def test_unreadable_numbers_are_none() -> None:
    assert parse_number("several") is None and parse_number("") is None


@pytest.mark.parametrize(
    "text, promised",
    [
        ("我们将在收到您的投诉或删除请求后三十个工作日内处理完毕。", [(30, True)]),
        ("我们将在十五个工作日内答复您的请求和投诉。", [(15, True)]),
        ("We answer requests and complaints within ten working days.", [(10, True)]),
        ("We reply to complaints within twenty-one days.", [(21, False)]),
        ("投诉处理时间不超过20天。", [(20, False)]),
        # a retention period is no promise to answer
        ("订单照片在交付后 30 天删除。", []),
        ("Deleted data is kept in backups for 30 days.", []),
    ],
)
def test_deadlines_are_read_and_retention_periods_are_not(text: str, promised: list[tuple[int, bool]]) -> None:
    assert _days(text, NEAR) == promised


@pytest.mark.parametrize(
    "text, promised",
    [
        ("Wir antworten auf Beschwerden innerhalb von 30 Arbeitstagen.", [(30, True)]),
        ("Nous répondons aux réclamations sous 20 jours ouvrés.", [(20, True)]),
        ("Respondemos en un plazo de 10 días hábiles.", [(10, True)]),
        ("Rispondiamo entro 30 giorni lavorativi.", [(30, True)]),
        ("15営業日以内に回答します。", [(15, True)]),
        ("문의에는 15 영업일 이내에 답변드립니다.", [(15, True)]),
        ("Мы ответим в течение 30 рабочих дней.", [(30, True)]),
        ("نرد خلال 15 يوم عمل", [(15, True)]),
        ("Wir antworten innerhalb von 21 Tagen.", [(21, False)]),
        # a retention period is no promise to answer, in any language
        ("Wir antworten nicht; Termine werden 30 Tage gespeichert.", []),
    ],
)
def test_deadlines_in_the_big_app_markets_languages(text: str, promised: list[tuple[int, bool]]) -> None:
    near = ("antworten", "répondons", "respondemos", "rispondiamo", "回答", "답변", "ответим", "نرد")
    assert _days(text, near) == promised


def test_sdks_are_known_by_their_product_word_and_vendors_in_other_scripts() -> None:
    names = _sdk_names("yandex_metrica")
    assert "appmetrica" in names and "яндекс" in names  # "AppMetrica (Яндекс)" names it
    # a generic word of a product name never names an SDK on its own
    assert not {"mobile", "analytics", "push", "services"} & set(_sdk_names("admob") + _sdk_names("huawei_push") + _sdk_names("umeng"))


def test_sdks_are_known_by_product_and_vendor_names() -> None:
    names = _sdk_names("volcengine_applog")
    assert "火山引擎" in names and "字节跳动" in names
    assert "华为推送服务" in _sdk_names("huawei_push")
    assert "腾讯" in _sdk_names("bugly")  # vendor alias
    terms = load_terms()
    assert len(terms.sdk_aliases) >= 40 and len(terms.vendor_aliases) >= 15
    # no alias so short that it hits ordinary words ("mob" in "mobile", "meta" in "metadata")
    assert all(len(a) >= 3 or any("\u4e00" <= ch <= "\u9fff" for ch in a) for v in terms.sdk_aliases.values() for a in v)


def test_deletion_condition_lexicon_is_broad() -> None:
    words = load_terms().deletion_conditions
    assert len(words) >= 30 and "手持身份证" in words and "in person" in words


def _ctx(simulated: bool) -> Any:
    return SimpleNamespace(driver=SimpleNamespace(simulated=simulated))


def test_background_window_is_full_on_the_reference_device_and_a_choice_on_real_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKGROUND_WINDOW_ENV, "60")
    assert background_window(_ctx(True), 600) == 600
    assert background_window(_ctx(False), 600) == 60
    monkeypatch.delenv(BACKGROUND_WINDOW_ENV)
    assert background_window(_ctx(False), 600) == 600
    monkeypatch.setenv(BACKGROUND_WINDOW_ENV, "ten minutes")
    with pytest.raises(StepError, match="not a number"):
        background_window(_ctx(False), 600)
    monkeypatch.setenv(BACKGROUND_WINDOW_ENV, "-5")
    with pytest.raises(StepError, match="between 0 and 86400"):
        background_window(_ctx(False), 600)


def test_expected_result_is_found_inside_a_longer_text() -> None:
    from harness.consent_ui.parse import parse_hierarchy

    xml = (
        '<hierarchy><node text="训练计划" resource-id="com.x:id/title" bounds="[0,0][100,50]" clickable="false"/>'
        '<node text="半程马拉松 · 12 周" resource-id="" bounds="[0,60][100,100]" clickable="false"/></hierarchy>'
    )
    tree = parse_hierarchy(xml)
    assert _shows(tree, "半程马拉松") and _shows(tree, "训练计划") and not _shows(tree, "全程马拉松")


@pytest.mark.parametrize(
    "group, text",
    [
        ("LOCATION", "记录跑步路线和配速需获取您的精确位置。"),
        ("LOCATION", "系统要求开启位置权限后才能读取当前 Wi-Fi 的名称，我们用它在网络详情中显示您连接的网络。"),
        ("CAMERA", "参加视频会议需要使用相机和麦克风，让参会人看到和听到您。"),
        ("LOCATION", "开启定位，以查找附近的门店"),
        ("LOCATION", "Allow location access for nearby stores."),
        ("CAMERA", "Camera access is needed to scan the code on the charger."),
    ],
)
def test_purposes_stated_in_other_words_are_read(group: str, text: str) -> None:
    from harness.detectors.purpose import match_purpose

    m = match_purpose([text], group)
    assert m.words and m.markers and m.verdict == "", (m.words, m.markers)


def test_a_request_naming_only_the_data_still_lacks_a_purpose() -> None:
    from harness.detectors.purpose import match_purpose

    assert match_purpose(["开启定位"], "LOCATION").verdict == "needs-review"
    assert match_purpose(["Location"], "LOCATION").verdict == "needs-review"
