"""The sensitive-API catalogue (``apis.yaml``): every hook point, validated at load.

The catalogue is data (house habit 7): the Frida agent receives it serialized through its
``init`` export (:meth:`Api.to_agent`), the reference device and the detectors cite its ids and
categories, and nothing else in the code repeats the list.

Ids follow ``<SimpleClassName>.<method>`` with ``#<tag>`` for argument-filtered variants
(``Settings$Secure.getString#android_id``); constructors are written ``Class.<init>`` in ids and
``$init`` as the method (the Frida bridge's name).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError

__all__ = [
    "Api",
    "ArgFilter",
    "CATEGORIES",
    "PI_CATEGORIES",
    "HIGH_RISK_CATEGORIES",
    "KINDS",
    "ORIGINS",
    "FILTER_OPS",
    "load_apis",
    "parse_apis",
    "api_by_id",
    "apis_by_category",
    "select_apis",
    "catalog_hash",
]

CATEGORIES: tuple[str, ...] = (
    "DEVICE_ID",
    "AD_ID",
    "NET_ID",
    "APP_LIST",
    "LOCATION",
    "CONTACTS",
    "CALL_LOG",
    "SMS",
    "CALENDAR",
    "MEDIA",
    "CLIPBOARD",
    "CAMERA",
    "MIC",
    "SENSOR",
    "ACCOUNTS",
    "PHONE_NUMBER",
    "PERM_REQ",
    "DEVICE_INFO",
    "APP_START",
    "LIFECYCLE",
)
"""Every category an entry may carry (exact strings shared with detectors and rules)."""

PI_CATEGORIES: frozenset[str] = frozenset(CATEGORIES) - {"PERM_REQ", "DEVICE_INFO", "APP_START", "LIFECYCLE"}
"""Categories that are personal information (collection before consent is judged)."""

HIGH_RISK_CATEGORIES: frozenset[str] = frozenset(
    {"DEVICE_ID", "NET_ID", "APP_LIST", "LOCATION", "CONTACTS", "SMS", "CALL_LOG", "CLIPBOARD", "CAMERA", "MIC", "PHONE_NUMBER"}
)
"""Categories the Chinese rules treat as sensitive or high-frequency abuse targets."""

KINDS: tuple[str, ...] = ("java", "native", "lifecycle")
ORIGINS: tuple[str, ...] = ("sdk", "hidden", "library", "vendor", "libc")
"""Where a hook point lives: ``sdk`` a public Android/Java SDK method (checked against the public
API data in the coverage bench), ``hidden`` framework code outside the public SDK (hidden classes
and methods), ``library`` a class an app bundles (Play services, androidx, third-party SDKs),
``vendor`` OEM system code, ``libc`` native."""
FILTER_OPS: tuple[str, ...] = (
    "equals", "prefix", "contains", "glob", "fd_path", "foreign_package", "foreign_component", "sensor_type", "path_glob",
)
_VALUE_OPS = frozenset({"equals", "prefix", "contains", "glob", "fd_path", "sensor_type", "path_glob"})
LIFE_STATES: tuple[str, ...] = ("started", "foreground", "background", "visible", "hidden")

_CLASS_RE = re.compile(r"^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)*$")
_METHOD_RE = re.compile(r"^(\$init|[A-Za-z_][\w$]*)$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_]+$")
_SIG_RE = re.compile(r"^\(([\w$.\[\]]+(,[\w$.\[\]]+)*)?\)$")
_KNOWN_KEYS = frozenset(
    {
        "id", "class", "classes", "method", "category", "api", "overloads", "filter", "keep_return",
        "kind", "desc", "perms_arg", "life", "symbols", "ret_arg", "enabled", "origin",
    }
)
_MAX_ENTRIES = 5000


@dataclass(frozen=True, slots=True)
class ArgFilter:
    """Record a call only when argument ``arg`` passes ``op`` (against ``values`` if the op needs
    them). Evaluated inside the agent, so filtered-out calls never cross to the host."""

    arg: int
    op: str
    values: tuple[str, ...] = ()

    def to_agent(self) -> dict[str, Any]:
        return {"arg": self.arg, "op": self.op, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class Api:
    """One hook point of the catalogue. ``overloads`` is empty for "all overloads", otherwise
    parameter lists in Java source form without spaces, e.g. ``(android.content.ContentResolver,java.lang.String)``."""

    id: str
    cls: str
    method: str
    category: str
    kind: str = "java"
    api_min: int = 1
    api_max: int | None = None
    overloads: tuple[str, ...] = ()
    arg_filter: ArgFilter | None = None
    keep_return: bool = False
    description: str = ""
    classes: tuple[str, ...] = ()
    perms_arg: int | None = None
    life: str = ""
    symbols: tuple[str, ...] = ()
    ret_arg: int | None = None
    enabled: bool = True
    origin: str = "sdk"

    @property
    def hook_classes(self) -> tuple[str, ...]:
        """The classes the agent actually hooks (``classes`` or just ``cls``)."""
        return self.classes or (self.cls,)

    @property
    def is_pi(self) -> bool:
        return self.category in PI_CATEGORIES

    @property
    def is_high_risk(self) -> bool:
        return self.category in HIGH_RISK_CATEGORIES

    def available_on(self, sdk: int) -> bool:
        """Whether the method exists on Android API level ``sdk``."""
        return self.api_min <= sdk and (self.api_max is None or sdk <= self.api_max)

    def to_agent(self) -> dict[str, Any]:
        """The compact form the agent's ``init`` export receives."""
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "cat": self.category,
            "cls": list(self.hook_classes),
            "m": self.method,
            "ret": self.keep_return,
            "api": [self.api_min, self.api_max],
        }
        if self.overloads:
            out["ov"] = list(self.overloads)
        if self.arg_filter is not None:
            out["f"] = self.arg_filter.to_agent()
        if self.perms_arg is not None:
            out["perms"] = self.perms_arg
        if self.life:
            out["life"] = self.life
        if self.symbols:
            out["sym"] = list(self.symbols)
        if self.ret_arg is not None:
            out["retArg"] = self.ret_arg
        return out


