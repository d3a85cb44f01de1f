"""Parsers against device output in the format of each Android version the harness supports
(API 23, 26, 28, 30, 33, 35): permission flags in both separator styles, the activity tags that
say an app came to the front, and the permission packages whose dialogs sit over the app.
The fixtures and the formats they follow are described in fixtures/README.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from adb_script import ScriptedAdb, scripted_device

from harness.devices.adb import LogcatParser, group_states, overlay_packages, parse_dumpsys_package
from harness.events import AppState

FIX = Path(__file__).parent / "fixtures"
PKG = "com.example.shop"
LEVELS = (23, 26, 28, 30, 33, 35)


def dump(api: int) -> str:
    return (FIX / f"dumpsys_package_api{api}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("api", LEVELS)
def test_permission_flags_of_every_version(api: int) -> None:
    d = parse_dumpsys_package(dump(api), PKG)
    contacts = d.runtime["android.permission.READ_CONTACTS"]
    camera = d.runtime["android.permission.CAMERA"]
    assert not contacts.granted and contacts.user_set and contacts.user_fixed
    assert not camera.granted and camera.user_set and not camera.user_fixed
    assert all(" " not in f and "|" not in f for e in d.runtime.values() for f in e.flags)


@pytest.mark.parametrize("api", LEVELS)
def test_group_states_of_every_version(api: int) -> None:
    states = group_states(parse_dumpsys_package(dump(api), PKG), api)
    # "allow only while using" exists from API 29: before, a location grant is a full grant,
    # even when an app built for a newer Android asks for background location (API 28 fixture).
    location = "granted_foreground" if api >= 29 else "granted"
    assert states == {"CAMERA": "denied", "CONTACTS": "denied_forever", "LOCATION": location}


@pytest.mark.parametrize("api", LEVELS)
def test_device_reads_state_with_its_api_level(api: int) -> None:
    script = ScriptedAdb().on(f"dumpsys package {PKG}", dump(api))
    script.on("getprop", f"[ro.build.version.sdk]: [{api}]\n")
    dev, _ = scripted_device(script)
    assert dev.permission_state(PKG)["LOCATION"] == ("granted_foreground" if api >= 29 else "granted")


def test_settled_state_waits_until_two_reads_agree() -> None:
    """A grant is written asynchronously after the tap: the first read may still show the old state."""
    before = dump(33)
    after = before.replace(
        "android.permission.CAMERA: granted=false, flags=[ USER_SET|", "android.permission.CAMERA: granted=true, flags=[ USER_SET|"
    )
    assert after != before
    script = ScriptedAdb()
    script.on("getprop", "[ro.build.version.sdk]: [33]\n")
    script.on(f"dumpsys package {PKG}", after)
    script.on(f"dumpsys package {PKG}", before, times=1)  # latest rule first: one stale read
    dev, script = scripted_device(script)
    naps: list[float] = []
    state = dev.settled_permission_state(PKG, timeout=5.0, interval=0.01, sleep=naps.append)
    assert state["CAMERA"] == "granted"
    reads = [c for c in script.shell_commands() if c.startswith("dumpsys package")]
    assert len(reads) == 3 and len(naps) == 2  # stale, fresh, fresh again = settled


def test_settled_state_is_bounded() -> None:
    flip = [dump(33), dump(33).replace("CAMERA: granted=false", "CAMERA: granted=true")]
    script = ScriptedAdb().on("getprop", "[ro.build.version.sdk]: [33]\n")
    for i in range(50):
        script.on(f"dumpsys package {PKG}", flip[i % 2], times=1)
    dev, script = scripted_device(script)
    dev.settled_permission_state(PKG, timeout=0.1, interval=0.01, sleep=lambda _s: None)
    assert len([c for c in script.shell_commands() if c.startswith("dumpsys package")]) == 11


def _states(api: int) -> list[tuple[float, str, str]]:
    lines = (FIX / f"events_api{api}.txt").read_text(encoding="utf-8").splitlines()
    system_server = int(lines[1].split()[2])
    parser = LogcatParser(PKG, trusted_pids=frozenset({system_server}), include_subprocesses=True)
    out: list[tuple[float, str, str]] = []
    for ln in lines:
        t = float(ln.split()[1].rsplit(":", 1)[1]) if ln[:1].isdigit() else 0.0
        for ev in parser.feed(ln, t):
            assert isinstance(ev, AppState), ev
            out.append((round(ev.t, 3), ev.state, ev.cause))
    return out


@pytest.mark.parametrize("api", LEVELS)
def test_activity_tags_of_every_version(api: int) -> None:
    """Cold start -> foreground at the first activity's start (am_restart_activity /
    am_focused_activity on Android 6-8), the permission dialog over the app is not background,
    Home is background, force-stop kills both processes."""
    got = _states(api)
    assert [s for _t, s, _c in got] == ["started", "foreground", "started", "background", "died", "died"]
    assert got[1][0] <= 0.31, got  # at the first activity's start, not at its later re-resume
    assert got[3][0] == 6.0
    assert "process=com.example.shop:push" in got[2][2]
    assert got[4][2].startswith("killed: stop com.example.shop")


def test_overlay_packages_are_the_recognisers_permission_packages() -> None:
    from harness.consent_ui.lexicon import lexicon

    overlays = overlay_packages()
    assert overlays == lexicon().permission_packages
    assert {"com.android.packageinstaller", "com.google.android.packageinstaller", "com.google.android.permissioncontroller"} <= overlays
