"""Read an APK's AndroidManifest.xml (Android binary XML) without aapt or a device.

The harness needs the package name before it can talk to adb about an app it just installed,
the requested permissions, the SDK levels and the launcher activity. APKs come from the app
under test, so this reader treats them as hostile: the manifest entry is size-capped before it
is decompressed, every offset and count is bounds-checked, and anything malformed raises
:class:`harness.errors.InputError` naming the file. Nothing from the APK is ever executed.

Format (AOSP ``ResourceTypes.h``): chunks of ``(u16 type, u16 header_size, u32 size)``; the
file chunk (0x0003) holds a string pool (0x0001), a resource-id map (0x0180) and start/end
element chunks (0x0102/0x0103) whose attributes point into the string pool. Attributes in the
android namespace are identified by resource id (robust against obfuscated name strings).
"""

from __future__ import annotations

import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError

__all__ = ["ApkManifest", "parse_binary_manifest", "read_manifest", "apk_files", "MAX_MANIFEST_BYTES"]

#: Largest AndroidManifest.xml accepted (real ones are a few hundred kB at most).
MAX_MANIFEST_BYTES = 8 * 1024 * 1024

_RES_STRING_POOL = 0x0001
_RES_XML = 0x0003
_RES_XML_START_ELEMENT = 0x0102
_RES_XML_END_ELEMENT = 0x0103
_RES_XML_RESOURCE_MAP = 0x0180
_UTF8_FLAG = 0x100
_NO_INDEX = 0xFFFFFFFF

_TYPE_STRING = 0x03
_TYPE_INT_DEC = 0x10
_TYPE_INT_HEX = 0x11
_TYPE_INT_BOOLEAN = 0x12

# android:* attribute resource ids (public, stable since API 1-4)
_ANDROID_ATTRS = {
    0x01010003: "name",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x0101020C: "minSdkVersion",
    0x01010270: "targetSdkVersion",
}


@dataclass(frozen=True, slots=True)
class ApkManifest:
    """What the harness reads from a manifest."""

    package: str
    version_code: int = 0
    version_name: str = ""
    min_sdk: int = 0
    target_sdk: int = 0
    permissions: tuple[str, ...] = ()
    launcher_activity: str = ""  # fully qualified class name, '' when none
    split: str = ""  # split name for a split APK, '' for the base


class _Reader:
    def __init__(self, data: bytes, where: str) -> None:
        self.data = data
        self.where = where

    def fail(self, what: str) -> InputError:
        return InputError(f"{self.where}: malformed binary manifest ({what})")

    def u16(self, off: int) -> int:
        if off < 0 or off + 2 > len(self.data):
            raise self.fail(f"read past end at {off}")
        return int(struct.unpack_from("<H", self.data, off)[0])

    def u32(self, off: int) -> int:
        if off < 0 or off + 4 > len(self.data):
            raise self.fail(f"read past end at {off}")
        return int(struct.unpack_from("<I", self.data, off)[0])


def _string_pool(r: _Reader, start: int, size: int, header_size: int) -> list[str]:
    count = r.u32(start + 8)
    flags = r.u32(start + 16)
    strings_start = r.u32(start + 20)
    end = start + size
    if count > size // 4 or start + header_size + 4 * count > end or strings_start > size:
        raise r.fail("string pool counts out of range")
    utf8 = bool(flags & _UTF8_FLAG)
    base = start + strings_start
    out: list[str] = []
    for i in range(count):
        off = base + r.u32(start + header_size + 4 * i)
        if off >= end:
            raise r.fail("string offset out of range")
        if utf8:
            # utf-16 length (skipped), then utf-8 byte length; each 1 or 2 bytes
            n = r.data[off]
            off += 2 if n & 0x80 else 1
            if off >= end:
                raise r.fail("string out of range")
            n = r.data[off]
            if n & 0x80:
                n = ((n & 0x7F) << 8) | r.data[off + 1]
                off += 2
            else:
                off += 1
            if off + n > end:
                raise r.fail("string out of range")
            out.append(r.data[off : off + n].decode("utf-8", errors="replace"))
        else:
            n = r.u16(off)
            off += 2
            if n & 0x8000:
                n = ((n & 0x7FFF) << 16) | r.u16(off)
                off += 2
            if off + 2 * n > end:
                raise r.fail("string out of range")
            out.append(r.data[off : off + 2 * n].decode("utf-16-le", errors="replace"))
    return out


