"""Runtime permissions -> permission groups (permissions.yaml), and every platform permission's
class (permission_classes.json, distilled from the platform's protection levels by
tools/catalog/make_permission_classes.py)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from harness.errors import CatalogError

__all__ = ["permission_groups", "group_of", "groups_of", "GROUPS", "PERMISSION_CLASSES", "platform_permissions", "permission_class"]

#: Classes of permissions: the platform's four, and "app-defined" for any name the platform never
#: declared (vendor and app permissions, look-alikes such as com.vendor.permission.CAMERA).
PERMISSION_CLASSES: tuple[str, ...] = ("dangerous", "special", "normal", "signature", "app-defined")


@lru_cache(maxsize=1)
def permission_groups() -> dict[str, str]:
    """Map of short permission name (e.g. 'CAMERA') to its group."""
    text = resources.files("harness.catalog").joinpath("permissions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
        raise CatalogError("permissions.yaml: 'groups' must be a mapping")
    out: dict[str, str] = {}
    for group, perms in data["groups"].items():
        if not isinstance(perms, list) or not all(isinstance(p, str) for p in perms):
            raise CatalogError(f"permissions.yaml: group {group!r} must list permission names")
        for p in perms:
            out[p] = str(group)
    return out


GROUPS: tuple[str, ...] = tuple(dict.fromkeys(permission_groups().values()))


def group_of(permission: str) -> str:
    """'android.permission.ACCESS_FINE_LOCATION' -> 'LOCATION'; '' if not a runtime permission."""
    short = permission.rsplit(".", 1)[-1].strip().upper()
    return permission_groups().get(short, "")


def groups_of(permissions: Iterable[str]) -> tuple[str, ...]:
    """Distinct groups of a permission list, in first-seen order."""
    seen: dict[str, None] = {}
    for p in permissions:
        g = group_of(p)
        if g:
            seen[g] = None
    return tuple(seen)


@lru_cache(maxsize=1)
def platform_permissions() -> dict[str, str]:
    """Every permission name the Android platform declared (API 4 onwards) -> its class:
    dangerous (runtime), special (special app access), normal or signature."""
    text = resources.files("harness.catalog").joinpath("permission_classes.json").read_text(encoding="utf-8")
    data: Any = json.loads(text)
    perms = data.get("permissions") if isinstance(data, dict) else None
    if not isinstance(perms, dict):
        raise CatalogError("permission_classes.json: 'permissions' must be a mapping")
    out: dict[str, str] = {}
    for name, row in perms.items():
        if not isinstance(row, list) or not row or row[0] not in PERMISSION_CLASSES[:4]:
            raise CatalogError(f"permission_classes.json: {name!r}: first column must be one of {', '.join(PERMISSION_CLASSES[:4])}")
        out[str(name)] = str(row[0])
    return out


def permission_class(permission: str) -> str:
    """The platform's class of a full permission name; "app-defined" for names the platform
    never declared. Looked up by the full name: only the platform's own names count."""
    return platform_permissions().get(permission.strip(), "app-defined")
