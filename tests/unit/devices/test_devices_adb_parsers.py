"""Parsers for device output, on samples laid out the way different Android versions print it
(written for these tests; structure follows the platform's dumpsys/getprop/ps formats)."""

from __future__ import annotations

import pytest
from adb_script import ScriptedAdb, scripted_device

from harness.devices.adb import (
    PackageDump,
    PermissionEntry,
    group_states,
    parse_devices,
    parse_dumpsys_package,
    parse_getprop,
    parse_pidof,
    parse_ps,
    parse_resumed_activity,
)
from harness.devices.base import PERMISSION_STATES
from harness.errors import DeviceError

# -- adb devices ---------------------------------------------------------------------------------

DEVICES_MIXED = """\
* daemon not running; starting now at tcp:5037
* daemon started successfully
List of devices attached
emulator-5554          device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 device:emu64xa transport_id:1
R58M41ABCDE            unauthorized usb:1-2 transport_id:4
192.168.1.20:5555      offline transport_id:5
0123456789ABCDEF       no permissions (missing udev rules? user is in the plugdev group); see [http://developer.android.com/tools/device.html] usb:1-3 transport_id:6

"""


def test_parse_devices_states_and_details() -> None:
    entries = parse_devices(DEVICES_MIXED)
    assert [(e.serial, e.state) for e in entries] == [
        ("emulator-5554", "device"),
        ("R58M41ABCDE", "unauthorized"),
        ("192.168.1.20:5555", "offline"),
        ("0123456789ABCDEF", "no permissions"),
    ]
    assert entries[0].details["model"] == "sdk_gphone64_x86_64"
    assert entries[0].ready and entries[0].emulator
    assert not entries[1].ready
    assert entries[3].details["usb"] == "1-3"
    assert "udev" in entries[3].details["reason"]


def test_parse_devices_empty_and_plain() -> None:
    assert parse_devices("List of devices attached\n\n") == []
    plain = parse_devices("List of devices attached\nemulator-5556\tdevice\n")
    assert plain[0].serial == "emulator-5556" and plain[0].ready


# -- dumpsys package -----------------------------------------------------------------------------

DUMPSYS_API23 = """\
Activity Resolver Table:
  Non-Data Actions:
      android.intent.action.MAIN:
        4f0e3a1 com.example.shop/.MainActivity

Packages:
  Package [com.example.shop] (2a7c9e1):
    userId=10087
    pkg=Package{5d4b0b6 com.example.shop}
    codePath=/data/app/com.example.shop-1
    versionCode=120 targetSdk=23
    versionName=1.2.0
    requested permissions:
      android.permission.INTERNET
      android.permission.CAMERA
      android.permission.ACCESS_FINE_LOCATION
      android.permission.ACCESS_COARSE_LOCATION
      android.permission.READ_CONTACTS
    install permissions:
      android.permission.INTERNET: granted=true, flags=[ ]
    User 0:  installed=true hidden=false stopped=false notLaunched=false enabled=0
      runtime permissions:
        android.permission.CAMERA: granted=false, flags=[ USER_SET ]
        android.permission.ACCESS_FINE_LOCATION: granted=true, flags=[ USER_SET ]
        android.permission.READ_CONTACTS: granted=false, flags=[ USER_SET USER_FIXED ]
"""

DUMPSYS_API30 = """\
Packages:
  Package [com.example.shop] (b3f1a02):
    userId=10153
    pkg=Package{9a8e7d1 com.example.shop}
    versionCode=30512 minSdk=21 targetSdk=30
    versionName=3.5.12
    requested permissions:
      android.permission.INTERNET
      android.permission.ACCESS_FINE_LOCATION
      android.permission.ACCESS_BACKGROUND_LOCATION
      android.permission.RECORD_AUDIO
      android.permission.READ_PHONE_STATE
    install permissions:
      android.permission.INTERNET: granted=true
    User 0: ceDataInode=131200 installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=0 instant=false virtual=false
      gids=[3003]
      runtime permissions:
        android.permission.ACCESS_FINE_LOCATION: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
        android.permission.ACCESS_BACKGROUND_LOCATION: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED|RESTRICTION_INSTALLER_EXEMPT]
        android.permission.RECORD_AUDIO: granted=true, flags=[ USER_SET|ONE_TIME|USER_SENSITIVE_WHEN_GRANTED]
        android.permission.READ_PHONE_STATE: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
"""

