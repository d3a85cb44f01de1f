"""R07 / R36 word lists: matching of data words and purpose markers, and catalogue validation."""

from __future__ import annotations

from typing import Any

import pytest

from harness.detectors.purpose import load_purpose_terms, match_purpose, parse_purpose_terms
from harness.errors import CatalogError


@pytest.mark.parametrize(
    ("texts", "group", "verdict"),
    [
        (["开启定位，用于为您查找附近门店"], "LOCATION", ""),
        (["扫码换桌需要使用相机，用于识别桌上的二维码"], "CAMERA", ""),
        (["需要访问通讯录才能邀请好友"], "CONTACTS", ""),
        (["To photograph your drawing, the app needs the camera."], "CAMERA", ""),
        (["We use your location to show stores near you"], "LOCATION", ""),
        (["定位"], "LOCATION", "needs-review"),
        (["为了给您更好的体验"], "LOCATION", "needs-review"),
        (["好邻居门店", "浏览商品"], "LOCATION", "violation"),
        (["开启定位，用于为您查找附近门店"], "CAMERA", "needs-review"),  # purpose, but of another group
        ([], "MICROPHONE", "violation"),
        (["Nearby stores"], "LOCATION", "needs-review"),
        # the big app markets' languages
        (["Чтобы отсканировать QR-код билета, приложению нужна камера."], "CAMERA", ""),
        (["배달 주소를 자동으로 입력하기 위해 위치 정보가 필요합니다."], "LOCATION", ""),
        (["電子書籍ファイルを取り込むために、ストレージへのアクセスが必要です。"], "STORAGE", ""),
        (["Damit wir Ihre Schritte zählen können, braucht die App Ihre körperliche Aktivität."], "ACTIVITY_RECOGNITION", ""),
        (["لعرض حالة الطقس في مدينتك نحتاج إلى موقعك التقريبي."], "LOCATION", ""),
        (["Pour trouver les magasins proches, l'application utilise votre localisation."], "LOCATION", ""),
        (["Standort"], "LOCATION", "needs-review"),
    ],
)
def test_match_purpose(texts: list[str], group: str, verdict: str) -> None:
    assert match_purpose(texts, group).verdict == verdict


def test_match_reports_what_it_found() -> None:
    got = match_purpose(["录音功能", "用于语音搜索"], "MICROPHONE")
    assert "录音" in got.words and "语音" in got.words
    assert got.markers == ("用于",)


def test_unknown_group_names_no_data() -> None:
    assert match_purpose(["位置 用于导航"], "NOT_A_GROUP").words == ()


def test_hostile_text_is_bounded() -> None:
    huge = "用" * 1_000_000 + "于定位"
    # the marker beyond the per-text bound is not seen; the call returns promptly
    assert match_purpose([huge], "LOCATION").verdict == "violation"


def test_every_dangerous_group_has_words() -> None:
    groups = load_purpose_terms().groups
    for g in ("LOCATION", "CAMERA", "MICROPHONE", "CONTACTS", "PHONE", "SMS", "STORAGE", "CALENDAR", "CALL_LOG"):
        assert groups[g], g


def _good() -> dict[str, Any]:
    return {
        "permission_purpose": {"groups": {"LOCATION": ["定位"]}, "purpose_markers": ["用于"], "dialog_question": ["^允许"]},
        "personalisation_words": ["个性化推荐"],
    }


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        (("permission_purpose", "purpose_markers"), ["(unclosed"], "invalid regular expression"),
        (("permission_purpose", "groups"), {}, "permission_purpose.groups"),
        (("permission_purpose", "groups"), {"LOCATION": []}, "groups.LOCATION"),
        (("permission_purpose", "dialog_question"), "^允许", "dialog_question"),
        (("personalisation_words",), None, "personalisation_words"),
    ],
)
def test_bad_terms_name_the_field(path: tuple[str, ...], value: Any, needle: str) -> None:
    data = _good()
    assert parse_purpose_terms(data).groups["LOCATION"] == ("定位",)
    target = data
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    with pytest.raises(CatalogError, match=needle):
        parse_purpose_terms(data)
