"""The SDK catalogue: schema, attribution rules, and coverage of the public SDK lists in
../shared/data/sdk-lists (read there, never copied into the repo)."""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness.catalog import sdks as S
from harness.errors import CatalogError

# The SDKs found in most apps, which must all be attributed: the trackers Exodus Privacy reports
# most often across the apps it has scanned (Firebase, Crashlytics, AdMob, Facebook, Google
# Analytics, AppsFlyer, Adjust, Unity Ads, AppLovin, ironSource, OneSignal, Branch, Flurry...),
# and for Chinese apps the SDKs that MIIT's notices and the SDK lists below name again and again
# (push channels of every phone maker, Umeng, Bugly, the big three maps, pay and share SDKs, the
# ad networks, the MSA OAID SDK). probe package -> expected SDK id.
MUST_HAVE = {
    "com.google.firebase.analytics": "firebase_analytics",
    "com.google.android.gms.measurement": "firebase_analytics",
    "com.google.firebase.crashlytics": "firebase_crashlytics",
    "com.crashlytics.android": "firebase_crashlytics",
    "com.google.firebase.messaging": "firebase_messaging",
    "com.google.android.gms.ads": "admob",
    "com.google.android.gms.analytics": "google_analytics",
    "com.google.android.gms.tagmanager": "google_analytics",
    "com.facebook.appevents": "facebook_analytics",
    "com.facebook.login": "facebook_login",
    "com.facebook.share": "facebook_share",
    "com.facebook.ads": "facebook_ads",
    "com.appsflyer": "appsflyer",
    "com.adjust.sdk": "adjust",
    "io.branch.referral": "branch",
    "com.flurry.android": "flurry",
    "com.unity3d.ads": "unity_ads",
    "com.applovin": "applovin",
    "com.ironsource.mediationsdk": "ironsource",
    "com.vungle.warren": "vungle",
    "com.chartboost.sdk": "chartboost",
    "com.onesignal": "onesignal",
    "com.mixpanel.android": "mixpanel",
    "com.amplitude.api": "amplitude",
    "io.sentry": "sentry",
    "com.bugsnag.android": "bugsnag",
    "com.microsoft.appcenter": "hockeyapp",
    "com.umeng.analytics": "umeng",
    "com.umeng.commonsdk": "umeng",
    "com.umeng.message": "umeng_push",
    "com.umeng.socialize": "umeng_share",
    "cn.jpush.android": "jpush",
    "cn.jiguang": "jpush",
    "com.igexin": "getui",
    "com.huawei.hms.push": "huawei_push",
    "com.xiaomi.mipush.sdk": "xiaomi_push",
    "com.heytap.msp": "oppo_push",
    "com.coloros.mcssdk": "oppo_push",
    "com.vivo.push": "vivo_push",
    "com.meizu.cloud.pushsdk": "meizu_push",
    "com.tencent.bugly": "bugly",
    "com.tencent.stat": "tencent_mta",
    "com.tencent.smtt": "tencent_x5",
    "com.qq.e": "tencent_gdt",
    "com.tencent.mm.opensdk": "wechat_opensdk",
    "com.tencent.tauth": "qq_connect",
    "com.sina.weibo.sdk": "sina_weibo",
    "com.alipay.sdk": "alipay",
    "com.amap.api.location": "amap",
    "com.baidu.location": "baidu_map",
    "com.baidu.mapapi": "baidu_map",
    "com.tencent.map.geolocation": "tencent_map",
    "com.baidu.mobstat": "baidu_mobstat",
    "com.baidu.mobads": "baidu_ads",
    "com.bytedance.sdk.openadsdk": "pangle_csj",
    "com.kwad.sdk": "kuaishou_ads",
    "cn.sharesdk": "sharesdk",
    "com.mob": "sharesdk",
    "com.tendcloud.tenddata": "talkingdata",
    "com.growingio.android.sdk": "growingio",
    "com.sensorsdata.analytics": "sensorsdata",
    "com.bun.miitmdid": "msa_oaid",
    "com.sigmob": "sigmob",
    "com.mbridge.msdk": "mintegral",
}


