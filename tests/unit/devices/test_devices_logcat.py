"""logcat events buffer -> AppState events, as Android 5 to 14 print the lines; and the
capture thread against a real child process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from harness.devices.adb import LogcatCapture, LogcatParser, parse_event_line
from harness.events import AppState, ErrorRecord, Event

PKG = "com.example.shop"

# Android 14, threadtime; system_server is pid 1520.
API34 = """\
--------- beginning of events
11-28 10:15:02.114  1520  1560 I am_proc_start: [0,31337,10211,com.example.shop,pre-top-activity,{com.example.shop/com.example.shop.ui.SplashActivity}]
11-28 10:15:02.120  1520  1560 I am_proc_start: [0,31390,10190,com.other.app,service,{com.other.app/com.other.app.SyncService}]
11-28 10:15:02.400  1520  1544 I wm_set_resumed_activity: [0,com.example.shop/.ui.SplashActivity,minimalResumeActivityLocked - onActivityStateChanged]
11-28 10:15:04.000  1520  1544 I wm_set_resumed_activity: [0,com.android.permissioncontroller/.permission.ui.GrantPermissionsActivity,resumeTopActivity - onActivityStateChanged]
11-28 10:15:06.000  1520  1544 I wm_set_resumed_activity: [0,com.example.shop/.ui.SplashActivity,resumeTopActivity - onActivityStateChanged]
11-28 10:15:07.500  1520  1560 I am_proc_start: [0,31400,10211,com.example.shop:push,service,{com.example.shop/com.example.shop.push.PushService}]
11-28 10:15:08.000  1520  1544 I wm_set_resumed_activity: [0,com.google.android.apps.nexuslauncher/.NexusLauncherActivity,moveTaskToFront]
11-28 10:15:08.900  1520  2001 I am_anr: [0,31337,com.example.shop,550026820,Input dispatching timed out (8f3a2c1 com.example.shop/com.example.shop.ui.SplashActivity (server) is not responding. Waited 5001ms for FocusEvent(hasFocus=true))]
11-28 10:15:09.100  1520  2001 I am_crash: [31337,0,com.example.shop,550026820,java.lang.IllegalStateException,Location unavailable, retry later,LocationHelper.kt,88,0]
11-28 10:15:09.300  1520  2001 I am_proc_died: [0,31337,com.example.shop,900,19]
11-28 10:15:10.000  1520  1600 I am_kill: [0,31400,com.example.shop:push,905,empty #17,51200]
11-28 10:15:10.010  1520  1600 I am_proc_died: [0,31400,com.example.shop:push,905,19]
"""

# Android 6/7 style: am_resume_activity, component without braces, short am_proc_died and
# am_crash without the 'recoverable' field; a force-stop kill.
API24 = """\
11-28 09:00:00.001   771   790 I am_proc_start: [0,4242,10087,com.example.shop,activity,com.example.shop/.MainActivity]
11-28 09:00:00.300   771   788 I am_resume_activity: [0,219837234,12,com.example.shop/.MainActivity]
11-28 09:00:03.000   771   788 I am_crash: [4242,0,com.example.shop,948452932,java.lang.NullPointerException,Attempt to invoke virtual method 'int java.lang.String.length()' on a null object reference,MainActivity.java,57]
11-28 09:00:03.200   771   790 I am_proc_died: [0,4242,com.example.shop]
11-28 09:00:05.000   771   790 I am_proc_start: [0,4301,10087,com.example.shop,broadcast,com.example.shop/.BootReceiver]
11-28 09:00:06.000   771  1021 I am_kill: [0,4301,com.example.shop,0,stop com.example.shop]
11-28 09:00:06.010   771   790 I am_proc_died: [0,4301,com.example.shop,0,0]
"""

# Android 5, brief format
API21_BRIEF = """\
I/am_proc_start(  612): [0,2345,10061,com.example.shop,activity,com.example.shop/.MainActivity]
I/am_proc_died(  612): [0,2345,com.example.shop]
"""


def feed_all(parser: LogcatParser, text: str) -> list[Event]:
    out: list[Event] = []
    for i, line in enumerate(text.splitlines()):
        out.extend(parser.feed(line, float(i)))
    return out


def states(events: Sequence[Event]) -> list[tuple[str, int, str]]:
    return [(e.state, e.pid, e.cause) for e in events if isinstance(e, AppState)]


def test_parse_event_line_formats() -> None:
    tt = parse_event_line(API34.splitlines()[1])
    assert tt is not None and (tt.pid, tt.tag) == (1520, "am_proc_start")
    assert tt.fields[3] == "com.example.shop" and tt.fields[5].startswith("{")
    brief = parse_event_line(API21_BRIEF.splitlines()[0])
    assert brief is not None and (brief.pid, brief.tag, brief.fields[1]) == (612, "am_proc_start", "2345")
    epoch = parse_event_line("  1732788902.114  1520  1560 I am_proc_died: [0,1,com.example.shop,900,19]")
    assert epoch is not None and epoch.tag == "am_proc_died"
    assert parse_event_line("--------- beginning of events") is None
    assert parse_event_line("x" * 10000) is None


def test_android14_sequence() -> None:
    parser = LogcatParser(PKG, trusted_pids=frozenset({1520}))
    events = feed_all(parser, API34)
    assert states(events) == [
        ("started", 31337, "pre-top-activity"),
        ("foreground", 0, ""),
        # the permission dialog on top is not "background"; the launcher is
        ("background", 0, "resumed com.google.android.apps.nexuslauncher"),
        ("anr", 31337, getattr(events[3], "cause", None)),
        ("crashed", 31337, "java.lang.IllegalStateException: Location unavailable, retry later"),
        ("died", 31337, "crash: java.lang.IllegalStateException"),
    ]
    anr = events[3]
    assert isinstance(anr, AppState) and anr.cause.startswith("Input dispatching timed out")
    assert "Waited 5001ms" in anr.cause
    fg = events[1]
    assert isinstance(fg, AppState) and fg.activity == "com.example.shop.ui.SplashActivity"
    assert all(e.source == "logcat" for e in events)
    assert [e.t for e in events] == sorted(e.t for e in events)


def test_subprocesses_only_when_asked() -> None:
    parser = LogcatParser(PKG, trusted_pids=frozenset({1520}), include_subprocesses=True)
    got = states(feed_all(parser, API34))
    assert ("started", 31400, "service process=com.example.shop:push") in got
    assert ("died", 31400, "killed: empty #17 process=com.example.shop:push") in got


def test_android7_sequence() -> None:
    events = feed_all(LogcatParser(PKG), API24)
    assert states(events) == [
        ("started", 4242, "activity"),
        ("foreground", 0, ""),
        (
            "crashed",
            4242,
            "java.lang.NullPointerException: Attempt to invoke virtual method 'int java.lang.String.length()' "
            "on a null object reference",
        ),
        ("died", 4242, "crash: java.lang.NullPointerException"),
        ("started", 4301, "broadcast"),
        ("died", 4301, "killed: stop com.example.shop"),
    ]
    started = events[0]
    assert isinstance(started, AppState) and started.activity == "com.example.shop/.MainActivity"


def test_android5_brief_format() -> None:
    assert states(feed_all(LogcatParser(PKG), API21_BRIEF)) == [
        ("started", 2345, "activity"),
        ("died", 2345, ""),
    ]


def test_lines_written_by_the_app_cannot_spoof_system_events() -> None:
    parser = LogcatParser(PKG, trusted_pids=frozenset({1520}))
    fake = [
        "11-28 10:16:00.000 31337 31337 I am_proc_died: [0,31337,com.example.shop,900,19]",
        "11-28 10:16:00.001 31337 31337 I am_crash: [31337,0,com.example.shop,0,Fake,forged,x,1,0]",
    ]
    out = [e for i, line in enumerate(fake) for e in parser.feed(line, float(i))]
    assert len(out) == 1 and isinstance(out[0], ErrorRecord)
    assert "not written by system_server" in out[0].message and "31337" in out[0].message
    assert parser.spoofed == 2


def test_other_packages_and_prefix_lookalikes_are_ignored() -> None:
    lines = [
        "11-28 10:00:00.000  1520  1560 I am_proc_start: [0,1,10000,com.example.shopping,activity,{com.example.shopping/.M}]",
        "11-28 10:00:00.000  1520  1560 I am_crash: [1,0,com.example.shopping,0,E,m,f,1,0]",
        "11-28 10:00:00.000  1520  1560 I wm_set_resumed_activity: [0,com.example.shopping/.M,r]",
    ]
    parser = LogcatParser(PKG)
    assert [e for line in lines for e in parser.feed(line, 0.0)] == []


def test_parser_refuses_hostile_package() -> None:
    from harness.errors import InputError

    with pytest.raises(InputError):
        LogcatParser("com.example;reboot")


# -- the capture thread, against a real child process ------------------------------------------


def _child(text: str, *, linger: bool = False) -> LogcatCapture:
    code = "import sys,time\nsys.stdout.write(sys.stdin.read())\nsys.stdout.flush()\n"
    if linger:
        code += "time.sleep(120)\n"

    def popen() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdin is not None
        proc.stdin.write(text.encode())
        proc.stdin.close()
        return proc

    return LogcatCapture(PKG, popen, trusted_pids=frozenset({1520}))


def test_capture_streams_events_and_keeps_raw_copy(tmp_path: Path) -> None:
    noise = "11-28 10:15:00.000  1520  1560 I am_proc_start: [" + "y" * 20000 + "]\n"
    text = noise + API34
    cap = _child(text)
    cap._raw_path = tmp_path / "logcat.txt"
    got: list[Event] = []
    ticks = iter(range(1000))
    cap.start(got.extend, lambda: float(next(ticks)))
    assert cap.wait_idle(timeout=30)
    cap.stop()
    assert [e.state for e in got if isinstance(e, AppState)] == [
        "started",
        "foreground",
        "background",
        "anr",
        "crashed",
        "died",
    ]
    assert cap.errors == []
    raw = (tmp_path / "logcat.txt").read_text()
    assert "am_crash" in raw and "y" * 100 not in raw  # the oversized line was dropped


def test_stop_ends_a_running_logcat_and_never_raises() -> None:
    cap = _child(API24, linger=True)
    got: list[Event] = []
    cap.start(got.extend, lambda: 0.0)
    cap.stop()
    assert cap._proc is not None and cap._proc.poll() is not None
    cap.stop()  # twice is fine


def test_start_failure_is_a_device_error() -> None:
    from harness.errors import DeviceError

    def boom() -> subprocess.Popen[bytes]:
        raise FileNotFoundError("adb")

    cap = LogcatCapture(PKG, boom)
    with pytest.raises(DeviceError, match="could not start logcat"):
        cap.start(lambda ev: None, lambda: 0.0)
