"""Read an APK's AndroidManifest.xml (Android binary XML) without aapt or a device.

The harness needs the package name before it can talk to adb about an app it just installed,
the requested permissions, the SDK levels and the launcher activity; the static check (S0,
:mod:`harness.static`) also wants the application flags (debuggable, cleartext traffic, backup)
and every component with its exported state, permissions and intent-filter actions. APKs come from the app
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
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError
from harness.sanitize import clean_text

__all__ = ["ApkManifest", "Component", "COMPONENT_KINDS", "MAX_COMPONENTS", "parse_binary_manifest", "read_manifest", "apk_files", "MAX_MANIFEST_BYTES"]

#: Largest AndroidManifest.xml accepted (real ones are a few hundred kB at most).
MAX_MANIFEST_BYTES = 8 * 1024 * 1024

_RES_STRING_POOL = 0x0001
_RES_XML = 0x0003
_RES_XML_START_ELEMENT = 0x0102
_RES_XML_END_ELEMENT = 0x0103
_RES_XML_RESOURCE_MAP = 0x0180
_UTF8_FLAG = 0x100
_NO_INDEX = 0xFFFFFFFF

_TYPE_REFERENCE = 0x01
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
    0x0101000F: "debuggable",
    0x01010010: "exported",
    0x01010006: "permission",
    0x01010007: "readPermission",
    0x01010008: "writePermission",
    0x01010018: "authorities",
    0x01010280: "allowBackup",
    0x010104EB: "fullBackupContent",
    0x010104EC: "usesCleartextTraffic",
    0x01010527: "networkSecurityConfig",
    0x0101063E: "dataExtractionRules",
}

#: The component tags of <application> the reader records.
COMPONENT_KINDS = ("activity", "activity-alias", "service", "receiver", "provider")
#: At most this many components (and this many actions per component) are kept; real apps
#: have a few hundred at most, so more means a hostile or generated manifest.
MAX_COMPONENTS = 5000
_MAX_ACTIONS = 64


@dataclass(frozen=True, slots=True)
class Component:
    """One <activity|activity-alias|service|receiver|provider> of the application.

    ``exported`` is the explicit attribute (None when absent: the platform default then depends
    on intent filters and the target SDK, see :mod:`harness.static`). ``permission`` is
    android:permission; providers also carry read/write permissions. ``actions`` are the
    intent-filter actions of all the component's filters."""

    kind: str
    name: str
    exported: bool | None = None
    permission: str = ""
    read_permission: str = ""
    write_permission: str = ""
    actions: tuple[str, ...] = ()
    has_filter: bool = False


@dataclass(frozen=True, slots=True)
class ApkManifest:
    """What the harness reads from a manifest."""

    package: str
    version_code: int = 0
    version_name: str = ""
    min_sdk: int = 0  # 0: not declared (the platform then uses 1)
    target_sdk: int = 0  # 0: not declared (the platform then uses minSdk); harness.static.effective_sdks
    permissions: tuple[str, ...] = ()
    launcher_activity: str = ""  # fully qualified class name, '' when none
    split: str = ""  # split name for a split APK, '' for the base
    # <application> flags: None when the attribute is absent (or a resource reference)
    debuggable: bool | None = None
    uses_cleartext_traffic: bool | None = None
    allow_backup: bool | None = None
    backup_rules: bool = False  # fullBackupContent or dataExtractionRules given
    network_security_config: bool = False  # android:networkSecurityConfig given
    components: tuple[Component, ...] = ()


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
                if off + 1 >= end:
                    raise r.fail("string length out of range")
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
    app_flags: dict[str, str | int | bool] = {}
    components: list[Component] = []
    comp_attrs: dict[str, str | int | bool] | None = None  # the open component, if any
    comp_kind = ""
    comp_actions: list[str] = []
    comp_filter = False
    filter_actions: set[str] = set()
    filter_categories: set[str] = set()
    seen_root = False

    def string(idx: int) -> str:
        if idx == _NO_INDEX:
            return ""
        if idx >= len(strings):
            raise r.fail(f"string index {idx} out of range")
        return clean_text(strings[idx])  # the one input sanitiser (lone surrogates -> U+FFFD)

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
            attrs: dict[str, str | int | bool] = {}
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
                elif dtype == _TYPE_INT_BOOLEAN:
                    attrs[key] = value != 0
                elif dtype in (_TYPE_INT_DEC, _TYPE_INT_HEX):
                    attrs[key] = value
                elif dtype == _TYPE_REFERENCE:
                    attrs[key] = f"@0x{value:08x}"
            stack.append(name)
            if not seen_root:
                seen_root = True
                if name != "manifest":
                    raise r.fail(f"root element is <{name[:40]}>, not <manifest>")
                package = str(attrs.get("package", ""))
                split = str(attrs.get("split", ""))
                version_code = _number(attrs.get("versionCode"), "versionCode", r)
                version_name = str(attrs.get("versionName", ""))[:200]
            elif name == "uses-sdk":
                min_sdk = _number(attrs.get("minSdkVersion"), "minSdkVersion", r, sdk=True)
                target_sdk = _number(attrs.get("targetSdkVersion"), "targetSdkVersion", r, sdk=True)
            elif name in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
                perm = str(attrs.get("name", ""))
                if perm and len(perm) <= 255:
                    permissions.append(perm)
            elif name == "application" and len(stack) == 2:
                app_flags = dict(attrs)
            elif name in COMPONENT_KINDS and len(stack) == 3 and stack[-2] == "application":
                if name in ("activity", "activity-alias"):
                    component = str(attrs.get("name", ""))
                if len(components) >= MAX_COMPONENTS:
                    raise r.fail(f"more than {MAX_COMPONENTS} components")
                comp_attrs, comp_kind, comp_actions, comp_filter = dict(attrs), name, [], False
            elif name == "intent-filter":
                filter_actions, filter_categories = set(), set()
                comp_filter = comp_filter or comp_attrs is not None
            elif name == "action" and stack[-2:-1] == ["intent-filter"]:
                act = str(attrs.get("name", ""))
                filter_actions.add(act)
                if comp_attrs is not None and act and len(act) <= 255 and len(comp_actions) < _MAX_ACTIONS and act not in comp_actions:
                    comp_actions.append(act)
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
                if ended in COMPONENT_KINDS and len(stack) == 2 and comp_attrs is not None:
                    components.append(_component(comp_kind, comp_attrs, comp_actions, comp_filter, package))
                    comp_attrs = None
                    if ended in ("activity", "activity-alias"):
                        component = ""
        off += csize
    if not seen_root:
        raise r.fail("no <manifest> element")
    if off < total and any(data[off:total]):
        raise r.fail(f"truncated chunk at {off}")
    if stack:
        raise r.fail(f"document ends inside <{stack[-1][:40]}> (truncated?)")
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
        debuggable=_flag(app_flags.get("debuggable")),
        uses_cleartext_traffic=_flag(app_flags.get("usesCleartextTraffic")),
        allow_backup=_flag(app_flags.get("allowBackup")),
        backup_rules=bool(app_flags.get("fullBackupContent") or app_flags.get("dataExtractionRules")),
        network_security_config=bool(app_flags.get("networkSecurityConfig")),
        components=tuple(components),
    )


