"""The manifest reader's static-check fields: application flags by resource id, components with
their exported state, permissions and intent-filter actions; hostile layouts give InputError."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from apk_builder import Element, Ref, encode_manifest, simple_manifest, write_apk

from harness.devices.apk import MAX_COMPONENTS, parse_binary_manifest, read_manifest
from harness.errors import InputError

BOOT = "android.intent.action.BOOT_COMPLETED"
NET = "android.net.conn.CONNECTIVITY_CHANGE"


def _app(flags: dict[str, str | int | bool | Ref], children: list[Element]) -> Element:
    launcher = Element(
        "activity",
        {"android:name": ".Main", "android:exported": True},
        [
            Element(
                "intent-filter",
                children=[
                    Element("action", {"android:name": "android.intent.action.MAIN"}),
                    Element("category", {"android:name": "android.intent.category.LAUNCHER"}),
                ],
            )
        ],
    )
    return Element(
        "manifest",
        {"package": "com.example.static", "android:versionCode": 3},
        [
            Element("uses-sdk", {"android:minSdkVersion": 21, "android:targetSdkVersion": 26}),
            Element("uses-permission", {"android:name": "android.permission.QUERY_ALL_PACKAGES"}),
            Element("application", flags, [launcher, *children]),
        ],
    )


def test_application_flags_and_components(tmp_path: Path) -> None:
    tree = _app(
        {"android:debuggable": True, "android:usesCleartextTraffic": False, "android:allowBackup": True, "android:fullBackupContent": Ref(0x7F140001)},
        [
            Element("provider", {"android:name": ".data.Open", "android:exported": True, "android:authorities": "com.example.static.open"}),
            Element("provider", {"android:name": "com.example.static.data.Guarded", "android:exported": True, "android:readPermission": "x.R", "android:writePermission": "x.W"}),
            Element("service", {"android:name": "com.igexin.push.core.service.PushService", "android:exported": False, "android:permission": "android.permission.BIND_JOB_SERVICE"}),
            Element(
                "receiver",
                {"android:name": "com.igexin.push.core.receiver.PushReceiver"},
                [
                    Element("intent-filter", children=[Element("action", {"android:name": BOOT})]),
                    Element("intent-filter", children=[Element("action", {"android:name": NET}), Element("action", {"android:name": BOOT})]),
                ],
            ),
        ],
    )
    m = read_manifest(write_apk(tmp_path / "a.apk", tree))
    assert (m.debuggable, m.uses_cleartext_traffic, m.allow_backup, m.backup_rules) == (True, False, True, True)
    assert m.network_security_config is False
    assert m.launcher_activity == "com.example.static.Main"
    kinds = [(c.kind, c.name) for c in m.components]
    assert kinds == [
        ("activity", "com.example.static.Main"),
        ("provider", "com.example.static.data.Open"),
        ("provider", "com.example.static.data.Guarded"),
        ("service", "com.igexin.push.core.service.PushService"),
        ("receiver", "com.igexin.push.core.receiver.PushReceiver"),
    ]
    open_p, guarded, service, receiver = m.components[1:]
    assert open_p.exported is True and open_p.permission == "" and open_p.read_permission == ""
    assert (guarded.read_permission, guarded.write_permission) == ("x.R", "x.W")
    assert service.exported is False and service.permission == "android.permission.BIND_JOB_SERVICE"
    # actions of all filters, each once; exported attribute absent -> None, filter recorded
    assert receiver.actions == (BOOT, NET) and receiver.exported is None and receiver.has_filter


def test_absent_flags_are_none_and_references_are_not_literals() -> None:
    tree = _app({"android:debuggable": Ref(0x7F050001), "android:networkSecurityConfig": Ref(0x7F160000)}, [])
    m = parse_binary_manifest(encode_manifest(tree))
    assert m.debuggable is None  # a resource reference is not a literal true
    assert m.uses_cleartext_traffic is None and m.allow_backup is None
    assert m.network_security_config is True and m.backup_rules is False


def test_flags_resolved_by_resource_id_when_names_are_obfuscated() -> None:
    tree = _app({"android:debuggable": True, "android:allowBackup": False}, [Element("provider", {"android:name": ".P", "android:exported": True})])
    m = parse_binary_manifest(encode_manifest(tree, obfuscate_names=True))
    assert m.debuggable is True and m.allow_backup is False
    assert m.components[-1].name == "com.example.static.P" and m.components[-1].exported is True


def test_old_manifests_without_components_still_parse() -> None:
    m = parse_binary_manifest(encode_manifest(simple_manifest("com.example.shop")))
    assert [c.kind for c in m.components] == ["activity", "activity", "activity-alias"]
    assert m.debuggable is None and m.components[1].has_filter


def test_components_outside_application_are_ignored() -> None:
    tree = Element("manifest", {"package": "a.b"}, [Element("receiver", {"android:name": ".Stray"}), Element("application", {}, [])])
    assert parse_binary_manifest(encode_manifest(tree)).components == ()


def test_too_many_components_is_refused() -> None:
    comps = [Element("service", {"android:name": f".S{i}"}) for i in range(MAX_COMPONENTS + 1)]
    tree = Element("manifest", {"package": "a.b"}, [Element("application", {}, comps)])
    with pytest.raises(InputError, match="more than 5000 components"):
        parse_binary_manifest(encode_manifest(tree), "big.apk")


def test_huge_names_and_actions_are_bounded() -> None:
    long_name = "a." + "x" * 5000
    tree = Element(
        "manifest",
        {"package": "a.b"},
        [Element("application", {}, [Element("receiver", {"android:name": long_name}, [Element("intent-filter", children=[Element("action", {"android:name": "b." + "y" * 400}), *(Element("action", {"android:name": f"a.A{i}"}) for i in range(200))])])])],
    )
    c = parse_binary_manifest(encode_manifest(tree)).components[0]
    assert len(c.name) <= 300
    assert len(c.actions) == 64 and all(len(a) <= 255 for a in c.actions)


def test_zip_bomb_manifest_is_refused_before_decompressing(tmp_path: Path) -> None:
    apk = tmp_path / "bomb.apk"
    with zipfile.ZipFile(apk, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00" + b"\x00" * (9 * 1024 * 1024))
    with pytest.raises(InputError, match=r"bomb\.apk.*over the limit"):
        read_manifest(apk)


@pytest.mark.parametrize("cut", [20, 60, 200])
def test_truncated_component_chunks_name_the_file(cut: int) -> None:
    data = encode_manifest(_app({"android:debuggable": True}, [Element("provider", {"android:name": ".P"})]))
    broken = data[:-cut]
    with pytest.raises(InputError, match="hostile.apk: malformed binary manifest"):
        parse_binary_manifest(struct.pack("<HHI", 3, 8, len(broken)) + broken[8:], "hostile.apk")


def test_attribute_count_past_chunk_is_refused() -> None:
    data = bytearray(encode_manifest(_app({}, [])))
    # first start-element chunk: bump its attribute count far beyond the chunk
    off = data.index(struct.pack("<HH", 0x0102, 16))
    struct.pack_into("<H", data, off + 16 + 12, 5000)
    with pytest.raises(InputError, match="attributes out of range"):
        parse_binary_manifest(bytes(data), "evil.apk")
