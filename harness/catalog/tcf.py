"""The IAB TCF catalogue (tcf.yaml): purpose and special-feature names, and the purposes that
need consent (a legitimate-interest signal for them is judged by R46), each with its verdict and
the provenance of that judgement. Validated when loaded; errors raise
:class:`harness.errors.CatalogError` naming the path inside the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError
from harness.findings import PROVENANCES

__all__ = ["ConsentOnly", "TcfCatalog", "load_tcf", "parse_tcf"]


@dataclass(frozen=True, slots=True)
class ConsentOnly:
    """A purpose that needs consent: the verdict a legitimate-interest signal for it gets, and why."""

    purpose: int
    verdict: str
    provenance: str
    why: str


@dataclass(frozen=True, slots=True)
class TcfCatalog:
    purposes: Mapping[int, str]
    special_features: Mapping[int, str]
    consent_only: Mapping[int, ConsentOnly]

    def purpose_name(self, pid: int) -> str:
        return self.purposes.get(pid, f"purpose {pid}")


def _names(raw: Any, where: str, hi: int) -> dict[int, str]:
    if not isinstance(raw, dict) or not raw:
        raise CatalogError(f"{where}: must be a non-empty mapping of id -> name")
    out: dict[int, str] = {}
    for k, v in raw.items():
        if not isinstance(k, int) or not 1 <= k <= hi or isinstance(k, bool):
            raise CatalogError(f"{where}: id {k!r} is not an integer 1..{hi}")
        if not isinstance(v, str) or not v.strip():
            raise CatalogError(f"{where}.{k}: name must be a non-empty string")
        out[k] = v.strip()
    return out


def parse_tcf(data: Any, where: str = "tcf.yaml") -> TcfCatalog:
    if not isinstance(data, dict) or data.get("schema") != 1:
        raise CatalogError(f"{where}: schema must be 1")
    unknown = set(data) - {"schema", "purposes", "special_features", "consent_only"}
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {sorted(unknown)}")
    purposes = _names(data.get("purposes"), f"{where}.purposes", 24)
    special = _names(data.get("special_features"), f"{where}.special_features", 12)
    raw = data.get("consent_only")
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}.consent_only: must be a mapping of purpose id -> entry")
    co: dict[int, ConsentOnly] = {}
    for k, v in raw.items():
        w = f"{where}.consent_only.{k}"
        if k not in purposes:
            raise CatalogError(f"{w}: not a purpose of the catalogue")
        if not isinstance(v, dict) or set(v) != {"verdict", "provenance", "why"}:
            raise CatalogError(f"{w}: needs exactly verdict, provenance and why")
        if v["verdict"] not in ("violation", "needs-review"):
            raise CatalogError(f"{w}.verdict: violation or needs-review, not {v['verdict']!r}")
        if v["provenance"] not in PROVENANCES:
            raise CatalogError(f"{w}.provenance: one of {', '.join(PROVENANCES)}, not {v['provenance']!r}")
        if not isinstance(v["why"], str) or not v["why"].strip():
            raise CatalogError(f"{w}.why: must say why")
        co[k] = ConsentOnly(k, v["verdict"], v["provenance"], v["why"].strip())
    return TcfCatalog(purposes, special, co)


@lru_cache(maxsize=1)
def load_tcf() -> TcfCatalog:
    """The packaged catalogue (cached)."""
    text = resources.files("harness.catalog").joinpath("tcf.yaml").read_text(encoding="utf-8")
    return parse_tcf(parse_yaml(text, "tcf.yaml"))
