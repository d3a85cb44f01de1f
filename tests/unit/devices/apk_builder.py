"""Test helper: writes Android binary XML manifests and tiny APK (zip) files.

An independent encoder of the format harness.devices.apk reads (chunk headers, string pool in
UTF-8 or UTF-16, resource-id map, start/end element chunks), so the reader is tested against
bytes laid out the way aapt2 lays them out, without needing aapt on the machine.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Ref", "Element", "encode_manifest", "write_apk", "simple_manifest", "ANDROID_NS"]

ANDROID_NS = "http://schemas.android.com/apk/res/android"
_RES_IDS = {
    "name": 0x01010003,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "minSdkVersion": 0x0101020C,
    "targetSdkVersion": 0x01010270,
    "debuggable": 0x0101000F,
    "exported": 0x01010010,
    "permission": 0x01010006,
    "readPermission": 0x01010007,
    "writePermission": 0x01010008,
    "authorities": 0x01010018,
    "allowBackup": 0x01010280,
    "fullBackupContent": 0x010104EB,
    "usesCleartextTraffic": 0x010104EC,
    "networkSecurityConfig": 0x01010527,
    "dataExtractionRules": 0x0101063E,
}


@dataclass(frozen=True)
class Ref:
    """A resource reference value (``@xml/...``), encoded as TYPE_REFERENCE."""

    res_id: int


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | int | bool | Ref] = field(default_factory=dict)  # 'android:x' for the android namespace
    children: list[Element] = field(default_factory=list)


def _pool(strings: list[str], utf8: bool) -> bytes:
    offsets: list[int] = []
    data = b""
    for s in strings:
        offsets.append(len(data))
        if utf8:
            raw = s.encode("utf-8")
            n16 = len(s)
            head = bytes([n16]) if n16 < 0x80 else bytes([0x80 | (n16 >> 8), n16 & 0xFF])
            head += bytes([len(raw)]) if len(raw) < 0x80 else bytes([0x80 | (len(raw) >> 8), len(raw) & 0xFF])
            data += head + raw + b"\x00"
        else:
            raw = s.encode("utf-16-le")
            data += struct.pack("<H", len(raw) // 2) + raw + b"\x00\x00"
    while len(data) % 4:
        data += b"\x00"
    header_size = 28
    strings_start = header_size + 4 * len(strings)
    size = strings_start + len(data)
    head = struct.pack(
        "<HHIIIIII", 0x0001, header_size, size, len(strings), 0, 0x100 if utf8 else 0, strings_start, 0
    )
    return head + b"".join(struct.pack("<I", o) for o in offsets) + data


def encode_manifest(root: Element, *, utf8: bool = True, obfuscate_names: bool = False) -> bytes:
    """Encode an element tree. Android-namespace attribute names get resource ids (first in
    the pool, as aapt does); with ``obfuscate_names`` their name strings are blanked, which
    only a reader that resolves names by resource id survives."""
    android_attrs: list[str] = []
    other: list[str] = []

    def collect(el: Element) -> None:
        for key in el.attrs:
            if key.startswith("android:"):
                short = key.split(":", 1)[1]
                if short not in android_attrs:
                    android_attrs.append(short)
        for ch in el.children:
            collect(ch)

    collect(root)
    strings: list[str] = ["" if obfuscate_names else a for a in android_attrs]
    index: dict[str, int] = {}

    def sid(s: str) -> int:
        if s not in index:
            index[s] = len(strings) + len(other)
            other.append(s)
        return index[s]

    chunks: list[bytes] = []
    ns_id = sid(ANDROID_NS)

    def emit(el: Element) -> None:
        attrs = b""
        count = 0
        for key, value in el.attrs.items():
            if key.startswith("android:"):
                name_idx = android_attrs.index(key.split(":", 1)[1])
                ns = ns_id
            else:
                name_idx = sid(key)
                ns = 0xFFFFFFFF
            if isinstance(value, bool):
                raw = 0xFFFFFFFF
                typed = struct.pack("<HBBI", 8, 0, 0x12, 0xFFFFFFFF if value else 0)
            elif isinstance(value, Ref):
                raw = 0xFFFFFFFF
                typed = struct.pack("<HBBI", 8, 0, 0x01, value.res_id)
            elif isinstance(value, int):
                raw = 0xFFFFFFFF
                typed = struct.pack("<HBBI", 8, 0, 0x10, value)
            else:
                raw = sid(value)
                typed = struct.pack("<HBBI", 8, 0, 0x03, raw)
            attrs += struct.pack("<III", ns, name_idx, raw) + typed
            count += 1
        ext = struct.pack("<IIHHHHHH", 0xFFFFFFFF, sid(el.tag), 20, 20, count, 0, 0, 0)
        body = struct.pack("<II", 1, 0xFFFFFFFF) + ext + attrs
        chunks.append(struct.pack("<HHI", 0x0102, 16, 8 + len(body)) + body)
        for ch in el.children:
            emit(ch)
        end = struct.pack("<II", 1, 0xFFFFFFFF) + struct.pack("<II", 0xFFFFFFFF, sid(el.tag))
        chunks.append(struct.pack("<HHI", 0x0103, 16, 8 + len(end)) + end)

    emit(root)
    pool = _pool(strings + other, utf8)
    resmap_body = b"".join(struct.pack("<I", _RES_IDS[a]) for a in android_attrs)
    resmap = struct.pack("<HHI", 0x0180, 8, 8 + len(resmap_body)) + resmap_body
    body = pool + resmap + b"".join(chunks)
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body)) + body


def simple_manifest(
    package: str,
    *,
    permissions: tuple[str, ...] = (),
    launcher: str = ".MainActivity",
    split: str = "",
    version_code: int = 42,
    version_name: str = "1.4.2",
) -> Element:
    attrs: dict[str, str | int | bool | Ref] = {
        "android:versionCode": version_code,
        "android:versionName": version_name,
        "package": package,
    }
    if split:
        attrs["split"] = split
    launcher_filter = Element(
        "intent-filter",
        children=[
            Element("action", {"android:name": "android.intent.action.MAIN"}),
            Element("category", {"android:name": "android.intent.category.LAUNCHER"}),
        ],
    )
    app = Element(
        "application",
        {"android:name": ".ShopApplication"},
        [
            Element("activity", {"android:name": ".SplashAdActivity"}),
            Element("activity", {"android:name": launcher}, [launcher_filter]),
            Element(
                "activity-alias",
                {"android:name": ".SecondIcon"},
                [
                    Element(
                        "intent-filter",
                        children=[Element("action", {"android:name": "android.intent.action.VIEW"})],
                    )
                ],
            ),
        ],
    )
    children = [Element("uses-sdk", {"android:minSdkVersion": 21, "android:targetSdkVersion": 34})]
    children += [Element("uses-permission", {"android:name": p}) for p in permissions]
    children.append(app)
    return Element("manifest", attrs, children)


def write_apk(path: Path, manifest: bytes | Element, *, extra: dict[str, bytes] | None = None) -> Path:
    data = encode_manifest(manifest) if isinstance(manifest, Element) else manifest
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("AndroidManifest.xml", data)
        zf.writestr("classes.dex", b"dex\n035\x00" + b"\x00" * 64)
        for name, blob in (extra or {}).items():
            zf.writestr(name, blob)
    return path
