"""The static check (S0): what an app's manifest declares, before anything runs.

Chinese test labs start every assessment with the APK itself: which permissions it declares,
whether it ships debuggable or with cleartext traffic allowed, which components any other app
can reach, which receivers wake it up on boot or network changes, and which third-party SDKs its
component classes reveal. This module turns a manifest into :class:`ManifestFacts`, one bounded,
JSON-ready record:

* from a real APK (or a folder of split APKs) through :mod:`harness.devices.apk`, which treats
  the file as hostile (size caps, bounds checks, InputError naming the file);
* from a reference-device model's ``manifest:`` block (:mod:`harness.devices.sim.model`).

:func:`harness.app.resolve_app` (through the device kind) puts the facts on
``AppConfig.manifest`` and the runner writes them to run.json as ``RunInfo.extra["manifest"]``;
the detectors of :mod:`harness.detectors.static` read them back with :func:`facts_of` (a run
without facts gets no static findings). The ``consent-harness static APP`` command (print the
facts and the static findings, exit 0/1 like ``analyze``, 2 on bad input) is
:mod:`harness.static_check`, so this module imports no detector.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.catalog.permissions import group_of, permission_class
from harness.devices.apk import ApkManifest, Component, apk_files, read_manifest
from harness.errors import InputError

__all__ = [
    "SPECIAL_PERMISSIONS",
    "WAKEUP_ACTIONS",
    "MAX_LISTED",
    "ExposedComponent",
    "WakeupReceiver",
    "SdkEvidence",
    "ManifestFacts",
    "facts_from_manifest",
    "effective_sdks",
    "facts_of",
    "apk_facts",
]

#: Permissions listed as special although the platform grants them at install (normal): app
#: stores restrict them by policy and a lab looks at them. Everything else in ``special`` is the
#: platform's special app access (app-op permissions such as MANAGE_EXTERNAL_STORAGE).
SPECIAL_PERMISSIONS: tuple[str, ...] = ("android.permission.QUERY_ALL_PACKAGES",)

#: Broadcast actions that start a sleeping app (self-start, 164号 2.2), with a short label.
WAKEUP_ACTIONS: Mapping[str, str] = {
    "android.intent.action.BOOT_COMPLETED": "boot",
    "android.intent.action.LOCKED_BOOT_COMPLETED": "boot",
    "android.intent.action.QUICKBOOT_POWERON": "boot",
    "android.intent.action.REBOOT": "boot",
    "android.net.conn.CONNECTIVITY_CHANGE": "connectivity",
    "android.net.wifi.STATE_CHANGE": "connectivity",
    "android.net.wifi.WIFI_STATE_CHANGED": "connectivity",
    "android.intent.action.USER_PRESENT": "user-present",
    "android.intent.action.ACTION_POWER_CONNECTED": "power",
    "android.intent.action.ACTION_POWER_DISCONNECTED": "power",
    "android.intent.action.PACKAGE_ADDED": "package-change",
    "android.intent.action.PACKAGE_REMOVED": "package-change",
    "android.intent.action.PACKAGE_REPLACED": "package-change",
    "android.intent.action.MY_PACKAGE_REPLACED": "package-change",
}

#: Lists in the facts are cut at this length; a ``*_count`` field beside each says how many there
#: were. Exposed providers are kept whole (R39 judges each; the manifest reader bounds them).
MAX_LISTED = 200
_MAX_PROVIDERS = 5000
_MAX_PERMS = 1000
_MAX_TEXT = 300
_CLEARTEXT = ("allowed", "allowed-by-default", "config", "blocked", "blocked-by-default")


@dataclass(frozen=True, slots=True)
class ExposedComponent:
    """A component any app can reach: exported and guarded by no permission."""

    kind: str
    name: str
    sdk: str = ""


@dataclass(frozen=True, slots=True)
class WakeupReceiver:
    """A manifest receiver for broadcasts that wake the app (boot, connectivity, unlock ...)."""

    name: str
    actions: tuple[str, ...]
    sdk: str = ""


@dataclass(frozen=True, slots=True)
class SdkEvidence:
    """A third-party SDK named by the package of some of the app's component classes (MAN
    evidence for cross-checks with the policy's SDK list and with runtime attribution)."""

    sdk: str
    components: tuple[str, ...]  # the first 20
    count: int = 0  # how many components name the SDK

    def __post_init__(self) -> None:
        if self.count < len(self.components):
            object.__setattr__(self, "count", len(self.components))


