"""A phone-number field on a booking form is not a login gate; a sign-in page is."""

from __future__ import annotations

from harness.consent_ui import read_screen

PAGE = """<?xml version='1.0' encoding='UTF-8'?>
<hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.car" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][1080,2400]">
<node index="0" text="{title}" resource-id="com.example.car:id/title" class="android.widget.TextView" package="com.example.car" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,80][1040,190]" />
<node index="1" text="{body}" resource-id="com.example.car:id/body" class="android.widget.TextView" package="com.example.car" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,220][1040,340]" />
<node index="2" text="{field}" resource-id="com.example.car:id/input_phone" class="android.widget.EditText" package="com.example.car" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,380][1040,510]" />
<node index="3" text="{button}" resource-id="com.example.car:id/btn" class="android.widget.Button" package="com.example.car" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,560][1040,700]" />
</node></hierarchy>"""


def test_booking_form_with_a_phone_field_is_not_a_login_gate() -> None:
    r = read_screen(PAGE.format(title="预约试驾", body="填写手机号，顾问将在 24 小时内与您确认试驾时间。", field="手机号（用于确认预约）", button="提交预约"))
    assert r.kind == "other", r.reasons


def test_sign_in_page_is_a_login_gate() -> None:
    r = read_screen(PAGE.format(title="手机号登录", body="未注册的手机号验证后将自动创建账号", field="请输入手机号", button="获取验证码"))
    assert r.kind == "login_gate", r.reasons


WITHDRAW = """<?xml version='1.0' encoding='UTF-8'?>
<hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][1080,2400]">
<node index="0" text="{title}" resource-id="com.example.app:id/title" class="android.widget.TextView" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,80][1040,190]" />
<node index="1" text="{body}" resource-id="com.example.app:id/body" class="android.widget.TextView" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,220][1040,340]" />
<node index="2" text="{b1}" resource-id="com.example.app:id/b1" class="android.widget.Button" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,380][1040,510]" />
<node index="3" text="{b2}" resource-id="com.example.app:id/b2" class="android.widget.Button" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[40,560][1040,700]" />
</node></hierarchy>"""


def test_a_settings_page_to_withdraw_consent_is_no_consent_prompt() -> None:
    en = read_screen(WITHDRAW.format(title="Privacy settings", body="You can withdraw your consent to the processing of your personal data at any time.", b1="Withdraw consent", b2="Delete account"))
    zh = read_screen(WITHDRAW.format(title="隐私设置", body="您可以随时撤回对个人信息处理的同意。", b1="撤回同意", b2="注销账号"))
    for r in (en, zh):
        assert r.kind == "other", r.reasons
        assert r.control("accept") is None
