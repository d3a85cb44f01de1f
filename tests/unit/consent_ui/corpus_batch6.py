"""Batch 6 of the consent-UI corpus: written as an adversary would BEFORE the recogniser was
changed for it, and scored once with the recogniser as it was (the first-pass figure is in
docs/corpus.md).

The recogniser read every real screen we had and every case of batches 1-5, yet missed several
held-out real screens, so this batch goes where the earlier ones did not:

- permission dialogs of OEM skins (MIUI, EMUI / HarmonyOS, ColorOS, One UI, OriginOS) in
  English, Korean and Chinese, and the AOSP dialog in German, Japanese, Korean, French, Spanish,
  Russian, Arabic and traditional Chinese: Android 14 partial photo access ("Select photos",
  "Keep current selection"), "Only this time", precise vs approximate location, a deny button
  with a countdown;
- in-app privacy dialogs in Japanese, Korean, German, French, Spanish, Russian, Arabic (RTL
  layout) and traditional Chinese, whose refusal is an image with only a content-desc, a close
  "X", a small link, or a sentence-long clickable TextView;
- boxes ticked in advance that are ImageViews whose state lives only in content-desc or in the
  resource id;
- dialogs rendered in a WebView (text in android.view.View nodes, clickable Views as buttons);
- CMPs whose first layer only offers "manage options" and whose "reject all" sits on the
  second layer, in German, French, Japanese and Dutch;
- second confirms after a decline in Japanese, traditional Chinese, Arabic and a WebView;
- traps that are not consent screens: a newsletter toggle, a cookie-policy article, the system
  settings page listing an app's permission choices, an in-app privacy settings page with
  switches on, update and rating dialogs with "Not now" / "No thanks", a delete confirmation,
  a login screen with agreement text but no box.

App names and packages are made up; the wording follows what apps and system skins show in those
languages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corpus_kit import N, Stack, box, btn, cb, edit, img, radio, sw, tv, web

__all__ = ["batch6_screens"]

W, H = 1080, 2400
V = "android.view.View"
VG = "android.view.ViewGroup"
PC = "com.android.permissioncontroller:id/"
GPC = "com.google.android.permissioncontroller"

Emit = Callable[..., None]


def _root(*kids: N) -> N:
    return box((0, 0, W, H), *kids, rid="android:id/content", cls="FrameLayout")


def _home(pkg: str, title: str = "Home") -> N:
    r = f"{pkg}:id/"
    return box((0, 0, W, H), tv(title, (40, 110, 600, 190), r + "toolbar_title"), img((0, 240, W, 900), r + "hero"),
               box((0, 920, W, 1300), tv("…", (40, 940, 600, 1010), r + "card_title"), click=True, rid=r + "card"), rid=r + "main", cls="FrameLayout")


# ---------------------------------------------------------------------------------------------
# System permission dialogs
# ---------------------------------------------------------------------------------------------
def _aosp(emit: Emit, name: str, *, lang: str, msg: str, buttons: list[tuple[str, str]], group: str, decline: str,
          accuracy: tuple[str, str] | None = None, dialect: str = "ua", note: str = "", rtl: bool = False) -> None:
    """The AOSP grant dialog (API 31+ look) with translated texts; ids are AOSP's."""
    x1, x2 = 36, W - 36
    n_btn = len(buttons)
    total = 80 + 110 + 170 + (470 if accuracy else 0) + n_btn * 156 + 60
    y0 = H - total - 100
    s = Stack(x1, y0 + 48, x2, gap=24)
    cc = s.y
    icon = s.take(108, inset=(x2 - x1) // 2 - 54)
    mb = s.text(msg, 50, inset=70)
    kids: list[N] = [box((x1, cc, x2, s.y), img(icon, PC + "permission_icon"), tv(msg, mb, PC + "permission_message"), rid=PC + "content_container")]
    if accuracy:
        ab = s.take(450)
        half = (ab[0] + ab[2]) // 2
        left, right = (ab[0] + 70, ab[1], half - 40, ab[3]), (half + 40, ab[1], ab[2] - 70, ab[3])
        if rtl:
            left, right = right, left
        kids.append(box(ab, radio(accuracy[0], left, True, PC + "permission_location_accuracy_radio_fine"),
                        radio(accuracy[1], right, False, PC + "permission_location_accuracy_radio_coarse"),
                        rid=PC + "permission_location_accuracy_radio_group", cls="RadioGroup"))
    bt = s.y
    kids.append(box((x1, bt, x2, bt + n_btn * 156), *[btn(t, s.take(132, inset=40), PC + r) for r, t in buttons]))
    dlg = box((x1, y0, x2, s.y + 36), box((x1, y0, x2, s.y + 36), *kids, rid=PC + "grant_dialog"), rid=PC + "grant_singleton")
    root = box((x1, y0, x2, s.y + 36), dlg, rid="android:id/content", cls="FrameLayout")
    emit(name, [root], GPC, (W, H), kind="permission_dialog", decline=decline, group=group, lang=lang, dialect=dialect, note=note, bars="none")


def _oem(emit: Emit, name: str, *, pkg: str, lang: str, msg: str, buttons: list[tuple[str, str, str]], group: str, decline: str,
         title: str = "", extra: list[N] | None = None, row: bool = False, dialect: str = "ua", note: str = "", msg_rid: str = "") -> None:
    """An OEM skin's dialog: its own package and ids (or none).  buttons: (id, text, class)."""
    x1, x2 = 30, W - 30
    s = Stack(x1, H - 1150, x2, gap=28)
    top = s.y
    kids: list[N] = [img(s.take(96, inset=(x2 - x1) // 2 - 48), f"{pkg}:id/icon")]
    if title:
        kids.append(tv(title, s.take(80, inset=60), f"{pkg}:id/alertTitle"))
    kids.append(tv(msg, s.text(msg, 46, inset=60), msg_rid))
    for e in extra or []:
        b = s.take(e.b[3] - e.b[1] if e.b[3] > e.b[1] else 100, inset=60)
        e.b = b
        kids.append(e)
    if row:
        bs = s.row(140, len(buttons), 20, inset=40)
        kids.append(box((x1, bs[0][1], x2, bs[0][3]), *[btn(t, b, r, cls=c) for (r, t, c), b in zip(buttons, bs, strict=True)]))
    else:
        bt = s.y
        kids.append(box((x1, bt, x2, bt + len(buttons) * 154), *[btn(t, s.take(126, inset=40), r, cls=c) for r, t, c in buttons]))
    panel = box((x1, top - 40, x2, s.y + 40), *kids, rid=f"{pkg}:id/parentPanel")
    emit(name, [_root(panel)], pkg, (W, H), kind="permission_dialog", decline=decline, group=group, lang=lang, dialect=dialect, note=note)


def permissions(emit: Emit) -> None:
    _oem(emit, "b6_perm_miui14_en_location_appium", pkg="com.lbe.security.miui", lang="en", msg="Rydo wants to access your location",
         buttons=[("", "Allow only while using the app", "Button"), ("", "Ask every time", "Button"), ("", "Deny", "Button")],
         group="LOCATION", decline="Deny", dialect="appium", note="MIUI 14 global (English), app-request phrasing, no ids, Appium")
    _oem(emit, "b6_perm_emui_en_camera_text_buttons", pkg="com.huawei.systemmanager", lang="en", msg="Allow Scanly to take photos and record videos?",
         buttons=[("", "DENY", "TextView"), ("", "ALLOW", "TextView")], row=True, group="CAMERA", decline="DENY",
         extra=[cb("Don't ask again", (0, 0, 0, 90), False, "com.huawei.systemmanager:id/remember_checkbox")],
         note="EMUI English: TextView buttons side by side, don't-ask box")
    _oem(emit, "b6_perm_harmony4_zh_photos_partial", pkg="com.huawei.hmos.security.privacycenter", lang="zh", msg="是否允许“相册大师”访问您的图片和视频？",
         buttons=[("", "允许访问全部", "TextView"), ("", "选择图片和视频", "TextView"), ("", "禁止", "TextView")], group="MEDIA", decline="禁止",
         note="HarmonyOS 4 style partial photo access, TextView buttons without ids")
    _oem(emit, "b6_perm_coloros13_en_mic", pkg="com.android.permissioncontroller", lang="en", msg="Allow Voicy to record audio?",
         buttons=[(PC + "coui_button_while_using", "While using the app", "Button"), (PC + "coui_button_once", "Only this time", "Button"),
                  (PC + "coui_button_deny", "Don't allow", "Button")], group="MICROPHONE", decline=PC + "coui_button_deny",
         note="ColorOS 13 English, COUI ids on the permissioncontroller package")
    _oem(emit, "b6_perm_oneui_ko_calendar_appium", pkg="com.samsung.android.permissioncontroller", lang="ko", msg="일정 앱이 캘린더에 액세스하도록 허용할까요?",
         buttons=[("", "허용", "Button"), ("", "허용 안 함", "Button")], group="CALENDAR", decline="허용 안 함", dialect="appium",
         note="One UI Korean, no ids, Appium")
    _oem(emit, "b6_perm_originos_en_phone_countdown", pkg="com.vivo.permissionmanager", lang="en", title="Permission request",
         msg="Allow Quickloan to make and manage phone calls?",
         buttons=[("com.vivo.permissionmanager:id/btn_forbid", "Deny (8s)", "Button"), ("com.vivo.permissionmanager:id/btn_allow", "Allow", "Button")],
         row=True, group="PHONE", decline="com.vivo.permissionmanager:id/btn_forbid", note="OriginOS English, deny button counting down")
    _oem(emit, "b6_perm_miui_zh_tw_contacts", pkg="com.lbe.security.miui", lang="zh", msg="要允許「記帳本」存取你的聯絡人嗎？",
         buttons=[("com.lbe.security.miui:id/permission_allow_button", "允許", "Button"), ("com.lbe.security.miui:id/permission_reject_button", "拒絕", "Button")],
         group="CONTACTS", decline="com.lbe.security.miui:id/permission_reject_button", dialect="ua_pretty", note="MIUI traditional Chinese (Taiwan)")

    fine_de = ("Genau", "Ungefähr")
    _aosp(emit, "b6_perm_api31_de_location_accuracy", lang="de", msg="Zulassen, dass Radl auf den Standort dieses Geräts zugreifen darf?",
          buttons=[("permission_allow_foreground_only_button", "Bei Nutzung der App"), ("permission_allow_one_time_button", "Nur dieses Mal"),
                   ("permission_deny_button", "Nicht zulassen")], group="LOCATION", decline=PC + "permission_deny_button", accuracy=fine_de,
          note="AOSP German, precise / approximate radios")
    _aosp(emit, "b6_perm_api34_ja_photos_partial", lang="ja", msg="このデバイス上の写真と動画へのアクセスを「フォトン」に許可しますか？",
          buttons=[("permission_allow_all_button", "すべて許可"), ("permission_allow_selected_button", "写真と動画を選択"), ("permission_deny_button", "許可しない")],
          group="MEDIA", decline=PC + "permission_deny_button", note="Android 14 partial photo access, Japanese")
    _aosp(emit, "b6_perm_api33_ko_location_approx_appium", lang="ko", msg="지도앱에서 이 기기의 위치에 액세스하도록 허용하시겠습니까?",
          buttons=[("permission_allow_foreground_only_button", "앱 사용 중에만 허용"), ("permission_allow_one_time_button", "이번만 허용"),
                   ("permission_deny_button", "허용 안함")], group="LOCATION", decline=PC + "permission_deny_button", accuracy=("정확한 위치", "대략적인 위치"),
          dialect="appium", note="AOSP Korean with accuracy radios, Appium")
    _aosp(emit, "b6_perm_api33_fr_notifications", lang="fr", msg="Autoriser Météo+ à vous envoyer des notifications ?",
          buttons=[("permission_allow_button", "Autoriser"), ("permission_deny_button", "Ne pas autoriser")], group="NOTIFICATIONS",
          decline=PC + "permission_deny_button", note="AOSP French notifications")
    _aosp(emit, "b6_perm_api32_es_contacts_second", lang="es", msg="¿Permitir que Agenda acceda a tus contactos?",
          buttons=[("permission_allow_button", "Permitir"), ("permission_deny_and_dont_ask_again_button", "No permitir")], group="CONTACTS",
          decline=PC + "permission_deny_and_dont_ask_again_button", note="AOSP Spanish second request")
    _aosp(emit, "b6_perm_api30_ru_camera", lang="ru", msg="Разрешить приложению \u00abСканер\u00bb снимать фото и видео?",
          buttons=[("permission_allow_foreground_only_button", "При использовании приложения"), ("permission_allow_one_time_button", "Только в этот раз"),
                   ("permission_deny_button", "Запретить")], group="CAMERA", decline=PC + "permission_deny_button", note="AOSP Russian")
    _aosp(emit, "b6_perm_api32_ar_location_rtl", lang="ar", msg="هل تريد السماح لتطبيق \"خرائطي\" بالوصول إلى الموقع الجغرافي لهذا الجهاز؟",
          buttons=[("permission_allow_foreground_only_button", "أثناء استخدام التطبيق"), ("permission_allow_one_time_button", "هذه المرة فقط"),
                   ("permission_deny_button", "عدم السماح")], group="LOCATION", decline=PC + "permission_deny_button", accuracy=("دقيق", "تقريبي"), rtl=True,
          note="AOSP Arabic, right-to-left radios")
    _aosp(emit, "b6_perm_api33_zh_tw_media_appium", lang="zh", msg="要允許「相簿」存取這部裝置中的相片和影片嗎？",
          buttons=[("permission_allow_button", "允許"), ("permission_deny_button", "不允許")], group="MEDIA", decline=PC + "permission_deny_button",
          dialect="appium", note="AOSP traditional Chinese media")
    _aosp(emit, "b6_perm_api34_en_more_photos", lang="en", msg="Allow Collage to access more photos and videos on this device?",
          buttons=[("permission_allow_selected_button", "Select more photos and videos"), ("permission_allow_all_button", "Allow all"),
                   ("permission_dont_allow_more_selected_button", "Keep current selection")], group="MEDIA",
          decline=PC + "permission_dont_allow_more_selected_button", note="Android 14 re-request after partial access: keeping the selection refuses more")


# ---------------------------------------------------------------------------------------------
# In-app privacy dialogs
# ---------------------------------------------------------------------------------------------
def _dialog(pkg: str, title: str, body: str, controls: list[N], *, ids: bool = True, extra: list[N] | None = None, top_right: N | None = None,
            links: list[str] | None = None) -> list[N]:
    """An app's dialog over its home page; ``controls`` are laid out as a stack at the bottom."""
    r = f"{pkg}:id/" if ids else ""
    x1, x2 = 80, W - 80
    s = Stack(x1, 560, x2, gap=26)
    top = s.y
    kids: list[N] = []
    if top_right is not None:
        top_right.b = (x2 - 120, top - 10, x2 - 20, top + 90)
        kids.append(top_right)
    kids.append(tv(title, s.take(90, inset=40), r + "tv_title" if ids else ""))
    sb = s.text(body, 40, inset=50)
    inner = [tv(body, sb, r + "tv_content" if ids else "")]
    for ln in links or []:
        inner.append(tv(ln, s.take(64, inset=50), r + "tv_link" if ids else "", click=True))
    kids.append(box((x1, sb[1], x2, s.y), *inner, rid=r + "scroll" if ids else "", cls="ScrollView", scroll=True))
    for e in extra or []:
        h = e.b[3] - e.b[1] if e.b[3] > e.b[1] else 100
        b = s.take(h, inset=50)
        dy = b[1] - e.b[1]
        _shift(e, b[0] - e.b[0], dy)
        kids.append(e)
    for c in controls:
        h = c.b[3] - c.b[1] if c.b[3] > c.b[1] else 130
        inset = c.b[0] if c.b[0] and c.b[2] == 0 else 50
        b = s.take(h, inset=inset)
        _shift(c, b[0] - c.b[0], b[1] - c.b[1])
        c.b = b
        kids.append(c)
    return [_root(_home(pkg), box((x1, top - 30, x2, s.y + 40), *kids, rid=r + "dialog_root" if ids else ""))]


def _shift(n: N, dx: int, dy: int) -> None:
    stack = [n]
    while stack:
        x = stack.pop()
        x.b = (x.b[0] + dx, x.b[1] + dy, x.b[2] + dx, x.b[3] + dy)
        stack.extend(x.kids)


def _row_box(label: str, on: bool, *, desc_on: str, desc_off: str, rid_on: str = "", rid_off: str = "", label_rid: str = "") -> N:
    """A consent row whose box is an ImageView: its state only in content-desc or resource id."""
    icon = img((0, 0, 70, 90), rid_on if on else rid_off, desc=desc_on if on else desc_off, click=True)
    return box((0, 0, 820, 90), icon, tv(label, (90, 0, 820, 90), label_rid), click=True)


def privacy(emit: Emit) -> None:
    pkg = "com.demo.b6.kakeibo"
    body = ("「かけいぼ」をご利用いただくには、利用規約およびプライバシーポリシーへの同意が必要です。端末情報や利用状況を、"
            "サービス改善と広告配信のために取得します。内容をご確認のうえ、同意してください。")
    emit("b6_privacy_ja_native", _dialog(pkg, "プライバシーポリシーへの同意", body,
                                         [btn("同意する", (0, 0, 0, 130), f"{pkg}:id/btn_agree"), btn("同意しない", (0, 0, 0, 120), f"{pkg}:id/btn_disagree", cls="TextView")],
                                         links=["利用規約", "プライバシーポリシー"]),
         pkg, (W, H), kind="privacy_dialog", decline="同意しない", lang="ja", note="ja privacy dialog, accept button over a text decline")

    pkg = "com.demo.b6.market.kr"
    r = f"{pkg}:id/"
    rows = [_row_box("[필수] 서비스 이용약관 동의", False, desc_on="선택됨", desc_off="선택 안 됨", rid_on=r + "iv_check", rid_off=r + "iv_check"),
            _row_box("[필수] 개인정보 수집 및 이용 동의", False, desc_on="선택됨", desc_off="선택 안 됨", rid_on=r + "iv_check", rid_off=r + "iv_check"),
            _row_box("[선택] 마케팅 정보 수신 동의", True, desc_on="선택됨", desc_off="선택 안 됨", rid_on=r + "iv_check", rid_off=r + "iv_check")]
    emit("b6_privacy_ko_image_boxes_marketing_preticked", _dialog(pkg, "약관 동의", "서비스 이용을 위해 아래 약관에 동의해 주세요.",
                                                                 [btn("동의하고 시작하기", (0, 0, 0, 130), r + "btn_start"), btn("취소", (0, 0, 0, 110), r + "btn_cancel", cls="TextView")],
                                                                 extra=rows),
         pkg, (W, H), kind="privacy_dialog", decline="취소", pre=True, lang="ko",
         note="ko terms sheet: boxes are ImageViews, state only in content-desc; optional marketing box ticked in advance")

    pkg = "com.demo.b6.fahrplan"
    body = ("Wir verwenden Ihre Daten, um Verbindungen zu berechnen und die App zu verbessern. Details finden Sie in unserer "
            "Datenschutzerklärung. Sie können Ihre Einwilligung jederzeit in den Einstellungen widerrufen.")
    emit("b6_privacy_de_small_link_decline", _dialog(pkg, "Datenschutz", body,
                                                     [btn("Zustimmen und fortfahren", (0, 0, 0, 140), f"{pkg}:id/btn_primary"),
                                                      tv("Ablehnen", (0, 0, 0, 60), f"{pkg}:id/tv_secondary", click=True)]),
         pkg, (W, H), kind="privacy_dialog", decline="Ablehnen", lang="de", note="de privacy dialog, refusal a small grey link")

    pkg = "com.demo.b6.recettes"
    body = ("Pour vous proposer des recettes adaptées, nous collectons des données d'utilisation et l'identifiant de votre appareil. "
            "Consultez notre politique de confidentialité pour en savoir plus.")
    emit("b6_privacy_fr_close_x_only", _dialog(pkg, "Votre vie privée", body, [btn("Accepter", (0, 0, 0, 140), f"{pkg}:id/btn_accept")],
                                               top_right=img((0, 0, 0, 0), "", desc="Fermer", click=True), links=["Politique de confidentialité"]),
         pkg, (W, H), kind="privacy_dialog", decline="Fermer (content-desc)", lang="fr", note="fr privacy dialog: only a close X (content-desc) refuses")

    pkg = "com.demo.b6.clima"
    body = "Usamos tu ubicación aproximada y datos del dispositivo para mostrarte el tiempo local y anuncios. Lee nuestra Política de privacidad."
    emit("b6_privacy_es_image_decline_appium", _dialog(pkg, "Tu privacidad", body,
                                                       [btn("Aceptar y continuar", (0, 0, 0, 140), f"{pkg}:id/btn_ok"),
                                                        N("android.widget.ImageButton", desc="Rechazar", b=(0, 0, 0, 110), click=True)]),
         pkg, (W, H), kind="privacy_dialog", decline="Rechazar (content-desc)", lang="es", dialect="appium",
         note="es privacy dialog, refusal an ImageButton with only content-desc")

    pkg = "com.demo.b6.dostavka"
    body = ("Продолжая, вы соглашаетесь с Политикой конфиденциальности. Мы обрабатываем данные об устройстве и геопозицию, "
            "чтобы показывать ближайшие рестораны.")
    kids = [N("android.widget.TextView", text="Политика конфиденциальности", b=(0, 0, 0, 90)), N("android.widget.TextView", text=body, b=(0, 0, 0, 300))]
    btns = [N(VG, desc="Принимаю", click=True, focusable=True, b=(0, 0, 0, 130), kids=[N("android.widget.TextView", text="Принимаю", b=(30, 25, 800, 105))]),
            N(VG, desc="Не принимаю", click=True, focusable=True, b=(0, 0, 0, 120), kids=[N("android.widget.TextView", text="Не принимаю", b=(30, 25, 800, 95))])]
    s = Stack(80, 700, W - 80, gap=30)
    laid: list[N] = []
    for n in kids + btns:
        b = s.take(n.b[3] - n.b[1], inset=40)
        _shift(n, b[0] - n.b[0], b[1] - n.b[1])
        n.b = b
        laid.append(n)
    emit("b6_privacy_ru_rn", [_root(_home(pkg), N(VG, b=(80, 660, W - 80, s.y + 30), kids=laid))], pkg, (W, H), kind="privacy_dialog",
         decline="Не принимаю", lang="ru", note="ru privacy dialog, React Native ViewGroups without ids")

    pkg = "com.demo.b6.souq"
    body = "نحن نحترم خصوصيتك. نجمع معلومات الجهاز والموقع لتقديم الخدمة وتحسينها. يرجى قراءة سياسة الخصوصية وشروط الاستخدام قبل المتابعة."
    r = f"{pkg}:id/"
    dlg = _dialog(pkg, "سياسة الخصوصية", body, [box((0, 0, 0, 130), btn("موافق", (0, 0, 390, 130), r + "btn_positive"),
                                                     btn("رفض", (430, 0, 820, 130), r + "btn_negative"))], links=["سياسة الخصوصية"])
    emit("b6_privacy_ar_rtl", dlg, pkg, (W, H), kind="privacy_dialog", decline="رفض", lang="ar", dialect="ua_pretty",
         note="ar privacy dialog, right-to-left: the accept button sits left")

    pkg = "com.demo.b6.tw.news"
    texts = ["隱私權政策", "歡迎使用本服務！我們依據個人資料保護法蒐集、處理及利用您的裝置資訊與瀏覽紀錄，用於提供個人化內容與廣告。請詳閱《隱私權政策》與《服務條款》。"]
    s = Stack(60, 600, W - 60, gap=24)
    vk: list[N] = [N(V, text=t, b=s.text(t, 40)) for t in texts]
    vk.append(N(V, text="同意並繼續", b=s.take(130), click=True, focusable=True))
    vk.append(N(V, text="不同意", b=s.take(110), click=True, focusable=True))
    emit("b6_privacy_zh_tw_webview", [_root(_home(pkg), web((0, 540, W, s.y + 60), N(V, b=(0, 540, W, s.y + 60), kids=vk), title="隱私權政策"))], pkg, (W, H),
         kind="privacy_dialog", decline="不同意", lang="zh", note="traditional Chinese privacy dialog rendered in a WebView (View nodes)")

    pkg = "com.demo.b6.fitcoach"
    texts = ["Before you start", "FitCoach uses your activity data and device identifiers to personalise workouts and measure ads. "
             "Read our Privacy Policy to learn how we process your personal data.", "Privacy Policy"]
    s = Stack(60, 700, W - 60, gap=24)
    vk = [N(V, text=t, b=s.text(t, 40)) for t in texts]
    row = s.row(130, 2, 30)
    vk.append(N(V, text="Decline", b=row[0], click=True, focusable=True))
    vk.append(N(V, text="Agree", b=row[1], click=True, focusable=True))
    emit("b6_privacy_en_webview_views_appium", [_root(_home(pkg), web((0, 640, W, s.y + 60), N(V, b=(0, 640, W, s.y + 60), kids=vk)))], pkg, (W, H),
         kind="privacy_dialog", decline="Decline", lang="en", dialect="appium", note="en privacy dialog in a WebView, buttons are clickable Views")

    pkg = "com.demo.b6.waimai"
    r = f"{pkg}:id/"
    body = "在使用外卖服务前，请阅读《用户协议》和《隐私政策》。我们将收集您的位置信息、设备信息用于推荐附近商家。"
    agree_row = box((0, 0, 820, 90), img((0, 10, 70, 80), r + "iv_agree_checked", click=True),
                    tv("我已阅读并同意《用户协议》和《隐私政策》", (90, 0, 820, 90), r + "tv_agree"), click=True)
    emit("b6_privacy_zh_imageview_box_rid_checked", _dialog(pkg, "温馨提示", body, [box((0, 0, 0, 130), btn("不同意", (0, 0, 390, 130), r + "btn_cancel", cls="TextView"),
                                                                                        btn("同意", (430, 0, 820, 130), r + "btn_ok", cls="TextView"))], extra=[agree_row]),
         pkg, (W, H), kind="privacy_dialog", decline="不同意", pre=True, lang="zh",
         note="zh privacy dialog: agreement box an ImageView whose ticked state is only in its resource id")

    pkg = "com.demo.b6.sleeptrack"
    r = f"{pkg}:id/"
    body = "SleepTrack records sound at night and uses your device ID for analytics. Please review our Privacy Policy and Terms before continuing."
    rows2 = [_row_box("I agree to the Privacy Policy and Terms of Use", True, desc_on="Checkbox, checked", desc_off="Checkbox, not checked")]
    emit("b6_privacy_en_imageview_box_desc_checked", _dialog(pkg, "Your privacy", body,
                                                            [btn("Continue", (0, 0, 0, 130), r + "btn_continue"), btn("Disagree", (0, 0, 0, 110), r + "btn_disagree", cls="TextView")],
                                                            extra=rows2),
         pkg, (W, H), kind="privacy_dialog", decline="Disagree", pre=True, lang="en", note="en: agreement box an ImageView, 'checked' only in content-desc")

    pkg = "com.demo.b6.notes"
    r = f"{pkg}:id/"
    body = ("Notes+ stores your notes in the cloud and collects crash reports and device information. By tapping Agree you accept our "
            "Privacy Policy and Terms of Service.")
    emit("b6_privacy_en_decline_sentence_link", _dialog(pkg, "Privacy Policy", body,
                                                       [btn("Agree", (0, 0, 0, 140), r + "btn_agree"),
                                                        tv("Don't agree? Tap here to decline and exit the app.", (0, 0, 0, 64), r + "tv_decline_hint", click=True)]),
         pkg, (W, H), kind="privacy_dialog", decline=r + "tv_decline_hint", lang="en",
         note="en: the refusal is a clickable sentence (a link styled as text inside a longer TextView)")


# ---------------------------------------------------------------------------------------------
# CMPs
# ---------------------------------------------------------------------------------------------
def _cmp(emit: Emit, name: str, *, pkg: str, lang: str, title: str, body: str, buttons: list[str], decline: str, toggles: list[tuple[str, bool]] | None = None,
         webview: bool = False, dialect: str = "ua", note: str = "", pre: bool = False, top: bool = False) -> None:
    y0 = 240 if top else 1100
    s = Stack(48, y0 + 40, W - 48, gap=20)
    cls_t = V if webview else "android.widget.TextView"
    kids: list[N] = [N(cls_t, text=title, b=s.take(80)), N(cls_t, text=body, b=s.text(body, 36))]
    for label, on in toggles or []:
        rb = s.take(110)
        if webview:
            kids.append(N(V, b=rb, kids=[N(V, text=label, b=(rb[0], rb[1], rb[2] - 200, rb[3])),
                                         N("android.widget.CheckBox", b=(rb[2] - 170, rb[1] + 20, rb[2], rb[3] - 20), click=True, check=on)]))
        else:
            kids.append(box(rb, tv(label, (rb[0], rb[1], rb[2] - 200, rb[3])), sw("", (rb[2] - 170, rb[1] + 20, rb[2], rb[3] - 20), on), cls="RelativeLayout"))
    for t in buttons:
        if webview:
            kids.append(N(V, text=t, b=s.take(120), click=True, focusable=True))
        else:
            kids.append(btn(t, s.take(120)))
    if webview:
        panel = web((0, y0, W, s.y + 30), N(V, b=(0, y0, W, s.y + 30), kids=kids))
    else:
        panel = box((0, y0, W, s.y + 30), *kids)
    emit(name, [_root(_home(pkg), panel)], pkg, (W, H), kind="cmp_dialog", decline=decline, pre=pre, lang=lang, dialect=dialect, note=note)


def cmps(emit: Emit) -> None:
    _cmp(emit, "b6_cmp_tcf_en_manage_only_webview", pkg="com.demo.b6.puzzles", lang="en", title="We value your privacy",
         body=("We and our 842 partners store and/or access information on a device, such as cookies, and process personal data, such as unique "
               "identifiers, for personalised advertising and content, advertising and content measurement, audience research and services development."),
         buttons=["Accept all", "Manage options"], decline="-", webview=True, note="TCF first layer in a WebView: no refusal, reject hidden on the second layer")
    _cmp(emit, "b6_cmp_tcf_de_second_layer_reject", pkg="com.demo.b6.tagesblatt", lang="de", title="Einstellungen verwalten",
         body="Hier können Sie festlegen, für welche Zwecke wir und unsere Partner Ihre Daten verarbeiten dürfen.",
         toggles=[("Profile für personalisierte Werbung erstellen", False), ("Werbeleistung messen", False), ("Geräteeigenschaften zur Identifikation aktiv abfragen", False)],
         buttons=["Auswahl speichern", "Alle akzeptieren", "Alle ablehnen"], decline="Alle ablehnen", top=True,
         note="TCF second layer in German: reject all at the bottom under save / accept")
    _cmp(emit, "b6_cmp_fr_webview_tout_refuser_appium", pkg="com.demo.b6.lequotidien", lang="fr", title="Le respect de votre vie privée est notre priorité",
         body=("Nos partenaires et nous-mêmes utilisons des cookies et accédons à des informations non sensibles sur votre appareil, "
               "comme un identifiant unique, pour diffuser des publicités personnalisées et mesurer l'audience."),
         buttons=["Tout accepter", "Tout refuser", "Paramétrer"], decline="Tout refuser", webview=True, dialect="appium", note="fr CMP in a WebView, Appium")
    _cmp(emit, "b6_cmp_ja_reject_all", pkg="com.demo.b6.news.jp", lang="ja", title="Cookieの使用について",
         body="当社およびパートナーは、パーソナライズされた広告やコンテンツの配信、効果測定のために、Cookieを使用し端末上の情報を保存・参照します。",
         buttons=["すべて同意", "すべて拒否", "設定を管理"], decline="すべて拒否", note="ja CMP first layer")
    _cmp(emit, "b6_cmp_nl_alles_weigeren", pkg="com.demo.b6.krant.nl", lang="nl", title="Wij waarderen je privacy",
         body="Wij en onze partners gebruiken cookies om informatie op je apparaat op te slaan en te openen voor gepersonaliseerde advertenties en statistieken.",
         buttons=["Alles accepteren", "Alles weigeren", "Instellingen beheren"], decline="Alles weigeren", note="Dutch CMP first layer")
    _cmp(emit, "b6_cmp_en_purposes_on_preticked", pkg="com.demo.b6.recipes", lang="en", title="Manage your privacy preferences",
         body="Choose which purposes we and our partners may use your data for.",
         toggles=[("Personalised ads", True), ("Measure ad performance", True), ("Develop and improve services", True)],
         buttons=["Confirm choices", "Reject all"], decline="Reject all", pre=True, top=True, note="settings layer with purposes switched on in advance")


# ---------------------------------------------------------------------------------------------
# Second confirms after a decline
# ---------------------------------------------------------------------------------------------
def _prompt(pkg: str, title: str, body: str, buttons: list[str], *, ids: bool = True, stacked: bool = False) -> list[N]:
    r = f"{pkg}:id/" if ids else ""
    s = Stack(110, 950, W - 110, gap=28)
    top = s.y
    kids: list[N] = []
    if title:
        kids.append(tv(title, s.take(80, inset=30), r + "tv_title" if ids else ""))
    kids.append(tv(body, s.text(body, 40, inset=30), r + "tv_msg" if ids else ""))
    if stacked:
        for i, t in enumerate(buttons):
            kids.append(btn(t, s.take(120, inset=30), r + f"btn_{i}" if ids else ""))
    else:
        bs = s.row(120, len(buttons), 20)
        kids.append(box((110, bs[0][1], W - 110, bs[0][3]), *[btn(t, b, r + f"btn_{i}" if ids else "") for i, (t, b) in enumerate(zip(buttons, bs, strict=True))]))
    return [_root(_home(pkg), box((110, top - 30, W - 110, s.y + 30), *kids, rid=r + "dialog" if ids else ""))]


def second_confirms(emit: Emit) -> None:
    emit("b6_second_ja_exit_or_review", _prompt("com.demo.b6.tenki", "ご確認ください",
                                                 "プライバシーポリシーに同意いただけない場合、本アプリをご利用いただけません。", ["同意せずに終了", "内容を確認する"], stacked=True),
         "com.demo.b6.tenki", (W, H), kind="second_confirm", decline="同意せずに終了", lang="ja", after="decline", note="ja second confirm after a decline")
    emit("b6_second_zh_tw_still_decline", _prompt("com.demo.b6.tw.bank", "提示", "若您不同意《隱私權政策》，將無法使用本服務的完整功能。", ["仍不同意", "再看看"]),
         "com.demo.b6.tw.bank", (W, H), kind="second_confirm", decline="仍不同意", lang="zh", after="decline", note="traditional Chinese second confirm")
    emit("b6_second_ar_exit_back", _prompt("com.demo.b6.souq", "هل أنت متأكد؟", "لا يمكنك استخدام التطبيق دون الموافقة على سياسة الخصوصية.", ["رجوع", "خروج"]),
         "com.demo.b6.souq", (W, H), kind="second_confirm", decline="خروج", lang="ar", after="decline", note="ar second confirm, right-to-left button order")
    pkg = "com.demo.b6.fitcoach"
    s = Stack(60, 900, W - 60, gap=24)
    vk = [N(V, text="Are you sure?", b=s.take(80)), N(V, text="Without your consent we cannot provide personalised workouts. You can change this later in Settings.", b=s.take(160))]
    vk.append(N(V, text="Go back", b=s.take(120), click=True, focusable=True))
    vk.append(N(V, text="Exit app", b=s.take(120), click=True, focusable=True))
    emit("b6_second_en_webview_exit", [_root(_home(pkg), web((0, 860, W, s.y + 40), N(V, b=(0, 860, W, s.y + 40), kids=vk)))], pkg, (W, H),
         kind="second_confirm", decline="Exit app", lang="en", after="decline", dialect="appium", note="en second confirm in a WebView, Appium")
    emit("b6_second_de_continue_without", _prompt("com.demo.b6.fahrplan", "Ohne Einwilligung fortfahren?",
                                                  "Ohne Ihre Einwilligung stehen Echtzeitdaten und personalisierte Verbindungen nicht zur Verfügung.",
                                                  ["Trotzdem ablehnen", "Zurück"]),
         "com.demo.b6.fahrplan", (W, H), kind="second_confirm", decline="Trotzdem ablehnen", lang="de", after="decline", note="de second confirm")


# ---------------------------------------------------------------------------------------------
# Rationales, a login wall
# ---------------------------------------------------------------------------------------------
def rationales_and_login(emit: Emit) -> None:
    emit("b6_rationale_de_camera_not_now", _prompt("com.demo.b6.qrscan", "Kamerazugriff",
                                                   "Um QR-Codes zu scannen, benötigt die App Zugriff auf deine Kamera.", ["Nicht jetzt", "Weiter"]),
         "com.demo.b6.qrscan", (W, H), kind="permission_rationale", decline="Nicht jetzt", group="CAMERA", lang="de", note="de pre-prompt before the camera request")
    emit("b6_rationale_ja_location_later", _prompt("com.demo.b6.gourmet", "位置情報の利用について",
                                                   "近くのお店を表示するために、位置情報へのアクセスを許可してください。", ["今はしない", "続ける"], ids=False),
         "com.demo.b6.gourmet", (W, H), kind="permission_rationale", decline="今はしない", group="LOCATION", lang="ja", note="ja pre-prompt, no ids")
    pkg = "com.demo.b6.souq"
    r = f"{pkg}:id/"
    s = Stack(60, 300, 1020, gap=30)
    kids = [tv("تسجيل الدخول", s.take(90), r + "tv_title"), edit("", s.take(120), r + "et_email", hint="البريد الإلكتروني"),
            edit("", s.take(120), r + "et_password", password=True, hint="كلمة المرور"), btn("تسجيل الدخول", s.take(130), r + "btn_login"),
            tv("إنشاء حساب جديد", s.take(70, inset=300), r + "tv_register", click=True),
            tv("المتابعة كضيف", (240, 2080, 840, 2160), r + "tv_guest", click=True)]
    emit("b6_login_ar_guest", [_root(box((0, 0, W, H), *kids, rid=r + "login_root"))], pkg, (W, H), kind="login_gate", decline="المتابعة كضيف", lang="ar",
         note="ar login wall with a guest option")
    pkg = "com.demo.b6.ridehail"
    r = f"{pkg}:id/"
    s = Stack(60, 300, 1020, gap=30)
    kids = [tv("Enter your phone number", s.take(90), r + "tv_title"), edit("", s.take(120), r + "et_phone", hint="Phone number"),
            btn("Send code", s.take(130), r + "btn_send"),
            tv("By signing in you agree to our Terms of Service and acknowledge our Privacy Policy.", s.take(110), r + "tv_terms")]
    emit("b6_login_en_agreement_text_no_box", [_root(box((0, 0, W, H), *kids, rid=r + "login_root"))], pkg, (W, H), kind="login_gate", decline="-", lang="en",
         dialect="appium", note="trap: login screen with agreement text, no box, no guest way")


# ---------------------------------------------------------------------------------------------
# Traps: not consent screens
# ---------------------------------------------------------------------------------------------
def traps(emit: Emit) -> None:
    pkg = "com.demo.b6.shop"
    r = f"{pkg}:id/"
    s = Stack(0, 240, W, gap=0)
    rows = [("Order updates", True), ("Email newsletter", True), ("Offers and promotions", False)]
    kids: list[N] = [tv("Notifications", (40, 110, 700, 190), r + "toolbar_title")]
    for label, on in rows:
        b = s.take(140)
        kids.append(box(b, tv(label, (40, b[1] + 30, 800, b[3] - 30), r + "title"), sw("", (900, b[1] + 30, 1040, b[3] - 30), on, r + "switch_widget"),
                        click=True, cls="RelativeLayout"))
    emit("b6_neg_en_newsletter_toggle", [_root(box((0, 0, W, H), *kids, rid=r + "settings"))], pkg, (W, H), kind="other", lang="en",
         note="trap: notification settings with a newsletter switch on")

    pkg = "com.demo.b6.tagesblatt"
    r = f"{pkg}:id/"
    article = ("Diese Cookie-Richtlinie erklärt, welche Cookies wir einsetzen. Notwendige Cookies sind immer aktiv. Für Analyse- und Werbe-Cookies "
               "holen wir Ihre Einwilligung ein; Sie können sie jederzeit ablehnen oder akzeptieren, indem Sie die Einstellungen öffnen. "
               "Unsere Partner verarbeiten personenbezogene Daten zu Zwecken der personalisierten Werbung.")
    s = Stack(40, 260, W - 40, gap=30)
    kids = [img((0, 100, 120, 200), r + "btn_back", desc="Zurück", click=True), tv("Cookie-Richtlinie", (140, 110, 900, 190), r + "toolbar_title"),
            box((0, 240, W, H), tv(article, s.text(article, 40), r + "tv_body"), tv("Stand: März 2026", s.take(60), r + "tv_date"), cls="ScrollView", scroll=True)]
    emit("b6_neg_de_cookie_policy_article", [_root(box((0, 0, W, H), *kids, rid=r + "article"))], pkg, (W, H), kind="other", lang="de",
         dialect="ua_pretty", note="trap: a cookie-policy article (consent words, no decision)")

    pkg = GPC
    sp = "com.android.permissioncontroller:id/"
    s = Stack(0, 420, W, gap=10)
    opts = [("Allow all the time", False), ("Allow only while using the app", True), ("Ask every time", False), ("Don’t allow", False)]
    kids = [img((0, 100, 120, 200), "", desc="Navigate up", click=True), tv("Location permission", (140, 110, 900, 190)),
            tv("Rydo", (40, 260, 900, 340), sp + "entity_header_title")]
    for t, on in opts:
        b = s.take(130)
        kids.append(box(b, radio(t, (40, b[1] + 10, W - 40, b[3] - 10), on, "android:id/title"), click=True, cls="LinearLayout"))
    kids.append(tv("See all Rydo permissions", s.take(100), click=True))
    emit("b6_neg_en_settings_location_permission_page", [_root(box((0, 0, W, H), *kids, cls="FrameLayout"))], pkg, (W, H), kind="other", lang="en",
         dialect="appium", note="trap: the system settings page of one app's location permission (radios, no dialog)")

    pkg = "com.demo.b6.mailer"
    r = f"{pkg}:id/"
    s = Stack(0, 240, W, gap=0)
    kids = [tv("Privacy settings", (40, 110, 700, 190), r + "toolbar_title")]
    for label, on in [("Personalised ads", True), ("Share usage data to improve the app", True), ("Allow crash reports", True)]:
        b = s.take(150)
        kids.append(box(b, tv(label, (40, b[1] + 30, 850, b[3] - 30), r + "title"), sw("", (900, b[1] + 35, 1040, b[3] - 35), on, r + "switch_widget"),
                        click=True, cls="RelativeLayout"))
    for label in ["Privacy Policy", "Download my data", "Delete account"]:
        b = s.take(130)
        kids.append(box(b, tv(label, (40, b[1] + 30, 900, b[3] - 30), r + "title"), click=True, cls="RelativeLayout"))
    emit("b6_neg_en_privacy_settings_switches_on", [_root(box((0, 0, W, H), *kids, rid=r + "settings"))], pkg, (W, H), kind="other", lang="en",
         note="trap: the app's own privacy settings page with switches on (a settings page, not a prompt)")

    pkg = "com.demo.b6.market.kr"
    r = f"{pkg}:id/"
    s = Stack(0, 240, W, gap=0)
    kids = [tv("알림 설정", (40, 110, 700, 190), r + "toolbar_title")]
    for label, on in [("주문 및 배송 알림", True), ("마케팅 정보 수신 동의", True), ("야간 혜택 알림 수신 동의", False)]:
        b = s.take(150)
        kids.append(box(b, tv(label, (40, b[1] + 30, 850, b[3] - 30), r + "title"), sw("", (900, b[1] + 35, 1040, b[3] - 35), on, r + "sw"),
                        click=True, cls="RelativeLayout"))
    emit("b6_neg_ko_marketing_switch_settings", [_root(box((0, 0, W, H), *kids, rid=r + "settings"))], pkg, (W, H), kind="other", lang="ko",
         dialect="appium", note="trap: ko notification settings, a 'marketing consent' switch on")

    for name, pkg, lang, title, body, buttons, dialect, note in [
        ("b6_neg_en_update_not_now", "com.demo.b6.notes", "en", "Update available", "A new version of Notes+ is available with bug fixes and improvements.",
         ["Not now", "Update"], "ua", "trap: app update dialog with 'Not now'"),
        ("b6_neg_ja_update_later", "com.demo.b6.kakeibo", "ja", "アップデートのお知らせ", "新しいバージョンが利用可能です。最新版にアップデートしてください。",
         ["後で", "アップデート"], "ua", "trap: ja update dialog with 'later'"),
        ("b6_neg_en_rate_no_thanks", "com.demo.b6.sleeptrack", "en", "Enjoying SleepTrack?", "Tap a star to rate us on Google Play. It only takes a moment.",
         ["No thanks", "Rate now"], "appium", "trap: rating prompt with 'No thanks'"),
        ("b6_neg_es_delete_account", "com.demo.b6.clima", "es", "¿Eliminar cuenta?", "Se borrarán tus datos y tus ciudades guardadas. Esta acción no se puede deshacer.",
         ["Cancelar", "Eliminar"], "ua", "trap: delete-account confirmation mentioning data"),
        ("b6_neg_fr_logout", "com.demo.b6.recettes", "fr", "Se déconnecter ?", "Vous devrez vous reconnecter pour retrouver vos recettes favorites.",
         ["Annuler", "Se déconnecter"], "ua", "trap: log-out confirmation"),
        ("b6_neg_zh_tw_clear_history", "com.demo.b6.tw.news", "zh", "清除瀏覽紀錄", "確定要清除所有瀏覽紀錄嗎？此操作無法復原。",
         ["取消", "清除"], "ua_pretty", "trap: traditional Chinese clear-history confirmation"),
    ]:
        emit(name, _prompt(pkg, title, body, buttons), pkg, (W, H), kind="other", lang=lang, dialect=dialect, note=note)


def batch6_screens(emit: Callable[..., Any]) -> None:
    """Write batch 6 through ``emit`` (make_corpus.emit)."""
    permissions(emit)
    privacy(emit)
    cmps(emit)
    second_confirms(emit)
    rationales_and_login(emit)
    traps(emit)
