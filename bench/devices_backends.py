"""Benchmark of the device layer: parsers, the real adb binary, and the Appium backend against
a real Appium server (fake driver + harness-fake-device plugin from tools/appium).

Run: ``python bench/devices_backends.py``. Prints figures, then one JSON line (the last line).
Needs tools/appium/setup.sh to have run (the Appium part is reported as skipped otherwise).
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "unit" / "devices"))

from apk_builder import Element, encode_manifest, simple_manifest  # noqa: E402

from harness.devices.adb import (  # noqa: E402
    AdbClient,
    LogcatParser,
    find_adb,
    group_states,
    parse_dumpsys_package,
)
from harness.devices.apk import parse_binary_manifest  # noqa: E402
from harness.devices.appium import AppiumConfig, AppiumDriver, LocalAppiumServer  # noqa: E402

FAKEAPP = REPO / "tests" / "contract" / "fixtures" / "fakeapp"


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000.0)
    return out


def p90(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(round(0.9 * len(xs))) - 1)]


def bench_parsers() -> dict[str, float]:
    perms = [f"android.permission.P{i}" for i in range(150)] + [
        "android.permission.CAMERA",
        "android.permission.ACCESS_FINE_LOCATION",
    ]
    lines = [
        "Packages:",
        "  Package [com.example.big] (abc):",
        "    versionCode=1 targetSdk=34",
        "    requested permissions:",
    ]
    lines += [f"      {p}" for p in perms]
    lines += ["    User 0: installed=true", "      runtime permissions:"]
    lines += [
        f"        {p}: granted={'true' if i % 2 else 'false'}, flags=[ USER_SET ]"
        for i, p in enumerate(perms)
    ]
    filler = [f"  Package [com.filler.app{i}] (x):\n    versionCode=1" for i in range(400)]
    text = "\n".join(filler[:200] + lines + filler[200:])
    dumpsys_ms = timed(lambda: group_states(parse_dumpsys_package(text, "com.example.big")), 50)

    log = [
        "11-28 10:15:02.114  1520  1560 I am_proc_start: [0,31337,10211,com.example.shop,pre-top-activity,{com.example.shop/.Main}]",
        "11-28 10:15:02.400  1520  1544 I wm_set_resumed_activity: [0,com.example.shop/.Main,resume]",
        "11-28 10:15:02.500  1520  1544 I wm_set_resumed_activity: [0,com.android.launcher3/.Launcher,resume]",
        "11-28 10:15:02.600  1520  1560 I am_proc_start: [0,31390,10190,com.other.app,service,{com.other.app/.S}]",
        "11-28 10:15:02.700  1999  1999 I dvm_lock_sample: [system_server,1,Binder:1520_3,8,ActivityManager.java,123]",
    ] * 20000
    parser = LogcatParser("com.example.shop", trusted_pids=frozenset({1520}))
    t = time.perf_counter()
    for i, line in enumerate(log):
        parser.feed(line, float(i))
    logcat_s = time.perf_counter() - t

    big = simple_manifest("com.example.big", permissions=tuple(perms))
    app = big.children[-1]
    app.children.extend(Element("activity", {"android:name": f".A{i}"}) for i in range(600))
    blob = encode_manifest(big)
    apk_ms = timed(lambda: parse_binary_manifest(blob), 30)
    return {
        "dumpsys_parse_ms_median": round(statistics.median(dumpsys_ms), 3),
        "dumpsys_lines": text.count("\n") + 1,
        "logcat_lines_per_s": round(len(log) / logcat_s),
        "apk_manifest_kb": round(len(blob) / 1024, 1),
        "apk_manifest_parse_ms_median": round(statistics.median(apk_ms), 3),
    }


def bench_adb() -> dict[str, float | str]:
    if find_adb() is None:
        return {"adb": "missing"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = AdbClient(server_port=port)
    t = time.perf_counter()
    client.start_server()
    start_ms = (time.perf_counter() - t) * 1000.0
    try:
        devices_ms = timed(client.devices, 20)
    finally:
        client.kill_server()
    return {
        "adb_start_server_ms": round(start_ms, 1),
        "adb_devices_ms_median": round(statistics.median(devices_ms), 2),
    }


def bench_appium() -> dict[str, float | str]:
    home = REPO / "tools" / "appium"
    if not (home / "node_modules" / ".bin" / "appium").exists():
        return {"appium": "not installed (run tools/appium/setup.sh)"}
    server = LocalAppiumServer(home, drivers=("fake",), plugins=("harness-fake-device",))
    t = time.perf_counter()
    server.start()
    ready_s = time.perf_counter() - t
    cfg = AppiumConfig(platform_name="Fake", automation_name="Fake", app=str(FAKEAPP / "privacy.xml"))
    try:
        rss = psutil.Process(server.proc.pid if server.proc else 0)
        rss_mb = sum(p.memory_info().rss for p in [rss, *rss.children(recursive=True)]) / 2**20
        session_ms = timed(lambda: AppiumDriver(server.url, config=cfg).close(), 10)
        d = AppiumDriver(server.url, config=cfg)
        try:
            source_ms = timed(d.hierarchy, 50)
            d.click_by_id("org.example.tinyshop:id/btn_agree")
            d.click_by_id("com.android.permissioncontroller:id/permission_deny_button")
            d.click_by_id("org.example.tinyshop:id/btn_browse")
            click_ms = timed(lambda: d.click_by_id("org.example.tinyshop:id/opt_push"), 30)
            tap_ms = timed(lambda: d.tap(540, 350), 30)
            fg_ms = timed(d.foreground_package, 30)
        finally:
            d.close()
    finally:
        server.stop()
    return {
        "appium_ready_s": round(ready_s, 2),
        "appium_rss_mb": round(rss_mb, 1),
        "appium_session_ms_median": round(statistics.median(session_ms), 1),
        "appium_page_source_ms_median": round(statistics.median(source_ms), 2),
        "appium_page_source_ms_p90": round(p90(source_ms), 2),
        "appium_find_click_ms_median": round(statistics.median(click_ms), 2),
        "appium_find_click_ms_p90": round(p90(click_ms), 2),
        "appium_tap_ms_median": round(statistics.median(tap_ms), 2),
        "appium_foreground_ms_median": round(statistics.median(fg_ms), 2),
    }


def main() -> None:
    figures: dict[str, float | str] = {}
    parsers = bench_parsers()
    print(
        f"parsers: dumpsys package ({parsers['dumpsys_lines']} lines) {parsers['dumpsys_parse_ms_median']} ms median; "
        f"logcat {parsers['logcat_lines_per_s']:,} lines/s; APK manifest ({parsers['apk_manifest_kb']} kB) "
        f"{parsers['apk_manifest_parse_ms_median']} ms median"
    )
    figures.update(parsers)
    adb = bench_adb()
    print(f"real adb (private server port, no device): {adb}")
    figures.update(adb)
    appium = bench_appium()
    print("Appium 3.8.0 + fake driver + plugin, python client -> 127.0.0.1:")
    for k, v in appium.items():
        print(f"  {k}: {v}")
    figures.update(appium)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
