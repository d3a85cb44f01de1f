"""Issue 17: what came before a screen (ReadContext), login walls in the languages of the big app
markets, CMP settings layers, acknowledgement-only notices and settings/exit-only blocks."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_kit import box, btn, edit, render, tv

from harness.consent_ui import ReadContext, ScreenReading, read_screen
from harness.consent_ui.evaluate import load_labels
from harness.errors import InputError

CORPUS = Path(__file__).resolve().parent / "corpus"


def read(name: str, after: str = "") -> ScreenReading:
    return read_screen((CORPUS / f"{name}.xml").read_bytes(), ReadContext(after=after))


@pytest.mark.parametrize("name", ["b4_second_zh_reuses_privacy_layout", "b4_second_en_reuses_privacy_layout", "b4_second_ja_reuses_privacy_layout"])
def test_the_privacy_prompt_again_after_a_decline_is_a_second_confirm(name: str) -> None:
    # on its own the dump is a privacy dialog: only what came before tells the two apart
    alone = read(name)
    assert alone.kind == "privacy_dialog"
    after = read(name, "decline")
    assert after.kind == "second_confirm"
    assert any("after a decline" in r for r in after.reasons)
    c = after.decline_control()
    assert c is not None and c.role == "confirm_decline"
    assert after.accept_control() is not None  # its agree button is still read as accept


def test_context_changes_only_consent_prompts() -> None:
    # after a decline, a login wall is still a login wall, a CMP a CMP, an error an error: only
    # what reads as the privacy prompt (or a second confirm) becomes a second confirm
    changed = []
    for case in load_labels(CORPUS.parent / "labels.tsv"):
        data = (CORPUS / case.file).read_bytes()
        alone, after = read_screen(data).kind, read_screen(data, ReadContext(after="decline")).kind
        if alone != after:
            changed.append((case.kind, alone, after))
            assert case.kind in ("privacy_dialog", "second_confirm") and after == "second_confirm", (case.file, alone, after)
    assert len(changed) >= 20


def test_please_agree_to_all_terms_with_one_ok() -> None:
    for name in ("b4_second_en_agree_all_terms_ok", "b4_second_zh_agree_all_terms_ok", "b4_second_ko_agree_all_terms_ok"):
        r = read(name, "decline")
        assert r.kind == "second_confirm", (name, r.reasons)
        assert r.decline_control() is None and r.ambiguous_only, name


def test_read_context_is_validated() -> None:
    with pytest.raises(ValueError):
        ReadContext(after="accepted")
    assert ReadContext().after_decline is False and ReadContext(after="decline").after_decline


def test_labels_after_column_is_checked(tmp_path: Path) -> None:
    p = tmp_path / "labels.tsv"
    p.write_text("file\tkind\tdecline\tafter\nx.xml\tother\t-\tsomething\n", encoding="utf-8")
    with pytest.raises(InputError, match="after"):
        load_labels(p)


@pytest.mark.parametrize(
    ("name", "guest"),
    [
        ("b4_login_de_email_guest", "Als Gast fortfahren"),
        ("b4_login_fr_email_guest", "Continuer en tant qu'invité"),
        ("b4_login_es_email_guest", "Continuar como invitado"),
        ("b4_login_it_rn_guest", "Continua come ospite"),
        ("b4_login_pt_email_guest", "Continuar sem login"),
        ("b4_login_ja_email_guest", "ゲストとして利用する"),
        ("b4_login_ko_email_browse", "로그인 없이 둘러보기"),
        ("b4_login_ru_email_guest", "Продолжить как гость"),
    ],
)
def test_login_walls_and_guest_options_in_eight_languages(name: str, guest: str) -> None:
    r = read(name)
    assert r.kind == "login_gate", r.reasons
    c = r.decline_control()
    assert c is not None and c.role == "browse_only" and c.text == guest


@pytest.mark.parametrize("name", ["b4_login_it_email_noguest", "b4_login_fr_rn_noguest", "b4_login_ko_rn_noguest", "b4_login_ru_flutter_noguest"])
def test_login_walls_without_a_way_past(name: str) -> None:
    r = read(name)
    assert r.kind == "login_gate" and r.decline_control() is None


def _form(texts: list[str], fields: list[tuple[str, bool]], button: str) -> str:
    kids = [tv(t, (60, 200 + 120 * i, 1020, 300 + 120 * i)) for i, t in enumerate(texts)]
    kids += [edit("", (60, 800 + 140 * i, 1020, 920 + 140 * i), f"com.x:id/f{i}", hint=h, password=pw) for i, (h, pw) in enumerate(fields)]
    kids.append(btn(button, (60, 1400, 1020, 1520), "com.x:id/b"))
    return render([box((0, 0, 1080, 2400), *kids, rid="android:id/content", cls="FrameLayout")], "com.x", (1080, 2400))


def test_a_sign_in_form_in_german_is_a_wall_but_a_contact_form_is_not() -> None:
    wall = read_screen(_form(["Anmelden"], [("E-Mail-Adresse", False), ("Passwort", True)], "Anmelden"))
    assert wall.kind == "login_gate"
    contact = read_screen(_form(["Kontaktformular"], [("E-Mail-Adresse", False), ("Nachricht", False)], "Senden"))
    assert contact.kind == "other"


def test_cmp_settings_layers_pick_the_refusal() -> None:
    # reject all inside the manage-options layer
    r = read("b4_cmp_ump_de_manage_layer")
    assert r.kind == "cmp_dialog" and r.decline_control() is not None and r.decline_control().text == "Alle ablehnen"  # type: ignore[union-attr]
    # every purpose off: saving refuses
    r = read("b4_cmp_fr_purposes_off_save")
    assert r.decline_control() is not None and r.decline_control().text == "Enregistrer mes choix"  # type: ignore[union-attr]
    # purposes on: saving would accept, so there is no one-tap refusal; the switches to turn off are listed
    r = read("b4_cmp_es_vendors_on_confirm")
    assert r.kind == "cmp_dialog" and r.decline_control() is None
    on = [b for b in r.checkboxes if b.consent and b.checked]
    assert len(on) == 3 and r.asymmetry.taps_to_refuse == 4
    # first layer without reject: the way to refuse starts at manage options
    r = read("b4_cmp_de_flutter_no_reject")
    assert r.decline_control() is None and r.control("manage_options") is not None


def test_a_settings_or_exit_only_dialog_is_a_block_and_ok_beside_settings_is_an_escape() -> None:
    r = read("b4_block_zh_settings_exit")
    assert r.kind == "permission_rationale"
    roles = {c.role for c in r.controls}
    assert "decline_exit" in roles and not roles & {"decline", "close", "browse_only"}
    assert r.decline_control() is not None and r.decline_control().role == "decline_exit"  # type: ignore[union-attr]
    r = read("b4_block_en_settings_only")
    assert r.kind == "permission_rationale" and {c.role for c in r.controls} & {"accept"} and r.decline_control() is None
    # an acknowledgement beside "go to settings" dismisses the notice
    xml = render([box((0, 0, 1080, 2400), tv("需要位置权限", (100, 900, 980, 980)), tv("请前往设置开启位置权限，以便查找附近门店。", (100, 1000, 980, 1100)),
                      btn("我知道了", (100, 1200, 520, 1320), "com.x:id/b1"), btn("去设置", (560, 1200, 980, 1320), "com.x:id/b2"),
                      rid="android:id/content", cls="FrameLayout")], "com.x", (1080, 2400))
    r = read_screen(xml)
    assert r.kind == "permission_rationale"
    assert r.control("close") is not None and r.control("close").text == "我知道了"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["b4_notice_en_location_off_ok", "b4_notice_zh_camera_denied_iknow", "b4_notice_de_no_location_ok", "b4_notice_ja_notifications_off"])
def test_acknowledgement_only_notices_are_not_consent_screens_or_blocks(name: str) -> None:
    assert read(name).kind == "other"