def _fail(where: str, fld: str, why: str) -> CatalogError:
    return CatalogError(f"apis.yaml: {where}: field '{fld}': {why}")


def _str(entry: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None) -> str:
    v = entry.get(key)
    if not isinstance(v, str) or not v.strip():
        raise _fail(where, key, "must be a non-empty string")
    if pattern is not None and not pattern.fullmatch(v):
        raise _fail(where, key, f"{v!r} is not well-formed")
    return v


def _opt_int(entry: Mapping[str, Any], key: str, where: str, lo: int = 0, hi: int = 64) -> int | None:
    v = entry.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise _fail(where, key, f"must be an integer in [{lo}, {hi}], got {v!r}")
    return int(v)


def _str_tuple(v: Any, where: str, key: str, pattern: re.Pattern[str] | None = None) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        raise _fail(where, key, "must be a non-empty list of strings")
    if pattern is not None:
        for x in v:
            if not pattern.fullmatch(x):
                raise _fail(where, key, f"{x!r} is not well-formed")
    return tuple(v)


def _filter(v: Any, where: str, kind: str) -> ArgFilter | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise _fail(where, "filter", "must be a mapping {arg, op, values}")
    unknown = set(v) - {"arg", "op", "values"}
    if unknown:
        raise _fail(where, "filter", f"unknown keys {sorted(unknown)}")
    op = v.get("op")
    if op not in FILTER_OPS:
        raise _fail(where, "filter.op", f"must be one of {', '.join(FILTER_OPS)}, got {op!r}")
    if op in ("glob", "fd_path") and kind != "native":
        raise _fail(where, "filter.op", f"{op!r} is only for native hooks")
    arg = v.get("arg")
    if isinstance(arg, bool) or not isinstance(arg, int) or not 0 <= arg <= 16:
        raise _fail(where, "filter.arg", f"must be an argument index 0..16, got {arg!r}")
    values: tuple[str, ...] = ()
    if op in _VALUE_OPS:
        raw = v.get("values")
        if not isinstance(raw, list) or not raw:
            raise _fail(where, "filter.values", f"op {op!r} needs a non-empty list")
        values = tuple(str(x) for x in raw)
        if not all(values):
            raise _fail(where, "filter.values", "empty value")
    elif v.get("values"):
        raise _fail(where, "filter.values", f"op {op!r} takes no values")
    if op == "sensor_type":
        bad = [x for x in values if not x.lstrip("-").isdigit()]
        if bad:
            raise _fail(where, "filter.values", f"sensor types are integers (Sensor.TYPE_*), got {bad[0]!r}")
    return ArgFilter(arg=arg, op=str(op), values=values)


