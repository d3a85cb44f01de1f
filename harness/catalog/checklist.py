"""The 认定方法 checklist catalogue (checklist.yaml): the 31 items of the 2019 identification
method and the EU points, each mapped to the rules that test it.

An item says how much of it the rules cover (``full`` | ``partial`` | ``none``), what a run must
have done before an absence of findings may be read as compliant (``requires``: conditions such
as ``explore``, ``decline``, ``network``), and how its wording was confirmed (``check``: FULL, XH,
ECHO, EN or OFF). OFF wordings are not confirmed against a stored copy; reports mark them.

``load_checklist()`` validates the packaged file against the rule catalogue and caches it; any
schema error is a :class:`harness.errors.CatalogError` naming the place in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.catalog.rules import RuleCatalog, load_rules
from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError

__all__ = [
    "CHECK_MARKS",
    "COVERAGES",
    "CONDITIONS",
    "UNAVAILABLE",
    "ChecklistItem",
    "Checklist",
    "load_checklist",
    "parse_checklist",
]

CHECK_MARKS = ("FULL", "XH", "ECHO", "EN", "OFF")
COVERAGES = ("full", "partial", "none")
#: Conditions a run can meet (see checklist.yaml).
CONDITIONS = ("any", "api", "decline", "deny", "accept", "explore", "prompt", "profile", "network", "account", "upgrade", "backend", "manual")
#: Conditions no run of this harness version can meet: items needing them are never 符合.
UNAVAILABLE = frozenset({"network", "account", "upgrade", "backend", "manual"})
_ITEM_ID = re.compile(r"^[一二三四五六]\.\d$")
_EU_ID = re.compile(r"^EU\.\d{1,2}$")


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One checklist item: an 认定方法 item (``一.1`` ...) or an EU point (``EU.3``)."""

    id: str
    section: str
    text: str  # the official wording (认定方法) or the point's title (EU)
    gloss: str
    check: str  # wording confirmation mark; '' for EU points
    rules: tuple[str, ...]
    coverage: str
    requires: tuple[str, ...]
    remaining: Mapping[str, str]

    @property
    def wording_confirmed(self) -> bool:
        return self.check != "OFF"


@dataclass(frozen=True, slots=True)
class Checklist:
    """The validated checklist."""

    sections: Mapping[str, Mapping[str, str]]
    conditions: Mapping[str, Mapping[str, str]]
    items: tuple[ChecklistItem, ...]
    eu_points: tuple[ChecklistItem, ...]

    def item(self, item_id: str) -> ChecklistItem:
        for it in (*self.items, *self.eu_points):
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def items_for_rule(self, rule_id: str) -> list[ChecklistItem]:
        return [it for it in (*self.items, *self.eu_points) if rule_id in it.rules]


def _fail(where: str, msg: str) -> CatalogError:
    return CatalogError(f"checklist.yaml: {where}: {msg}")


def _map(v: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping) or not all(isinstance(k, str) for k in v):
        raise _fail(where, "expected a mapping with text keys")
    return v


