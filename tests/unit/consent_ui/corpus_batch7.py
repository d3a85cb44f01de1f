"""Batch 7 of the consent-UI corpus: written after batch 6's change and scored once before any
further change, as a second unseen estimate (the first-pass figure is in docs/corpus.md).

Where batch 6 went to other languages, batch 7 goes back to the markets the harness is used in
most (Chinese and English apps) with layouts batch 1-6 did not have: the "basic function mode"
that Chinese apps must offer instead of a hard refusal, one-tap mobile login sheets, privacy
dialogs whose buttons carry their label only in content-desc (Compose with merged semantics) or
whose agreement box is an image toggled by ``selected``, newer OEM dialogs (HyperOS, MagicOS,
HarmonyOS NEXT, ColorOS 14, vivo with a countdown), CCPA "Do not sell or share" banners, and
traps that real apps show at launch: a splash ad with "跳过 3", the teenager-mode notice, a
permission list page with "去设置" rows, an app's "about" page with policy links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corpus_batch6 import PC, H, W, _aosp, _cmp, _dialog, _home, _oem, _prompt, _root
from corpus_kit import N, Stack, box, btn, edit, img, tv, web

__all__ = ["batch7_screens"]

V = "android.view.View"
Emit = Callable[..., None]

BODY_ZH = ("感谢您使用本应用！我们依据相关法律法规制定了《用户服务协议》和《隐私政策》，请您在点击同意之前仔细阅读并充分理解相关条款。"
           "为向您提供商品浏览、下单和售后服务，我们会收集您的设备信息、位置信息和订单信息。")


def permissions(emit: Emit) -> None:
    _oem(emit, "b7_perm_hyperos_en_location", pkg="com.lbe.security.miui", lang="en", msg="Allow Bikely to access this device's location?",
         buttons=[("", "While using the app", "Button"), ("", "Only this time", "Button"), ("", "Reject", "Button")], group="LOCATION", decline="Reject",
         note="HyperOS global: 'Reject' instead of 'Don't allow'")
    _oem(emit, "b7_perm_magicos_zh_camera", pkg="com.hihonor.permissioncontroller", lang="zh", msg="允许“扫码点单”拍照和录制视频？",
         buttons=[("com.hihonor.permissioncontroller:id/btn_allow_foreground", "仅使用期间允许", "Button"),
                  ("com.hihonor.permissioncontroller:id/btn_allow_once", "仅本次允许", "Button"),
                  ("com.hihonor.permissioncontroller:id/btn_deny", "不允许", "Button")], group="CAMERA",
         decline="com.hihonor.permissioncontroller:id/btn_deny", dialect="appium", note="MagicOS (Honor) style, own ids, Appium")
    _oem(emit, "b7_perm_harmony_next_zh_location", pkg="com.huawei.hmos.security.privacycenter", lang="zh", msg="“骑行宝”需要获取你的位置信息",
         buttons=[("", "仅使用期间允许", "TextView"), ("", "仅本次允许", "TextView"), ("", "不允许", "TextView")], group="LOCATION", decline="不允许",
         note="HarmonyOS NEXT style: the app 'needs' the location, TextView buttons")
    _oem(emit, "b7_perm_coloros14_zh_photos", pkg="com.android.permissioncontroller", lang="zh", msg="允许“美图秀”访问照片和视频？",
         buttons=[(PC + "coui_allow_all", "允许访问全部", "Button"), (PC + "coui_allow_selected", "允许访问所选内容", "Button"),
                  (PC + "coui_deny", "不允许", "Button")], group="MEDIA", decline=PC + "coui_deny", note="ColorOS 14 partial photo access")
    _oem(emit, "b7_perm_vivo_zh_contacts_countdown", pkg="com.vivo.permissionmanager", lang="zh", title="权限申请",
         msg="“借呗快”申请读取联系人", buttons=[("", "拒绝（8s）", "Button"), ("", "允许", "Button")], row=True, group="CONTACTS", decline="拒绝（8s）",
         note="vivo with a full-width countdown on deny")
    _aosp(emit, "b7_perm_api35_en_location_approx_only", lang="en", msg="Allow Weathery to access this device’s approximate location?",
          buttons=[("permission_allow_foreground_only_button", "While using the app"), ("permission_allow_one_time_button", "Only this time"),
                   ("permission_deny_button", "Don’t allow")], group="LOCATION", decline=PC + "permission_deny_button", dialect="ua_pretty",
          note="API 35: approximate location asked on its own, no radios")
    _aosp(emit, "b7_perm_api34_zh_bg_location_upgrade", lang="zh", msg="要将“共享单车”的位置信息访问权限更改为“始终允许”吗？",
          buttons=[("permission_allow_always_button", "始终允许"), ("permission_no_upgrade_button", "保留“仅在使用该应用时允许”")], group="LOCATION",
          decline=PC + "permission_no_upgrade_button", note="background-location upgrade in Chinese")


def privacy(emit: Emit) -> None:
    pkg = "com.demo.b7.shop"
    r = f"{pkg}:id/"
    emit("b7_privacy_zh_basic_mode", _dialog(pkg, "个人信息保护指引", BODY_ZH,
                                             [btn("同意并继续", (0, 0, 0, 130), r + "btn_agree"), tv("不同意，进入基本功能模式", (0, 0, 0, 64), r + "tv_basic", click=True)]),
         pkg, (W, H), kind="privacy_dialog", decline="不同意，进入基本功能模式", lang="zh", note="zh: refusal enters the basic function mode")
    emit("b7_privacy_zh_basic_mode_only_browse", _dialog("com.demo.b7.video", "温馨提示", BODY_ZH,
                                                         [btn("同意", (0, 0, 0, 130), "com.demo.b7.video:id/btn_ok"),
                                                          tv("仅浏览基本功能", (0, 0, 0, 64), "com.demo.b7.video:id/tv_browse", click=True)]),
         "com.demo.b7.video", (W, H), kind="privacy_dialog", decline="仅浏览基本功能", lang="zh", dialect="appium", note="zh: browse basic functions only")
    pkg = "com.demo.b7.food"
    r = f"{pkg}:id/"
    icon = img((0, 10, 60, 70), r + "iv_agreement", click=True)
    icon.selected = True
    row = box((0, 0, 820, 80), icon, tv("我已阅读并同意《用户服务协议》及《隐私政策》", (80, 0, 820, 80), r + "tv_agreement"))
    emit("b7_privacy_zh_selected_image_box", _dialog(pkg, "用户协议及隐私政策", BODY_ZH,
                                                     [box((0, 0, 0, 130), btn("不同意", (0, 0, 390, 130), r + "btn_refuse", cls="TextView"),
                                                          btn("同意", (430, 0, 820, 130), r + "btn_agree", cls="TextView"))], extra=[row]),
         pkg, (W, H), kind="privacy_dialog", decline="不同意", pre=True, lang="zh",
         note="zh: agreement image whose ticked state is only the 'selected' attribute (id iv_agreement)")
    pkg = "com.demo.b7.notes"
    s = Stack(80, 700, W - 80, gap=26)
    kids: list[N] = [N(V, text="Privacy notice", b=s.take(90)),
                     N(V, text="We use analytics and crash reporting to improve Notely. See our Privacy Policy for details.", b=s.take(200))]
    rowb = s.row(130, 2, 30)
    kids.append(N(V, desc="No thanks", b=rowb[0], click=True, focusable=True))
    kids.append(N(V, desc="I agree", b=rowb[1], click=True, focusable=True))
    emit("b7_privacy_en_compose_desc_buttons", [_root(_home(pkg), N(V, b=(80, 660, W - 80, s.y + 30), kids=kids))], pkg, (W, H),
         kind="privacy_dialog", decline="No thanks (content-desc)", lang="en", note="en Compose merged semantics: button labels only in content-desc")
    pkg = "com.demo.b7.cloud"
    r = f"{pkg}:id/"
    emit("b7_privacy_en_terms_update_review", _dialog(pkg, "We've updated our terms", "We updated our Terms of Service and Privacy Policy. "
                                                      "Please review and accept them to keep using CloudDrive.",
                                                      [btn("Accept", (0, 0, 0, 130), r + "btn_accept"), btn("Review terms", (0, 0, 0, 110), r + "btn_review", cls="TextView")]),
         pkg, (W, H), kind="privacy_dialog", decline="-", lang="en", note="en terms update: accept or review, no refusal")
    pkg = "com.demo.b7.game"
    r = f"{pkg}:id/"
    emit("b7_privacy_zh_exit_game", _dialog(pkg, "用户协议和隐私政策", BODY_ZH,
                                            [box((0, 0, 0, 130), btn("拒绝并退出游戏", (0, 0, 390, 130), r + "btn_no"), btn("同意并进入游戏", (430, 0, 820, 130), r + "btn_yes"))]),
         pkg, (W, H), kind="privacy_dialog", decline="拒绝并退出游戏", lang="zh", note="zh game: refuse and exit the game")
    pkg = "com.demo.b7.bank"
    r = f"{pkg}:id/"
    close = img((0, 0, 0, 0), r + "iv_close", click=True)
    emit("b7_privacy_zh_close_icon_no_desc", _dialog(pkg, "隐私政策", BODY_ZH, [btn("同意", (0, 0, 0, 130), r + "btn_agree")], top_right=close),
         pkg, (W, H), kind="privacy_dialog", decline=r + "iv_close", lang="zh", note="zh: only an unlabelled close icon (id iv_close) besides agree")
    pkg = "com.demo.b7.news.en"
    s = Stack(40, 1500, W - 40, gap=20)
    kids = [N(V, text="Your Privacy Choices", b=s.take(80)),
            N(V, text="We and our partners use cookies and share personal information for targeted advertising. You can opt out of the sale or sharing of your personal information.", b=s.take(200)),
            N(V, text="Accept", b=s.take(110), click=True, focusable=True),
            N(V, text="Do Not Sell or Share My Personal Information", b=s.take(110), click=True, focusable=True)]
    emit("b7_cmp_en_ccpa_do_not_sell_webview", [_root(_home(pkg), web((0, 1460, W, s.y + 30), N(V, b=(0, 1460, W, s.y + 30), kids=kids)))], pkg, (W, H),
         kind="cmp_dialog", decline="Do Not Sell or Share My Personal Information", lang="en", note="CCPA banner in a WebView: the refusal is 'Do not sell or share'")
    _cmp(emit, "b7_cmp_en_necessary_only", pkg="com.demo.b7.magazine", lang="en", title="Cookies on Magazine",
         body="We use some essential cookies to make this app work. We'd like to set additional cookies to understand how you use it and to show you relevant ads.",
         buttons=["Accept additional cookies", "Reject additional cookies", "View cookies"], decline="Reject additional cookies",
         note="UK-government-style banner wording")
    _cmp(emit, "b7_cmp_zh_ump", pkg="com.demo.b7.tools", lang="zh", title="“工具箱”请求您同意使用您的个人数据来实现以下用途：",
         body="个性化广告和内容、广告和内容衡量、受众研究以及服务开发；在设备上存储和/或访问信息", buttons=["同意", "不同意", "管理选项"], decline="不同意",
         webview=True, note="UMP form in simplified Chinese in a WebView")


def second_and_login(emit: Emit) -> None:
    emit("b7_second_zh_basic_mode", _prompt("com.demo.b7.shop", "温馨提示", "若不同意《隐私政策》，您将进入基本功能模式，仅可浏览商品。", ["进入基本功能模式", "同意并继续"]),
         "com.demo.b7.shop", (W, H), kind="second_confirm", decline="进入基本功能模式", lang="zh", after="decline", note="zh second confirm offering the basic mode")
    emit("b7_second_en_stay_limited", _prompt("com.demo.b7.notes", "Use Notely without sync?", "Without your consent, sync and backups are turned off. You can change this any time in Settings.",
                                              ["Continue without sync", "Back"], stacked=True),
         "com.demo.b7.notes", (W, H), kind="second_confirm", decline="Continue without sync", lang="en", after="decline", note="en second confirm, limited mode")
    emit("b7_second_zh_quit_app_flat", _prompt("com.demo.b7.game", "", "您需要同意《用户协议》和《隐私政策》才能进入游戏", ["退出游戏", "再看看"], ids=False),
         "com.demo.b7.game", (W, H), kind="second_confirm", decline="退出游戏", lang="zh", after="decline", note="zh second confirm: quit the game / look again, no ids")
    pkg = "com.demo.b7.ride"
    r = f"{pkg}:id/"
    s = Stack(60, 900, 1020, gap=30)
    box_icon = img((0, 0, 0, 0), r + "iv_check", click=True)
    agree = box(s.take(80), box_icon, tv("我已阅读并同意《认证服务协议》和《隐私政策》", (0, 0, 0, 0), r + "tv_protocol"))
    box_icon.b = (agree.b[0], agree.b[1] + 10, agree.b[0] + 60, agree.b[3] - 10)
    agree.kids[1].b = (agree.b[0] + 80, agree.b[1], agree.b[2], agree.b[3])
    kids = [img((940, 120, 1030, 210), r + "iv_close", desc="关闭", click=True), tv("138****5678", s.take(100), r + "tv_phone"),
            btn("本机号码一键登录", s.take(130), r + "btn_onekey"), tv("其他手机号码登录", s.take(70, inset=300), r + "tv_other", click=True), agree]
    emit("b7_login_zh_onekey_sheet_close", [_root(box((0, 0, W, H), *kids, rid=r + "login_root"))], pkg, (W, H), kind="login_gate", decline="关闭 (content-desc)",
         lang="zh", note="zh one-tap mobile login page, agreement image box unticked, a close X")
    pkg = "com.demo.b7.reader"
    r = f"{pkg}:id/"
    s = Stack(60, 400, 1020, gap=30)
    kids = [tv("Sign in to sync your library", s.take(100), r + "tv_title"), btn("Continue with Google", s.take(130), r + "btn_google"),
            btn("Continue with email", s.take(130), r + "btn_email"), tv("Maybe later", (300, 2080, 780, 2160), r + "tv_later", click=True)]
    emit("b7_login_en_maybe_later", [_root(box((0, 0, W, H), *kids, rid=r + "root"))], pkg, (W, H), kind="login_gate", decline="Maybe later", lang="en",
         dialect="appium", note="en sign-in wall with 'Maybe later'")


def rationales(emit: Emit) -> None:
    emit("b7_rationale_zh_location_not_now", _prompt("com.demo.b7.food", "开启定位权限", "为了给您推荐附近的门店，需要获取您的位置信息。", ["暂不开启", "去开启"]),
         "com.demo.b7.food", (W, H), kind="permission_rationale", decline="暂不开启", group="LOCATION", lang="zh", note="zh location pre-prompt")
    emit("b7_rationale_en_notifications", _prompt("com.demo.b7.parcel", "Stay in the loop", "Turn on notifications to know when your parcel arrives.", ["Not now", "Turn on"]),
         "com.demo.b7.parcel", (W, H), kind="permission_rationale", decline="Not now", group="NOTIFICATIONS", lang="en", note="en notification pre-prompt")
    emit("b7_rationale_zh_storage_flat", _prompt("com.demo.b7.scan", "权限说明", "保存扫描结果需要访问您的存储空间，您可以拒绝，不影响其他功能使用。", ["拒绝", "允许"], ids=False),
         "com.demo.b7.scan", (W, H), kind="permission_rationale", decline="拒绝", group="STORAGE", lang="zh", note="zh storage explanation, no ids")


def traps(emit: Emit) -> None:
    pkg = "com.demo.b7.shop"
    r = f"{pkg}:id/"
    kids = [img((0, 0, W, H), r + "iv_splash_ad", click=True), tv("跳过 3", (860, 120, 1040, 200), r + "tv_skip", click=True),
            tv("广告", (40, 2260, 140, 2320), r + "tv_ad_tag")]
    emit("b7_neg_zh_splash_ad_skip", [_root(box((0, 0, W, H), *kids, rid=r + "splash", cls="FrameLayout"))], pkg, (W, H), kind="other", lang="zh",
         note="trap: a splash ad with '跳过 3'")
    emit("b7_neg_zh_teenager_mode", _prompt("com.demo.b7.video", "青少年模式", "为呵护未成年人健康成长，我们推出了青少年模式。该模式下部分功能无法正常使用。",
                                            ["进入青少年模式", "我知道了"], stacked=True),
         "com.demo.b7.video", (W, H), kind="other", lang="zh", note="trap: the teenager-mode notice at launch")
    pkg = "com.demo.b7.bank"
    r = f"{pkg}:id/"
    s = Stack(0, 240, W, gap=0)
    kids = [tv("系统权限管理", (40, 110, 700, 190), r + "toolbar_title")]
    for name, state in [("位置信息", "已开启"), ("相机", "去设置"), ("通讯录", "去设置"), ("通知", "已开启")]:
        b = s.take(150)
        kids.append(box(b, tv(name, (40, b[1] + 30, 600, b[3] - 30), r + "tv_name"), tv(state, (780, b[1] + 40, 1040, b[3] - 40), r + "tv_state"),
                        click=True, cls="RelativeLayout"))
    emit("b7_neg_zh_permission_list_page", [_root(box((0, 0, W, H), *kids, rid=r + "perm_list"))], pkg, (W, H), kind="other", lang="zh",
         note="trap: the app's permission list page with 去设置 rows")
    pkg = "com.demo.b7.notes"
    r = f"{pkg}:id/"
    s = Stack(0, 240, W, gap=0)
    kids = [img((0, 100, 120, 200), "", desc="Navigate up", click=True), tv("About", (140, 110, 700, 190), r + "toolbar_title"),
            tv("Notely 4.2.0", (40, 260, 900, 340), r + "tv_version")]
    for label in ["Privacy Policy", "Terms of Service", "Open-source licences", "Manage cookies"]:
        b = s.take(140)
        b = (b[0], b[1] + 120, b[2], b[3] + 120)
        kids.append(box(b, tv(label, (40, b[1] + 30, 900, b[3] - 30), r + "title"), click=True, cls="RelativeLayout"))
    emit("b7_neg_en_about_page_links", [_root(box((0, 0, W, H), *kids, rid=r + "about"))], pkg, (W, H), kind="other", lang="en", dialect="appium",
         note="trap: an about page with policy and cookie links")
    emit("b7_neg_en_location_services_off", _prompt("com.demo.b7.ride", "Location services are off", "Turn on location services in your phone settings to see nearby bikes.",
                                                    ["OK"]),
         "com.demo.b7.ride", (W, H), kind="other", lang="en", note="trap: an ack-only notice that location is off")
    pkg = "com.demo.b7.bank"
    r = f"{pkg}:id/"
    s = Stack(60, 300, 1020, gap=30)
    kids = [tv("转账", s.take(90), r + "tv_title"), edit("", s.take(120), r + "et_account", hint="收款账号"), edit("", s.take(120), r + "et_amount", hint="转账金额"),
            edit("", s.take(120), r + "et_pwd", password=True, hint="支付密码"), btn("确认转账", s.take(130), r + "btn_submit"),
            tv("转账即表示您同意《转账服务协议》", s.take(60), r + "tv_terms")]
    emit("b7_neg_zh_transfer_form_password", [_root(box((0, 0, W, H), *kids, rid=r + "root"))], pkg, (W, H), kind="other", lang="zh",
         note="trap: a payment form with a password field and agreement text (not a login)")


def batch7_screens(emit: Callable[..., Any]) -> None:
    """Write batch 7 through ``emit`` (make_corpus.emit)."""
    permissions(emit)
    privacy(emit)
    second_and_login(emit)
    rationales(emit)
    traps(emit)
