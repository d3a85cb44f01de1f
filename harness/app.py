"""What the harness knows about the app under test, beyond its package: :class:`AppConfig`.

:func:`resolve_app` asks the device kind for the first version (:meth:`harness.devices.kinds.DeviceKind.resolve_app`:
a reference model's features and manifest, or an APK's manifest facts); an app-config file
(``--app-config``) and an app list's ``label`` / ``profile`` columns refine it with
:meth:`AppConfig.refined`, which never drops what it does not replace (the manifest facts in
particular). Plain data, below the runner, the scenarios and the assembly point.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import yamlio
from harness.errors import InputError

if TYPE_CHECKING:
    from harness.devices.base import Driver

__all__ = ["AppFeature", "AppConfig", "features_from", "load_app_config", "resolve_app"]


@dataclass(frozen=True, slots=True)
class AppFeature:
    """A user path through the app: the controls to tap (resource id suffix or exact text), the
    intent it expresses (camera, location, browse, ...), whether it is a basic function, and a
    text or id that shows the function worked."""

    name: str
    taps: tuple[str, ...]
    intent: str = ""
    basic: bool = False
    expect: str = ""


@dataclass(frozen=True, slots=True)
class AppConfig:
    """What the harness knows about the app beyond its package: its features and its app-type
    profile (the necessary-PI profile). From the sim model, or from ``--app-config FILE``."""

    package: str
    label: str = ""
    profile: str = ""
    features: tuple[AppFeature, ...] = ()
    #: static-check facts (harness.static.ManifestFacts.to_dict()), written to run.json as
    #: ``extra["manifest"]``; None when the app's manifest was not read
    manifest: dict[str, Any] | None = None
    #: what the target is, for the reports (written to run.json as ``extra["target"]``):
    #: ``kind`` (``reference-page``, ``url``...), ``simulated`` (a target written for the
    #: harness, not a real service), and where it was (``url``, ``page``); None: not said
    target: dict[str, Any] | None = None

    def feature(self, name: str) -> AppFeature | None:
        return next((f for f in self.features if f.name == name), None)

    def refined(self, *, label: str = "", profile: str = "", features: tuple[AppFeature, ...] = ()) -> AppConfig:
        """This config with the given non-empty values replacing its own; everything else
        (the package and the manifest facts) is kept."""
        return dataclasses.replace(self, label=label or self.label, profile=profile or self.profile, features=features or self.features)


#: Keys an app config may hold, at the top and in each feature.
APP_CONFIG_KEYS = ("label", "profile", "features")
FEATURE_KEYS = ("taps", "intent", "basic", "expect")


def _check_keys(data: dict[Any, Any], allowed: tuple[str, ...], file: str, where: str) -> None:
    """Unknown keys are an error naming the line and the closest known key: a typo must not
    silently drop a feature check."""
    import difflib

    for key in data:
        if str(key) not in allowed:
            near = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{near[0]}'?" if near else f" (known: {', '.join(allowed)})"
            raise InputError(f"{file}:{yamlio.line_of(data, key)}: unknown key '{key}' in {where}{hint}")


def features_from(data: Any, file: str) -> tuple[AppFeature, ...]:
    """The ``features:`` mapping of an app config (name -> taps, intent, basic, expect)."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise InputError(f"{file}: 'features' must be a mapping of feature name to its path")
    out = []
    for name, f in data.items():
        if isinstance(f, dict):
            _check_keys(f, FEATURE_KEYS, file, f"feature '{name}'")
        if not isinstance(f, dict) or not isinstance(f.get("taps"), list) or not f["taps"]:
            raise InputError(f"{file}:{yamlio.line_of(data, name)}: feature '{name}' needs a non-empty 'taps' list")
        out.append(AppFeature(str(name), tuple(str(t) for t in f["taps"]), str(f.get("intent", "")), bool(f.get("basic", False)), str(f.get("expect", ""))))
    return tuple(out)


def load_app_config(path: str | Path, package: str) -> AppConfig:
    """An app config file for real apps: label, profile and features (same shape as in the
    reference-device models)."""
    data = yamlio.load_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: an app config is a mapping (label, profile, features)")
    _check_keys(data, APP_CONFIG_KEYS, str(path), "the app config")
    return AppConfig(package=package, label=str(data.get("label", package)), profile=str(data.get("profile", "")), features=features_from(data.get("features"), str(path)))


def resolve_app(driver: Driver, app: str, app_config: str | None = None, *, label: str = "", profile: str = "") -> AppConfig:
    """Install or identify the app under test and say what the harness knows about it: the
    device kind's own knowledge (a reference model's features and manifest, an APK's manifest
    facts), refined by an app-config file and then by ``label`` / ``profile`` overrides. The
    manifest facts are never dropped by a refinement."""
    from harness.devices.kinds import kind_of

    cfg = kind_of(driver).resolve_app(driver, app)
    if app_config:
        extra = load_app_config(app_config, cfg.package)
        cfg = cfg.refined(label=extra.label, profile=extra.profile, features=extra.features)
    return cfg.refined(label=label, profile=profile)