#: What the platform reads a preview SDK codename ("S", "UpsideDownCake") as: the current
#: development level (Build.VERSION_CODES.CUR_DEVELOPMENT).
SDK_CODENAME_LEVEL = 10000
_DECIMAL = re.compile(r"[0-9]{1,10}")
_CODENAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def _number(v: str | int | bool | None, name: str, r: _Reader, *, sdk: bool = False) -> int:
    """An integer attribute (versionCode, min/targetSdkVersion); 0 when absent or a resource
    reference. A string must be plain ASCII digits (``int()`` would also take superscripts and
    other scripts' digits, and refuses 4,300+ digits with a ValueError); an SDK level may also
    be a preview codename. Anything else is an InputError naming the file and attribute."""
    if v is None or isinstance(v, bool):
        return 0
    if isinstance(v, int):
        return v
    text = v.strip()
    if text.startswith("@0x"):
        return 0
    if _DECIMAL.fullmatch(text):
        return int(text)
    if sdk and _CODENAME.fullmatch(text):
        return SDK_CODENAME_LEVEL
    shown = text if len(text) <= 40 else f"{text[:37]}... ({len(text)} characters)"
    raise r.fail(f"android:{name} is {shown!r}, not a number")


def _flag(v: str | int | bool | None) -> bool | None:
    """A boolean attribute: True/False when literal, None when absent or a resource reference."""
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return None


def _qualify(name: str, package: str) -> str:
    """A component class name as the platform resolves it ('.X' and bare 'X' are in the package)."""
    name = name.strip()[:300]
    if name.startswith("."):
        return package + name
    if name and "." not in name:
        return f"{package}.{name}"
    return name


def _component(kind: str, attrs: dict[str, str | int | bool], actions: list[str], has_filter: bool, package: str) -> Component:
    def text(key: str) -> str:
        v = attrs.get(key, "")
        return v[:255] if isinstance(v, str) else ""

    return Component(
        kind=kind,
        name=_qualify(text("name"), package),
        exported=_flag(attrs.get("exported")),
        permission=text("permission"),
        read_permission=text("readPermission"),
        write_permission=text("writePermission"),
        actions=tuple(actions),
        has_filter=has_filter,
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
            if info.flag_bits & 0x1:
                raise InputError(f"{where}: AndroidManifest.xml is encrypted (Android cannot read it either)")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise InputError(f"{where}: AndroidManifest.xml uses zip compression method {info.compress_type}; Android reads only stored or deflated entries")
            with zf.open(info) as fh:
                data = fh.read(MAX_MANIFEST_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError, struct.error) as exc:
        # zlib.error: corrupt deflate data; RuntimeError: zipfile's "password required";
        # ValueError / struct.error: header fields out of range
        raise InputError(f"{where}: not a readable APK (zip) file: {' '.join(str(exc).split())[:300] or type(exc).__name__}") from exc
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
