"""Static facts as the platform reads them (issue 12, items 11-13 and the APK parts of 14):
counts beside every cut list and R39 over every exposed provider; Android's defaults for a
missing targetSdkVersion; permission classes from the platform's own definitions; malformed
numbers, string pools and zip entries give one clear error naming the file."""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "devices"))
from apk_builder import Element, encode_manifest, write_apk  # noqa: E402

from harness.catalog.permissions import group_of, permission_class, platform_permissions  # noqa: E402
from harness.cli import main as cli_main  # noqa: E402
from harness.devices.apk import parse_binary_manifest, read_manifest  # noqa: E402
from harness.errors import InputError  # noqa: E402
from harness.static import MAX_LISTED, ManifestFacts, apk_facts  # noqa: E402
from harness.static_check import static_findings  # noqa: E402

PKG = "com.example.demos"


def tree(*, sdk: dict[str, Any] | None, perms: tuple[str, ...] = (), comps: list[Element] | None = None, version_name: str = "1.0") -> Element:
    children = [Element("uses-sdk", sdk)] if sdk is not None else []
    children += [Element("uses-permission", {"android:name": p}) for p in perms]
    children.append(Element("application", {"android:allowBackup": False}, comps or []))
    return Element("manifest", {"package": PKG, "android:versionCode": 1, "android:versionName": version_name}, children)


# -- 11: counts with every cut list; R39 reads every provider ------------------------------------


def test_api_demos_sized_app_gets_counts_and_every_provider(tmp_path: Path) -> None:
    comps = [Element("activity", {"android:name": f".Demo{i}", "android:exported": True}) for i in range(330)]
    comps += [Element("provider", {"android:name": f".Provider{i}", "android:exported": True, "android:authorities": f"p{i}"}) for i in range(3)]
    comps += [Element("receiver", {"android:name": f".Boot{i}"}, [Element("intent-filter", children=[Element("action", {"android:name": "android.intent.action.BOOT_COMPLETED"})])]) for i in range(210)]
    f = apk_facts(write_apk(tmp_path / "demos.apk", tree(sdk={"android:minSdkVersion": 21, "android:targetSdkVersion": 34}, comps=comps)))
    assert f.exported_unprotected_count == 333 + 210 and len(f.exported_unprotected) == MAX_LISTED
    assert f.wakeup_receivers_count == 210 and len(f.wakeup_receivers) == MAX_LISTED
    assert [c.name for c in f.exposed_providers] == [f"{PKG}.Provider{i}" for i in range(3)]
    # the providers sit past the cut: R39 still names each of them
    r39 = [x.message for x in static_findings(f) if x.rule_id == "R39" and "provider" in x.message.lower()]
    assert len(r39) == 3 and all(f"{PKG}.Provider{i}" in " ".join(r39) for i in range(3))
    # counts and the full provider list survive run.json
    again = ManifestFacts.from_dict(json.loads(json.dumps(f.to_dict())))
    assert (again.exported_unprotected_count, again.wakeup_receivers_count, len(again.exposed_providers)) == (543, 210, 3)
    code, out = _static(tmp_path / "demos.apk")
    assert "exported without permission: 543" in out and "more" in out


def test_sdk_evidence_lists_twenty_components_and_counts_them_all(tmp_path: Path) -> None:
    comps = [Element("service", {"android:name": f"cn.jpush.android.service.S{i}", "android:exported": False}) for i in range(35)]
    f = apk_facts(write_apk(tmp_path / "j.apk", tree(sdk={"android:minSdkVersion": 21, "android:targetSdkVersion": 34}, comps=comps)))
    (jpush,) = [s for s in f.sdks if s.sdk == "jpush"]
    assert len(jpush.components) == 20 and jpush.count == 35
    assert ManifestFacts.from_dict(json.loads(json.dumps(f.to_dict()))).sdks[0].count == 35


def test_provider_findings_are_bounded_with_a_count(tmp_path: Path) -> None:
    comps = [Element("provider", {"android:name": f".P{i}", "android:exported": True}) for i in range(120)]
    f = apk_facts(write_apk(tmp_path / "p.apk", tree(sdk={"android:minSdkVersion": 21, "android:targetSdkVersion": 34}, comps=comps)))
    r39 = [x.message for x in static_findings(f) if x.rule_id == "R39" and "provider" in x.message.lower()]
    assert len(r39) == 51 and "70 more content providers (120 in all)" in r39[-1]


# -- 12: Android's defaults for a missing targetSdkVersion -----------------------------------------