def _entry(raw: Any, index: int, defaults: Mapping[str, Any]) -> Api:
    where = f"entry {index}"
    if not isinstance(raw, dict):
        raise CatalogError(f"apis.yaml: {where}: must be a mapping, got {type(raw).__name__}")
    if isinstance(raw.get("id"), str):
        where = f"entry {index} ({raw['id']})"
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise _fail(where, sorted(unknown)[0], "unknown field")
    e: dict[str, Any] = {**defaults, **raw}
    api_id = _str(e, "id", where)
    kind = e.get("kind")
    if kind not in KINDS:
        raise _fail(where, "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    cls = _str(e, "class", where, None if kind == "native" else _CLASS_RE)
    method = _str(e, "method", where, _METHOD_RE)
    category = e.get("category")
    if category not in CATEGORIES:
        raise _fail(where, "category", f"unknown category {category!r}")

    # id convention: <SimpleClassName>.<method>[#tag]
    base, _, tag = api_id.partition("#")
    simple = cls.rsplit(".", 1)[-1]
    shown_method = "<init>" if method == "$init" else method
    if base != f"{simple}.{shown_method}":
        raise _fail(where, "id", f"must start with '{simple}.{shown_method}' (class simple name and method)")
    if tag and not _TAG_RE.fullmatch(tag):
        raise _fail(where, "id", f"tag {tag!r} must be letters, digits, underscores")

    rng = e.get("api")
    if (
        not isinstance(rng, list)
        or len(rng) != 2
        or isinstance(rng[0], bool)
        or not isinstance(rng[0], int)
        or not (rng[1] is None or (isinstance(rng[1], int) and not isinstance(rng[1], bool)))
    ):
        raise _fail(where, "api", "must be [min SDK, max SDK or null]")
    api_min, api_max = int(rng[0]), rng[1]
    if not 1 <= api_min <= 100 or (api_max is not None and not api_min <= api_max <= 100):
        raise _fail(where, "api", f"range {rng!r} is not a valid SDK range")

    ov = e.get("overloads")
    overloads: tuple[str, ...] = ()
    if ov != "all":
        overloads = tuple(s.replace(" ", "") for s in _str_tuple(ov, where, "overloads"))
        for s in overloads:
            if not _SIG_RE.fullmatch(s):
                raise _fail(where, "overloads", f"{s!r} is not a parameter list like '(int,java.lang.String)'")

    arg_filter = _filter(e.get("filter"), where, str(kind))
    if tag and arg_filter is None:
        raise _fail(where, "filter", f"id has a '#{tag}' variant tag but no filter")
    if arg_filter is not None and not tag:
        raise _fail(where, "id", "a filtered entry needs a '#<tag>' in its id")

    keep_return = e.get("keep_return")
    enabled = e.get("enabled")
    for key, val in (("keep_return", keep_return), ("enabled", enabled)):
        if not isinstance(val, bool):
            raise _fail(where, key, "must be true or false")
    desc = _str(e, "desc", where)
    if len(desc) > 200:
        raise _fail(where, "desc", "must be one line of at most 200 characters")

    classes: tuple[str, ...] = ()
    if e.get("classes") is not None:
        classes = _str_tuple(e.get("classes"), where, "classes", _CLASS_RE)

    perms_arg = _opt_int(e, "perms_arg", where, 0, 16)
    if (category == "PERM_REQ") != (perms_arg is not None):
        raise _fail(where, "perms_arg", "is required for PERM_REQ entries and only for them")

    life = e.get("life") or ""
    if kind == "lifecycle":
        if life not in LIFE_STATES:
            raise _fail(where, "life", f"lifecycle entries need life in {', '.join(LIFE_STATES)}")
        if category != "LIFECYCLE":
            raise _fail(where, "category", "lifecycle entries have category LIFECYCLE")
    elif life:
        raise _fail(where, "life", "only lifecycle entries have a life state")

    symbols: tuple[str, ...] = ()
    ret_arg = _opt_int(e, "ret_arg", where, 0, 16)
    if kind == "native":
        if cls != "libc":
            raise _fail(where, "class", "native entries hook 'libc'")
        symbols = _str_tuple(e.get("symbols"), where, "symbols", re.compile(r"^[A-Za-z_]\w*$"))
        if arg_filter is None:
            raise _fail(where, "filter", "native hooks must be filtered (path glob, fd_path or equals)")
    else:
        if e.get("symbols") is not None or ret_arg is not None:
            raise _fail(where, "symbols", "symbols/ret_arg are only for native entries")

    origin = e.get("origin")
    if origin is None:
        origin = "libc" if kind == "native" else ("sdk" if cls.startswith(("android.", "java.", "javax.")) else "library")
    if origin not in ORIGINS:
        raise _fail(where, "origin", f"must be one of {', '.join(ORIGINS)}, got {origin!r}")
    if (origin == "libc") != (kind == "native"):
        raise _fail(where, "origin", "'libc' is the origin of native entries and only of them")

    return Api(
        id=api_id,
        cls=cls,
        method=method,
        category=str(category),
        kind=str(kind),
        api_min=api_min,
        api_max=api_max,
        overloads=overloads,
        arg_filter=arg_filter,
        keep_return=bool(keep_return),
        description=desc,
        classes=classes,
        perms_arg=perms_arg,
        life=str(life),
        symbols=symbols,
        ret_arg=ret_arg,
        enabled=bool(enabled),
        origin=str(origin),
    )


def parse_apis(data: Any) -> tuple[Api, ...]:
    """Validate a parsed catalogue document and build its entries.

    Raises :class:`CatalogError` naming the entry (index and id) and the field at fault.
    """
    if not isinstance(data, dict):
        raise CatalogError("apis.yaml: the document must be a mapping with 'schema' and 'apis'")
    if data.get("schema") != 1:
        raise CatalogError(f"apis.yaml: field 'schema': unsupported version {data.get('schema')!r} (expected 1)")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict) or set(defaults) - _KNOWN_KEYS:
        raise CatalogError("apis.yaml: field 'defaults': must be a mapping of entry fields")
    base_defaults: dict[str, Any] = {"overloads": "all", "filter": None, "keep_return": False, "kind": "java", "api": [1, None], "enabled": True}
    base_defaults.update(defaults)
    entries = data.get("apis")
    if not isinstance(entries, list) or not entries:
        raise CatalogError("apis.yaml: field 'apis': must be a non-empty list")
    if len(entries) > _MAX_ENTRIES:
        raise CatalogError(f"apis.yaml: field 'apis': {len(entries)} entries exceed the limit of {_MAX_ENTRIES}")
    out: list[Api] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(entries):
        api = _entry(raw, i, base_defaults)
        if api.id in seen:
            raise CatalogError(f"apis.yaml: entry {i} ({api.id}): field 'id': duplicate of entry {seen[api.id]}")
        seen[api.id] = i
        out.append(api)
    # An unfiltered entry of a method is the fallback of its filtered variants, so at most one.
    plain: dict[tuple[str, str], str] = {}
    for api in out:
        if api.arg_filter is None and api.kind != "native":
            for c in api.hook_classes:
                key = (c, api.method)
                if key in plain:
                    raise CatalogError(
                        f"apis.yaml: entry ({api.id}): field 'method': {c}.{api.method} is already hooked unfiltered by {plain[key]}"
                    )
                plain[key] = api.id
    return tuple(out)


