"""App-type profiles: the 39 regulation types, the 13 without personal information, seeds."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.catalog.permissions import GROUPS
from harness.catalog.profiles import app_profile, load_profiles, parse_profiles
from harness.errors import CatalogError

CAT = load_profiles()
RAW = yaml.safe_load(Path(__file__).resolve().parents[3].joinpath("harness/catalog/profiles.yaml").read_text("utf-8"))

NO_PI_TYPES = {
    "女性健康类",
    "网络直播类",
    "在线影音类",
    "短视频类",
    "新闻资讯类",
    "运动健身类",
    "浏览器类",
    "输入法类",
    "安全管理类",
    "电子图书类",
    "拍摄美化类",
    "应用商店类",
    "实用工具类",
}


def test_39_regulation_types_13_without_personal_information() -> None:
    types = CAT.regulation_types()
    assert len(types) == 39
    assert len({p.type for p in types}) == 39
    assert {p.name_zh for p in types if p.needs_no_pi} == NO_PI_TYPES
    for p in types:
        assert bool(p.necessary_pi) != p.needs_no_pi, p.id


def test_seed_scenarios_are_covered() -> None:
    seeds = CAT.seeds()
    for seed in ("restaurant", "parking", "education", "finance", "lending", "real_estate", "power_bank", "supermarket", "car_dealer"):
        assert seed in seeds, seed
    parking = app_profile("parking_payment")
    assert parking.needs_no_pi and not parking.account_required and parking.location == "none"
    assert parking.source == "shanghai_parking_guide"


def test_groups_and_location_are_consistent() -> None:
    for p in CAT.profiles.values():
        assert p.related_groups <= set(GROUPS), p.id
        assert (p.location != "none") == ("LOCATION" in p.related_groups), p.id


def test_lending_never_needs_contacts_sms_or_call_log() -> None:
    for pid in ("online_lending", "micro_loan", "power_bank_rental", "parking_payment"):
        assert not app_profile(pid).related_groups & {"CONTACTS", "SMS", "CALL_LOG"}, pid


def test_app_list_only_for_security_and_stores() -> None:
    assert {p.id for p in CAT.profiles.values() if p.app_list} == {"security_management", "app_store"}


def test_unknown_profile_lists_known_ids() -> None:
    with pytest.raises(CatalogError, match="unknown app-type profile 'teleport'.*parking_payment"):
        app_profile("teleport")


def _broken(pid: str, field: str, value: object) -> Any:
    data = copy.deepcopy(RAW)
    data["profiles"][pid][field] = value
    return data


@pytest.mark.parametrize(
    ("pid", "field", "value", "message"),
    [
        ("news", "location", "sometimes", "profiles.news.location"),
        ("news", "related_groups", ["TELEPATHY"], "unknown permission group"),
        ("food_delivery", "necessary_pi", ["soul"], "unknown item 'soul'"),
        ("news", "related_groups", [], "location must be 'none'"),
        ("food_delivery", "needs_no_pi", True, "needs_no_pi must be true exactly"),
        ("browser", "type", "(一)", "already used by map_navigation"),
        ("browser", "type", "(42)", "not an article-5 item"),
        ("dine_in_ordering", "based_on", "nothing_like_it", "unknown profile"),
        ("news", "colour", "blue", "unknown field(s) colour"),
        ("news", "source", "hearsay", "unknown document"),
    ],
)
def test_schema_errors(pid: str, field: str, value: object, message: str) -> None:
    from harness.catalog.rules import load_rules

    with pytest.raises(CatalogError) as exc:
        parse_profiles(_broken(pid, field, value), documents=list(load_rules().documents))
    assert message in str(exc.value)


def test_bad_file(tmp_path: Path) -> None:
    p = tmp_path / "profiles.yaml"
    p.write_text("profiles: {", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_profiles(p)
