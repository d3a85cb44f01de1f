"""Runtime permissions -> permission groups, from permissions.yaml."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import yaml

from harness.errors import CatalogError

__all__ = ["permission_groups", "group_of", "groups_of", "GROUPS"]


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
