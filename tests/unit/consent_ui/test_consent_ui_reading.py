"""What a reading says: roles, groups, checkboxes, asymmetry, ambiguity, the JSON contract, the
two dump dialects, the lexicon's schema checks, and the reference device's own screens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_kit import box, btn, cb, render, tv

from harness.consent_ui import CONSENT_KINDS, KINDS, ROLES, Control, ScreenReading, read_screen
from harness.consent_ui.lexicon import lexicon, load_lexicon, normalise_label
from harness.errors import CatalogError

CORPUS = Path(__file__).resolve().parent / "corpus"
LEXICON_TEXT = (Path(__file__).resolve().parents[3] / "harness" / "consent_ui" / "lexicon.yaml").read_text(encoding="utf-8")


def read(name: str) -> ScreenReading:
    return read_screen((CORPUS / f"{name}.xml").read_bytes())


def test_to_dict_follows_the_schema_and_is_json() -> None:
    d = read("privacy_zh_preticked_box").to_dict()
    assert set(d) == {"kind", "confidence", "reasons", "permission_group", "package", "language", "controls", "checkboxes", "pre_ticked",
                      "implied_consent", "ambiguous_only", "asymmetry"}
    assert set(d["controls"][0]) == {"role", "text", "resource_id", "class", "bounds", "clickable", "checked", "is_button"}
    assert set(d["checkboxes"][0]) == {"text", "resource_id", "checked", "bounds", "consent"}
    assert set(d["asymmetry"]) == {"accept_area", "decline_area", "area_ratio", "decline_is_link", "accept_is_button", "taps_to_refuse"}
    assert d["kind"] in KINDS and all(c["role"] in ROLES for c in d["controls"])
    assert len(d["controls"][0]["bounds"]) == 4
    json.loads(json.dumps(d, ensure_ascii=False))


@pytest.mark.parametrize("name", ["privacy_zh_preticked_box", "cmp_vendor_switches_on_save", "perm_api30_en_mic_second", "second_zh_still_disagree"])
def test_from_dict_round_trip_keeps_every_decision(name: str) -> None:
    r = read(name)
    back = ScreenReading.from_dict(json.loads(r.to_json()))
    assert back.to_dict() == r.to_dict()
    for role in ROLES:
        a, b = r.control(role), back.control(role)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert (a.text, a.resource_id, a.bounds) == (b.text, b.resource_id, b.bounds)


def test_from_dict_tolerates_old_or_odd_records() -> None:
    r = ScreenReading.from_dict({"kind": "made_up", "controls": [{"role": "weird", "bounds": "x"}, "junk"], "asymmetry": None})
    assert r.kind == "other" and r.controls[0].role == "other" and r.controls[0].bounds == (0, 0, 0, 0)
    with pytest.raises(ValueError):
        ScreenReading.from_dict([])  # type: ignore[arg-type]


def test_control_center_and_best_pick() -> None:
    c = Control(role="decline", text="x", resource_id="", cls="", bounds=(100, 200, 300, 260))
    assert c.center == (200, 230)
    worse = Control(role="decline", text="y", resource_id="", cls="", bounds=(0, 0, 1, 1), score=0.1)
    better = Control(role="decline", text="z", resource_id="", cls="", bounds=(0, 0, 1, 1), score=2.0)
    assert ScreenReading(controls=(worse, better)).control("decline") is better
    assert ScreenReading(controls=(worse,)).control("accept") is None


def test_aosp_permission_dialog_roles_and_group() -> None:
    r = read("perm_api30_en_mic_second")
    assert r.kind == "permission_dialog" and r.permission_group == "MICROPHONE"
    roles = {c.role: c.text for c in r.controls if c.role != "other"}
    assert roles == {"allow_foreground": "While using the app", "allow_once": "Only this time", "deny": "Deny", "deny_dont_ask": "Deny & don’t ask again"}
    assert r.package == "com.google.android.permissioncontroller"
    assert r.asymmetry.taps_to_refuse == 1


def test_plain_allow_is_allow_always_and_old_dont_ask_box_is_a_control() -> None:
    r = read("perm_api23_en_contacts_dontask")
    assert r.control("allow_always") is not None and r.control("allow_always").text == "ALLOW"  # type: ignore[union-attr]
    box_ = r.control("deny_dont_ask")
    assert box_ is not None and box_.checked is False and "do_not_ask_checkbox" in box_.resource_id
    assert r.checkboxes and not r.checkboxes[0].consent and not r.pre_ticked


def test_oem_dialog_falls_back_on_text_and_strips_the_countdown() -> None:
    r = read("perm_miui10_zh_location_countdown")
    assert r.kind == "permission_dialog" and r.permission_group == "LOCATION"
    assert r.decline_control() is not None and r.decline_control().text == "拒绝(18)"  # type: ignore[union-attr]
    assert normalise_label("拒绝(18)") == "拒绝" and normalise_label("Agree (5s)") == "agree" and normalise_label("同  意") == "同意"


def test_app_drawn_permission_lookalike_is_a_rationale() -> None:
    r = read("rationale_en_contacts_app_question")
    assert r.kind == "permission_rationale" and r.permission_group == "CONTACTS"
    assert r.decline_control() is not None and r.decline_control().text == "Don't allow"  # type: ignore[union-attr]


def test_privacy_dialog_link_styled_decline_is_asymmetric() -> None:
    r = read("privacy_zh_agree_continue_link")
    a = r.asymmetry
    assert r.kind == "privacy_dialog"
    assert a.area_ratio is not None and a.area_ratio > 3
    assert a.accept_is_button and a.decline_is_link and a.taps_to_refuse == 1


def test_symmetric_buttons_are_not_flagged() -> None:
    a = read("privacy_en_accept_decline").asymmetry
    assert a.area_ratio == pytest.approx(1.0, abs=0.05) and not a.decline_is_link


def test_pre_ticked_consent_box_and_personalisation_switch() -> None:
    r = read("privacy_zh_preticked_box")
    assert r.pre_ticked and any(b.consent and b.checked and "隐私政策" in b.text for b in r.checkboxes)
    assert read("privacy_zh_unticked_box_appium").pre_ticked is False
    assert read("privacy_zh_personalised_toggle_on").pre_ticked is True


def test_non_consent_checked_boxes_are_not_pre_ticked() -> None:
    for name in ("neg_en_delete_photo_checkbox", "neg_en_bt_pairing_contacts_box", "neg_zh_dark_mode_toggles", "neg_en_usb_mode"):
        r = read(name)
        assert r.kind == "other" and not r.pre_ticked and not any(b.consent for b in r.checkboxes), name
        assert any(b.checked for b in r.checkboxes), name


def test_cmp_save_refuses_only_when_every_purpose_is_off() -> None:
    off = read("cmp_vendor_switches_all_off_save")
    assert off.decline_control() is not None and off.decline_control().text == "Save"  # type: ignore[union-attr]
    on = read("cmp_vendor_switches_on_save")
    assert on.decline_control() is None and on.control("accept") is not None
    assert on.pre_ticked and on.asymmetry.taps_to_refuse == 3  # untick two partners, then save
    pc = read("cmp_onetrust_pc_preticked")
    assert pc.pre_ticked and not any(b.consent for b in pc.checkboxes if "Strictly" in b.text)


def test_cmp_without_reject_needs_manage_options() -> None:
    r = read("cmp_ump_no_reject_appium")
    assert r.kind == "cmp_dialog" and r.decline_control() is None
    assert r.control("manage_options") is not None and r.asymmetry.taps_to_refuse is None


def test_second_confirm_roles() -> None:
    r = read("second_zh_still_disagree")
    assert r.kind == "second_confirm"
    assert r.control("confirm_decline").text == "仍不同意"  # type: ignore[union-attr]
    assert r.control("accept").text == "同意并继续"  # type: ignore[union-attr]
    r = read("second_en_decline_anyway")
    assert r.control("confirm_decline").text == "Decline anyway" and r.control("reconsider").text == "Go back"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["second_zh_ok_only", "privacy_zh_updated_iknow", "privacy_en_gotit_only", "cmp_cookie_gotit_only"])
def test_ambiguous_only(name: str) -> None:
    r = read(name)
    assert r.ambiguous_only and r.kind in CONSENT_KINDS and r.decline_control() is None


def test_not_ambiguous_when_a_decline_exists() -> None:
    assert not read("privacy_zh_side_disagree_agree").ambiguous_only
    assert not read("neg_es_error_ok").ambiguous_only  # a single OK on a non-consent screen is not flagged


def test_implied_consent_texts() -> None:
    r = read("login_zh_onetap_implied_appium")
    assert r.kind == "login_gate" and any("登录即同意" in t for t in r.implied_consent)
    r = read("privacy_en_firstrun_guest")
    assert r.kind == "privacy_dialog" and r.decline_control().role == "browse_only"  # type: ignore[union-attr]
    assert any(t.startswith("By continuing") for t in r.implied_consent)


@pytest.mark.parametrize(("name", "lang"), [("privacy_zh_side_disagree_agree", "zh"), ("privacy_en_accept_decline", "en"), ("neg_ko_logout", "ko"),
                                            ("neg_ja_delete_confirm", "ja"), ("neg_ru_exit_game", "ru"), ("neg_de_delete_file", "de"),
                                            ("neg_es_error_ok", "es"), ("neg_fr_quit", "fr")])
def test_language(name: str, lang: str) -> None:
    assert read(name).language == lang


def test_modal_over_page_sets_the_page_aside() -> None:
    r = read("cmp_onetrust_banner")
    assert all("Markets rally" not in c.text for c in r.controls)
    assert any("modal covers the page" in x for x in r.reasons)


def test_both_dialects_read_the_same() -> None:
    pkg = "com.demo.same"
    tree = box((0, 0, 1080, 2400),
               box((90, 700, 990, 1500), tv("用户协议与隐私政策", (130, 740, 950, 820)),
                   tv("请您仔细阅读《用户协议》和《隐私政策》，我们会收集设备信息用于安全风控。", (130, 840, 950, 1100)),
                   cb("我已阅读并同意《隐私政策》", (130, 1120, 950, 1200), True, f"{pkg}:id/cb"),
                   btn("不同意", (130, 1300, 520, 1420), f"{pkg}:id/no"), btn("同意", (560, 1300, 950, 1420), f"{pkg}:id/yes")),
               rid="android:id/content", cls="FrameLayout")
    readings = [read_screen(render([tree], pkg, (1080, 2400), d)).to_dict() for d in ("ua", "ua_pretty", "appium")]
    assert readings[0] == readings[1] == readings[2]
    assert readings[0]["kind"] == "privacy_dialog" and readings[0]["pre_ticked"] is True


def test_appium_tag_without_class_attribute_uses_the_tag() -> None:
    xml = ('<hierarchy rotation="0" width="1080" height="2400"><android.widget.FrameLayout bounds="[0,0][1080,2400]">'
           '<android.widget.Button text="Reject all" clickable="true" bounds="[0,0][500,100]"/></android.widget.FrameLayout></hierarchy>')
    r = read_screen(xml)
    assert r.controls[0].cls == "android.widget.Button"


def test_status_bar_nodes_do_not_count() -> None:
    r = read("privacy_zh_no_underlay")
    assert r.package == "com.demo.bianqian"
    assert all("systemui" not in c.resource_id for c in r.controls)


def test_reading_is_deterministic() -> None:
    data = (CORPUS / "cmp_didomi_notice.xml").read_bytes()
    assert read_screen(data) == read_screen(data)


# -- lexicon schema ---------------------------------------------------------------------------
def test_lexicon_loads_and_refuses_bad_data() -> None:
    lex = lexicon()
    assert lex.label_class("不同意并退出").cls == "neg_exit"  # type: ignore[union-attr]
    assert lex.label_class("i have read this long sentence and i agree to lots") is None  # a sentence, not a button
    with pytest.raises(CatalogError, match="both"):
        load_lexicon(LEXICON_TEXT.replace("    - 我同意\n", "    - 我同意\n    - 拒绝\n", 1))
    with pytest.raises(CatalogError, match="regular expression"):
        load_lexicon(LEXICON_TEXT.replace('    - "温馨提示"\n', '    - "温馨(提示"\n', 1))
    with pytest.raises(CatalogError, match="unknown section"):
        load_lexicon(LEXICON_TEXT + "\nsurprise: 1\n")
    with pytest.raises(CatalogError, match="not in harness/catalog/permissions.yaml"):
        load_lexicon(LEXICON_TEXT.replace("  CALL_LOG: [", "  CALLS: [", 1))
    with pytest.raises(CatalogError, match="missing classes"):
        load_lexicon(LEXICON_TEXT.replace("  cancel:\n", "  cancelled:\n", 1))
    with pytest.raises(CatalogError, match="not a permission role"):
        load_lexicon(LEXICON_TEXT.replace("permission_deny_button: deny", "permission_deny_button: accept", 1))
    with pytest.raises(CatalogError, match="schema"):
        load_lexicon(LEXICON_TEXT.replace("schema: 1", "schema: 2", 1))
    with pytest.raises(CatalogError, match="YAML"):
        load_lexicon("labels: [unclosed")


# -- the reference device's screens -------------------------------------------------------------
def test_reference_device_permission_dialogs() -> None:
    render_mod = pytest.importorskip("harness.devices.sim.render")
    from harness.catalog.permissions import GROUPS

    for group in GROUPS:
        for locale in ("zh-CN", "en-US"):
            xml, _ = render_mod.render_permission_dialog("点餐助手", group, locale)
            r = read_screen(xml)
            assert r.kind == "permission_dialog" and r.permission_group == group, (group, locale, r.reasons)
            assert r.decline_control() is not None and r.decline_control().role == "deny"  # type: ignore[union-attr]


def test_reference_device_app_dialogs() -> None:
    model = pytest.importorskip("harness.devices.sim.model")
    render_mod = pytest.importorskip("harness.devices.sim.render")
    seen = 0
    for name in model.available_models():
        m = model.load_bundled(name)
        base = next(s for s in m.screens.values() if s.layout != "dialog")
        for sid in ("privacy", "confirm"):
            s = m.screens.get(sid)
            if s is None:
                continue
            xml, _ = render_mod.render_app(base, s, m.package, {})
            r = read_screen(xml)
            want = "privacy_dialog" if sid == "privacy" else "second_confirm"
            assert r.kind == want, (name, sid, r.reasons)
            assert r.decline_control() is not None, (name, sid)
            seen += 1
    assert seen >= 10
