"""App-type profiles (profiles.yaml): the necessary personal information of each app type.

Necessity rules need to know what an app of a given type may ask for: R23 (service refused on a
policy decline is a clear violation for the 13 types that need no personal information), R24
(login gates), R25 (permission groups unrelated to the type), R30 (app-list enumeration is part
of security and app-store apps), R31 (how much location the type needs). The profile of a run
is ``RunInfo.profile`` (a profile id) or chosen by the caller.

Profiles cover the 39 types of 必要个人信息范围规定 (2021) and the Shanghai seed scenarios the
regulation does not list. The file is validated when loaded; errors raise
:class:`harness.errors.CatalogError` naming the path inside the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness.catalog.permissions import GROUPS
from harness.catalog.yamldata import parse_yaml, read_bounded
from harness.errors import CatalogError

__all__ = ["LOCATION_MODES", "PiItem", "AppProfile", "ProfileCatalog", "load_profiles", "app_profile", "parse_profiles"]

LOCATION_MODES = ("none", "single", "continuous")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TYPE = re.compile(r"^\([一二三四五六七八九十]{1,4}\)$")
_MAX_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class PiItem:
    """A label of necessary personal information."""

    id: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class AppProfile:
    """What an app of one type needs (see profiles.yaml for each field's meaning)."""

    id: str
    type: str
    name_zh: str
    name_en: str
    basic_function: str
    necessary_pi: tuple[str, ...]
    needs_no_pi: bool
    account_required: bool
    related_groups: frozenset[str]
    location: str
    app_list: bool
    seed: str
    based_on: str
    source: str
    confidence: str
    notes: str

    @property
    def name(self) -> str:
        return f"{self.name_zh} ({self.name_en})"


class ProfileCatalog:
    """All profiles, by id."""

    def __init__(self, items: Mapping[str, PiItem], profiles: Mapping[str, AppProfile]) -> None:
        self.items = dict(items)
        self.profiles = dict(profiles)

    def get(self, profile_id: str) -> AppProfile:
        """The profile with this id; CatalogError naming the known ids otherwise."""
        key = profile_id.strip()
        try:
            return self.profiles[key]
        except KeyError:
            known = ", ".join(sorted(self.profiles))
            raise CatalogError(f"unknown app-type profile {profile_id[:80]!r} (known: {known})") from None

    def regulation_types(self) -> list[AppProfile]:
        """The profiles that are article-5 types of the 2021 regulation."""
        return [p for p in self.profiles.values() if p.type]

    def seeds(self) -> dict[str, list[AppProfile]]:
        out: dict[str, list[AppProfile]] = {}
        for p in self.profiles.values():
            if p.seed:
                out.setdefault(p.seed, []).append(p)
        return out


def _fail(where: str, msg: str) -> CatalogError:
    return CatalogError(f"profiles.yaml: {where}: {msg}")


def _map(v: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping) or not all(isinstance(k, str) for k in v):
        raise _fail(where, "expected a mapping with text keys")
    return v


def _str(v: Any, where: str, *, allow_empty: bool = False) -> str:
    if not isinstance(v, str) or (not allow_empty and not v.strip()):
        raise _fail(where, "expected non-empty text")
    return v.strip()


def _bool(v: Any, where: str) -> bool:
    if not isinstance(v, bool):
        raise _fail(where, "expected true or false")
    return v


def _strs(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise _fail(where, "expected a list")
    return tuple(_str(x, f"{where}[{i}]") for i, x in enumerate(v))


def _keys(m: Mapping[str, Any], where: str, required: Sequence[str], optional: Sequence[str]) -> None:
    missing = [k for k in required if k not in m]
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    extra = [k for k in m if k not in required and k not in optional]
    if extra:
        raise _fail(where, f"unknown field(s) {', '.join(sorted(extra))}")


def parse_profiles(data: Any, *, documents: Sequence[str] | None = None) -> ProfileCatalog:
    """Validate a loaded profiles.yaml document. ``documents``: known document ids (rules.yaml)."""
    root = _map(data, "document")
    _keys(root, "document", ("schema", "pi_items", "profiles"), ())
    if root["schema"] != 1:
        raise _fail("schema", f"unsupported schema {root['schema']!r} (expected 1)")
    items: dict[str, PiItem] = {}
    for iid, raw in _map(root["pi_items"], "pi_items").items():
        w = f"pi_items.{iid}"
        if not _ID.match(iid):
            raise _fail(w, "ids are lower_snake_case")
        m = _map(raw, w)
        _keys(m, w, ("zh", "en"), ())
        items[iid] = PiItem(iid, _str(m["zh"], f"{w}.zh"), _str(m["en"], f"{w}.en"))

    groups = set(GROUPS)
    profiles: dict[str, AppProfile] = {}
    types_seen: dict[str, str] = {}
    for pid, raw in _map(root["profiles"], "profiles").items():
        w = f"profiles.{pid}"
        if not _ID.match(pid):
            raise _fail(w, "profile ids are lower_snake_case")
        m = _map(raw, w)
        _keys(
            m,
            w,
            ("name", "basic_function", "necessary_pi", "account_required", "related_groups", "location", "confidence"),
            ("type", "needs_no_pi", "app_list", "seed", "based_on", "source", "notes"),
        )
        names = _map(m["name"], f"{w}.name")
        _keys(names, f"{w}.name", ("zh", "en"), ())
        ptype = _str(m.get("type", ""), f"{w}.type", allow_empty=True)
        if ptype:
            if not _TYPE.match(ptype):
                raise _fail(f"{w}.type", f"{ptype!r} is not an article-5 item like '(七)'")
            if ptype in types_seen:
                raise _fail(f"{w}.type", f"{ptype} is already used by {types_seen[ptype]}")
            types_seen[ptype] = pid
        necessary = _strs(m["necessary_pi"], f"{w}.necessary_pi")
        for i, item in enumerate(necessary):
            if item not in items:
                raise _fail(f"{w}.necessary_pi[{i}]", f"unknown item {item!r} (define it under pi_items)")
        needs_no_pi = _bool(m.get("needs_no_pi", False), f"{w}.needs_no_pi")
        if ptype and needs_no_pi != (not necessary):
            raise _fail(w, "for regulation types, needs_no_pi must be true exactly when necessary_pi is empty")
        related = _strs(m["related_groups"], f"{w}.related_groups")
        for i, g in enumerate(related):
            if g not in groups:
                raise _fail(f"{w}.related_groups[{i}]", f"unknown permission group {g!r}")
        location = _str(m["location"], f"{w}.location")
        if location not in LOCATION_MODES:
            raise _fail(f"{w}.location", f"{location!r} is not one of {', '.join(LOCATION_MODES)}")
        if (location != "none") != ("LOCATION" in related):
            raise _fail(w, "location must be 'none' exactly when LOCATION is not in related_groups")
        source = _str(m.get("source", "necessary_pi_rules"), f"{w}.source")
        if documents is not None and source not in documents:
            raise _fail(f"{w}.source", f"unknown document {source!r} (see rules.yaml documents)")
        confidence = _str(m["confidence"], f"{w}.confidence")
        if confidence not in ("V", "M", "U"):
            raise _fail(f"{w}.confidence", "expected V, M or U")
        profiles[pid] = AppProfile(
            id=pid,
            type=ptype,
            name_zh=_str(names["zh"], f"{w}.name.zh"),
            name_en=_str(names["en"], f"{w}.name.en"),
            basic_function=_str(m["basic_function"], f"{w}.basic_function"),
            necessary_pi=necessary,
            needs_no_pi=needs_no_pi,
            account_required=_bool(m["account_required"], f"{w}.account_required"),
            related_groups=frozenset(related),
            location=location,
            app_list=_bool(m.get("app_list", False), f"{w}.app_list"),
            seed=_str(m.get("seed", ""), f"{w}.seed", allow_empty=True),
            based_on=_str(m.get("based_on", ""), f"{w}.based_on", allow_empty=True),
            source=source,
            confidence=confidence,
            notes=_str(m.get("notes", ""), f"{w}.notes", allow_empty=True),
        )
    for pid, p in profiles.items():
        if p.based_on and p.based_on not in profiles:
            raise _fail(f"profiles.{pid}.based_on", f"unknown profile {p.based_on!r}")
        if p.based_on and p.type:
            raise _fail(f"profiles.{pid}.based_on", "a regulation type is not based on another profile")
    return ProfileCatalog(items, profiles)


def _load_text(text: str, where: str) -> ProfileCatalog:
    from harness.catalog.rules import load_rules

    data = parse_yaml(text, where)
    return parse_profiles(data, documents=list(load_rules().documents))


@lru_cache(maxsize=1)
def _default() -> ProfileCatalog:
    text = resources.files("harness.catalog").joinpath("profiles.yaml").read_text(encoding="utf-8")
    return _load_text(text, "profiles.yaml")


def load_profiles(path: str | Path | None = None) -> ProfileCatalog:
    """Load and validate a profile catalogue; the packaged one (cached) when ``path`` is None."""
    if path is None:
        return _default()
    p = Path(path)
    return _load_text(read_bounded(p, "profile catalogue", _MAX_BYTES), str(p))


def app_profile(profile_id: str) -> AppProfile:
    """The packaged profile with this id (CatalogError listing the known ids if unknown)."""
    return load_profiles().get(profile_id)