# Android 14: restricted= markers on requested permissions, a second user, a hidden system copy,
# and POST_NOTIFICATIONS; the user-10 grants must not leak into user 0.
DUMPSYS_API34 = """\
Packages:
  Package [com.example.shop] (77c2e4b):
    appId=10211
    pkg=Package{e1d2c3b com.example.shop}
    versionCode=70100 minSdk=24 targetSdk=34
    minExtensionVersions=[]
    versionName=7.1.0
    requested permissions:
      android.permission.POST_NOTIFICATIONS
      android.permission.CAMERA
      android.permission.ACCESS_COARSE_LOCATION
      android.permission.READ_MEDIA_IMAGES: restricted=true
    install permissions:
      android.permission.INTERNET: granted=true
    User 0: ceDataInode=2114 deDataInode=1620 installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false quarantined=false
      installReason=0
      runtime permissions:
        android.permission.POST_NOTIFICATIONS: granted=false, flags=[ USER_SET|USER_FIXED|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
        android.permission.CAMERA: granted=false, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
        android.permission.ACCESS_COARSE_LOCATION: granted=false, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]
    User 10: ceDataInode=0 installed=true hidden=false suspended=false stopped=true notLaunched=true enabled=0
      runtime permissions:
        android.permission.CAMERA: granted=true, flags=[ USER_SET ]
        android.permission.POST_NOTIFICATIONS: granted=true, flags=[ USER_SET ]

Hidden system packages:
  Package [com.example.shop] (1f2e3d4):
    versionCode=1 targetSdk=34
    versionName=0.0.1
    requested permissions:
      android.permission.CAMERA
"""

# Android 5 (no runtime permissions): dangerous permissions are install-time grants.
DUMPSYS_API21 = """\
Packages:
  Package [com.example.shop] (3d2c1b0):
    userId=10061 gids=[3003]
    versionCode=88 targetSdk=21
    versionName=0.8.8
    requested permissions:
      android.permission.INTERNET
      android.permission.READ_CONTACTS
    install permissions:
      android.permission.INTERNET: granted=true, flags=0x0
      android.permission.READ_CONTACTS: granted=true, flags=0x0
"""

DUMPSYS_HEX_FLAGS = """\
Packages:
  Package [com.example.hex] (aa11bb2):
    versionCode=5 targetSdk=26
    requested permissions:
      android.permission.CAMERA
      android.permission.READ_SMS
    User 0: installed=true
      runtime permissions:
        android.permission.CAMERA: granted=false, flags=0x3
        android.permission.READ_SMS: granted=false, flags=0x1
"""


def test_api23_layout() -> None:
    d = parse_dumpsys_package(DUMPSYS_API23, "com.example.shop")
    assert d.found
    assert (d.version_code, d.version_name, d.target_sdk) == (120, "1.2.0", 23)
    assert "android.permission.ACCESS_COARSE_LOCATION" in d.requested
    assert d.runtime["android.permission.READ_CONTACTS"] == PermissionEntry(
        "android.permission.READ_CONTACTS", False, ("USER_SET", "USER_FIXED")
    )
    assert d.install["android.permission.INTERNET"].granted
    assert group_states(d) == {"CAMERA": "denied", "LOCATION": "granted", "CONTACTS": "denied_forever"}


def test_api30_one_time_and_foreground_only_location() -> None:
    d = parse_dumpsys_package(DUMPSYS_API30, "com.example.shop")
    assert d.version_code == 30512 and d.target_sdk == 30
    assert d.runtime["android.permission.RECORD_AUDIO"].one_time
    assert group_states(d) == {
        "LOCATION": "granted_foreground",
        "MICROPHONE": "granted_once",
        "PHONE": "denied",
    }


def test_api34_reads_user_0_only_and_skips_hidden_system_copy() -> None:
    d = parse_dumpsys_package(DUMPSYS_API34, "com.example.shop")
    assert d.version_name == "7.1.0"  # not the hidden system package's 0.0.1
    assert "android.permission.READ_MEDIA_IMAGES" in d.requested  # ': restricted=true' stripped
    states = group_states(d)
    assert states == {
        "NOTIFICATIONS": "denied_forever",
        "CAMERA": "denied",
        "LOCATION": "denied",
        "MEDIA": "denied",
    }
    user10 = parse_dumpsys_package(DUMPSYS_API34, "com.example.shop", user=10)
    assert group_states(user10)["CAMERA"] == "granted"


def test_api21_install_time_grants() -> None:
    d = parse_dumpsys_package(DUMPSYS_API21, "com.example.shop")
    assert d.runtime == {}
    assert group_states(d) == {"CONTACTS": "granted"}


def test_hex_flags() -> None:
    d = parse_dumpsys_package(DUMPSYS_HEX_FLAGS, "com.example.hex")
    assert d.runtime["android.permission.CAMERA"].flags == ("USER_SET", "USER_FIXED")
    assert group_states(d) == {"CAMERA": "denied_forever", "SMS": "denied"}