def _text(v: Any, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise _fail(where, "expected non-empty text")
    return v.strip()


def _list(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise _fail(where, "expected a list")
    return tuple(_text(x, f"{where}[{i}]") for i, x in enumerate(v))


def _langs(v: Any, where: str, langs: tuple[str, ...]) -> dict[str, str]:
    m = _map(v, where)
    out = {k: _text(x, f"{where}.{k}") for k, x in m.items()}
    bad = [k for k in out if k not in ("zh", "en")]
    if bad:
        raise _fail(where, f"unknown language(s) {', '.join(bad)} (zh, en)")
    missing = [k for k in langs if k not in out]
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    return out


def _item(iid: str, raw: Any, where: str, rules: RuleCatalog, *, eu: bool) -> ChecklistItem:
    m = _map(raw, where)
    allowed = {"title", "rules", "coverage", "requires", "remaining"} if eu else {"text", "gloss", "check", "rules", "coverage", "requires", "remaining"}
    extra = sorted(set(m) - allowed)
    if extra:
        raise _fail(where, f"unknown field(s) {', '.join(extra)}")
    rule_ids = _list(m.get("rules", []), f"{where}.rules")
    for i, rid in enumerate(rule_ids):
        if rid not in rules.rules:
            raise _fail(f"{where}.rules[{i}]", f"unknown rule {rid!r}")
    coverage = _text(m.get("coverage"), f"{where}.coverage")
    if coverage not in COVERAGES:
        raise _fail(f"{where}.coverage", f"{coverage!r} is not one of {', '.join(COVERAGES)}")
    if coverage != "none" and not rule_ids:
        raise _fail(f"{where}.coverage", "an item without rules has coverage none")
    requires = _list(m.get("requires", []), f"{where}.requires")
    if not requires:
        raise _fail(f"{where}.requires", "name at least one condition")
    for i, c in enumerate(requires):
        if c not in CONDITIONS:
            raise _fail(f"{where}.requires[{i}]", f"{c!r} is not one of {', '.join(CONDITIONS)}")
    remaining: dict[str, str] = {}
    if "remaining" in m:
        remaining = _langs(m["remaining"], f"{where}.remaining", ("en",) if eu else ("zh", "en"))
    if coverage == "partial" and not remaining:
        raise _fail(f"{where}.remaining", "a partly covered item says what is left for a person")
    if eu:
        return ChecklistItem(iid, "EU", _text(m.get("title"), f"{where}.title"), "", "", rule_ids, coverage, requires, remaining)
    check = _text(m.get("check"), f"{where}.check")
    if check not in CHECK_MARKS:
        raise _fail(f"{where}.check", f"{check!r} is not one of {', '.join(CHECK_MARKS)}")
    return ChecklistItem(
        iid, iid.split(".")[0], _text(m.get("text"), f"{where}.text"), _text(m.get("gloss"), f"{where}.gloss"), check, rule_ids, coverage, requires, remaining
    )


def parse_checklist(data: Any, rules: RuleCatalog | None = None) -> Checklist:
    """Validate a loaded checklist.yaml against the rule catalogue."""
    rules = rules or load_rules()
    root = _map(data, "document")
    extra = sorted(set(root) - {"schema", "sections", "conditions", "items", "eu_points"})
    if extra:
        raise _fail("document", f"unknown field(s) {', '.join(extra)}")
    if root.get("schema") != 1:
        raise _fail("schema", f"unsupported schema {root.get('schema')!r} (expected 1)")
    sections = {k: _langs(v, f"sections.{k}", ("zh", "en")) for k, v in _map(root.get("sections"), "sections").items()}
    conditions = {k: _langs(v, f"conditions.{k}", ("zh", "en")) for k, v in _map(root.get("conditions"), "conditions").items()}
    missing = [c for c in CONDITIONS if c not in conditions]
    if missing:
        raise _fail("conditions", f"missing {', '.join(missing)}")
    items: list[ChecklistItem] = []
    for iid, raw in _map(root.get("items"), "items").items():
        if not _ITEM_ID.match(iid):
            raise _fail(f"items.{iid}", "item ids look like 三.2")
        if iid.split(".")[0] not in sections:
            raise _fail(f"items.{iid}", "its section is not listed under sections")
        items.append(_item(iid, raw, f"items.{iid}", rules, eu=False))
    eu: list[ChecklistItem] = []
    for iid, raw in _map(root.get("eu_points", {}), "eu_points").items():
        if not _EU_ID.match(iid):
            raise _fail(f"eu_points.{iid}", "EU point ids look like EU.3")
        eu.append(_item(iid, raw, f"eu_points.{iid}", rules, eu=True))
    return Checklist(sections=sections, conditions=conditions, items=tuple(items), eu_points=tuple(eu))


@lru_cache(maxsize=1)
def load_checklist() -> Checklist:
    """The packaged checklist (validated, cached)."""
    text = resources.files("harness.catalog").joinpath("checklist.yaml").read_text(encoding="utf-8")
    return parse_checklist(parse_yaml(text, "checklist.yaml"))
