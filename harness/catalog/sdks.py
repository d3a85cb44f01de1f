"""Third-party SDK catalogue (``sdks.yaml``) and call attribution.

A sensitive call is attributed to the code that made it: walking the stack from the nearest
frame outwards, platform frames (``java.``, ``android.``, ``androidx.`` ...) and neutral
libraries (OkHttp, Glide, React Native's runtime ...) are skipped; the first remaining frame is
resolved by the *longest* matching package prefix among the SDK prefixes and the app's own
package. An SDK match names the SDK; the app's package gives ``"app"``. Unknown code is passed
over in favour of a known SDK further out; if none is found:

* a *foreign* package (outside the app's package and its organisation, with readable names:
  an SDK the catalogue does not list) is named by its organisation prefix (``cn.thinkingdata``):
  third-party code whether listed or not (rules.md R33 speaks of third-party code, not of a list);
* obfuscated code (single-letter packages such as ``a.b.c``) and native libraries stay the
  app's (``"app"``: the code ships in its APK).

A catalogued SDK prefix found *inside* another package (``com.shop.thirdparty.com.umeng...``: a
build tool relocated, "shaded", the SDK) names that SDK: relocation moves the code, not its
author. A stack of only platform frames gives ``""``.

androidx is treated as platform on purpose: it is Google's support code linked into every app
and acts for whoever called it (ActivityCompat.requestPermissions is the app's request).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError
from harness.instrumentation.protocol import Attributor

__all__ = [
    "Sdk",
    "SDK_KINDS",
    "load_sdks",
    "parse_sdks",
    "sdk_by_id",
    "framework_prefixes",
    "library_prefixes",
    "SdkMatcher",
    "matcher",
    "attribute",
    "attributor_for",
]

SDK_KINDS: tuple[str, ...] = (
    "analytics", "attribution", "push", "ads", "maps", "payment", "social", "crash", "cmp",
    "identity", "im", "risk", "cloud", "media", "support", "other",
)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
_PREFIX_RE = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
_SEGMENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_SDKS = 10_000
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Sdk:
    """One SDK: a stable id, what it is, and the Java package prefixes of its code."""

    id: str
    name: str
    vendor: str
    kind: str
    region: str
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Catalog:
    sdks: tuple[Sdk, ...]
    framework: tuple[str, ...]
    libraries: tuple[str, ...]


def _prefix_list(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not v:
        raise CatalogError(f"sdks.yaml: {where}: must be a non-empty list of package prefixes")
    out: list[str] = []
    for p in v:
        if not isinstance(p, str) or not _PREFIX_RE.fullmatch(p):
            raise CatalogError(f"sdks.yaml: {where}: {p!r} is not a package prefix like 'com.example.sdk'")
        out.append(p)
    return tuple(out)


def parse_sdks(data: Any) -> _Catalog:
    """Validate a parsed ``sdks.yaml``; CatalogError names the entry and field at fault."""
    if not isinstance(data, dict):
        raise CatalogError("sdks.yaml: the document must be a mapping with 'schema', 'framework', 'libraries', 'sdks'")
    if data.get("schema") != 1:
        raise CatalogError(f"sdks.yaml: field 'schema': unsupported version {data.get('schema')!r} (expected 1)")
    framework = _prefix_list(data.get("framework"), "field 'framework'")
    libraries = _prefix_list(data.get("libraries"), "field 'libraries'")
    entries = data.get("sdks")
    if not isinstance(entries, list) or not entries:
        raise CatalogError("sdks.yaml: field 'sdks': must be a non-empty list")
    if len(entries) > _MAX_SDKS:
        raise CatalogError(f"sdks.yaml: field 'sdks': {len(entries)} entries exceed {_MAX_SDKS}")
    sdks: list[Sdk] = []
    owner: dict[str, str] = {p: "(framework)" for p in framework}
    owner.update({p: "(libraries)" for p in libraries})
    seen: set[str] = set()
    for i, e in enumerate(entries):
        where = f"entry {i}"
        if not isinstance(e, dict):
            raise CatalogError(f"sdks.yaml: {where}: must be a mapping")
        sid = e.get("id")
        if isinstance(sid, str):
            where = f"entry {i} ({sid})"
        unknown = set(e) - {"id", "name", "vendor", "kind", "region", "prefixes"}
        if unknown:
            raise CatalogError(f"sdks.yaml: {where}: field {sorted(unknown)[0]!r}: unknown field")
        if not isinstance(sid, str) or not _ID_RE.fullmatch(sid) or sid == "app":
            raise CatalogError(f"sdks.yaml: {where}: field 'id': must be lower_snake_case (and not 'app')")
        if sid in seen:
            raise CatalogError(f"sdks.yaml: {where}: field 'id': duplicate")
        seen.add(sid)
        for key in ("name", "vendor"):
            if not isinstance(e.get(key), str) or not e[key].strip():
                raise CatalogError(f"sdks.yaml: {where}: field '{key}': must be a non-empty string")
        if e.get("kind") not in SDK_KINDS:
            raise CatalogError(f"sdks.yaml: {where}: field 'kind': {e.get('kind')!r} is not one of {', '.join(SDK_KINDS)}")
        if e.get("region") not in ("cn", "intl"):
            raise CatalogError(f"sdks.yaml: {where}: field 'region': must be 'cn' or 'intl'")
        prefixes = _prefix_list(e.get("prefixes"), f"{where}: field 'prefixes'")
        for p in prefixes:
            if p in owner:
                raise CatalogError(f"sdks.yaml: {where}: field 'prefixes': {p!r} already belongs to {owner[p]}")
            owner[p] = sid
        sdks.append(Sdk(id=sid, name=e["name"], vendor=e["vendor"], kind=e["kind"], region=e["region"], prefixes=prefixes))
    return _Catalog(tuple(sdks), framework, libraries)


@lru_cache(maxsize=1)
def _catalog() -> _Catalog:
    text = resources.files("harness.catalog").joinpath("sdks.yaml").read_text(encoding="utf-8")
    return parse_sdks(parse_yaml(text, "sdks.yaml"))


def load_sdks() -> tuple[Sdk, ...]:
    """Every SDK entry, validated once and cached."""
    return _catalog().sdks


def sdk_by_id(sdk_id: str) -> Sdk:
    """The SDK with this id; KeyError naming it when unknown."""
    for s in load_sdks():
        if s.id == sdk_id:
            return s
    raise KeyError(f"unknown sdk id {sdk_id!r}")


def framework_prefixes() -> tuple[str, ...]:
    """Platform package prefixes (never a collector)."""
    return _catalog().framework


def library_prefixes() -> tuple[str, ...]:
    """Neutral library prefixes (skipped like the platform)."""
    return _catalog().libraries


_SKIP = "\0skip"


class SdkMatcher:
    """Longest dotted-prefix lookup of a stack frame, with a bounded per-frame cache.

    ``resolve(frame)`` returns an SDK id, ``"app"``, ``_SKIP`` for platform/library frames, or
    ``""`` for unknown code.
    """

    def __init__(self, sdks: Sequence[Sdk], framework: Sequence[str], libraries: Sequence[str], app_package: str = "") -> None:
        self._table: dict[str, str] = {}
        for p in framework:
            self._table[p] = _SKIP
        for p in libraries:
            self._table[p] = _SKIP
        for s in sdks:
            for p in s.prefixes:
                self._table[p] = s.id
        self.app_package = app_package.strip()
        if self.app_package:
            # The app's own package competes by length like any prefix: an SDK vendored under
            # a longer prefix inside it still wins, the app wins over shorter SDK prefixes.
            self._table[self.app_package] = "app"
        # the app's organisation (first two segments of its package): code there is the app's
        self._app_orgs = frozenset({".".join(self.app_package.lower().split(".")[:2])} if self.app_package.count(".") >= 1 else set())
        self._cache: dict[str, str] = {}
        self._embed_cache: dict[str, str] = {}

    @staticmethod
    def _qualified(frame: str) -> str:
        f = frame.strip()
        if f.startswith("at "):
            f = f[3:]
        paren = f.find("(")
        if paren >= 0:
            f = f[:paren]
        slash = f.rfind("/")  # "java.base/java.lang.Thread.run" module prefixes
        if slash >= 0:
            f = f[slash + 1 :]
        return f

    def resolve(self, frame: str) -> str:
        hit = self._cache.get(frame)
        if hit is not None:
            return hit
        result = self._resolve(frame)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[frame] = result
        return result

    def _resolve(self, frame: str) -> str:
        if "!" in frame or frame.startswith("0x"):  # native frame "libfoo.so!fn+0x1c"
            lib = frame.split("!", 1)[0].rsplit("/", 1)[-1]
            if lib.startswith(("libc.so", "libart", "libjvm", "linker", "libdl", "libandroid_runtime", "libjava")):
                return _SKIP
            return ""
        name = self._qualified(frame)
        if not name:
            return ""
        parts = name.split(".")
        for n in range(len(parts), 0, -1):
            found = self._table.get(".".join(parts[:n]))
            if found is not None:
                return found
        return ""

    def relocated(self, frame: str) -> str:
        """The SDK whose catalogued prefix (two segments or more) appears inside the frame's
        package after its first segment (a relocated, "shaded", copy), or ``""``."""
        hit = self._embed_cache.get(frame)
        if hit is not None:
            return hit
        result = ""
        parts = self._qualified(frame).split(".")
        for i in range(1, len(parts) - 2):
            for n in range(len(parts) - 1, i + 1, -1):
                found = self._table.get(".".join(parts[i:n]))
                if found is not None and found not in (_SKIP, "app"):
                    result = found
                    break
            if result:
                break
        if len(self._embed_cache) >= _CACHE_LIMIT:
            self._embed_cache.clear()
        self._embed_cache[frame] = result
        return result

    def foreign(self, frame: str) -> str:
        """The organisation prefix (``cn.thinkingdata``) of an unlisted third-party package, or
        ``""`` for the app's own organisation, obfuscated names, native frames and frames
        without a package."""
        if "!" in frame or frame.startswith("0x"):
            return ""
        parts = self._qualified(frame).split(".")
        if len(parts) < 4:  # package of two segments at least, then class and method
            return ""
        pkg = parts[:-2]
        if all(len(p) <= 2 for p in pkg) or len(pkg[1]) < 3 or not all(_SEGMENT_RE.fullmatch(p) for p in pkg[:2]):
            return ""  # obfuscated (a.b.c) or not a package name a vendor would publish
        org = ".".join(pkg[:2]).lower()
        if self.app_package and (self.app_package == org or self.app_package.lower().startswith(org + ".") or org in self._app_orgs):
            return ""
        return org

    def attribute(self, frames: Sequence[str], caller: str = "") -> str:
        seen_code = False
        foreign = ""
        for frame in (frames if frames else ((caller,) if caller else ())):
            r = self.resolve(frame)
            if r == _SKIP:
                continue
            if r in ("", "app"):
                shaded = self.relocated(frame)
                if shaded:
                    return shaded
            if r == "app" and foreign:
                return foreign  # unlisted third-party code called from the app: it collected
            if r:
                return r
            seen_code = True  # unknown code: keep looking for a known SDK further out
            foreign = foreign or self.foreign(frame)
        if foreign:
            return foreign
        return "app" if seen_code else ""


@lru_cache(maxsize=256)
def matcher(app_package: str = "") -> SdkMatcher:
    """A cached matcher for one app package."""
    c = _catalog()
    return SdkMatcher(c.sdks, c.framework, c.libraries, app_package)


def attribute(frames: Sequence[str], caller: str, app_package: str = "") -> str:
    """SDK id of the code that made a call, ``"app"`` for first-party (or unknown) code, ``""``
    when the stack holds only platform frames. ``frames`` run from the nearest caller outwards;
    ``caller`` is used when there are no frames."""
    return matcher(app_package).attribute(frames, caller)


def attributor_for(app_package: str = "") -> Attributor:
    """The ``(frames, caller) -> sdk`` function the agent decoder wants, for one app."""
    m = matcher(app_package)

    def attribute_call(frames: Sequence[str], caller: str) -> str:
        return m.attribute(frames, caller)

    return attribute_call