@dataclass(frozen=True, slots=True)
class ManifestFacts:
    """What the manifest says, bounded and JSON-ready (``to_dict`` / ``from_dict``).

    Lists are cut at MAX_LISTED; ``permissions_count``, ``exported_unprotected_count``,
    ``wakeup_receivers_count`` and ``sdks_count`` give the full numbers. ``exposed_providers``
    holds every exported, unguarded provider. ``classes`` gives each declared permission's
    class from the platform's definitions (dangerous, special, normal, signature) or
    ``app-defined``. ``target_sdk`` is the effective level: the platform reads a missing
    targetSdkVersion as minSdkVersion, and a missing minSdkVersion as 1
    (``target_sdk_declared`` false then).

    Flags are effective values: ``cleartext`` is one of ``allowed`` (usesCleartextTraffic=true),
    ``allowed-by-default`` (no attribute, no network-security config, target SDK below 28),
    ``config`` (a network-security config decides; not read), ``blocked`` or
    ``blocked-by-default``. ``allow_backup`` is the effective value (the platform default is
    true); ``backup_rules`` says whether backup rules narrow it."""

    package: str
    source: str = ""  # "apk" or "model"
    version_name: str = ""
    version_code: int = 0
    min_sdk: int = 0
    target_sdk: int = 0
    permissions: tuple[str, ...] = ()
    dangerous: Mapping[str, str] = field(default_factory=dict)  # permission -> group
    special: tuple[str, ...] = ()
    classes: Mapping[str, str] = field(default_factory=dict)  # permission -> class (PERMISSION_CLASSES)
    target_sdk_declared: bool = True
    debuggable: bool = False
    cleartext: str = "blocked-by-default"
    allow_backup: bool = True
    backup_rules: bool = False
    exported_unprotected: tuple[ExposedComponent, ...] = ()
    wakeup_receivers: tuple[WakeupReceiver, ...] = ()
    sdks: tuple[SdkEvidence, ...] = ()
    components: int = 0
    exposed_providers: tuple[ExposedComponent, ...] = ()  # all of them, not cut at MAX_LISTED
    permissions_count: int = 0
    exported_unprotected_count: int = 0
    wakeup_receivers_count: int = 0
    sdks_count: int = 0

    def __post_init__(self) -> None:
        # facts built by hand (tests, older run.json): counts at least the listed lengths, and
        # the providers of the listed components when no full provider list was given
        if not self.exposed_providers and any(c.kind == "provider" for c in self.exported_unprotected):
            object.__setattr__(self, "exposed_providers", tuple(c for c in self.exported_unprotected if c.kind == "provider"))
        for count, listed in (("permissions_count", self.permissions), ("exported_unprotected_count", self.exported_unprotected), ("wakeup_receivers_count", self.wakeup_receivers), ("sdks_count", self.sdks)):
            if getattr(self, count) < len(listed):
                object.__setattr__(self, count, len(listed))

    @property
    def groups(self) -> tuple[str, ...]:
        """Distinct permission groups of the declared dangerous permissions."""
        return tuple(dict.fromkeys(self.dangerous.values()))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["dangerous"] = dict(self.dangerous)
        d["classes"] = dict(self.classes)
        for key in ("permissions", "special"):
            d[key] = list(d[key])
        out: dict[str, Any] = json.loads(json.dumps(d))  # tuples -> lists throughout
        return out

    @classmethod
    def from_dict(cls, d: Any, where: str = "manifest facts") -> ManifestFacts:
        """Rebuild facts from JSON (run.json); InputError naming ``where`` on a wrong shape."""
        if not isinstance(d, Mapping):
            raise InputError(f"{where}: manifest facts must be a mapping")

        def text(key: str, default: str = "") -> str:
            v = d.get(key, default)
            if not isinstance(v, str):
                raise InputError(f"{where}: '{key}' must be a string")
            return v[:_MAX_TEXT]

        def integer(key: str) -> int:
            v = d.get(key, 0)
            if isinstance(v, bool) or not isinstance(v, int):
                raise InputError(f"{where}: '{key}' must be an integer")
            return int(v)

        def flag(key: str, default: bool) -> bool:
            v = d.get(key, default)
            if not isinstance(v, bool):
                raise InputError(f"{where}: '{key}' must be true or false")
            return v

        def strings(v: Any, key: str) -> tuple[str, ...]:
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise InputError(f"{where}: '{key}' must be a list of strings")
            return tuple(x[:_MAX_TEXT] for x in v[:_MAX_PERMS])

        def records(key: str, limit: int = MAX_LISTED) -> list[Mapping[str, Any]]:
            v = d.get(key, [])
            if not isinstance(v, list) or not all(isinstance(x, Mapping) for x in v):
                raise InputError(f"{where}: '{key}' must be a list of mappings")
            return list(v[:limit])

        def exposed(key: str, limit: int = MAX_LISTED) -> tuple[ExposedComponent, ...]:
            return tuple(ExposedComponent(rec_text(r, "kind", key), rec_text(r, "name", key), rec_text(r, "sdk", key)) for r in records(key, limit))

        def rec_text(r: Mapping[str, Any], key: str, field_name: str) -> str:
            v = r.get(key, "")
            if not isinstance(v, str):
                raise InputError(f"{where}: '{field_name}.{key}' must be a string")
            return v[:_MAX_TEXT]

        dangerous = d.get("dangerous", {})
        if not isinstance(dangerous, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in dangerous.items()):
            raise InputError(f"{where}: 'dangerous' must map permission names to groups")
        classes = d.get("classes", {})
        if not isinstance(classes, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in classes.items()):
            raise InputError(f"{where}: 'classes' must map permission names to classes")
        cleartext = text("cleartext", "blocked-by-default")
        if cleartext not in _CLEARTEXT:
            raise InputError(f"{where}: 'cleartext' must be one of {', '.join(_CLEARTEXT)}")
        return cls(
            package=text("package"),
            source=text("source"),
            version_name=text("version_name"),
            version_code=integer("version_code"),
            min_sdk=integer("min_sdk"),
            target_sdk=integer("target_sdk"),
            permissions=strings(d.get("permissions", []), "permissions"),
            dangerous={k[:_MAX_TEXT]: v[:40] for k, v in list(dangerous.items())[:_MAX_PERMS]},
            special=strings(d.get("special", []), "special"),
            debuggable=flag("debuggable", False),
            cleartext=cleartext,
            allow_backup=flag("allow_backup", True),
            backup_rules=flag("backup_rules", False),
            classes={k[:_MAX_TEXT]: v[:20] for k, v in list(classes.items())[:_MAX_PERMS]},
            target_sdk_declared=flag("target_sdk_declared", True),
            exported_unprotected=exposed("exported_unprotected"),
            wakeup_receivers=tuple(
                WakeupReceiver(rec_text(r, "name", "wakeup_receivers"), strings(r.get("actions", []), "wakeup_receivers.actions"), rec_text(r, "sdk", "wakeup_receivers"))
                for r in records("wakeup_receivers")
            ),
            sdks=tuple(SdkEvidence(rec_text(r, "sdk", "sdks"), strings(r.get("components", []), "sdks.components"), _count(r.get("count", 0), where)) for r in records("sdks")),
            components=integer("components"),
            exposed_providers=exposed("exposed_providers", _MAX_PROVIDERS),
            permissions_count=integer("permissions_count"),
            exported_unprotected_count=integer("exported_unprotected_count"),
            wakeup_receivers_count=integer("wakeup_receivers_count"),
            sdks_count=integer("sdks_count"),
        )