@pytest.mark.parametrize(
    ("sdk", "want_min", "want_target", "cleartext"),
    [
        ({"android:minSdkVersion": 21}, 21, 21, "allowed-by-default"),
        ({"android:minSdkVersion": 30}, 30, 30, "blocked-by-default"),
        (None, 1, 1, "allowed-by-default"),
        ({}, 1, 1, "allowed-by-default"),
        ({"android:minSdkVersion": 21, "android:targetSdkVersion": 34}, 21, 34, "blocked-by-default"),
        ({"android:minSdkVersion": 21, "android:targetSdkVersion": "UpsideDownCake"}, 21, 10000, "blocked-by-default"),
    ],
)
def test_missing_target_sdk_takes_the_platform_defaults(tmp_path: Path, sdk: dict[str, Any] | None, want_min: int, want_target: int, cleartext: str) -> None:
    f = apk_facts(write_apk(tmp_path / "t.apk", tree(sdk=sdk)))
    assert (f.min_sdk, f.target_sdk, f.cleartext) == (want_min, want_target, cleartext)
    assert f.target_sdk_declared is ("android:targetSdkVersion" in (sdk or {}))


def test_old_min_sdk_without_target_exports_providers_and_r39_sees_it(tmp_path: Path) -> None:
    # minSdk 9, no targetSdk: target is 9 < 17, so a provider without android:exported is
    # exported, and cleartext is allowed by default
    f = apk_facts(write_apk(tmp_path / "old.apk", tree(sdk={"android:minSdkVersion": 9}, comps=[Element("provider", {"android:name": ".Notes", "android:authorities": "n"})])))
    assert [c.name for c in f.exposed_providers] == [f"{PKG}.Notes"]
    msgs = [x.message for x in static_findings(f) if x.rule_id == "R39"]
    assert any(f"{PKG}.Notes" in m for m in msgs) and any("target SDK 9 < 28" in m for m in msgs)


# -- 13: permission classes from the platform's definitions ----------------------------------------


def test_permission_classes_follow_the_platform(tmp_path: Path) -> None:
    perms = (
        "android.permission.MANAGE_EXTERNAL_STORAGE",
        "com.android.voicemail.permission.ADD_VOICEMAIL",
        "android.permission.CAMERA",
        "android.permission.INTERNET",
        "android.permission.SYSTEM_ALERT_WINDOW",
        "android.permission.READ_PRIVILEGED_PHONE_STATE",
        "com.vendor.permission.CAMERA",
        "android.permission.QUERY_ALL_PACKAGES",
    )
    f = apk_facts(write_apk(tmp_path / "perm.apk", tree(sdk={"android:minSdkVersion": 24, "android:targetSdkVersion": 34}, perms=perms)))
    assert f.dangerous == {"com.android.voicemail.permission.ADD_VOICEMAIL": "PHONE", "android.permission.CAMERA": "CAMERA"}
    assert f.special == ("android.permission.MANAGE_EXTERNAL_STORAGE", "android.permission.SYSTEM_ALERT_WINDOW", "android.permission.QUERY_ALL_PACKAGES")
    assert f.classes == {
        "android.permission.MANAGE_EXTERNAL_STORAGE": "special",
        "com.android.voicemail.permission.ADD_VOICEMAIL": "dangerous",
        "android.permission.CAMERA": "dangerous",
        "android.permission.INTERNET": "normal",
        "android.permission.SYSTEM_ALERT_WINDOW": "special",
        "android.permission.READ_PRIVILEGED_PHONE_STATE": "signature",
        "com.vendor.permission.CAMERA": "app-defined",
        "android.permission.QUERY_ALL_PACKAGES": "normal",
    }
    assert "STORAGE" not in f.groups


def test_every_platform_runtime_permission_has_a_group() -> None:
    table = platform_permissions()
    assert len(table) > 1000  # every permission the platform declared since API 4
    dangerous = [p for p, c in table.items() if c == "dangerous"]
    assert len(dangerous) >= 40
    # the XR headset permissions of API 36 have no group the harness renders or recognises yet;
    # the static check lists them under OTHER. Any other ungrouped runtime permission fails here.
    xr = {f"android.permission.{n}" for n in ("EYE_TRACKING_COARSE", "EYE_TRACKING_FINE", "FACE_TRACKING", "HAND_TRACKING", "HEAD_TRACKING", "SCENE_UNDERSTANDING_COARSE", "SCENE_UNDERSTANDING_FINE")}
    assert {p for p in dangerous if not group_of(p)} == xr
    for name, want in [
        ("android.permission.ACCESS_BACKGROUND_LOCATION", "dangerous"),
        ("android.permission.POST_NOTIFICATIONS", "dangerous"),
        ("android.permission.PACKAGE_USAGE_STATS", "special"),
        ("android.permission.WRITE_SETTINGS", "special"),
        ("android.permission.REQUEST_INSTALL_PACKAGES", "special"),
        ("android.permission.ACCESS_NETWORK_STATE", "normal"),
        ("android.permission.INSTALL_PACKAGES", "signature"),
    ]:
        assert permission_class(name) == want, name


