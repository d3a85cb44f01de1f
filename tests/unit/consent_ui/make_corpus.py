"""Write the labelled consent-UI corpus: ``corpus/*.xml`` and ``labels.tsv`` beside this script.

Run ``python tests/unit/consent_ui/make_corpus.py`` after changing a screen; the generated files
are committed, and a test checks they are what this script writes.

Every screen is written by hand from knowledge of real layouts (AOSP permission dialogs API
23-35 and OEM skins, Chinese and English in-app privacy dialogs, second-confirm prompts, CMPs,
rationale pre-prompts, login gates) plus negatives built to trap a recogniser (settings pages
with privacy links, login pages with agreement text, delete confirmations, ANR and USB prompts,
non-consent toggles, other languages).  App names are made up.

labels.tsv columns:
  file, kind, decline (text or resource id of the control a scenario should tap to refuse,
  '-' when the screen offers none), pre_ticked (yes/no: a consent box or purpose toggle is on
  before the user touched it), ambiguous (yes/no: only OK / 好的 / 我知道了 and no decline),
  group (permission group or '-'), lang, dialect, after (what the runner did just before the
  screen appeared: 'decline' when it had just refused a consent prompt, else '-'), note.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_batch4 import batch4_screens  # noqa: E402
from corpus_batch5 import batch5_screens  # noqa: E402
from corpus_batch6 import batch6_screens  # noqa: E402
from corpus_batch7 import batch7_screens  # noqa: E402
from corpus_kit import (  # noqa: E402
    N,
    Stack,
    box,
    btn,
    cb,
    edit,
    img,
    nav_bar,
    radio,
    render,
    status_bar,
    sw,
    tv,
    web,
)
from corpus_kit import (
    ids as make_ids,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"


@dataclass
class Entry:
    file: str
    kind: str
    decline: str
    pre_ticked: bool
    ambiguous: bool
    group: str
    lang: str
    dialect: str
    note: str
    data: bytes
    after: str = ""


ENTRIES: list[Entry] = []


def emit(name: str, windows: list[N], pkg: str, size: tuple[int, int], *, kind: str, decline: str = "-", pre: bool = False,
         amb: bool = False, group: str = "-", lang: str = "en", dialect: str = "ua", note: str = "", rotation: int = 0,
         bars: str = "last", encoding: str = "utf-8", after: str = "") -> None:
    """Render one screen and record its label.  ``bars``: none | first | last (status bar window);
    ``after``: what the runner did just before the screen appeared ("decline" or "")."""
    ws = list(windows)
    if bars == "first":
        ws = [status_bar(size[0])] + ws
    elif bars == "last":
        ws = ws + [status_bar(size[0])]
    elif bars == "both":
        ws = ws + [status_bar(size[0]), nav_bar(size[0], size[1])]
    xml = render(ws, pkg, size, dialect, rotation=rotation)
    if encoding == "gbk":
        data = xml.encode("gbk")  # declared UTF-8, bytes GBK: a real-world mislabel
    elif encoding == "bom":
        data = b"\xef\xbb\xbf" + xml.encode("utf-8")
    elif encoding == "crlf":
        data = xml.replace("\n", "\r\n").encode("utf-8")
    else:
        data = xml.encode("utf-8")
    fname = f"{name}.xml"
    assert all(e.file != fname for e in ENTRIES), fname
    ENTRIES.append(Entry(fname, kind, decline, pre, amb, group, lang, dialect, note, data, after))


# ---------------------------------------------------------------------------------------------
# System permission dialogs
# ---------------------------------------------------------------------------------------------
PC = "com.android.permissioncontroller:id/"
PI = "com.android.packageinstaller:id/"

MSG_EN = {
    "LOCATION": "Allow {a} to access this device’s location?",
    "CAMERA": "Allow {a} to take pictures and record video?",
    "MICROPHONE": "Allow {a} to record audio?",
    "CONTACTS": "Allow {a} to access your contacts?",
    "PHONE": "Allow {a} to make and manage phone calls?",
    "CALL_LOG": "Allow {a} to access your phone call logs?",
    "SMS": "Allow {a} to send and view SMS messages?",
    "CALENDAR": "Allow {a} to access your calendar?",
    "STORAGE": "Allow {a} to access photos, media, and files on your device?",
    "MEDIA": "Allow {a} to access photos and videos on this device?",
    "SENSORS": "Allow {a} to access sensor data about your vital signs?",
    "ACTIVITY_RECOGNITION": "Allow {a} to access your physical activity?",
    "NEARBY_DEVICES": "Allow {a} to find, connect to, and determine the relative position of nearby devices?",
    "NOTIFICATIONS": "Allow {a} to send you notifications?",
}
MSG_ZH = {
    "LOCATION": "要允许“{a}”获取此设备的位置信息吗？",
    "CAMERA": "要允许“{a}”拍摄照片和录制视频吗？",
    "MICROPHONE": "要允许“{a}”录制音频吗？",
    "CONTACTS": "要允许“{a}”访问您的通讯录吗？",
    "PHONE": "要允许“{a}”拨打电话和管理通话吗？",
    "CALL_LOG": "要允许“{a}”访问您的通话记录吗？",
    "SMS": "要允许“{a}”发送和查看短信吗？",
    "CALENDAR": "要允许“{a}”访问您的日历吗？",
    "STORAGE": "要允许“{a}”访问您设备上的照片、媒体内容和文件吗？",
    "MEDIA": "要允许“{a}”访问此设备上的照片和视频吗？",
    "SENSORS": "要允许“{a}”获取与您的生命体征相关的传感器数据吗？",
    "ACTIVITY_RECOGNITION": "要允许“{a}”获取您的身体活动数据吗？",
    "NEARBY_DEVICES": "要允许“{a}”查找附近的设备、连接到这些设备并确定这些设备的相对位置吗？",
    "NOTIFICATIONS": "要允许“{a}”向您发送通知吗？",
}


def legacy_dialog(name: str, lang: str, app: str, group: str, *, second: bool, size: tuple[int, int] = (1080, 1920),
                  dialect: str = "ua", page: str = "", pkg: str = "com.android.packageinstaller", upper: bool = True) -> None:
    """API 23-28: packageinstaller dialog, two side-by-side buttons, the old don't-ask checkbox."""
    w, h = size
    msg = (MSG_EN if lang == "en" else MSG_ZH)[group].format(a=app)
    deny, allow, dont = ("DENY", "ALLOW", "Don't ask again") if lang == "en" else ("拒绝", "允许", "不再询问")
    if not upper and lang == "en":
        deny, allow = "Deny", "Allow"
    x1, x2 = 64, w - 64
    s = Stack(x1, h // 2 - 260, x2, gap=12)
    top = s.y
    icon_b = s.take(0)
    head = s.text(msg, 44, inset=40)
    icon_b = (x1 + 40, head[1], x1 + 112, head[1] + 72)
    kids_desc = [img(icon_b, PI + "permission_icon"), tv(msg, (x1 + 130, head[1], x2 - 40, head[3]), PI + "permission_message")]
    if page:
        pb = s.take(48, inset=40)
        kids_desc.append(tv(page, pb, PI + "current_page_text"))
    desc = box((x1, top, x2, s.y), box((x1 + 40, top, x2 - 40, s.y), *kids_desc, rid=PI + "perm_desc_root"), rid=PI + "desc_container", cls="FrameLayout")
    parts: list[N] = [desc]
    if second:
        parts.append(cb(dont, s.take(96, inset=40), False, PI + "do_not_ask_checkbox"))
    row = s.take(132)
    bw = 260
    parts.append(box(row, btn(deny, (x2 - 2 * bw - 30, row[1] + 12, x2 - bw - 30, row[3] - 12), PI + "permission_deny_button"),
                     btn(allow, (x2 - bw - 20, row[1] + 12, x2 - 20, row[3] - 12), PI + "permission_allow_button"), rid=PI + "button_group"))
    dialog = box((x1, top - 40, x2, s.y + 20), *parts, rid=PI + "dialog_container")
    root = box((0, 0, w, h), dialog, rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, size, kind="permission_dialog", decline=PI + "permission_deny_button", group=group, lang=lang,
         dialect=dialect, note=f"API 23-28 packageinstaller{' second request with Don’t ask again box' if second else ''}", bars="none")


def modern_dialog(name: str, api: int, lang: str, app: str, group: str, *, second: bool = False, size: tuple[int, int] = (1080, 2400),
                  dialect: str = "ua", pkg: str = "com.google.android.permissioncontroller", accuracy: bool = False,
                  buttons: list[tuple[str, str]] | None = None, decline: str = "", note: str = "") -> None:
    """API 29+: permissioncontroller grant dialog, stacked full-width buttons."""
    w, h = size
    msg = (MSG_EN if lang == "en" else MSG_ZH)[group].format(a=app)
    en = lang == "en"
    if buttons is None:
        loc_like = group in ("LOCATION", "CAMERA", "MICROPHONE")
        buttons = []
        if api == 29:
            if group == "LOCATION":
                buttons.append(("permission_allow_always_button", "Allow all the time" if en else "始终允许"))
                buttons.append(("permission_allow_foreground_only_button", "Allow only while using the app" if en else "仅在使用该应用期间允许"))
            else:
                buttons.append(("permission_allow_button", "Allow" if en else "允许"))
            buttons.append(("permission_deny_button", "Deny" if en else "拒绝"))
            if second:
                buttons.append(("permission_deny_and_dont_ask_again_button", "Deny & don’t ask again" if en else "拒绝，不要再询问"))
        else:
            if loc_like:
                buttons.append(("permission_allow_foreground_only_button", "While using the app" if en else "仅在使用该应用时允许"))
                buttons.append(("permission_allow_one_time_button", "Only this time" if en else "仅限这一次"))
            elif group == "MEDIA" and api >= 34:
                buttons.append(("permission_allow_all_button", "Allow all" if en else "全部允许"))
                buttons.append(("permission_allow_selected_button", "Select photos and videos" if en else "选择照片和视频"))
            else:
                buttons.append(("permission_allow_button", "Allow" if en else "允许"))
            deny = ("Deny" if en else "拒绝") if api == 30 else ("Don’t allow" if en else "不允许")
            if second and api == 30:
                buttons.append(("permission_deny_button", deny))
                buttons.append(("permission_deny_and_dont_ask_again_button", "Deny & don’t ask again" if en else "拒绝，不要再询问"))
            elif second:
                buttons.append(("permission_deny_and_dont_ask_again_button", deny))
            else:
                buttons.append(("permission_deny_button", deny))
    bh = 132 if h >= 2000 else 108
    total = 80 + 110 + 160 + (480 if accuracy else 0) + len(buttons) * (bh + 24) + 60
    y0 = h - total - 40 if h > w else (h - total) // 2
    x1, x2 = (36, w - 36) if h > w else (w // 2 - 560, w // 2 + 560)
    s = Stack(x1, y0 + 48, x2, gap=24)
    cc_top = s.y
    icon = s.take(108, inset=(x2 - x1) // 2 - 54)
    mb = s.text(msg, 50, inset=70)
    content = box((x1, cc_top, x2, s.y), box((x1 + 70, cc_top, x2 - 70, s.y), img(icon, PC + "permission_icon"), tv(msg, mb, PC + "permission_message")), rid=PC + "content_container")
    kids: list[N] = [content]
    if accuracy:
        ab = s.take(460)
        half = (ab[0] + ab[2]) // 2
        fine, coarse = ("Precise", "Approximate") if en else ("确切位置", "大致位置")
        kids.append(box(ab, box(ab, radio(fine, (ab[0] + 70, ab[1], half - 40, ab[3]), True, PC + "permission_location_accuracy_radio_fine"),
                                radio(coarse, (half + 40, ab[1], ab[2] - 70, ab[3]), False, PC + "permission_location_accuracy_radio_coarse"),
                                rid=PC + "permission_location_accuracy_radio_group", cls="RadioGroup"), rid=PC + "permission_location_accuracy"))
    btop = s.y
    bnodes = [btn(text, s.take(bh, inset=40), PC + rid) for rid, text in buttons]
    kids.append(box((x1, btop, x2, s.y), *bnodes))
    grant = box((x1, y0, x2, s.y + 36), box((x1, y0, x2, s.y + 36), *kids, rid=PC + "grant_dialog", click=True), rid=PC + "grant_singleton", click=True)
    root = box((x1, y0, x2, s.y + 36), box((x1, y0, x2, s.y + 36), box((x1, y0, x2, s.y + 36), grant, cls="ScrollView"), rid="android:id/content", cls="FrameLayout"), cls="FrameLayout")
    if not decline:
        decline = PC + next(r for r, _ in buttons if r in ("permission_deny_button",)) if any(r == "permission_deny_button" for r, _ in buttons) else PC + "permission_deny_and_dont_ask_again_button"
    emit(name, [root], pkg, size, kind="permission_dialog", decline=decline, group=group, lang=lang, dialect=dialect,
         note=note or f"API {api} permissioncontroller{' second request' if second else ''}", bars="none")


def oem_dialog(name: str, *, pkg: str, lang: str, msg: str, title: str = "", buttons: list[tuple[str, str, str]], group: str,
               decline: str, size: tuple[int, int] = (1080, 2400), dialect: str = "ua", checkbox: tuple[str, str] | None = None,
               row: bool = False, note: str = "", bars: str = "last") -> None:
    """An OEM-skinned permission dialog: own ids (or none), fall back on text and layout.
    ``buttons``: (resource id or '', text, class)."""
    w, h = size
    x1, x2 = 40, w - 40
    s = Stack(x1, h - 1100, x2, gap=28)
    top = s.y
    kids: list[N] = []
    if title:
        kids.append(tv(title, s.take(80, inset=60), f"{pkg}:id/title" if title else ""))
    mb = s.text(msg, 46, inset=60)
    kids.append(tv(msg, mb, f"{pkg}:id/message" if lang == "zh" else "android:id/message"))
    if checkbox:
        kids.append(cb(checkbox[1], s.take(90, inset=60), False, checkbox[0]))
    if row:
        bs = s.row(140, len(buttons), 20, inset=40)
        kids.append(box((x1, bs[0][1], x2, bs[0][3]), *[btn(t, b, r, cls=c) for (r, t, c), b in zip(buttons, bs, strict=True)]))
    else:
        btop = s.y
        kids.append(box((x1, btop, x2, btop + len(buttons) * 150), *[btn(t, s.take(126, inset=40), r, cls=c) for r, t, c in buttons]))
    panel = box((x1, top - 40, x2, s.y + 40), *kids, rid=f"{pkg}:id/parentPanel")
    root = box((0, 0, w, h), panel, rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, size, kind="permission_dialog", decline=decline, group=group, lang=lang, dialect=dialect, note=note, bars=bars)


def permission_screens() -> None:
    legacy_dialog("perm_api23_en_location_first", "en", "Trailmate", "LOCATION", second=False, page="1 of 2")
    legacy_dialog("perm_api23_en_contacts_dontask", "en", "Trailmate", "CONTACTS", second=True, page="2 of 2", size=(720, 1280))
    legacy_dialog("perm_api25_zh_storage", "zh", "青柠阅读", "STORAGE", second=False, dialect="ua_pretty")
    legacy_dialog("perm_api26_zh_phone_dontask", "zh", "快递小哥", "PHONE", second=True, size=(1080, 2160))
    legacy_dialog("perm_api27_en_camera_appium", "en", "ScanIt", "CAMERA", second=False, dialect="appium", upper=False)
    legacy_dialog("perm_api28_en_sms", "en", "TextBridge", "SMS", second=True, size=(1440, 2960), pkg="com.google.android.packageinstaller")
    legacy_dialog("perm_api28_zh_calendar_appium", "zh", "日程管家", "CALENDAR", second=False, dialect="appium")
    modern_dialog("perm_api29_en_location_always", 29, "en", "Weatherly", "LOCATION")
    modern_dialog("perm_api29_zh_contacts_second", 29, "zh", "点餐助手", "CONTACTS", second=True, pkg="com.android.permissioncontroller")
    modern_dialog("perm_api30_en_camera", 30, "en", "Snapgram", "CAMERA", size=(1080, 2340))
    modern_dialog("perm_api30_en_mic_second", 30, "en", "VoiceNote", "MICROPHONE", second=True, dialect="appium")
    modern_dialog("perm_api30_zh_location", 30, "zh", "快看天气", "LOCATION", dialect="ua_pretty")
    modern_dialog("perm_api31_en_location_accuracy", 31, "en", "RideNow", "LOCATION", accuracy=True)
    modern_dialog("perm_api31_zh_location_accuracy", 31, "zh", "美食地图", "LOCATION", accuracy=True, pkg="com.android.permissioncontroller")
    modern_dialog("perm_api31_en_nearby", 31, "en", "FitBand", "NEARBY_DEVICES", size=(1080, 2280))
    modern_dialog("perm_api32_en_calllog", 32, "en", "Dialer Plus", "CALL_LOG")
    modern_dialog("perm_api33_zh_notifications", 33, "zh", "外卖速达", "NOTIFICATIONS")
    modern_dialog("perm_api33_en_media_appium", 33, "en", "PhotoBox", "MEDIA", dialect="appium")
    modern_dialog("perm_api34_en_media_partial", 34, "en", "Collage", "MEDIA", note="API 34 partial photo access: Allow all / Select photos / Don't allow")
    modern_dialog("perm_api34_zh_activity", 34, "zh", "跑步记", "ACTIVITY_RECOGNITION")
    modern_dialog("perm_api35_en_sensors_second", 35, "en", "HeartLog", "SENSORS", second=True, note="second request: the deny button carries the don't-ask-again id")
    modern_dialog("perm_api35_zh_nearby_tablet", 35, "zh", "智能家", "NEARBY_DEVICES", size=(2560, 1600), note="tablet landscape")
    modern_dialog("perm_api29_en_bg_upgrade", 29, "en", "Weatherly", "LOCATION",
                  buttons=[("permission_allow_always_button", "Allow all the time"), ("permission_no_upgrade_button", "Keep “While app is in use”")],
                  decline=PC + "permission_no_upgrade_button", note="API 29 background-location upgrade: keeping the foreground grant refuses the upgrade")

    # OEM skins: own packages and ids, Chinese texts
    oem_dialog("perm_miui10_zh_location_countdown", pkg="com.lbe.security.miui", lang="zh", title="权限申请",
               msg="“顺风出行”申请获取定位权限，用于为您推荐附近的上车点", group="LOCATION",
               buttons=[("android:id/button2", "拒绝(18)", "Button"), ("android:id/button1", "允许", "Button")],
               checkbox=("com.lbe.security.miui:id/do_not_ask_checkbox", "记住我的选择"), row=True, decline="拒绝(18)",
               note="MIUI 10 dialog: deny button with a countdown, remember-my-choice box")
    oem_dialog("perm_hyperos_zh_camera", pkg="com.lbe.security.miui", lang="zh", msg="允许“短视频大师”拍摄照片和录制视频？", group="CAMERA",
               buttons=[("com.lbe.security.miui:id/permission_while_using_button", "仅在使用中允许", "Button"),
                        ("com.lbe.security.miui:id/permission_once_button", "本次使用允许", "Button"),
                        ("com.lbe.security.miui:id/permission_reject_button", "拒绝", "Button")],
               decline="拒绝", note="HyperOS style, no AOSP ids")
    oem_dialog("perm_emui9_zh_contacts", pkg="com.huawei.systemmanager", lang="zh", msg="是否允许“读书会”访问您的通讯录？", group="CONTACTS",
               buttons=[("android:id/button2", "禁止", "Button"), ("android:id/button1", "始终允许", "Button")],
               checkbox=("com.huawei.systemmanager:id/remember_choice", "禁止后不再提示"), row=True, decline="禁止",
               note="EMUI 9 style: 禁止 / 始终允许 with a 禁止后不再提示 box")
    oem_dialog("perm_harmony3_zh_location", pkg="com.huawei.systemmanager", lang="zh", msg="是否允许“骑行宝”访问您的位置信息？", group="LOCATION",
               buttons=[("", "仅使用期间允许", "TextView"), ("", "本次使用允许", "TextView"), ("", "禁止", "TextView")],
               decline="禁止", dialect="appium", note="HarmonyOS 3 style: TextView buttons, no ids, Appium page source")
    oem_dialog("perm_coloros12_zh_mic", pkg="com.android.permissioncontroller", lang="zh", msg="要允许“语音翻译”录制音频吗？", group="MICROPHONE",
               buttons=[("com.android.permissioncontroller:id/coui_button_while_using", "使用时允许", "Button"),
                        ("com.android.permissioncontroller:id/coui_button_once", "仅本次允许", "Button"),
                        ("com.android.permissioncontroller:id/coui_button_deny", "禁止", "Button")],
               decline="禁止", note="ColorOS 12 style: permissioncontroller package but COUI ids")
    oem_dialog("perm_originos_zh_storage", pkg="com.vivo.permissionmanager", lang="zh", msg="允许“扫描全能王”访问您设备上的照片、媒体内容和文件吗？", group="STORAGE",
               buttons=[("com.vivo.permissionmanager:id/btn_allow", "允许", "Button"), ("com.vivo.permissionmanager:id/btn_forbid", "禁止", "Button")],
               row=True, decline="禁止", note="OriginOS style on the vivo permission manager package")
    oem_dialog("perm_oneui_en_location", pkg="com.samsung.android.permissioncontroller", lang="en",
               msg="Allow Parkr to access this phone’s location?", group="LOCATION",
               buttons=[("", "Allow only while using the app", "Button"), ("", "Ask every time", "Button"), ("", "Don’t allow", "Button")],
               decline="Don’t allow", note="One UI style wording on a Samsung package without AOSP ids")
    oem_dialog("perm_oneui_zh_calendar", pkg="com.samsung.android.permissioncontroller", lang="zh", msg="要允许“会议通”访问您的日历吗？", group="CALENDAR",
               buttons=[("", "允许", "Button"), ("", "拒绝", "Button")], decline="拒绝", dialect="ua_pretty", note="One UI Chinese")
    oem_dialog("perm_realme_en_notifications", pkg="com.oplus.securitypermission", lang="en", msg="Allow Shopzy to send you notifications?", group="NOTIFICATIONS",
               buttons=[("", "Allow", "TextView"), ("", "Don't allow", "TextView")], row=True, decline="Don't allow",
               note="realme / OnePlus style: text buttons side by side, no ids")
    oem_dialog("perm_miui12_zh_phone_appium", pkg="com.lbe.security.miui", lang="zh", msg="“借钱花”想要获取电话权限，用于核实本机号码", group="PHONE",
               buttons=[("android:id/button1", "始终允许", "Button"), ("android:id/button3", "仅在使用中允许", "Button"), ("android:id/button2", "拒绝", "Button")],
               decline="拒绝", dialect="appium", note="MIUI 12 style question phrased as an app request")


# ---------------------------------------------------------------------------------------------
# In-app privacy-policy dialogs
# ---------------------------------------------------------------------------------------------
def splash(w: int, h: int, pkg: str) -> N:
    return box((0, 0, w, h), img((0, 0, w, h), f"{pkg}:id/iv_splash"), img((w // 2 - 200, h - 520, w // 2 + 200, h - 360), f"{pkg}:id/iv_logo"),
               rid=f"{pkg}:id/splash_root", cls="FrameLayout")


def privacy_zh(name: str, *, pkg: str, app: str, title: str, body: str, links: list[str], accept: str, decline: str | None,
               extra: list[tuple[str, str]] | None = None, style: str = "side", checkbox: bool | None = None, size: tuple[int, int] = (1080, 2400),
               dialect: str = "ua", kind: str = "privacy_dialog", label_decline: str = "", amb: bool = False, note: str = "",
               under: bool = True, btn_cls: str = "TextView", ids: bool = True, close: bool = False, toggles: list[tuple[str, bool]] | None = None,
               encoding: str = "utf-8", bars: str = "last", lang: str = "zh") -> None:
    """A Chinese (or English, with lang='en') in-app privacy dialog in one of several layouts.

    style: side (two buttons in a row) | stack (accept button over a decline link) | link (accept
    button, decline as small grey text under it) | single."""
    w, h = size
    x1, x2 = 90, w - 90
    s = Stack(x1, h // 2 - 780, x2, gap=26)
    top = s.y
    rid = make_ids(f"{pkg}:id/", ids)
    kids: list[N] = []
    if close:
        kids.append(img((x2 - 110, top + 10, x2 - 20, top + 100), rid("iv_close"), desc="关闭" if lang == "zh" else "Close", click=True))
    kids.append(tv(title, s.take(90, inset=40), rid("tv_title")))
    sb = s.text(body, 40, inset=50)
    body_nodes: list[N] = [tv(body, sb, rid("tv_content"))]
    for link in links:
        body_nodes.append(tv(link, s.take(64, inset=50), rid("tv_link"), click=True))
    kids.append(box((x1, sb[1], x2, s.y), *body_nodes, rid=rid("scroll_content"), cls="ScrollView", scroll=True))
    for text, on in toggles or []:
        rb = s.take(110, inset=50)
        kids.append(box(rb, tv(text, (rb[0], rb[1], rb[2] - 180, rb[3])), sw("", (rb[2] - 160, rb[1] + 20, rb[2], rb[3] - 20), on, rid("switch_personalized")), cls="RelativeLayout"))
    if checkbox is not None:
        rb = s.take(90, inset=50)
        agree_text = "我已阅读并同意《用户协议》和《隐私政策》" if lang == "zh" else "I have read and agree to the Terms of Service and Privacy Policy"
        kids.append(box(rb, cb("", (rb[0], rb[1] + 15, rb[0] + 60, rb[3] - 15), checkbox, rid("cb_agree")), tv(agree_text, (rb[0] + 70, rb[1], rb[2], rb[3]), rid("tv_agree_hint"))))
    if style == "side":
        names = ([decline] if decline else []) + [accept] + [t for t, _ in extra or []]
        bs = s.row(130, len(names), 30, inset=40)
        nodes = [btn(t, b, rid("btn_" + str(i)), cls=btn_cls) for i, (t, b) in enumerate(zip(names, bs, strict=True))]
        kids.append(box((x1, bs[0][1], x2, bs[0][3]), *nodes, rid=rid("ll_buttons")))
    else:
        nodes = [btn(accept, s.take(140, inset=50), rid("btn_agree"), cls="Button" if btn_cls == "TextView" else btn_cls)]
        if decline:
            if style == "stack":
                nodes.append(btn(decline, s.take(120, inset=50), rid("btn_disagree"), cls=btn_cls))
            elif style == "link":
                lb = s.take(64, inset=(x2 - x1) // 2 - 130)
                nodes.append(tv(decline, lb, rid("tv_disagree"), click=True))
        for t, r in extra or []:
            nodes.append(tv(t, s.take(64, inset=(x2 - x1) // 2 - 160), rid(r), click=True))
        kids.append(box((x1, nodes[0].b[1], x2, s.y), *nodes))
    dialog = box((x1, top - 30, x2, s.y + 40), *kids, rid=rid("dialog_root"))
    windows = [box((0, 0, w, h), splash(w, h, pkg), dialog, rid="android:id/content", cls="FrameLayout")] if under else [
        box((x1, top - 30, x2, s.y + 40), dialog, rid="android:id/content", cls="FrameLayout")]
    emit(name, windows, pkg, size, kind=kind, decline=label_decline or (decline or "-"), pre=bool(checkbox) or any(on for _, on in toggles or []),
         amb=amb, lang=lang, dialect=dialect, note=note, encoding=encoding, bars=bars)


BODY_ZH_1 = ("欢迎使用{app}！我们非常重视您的个人信息和隐私保护。在您使用{app}服务前，请您务必审慎阅读、充分理解《用户协议》和《隐私政策》各条款，"
             "包括我们收集、使用您的设备信息、位置信息的目的和方式，以及我们与第三方共享信息的规则。点击“同意”即表示您已阅读并同意上述协议。")
BODY_ZH_2 = ("感谢您信任并使用{app}。依据最新法律法规要求，我们更新了《隐私政策》。为向您提供浏览、下单和支付等基本功能，我们需要收集您的设备标识、"
             "网络信息等个人信息。您可以在“设置-隐私”中查看、更正或删除个人信息。")
BODY_ZH_3 = "请你仔细阅读《服务协议》与《隐私政策》。为保障账号安全和推荐你可能感兴趣的内容，我们会在你同意后收集设备信息与日志信息。"


def privacy_screens() -> None:
    privacy_zh("privacy_zh_side_disagree_agree", pkg="com.demo.diancan", app="点餐助手", title="用户协议与隐私政策",
               body=BODY_ZH_1.format(app="点餐助手"), links=[], accept="同意", decline="不同意", note="classic two text buttons")
    privacy_zh("privacy_zh_agree_continue_link", pkg="com.demo.xiaohongbao", app="小红包", title="个人信息保护指引",
               body=BODY_ZH_3, links=["《个人信息收集清单》", "《第三方信息共享清单》"], accept="同意并继续", decline="不同意", style="link",
               note="big accept button, decline as a small text link")
    privacy_zh("privacy_zh_disagree_exit", pkg="com.demo.pinpin", app="拼拼", title="温馨提示", body=BODY_ZH_2.format(app="拼拼"), links=[],
               accept="同意", decline="不同意并退出", btn_cls="Button", size=(1080, 2340), note="decline-and-exit")
    privacy_zh("privacy_zh_browse_only", pkg="com.demo.kanxinwen", app="看新闻", title="隐私保护提示", body=BODY_ZH_1.format(app="看新闻"),
               links=[], accept="同意并继续", decline="不同意", extra=[("仅浏览", "tv_browse")], style="stack",
               note="third option: browse without agreeing")
    privacy_zh("privacy_zh_preticked_box", pkg="com.demo.licai", app="理财通宝", title="用户协议及隐私政策", body=BODY_ZH_2.format(app="理财通宝"),
               links=[], accept="同意", decline="不同意", checkbox=True, btn_cls="Button", note="consent box ticked in advance")
    privacy_zh("privacy_zh_unticked_box_appium", pkg="com.demo.yundong", app="运动圈", title="用户协议与隐私政策", body=BODY_ZH_3, links=[],
               accept="同意并继续", decline="暂不同意", checkbox=False, style="stack", dialect="appium", note="agreement box left unticked")
    privacy_zh("privacy_zh_think_again", pkg="com.demo.duanju", app="短剧宝", title="隐私政策概要", body=BODY_ZH_1.format(app="短剧宝"), links=[],
               accept="同意", decline="我再想想", note="我再想想 as the refusal on the first dialog")
    privacy_zh("privacy_zh_updated_iknow", pkg="com.demo.gongjiao", app="公交来了", title="隐私政策更新提示", body=BODY_ZH_2.format(app="公交来了"),
               links=["查看完整版《隐私政策》"], accept="我知道了", decline=None, style="single", amb=True,
               note="policy update notice whose only answer is 我知道了")
    privacy_zh("privacy_zh_only_agree_close", pkg="com.demo.shuaxin", app="刷新闻", title="用户协议和隐私政策", body=BODY_ZH_3, links=[],
               accept="同意", decline=None, style="single", close=True, label_decline="关闭", note="no decline button, only a close icon")
    privacy_zh("privacy_zh_exit_app_flutter", pkg="com.demo.chongwu", app="宠物日记", title="欢迎使用宠物日记", body=BODY_ZH_1.format(app="宠物日记"), links=[],
               accept="同意", decline="退出应用", btn_cls="android.view.View", ids=False, note="Flutter-like: View buttons, no ids")
    privacy_zh("privacy_zh_personalised_toggle_on", pkg="com.demo.shipin", app="短视频", title="个人信息保护指引", body=BODY_ZH_3, links=[],
               accept="同意", decline="不同意", toggles=[("个性化内容推荐", True)], dialect="ua_pretty",
               note="personalised-recommendation switch on inside the privacy dialog")
    privacy_zh("privacy_zh_gbk_mislabel", pkg="com.demo.tianqi", app="天气通", title="用户协议与隐私政策", body=BODY_ZH_1.format(app="天气通"), links=[],
               accept="同意", decline="不同意", encoding="gbk", note="GBK bytes declared as UTF-8")
    privacy_zh("privacy_zh_landscape_pad", pkg="com.demo.huiben", app="绘本馆", title="儿童隐私保护指引", body=BODY_ZH_2.format(app="绘本馆"),
               links=["《儿童个人信息保护规则》"], accept="同意并继续", decline="不同意", size=(2560, 1600), note="tablet landscape")
    privacy_zh("privacy_zh_no_underlay", pkg="com.demo.bianqian", app="便签", title="服务协议和隐私政策", body=BODY_ZH_3, links=[],
               accept="同意", decline="拒绝", under=False, btn_cls="Button", bars="first", note="dialog window alone, status bar dumped first")
    privacy_zh("privacy_zh_bom_appium", pkg="com.demo.youxi", app="消消乐", title="用户协议与隐私政策", body=BODY_ZH_1.format(app="消消乐"), links=[],
               accept="同意并进入游戏", decline="不同意", dialect="appium", encoding="bom", note="UTF-8 byte-order mark; 同意并进入游戏")

    en1 = ("Welcome to Bloomly! We care about your privacy. Before you start, please read our Terms of Service and Privacy Policy. "
           "They explain what personal data we collect, how we use it and how you can control it.")
    en2 = ("Our User Agreement and Privacy Policy have been updated. We collect device identifiers and usage data to run the service "
           "and share limited data with service providers.")
    privacy_zh("privacy_en_accept_decline", pkg="com.demo.bloomly", app="Bloomly", title="Terms of Service & Privacy Policy", body=en1, links=[],
               accept="Accept", decline="Decline", lang="en", btn_cls="Button", note="English two buttons")
    privacy_zh("privacy_en_agree_continue_notnow", pkg="com.demo.zenly", app="Zenly", title="We value your privacy", body=en1.replace("Bloomly", "Zenly"),
               links=["Privacy Policy", "Terms of Use"], accept="Agree and continue", decline="Not now", style="link", lang="en",
               note="decline as a small 'Not now' link")
    privacy_zh("privacy_en_disagree_exit_appium", pkg="com.demo.cnapp.intl", app="ShopCN", title="User Agreement and Privacy Policy", body=en2, links=[],
               accept="Agree", decline="Disagree and exit", lang="en", dialect="appium", btn_cls="Button", note="English build of a Chinese app")
    privacy_zh("privacy_en_gotit_only", pkg="com.demo.notes", app="Notes", title="Privacy Policy update", body=en2, links=["Read the full Privacy Policy"],
               accept="Got it", decline=None, style="single", amb=True, lang="en", note="only 'Got it'")
    privacy_zh("privacy_en_ok_only_compose", pkg="com.demo.tracker", app="Tracker", title="Privacy notice", body=en1.replace("Bloomly", "Tracker"), links=[],
               accept="OK", decline=None, style="single", amb=True, lang="en", btn_cls="android.view.View", ids=False, note="Compose-like, only OK")
    privacy_zh("privacy_en_basic_mode", pkg="com.demo.photoai", app="PhotoAI", title="Privacy Policy", body=en1.replace("Bloomly", "PhotoAI"), links=[],
               accept="Accept & continue", decline=None, extra=[("Use basic mode", "tv_basic")], style="stack", lang="en", label_decline="Use basic mode",
               note="refusal offered as a basic mode")
    privacy_zh("privacy_en_preticked_marketing", pkg="com.demo.fitclub", app="FitClub", title="Before you start", body=en1.replace("Bloomly", "FitClub"), links=[],
               accept="I agree", decline="Disagree", checkbox=True, lang="en", btn_cls="Button", note="pre-ticked agreement box")
    privacy_web()
    chrome_like()


def privacy_web() -> None:
    """A privacy dialog drawn inside a WebView: texts in View/TextView nodes, Button class buttons."""
    w, h = 1080, 2400
    pkg = "com.demo.h5game"
    s = Stack(80, 600, 1000, gap=20)
    kids = [
        N("android.view.View", text="用户协议与隐私政策", b=s.take(90)),
        N("android.view.View", text="亲爱的玩家，感谢您选择我们的游戏。请在开始前阅读《用户协议》《隐私政策》《儿童个人信息保护规则》。我们会根据相关法律收集必要的设备信息用于防沉迷与账号安全。", b=s.text("x" * 90, 40)),
    ]
    bs = s.row(120, 2, 40)
    kids.append(N("android.widget.Button", text="不同意", b=bs[0], click=True))
    kids.append(N("android.widget.Button", text="同意", b=bs[1], click=True))
    root = box((0, 0, w, h), web((0, 0, w, h), N("android.view.View", b=(80, 560, 1000, s.y + 40), kids=kids), title="隐私"), rid="android:id/content", cls="FrameLayout")
    emit("privacy_zh_webview_appium", [root], pkg, (w, h), kind="privacy_dialog", decline="不同意", lang="zh", dialect="appium", note="H5 dialog inside a WebView")


def chrome_like() -> None:
    """First-run screen: implied acceptance of terms, minimal path is 'use without an account'."""
    w, h = 1080, 2400
    pkg = "com.demo.browser"
    r = f"{pkg}:id/"
    root = box((0, 0, w, h), box((0, 0, w, h),
               img((0, 600, w, 900), r + "fre_logo"), tv("Welcome to Surf Browser", (0, 960, w, 1040), r + "title"),
               btn("Sign in to sync", (60, 1880, 1020, 2000), r + "fre_signin_button"),
               btn("Continue as guest", (60, 2010, 1020, 2130), r + "fre_skip_button"),
               tv("By continuing, you agree to the Terms of Service and the Privacy Notice.", (60, 2160, 1020, 2260), r + "fre_footer"),
               rid=r + "fre_pager", cls="androidx.viewpager.widget.ViewPager"), rid="android:id/content", cls="FrameLayout")
    emit("privacy_en_firstrun_guest", [root], pkg, (w, h), kind="privacy_dialog", decline="Continue as guest", lang="en",
         note="first-run notice with implied acceptance and a guest path")


# ---------------------------------------------------------------------------------------------
# Second-confirm (retention) prompts
# ---------------------------------------------------------------------------------------------
def confirm(name: str, *, pkg: str, title: str, body: str, buttons: list[str], decline: str, lang: str = "zh", amb: bool = False,
            dialect: str = "ua", stacked: bool = False, btn_cls: str = "TextView", size: tuple[int, int] = (1080, 2400), note: str = "",
            ids: bool = True) -> None:
    w, h = size
    x1, x2 = 120, w - 120
    s = Stack(x1, h // 2 - 360, x2, gap=30)
    top = s.y
    rid = make_ids(f"{pkg}:id/", ids)
    kids: list[N] = []
    if title:
        kids.append(tv(title, s.take(84, inset=40), rid("tv_dialog_title")))
    kids.append(tv(body, s.text(body, 40, inset=50), rid("tv_dialog_msg")))
    if stacked:
        kids.extend(btn(t, s.take(120, inset=50), rid(f"btn_{i}"), cls=btn_cls) for i, t in enumerate(buttons))
    else:
        bs = s.row(124, len(buttons), 2)
        kids.append(box((x1, bs[0][1], x2, bs[0][3]), *[btn(t, b, rid(f"btn_{i}"), cls=btn_cls) for i, (t, b) in enumerate(zip(buttons, bs, strict=True))]))
    dialog = box((x1, top - 30, x2, s.y + 20), *kids, rid=rid("dialog_root"))
    root = box((0, 0, w, h), splash(w, h, pkg), dialog, rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, size, kind="second_confirm", decline=decline, amb=amb, lang=lang, dialect=dialect, note=note)


def confirm_screens() -> None:
    confirm("second_zh_still_disagree", pkg="com.demo.diancan", title="温馨提示",
            body="您需要同意《隐私政策》才能继续使用点餐助手。若您不同意，很遗憾我们将无法为您提供服务。", buttons=["仍不同意", "同意并继续"], decline="仍不同意")
    confirm("second_zh_exit_reconsider", pkg="com.demo.pinpin", title="温馨提示",
            body="如果您不同意《用户协议》和《隐私政策》，将无法使用拼拼的完整功能。", buttons=["不同意并退出", "我再想想"], decline="不同意并退出", btn_cls="Button")
    confirm("second_zh_exit_app_view_policy", pkg="com.demo.yundong", title="",
            body="需要您同意隐私政策后才能使用运动圈，您可以再次查看并选择同意。", buttons=["退出应用", "查看协议"], decline="退出应用", dialect="appium")
    confirm("second_zh_browse_offer", pkg="com.demo.kanxinwen", title="提示",
            body="不同意隐私政策，您仅能浏览部分资讯，无法使用评论、收藏等功能。", buttons=["进入浏览模式", "返回"], decline="进入浏览模式", stacked=True,
            note="second confirm that offers browse mode")
    confirm("second_zh_heartless_leave", pkg="com.demo.duanju", title="真的要离开吗？",
            body="我们会严格保护您的个人信息，同意《隐私政策》后即可观看全部短剧。", buttons=["狠心离开", "再想想"], decline="狠心离开", stacked=True, btn_cls="Button")
    confirm("second_zh_ok_only", pkg="com.demo.gongjiao", title="温馨提示",
            body="您需要先同意《用户协议》和《隐私政策》后才能使用本应用。", buttons=["好的"], decline="-", amb=True,
            note="the only answer is 好的: no way to persist the refusal")
    confirm("second_zh_iknow_only_appium", pkg="com.demo.shuaxin", title="提示",
            body="很遗憾，若不同意隐私政策我们将无法为您提供服务。", buttons=["我知道了"], decline="-", amb=True, dialect="appium")
    confirm("second_zh_disagree_again", pkg="com.demo.licai", title="温馨提示",
            body="若您不同意本隐私政策，将无法使用理财通宝的服务。确定不同意吗？", buttons=["不同意", "同意"], decline="不同意", ids=False)
    confirm("second_en_decline_anyway", pkg="com.demo.bloomly", title="Are you sure?",
            body="Without your consent we can’t provide the Bloomly service. You can review the Privacy Policy again.",
            buttons=["Decline anyway", "Go back"], decline="Decline anyway", lang="en", btn_cls="Button")
    confirm("second_en_exit_review", pkg="com.demo.cnapp.intl", title="Notice",
            body="You need to agree to the User Agreement and Privacy Policy to use ShopCN.", buttons=["Exit app", "Review policy"],
            decline="Exit app", lang="en", dialect="appium")
    confirm("second_en_still_decline_agree", pkg="com.demo.zenly", title="",
            body="If you don't agree, we cannot continue. Are you sure you want to decline our Terms?",
            buttons=["Agree", "Still decline"], decline="Still decline", lang="en", stacked=True)
    confirm("second_en_ok_only", pkg="com.demo.notes", title="Consent required",
            body="You must accept the Privacy Policy to use this app.", buttons=["OK"], decline="-", amb=True, lang="en", btn_cls="Button")
    confirm("second_zh_cancel_confirm_exit", pkg="com.demo.tianqi", title="确定退出吗？",
            body="不同意隐私政策将无法使用天气通，确定要退出吗？", buttons=["取消", "确定退出"], decline="确定退出", ids=False, dialect="ua_pretty")


# ---------------------------------------------------------------------------------------------
# CMP dialogs
# ---------------------------------------------------------------------------------------------
def ump(name: str, *, app: str, pkg: str, with_reject: bool, dialect: str = "ua", lang: str = "en") -> None:
    """Google UMP / Funding Choices consent form, rendered in a WebView."""
    w, h = 1080, 2400
    s = Stack(48, 620, 1032, gap=18)
    v = "android.view.View"
    kids = [
        N(v, text=f"{app} asks for your consent to use your personal data to:", b=s.text("x" * 70, 44)),
        N(v, text="Personalised advertising and content, advertising and content measurement, audience research and services development", b=s.text("x" * 120, 36)),
        N(v, text="Store and/or access information on a device", b=s.text("x" * 45, 36)),
        N(v, text="Learn more", b=s.take(60), click=True),
        N(v, text="Your personal data will be processed and information from your device (cookies, unique identifiers, and other device data) may be stored by, accessed by and shared with 147 TCF vendor(s) and 62 ad partner(s), or used specifically by this app.",
          b=s.text("x" * 230, 34)),
        N(v, text="Some vendors may process your personal data on the basis of legitimate interest, which you can object to by managing your options below.", b=s.text("x" * 140, 34)),
    ]
    names = (["Consent", "Do not consent"] if with_reject else ["Consent"]) + ["Manage options"]
    for t in names:
        kids.append(N("android.widget.Button", text=t, b=s.take(120), click=True))
    root = box((0, 0, w, h), web((0, 560, w, h), N(v, b=(0, 560, w, h), kids=kids)), rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, (w, h), kind="cmp_dialog", decline="Do not consent" if with_reject else "-", lang=lang, dialect=dialect,
         note="Google UMP / Funding Choices form in a WebView" + ("" if with_reject else "; no reject on the first layer"))


def cmp_native(name: str, *, pkg: str, sdk_prefix: str, title: str, body: str, buttons: list[tuple[str, str]], decline: str,
               toggles: list[tuple[str, bool, bool]] | None = None, dialect: str = "ua", lang: str = "en", note: str = "",
               bottom: bool = True, under_feed: bool = False, amb: bool = False) -> None:
    """A native CMP banner or preference centre.  buttons: (id suffix, text); toggles: (label, on, enabled)."""
    w, h = 1080, 2400
    y0 = 1200 if bottom else 300
    s = Stack(0, y0 + 40, w, gap=20)
    r = make_ids(sdk_prefix)
    kids: list[N] = [tv(title, s.take(80, inset=48), r("banner_title")), tv(body, s.text(body, 38, inset=48), r("banner_text"))]
    for label, on, enabled in toggles or []:
        rb = s.take(110, inset=48)
        kids.append(box(rb, tv(label, (rb[0], rb[1], rb[2] - 200, rb[3]), r("purpose_name")),
                        sw("ON" if on else "OFF", (rb[2] - 170, rb[1] + 20, rb[2], rb[3] - 20), on, r("purpose_switch"), enabled=enabled), cls="RelativeLayout", click=False))
    for rid, text in buttons:
        cls = "TextView" if rid.endswith("link") else "Button"
        kids.append(btn(text, s.take(64 if cls == "TextView" else 124, inset=48 if cls == "Button" else 300), r(rid), cls=cls))
    panel = box((0, y0, w, s.y + 30), *kids, rid=r("banner_root"))
    under: list[N] = []
    if under_feed:
        under = [box((0, 0, w, h), tv("Top stories", (40, 200, 600, 280), f"{pkg}:id/toolbar_title"),
                     box((0, 300, w, 700), tv("Markets rally as inflation cools", (40, 320, 1040, 420), f"{pkg}:id/headline"), click=True, rid=f"{pkg}:id/card"),
                     rid=f"{pkg}:id/feed", cls="androidx.recyclerview.widget.RecyclerView")]
    root = box((0, 0, w, h), *under, panel, rid="android:id/content", cls="FrameLayout")
    pre = any(on and en for _, on, en in toggles or [])
    emit(name, [root], pkg, (w, h), kind="cmp_dialog", decline=decline, pre=pre, amb=amb, lang=lang, dialect=dialect, note=note)


def cmp_screens() -> None:
    ump("cmp_ump_consent_reject_manage", app="Puzzle Quest", pkg="com.demo.puzzle", with_reject=True)
    ump("cmp_ump_no_reject_appium", app="Word Jam", pkg="com.demo.wordjam", with_reject=False, dialect="appium")
    ump("cmp_ump_consent_reject_pretty", app="Sudoku Daily", pkg="com.demo.sudoku", with_reject=True, dialect="ua_pretty")
    ot = "com.onetrust.otpublishers.headless:id/"
    cmp_native("cmp_onetrust_banner", pkg="com.demo.newsnow", sdk_prefix=ot, title="We value your privacy",
               body="We and our partners use cookies and similar technologies to store and/or access information on a device, to personalise ads and content and to measure audiences.",
               buttons=[("btn_accept_cookies", "Accept All Cookies"), ("btn_reject_cookies", "Reject All"), ("cookie_settings_link", "Cookie Settings")],
               decline=ot + "btn_reject_cookies", under_feed=True, note="OneTrust banner over the app feed")
    cmp_native("cmp_onetrust_pc_preticked", pkg="com.demo.newsnow", sdk_prefix=ot, title="Privacy Preference Center",
               body="When you use the app, we and our partners may store or retrieve information on your device, mostly in the form of cookies. You can choose not to allow some types.",
               toggles=[("Strictly Necessary Cookies", True, False), ("Performance Cookies", True, True), ("Targeting Cookies", True, True), ("Functional Cookies", False, True)],
               buttons=[("btn_allow_all", "Allow All"), ("btn_reject_PC", "Reject All"), ("btn_save_consent_preferences", "Confirm My Choices")],
               decline=ot + "btn_reject_PC", bottom=False, note="preference centre with purpose toggles switched on in advance")
    dd = "io.didomi.sdk:id/"
    cmp_native("cmp_didomi_notice", pkg="com.demo.meteo", sdk_prefix=dd, title="Your privacy matters",
               body="We and our 312 partners store and access information on your device and process personal data such as unique identifiers for personalised ads and content.",
               buttons=[("button_agree", "Agree & close"), ("button_disagree", "Disagree and close"), ("button_learn_more", "Learn more")],
               decline=dd + "button_disagree", dialect="appium", note="Didomi notice")
    cmp_native("cmp_didomi_continue_without", pkg="com.demo.recettes", sdk_prefix=dd, title="Cookies",
               body="With your agreement, we and our partners use cookies or similar technologies to store and access personal information like your visit on this app.",
               buttons=[("button_agree", "Accept"), ("button_disagree_link", "Continue without accepting"), ("button_learn_more", "Manage options")],
               decline=dd + "button_disagree_link", note="refusal as a small 'continue without accepting' link")
    uc = "com.usercentrics.sdk:id/"
    cmp_native("cmp_usercentrics_banner", pkg="com.demo.bahn", sdk_prefix=uc, title="Privacy Settings",
               body="This app uses third-party technologies for analysis and marketing. You can withdraw your consent at any time in the settings.",
               buttons=[("ucButtonAcceptAll", "Accept All"), ("ucButtonDeny", "Deny"), ("ucButtonMore", "More Information")],
               decline=uc + "ucButtonDeny", note="Usercentrics banner")
    cmp_native("cmp_usercentrics_second_layer", pkg="com.demo.bahn", sdk_prefix=uc, title="Privacy Settings",
               body="Here you can choose which services may process your data. Your choices apply to this app.",
               toggles=[("Essential", True, False), ("Google Analytics", False, True), ("Firebase Crashlytics", False, True), ("AppsFlyer", False, True)],
               buttons=[("ucButtonSave", "Save Settings"), ("ucButtonAcceptAll", "Accept All")], decline=uc + "ucButtonSave", bottom=False,
               note="second layer: every optional toggle off, 'Save' refuses")
    cmp_sourcepoint()
    cmp_consentmanager()
    cmp_native("cmp_generic_zh_cookie", pkg="com.demo.global.zh", sdk_prefix="", title="我们重视您的隐私",
               body="我们和我们的合作伙伴使用 Cookie 及类似技术在设备上存储和/或访问信息，用于个性化广告和内容、广告和内容衡量。",
               buttons=[("", "全部接受"), ("", "全部拒绝"), ("", "管理选项")], decline="全部拒绝", lang="zh", note="Chinese CMP without SDK ids")
    cmp_native("cmp_tcf_legit_interest_preticked", pkg="com.demo.quiz", sdk_prefix="com.demo.quiz:id/cmp_", title="Legitimate interest",
               body="Some of our 84 vendors process your data on the basis of legitimate interest. You can object to each purpose below.",
               toggles=[("Create a personalised ads profile", True, True), ("Measure ad performance", True, True), ("Develop and improve products", True, True)],
               buttons=[("save_exit", "Save & exit"), ("object_all", "Object all")], decline="com.demo.quiz:id/cmp_object_all", bottom=False,
               note="TCF legitimate-interest layer: toggles on by default")
    cmp_native("cmp_vendor_switches_all_off_save", pkg="com.demo.office", sdk_prefix="com.demo.office:id/", title="Ad data settings",
               body="We may share data about your use of the app with our advertising partners so that they can show you more relevant ads. Choose partners below.",
               toggles=[("AdNet One", False, True), ("PixelAds", False, True), ("Bannerly", False, True), ("Other partners", False, True)],
               buttons=[("btn_save", "Save")], decline="com.demo.office:id/btn_save", bottom=False,
               note="per-vendor switches all off: saving is the refusal")
    cmp_native("cmp_vendor_switches_on_save", pkg="com.demo.office", sdk_prefix="com.demo.office:id/", title="Ad data settings",
               body="We may share data about your use of the app with our advertising partners so that they can show you more relevant ads. Choose partners below.",
               toggles=[("AdNet One", True, True), ("PixelAds", True, True), ("Bannerly", False, True)],
               buttons=[("btn_save", "Save")], decline="-", bottom=False, dialect="appium",
               note="switches on in advance: saving accepts; refusing means switching each off first")
    cmp_native("cmp_cookie_gotit_only", pkg="com.demo.shopper", sdk_prefix="", title="Cookies",
               body="This app uses cookies to improve your experience and to show personalised ads. See our Cookie Policy.",
               buttons=[("", "Got it")], decline="-", amb=True, note="cookie banner with only 'Got it'")


def cmp_sourcepoint() -> None:
    w, h = 1080, 2400
    v = "android.view.View"
    s = Stack(40, 900, 1040, gap=20)
    kids = [N(v, text="We care about your privacy", b=s.take(80)),
            N(v, text="We and our partners store and/or access information on a device, such as cookies, and process personal data for personalised ads and content, ad and content measurement and audience insights.", b=s.text("x" * 200, 36)),
            N("android.widget.Button", text="Accept", b=s.take(120), click=True),
            N("android.widget.Button", text="Reject", b=s.take(120), click=True),
            N("android.widget.Button", text="Settings", b=s.take(120), click=True)]
    root = box((0, 0, w, h), box((0, 0, w, 900), tv("Sport Live", (40, 120, 600, 200), "com.demo.sport:id/title"), rid="com.demo.sport:id/home"),
               web((0, 880, w, h), N(v, b=(0, 880, w, h), kids=kids), title="sp_message_iframe"), rid="android:id/content", cls="FrameLayout")
    emit("cmp_sourcepoint_webview", [root], "com.demo.sport", (w, h), kind="cmp_dialog", decline="Reject", note="Sourcepoint-style message in a WebView")


def cmp_consentmanager() -> None:
    w, h = 1080, 2400
    v = "android.view.View"
    s = Stack(60, 700, 1020, gap=20)
    kids = [N(v, text="Welcome! We need your consent", b=s.take(80)),
            N(v, text="We use cookies and process data with 58 vendors for advertising, analytics and personalised content. You can change your choices at any time.", b=s.text("x" * 150, 36)),
            N("android.widget.Button", text="Accept all", b=s.take(120), click=True),
            N("android.widget.Button", text="Reject all", b=s.take(120), click=True),
            N(v, text="Customize choices", b=s.take(60), click=True)]
    root = box((0, 0, w, h), web((0, 0, w, h), N(v, b=(0, 600, w, s.y + 40), kids=kids), title="consentmanager"), rid="android:id/content", cls="FrameLayout")
    emit("cmp_consentmanager_appium", [root], "com.demo.radio", (w, h), kind="cmp_dialog", decline="Reject all", dialect="appium",
         note="Consentmanager-style WebView layer")


# ---------------------------------------------------------------------------------------------
# Permission rationale (the app's own pre-prompts)
# ---------------------------------------------------------------------------------------------
def rationale(name: str, *, pkg: str, title: str, body: str, buttons: list[str], decline: str, group: str = "-", lang: str = "zh",
              dialect: str = "ua", icon: bool = True, btn_cls: str = "TextView", note: str = "") -> None:
    w, h = 1080, 2400
    x1, x2 = 100, 980
    s = Stack(x1, 800, x2, gap=28)
    top = s.y
    kids: list[N] = []
    if icon:
        kids.append(img(s.take(160, inset=360), f"{pkg}:id/iv_permission_icon"))
    kids.append(tv(title, s.take(80, inset=40), f"{pkg}:id/tv_title"))
    kids.append(tv(body, s.text(body, 40, inset=40), f"{pkg}:id/tv_desc"))
    bs = s.row(120, len(buttons), 24, inset=30)
    kids.append(box((x1, bs[0][1], x2, bs[0][3]), *[btn(t, b, f"{pkg}:id/btn_{i}", cls=btn_cls) for i, (t, b) in enumerate(zip(buttons, bs, strict=True))]))
    dialog = box((x1, top - 30, x2, s.y + 30), *kids, rid=f"{pkg}:id/permission_guide_root")
    root = box((0, 0, w, h), box((0, 0, w, h), tv("首页" if lang == "zh" else "Home", (40, 100, 300, 180)), rid=f"{pkg}:id/main"), dialog,
               rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, (w, h), kind="permission_rationale", decline=decline, group=group, lang=lang, dialect=dialect, note=note)


def rationale_screens() -> None:
    rationale("rationale_zh_location_goset", pkg="com.demo.waimai", title="位置权限使用说明", body="为了向您推荐附近的商家并计算配送距离，需要获取您的位置信息。",
              buttons=["取消", "去开启"], decline="取消", group="LOCATION")
    rationale("rationale_zh_camera_settings", pkg="com.demo.saoma", title="开启相机权限", body="扫码功能需要使用相机权限，请前往系统设置中开启。",
              buttons=["暂不", "去设置"], decline="暂不", group="CAMERA", btn_cls="Button")
    rationale("rationale_zh_storage_preprompt", pkg="com.demo.xiangce", title="存储权限申请", body="我们需要申请存储权限，用于保存和上传您选择的图片。",
              buttons=["拒绝", "允许"], decline="拒绝", group="STORAGE", dialect="appium")
    rationale("rationale_zh_notifications_later", pkg="com.demo.kuaidi", title="开启通知", body="开启通知权限，第一时间获取快递到达提醒。",
              buttons=["以后再说", "立即开启"], decline="以后再说", group="NOTIFICATIONS")
    rationale("rationale_en_location_notnow", pkg="com.demo.foodly", title="Location access needed", lang="en",
              body="To show restaurants near you, Foodly needs access to your location. You can change this in Settings at any time.",
              buttons=["Not now", "Continue"], decline="Not now", group="LOCATION")
    rationale("rationale_en_camera_gotosettings", pkg="com.demo.qrpay", title="Permission required", lang="en",
              body="Camera permission is required to scan QR codes. Please enable it in app settings.",
              buttons=["Cancel", "Go to Settings"], decline="Cancel", group="CAMERA", btn_cls="Button", dialect="ua_pretty")
    rationale("rationale_en_contacts_app_question", pkg="com.demo.chatly", title="Find your friends", lang="en",
              body="Allow Chatly to access your contacts? We use them only to find friends who already use Chatly.",
              buttons=["Don't allow", "Allow"], decline="Don't allow", group="CONTACTS",
              note="in-app imitation of a system dialog: it is the app's own pre-prompt")
    rationale("rationale_zh_mic_app_question", pkg="com.demo.yuyin", title="", body="是否允许“语音助手”使用麦克风进行录音？用于语音输入与语音搜索。",
              buttons=["禁止", "允许"], decline="禁止", group="MICROPHONE", icon=False, note="app-drawn look-alike of a system dialog")
    rationale("rationale_en_location_services_settings", pkg="com.demo.maps", title="Turn on location services", lang="en",
              body="Your device's location setting is off. Turn on location in Settings to see your position on the map.",
              buttons=["Cancel", "Settings"], decline="Cancel", group="LOCATION", icon=False, btn_cls="Button",
              note="go-to-settings prompt for the device location switch")


# ---------------------------------------------------------------------------------------------
# Login gates
# ---------------------------------------------------------------------------------------------
def login_zh(name: str, *, pkg: str, agree_box: bool | None, skip: str = "", implied: bool = False, onetap: bool = False,
             dialect: str = "ua", close: bool = False, decline: str = "-", note: str = "") -> None:
    w, h = 1080, 2400
    r = f"{pkg}:id/"
    kids: list[N] = []
    if close:
        kids.append(img((40, 120, 140, 220), r + "iv_close", desc="关闭", click=True))
    if skip:
        kids.append(tv(skip, (880, 130, 1040, 200), r + "tv_skip", click=True))
    kids.append(img((440, 360, 640, 560), r + "iv_logo"))
    if onetap:
        kids += [tv("138****6621", (0, 700, w, 800), r + "tv_phone_mask"), tv("中国移动提供认证服务", (0, 810, w, 860), r + "tv_carrier"),
                 btn("本机号码一键登录", (90, 950, 990, 1080), r + "btn_onekey_login"),
                 tv("其他手机号登录", (340, 1110, 740, 1170), r + "tv_other_phone", click=True)]
    else:
        kids += [tv("手机号登录", (90, 650, 600, 740), r + "tv_login_title"),
                 edit("", (90, 800, 990, 920), r + "et_phone", hint="请输入手机号"),
                 edit("", (90, 950, 700, 1070), r + "et_code", hint="请输入验证码"),
                 tv("获取验证码", (720, 980, 990, 1040), r + "tv_get_code", click=True),
                 btn("登录", (90, 1130, 990, 1250), r + "btn_login")]
    if agree_box is not None:
        kids += [cb("", (90, 1300, 150, 1360), agree_box, r + "cb_protocol"),
                 tv("我已阅读并同意《用户协议》和《隐私政策》", (160, 1295, 990, 1365), r + "tv_protocol")]
    if implied:
        kids.append(tv("登录即同意《中国移动认证服务条款》以及《用户协议》和《隐私政策》", (90, 1300, 990, 1400), r + "tv_protocol"))
    kids += [tv("其他登录方式", (390, 1900, 690, 1950), r + "tv_other_way"),
             img((300, 2000, 420, 2120), r + "iv_wechat", desc="微信登录", click=True), img((660, 2000, 780, 2120), r + "iv_qq", desc="QQ登录", click=True)]
    root = box((0, 0, w, h), box((0, 0, w, h), *kids, rid=r + "login_root", cls="RelativeLayout"), rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, (w, h), kind="login_gate", decline=decline, pre=bool(agree_box), lang="zh", dialect=dialect, note=note)


def login_en(name: str, *, pkg: str, guest: str = "", agree_box: bool | None = None, social: bool = False, dialect: str = "ua",
             decline: str = "-", note: str = "") -> None:
    w, h = 1080, 2340
    r = f"{pkg}:id/"
    kids: list[N] = [tv("Sign in", (60, 300, 1020, 400), r + "title")]
    if social:
        kids += [btn("Continue with Google", (60, 700, 1020, 820), r + "btn_google"), btn("Continue with Facebook", (60, 850, 1020, 970), r + "btn_facebook"),
                 btn("Sign up with email", (60, 1000, 1020, 1120), r + "btn_email")]
    else:
        kids += [edit("Email", (60, 600, 1020, 720), r + "et_email"), edit("Password", (60, 750, 1020, 870), r + "et_password", password=True),
                 btn("Log in", (60, 920, 1020, 1040), r + "btn_login"), tv("Forgot password?", (360, 1070, 720, 1130), r + "tv_forgot", click=True)]
    if agree_box is not None:
        kids += [cb("I agree to the Terms of Service and Privacy Policy", (60, 1200, 1020, 1290), agree_box, r + "cb_terms")]
    else:
        kids.append(tv("By continuing, you agree to our Terms of Service and acknowledge our Privacy Policy.", (60, 1200, 1020, 1320), r + "tv_legal"))
    if guest:
        kids.append(tv(guest, (300, 1900, 780, 1970), r + "tv_guest", click=True))
    root = box((0, 0, w, h), box((0, 0, w, h), *kids, rid=r + "root", cls="androidx.constraintlayout.widget.ConstraintLayout"), rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, (w, h), kind="login_gate", decline=decline, pre=bool(agree_box), lang="en", dialect=dialect, note=note)


def login_screens() -> None:
    login_zh("login_zh_phone_unticked_skip", pkg="com.demo.shequ", agree_box=False, skip="跳过", decline="跳过", note="agreement box unticked, skip link")
    login_zh("login_zh_phone_preticked", pkg="com.demo.jiekuan", agree_box=True, close=True, decline="关闭", note="agreement box ticked in advance")
    login_zh("login_zh_onetap_implied_appium", pkg="com.demo.yuedu", agree_box=None, implied=True, onetap=True, skip="随便看看", dialect="appium",
             decline="随便看看", note="carrier one-tap login with implied agreement")
    login_zh("login_zh_no_escape", pkg="com.demo.banking", agree_box=False, note="no way past the login except logging in")
    login_en("login_en_email_guest", pkg="com.demo.recipes", guest="Continue as guest", decline="Continue as guest")
    login_en("login_en_social_implied", pkg="com.demo.clips", social=True, guest="Skip for now", dialect="appium", decline="Skip for now")
    login_en("login_en_terms_box_unticked", pkg="com.demo.fitclub", agree_box=False, dialect="ua_pretty")
    login_en("login_en_terms_box_preticked", pkg="com.demo.travel", agree_box=True, guest="Not now", decline="Not now")


# ---------------------------------------------------------------------------------------------
# Negatives: screens that must read as "other"
# ---------------------------------------------------------------------------------------------
def settings_page(name: str, *, pkg: str, title: str, rows: list[tuple[str, str, bool | None]], lang: str, dialect: str = "ua",
                  size: tuple[int, int] = (1080, 2400), note: str = "", row_cls: str = "LinearLayout") -> None:
    """A settings/list page: rows of (title, summary, switch state or None)."""
    w, h = size
    r = f"{pkg}:id/"
    kids: list[N] = [img((20, 100, 140, 220), desc="返回" if lang == "zh" else "Navigate up", click=True, cls="ImageButton"),
                     tv(title, (160, 120, 800, 200), r + "toolbar_title")]
    y = 260
    items: list[N] = []
    for t, summary, state in rows:
        rb = (0, y, w, y + 150)
        inner: list[N] = [tv(t, (48, y + 20, w - 220, y + 80), "android:id/title")]
        if summary:
            inner.append(tv(summary, (48, y + 85, w - 220, y + 135), "android:id/summary"))
        if state is not None:
            inner.append(sw("", (w - 190, y + 40, w - 48, y + 110), state, "android:id/switch_widget"))
        else:
            inner.append(img((w - 100, y + 55, w - 60, y + 95), r + "iv_arrow"))
        items.append(box(rb, *inner, click=True, cls=row_cls))
        y += 152
    kids.append(box((0, 240, w, h), *items, rid=r + "recycler_view", cls="androidx.recyclerview.widget.RecyclerView", scroll=True))
    root = box((0, 0, w, h), *kids, rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, size, kind="other", lang=lang, dialect=dialect, note=note)


def plain_dialog(name: str, *, pkg: str, title: str, body: str, buttons: list[tuple[str, str]], lang: str, dialect: str = "ua",
                 checkbox: tuple[str, bool] | None = None, radios: list[tuple[str, bool]] | None = None, note: str = "",
                 size: tuple[int, int] = (1080, 2400), stacked: bool = False) -> None:
    """An ordinary AlertDialog: title, message, optional checkbox/radios, buttons (id, text)."""
    w, h = size
    x1, x2 = 70, w - 70
    s = Stack(x1, h // 2 - 300, x2, gap=24)
    top = s.y
    kids: list[N] = []
    if title:
        kids.append(tv(title, s.take(80, inset=60), f"{pkg}:id/alertTitle" if pkg != "android" else "android:id/alertTitle"))
    if body:
        kids.append(tv(body, s.text(body, 40, inset=60), "android:id/message"))
    if checkbox:
        kids.append(cb(checkbox[0], s.take(100, inset=60), checkbox[1], f"{pkg}:id/checkbox"))
    for t, on in radios or []:
        kids.append(radio(t, s.take(110, inset=60), on))
    if stacked:
        kids.extend(btn(t, s.take(120, inset=20), rid) for rid, t in buttons)
    else:
        bw = 250
        row = s.take(130)
        nodes = [btn(t, (x2 - (len(buttons) - i) * (bw + 10), row[1], x2 - (len(buttons) - i - 1) * (bw + 10) - 10, row[3]), rid) for i, (rid, t) in enumerate(buttons)]
        kids.append(box(row, *nodes, rid="android:id/buttonPanel", cls="ScrollView"))
    dialog = box((x1, top - 30, x2, s.y + 20), *kids, rid="android:id/parentPanel")
    root = box((x1, top - 30, x2, s.y + 20), dialog, rid="android:id/content", cls="FrameLayout")
    emit(name, [root], pkg, size, kind="other", lang=lang, dialect=dialect, note=note)


def negative_screens() -> None:
    settings_page("neg_zh_privacy_settings_links", pkg="com.demo.diancan", title="隐私设置", lang="zh",
                  rows=[("《隐私政策》", "", None), ("《用户协议》", "", None), ("个性化推荐", "关闭后将不再为您推荐个性化内容", True),
                        ("个人信息收集清单", "", None), ("第三方信息共享清单", "", None), ("撤回隐私政策授权", "", None)],
                  note="privacy settings page: policy links and an ON personalisation switch (a setting, not a consent prompt)")
    settings_page("neg_en_settings_privacy_section", pkg="com.demo.bloomly", title="Settings", lang="en", dialect="appium",
                  rows=[("Notifications", "Push and email", None), ("Personalized ads", "Use my activity to personalise ads", True),
                        ("Privacy Policy", "", None), ("Terms of Service", "", None), ("Delete account", "", None), ("Log out", "", None)])
    settings_page("neg_zh_about_page", pkg="com.demo.tianqi", title="关于天气通", lang="zh", dialect="ua_pretty",
                  rows=[("版本更新", "当前版本 5.2.0", None), ("用户协议", "", None), ("隐私政策", "", None), ("儿童隐私政策", "", None), ("联系我们", "", None)])
    settings_page("neg_en_wifi_toggles", pkg="com.android.settings", title="Network & internet", lang="en",
                  rows=[("Wi‑Fi", "HomeNet-5G", True), ("Mobile network", "Carrier", None), ("Airplane mode", "", False), ("Hotspot & tethering", "Off", None),
                        ("Data Saver", "Off", None)], note="system settings with switches")
    settings_page("neg_zh_dark_mode_toggles", pkg="com.demo.yuedu", title="通用设置", lang="zh",
                  rows=[("深色模式", "跟随系统", True), ("自动播放视频", "仅 Wi-Fi 下", True), ("消息提醒", "", True), ("清除缓存", "128 MB", None)],
                  note="toggles on, none about consent")
    settings_page("neg_en_app_permission_page", pkg="com.google.android.permissioncontroller", title="Location permission", lang="en",
                  rows=[("Allow all the time", "", None), ("Allow only while using the app", "", None), ("Ask every time", "", None), ("Don’t allow", "", None)],
                  note="system app-permission settings page: same words as the dialog, but a settings list")
    settings_page("neg_zh_permission_manager_list", pkg="com.vivo.permissionmanager", title="权限管理", lang="zh",
                  rows=[("位置信息", "仅在使用中允许", None), ("相机", "禁止", None), ("麦克风", "每次询问", None), ("通讯录", "禁止", None), ("存储", "允许", None)],
                  note="OEM permission manager list: permission package, permission words, not a dialog")
    plain_dialog("neg_zh_delete_chat", pkg="com.demo.liaotian", title="", body="确定要删除该聊天记录吗？", lang="zh",
                 buttons=[("android:id/button2", "取消"), ("android:id/button1", "删除")])
    plain_dialog("neg_en_delete_photo_checkbox", pkg="com.demo.gallery", title="Delete photo?", body="This photo will be removed from this device.",
                 lang="en", checkbox=("Also delete from cloud backup", True), buttons=[("android:id/button2", "Cancel"), ("android:id/button1", "Delete")],
                 note="checked checkbox that is not consent")
    plain_dialog("neg_en_anr", pkg="android", title="Gallery isn't responding", body="", lang="en",
                 buttons=[("android:id/aerr_close", "Close app"), ("android:id/aerr_wait", "Wait")], stacked=True, note="ANR dialog")
    plain_dialog("neg_zh_anr_appium", pkg="android", title="“相册”无响应", body="", lang="zh", dialect="appium",
                 buttons=[("android:id/aerr_close", "关闭应用"), ("android:id/aerr_wait", "等待")], stacked=True, note="ANR dialog in Chinese")
    plain_dialog("neg_en_usb_mode", pkg="com.android.settings", title="Use USB for", body="", lang="en",
                 radios=[("File transfer", False), ("USB tethering", False), ("MIDI", False), ("PTP", False), ("No data transfer", True)],
                 buttons=[("android:id/button2", "Cancel")], note="USB preferences with a pre-selected radio")
    plain_dialog("neg_en_usb_device_access", pkg="com.android.systemui", title="Allow Camera Pro to access USB Camera?", body="", lang="en",
                 checkbox=("Always open Camera Pro when USB Camera is connected", False),
                 buttons=[("android:id/button2", "Cancel"), ("android:id/button1", "OK")], note="permission-like USB prompt from System UI")
    plain_dialog("neg_en_mtp_allow_deny", pkg="com.android.systemui", title="Allow access to phone data?",
                 body="The connected device will be able to access data on this phone.", lang="en",
                 buttons=[("android:id/button2", "Deny"), ("android:id/button1", "Allow")], note="System UI USB data prompt with Allow/Deny")
    plain_dialog("neg_en_bt_pairing_contacts_box", pkg="com.android.settings", title="Pair with Car Audio?", body="Bluetooth pairing code\n482913", lang="en",
                 checkbox=("Allow access to your contacts and call history", True), buttons=[("android:id/button2", "Cancel"), ("android:id/button1", "Pair")],
                 note="Bluetooth pairing with a ticked contacts-access box")
    plain_dialog("neg_zh_update_later", pkg="com.demo.shipin", title="发现新版本", body="V6.8.0 更新内容：\n1. 优化播放体验\n2. 修复已知问题", lang="zh",
                 buttons=[("android:id/button2", "以后再说"), ("android:id/button1", "立即更新")], note="update prompt with a not-now button")
    plain_dialog("neg_en_rate_us", pkg="com.demo.recipes", title="Enjoying Recipes?", body="Tap a star to rate it on the Play Store.", lang="en",
                 buttons=[("android:id/button2", "Not now"), ("android:id/button1", "Rate")])
    plain_dialog("neg_zh_logout_confirm", pkg="com.demo.shequ", title="", body="确定退出登录吗？", lang="zh",
                 buttons=[("android:id/button2", "取消"), ("android:id/button1", "确定")], note="logout confirmation (退出 keyword trap)")
    plain_dialog("neg_en_save_password_dontshow", pkg="com.demo.browser", title="Save password?", body="Surf Browser can remember this password for example.com.",
                 lang="en", checkbox=("Don't show again", False), buttons=[("android:id/button2", "Never"), ("android:id/button1", "Save")])
    plain_dialog("neg_ja_delete_confirm", pkg="com.demo.memo", title="メモを削除しますか？", body="この操作は取り消せません。", lang="ja",
                 buttons=[("android:id/button2", "キャンセル"), ("android:id/button1", "削除")], note="Japanese")
    plain_dialog("neg_ko_logout", pkg="com.demo.kakaoish", title="로그아웃", body="로그아웃 하시겠습니까?", lang="ko",
                 buttons=[("android:id/button2", "취소"), ("android:id/button1", "확인")], dialect="appium", note="Korean")
    plain_dialog("neg_de_delete_file", pkg="com.demo.files", title="Datei löschen?", body="Möchten Sie die Datei wirklich löschen?", lang="de",
                 buttons=[("android:id/button2", "Abbrechen"), ("android:id/button1", "Löschen")], note="German")
    plain_dialog("neg_ru_exit_game", pkg="com.demo.game", title="Выйти из игры?", body="Несохранённый прогресс будет потерян.", lang="ru",
                 buttons=[("android:id/button2", "Отмена"), ("android:id/button1", "Выйти")], note="Russian")
    plain_dialog("neg_fr_quit", pkg="com.demo.jeux", title="Voulez-vous quitter ?", body="Votre partie en cours sera perdue.", lang="fr",
                 buttons=[("android:id/button2", "Annuler"), ("android:id/button1", "Quitter")], note="French")
    plain_dialog("neg_es_error_ok", pkg="com.demo.banco", title="Error", body="No se pudo completar la operación. Inténtalo de nuevo más tarde.",
                 lang="es", buttons=[("android:id/button1", "Aceptar")], note="Spanish error with a single Aceptar")
    feed_screens()


def feed_screens() -> None:
    """Ordinary content screens with keyword traps."""
    w, h = 1080, 2400
    pkg = "com.demo.liaotian"
    r = f"{pkg}:id/"
    rows = [("张三", "对方已同意你的好友申请，现在可以开始聊天了"), ("工作群", "李四：同意，明天上午十点开会"), ("文件传输助手", "[图片]"),
            ("王五", "隐私政策那份文件我看过了"), ("服务通知", "您的订单已发货")]
    items = [box((0, 300 + i * 170, w, 460 + i * 170), img((30, 320 + i * 170, 150, 440 + i * 170), r + "avatar"),
                 tv(n, (180, 320 + i * 170, 700, 380 + i * 170), r + "nickname"), tv(m, (180, 390 + i * 170, 1040, 440 + i * 170), r + "last_msg"),
                 click=True, rid=r + "conversation_item") for i, (n, m) in enumerate(rows)]
    tabs = [tv(t, (i * 270, 2250, (i + 1) * 270, 2380), r + "tab", click=True) for i, t in enumerate(["消息", "通讯录", "发现", "我"])]
    root = box((0, 0, w, h), tv("消息", (40, 150, 400, 250), r + "title"), box((0, 280, w, 2240), *items, rid=r + "list", cls="ListView"), *tabs,
               rid="android:id/content", cls="FrameLayout")
    emit("neg_zh_chat_list_keywords", [root], pkg, (w, h), kind="other", lang="zh", note="chat list whose messages contain 同意 and 隐私政策", bars="both")

    pkg = "com.demo.social"
    r = f"{pkg}:id/"
    reqs = ["Anna Li", "Marco Rossi", "Sam Patel"]
    items = []
    for i, n in enumerate(reqs):
        y = 400 + i * 200
        items.append(box((0, y, w, y + 180), img((30, y + 20, 170, y + 160), r + "avatar"), tv(n, (200, y + 30, 640, y + 90), r + "name"),
                         btn("Accept", (640, y + 50, 840, y + 140), r + "btn_accept"), btn("Decline", (860, y + 50, 1050, y + 140), r + "btn_decline"),
                         rid=r + "request_row"))
    root = box((0, 0, w, h), tv("Friend requests", (40, 150, 800, 250), r + "title"), box((0, 380, w, 1200), *items, rid=r + "requests",
               cls="androidx.recyclerview.widget.RecyclerView"), rid="android:id/content", cls="FrameLayout")
    emit("neg_en_friend_requests_accept_decline", [root], pkg, (w, h), kind="other", lang="en", dialect="appium",
         note="Accept / Decline buttons with no consent context")

    pkg = "com.demo.reader"
    r = f"{pkg}:id/"
    policy = ("隐私政策\n更新日期：2024年3月1日\n一、我们如何收集和使用您的个人信息\n1. 账号注册：当您注册时，我们会收集您的手机号码……\n"
              "二、我们如何使用Cookie和同类技术\n三、我们如何共享、转让、公开披露您的个人信息\n四、您的权利")
    root = box((0, 0, w, h), img((20, 100, 140, 220), desc="返回", click=True, cls="ImageButton"), tv("隐私政策", (160, 120, 800, 200), r + "title"),
               web((0, 240, w, h), N("android.view.View", text=policy, b=(30, 260, 1050, 2300))), rid="android:id/content", cls="FrameLayout")
    emit("neg_zh_policy_fulltext_page", [root], pkg, (w, h), kind="other", lang="zh",
         note="the privacy policy's own full-text page: policy words everywhere, no choice")

    pkg = "com.demo.mall"
    r = f"{pkg}:id/"
    root = box((0, 0, w, h), box((0, 0, w, h), tv("搜索商品", (40, 120, 1040, 220), r + "search", click=True),
                                 img((0, 260, w, 800), r + "banner", click=True), tv("限时秒杀", (40, 840, 400, 920)),
                                 box((0, 940, w, 1400), tv("同款好物 立即抢购", (40, 960, 700, 1030)), click=True, rid=r + "goods"),
                                 rid=r + "home"),
               box((140, 700, 940, 1700), img((140, 700, 940, 1500), r + "iv_coupon", click=True), tv("新人专享 188 元红包", (200, 1520, 880, 1600), r + "tv_coupon"),
                   img((490, 1620, 590, 1700), r + "iv_close", desc="关闭", click=True), rid=r + "coupon_dialog"),
               rid="android:id/content", cls="FrameLayout")
    emit("neg_zh_coupon_popup", [root], pkg, (w, h), kind="other", lang="zh", dialect="ua_pretty", note="marketing pop-up with a close icon")

    pkg = "com.demo.maps"
    r = f"{pkg}:id/"
    root = box((0, 0, w, h), box((0, 0, w, h), tv("Sign in to MapBox", (60, 300, 1020, 400)), tv("Use your account", (60, 420, 1020, 480)),
                                 edit("Email or phone", (60, 600, 1020, 720), r + "identifier"), tv("Forgot email?", (60, 760, 400, 820), click=True),
                                 btn("Next", (760, 1000, 1020, 1110), r + "next"),
                                 tv("Privacy & Cookies", (60, 2200, 400, 2260), click=True), tv("Terms", (440, 2200, 600, 2260), click=True),
                                 rid=r + "signin"), rid="android:id/content", cls="FrameLayout")
    emit("neg_en_signin_footer_links", [root], pkg, (w, h), kind="login_gate", lang="en",
         note="sign-in page with Privacy & Cookies footer links: a login gate, not a consent dialog")


# ---------------------------------------------------------------------------------------------
# Batch 2: written after the recogniser was tuned on the screens above, and run once unseen; the
# first-run result is reported in bench/consent_ui.py's notes (see the report).
# ---------------------------------------------------------------------------------------------
def batch2_screens() -> None:
    w, h = 1080, 2400
    # 1. privacy dialog whose buttons are clickable containers around a TextView, title 温馨提示
    pkg = "com.demo.b2.maicai"
    r = f"{pkg}:id/"
    body = ("欢迎来到买菜鲜生！在使用前请您仔细阅读《用户服务协议》和《隐私权政策》。我们会收集您的收货地址、手机号码和设备信息，"
            "用于完成配送、保障交易安全。未经您同意，我们不会向第三方提供您的个人信息。")
    s = Stack(80, 700, 1000, gap=24)
    kids = [tv("温馨提示", s.take(90, inset=30), r + "title"), tv(body, s.text(body, 40, inset=40), r + "content")]
    bs = s.row(130, 2, 0)
    kids.append(box((80, bs[0][1], 1000, bs[0][3]),
                    box(bs[0], tv("不同意", (bs[0][0] + 120, bs[0][1] + 35, bs[0][2] - 120, bs[0][3] - 35)), rid=r + "ll_cancel", click=True),
                    box(bs[1], tv("同意", (bs[1][0] + 150, bs[1][1] + 35, bs[1][2] - 150, bs[1][3] - 35)), rid=r + "ll_confirm", click=True)))
    emit("b2_privacy_zh_container_buttons", [box((0, 0, w, h), box((80, 660, 1000, s.y + 30), *kids, rid=r + "dialog"), rid="android:id/content", cls="FrameLayout")],
         pkg, (w, h), kind="privacy_dialog", decline="不同意", lang="zh", note="batch2: buttons are clickable layouts around a text")

    # 2. full-screen privacy page: long scrolling summary and a bottom bar
    pkg = "com.demo.b2.yiliao"
    r = f"{pkg}:id/"
    body = ("在您使用健康助手前，请认真阅读并了解《隐私政策》。1. 为帮助您预约挂号，我们需要收集您的姓名、身份证号和手机号；"
            "2. 为提供附近医院推荐，我们会在您授权后获取位置信息；3. 您可以在“我的-设置”中撤回授权或注销账号。") * 2
    root = box((0, 0, w, h), box((0, 0, w, h),
               tv("隐私政策摘要", (40, 120, 1040, 220), r + "tv_title"),
               box((0, 240, w, 2150), tv(body, (40, 260, 1040, 2100), r + "tv_policy"), rid=r + "scroll", cls="ScrollView", scroll=True),
               box((0, 2160, w, 2360), btn("不同意", (40, 2200, 520, 2320), r + "btn_refuse"), btn("同意并继续", (560, 2200, 1040, 2320), r + "btn_accept"), rid=r + "bottom_bar"),
               rid=r + "root"), rid="android:id/content", cls="FrameLayout")
    emit("b2_privacy_zh_fullpage_bottom_bar", [root], pkg, (w, h), kind="privacy_dialog", decline="不同意", lang="zh",
         note="batch2: full-screen policy page with a bottom bar (not a dialog)")

    # 3. English bottom sheet, decline as a text link at the top
    pkg = "com.demo.b2.budget"
    r = f"{pkg}:id/"
    sheet = box((0, 1300, w, h), tv("Skip", (900, 1330, 1040, 1400), r + "tv_skip", click=True), tv("Your data, your choice", (48, 1420, 1032, 1500), r + "sheet_title"),
                tv("Budgetly uses your transaction data to build insights. Read our Privacy Policy to learn what we collect and how to delete it.", (48, 1520, 1032, 1700), r + "sheet_body"),
                tv("Privacy Policy", (48, 1720, 400, 1780), r + "link_policy", click=True),
                btn("Accept and continue", (48, 2150, 1032, 2280), r + "btn_accept"), rid=r + "design_bottom_sheet", cls="FrameLayout")
    root = box((0, 0, w, h), box((0, 0, w, h), tv("Budgetly", (40, 200, 800, 300)), rid=r + "main"), sheet, rid="android:id/content", cls="FrameLayout")
    emit("b2_privacy_en_bottom_sheet_skip", [root], pkg, (w, h), kind="privacy_dialog", decline="Skip", lang="en", dialect="appium",
         note="batch2: bottom sheet, refusal is a 'Skip' link")

    # 4. OneTrust-like banner with obfuscated ids, Appium
    pkg = "com.demo.b2.weather"
    v = [tv("Privacy & cookies", (40, 1500, 1040, 1580), "com.demo.b2.weather:id/a1"),
         tv("We and our 843 partners use cookies to store and access personal data like browsing data for purposes such as serving personalized ads.", (40, 1600, 1040, 1800), "com.demo.b2.weather:id/a2"),
         btn("Allow All", (40, 1850, 1040, 1970), "com.demo.b2.weather:id/a3"), btn("Reject All", (40, 1990, 1040, 2110), "com.demo.b2.weather:id/a4"),
         tv("Vendor List", (40, 2140, 400, 2200), "com.demo.b2.weather:id/a5", click=True), tv("Confirm My Choices", (600, 2140, 1040, 2200), "com.demo.b2.weather:id/a6", click=True)]
    root = box((0, 0, w, h), box((0, 1460, w, h), *v, rid="com.demo.b2.weather:id/a0"), rid="android:id/content", cls="FrameLayout")
    emit("b2_cmp_obfuscated_ids_appium", [root], pkg, (w, h), kind="cmp_dialog", decline="Reject All", lang="en", dialect="appium", note="batch2: CMP with obfuscated ids")

    # 5. Google UMP form localised to Chinese
    pkg = "com.demo.b2.puzzle"
    vv = "android.view.View"
    s = Stack(48, 600, 1032, gap=20)
    kids = [N(vv, text="“拼图大师”请求征得您的同意，以便使用您的个人数据：", b=s.take(120)),
            N(vv, text="个性化广告和内容、广告和内容衡量、受众调研以及服务开发", b=s.take(100)),
            N(vv, text="在设备上存储和/或访问信息", b=s.take(60)),
            N(vv, text="系统可能会处理您的个人数据，并且 152 个 TCF 供应商和 63 个广告合作伙伴可能会存储、访问和共享您设备中的信息。", b=s.take(200)),
            N("android.widget.Button", text="同意", b=s.take(120), click=True), N("android.widget.Button", text="不同意", b=s.take(120), click=True),
            N("android.widget.Button", text="管理选项", b=s.take(120), click=True)]
    root = box((0, 0, w, h), web((0, 560, w, h), N(vv, b=(0, 560, w, h), kids=kids)), rid="android:id/content", cls="FrameLayout")
    emit("b2_cmp_ump_zh", [root], pkg, (w, h), kind="cmp_dialog", decline="不同意", lang="zh", note="batch2: UMP form in Chinese")

    # 6-7. second confirms
    confirm("b2_second_zh_exit_view_again", pkg="com.demo.b2.maicai", title="提示", body="您需要同意本隐私政策才能继续使用买菜鲜生。",
            buttons=["退出", "再次查看"], decline="退出", note="batch2")
    confirm("b2_second_en_sorry_quit", pkg="com.demo.b2.bank", title="We're sorry to see you go", lang="en",
            body="Without accepting the Terms and Privacy Notice you can't use MyBank.", buttons=["Quit", "Back"], decline="Quit", btn_cls="Button",
            dialect="appium", note="batch2")

    # 8-10. permission dialogs
    modern_dialog("b2_perm_api33_zh_notifications_tablet_appium", 33, "zh", "学习通", "NOTIFICATIONS", size=(2560, 1600), dialect="appium", note="batch2")
    oem_dialog("b2_perm_miui_en_countdown", pkg="com.lbe.security.miui", lang="en", msg="Allow Taxi Go to access your location?", group="LOCATION",
               buttons=[("android:id/button2", "Deny (10)", "Button"), ("android:id/button1", "Allow", "Button")], row=True, decline="Deny (10)",
               note="batch2: MIUI English with countdown")
    legacy_dialog("b2_perm_api24_zh_mic_dontask", "zh", "录音宝", "MICROPHONE", second=True, dialect="appium")

    # 11. rationale bottom sheet
    pkg = "com.demo.b2.store"
    r = f"{pkg}:id/"
    sheet = box((0, 1600, w, h), tv("开启定位服务", (48, 1640, 1032, 1720), r + "title"), tv("需要开启定位权限以显示附近门店和配送范围", (48, 1740, 1032, 1840), r + "desc"),
                btn("取消", (48, 2000, 520, 2120), r + "cancel"), btn("去设置", (560, 2000, 1032, 2120), r + "go"), rid=r + "sheet", cls="FrameLayout")
    root = box((0, 0, w, h), box((0, 0, w, h), tv("附近门店", (40, 200, 600, 300)), rid=r + "main"), sheet, rid="android:id/content", cls="FrameLayout")
    emit("b2_rationale_zh_bottom_sheet", [root], pkg, (w, h), kind="permission_rationale", decline="取消", group="LOCATION", lang="zh", note="batch2")

    # 12-13. login gates
    pkg = "com.demo.b2.video"
    r = f"{pkg}:id/"
    root = box((0, 0, w, h), box((0, 0, w, h), tv("跳过", (900, 120, 1040, 190), r + "skip", click=True), tv("186****0203", (0, 700, w, 800), r + "phone"),
               btn("一键登录", (90, 900, 990, 1030), r + "login"), tv("其他方式登录", (380, 1060, 700, 1120), r + "other", click=True),
               cb("", (90, 1200, 150, 1260), False, r + "agree"), tv("我已阅读并同意《服务协议》和《隐私政策》", (160, 1195, 990, 1265), r + "agree_text")),
               rid="android:id/content", cls="FrameLayout")
    emit("b2_login_zh_onetap_box_skip", [root], pkg, (w, h), kind="login_gate", decline="跳过", lang="zh", note="batch2")
    pkg = "com.demo.b2.rides"
    r = f"{pkg}:id/"
    root = box((0, 0, w, h), box((0, 0, w, h), tv("What's your phone number?", (48, 300, 1032, 400), r + "title"),
               edit("", (48, 500, 1032, 620), r + "phone", hint="Phone number"), btn("Continue", (48, 700, 1032, 820), r + "next"),
               tv("Use email instead", (300, 860, 780, 920), r + "email", click=True),
               tv("By continuing, you agree to our Terms of Use and confirm you have read our Privacy Notice.", (48, 2100, 1032, 2220), r + "legal")),
               rid="android:id/content", cls="FrameLayout")
    emit("b2_login_en_phone_implied", [root], pkg, (w, h), kind="login_gate", lang="en", note="batch2: phone sign-up with implied agreement")

    # 14-18. negatives
    settings_page("b2_neg_en_app_info_permissions", pkg="com.android.settings", title="App info", lang="en",
                  rows=[("Notifications", "~2 per week", None), ("Permissions", "Camera and Location", None), ("Storage & cache", "212 MB used", None),
                        ("Mobile data", "No data used", None), ("Open by default", "Allow app to open supported links", None)], note="batch2")
    pkg = "com.demo.b2.news"
    article = ("Why your browser asks about cookies. Since the ePrivacy rules, websites show consent banners; regulators say rejecting "
               "should be as easy as accepting. Our partners at the consumer group tested 200 sites.")
    root = box((0, 0, w, h), web((0, 0, w, h), N("android.view.View", text="Cookies explained", b=(40, 200, 1040, 300)),
                                 N("android.view.View", text=article, b=(40, 320, 1040, 900)),
                                 N("android.widget.Button", text="Share", b=(40, 950, 400, 1060), click=True),
                                 N("android.widget.Button", text="Save for later", b=(440, 950, 900, 1060), click=True)), rid="android:id/content", cls="FrameLayout")
    emit("b2_neg_en_article_about_cookies", [root], pkg, (w, h), kind="other", lang="en", note="batch2: news article about cookie banners")
    plain_dialog("b2_neg_zh_clear_cache", pkg="com.demo.b2.news", title="", body="确定清除缓存吗？", lang="zh",
                 buttons=[("android:id/button2", "取消"), ("android:id/button1", "确定")], note="batch2")
    plain_dialog("b2_neg_en_discard_draft", pkg="com.demo.b2.mail", title="Discard draft?", body="", lang="en",
                 buttons=[("android:id/button2", "Keep editing"), ("android:id/button1", "Discard")], note="batch2")
    plain_dialog("b2_neg_zh_realname_notice", pkg="com.demo.b2.game", title="实名认证", body="根据国家规定，游戏用户需进行实名认证，未成年人每日游戏时间受限。", lang="zh",
                 buttons=[("android:id/button2", "稍后"), ("android:id/button1", "去认证")], note="batch2: real-name verification prompt")

    # 19-20.
    privacy_zh("b2_privacy_zh_update_agree_only", pkg="com.demo.b2.ditu", app="地图", title="服务协议更新",
               body="我们更新了《服务协议》和《隐私政策》，主要变化是新增了车辆服务相关的信息处理说明。", links=[], accept="同意并继续", decline=None, style="single",
               note="batch2: update notice with only an accept")
    cmp_native("b2_cmp_usercentrics_settings_appium", pkg="com.demo.b2.shop", sdk_prefix="com.usercentrics.sdk:id/", title="Privacy Settings",
               body="We use cookies and similar technologies. Some are essential, others help us improve the app and show you personalised offers.",
               buttons=[("ucButtonAcceptAll", "Accept All"), ("ucButtonDeny", "Deny"), ("ucButtonSettings", "Settings")], decline="com.usercentrics.sdk:id/ucButtonDeny",
               dialect="appium", note="batch2")


def batch3_screens() -> None:
    """Batch 3: also written after tuning and run once unseen (see the report)."""
    w, h = 1080, 2400
    # 1. privacy dialog: refusal is an unlabelled close icon with only an id
    pkg = "com.demo.b3.taxi"
    r = f"{pkg}:id/"
    body = "感谢使用出行宝！我们依据《隐私政策》处理您的位置信息和手机号，用于叫车和行程安全。请您阅读并同意后开始使用。"
    dlg = box((90, 700, 990, 1500), img((900, 710, 980, 790), r + "iv_close", click=True), tv("隐私政策提示", (130, 730, 880, 810), r + "title"),
              tv(body, (130, 830, 950, 1150), r + "content"), btn("同意并开始使用", (130, 1250, 950, 1380), r + "btn_ok"), rid=r + "dialog")
    emit("b3_privacy_zh_unlabelled_close", [box((0, 0, w, h), splash(w, h, pkg), dlg, rid="android:id/content", cls="FrameLayout")], pkg, (w, h),
         kind="privacy_dialog", decline=r + "iv_close", lang="zh", note="batch3: decline only via an unlabelled close icon")
    # 2. Chinese body, English buttons
    privacy_zh("b3_privacy_mixed_zh_body_en_buttons", pkg="com.demo.b3.game", app="星际", title="用户协议与隐私政策",
               body=BODY_ZH_3, links=[], accept="Agree", decline="Disagree", btn_cls="Button", dialect="appium", note="batch3: mixed languages")
    # 3. Android 14 Chinese permission dialog, Appium, CRLF line ends
    modern_dialog("b3_perm_api34_zh_camera_appium", 34, "zh", "扫码点单", "CAMERA", dialect="appium", note="batch3")
    # 4. second confirm with exit only
    confirm("b3_second_zh_sure_exit", pkg="com.demo.b3.taxi", title="您确定不同意吗？", body="不同意《隐私政策》将无法叫车。", buttons=["退出", "同意"],
            decline="退出", btn_cls="Button", note="batch3")
    # 5. UMP second layer: consent toggles off, legitimate-interest toggles on
    cmp_native("b3_cmp_ump_manage_layer_li_on", pkg="com.demo.b3.puzzle", sdk_prefix="", title="Manage your data",
               body="You can choose how your personal data is used. Vendors may process data on the basis of legitimate interest unless you object.",
               toggles=[("Use limited data to select advertising (consent)", False, True), ("Create profiles for personalised advertising (consent)", False, True),
                        ("Measure advertising performance (legitimate interest)", True, True)],
               buttons=[("", "Confirm choices"), ("", "Accept all")], decline="-", bottom=False, note="batch3: LI toggles on by default")
    # 6. WeChat-first login gate with 暂不登录
    pkg = "com.demo.b3.read"
    r = f"{pkg}:id/"
    root = box((0, 0, w, h), box((0, 0, w, h), tv("暂不登录", (860, 120, 1040, 190), r + "tv_later", click=True), img((440, 400, 640, 600), r + "logo"),
               btn("微信登录", (90, 900, 990, 1030), r + "btn_wx"), btn("手机号登录", (90, 1060, 990, 1190), r + "btn_phone"),
               cb("", (90, 1260, 150, 1320), False, r + "cb"), tv("我已阅读并同意《用户协议》《隐私政策》", (160, 1255, 990, 1325), r + "tv_agree")),
               rid="android:id/content", cls="FrameLayout")
    emit("b3_login_zh_wechat_later", [root], pkg, (w, h), kind="login_gate", decline="暂不登录", lang="zh", note="batch3")
    # 7. ack-only popup that is not about consent
    plain_dialog("b3_neg_zh_checkin_iknow", pkg="com.demo.b3.read", title="签到成功", body="恭喜获得 20 金币，连续签到 7 天可领取大礼包。", lang="zh",
                 buttons=[("android:id/button1", "我知道了")], note="batch3: only 我知道了 but nothing to consent to")
    # 8. app chooser
    pkg = "android"
    sheet = box((0, 1500, w, h), tv("Open with", (48, 1540, 1032, 1620), "android:id/title"),
                box((48, 1650, 500, 1850), img((200, 1660, 340, 1800), "android:id/icon"), tv("Browser", (48, 1800, 500, 1850), "android:id/text1"), click=True),
                box((540, 1650, 1032, 1850), img((700, 1660, 840, 1800), "android:id/icon"), tv("Maps", (540, 1800, 1032, 1850), "android:id/text1"), click=True),
                btn("Just once", (300, 2200, 640, 2320), "android:id/button_once"), btn("Always", (680, 2200, 1032, 2320), "android:id/button_always"),
                rid="android:id/contentPanel")
    emit("b3_neg_en_app_chooser", [sheet], pkg, (w, h), kind="other", lang="en", note="batch3: resolver with Just once / Always")
    # 9. screen recording prompt
    plain_dialog("b3_neg_en_screen_record", pkg="com.android.systemui", title="Start recording?",
                 body="While recording, Android System can capture any sensitive information that's visible on your screen, including passwords, payment details, photos and messages.",
                 lang="en", buttons=[("android:id/button2", "Cancel"), ("android:id/button1", "Start")], note="batch3")
    # 10. notification pre-prompt in English
    rationale("b3_rationale_en_notifications", pkg="com.demo.b3.shop", title="Turn on notifications?", lang="en",
              body="Get alerts when your order ships and when it arrives.", buttons=["No thanks", "Turn on"], decline="No thanks", group="NOTIFICATIONS",
              note="batch3")
    # 11. terms update with only I Accept and Learn more
    privacy_zh("b3_privacy_en_terms_update_accept_only", pkg="com.demo.b3.cloud", app="CloudBox", title="Terms of Service Update",
               body="We have updated our Terms of Service and Privacy Policy. By tapping I Accept you agree to the new terms.", links=["Learn more"],
               accept="I Accept", decline=None, style="single", lang="en", note="batch3: no refusal offered")
    # 12. MIUI-style Chinese dialog in Appium with ask-every-time
    oem_dialog("b3_perm_miui_zh_contacts_appium", pkg="com.lbe.security.miui", lang="zh", msg="允许“闪聊”读取联系人？", group="CONTACTS",
               buttons=[("", "始终允许", "Button"), ("", "每次询问", "Button"), ("", "拒绝", "Button")],
               decline="拒绝", dialect="appium", note="batch3")


def batch4() -> None:
    batch4_screens(emit)


def batch5() -> None:
    batch5_screens(emit)


def batch6() -> None:
    batch6_screens(emit)


def batch7() -> None:
    batch7_screens(emit)


GENERATORS: list[Callable[[], None]] = [permission_screens, privacy_screens, confirm_screens, cmp_screens, rationale_screens, login_screens, negative_screens,
                                        batch2_screens, batch3_screens, batch4, batch5, batch6, batch7]


def build() -> list[Entry]:
    """Build every corpus entry in memory."""
    ENTRIES.clear()
    for g in GENERATORS:
        g()
    return list(ENTRIES)


def labels_tsv(entries: list[Entry]) -> str:
    head = "file\tkind\tdecline\tpre_ticked\tambiguous\tgroup\tlang\tdialect\tafter\tnote\n"
    rows = [
        "\t".join([e.file, e.kind, e.decline, "yes" if e.pre_ticked else "no", "yes" if e.ambiguous else "no", e.group, e.lang, e.dialect,
                   e.after or "-", e.note])
        for e in entries
    ]
    return head + "\n".join(rows) + "\n"


def main() -> int:
    entries = build()
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.xml"):
        if old.name not in {e.file for e in entries}:
            old.unlink()
    for e in entries:
        (OUT / e.file).write_bytes(e.data)
    (HERE / "labels.tsv").write_text(labels_tsv(entries), encoding="utf-8")
    print(f"wrote {len(entries)} dumps to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