def _count(v: Any, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise InputError(f"{where}: 'sdks.count' must be a non-negative integer")
    return int(v)


def _exported(c: Component, target_sdk: int) -> bool:
    """The platform's effective exported state: the attribute when given; otherwise a filter
    exports an activity, service or receiver, and a provider is exported below API 17."""
    if c.exported is not None:
        return c.exported
    if c.kind == "provider":
        return target_sdk < 17
    return c.has_filter


def _guarded(c: Component) -> bool:
    if c.permission:
        return True
    return c.kind == "provider" and bool(c.read_permission and c.write_permission)


def _sdk_of(name: str, package: str) -> str:
    """SDK id of a component class by the SDK catalogue's longest package prefix ('' if none)."""
    from harness.catalog.sdks import attribute

    sdk = attribute((name,), "", package)
    return sdk if sdk not in ("app", "") else ""


def effective_sdks(m: ApkManifest) -> tuple[int, int]:
    """(minSdk, targetSdk) as the platform reads them: a missing minSdkVersion is 1, a missing
    targetSdkVersion is the minSdkVersion (0 in ApkManifest means 'not declared')."""
    min_sdk = m.min_sdk if m.min_sdk > 0 else 1
    return min_sdk, m.target_sdk if m.target_sdk > 0 else min_sdk


def _cleartext(m: ApkManifest, target_sdk: int) -> str:
    if m.uses_cleartext_traffic is True:
        return "allowed"
    if m.network_security_config:
        return "config"
    if m.uses_cleartext_traffic is False:
        return "blocked"
    return "allowed-by-default" if target_sdk < 28 else "blocked-by-default"


def facts_from_manifest(m: ApkManifest, source: str = "apk") -> ManifestFacts:
    """Reduce a parsed manifest to the facts the static check judges."""
    declared = tuple(dict.fromkeys(p for p in m.permissions if p))
    perms = declared[:_MAX_PERMS]
    classes = {p: permission_class(p) for p in perms}
    # runtime permissions the group table does not know yet (the XR ones of API 36) count as OTHER
    dangerous = {p: group_of(p) or "OTHER" for p in perms if classes[p] == "dangerous"}
    special = tuple(p for p in perms if classes[p] == "special" or p in SPECIAL_PERMISSIONS)
    min_sdk, target_sdk = effective_sdks(m)
    exposed: list[ExposedComponent] = []
    wakeups: list[WakeupReceiver] = []
    by_sdk: dict[str, list[str]] = {}
    for c in m.components:
        sdk = _sdk_of(c.name, m.package) if c.name else ""
        if sdk:
            by_sdk.setdefault(sdk, []).append(c.name)
        if c.name != m.launcher_activity and _exported(c, target_sdk) and not _guarded(c):
            exposed.append(ExposedComponent(c.kind, c.name, sdk))
        if c.kind == "receiver":
            acts = tuple(a for a in c.actions if a in WAKEUP_ACTIONS)
            if acts:
                wakeups.append(WakeupReceiver(c.name, acts, sdk))
    return ManifestFacts(
        package=m.package,
        source=source,
        version_name=m.version_name,
        version_code=m.version_code,
        min_sdk=min_sdk,
        target_sdk=target_sdk,
        permissions=perms,
        dangerous=dangerous,
        special=special,
        classes=classes,
        target_sdk_declared=m.target_sdk > 0,
        debuggable=m.debuggable is True,
        cleartext=_cleartext(m, target_sdk),
        allow_backup=m.allow_backup is not False,
        backup_rules=m.backup_rules,
        exported_unprotected=tuple(exposed[:MAX_LISTED]),
        wakeup_receivers=tuple(wakeups[:MAX_LISTED]),
        sdks=tuple(SdkEvidence(s, tuple(names[:20]), len(names)) for s, names in sorted(by_sdk.items())[:MAX_LISTED]),
        components=len(m.components),
        exposed_providers=tuple(c for c in exposed if c.kind == "provider")[:_MAX_PROVIDERS],
        permissions_count=len(declared),
        exported_unprotected_count=len(exposed),
        wakeup_receivers_count=len(wakeups),
        sdks_count=len(by_sdk),
    )


def facts_of(info: Any) -> ManifestFacts | None:
    """The manifest facts a run recorded (``RunInfo.extra["manifest"]``), None when it has none."""
    extra = getattr(info, "extra", None)
    if not isinstance(extra, Mapping) or extra.get("manifest") is None:
        return None
    return ManifestFacts.from_dict(extra["manifest"], f"run {getattr(info, 'run_id', '')!s:.80}: run.json extra.manifest")


def apk_facts(app: str | Path) -> ManifestFacts:
    """Facts of an APK file or a folder of split APKs (the base APK's manifest)."""
    base, _splits = apk_files(app)
    return facts_from_manifest(read_manifest(base), "apk")
