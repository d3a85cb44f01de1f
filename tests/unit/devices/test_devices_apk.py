"""The APK manifest reader: real binary layouts in, facts out; hostile bytes give InputError."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from apk_builder import Element, encode_manifest, simple_manifest, write_apk

from harness.devices.apk import apk_files, parse_binary_manifest, read_manifest
from harness.errors import InputError

PERMS = (
    "android.permission.INTERNET",
    "android.permission.ACCESS_FINE_LOCATION",
    "android.permission.CAMERA",
)


@pytest.mark.parametrize("utf8", [True, False], ids=["utf8-pool", "utf16-pool"])
def test_reads_package_versions_permissions_and_launcher(tmp_path: Path, utf8: bool) -> None:
    data = encode_manifest(simple_manifest("com.example.shop", permissions=PERMS), utf8=utf8)
    apk = tmp_path / "shop.apk"
    write_apk(apk, data)
    m = read_manifest(apk)
    assert m.package == "com.example.shop"
    assert (m.version_code, m.version_name) == (42, "1.4.2")
    assert (m.min_sdk, m.target_sdk) == (21, 34)
    assert m.permissions == PERMS
    # the launcher is the activity whose filter has MAIN + LAUNCHER, not the first activity
    assert m.launcher_activity == "com.example.shop.MainActivity"
    assert m.split == ""


def test_attribute_names_are_resolved_by_resource_id_when_obfuscated() -> None:
    data = encode_manifest(simple_manifest("cn.example.news", permissions=PERMS[:1]), obfuscate_names=True)
    m = parse_binary_manifest(data)
    assert m.package == "cn.example.news"
    assert m.permissions == PERMS[:1]
    assert m.version_code == 42


def test_fully_qualified_and_bare_launcher_names() -> None:
    full = parse_binary_manifest(encode_manifest(simple_manifest("a.b", launcher="x.y.Start")))
    bare = parse_binary_manifest(encode_manifest(simple_manifest("a.b", launcher="Start")))
    assert full.launcher_activity == "x.y.Start"
    assert bare.launcher_activity == "a.b.Start"


def test_non_ascii_strings_survive(tmp_path: Path) -> None:
    m = parse_binary_manifest(encode_manifest(simple_manifest("com.example.shop", version_name="版本一")))
    assert m.version_name == "版本一"


def test_split_apk_and_folder_of_splits(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    write_apk(folder / "base.apk", simple_manifest("com.example.shop"))
    write_apk(
        folder / "split_config.arm64_v8a.apk", simple_manifest("com.example.shop", split="config.arm64_v8a")
    )
    write_apk(folder / "split_config.zh.apk", simple_manifest("com.example.shop", split="config.zh"))
    base, splits = apk_files(folder)
    assert base.name == "base.apk"
    assert sorted(p.name for p in splits) == ["split_config.arm64_v8a.apk", "split_config.zh.apk"]
    assert read_manifest(splits[0]).split.startswith("config.")


def test_folder_with_two_bases_is_refused(tmp_path: Path) -> None:
    write_apk(tmp_path / "a.apk", simple_manifest("com.example.a"))
    write_apk(tmp_path / "b.apk", simple_manifest("com.example.b"))
    with pytest.raises(InputError, match="exactly one base APK"):
        apk_files(tmp_path)


def test_missing_app_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="app not found"):
        apk_files(tmp_path / "nope.apk")
    with pytest.raises(InputError, match="no .apk files"):
        apk_files(tmp_path)


GOOD = encode_manifest(simple_manifest("com.example.shop", permissions=PERMS))


@pytest.mark.parametrize(
    "data, why",
    [
        (b"", "not an Android binary XML"),
        (b"<?xml version='1.0'?><manifest/>", "not an Android binary XML"),
        (GOOD[: len(GOOD) // 2], "chunk"),
        (GOOD[:8] + struct.pack("<HHI", 0x0001, 28, 0xFFFFFF00) + GOOD[16:], "chunk"),
    ],
    ids=["empty", "text-xml", "truncated", "huge-chunk"],
)
def test_malformed_manifests_raise_input_error(data: bytes, why: str) -> None:
    with pytest.raises(InputError, match=why):
        parse_binary_manifest(data, "evil.apk")


def test_string_count_bomb_is_refused() -> None:
    # claim 2**31 strings in a tiny pool: must be refused, not allocated
    pool_off = 8
    bad = bytearray(GOOD)
    struct.pack_into("<I", bad, pool_off + 8, 0x7FFFFFFF)
    with pytest.raises(InputError, match="string pool"):
        parse_binary_manifest(bytes(bad), "evil.apk")


def test_root_must_be_manifest() -> None:
    with pytest.raises(InputError, match="not <manifest>"):
        parse_binary_manifest(encode_manifest(Element("application")))


def test_not_a_zip_and_zip_without_manifest(tmp_path: Path) -> None:
    fake = tmp_path / "fake.apk"
    fake.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="fake.apk"):
        read_manifest(fake)
    empty = tmp_path / "empty.apk"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("classes.dex", b"x")
    with pytest.raises(InputError, match="no AndroidManifest.xml"):
        read_manifest(empty)


def test_oversized_manifest_is_refused_before_decompression(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.apk"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("AndroidManifest.xml", b"\x00" * (9 * 1024 * 1024))
    with pytest.raises(InputError, match="over the limit"):
        read_manifest(bomb)