def test_other_package_in_the_dump_is_not_taken() -> None:
    d = parse_dumpsys_package(DUMPSYS_API23, "com.example.sho")
    assert not d.found


def test_states_are_in_the_protocol_vocabulary() -> None:
    for text, pkg in (
        (DUMPSYS_API23, "com.example.shop"),
        (DUMPSYS_API30, "com.example.shop"),
        (DUMPSYS_API34, "com.example.shop"),
    ):
        assert set(group_states(parse_dumpsys_package(text, pkg)).values()) <= set(PERMISSION_STATES)


def test_never_asked_group_is_denied() -> None:
    dump = PackageDump("a.b", True, requested=("android.permission.CAMERA",))
    assert group_states(dump) == {"CAMERA": "denied"}


def test_device_permission_state_and_missing_package() -> None:
    dev, script = scripted_device(ScriptedAdb().on("dumpsys package com.example.shop", DUMPSYS_API30))
    assert dev.permission_state("com.example.shop")["MICROPHONE"] == "granted_once"
    assert "dumpsys package com.example.shop" in script.shell_commands()
    with pytest.raises(DeviceError, match="com.example.gone is not installed"):
        dev.permission_state("com.example.gone")


def test_reset_permissions_revokes_grants_and_clears_user_flags() -> None:
    script = ScriptedAdb().on("dumpsys package com.example.shop", DUMPSYS_API30)
    script.on("getprop", "[ro.build.version.sdk]: [33]\n")
    dev, script = scripted_device(script)
    touched = dev.reset_permissions("com.example.shop")
    cmds = script.shell_commands()
    assert "pm revoke com.example.shop android.permission.ACCESS_FINE_LOCATION" in cmds
    assert "pm revoke com.example.shop android.permission.RECORD_AUDIO" in cmds
    assert "pm revoke com.example.shop android.permission.READ_PHONE_STATE" not in cmds  # not granted
    assert (
        "pm clear-permission-flags com.example.shop android.permission.ACCESS_FINE_LOCATION user-set user-fixed"
        in cmds
    )
    assert set(touched) >= {"android.permission.ACCESS_FINE_LOCATION", "android.permission.RECORD_AUDIO"}
    assert not any(" grant " in c for c in cmds)


def test_reset_permissions_sends_no_clear_flags_before_android_13() -> None:
    """``pm clear-permission-flags`` is not in the shell command of Android 11 or 12."""
    script = ScriptedAdb().on("dumpsys package com.example.shop", DUMPSYS_API30)
    script.on("getprop", "[ro.build.version.sdk]: [30]\n")
    dev, script = scripted_device(script)
    dev.reset_permissions("com.example.shop")
    cmds = script.shell_commands()
    assert "pm revoke com.example.shop android.permission.ACCESS_FINE_LOCATION" in cmds
    assert not any("clear-permission-flags" in c for c in cmds)


# -- foreground activity -------------------------------------------------------------------------

ACTIVITIES_API25 = """\
ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)
Display #0 (activities from top to bottom):
  Stack #1:
    Task id #12
      * Hist #0: ActivityRecord{3c1e0a9 u0 com.example.shop/.MainActivity t12}
  mResumedActivity: ActivityRecord{3c1e0a9 u0 com.example.shop/.MainActivity t12}
  mFocusedActivity: ActivityRecord{3c1e0a9 u0 com.example.shop/.MainActivity t12}
"""

ACTIVITIES_API29 = """\
ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)
Display #0 (activities from top to bottom):
  Stack #5: type=standard mode=fullscreen
    mResumedActivity: ActivityRecord{8d7c6b5 u0 com.android.permissioncontroller/.permission.ui.GrantPermissionsActivity t31}
  Stack #0: type=home mode=fullscreen
    mLastPausedActivity: ActivityRecord{11aa22b u0 com.google.android.apps.nexuslauncher/.NexusLauncherActivity t2}
 ResumedActivity:ActivityRecord{8d7c6b5 u0 com.android.permissioncontroller/.permission.ui.GrantPermissionsActivity t31}
"""

ACTIVITIES_API33 = """\
ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)
Display #0 (activities from top to bottom):
  * Task{4e3d2c1 #44 type=standard A=10211:com.example.shop U=0 visible=true mode=fullscreen translucent=false sz=1}
    topResumedActivity=ActivityRecord{f00ba12 u0 com.example.shop/com.example.shop.ui.HomeActivity t44}
    * Hist  #0: ActivityRecord{f00ba12 u0 com.example.shop/com.example.shop.ui.HomeActivity t44}
  ResumedActivity: ActivityRecord{f00ba12 u0 com.example.shop/com.example.shop.ui.HomeActivity t44}
"""