def _frame(pkg: str) -> str:
    return f"{pkg}.Probe.run(Probe.java:1)"


def _exodus(path: Path) -> list[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["trackers"].values() if isinstance(data, dict) else data
    out: list[str] = []
    for t in items:
        for sig in str(t.get("code_signature") or "").split("|"):
            p = sig.replace("\\", "").strip().strip(".")
            if re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+", p):
                out.append(p)
    return out


def _cn(path: Path) -> list[str]:
    data = ast.literal_eval(path.read_text(encoding="utf-8"))  # Python-literal quoting
    out = []
    for d in data:
        p = str(d.get("package_name", "")).strip().strip(".")
        if re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+", p):
            out.append(p)
    return out


def _libradar(path: Path, kinds: set[str] | None = None) -> list[str]:
    out = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row.get("Library Name", "no") in ("no", "") or (kinds is not None and row.get("Type") not in kinds):
                continue
            p = row["Package Name"].lstrip("L").replace("/", ".")
            if "." in p:
                out.append(p)
    return out


def _libchecker(root: Path) -> list[str]:
    out = []
    for folder in ("activities-libs", "services-libs", "receivers-libs", "providers-libs"):
        for f in (root / folder).glob("*.json"):
            name = f.stem
            if name.startswith("regex") or "." not in name:
                continue
            out.append(name.rsplit(".", 1)[0])
    return out


def _coverage(prefixes: list[str]) -> tuple[float, float, int]:
    """(share attributed to an SDK, share known as SDK or neutral library/platform, count)."""
    uniq = sorted(set(prefixes))
    m = S.matcher("")
    sdk = known = 0
    for p in uniq:
        r = m.attribute([_frame(p)])
        if r not in ("", "app"):
            sdk += 1
            known += 1
        elif r == "":
            known += 1
    return sdk / len(uniq), known / len(uniq), len(uniq)


# ------------------------------------------------------------------------------------ catalogue
def test_catalogue_size_and_shape() -> None:
    sdks = S.load_sdks()
    prefixes = [p for s in sdks for p in s.prefixes]
    assert len(sdks) >= 300 and len(prefixes) >= 600
    assert {s.region for s in sdks} == {"cn", "intl"}
    assert set(S.SDK_KINDS) - {s.kind for s in sdks} == set()
    assert S.sdk_by_id("umeng").region == "cn"
    with pytest.raises(KeyError):
        S.sdk_by_id("nope")


@pytest.mark.parametrize(("probe", "sdk_id"), sorted(MUST_HAVE.items()))
def test_most_common_sdks_are_attributed(probe: str, sdk_id: str) -> None:
    S.sdk_by_id(sdk_id)
    assert S.attribute([_frame(probe)], "") == sdk_id


def test_attribution_rules() -> None:
    app = "com.example.shop"
    assert S.attribute(["java.lang.Thread.run(Thread.java:1)", "android.os.Handler.dispatchMessage(Handler.java:2)"], "", app) == ""
    assert S.attribute([], "", app) == ""
    # nearest non-platform frame decides; androidx and neutral libraries are skipped
    stack = ["androidx.core.app.ActivityCompat.requestPermissions(A.java:1)", "okhttp3.Call.execute(C.java:1)",
             "com.umeng.analytics.Agent.onEvent(A.java:3)", "com.example.shop.Main.onCreate(M.java:9)"]
    assert S.attribute(stack, "", app) == "umeng"
    assert S.attribute(["com.example.shop.util.Ids.get(I.java:1)", "com.umeng.analytics.X.y(X.java:1)"], "", app) == "app"
    # unknown code is passed over for a known SDK further out, else it is the app's
    assert S.attribute(["a.b.c.d(Unknown Source)", "cn.jpush.android.service.P.q(P.java:1)"], "", app) == "jpush"
    assert S.attribute(["a.b.c.d(Unknown Source)"], "", app) == "app"
    # longest prefix wins: an SDK vendored deeper than the app package, Play services split by feature
    assert S.attribute(["com.example.shop.wxapi.x(A.java:1)"], "", "com.example") == "app"
    assert S.attribute(["com.google.android.gms.ads.identifier.A.b(A.java:1)"], "") == "admob"
    assert S.attribute(["com.google.android.gms.location.F.g(F.java:1)"], "") == "google_location"
    assert S.attribute(["com.google.android.gms.common.api.G.h(G.java:1)"], "") == "google_play_services"
    # dot boundaries: com.mobfox is not MobTech's com.mob
    assert S.attribute([_frame("com.mobfox.sdk")], "") == "mobfox"
    # the caller is used when there is no stack; module prefixes and "at " are tolerated
    assert S.attribute([], "com.tencent.bugly.crashreport.C.d(C.java:1)") == "bugly"
    assert S.attribute(["at app//io.sentry.Hub.capture(Hub.java:1)"], "") == "sentry"
    # native frames: libc/runtime are platform, other libraries are the app's code
    assert S.attribute(["libc.so!open+0x10", "libfoo.so!collect+0x2"], "") == "app"
    assert S.attribute(["libc.so.6!_IO_file_open+0x22"], "") == ""


def test_attributor_for_matches_the_protocol() -> None:
    f = S.attributor_for("com.example.app")
    assert f(["com.example.app.Main.x(M.java:1)"], "") == "app"
    assert f(["com.appsflyer.internal.A.b(A.java:1)"], "") == "appsflyer"
    assert S.matcher("com.example.app") is S.matcher("com.example.app")


def _doc() -> dict[str, Any]:
    from importlib import resources

    import yaml

    data = yaml.safe_load(resources.files("harness.catalog").joinpath("sdks.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["sdks"][0].update(kind="spyware"), r"entry 0 \(umeng\): field 'kind'"),
        (lambda d: d["sdks"][0].update(region="mars"), r"\(umeng\): field 'region'"),
        (lambda d: d["sdks"][0].update(id="App"), r"field 'id'"),
        (lambda d: d["sdks"][0].update(prefixes=["com..umeng"]), r"\(umeng\): field 'prefixes'"),
        (lambda d: d["sdks"][1].update(prefixes=["com.umeng"]), r"'com.umeng' already belongs to umeng"),
        (lambda d: d["sdks"][1].update(prefixes=["okhttp3"]), r"already belongs to \(libraries\)"),
        (lambda d: d["sdks"].append(dict(d["sdks"][0])), r"field 'id': duplicate"),
        (lambda d: d["sdks"][0].update(colour="red"), r"'colour': unknown field"),
        (lambda d: d.update(schema=3), r"'schema'"),
        (lambda d: d.update(framework=[]), r"'framework'"),
    ],
)
def test_bad_catalogue_names_entry_and_field(mutate: Any, expected: str) -> None:
    import copy

    doc = copy.deepcopy(_doc())
    mutate(doc)
    with pytest.raises(CatalogError) as info:
        S.parse_sdks(doc)
    assert re.search(expected, str(info.value)), str(info.value)


# ------------------------------------------------------------------------------------ coverage
def test_coverage_of_public_sdk_lists(shared_dir: Path, record_property: Any, capsys: pytest.CaptureFixture[str]) -> None:
    lists = shared_dir / "data" / "sdk-lists"
    measured = {
        "exodus_trackers": _coverage(_exodus(lists / "exodus_trackers.json")),
        "exodus_compact_2021": _coverage(_exodus(lists / "exodus_trackers_compact_hidedroid.json")),
        "cn_sdk_camille": _coverage(_cn(lists / "cn_sdk_camille.json")),
        "cn_sdk_appscan": _coverage(_cn(lists / "cn_sdk_appscan.json")),
        "libradar_trackers": _coverage(_libradar(lists / "libradar_tag_rules.csv",
                                                 {"Advertisement", "Mobile Analytics", "Map/LBS", "Payment", "Social Network"})),
        "libradar_all": _coverage(_libradar(lists / "libradar_tag_rules.csv")),
        "libchecker_components": _coverage(_libchecker(lists / "libchecker_rules")),
    }
    report = {k: {"prefixes": n, "sdk": round(s, 3), "sdk_or_library": round(k2, 3)} for k, (s, k2, n) in measured.items()}
    record_property("sdk_coverage", json.dumps(report))
    with capsys.disabled():
        print("\nSDK catalogue coverage of public lists (share of each list's prefixes attributed to an SDK):")
        for k, v in report.items():
            print(f"  {k:24s} {v['prefixes']:5d} prefixes  sdk {v['sdk']:.1%}  sdk-or-library {v['sdk_or_library']:.1%}")
    # floors a little under what is measured today (the lists are long-tailed: hundreds of niche
    # SDKs each seen in few apps), so a regression in the catalogue shows
    assert measured["cn_sdk_camille"][0] >= 0.30
    assert measured["exodus_trackers"][0] >= 0.37
    assert measured["libradar_trackers"][0] >= 0.45
    assert measured["libchecker_components"][0] >= 0.55


def test_must_have_sdks_are_in_the_public_lists(shared_dir: Path) -> None:
    """Ties the must-have choice to data: every probe names an SDK that at least one list has."""
    lists = shared_dir / "data" / "sdk-lists"
    everything = set(_exodus(lists / "exodus_trackers.json")) | set(_cn(lists / "cn_sdk_camille.json")) | set(
        _libradar(lists / "libradar_tag_rules.csv")) | set(_libchecker(lists / "libchecker_rules"))
    missing = [p for p in MUST_HAVE if not any(p == q or p.startswith(q + ".") or q.startswith(p + ".") for q in everything)]
    assert len(missing) <= len(MUST_HAVE) // 10, missing


def test_unlisted_third_party_code_is_named_by_its_organisation() -> None:
    app = "com.example.shop"
    # an SDK the catalogue lacks, called from the app: the SDK collected, not the app
    stack = ["cn.thinkingdata.android.TDTracker.getId(T.java:1)", "com.example.shop.App.onCreate(A.java:1)"]
    assert S.attribute(stack, "", app) == "cn.thinkingdata"
    # a catalogued SDK further out still wins over unlisted code nearer the call
    assert S.attribute(["cn.thinkingdata.android.T.g(T.java:1)", "com.umeng.analytics.X.y(X.java:1)"], "", app) == "umeng"
    # the app's own organisation, obfuscated names and native libraries stay the app's
    assert S.attribute(["com.example.common.Ids.get(I.java:1)"], "", app) == "app"
    assert S.attribute(["a.b.c.d(Unknown Source)", "com.example.shop.App.onCreate(A.java:1)"], "", app) == "app"
    assert S.attribute(["ab.cd.Ef.g(Unknown Source)"], "", app) == "app"
    assert S.attribute(["libfoo.so!collect+0x2"], "", app) == "app"


def test_relocated_sdk_is_named_by_the_prefix_inside_the_package() -> None:
    app = "com.example.shop"
    shaded = "com.example.shop.thirdparty.com.umeng.commonsdk.internal.C.a(C.java:1)"
    assert S.attribute([shaded, "com.example.shop.App.onCreate(A.java:1)"], "", app) == "umeng"
    assert S.attribute(["org.shadow.libs.cn.jpush.android.P.q(P.java:1)"], "", app) == "jpush"
    # one segment that happens to spell a vendor is not a relocated SDK
    assert S.attribute(["com.example.shop.alipay.PayPage.show(P.java:1)"], "", app) == "app"
