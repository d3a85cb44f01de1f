"""Implied consent is consent by another act (login, registration, continuing); a sentence
that explains what the accept button does is not implied consent."""

from __future__ import annotations

import pytest

from harness.consent_ui import read_screen

DIALOG = """<?xml version='1.0' encoding='UTF-8'?>
<hierarchy rotation="0">
<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][1080,2400]">
<node index="0" text="{title}" resource-id="com.example.app:id/title" class="android.widget.TextView" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[130,640][950,740]" />
<node index="1" text="{body}" resource-id="com.example.app:id/message" class="android.widget.TextView" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[130,760][950,900]" />
<node index="2" text="{b1}" resource-id="com.example.app:id/b1" class="android.widget.Button" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[130,930][525,1060]" />
<node index="3" text="{b2}" resource-id="com.example.app:id/b2" class="android.widget.Button" package="com.example.app" content-desc="" checkable="false" checked="false" clickable="true" enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false" selected="false" bounds="[555,930][950,1060]" />
</node>
</hierarchy>"""


@pytest.mark.parametrize(
    "body, b1, b2",
    [
        ("请您仔细阅读《用户协议》和《隐私政策》，点击“同意”即表示您已阅读并同意。", "暂不同意", "同意"),
        ("Please read our Privacy Policy. By tapping Agree you accept it.", "Disagree", "Agree"),
    ],
)
def test_explaining_the_accept_button_is_not_implied_consent(body: str, b1: str, b2: str) -> None:
    r = read_screen(DIALOG.format(title="用户协议与隐私政策", body=body, b1=b1, b2=b2))
    assert r.kind == "privacy_dialog"
    assert r.implied_consent == ()


@pytest.mark.parametrize(
    "body, b1, b2",
    [
        ("登录即表示您同意《用户协议》和《隐私政策》", "获取验证码", "登录"),
        ("点击“登录”即代表您已阅读并同意《隐私政策》", "其他方式登录", "登录"),
        ("By continuing, you agree to our Terms of Service and Privacy Policy.", "Sign in", "Continue"),
    ],
)
def test_consent_by_logging_in_or_continuing_is_implied(body: str, b1: str, b2: str) -> None:
    r = read_screen(DIALOG.format(title="手机号登录", body=body, b1=b1, b2=b2))
    assert r.implied_consent, r.to_dict()