@lru_cache(maxsize=1)
def _loaded() -> tuple[tuple[Api, ...], dict[str, Api], str]:
    text = resources.files("harness.catalog").joinpath("apis.yaml").read_text(encoding="utf-8")
    apis = parse_apis(parse_yaml(text, "apis.yaml"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return apis, {a.id: a for a in apis}, digest


def load_apis() -> tuple[Api, ...]:
    """Every catalogue entry, validated once and cached."""
    return _loaded()[0]


def api_by_id(api_id: str) -> Api:
    """The entry with this id; raises ``KeyError`` naming the id when unknown."""
    try:
        return _loaded()[1][api_id]
    except KeyError:
        raise KeyError(f"unknown api id {api_id!r}") from None


def apis_by_category(category: str) -> tuple[Api, ...]:
    """Entries of one category, in catalogue order."""
    if category not in CATEGORIES:
        raise KeyError(f"unknown category {category!r}")
    return tuple(a for a in load_apis() if a.category == category)


def catalog_hash() -> str:
    """Short sha256 of apis.yaml, recorded with each run (what exactly was hooked)."""
    return _loaded()[2]


def select_apis(apis: Sequence[Api] | None = None, *, include_disabled: bool = False, sdk: int | None = None) -> list[Api]:
    """The entries to hook: enabled ones (or all), optionally only those present on API ``sdk``."""
    if apis is None:
        apis = load_apis()
    return [a for a in apis if (include_disabled or a.enabled) and (sdk is None or a.available_on(sdk))]
