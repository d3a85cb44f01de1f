"""In-app browser evidence: a page that demands the user's WeChat / Alipay profile before the
basic function (a part of R24).

R24 (rules.md §7.2: forced registration, or a login / official-account gate before a function
that needs no account; 必要个人信息范围规定 Art. 4-5, 认定方法 四.1, 四.5, 三.7) covers it: the
profile authorisation (WeChat OAuth ``snsapi_userinfo``, ``wx.getUserInfo``-style calls, Alipay
``auth_user``) is a login with the user's social identity, and it hands over nickname, photo,
region and gender that ordering, paying for parking or renting a power bank do not need.

Evidence: the ``PermissionRequest`` the web source records for the authorisation request
(``permissions`` = its scope, ``caller`` = the page that sent the user there), its time against
the consent decision, and whether any tap on the page's own function came first. R09 covers
the profile as data collected before consent (the ``ApiCall`` of category ACCOUNTS); R23 a
function that stops working when the authorisation is refused.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, app_name
from harness.detectors.registry import detector_part
from harness.events import ConsentDecision, PermissionRequest, UiAction
from harness.findings import Finding
from harness.i18n import Msg

__all__ = ["profile_before_function", "PROFILE_SCOPES", "PROFILE_APIS"]

#: Authorisation scopes that hand over the user's profile.
PROFILE_SCOPES = frozenset({"snsapi_userinfo", "snsapi_login", "auth_user", "auth_userinfo", "wx-profile", "alipay-profile"})
#: Bridge calls whose request is a profile demand (their PermissionRequest names the kind).
PROFILE_APIS = ("WeChat.oauth2.authorize", "Alipay.oauth2.authorize", "WeChat.wx.getUserInfo", "WeChat.wx.getUserProfile", "Alipay.AlipayJSBridge.getAuthCode")


def _is_profile(r: PermissionRequest) -> bool:
    return r.api.startswith(PROFILE_APIS) and any(p in PROFILE_SCOPES for p in r.permissions)


@detector_part("R24", "in_app_profile")
def profile_before_function(ctx: Context) -> Iterator[Finding]:
    """The in-app profile demanded before the user used the page's function: a violation when
    the app type needs no account, for review otherwise (or without a profile)."""
    demands = [r for r in ctx.of(PermissionRequest) if _is_profile(r)]
    if not demands:
        return
    first = demands[0]
    function_taps = [a for a in ctx.of(UiAction) if a.action == "tap" and a.role in ("function", "feature") and a.seq < first.seq]
    if function_taps:
        return  # asked after the user started the function: not "before" it (R23/R24 gates judge the rest)
    decided = next((d for d in ctx.of(ConsentDecision) if d.subject == ctx.phases.subject and d.seq < first.seq), None)
    when = Msg.of("R24.inapp_before_consent") if decided is None or decided.choice != "accept" else Msg.of("R24.inapp_after_accept", dt=first.t - decided.t)
    scope = ",".join(first.permissions) or "profile"
    prof = ctx.profile
    no_account = prof is not None and not prof.account_required
    verdict = "violation" if no_account else "needs-review"
    what = Msg.of("R24.inapp_no_account", app=app_name(prof), basic=prof.basic_function) if no_account and prof is not None else Msg.of("R24.inapp_check")
    yield ctx.finding(
        "R24",
        verdict=verdict,
        message=Msg.of("R24.inapp_profile", scope=scope, api=first.api, t=first.t, when=when, what=what, caller=first.caller[:160] or "-"),
        evidence=[r.seq for r in demands[:5]] + ([decided.seq] if decided is not None else []),
        category="ACCOUNTS",
        sdk=first.sdk,
        thresholds=(),
    )