WINDOW_ONLY = """\
WINDOW MANAGER WINDOWS (dumpsys window windows)
  mCurrentFocus=Window{77aa88b u0 com.android.settings/com.android.settings.Settings}
  mFocusedApp=ActivityRecord{1234abc u0 com.android.settings/.Settings t9}
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (ACTIVITIES_API25, ("com.example.shop", "com.example.shop.MainActivity")),
        (
            ACTIVITIES_API29,
            (
                "com.android.permissioncontroller",
                "com.android.permissioncontroller.permission.ui.GrantPermissionsActivity",
            ),
        ),
        (ACTIVITIES_API33, ("com.example.shop", "com.example.shop.ui.HomeActivity")),
        (WINDOW_ONLY, ("com.android.settings", "com.android.settings.Settings")),
        ("nothing resumed (screen off)\n", ("", "")),
    ],
    ids=["api25", "api29-dialog", "api33", "window-fallback", "none"],
)
def test_parse_resumed_activity(text: str, expected: tuple[str, str]) -> None:
    assert parse_resumed_activity(text) == expected


def test_foreground_falls_back_to_window_dump() -> None:
    script = (
        ScriptedAdb().on("dumpsys activity activities", "nothing\n").on("dumpsys window windows", WINDOW_ONLY)
    )
    dev, _ = scripted_device(script)
    assert dev.foreground_package() == "com.android.settings"


# -- getprop / ps / pidof ------------------------------------------------------------------------

GETPROP = """\
[ro.build.version.sdk]: [34]
[ro.build.version.release]: [14]
[ro.product.cpu.abi]: [x86_64]
[ro.product.model]: [sdk_gphone64_x86_64]
[ro.kernel.qemu]: [1]
[persist.sys.locale]: [zh-CN]
[ro.build.fingerprint]: [google/sdk_gphone64_x86_64/emu64xa:14/UE1A.230829.036/1:userdebug/dev-keys]
[weird]: [value with ] bracket]
"""


def test_getprop_and_device_info() -> None:
    props = parse_getprop(GETPROP)
    assert props["ro.build.version.sdk"] == "34"
    assert props["weird"] == "value with ] bracket"
    script = ScriptedAdb().on("getprop", GETPROP).on("id -u", "0\n")
    dev, _ = scripted_device(script)
    info = dev.info()
    assert (info.api_level, info.abi, info.locale, info.emulator, info.rooted) == (
        34,
        "x86_64",
        "zh-CN",
        True,
        True,
    )
    assert info.simulated is False


def test_locale_from_old_language_props() -> None:
    script = ScriptedAdb().on(
        "getprop", "[ro.product.locale.language]: [en]\n[ro.product.locale.region]: [US]\n"
    )
    dev, _ = scripted_device(script, serial="emulator-5554")
    assert dev.locale() == "en-US"


PS_TOOLBOX = """\
USER     PID   PPID  VSIZE  RSS     WCHAN    PC        NAME
root      1     0     8904   784   ffffffff 00000000 S /init
u0_a87    4242  1520  1521112 61000 ffffffff 00000000 S com.example.shop
u0_a87    4300  1520  1400000 40000 ffffffff 00000000 S com.example.shop:push
"""
PS_TOYBOX = """\
USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME
u0_a211      31337   812 14893120 120000 0                  0 S com.example.shop
"""


def test_ps_and_pidof() -> None:
    assert parse_ps(PS_TOOLBOX, "com.example.shop") == [4242]
    assert parse_ps(PS_TOOLBOX, "com.example.shop:push") == [4300]
    assert parse_ps(PS_TOYBOX, "com.example.shop") == [31337]
    assert parse_pidof("4242 4300\n") == [4242, 4300]
    assert parse_pidof("") == []


def test_pids_fall_back_to_ps_on_old_android() -> None:
    script = ScriptedAdb().on("pidof", "/system/bin/sh: pidof: not found\n", rc=127)
    script.on("getprop", "[ro.build.version.sdk]: [23]\n").on("ps", PS_TOOLBOX)
    dev, script = scripted_device(script)
    assert dev.pids("com.example.shop") == [4242]
    assert script.shell_commands()[-1] == "ps"
    assert dev.is_alive("com.example.shop")


def test_device_infos_lists_ready_devices_only() -> None:
    script = ScriptedAdb().on("getprop", GETPROP).on("id -u", "2000\n").on("su", "", rc=1)
    script.on("devices -l", "List of devices attached\nemulator-5554 device\nR58M1 unauthorized\n")
    from harness.devices.adb import AdbClient

    client = AdbClient("adb", runner=script)
    infos = client.device_infos()
    assert [(i.serial, i.api_level, i.abi, i.locale, i.rooted) for i in infos] == [
        ("emulator-5554", 34, "x86_64", "zh-CN", False)
    ]