def test_the_table_says_where_it_came_from(repo_dir: Path) -> None:
    data = json.loads((repo_dir / "harness" / "catalog" / "permission_classes.json").read_text(encoding="utf-8"))
    assert "core/res/AndroidManifest.xml" in data["source"] and "androguard" in data["source"]
    assert (repo_dir / data["generated_by"]).is_file()


# -- 14: malformed numbers, string pools and zip entries -------------------------------------------


def _static(apk: Path, capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(["static", str(apk)])
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("value", ["²³", "٣٤", "3" * 5000, "12abc", "-"], ids=["superscript", "arabic-indic", "5000-digits", "trailing-letters", "dash"])
def test_odd_sdk_numbers_are_one_clear_error(tmp_path: Path, value: str) -> None:
    apk = write_apk(tmp_path / "n.apk", tree(sdk={"android:minSdkVersion": value}))
    with pytest.raises(InputError, match="minSdkVersion"):
        read_manifest(apk)
    code, text = _static(apk)
    assert code == 2 and "Traceback" not in text and str(apk) in text and "minSdkVersion" in text
    assert len(text.strip().splitlines()) == 1


def test_version_code_digits_in_other_scripts_are_refused(tmp_path: Path) -> None:
    t = tree(sdk={"android:minSdkVersion": 21})
    t.attrs["android:versionCode"] = "⁴²"
    with pytest.raises(InputError, match="versionCode"):
        read_manifest(write_apk(tmp_path / "v.apk", t))


def test_utf8_string_pool_length_at_the_very_end() -> None:
    pool_data = bytes([0x00, 0x00, 0x01, 0x80])  # the string's utf-8 length byte says "two bytes"
    header = struct.pack("<HHIIIIII", 0x0001, 28, 28 + 4 + len(pool_data), 1, 0, 0x100, 32, 0)
    pool = header + struct.pack("<I", 2) + pool_data
    data = struct.pack("<HHI", 0x0003, 8, 8 + len(pool)) + pool
    with pytest.raises(InputError, match="string length out of range"):
        parse_binary_manifest(data, "x.apk")


def _patch_encrypted(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        while i >= 0:
            raw[i + flag_at] |= 0x01
            i = raw.find(sig, i + 4)
    path.write_bytes(bytes(raw))


def _corrupt_deflate(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("AndroidManifest.xml")
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    raw[start] = 0xFF  # BTYPE 11: a reserved (invalid) deflate block type
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("damage", ["encrypted", "lzma", "bzip2", "corrupt"])
def test_unreadable_manifest_entries_are_one_clear_error(tmp_path: Path, damage: str) -> None:
    apk = tmp_path / f"{damage}.apk"
    data = encode_manifest(tree(sdk={"android:minSdkVersion": 21}))
    method = {"lzma": zipfile.ZIP_LZMA, "bzip2": zipfile.ZIP_BZIP2}.get(damage, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(apk, "w", compression=method) as zf:
        zf.writestr("AndroidManifest.xml", data)
    if damage == "encrypted":
        _patch_encrypted(apk)
    elif damage == "corrupt":
        _corrupt_deflate(apk)
    with pytest.raises(InputError, match=str(apk)):
        read_manifest(apk)
    code, text = _static(apk)
    assert code == 2 and "Traceback" not in text and str(apk) in text and len(text.strip().splitlines()) == 1


# -- 6: a hostile version name cannot drive the terminal -------------------------------------------


def test_static_output_strips_terminal_escapes_from_app_text(tmp_path: Path) -> None:
    hostile = "1.0\x1b[2J\x1b[H\x1b]0;pwned\x07\rfindings       0\u202egnp.exe"
    apk = write_apk(tmp_path / "h.apk", tree(sdk={"android:minSdkVersion": 21, "android:targetSdkVersion": 34}, version_name=hostile))
    code, text = _static(apk)
    assert code in (0, 1)
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text and "\u202e" not in text
    assert "1.0" in text and "gnp.exe" in text