def parse_binary_manifest(data: bytes, where: str = "AndroidManifest.xml") -> ApkManifest:
    """Parse the bytes of a compiled AndroidManifest.xml."""
    r = _Reader(data, where)
    if len(data) < 8 or r.u16(0) != _RES_XML:
        raise r.fail("not an Android binary XML file")
    total = min(r.u32(4), len(data))
    off = r.u16(2)
    strings: list[str] = []
    res_ids: list[int] = []
    package = ""
    version_code = 0
    version_name = ""
    min_sdk = 0
    target_sdk = 0
    split = ""
    permissions: list[str] = []
    launcher = ""
    stack: list[str] = []
    component = ""  # current activity / activity-alias
    filter_actions: set[str] = set()
    filter_categories: set[str] = set()
    seen_root = False

    def string(idx: int) -> str:
        if idx == _NO_INDEX:
            return ""
        if idx >= len(strings):
            raise r.fail(f"string index {idx} out of range")
        return strings[idx]

    chunks = 0
    while off + 8 <= total:
        chunks += 1
        if chunks > 1_000_000:
            raise r.fail("too many chunks")
        ctype, hsize, csize = r.u16(off), r.u16(off + 2), r.u32(off + 4)
        if csize < 8 or hsize < 8 or hsize > csize or off + csize > total:
            raise r.fail(f"bad chunk size at {off}")
        if ctype == _RES_STRING_POOL and not strings:
            strings = _string_pool(r, off, csize, hsize)
        elif ctype == _RES_XML_RESOURCE_MAP:
            res_ids = [r.u32(off + hsize + 4 * i) for i in range((csize - hsize) // 4)]
        elif ctype == _RES_XML_START_ELEMENT:
            ext = off + hsize
            name = string(r.u32(ext + 4))
            attr_start, attr_size, attr_count = r.u16(ext + 8), r.u16(ext + 10), r.u16(ext + 12)
            if attr_size < 20 or ext + attr_start + attr_size * attr_count > off + csize:
                raise r.fail("attributes out of range")
            attrs: dict[str, str | int] = {}
            for i in range(attr_count):
                a = ext + attr_start + i * attr_size
                name_idx = r.u32(a + 4)
                raw = r.u32(a + 8)
                dtype = r.data[a + 15]
                value = r.u32(a + 16)
                rid = res_ids[name_idx] if name_idx < len(res_ids) else 0
                key = _ANDROID_ATTRS.get(rid) or string(name_idx)
                if raw != _NO_INDEX:
                    attrs[key] = string(raw)
                elif dtype == _TYPE_STRING:
                    attrs[key] = string(value)
                elif dtype in (_TYPE_INT_DEC, _TYPE_INT_HEX, _TYPE_INT_BOOLEAN):
                    attrs[key] = value
            stack.append(name)
            if not seen_root:
                seen_root = True
                if name != "manifest":
                    raise r.fail(f"root element is <{name[:40]}>, not <manifest>")
                package = str(attrs.get("package", ""))
                split = str(attrs.get("split", ""))
                vc = attrs.get("versionCode", 0)
                version_code = vc if isinstance(vc, int) else int(vc) if str(vc).isdigit() else 0
                version_name = str(attrs.get("versionName", ""))[:200]
            elif name == "uses-sdk":
                mn, tg = attrs.get("minSdkVersion", 0), attrs.get("targetSdkVersion", 0)
                min_sdk = mn if isinstance(mn, int) else int(mn) if str(mn).isdigit() else 0
                target_sdk = tg if isinstance(tg, int) else int(tg) if str(tg).isdigit() else 0
            elif name in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
                perm = str(attrs.get("name", ""))
                if perm and len(perm) <= 255:
                    permissions.append(perm)
            elif name in ("activity", "activity-alias") and len(stack) >= 2 and stack[-2] == "application":
                component = str(attrs.get("name", ""))
            elif name == "intent-filter":
                filter_actions, filter_categories = set(), set()
            elif name == "action" and stack[-2:-1] == ["intent-filter"]:
                filter_actions.add(str(attrs.get("name", "")))
            elif name == "category" and stack[-2:-1] == ["intent-filter"]:
                filter_categories.add(str(attrs.get("name", "")))
        elif ctype == _RES_XML_END_ELEMENT:
            if stack:
                ended = stack.pop()
                if (
                    ended == "intent-filter"
                    and component
                    and not launcher
                    and "android.intent.action.MAIN" in filter_actions
                    and "android.intent.category.LAUNCHER" in filter_categories
                ):
                    launcher = component
                elif ended in ("activity", "activity-alias"):
                    component = ""
        off += csize
    if not seen_root:
        raise r.fail("no <manifest> element")
    if launcher.startswith("."):
        launcher = package + launcher
    elif launcher and "." not in launcher:
        launcher = f"{package}.{launcher}"
    return ApkManifest(
        package=package,
        version_code=version_code,
        version_name=version_name,
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        permissions=tuple(dict.fromkeys(permissions)),
        launcher_activity=launcher[:300],
        split=split[:200],
    )


def read_manifest(apk: str | os.PathLike[str]) -> ApkManifest:
    """The manifest of an APK file. InputError (naming the file) when it is not a readable
    APK, has no manifest, or the manifest is oversized or malformed."""
    path = Path(apk)
    where = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                info = zf.getinfo("AndroidManifest.xml")
            except KeyError:
                raise InputError(f"{where}: no AndroidManifest.xml inside (not an APK?)") from None
            if info.file_size > MAX_MANIFEST_BYTES:
                raise InputError(f"{where}: AndroidManifest.xml is {info.file_size} bytes, over the limit")
            with zf.open(info) as fh:
                data = fh.read(MAX_MANIFEST_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(f"{where}: not a readable APK (zip) file: {exc}") from exc
    if len(data) > MAX_MANIFEST_BYTES:
        raise InputError(f"{where}: AndroidManifest.xml is over the size limit")
    return parse_binary_manifest(data, where)


def apk_files(app: str | os.PathLike[str]) -> tuple[Path, list[Path]]:
    """The base APK and its split APKs: ``app`` is one .apk file, or a folder holding a base
    APK and its splits (as ``bundletool`` or a device pull produces them)."""
    p = Path(app)
    if p.is_file():
        return p, []
    if not p.is_dir():
        raise InputError(f"app not found: {_where(p)} (give an .apk file or a folder of split APKs)")
    apks = sorted(x for x in p.iterdir() if x.suffix.lower() == ".apk" and x.is_file())
    if not apks:
        raise InputError(f"{_where(p)}: folder holds no .apk files")
    bases = [a for a in apks if not read_manifest(a).split]
    if len(bases) != 1:
        raise InputError(f"{_where(p)}: expected exactly one base APK among the splits, found {len(bases)}")
    return bases[0], [a for a in apks if a != bases[0]]


def _where(p: Path) -> str:
    """A bounded quoted rendering of a path for error messages."""
    text = str(p)
    return repr(text if len(text) <= 200 else text[:197] + "...")
