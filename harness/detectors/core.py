"""Vectorised judging of sensitive-API calls, for one run or thousands at once.

The API-driven rules (R09 pre-consent collection, R10 after decline, R11 permission bypass, R14
after dismissal, R26 frequency, R27 background, R28 camera/mic, R29 clipboard, R30 app list, R31
location, R32 associated start, R33 third-party SDKs, R35 advertising ID) look at every ApiCall.
A regulator judging 1,000 runs may have 10 million of them, so this module never loops over
events in Python: events are numpy columns (:class:`ApiColumns`), each run's consent phases,
visibility, triggers and denials become small sorted key tables (:class:`RunTables`), and every
per-event question ("which consent phase was the run in at this time?", "did the user tap a
matching feature in the last 3 s?") is a ``searchsorted`` on integer keys
``(group << 40) | time_in_microseconds``.

Events are processed in chunks of whole runs (bounded memory). Inside a chunk they are sorted by
(run, category, SDK, time); a rule is a boolean mask over that order, and its hits are grouped
per (run, category, SDK, kind) with counts, first/last time and the first ``evidence_max`` seqs.
The per-run ``analyze`` builds the same columns from one timeline and calls the same code, so
both paths give the same findings (tested on the golden cases).

Times must be finite, >= 0 and below 2**39 microseconds (about 6 days); other events are
dropped and counted in ``ApiColumns.dropped``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from harness.catalog.profiles import AppProfile
from harness.catalog.rules import RuleCatalog
from harness.detectors.phases import (
    ACCEPTED,
    DECLINED,
    DISMISSED,
    MAX_T_US,
    PRE_PROMPT,
    VIS_BG,
    VIS_FG,
    Phases,
    time_us,
)
from harness.errors import InputError
from harness.events import ApiCall, Event

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "API_RULES",
    "KINDS",
    "MAX_T_US",
    "ApiColumns",
    "RunTables",
    "JudgeParams",
    "HitRow",
    "Hits",
    "JudgeResult",
    "category_names",
    "target_package",
    "foreground_service_tag",
    "judge_api",
]

SHIFT = 40
T_MASK = (1 << SHIFT) - 1
_MAX_GROUP_KEY = 1 << 22
DEFAULT_CHUNK_EVENTS = 1_000_000
_PKG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]

API_RULES = ("R05", "R06", "R09", "R10", "R11", "R14", "R26", "R27", "R28", "R29", "R30", "R31", "R32", "R33", "R35")
KINDS: Mapping[str, tuple[str, ...]] = {
    "R05": ("after_consent",),
    "R06": ("collected",),
    "R09": ("before_consent",),
    "R10": ("after_decline",),
    "R11": ("after_denial",),
    "R14": ("after_dismiss",),
    "R26": ("frequency",),
    "R27": ("background", "grace"),
    "R28": ("untriggered", "background"),
    "R29": ("read", "description"),
    "R30": ("enumeration", "targeted"),
    "R31": ("continuous", "fixes"),
    "R32": ("before_consent", "after_consent"),
    "R33": ("before_consent", "after_decline"),
    "R35": ("before_consent", "after_decline", "after_cmp_decline"),
}
_LOC_MODES = {"": 0, "none": 1, "single": 2, "continuous": 3}


def category_names(catalog: RuleCatalog) -> tuple[str, ...]:
    """Category code order: the catalogue's categories, then OTHER for anything unknown."""
    return (*catalog.categories, "OTHER")


_FGS_PREFIX = "fgs."
_FGS_WORD = re.compile(r"[A-Za-z_]+|\d+")


def foreground_service_tag(args: str, catalog: RuleCatalog) -> str:
    """``fgs.<type>[.<type>...]`` for a Service.startForeground call whose arguments name its
    foreground-service type(s), by name (``type=location``) or as the ServiceInfo bit mask the
    agent reports (``8``); ``fgs`` when no type is readable (then it exempts nothing)."""
    known = catalog.foreground_service_types
    by_lower = {k.lower(): k for k in known}
    found: list[str] = []
    text = (args or "")[:400]
    low = text.lower()
    if "type" in low:
        tail = text[low.index("type") + 4 :]
    else:
        # startForeground(id, notification[, type]): only a third, last argument is the type
        parts = [p.strip() for p in text.split(",")]
        tail = parts[-1] if len(parts) >= 3 else ""
        tail += " " + " ".join(w for w in _FGS_WORD.findall(text) if not w.isdigit())
    for w in _FGS_WORD.findall(tail):
        if w.isdigit():
            mask = int(w[:12])
            found += [k for k, (bit, _) in known.items() if bit and mask & bit == bit and mask > 0]
        elif w.lower() in by_lower:
            found.append(by_lower[w.lower()])
    types = sorted(set(found))
    return _FGS_PREFIX.rstrip(".") + "".join("." + t for t in types)


def target_package(args: str) -> str:
    """The package of an explicit component in APP_START ``args`` ('' when none is readable).

    Accepts 'pkg/cls', 'pkg/.cls', 'pkg', or a JSON object with 'component' or 'package'."""
    text = (args or "").strip()[:1000]
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return ""
        if not isinstance(data, dict):
            return ""
        text = str(data.get("component") or data.get("package") or "")[:1000]
    pkg = text.split("/", 1)[0].strip()
    return pkg if len(pkg) <= 255 and _PKG.match(pkg) else ""


class _Vocab:
    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, name: str) -> int:
        c = self.codes.get(name)
        if c is None:
            c = self.codes[name] = len(self.codes)
        return c

    def names(self) -> tuple[str, ...]:
        return tuple(self.codes)


@dataclass
class ApiColumns:
    """ApiCall events as columns. ``run`` indexes the batch's runs; ``cat``, ``sdk``, ``api`` and
    ``target`` are codes into the name tuples (``target`` is -1 when the call starts nothing)."""

    run: npt.NDArray[Any]  # int32 after construction (any integer array is accepted)
    seq: npt.NDArray[Any]  # int64
    t_us: npt.NDArray[Any]  # int64 microseconds
    cat: npt.NDArray[Any]  # int16
    sdk: npt.NDArray[Any]  # int32
    api: npt.NDArray[Any]  # int32
    count: npt.NDArray[Any]  # int32
    target: npt.NDArray[Any]  # int32, -1 = none
    cat_names: tuple[str, ...]
    sdk_names: tuple[str, ...]
    api_names: tuple[str, ...]
    target_names: tuple[str, ...]
    dropped: int = 0

    def __post_init__(self) -> None:
        n = len(self.run)
        for name in ("seq", "t_us", "cat", "sdk", "api", "count", "target"):
            if len(getattr(self, name)) != n:
                raise InputError(f"ApiColumns: column {name!r} has {len(getattr(self, name))} rows, expected {n}")
        self.run = np.ascontiguousarray(self.run, dtype=np.int32)
        self.seq = np.ascontiguousarray(self.seq, dtype=np.int64)
        self.t_us = np.ascontiguousarray(self.t_us, dtype=np.int64)
        self.cat = np.ascontiguousarray(self.cat, dtype=np.int16)
        self.sdk = np.ascontiguousarray(self.sdk, dtype=np.int32)
        self.api = np.ascontiguousarray(self.api, dtype=np.int32)
        self.count = np.ascontiguousarray(self.count, dtype=np.int32)
        self.target = np.ascontiguousarray(self.target, dtype=np.int32)
        if n:
            for name, names in (("cat", self.cat_names), ("sdk", self.sdk_names), ("api", self.api_names)):
                col = getattr(self, name)
                if int(col.min()) < 0 or int(col.max()) >= len(names):
                    raise InputError(f"ApiColumns: {name} codes outside 0..{len(names) - 1}")
            if int(self.target.min()) < -1 or int(self.target.max()) >= len(self.target_names):
                raise InputError("ApiColumns: target codes outside -1..len(target_names)-1")
            if int(self.run.min()) < 0:
                raise InputError("ApiColumns: negative run index")
            if int(self.t_us.min()) < 0 or int(self.t_us.max()) >= MAX_T_US:
                raise InputError("ApiColumns: times must be in [0, 2**39) microseconds")

    def __len__(self) -> int:
        return len(self.run)

    # -- builders ----------------------------------------------------------------------------
    @classmethod
    def empty(cls, catalog: RuleCatalog) -> ApiColumns:
        i32 = np.zeros(0, dtype=np.int32)
        i64 = np.zeros(0, dtype=np.int64)
        i16 = np.zeros(0, dtype=np.int16)
        return cls(i32, i64, i64, i16, i32, i32, i32, i32, category_names(catalog), (), (), ())

    @classmethod
    def from_events(cls, events: Iterable[Event], catalog: RuleCatalog, *, run: int = 0) -> ApiColumns:
        """Columns from one run's events (non-ApiCall events are skipped)."""
        cats = category_names(catalog)
        cat_code = {c: i for i, c in enumerate(cats)}
        other = len(cats) - 1
        sdk_v, api_v, tgt_v = _Vocab(), _Vocab(), _Vocab()
        fgs_start = [p.lower() for p in catalog.api_patterns.get("foreground_service_start", ())]
        seq: list[int] = []
        t_us: list[int] = []
        cat: list[int] = []
        sdk: list[int] = []
        api: list[int] = []
        count: list[int] = []
        target: list[int] = []
        dropped = 0
        for ev in events:
            if not isinstance(ev, ApiCall):
                continue
            t = ev.t
            if not math.isfinite(t) or t < 0 or t * 1e6 >= MAX_T_US:
                dropped += 1
                continue
            seq.append(ev.seq)
            t_us.append(round(t * 1e6))
            c = cat_code.get(ev.category, other)
            cat.append(c)
            sdk.append(sdk_v.code(ev.sdk))
            api.append(api_v.code(ev.api_id))
            count.append(min(max(ev.count, 1), 1_000_000))
            if ev.category == "APP_START":
                pkg = target_package(ev.args)
            elif fgs_start and any(f in ev.api_id.lower() for f in fgs_start):
                pkg = foreground_service_tag(ev.args, catalog)
            else:
                pkg = ""
            target.append(tgt_v.code(pkg) if pkg else -1)
        n = len(seq)
        return cls(
            run=np.full(n, run, dtype=np.int32),
            seq=np.array(seq, dtype=np.int64),
            t_us=np.array(t_us, dtype=np.int64),
            cat=np.array(cat, dtype=np.int16),
            sdk=np.array(sdk, dtype=np.int32),
            api=np.array(api, dtype=np.int32),
            count=np.array(count, dtype=np.int32),
            target=np.array(target, dtype=np.int32),
            cat_names=cats,
            sdk_names=sdk_v.names(),
            api_names=api_v.names(),
            target_names=tgt_v.names(),
            dropped=dropped,
        )

    @classmethod
    def from_arrow(cls, table: pa.Table, catalog: RuleCatalog) -> ApiColumns:
        """Columns from an Arrow table with ``run`` (int), ``seq`` (int), ``t`` (float seconds),
        ``category``, ``sdk``, ``api_id`` (text or dictionary), optional ``count`` (int) and
        optional ``target`` (package text or dictionary, for APP_START)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        missing = [c for c in ("run", "seq", "t", "category", "sdk", "api_id") if c not in table.column_names]
        if missing:
            raise InputError(f"API table lacks column(s) {', '.join(missing)}")
        n = table.num_rows

        def codes(name: str) -> tuple[I32, list[str]]:
            col = table.column(name)
            arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            if not pa.types.is_dictionary(arr.type):
                arr = pc.fill_null(arr.cast(pa.string()), "").dictionary_encode()
            names = [("" if v is None else str(v)) for v in arr.dictionary.to_pylist()]
            idx = arr.indices
            if idx.null_count:
                idx = pc.fill_null(idx, len(names))
                names.append("")
            return np.asarray(idx.to_numpy(zero_copy_only=False), dtype=np.int32), names

        t = np.asarray(table.column("t").to_numpy(), dtype=np.float64)
        ok = np.isfinite(t) & (t >= 0) & (t < MAX_T_US / 1e6)
        cat_raw, cat_list = codes("category")
        cats = category_names(catalog)
        cat_code = {c: i for i, c in enumerate(cats)}
        remap = np.array([cat_code.get(c, len(cats) - 1) for c in cat_list] or [0], dtype=np.int16)
        cat = remap[cat_raw] if n else np.zeros(0, dtype=np.int16)
        del cat_raw
        sdk, sdk_names = codes("sdk")
        api, api_names = codes("api_id")
        if "target" in table.column_names:
            tgt_raw, tgt_list = codes("target")
            valid_t = [i for i, p in enumerate(tgt_list) if p and _PKG.match(p)]
            tgt_map = np.full(max(len(tgt_list), 1), -1, dtype=np.int32)
            tgt_map[valid_t] = np.arange(len(valid_t), dtype=np.int32)
            target = tgt_map[tgt_raw] if n else np.zeros(0, dtype=np.int32)
            del tgt_raw
            target_names = tuple(tgt_list[i] for i in valid_t)
        else:
            target = np.full(n, -1, dtype=np.int32)
            target_names = ()
        if "count" in table.column_names:
            count = np.clip(np.asarray(table.column("count").to_numpy(), dtype=np.int64), 1, 1_000_000).astype(np.int32)
        else:
            count = np.ones(n, dtype=np.int32)
        run = np.asarray(table.column("run").to_numpy(), dtype=np.int32)
        seq = np.asarray(table.column("seq").to_numpy(), dtype=np.int64)
        dropped = int(n - ok.sum())
        if dropped:
            t, run, seq, count = t[ok], run[ok], seq[ok], count[ok]
            cat, sdk, api, target = cat[ok], sdk[ok], api[ok], target[ok]
        del ok
        tmp = t * 1e6
        del t
        np.rint(tmp, out=tmp)
        t_us = tmp.astype(np.int64)
        del tmp
        return cls(
            run=run,
            seq=seq,
            t_us=t_us,
            cat=cat,
            sdk=sdk,
            api=api,
            count=count,
            target=target,
            cat_names=cats,
            sdk_names=tuple(sdk_names),
            api_names=tuple(api_names),
            target_names=target_names,
            dropped=dropped,
        )

    @classmethod
    def concat(cls, parts: Sequence[ApiColumns]) -> ApiColumns:
        """Join several column sets (each keeps its own run indices); vocabularies are merged."""
        if not parts:
            raise InputError("ApiColumns.concat needs at least one part")
        cats = parts[0].cat_names
        if any(p.cat_names != cats for p in parts):
            raise InputError("ApiColumns.concat: parts use different category tables")
        vocabs = {name: _Vocab() for name in ("sdk", "api", "target")}
        cols: dict[str, list[npt.NDArray[Any]]] = {k: [] for k in ("run", "seq", "t_us", "cat", "sdk", "api", "count", "target")}
        for p in parts:
            for k in ("run", "seq", "t_us", "cat", "count"):
                cols[k].append(getattr(p, k))
            for k, names in (("sdk", p.sdk_names), ("api", p.api_names)):
                remap = np.array([vocabs[k].code(x) for x in names] or [0], dtype=np.int32)
                cols[k].append(remap[getattr(p, k)] if len(p) else np.zeros(0, dtype=np.int32))
            tmap = np.array([vocabs["target"].code(x) for x in p.target_names] + [-1], dtype=np.int32)
            cols["target"].append(tmap[p.target] if len(p) else np.zeros(0, dtype=np.int32))
        return cls(
            **{k: np.concatenate(v) for k, v in cols.items()},
            cat_names=cats,
            sdk_names=vocabs["sdk"].names(),
            api_names=vocabs["api"].names(),
            target_names=vocabs["target"].names(),
            dropped=sum(p.dropped for p in parts),
        )


_us = time_us  # one conversion of run time to microseconds (phases.py)


@dataclass
class _Table:
    """Sorted marks of many runs: run, optional sub-key (category), time, value."""

    run: I64
    sub: I64
    t_us: I64
    value: I64
    end_us: I64

    @classmethod
    def build(cls, rows: list[tuple[int, int, int, int, int]]) -> _Table:
        rows.sort()
        arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
        return cls(arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(), arr[:, 3].copy(), arr[:, 4].copy())

    def slice(self, r0: int, r1: int) -> tuple[int, int]:
        return int(np.searchsorted(self.run, r0, "left")), int(np.searchsorted(self.run, r1, "left"))


@dataclass
class RunTables:
    """Per-run boundary tables of a batch, in run order (see the module docstring)."""

    n_runs: int
    packages: tuple[str, ...]
    consent: _Table
    visibility: _Table
    sessions: _Table
    triggers: _Table
    taps: _Table
    cmp: _Table
    denials: _Table
    loc_mode: npt.NDArray[np.int8]
    app_list_ok: B
    bg_features: B | None = None  # (run, category code): a user-started feature goes on in the background

    @classmethod
    def build(
        cls, runs: Sequence[tuple[Phases, AppProfile | None]], catalog: RuleCatalog, cat_names: Sequence[str]
    ) -> RunTables:
        cat_code = {c: i for i, c in enumerate(cat_names)}
        consent: list[tuple[int, int, int, int, int]] = []
        vis: list[tuple[int, int, int, int, int]] = []
        sess: list[tuple[int, int, int, int, int]] = []
        trig: list[tuple[int, int, int, int, int]] = []
        taps: list[tuple[int, int, int, int, int]] = []
        cmp: list[tuple[int, int, int, int, int]] = []
        deny: list[tuple[int, int, int, int, int]] = []
        loc = np.zeros(len(runs), dtype=np.int8)
        bg_features = np.zeros((len(runs), max(len(cat_names), 1)), dtype=bool)
        app_list_ok = np.zeros(len(runs), dtype=bool)
        for r, (ph, prof) in enumerate(runs):
            # the stored consent phases (one change per microsecond), the same the reports read
            consent += [(r, 0, us, code, 0) for us, _, code in ph.consent_phases.changes]
            vis += [(r, 0, _us(m.t), int(m.value), 0) for m in ph.visibility]
            sess += [(r, 0, _us(m.t), i, 0) for i, m in enumerate(ph.sessions)]
            for m in ph.triggers:
                for c in catalog.intent_categories(str(m.value)):
                    trig.append((r, cat_code[c], _us(m.t), 0, 0))
            taps += [(r, 0, _us(m.t), 0, 0) for m in ph.taps]
            cmp += [(r, 0, _us(m.t), int(m.value), 0) for m in ph.cmp_choices]
            per_cat: dict[int, list[tuple[int, int]]] = {}
            for d in ph.denials:
                for c in catalog.bypass.get(d.group, ()):
                    per_cat.setdefault(cat_code[c], []).append((_us(d.start), _us(d.end)))
            for code, spans in per_cat.items():
                spans.sort()
                merged: list[list[int]] = []
                for s, e in spans:
                    if merged and s <= merged[-1][1]:
                        merged[-1][1] = max(merged[-1][1], e)
                    else:
                        merged.append([s, e])
                deny += [(r, code, s, 0, e) for s, e in merged]
            if prof is not None:
                loc[r] = _LOC_MODES.get(prof.location, 0)
                app_list_ok[r] = prof.app_list
                for c, profiles in catalog.background_features.items():
                    if prof.id in profiles and c in cat_code:
                        bg_features[r, cat_code[c]] = True
                if prof.location == "continuous" and "LOCATION" in cat_code:
                    bg_features[r, cat_code["LOCATION"]] = True
        return cls(
            n_runs=len(runs),
            packages=tuple(ph.package for ph, _ in runs),
            consent=_Table.build(consent),
            visibility=_Table.build(vis),
            sessions=_Table.build(sess),
            triggers=_Table.build(trig),
            taps=_Table.build(taps),
            cmp=_Table.build(cmp),
            denials=_Table.build(deny),
            loc_mode=loc,
            app_list_ok=app_list_ok,
            bg_features=bg_features,
        )


@dataclass(frozen=True)
class JudgeParams:
    """Numbers the core uses, resolved from the catalogue for one jurisdiction."""

    trigger_us: int
    grace_us: int
    periodic_interval_s: float
    periodic_min_calls: int
    periodic_max_cv: float
    periodic_min_interval_s: float
    burst_window_us: int
    burst_min_calls: int
    evidence_max: int
    chunk_events: int = DEFAULT_CHUNK_EVENTS

    @classmethod
    def from_catalog(cls, catalog: RuleCatalog, jid: str, *, chunk_events: int = DEFAULT_CHUNK_EVENTS) -> JudgeParams:
        def num(rule: str, name: str) -> float:
            v = catalog.threshold(rule, name, jid).value
            if isinstance(v, str):
                raise InputError(f"threshold {name} must be a number")
            return float(v)

        return cls(
            trigger_us=round(num("R09", "trigger_window_s") * 1e6),
            grace_us=round(num("R27", "background_grace_s") * 1e6),
            periodic_interval_s=num("R26", "periodic_interval_s"),
            periodic_min_calls=int(num("R26", "periodic_min_calls")),
            periodic_max_cv=num("R26", "periodic_max_cv"),
            periodic_min_interval_s=num("R26", "periodic_min_interval_s"),
            burst_window_us=round(num("R26", "burst_window_s") * 1e6),
            burst_min_calls=int(num("R26", "burst_min_calls")),
            evidence_max=max(1, int(catalog.settings.get("evidence_max", 20))),
            chunk_events=chunk_events,
        )


@dataclass(frozen=True, slots=True)
class HitRow:
    """One group of matching calls in one run: what the detector turns into a finding."""

    kind: str
    category: str
    sdk: str
    n: int
    calls: int
    t_first: float
    t_last: float
    evidence: tuple[int, ...]
    api: str
    target: str = ""
    stats: Mapping[str, float] = field(default_factory=dict)


class _Acc:
    """Collects group arrays of one rule across chunks (stats missing for some rows are NaN)."""

    def __init__(self) -> None:
        self.parts: dict[str, list[npt.NDArray[Any]]] = {}
        self.stat_parts: dict[str, list[F64]] = {}
        self.rows = 0

    def add(self, cols: Mapping[str, npt.NDArray[Any]], stats: Mapping[str, F64] | None = None) -> None:
        for k, v in cols.items():
            self.parts.setdefault(k, []).append(v)
        n = len(cols["run"])
        given: Mapping[str, F64] = stats or {}
        for k in set(self.stat_parts) | set(given):
            if k not in self.stat_parts:
                self.stat_parts[k] = [np.full(self.rows, np.nan)]
            part: F64 = np.asarray(given[k], dtype=np.float64) if k in given else np.full(n, np.nan)
            self.stat_parts[k].append(part)
        self.rows += n


class Hits:
    """All groups of one rule, in run order."""

    def __init__(self, rule: str, acc: _Acc, names: ApiColumns) -> None:
        self.rule = rule
        self._names = names
        if acc.parts:
            cols = {k: np.concatenate(v) for k, v in acc.parts.items()}
            stats = {k: np.concatenate(v) for k, v in acc.stat_parts.items()}
        else:
            cols, stats = {}, {}
        if cols and len(cols["run"]):
            order = np.argsort(cols["run"], kind="stable")
            ev_start = np.concatenate(([0], np.cumsum(cols["ev_n"])[:-1]))
            self.ev = cols.pop("ev")
            cols = {k: v[order] for k, v in cols.items()}
            self.ev_start = ev_start[order]
            self.stats = {k: v[order] for k, v in stats.items()}
        else:
            self.ev = np.zeros(0, dtype=np.int64)
            self.ev_start = np.zeros(0, dtype=np.int64)
            cols = {"run": np.zeros(0, dtype=np.int64)}
            self.stats = {}
        self.cols = cols
        self.run = cols["run"]
        self._lists: dict[str, list[Any]] | None = None

    def __len__(self) -> int:
        return len(self.run)

    def _as_lists(self) -> dict[str, list[Any]]:
        """Python lists of every column, built once (indexing numpy scalars one by one is slow)."""
        if self._lists is None:
            lists: dict[str, list[Any]] = {k: v.tolist() for k, v in self.cols.items()}
            lists["ev"] = self.ev.tolist()
            lists["ev_start"] = self.ev_start.tolist()
            for k, v in self.stats.items():
                lists["stat:" + k] = v.tolist()
            self._lists = lists
        return self._lists

    def rows(self, run: int) -> list[HitRow]:
        lo = int(np.searchsorted(self.run, run, "left"))
        hi = int(np.searchsorted(self.run, run, "right"))
        if lo == hi:
            return []
        names = self._names
        kinds = KINDS[self.rule]
        c = self._as_lists()
        stat_keys = [(k[5:], c[k]) for k in c if k.startswith("stat:")]
        ev, ev_start, ev_n = c["ev"], c["ev_start"], c["ev_n"]
        out = []
        for i in range(lo, hi):
            s = ev_start[i]
            tgt = c["target"][i]
            stats = {k: v[i] for k, v in stat_keys if v[i] == v[i]}
            out.append(
                HitRow(
                    kind=kinds[c["kind"][i]],
                    category=names.cat_names[c["cat"][i]],
                    sdk=names.sdk_names[c["sdk"][i]],
                    n=c["n"][i],
                    calls=c["calls"][i],
                    t_first=c["t_first"][i] / 1e6,
                    t_last=c["t_last"][i] / 1e6,
                    evidence=tuple(ev[s : s + ev_n[i]]),
                    api=names.api_names[c["api"][i]],
                    target=names.target_names[tgt] if tgt >= 0 else "",
                    stats=stats,
                )
            )
        return out


class JudgeResult:
    """Hits per rule, or the exception the rule raised (re-raised when a detector asks)."""

    def __init__(self, hits: Mapping[str, Hits], errors: Mapping[str, BaseException], dropped: int) -> None:
        self.hits = dict(hits)
        self.errors = dict(errors)
        self.dropped = dropped

    def rows(self, rule: str, run: int) -> list[HitRow]:
        if rule in self.errors:
            raise self.errors[rule]
        h = self.hits.get(rule)
        return h.rows(run) if h is not None else []


# -- the chunk state --------------------------------------------------------------------------


class _Chunk:
    """One chunk of whole runs, sorted by (run, category, sdk, time), with per-event lookups."""

    def __init__(self, api: ApiColumns, tables: RunTables, p: JudgeParams, r0: int, r1: int, lo: int, hi: int) -> None:
        self.p = p
        self.r0 = r0
        self.r1 = r1
        self.tables = tables
        self.ncat = len(api.cat_names)
        nsdk = max(len(api.sdk_names), 1)
        run = api.run[lo:hi].astype(np.int64) - r0
        t_us = api.t_us[lo:hi]
        cat = api.cat[lo:hi].astype(np.int64)
        key = (run * self.ncat + cat) * nsdk + api.sdk[lo:hi]
        rt = (run << SHIFT) | t_us
        if len(rt) < 2 or bool(np.all(rt[1:] >= rt[:-1])):
            order = np.argsort(key, kind="stable")
        else:
            order = np.lexsort((t_us, key))
        del rt
        self.key: I64 = key[order]
        self.run: I64 = run[order]
        self.cat: I64 = cat[order]
        self.t_us: I64 = t_us[order]
        del key, run, cat, t_us
        sl = slice(lo, hi)
        self.sdk: I32 = api.sdk[sl][order]
        self.api: I32 = api.api[sl][order]
        self.count: I32 = api.count[sl][order]
        self.seq: I64 = api.seq[sl][order]
        self.target: I32 = api.target[sl][order]
        self.rc: I64 = self.run * self.ncat + self.cat  # (run, category) key

        self.phase = self._lookup(tables.consent, PRE_PROMPT).astype(np.int8)
        vis, since = self._lookup(tables.visibility, VIS_FG, with_time=True)
        self.bg: B = vis == VIS_BG
        self.bg_since: I64 = since
        self.trig: B = self._recent(tables.triggers, self.rc, p.trigger_us)
        self._spans: dict[str, _Table] = {}

    # exemption spans (rules.md exemptions, as data in rules.yaml) ------------------------------
    def _run_ends(self, marks: I64) -> dict[int, list[int]]:
        """Times (us) after which an exemption started earlier in the run ends: the given stop
        marks and every new process session."""
        out: dict[int, list[int]] = {}
        for i in marks:
            out.setdefault(int(self.run[i]), []).append(int(self.t_us[i]))
        a, b = self.tables.sessions.slice(self.r0, self.r1)
        for r, t in zip(self.tables.sessions.run[a:b].tolist(), self.tables.sessions.t_us[a:b].tolist(), strict=True):
            out.setdefault(int(r) - self.r0, []).append(int(t))
        return out

    @staticmethod
    def _merged(rows: list[tuple[int, int, int, int, int]]) -> _Table:
        rows.sort()
        out: list[tuple[int, int, int, int, int]] = []
        for r, c, s, v, e in rows:
            if out and out[-1][0] == r and out[-1][1] == c and s <= out[-1][4]:
                pr = out[-1]
                out[-1] = (r, c, pr[2], v, max(pr[4], e))
            else:
                out.append((r, c, s, v, e))
        return _Table.build(out)

    def foreground_services(self, x: _Ctx) -> _Table:
        """Spans (per run and category) in which a user-started foreground service whose type
        covers the category runs: from Service.startForeground, called in front within
        ``fgs_user_start_s`` of a tap, to stopForeground or the end of the process session."""
        if "fgs" not in self._spans:
            rows: list[tuple[int, int, int, int, int]] = []
            starts = np.flatnonzero(x.fgs_start[self.api])
            if len(starts):
                ends = self._run_ends(np.flatnonzero(x.fgs_stop[self.api]))
                # started by the user: in front, with a tap shortly before (a route is computed,
                # a workout counts down before the service starts)
                user = self._recent(self.tables.taps, self.run, max(x.fgs_start_us, self.p.trigger_us), starts, by_cat=False) & ~self.bg[starts]
                for k, i in enumerate(starts.tolist()):
                    cover = x.fgs_cover.get(int(self.target[i]), [])
                    if not user[k] or not cover:
                        continue
                    r, t = int(self.run[i]), int(self.t_us[i])
                    end = min([u for u in ends.get(r, []) if u > t] or [T_MASK])
                    rows += [(r + self.r0, code, t, 0, end) for code in cover]
            self._spans["fgs"] = self._merged(rows)
        return self._spans["fgs"]

    def picked(self, x: _Ctx) -> _Table:
        """Spans in which MEDIA reads are what the user picked in a system picker the app
        opened (picker_window_s, within the same process session)."""
        if "picker" not in self._spans:
            rows: list[tuple[int, int, int, int, int]] = []
            media = x.code.get("MEDIA")
            picks = np.flatnonzero(x.picker[self.api])
            if media is not None and x.picker_us > 0 and len(picks):
                ends = self._run_ends(np.zeros(0, dtype=np.int64))
                for i in picks.tolist():
                    r, t = int(self.run[i]), int(self.t_us[i])
                    end = min([u for u in ends.get(r, []) if u > t] + [t + x.picker_us])
                    rows.append((r + self.r0, media, t, 0, end))
            self._spans["picker"] = self._merged(rows)
        return self._spans["picker"]

    # per-event look-ups ---------------------------------------------------------------------
    def _hay(self, table: _Table, *, by_cat: bool) -> tuple[I64, slice]:
        a, b = table.slice(self.r0, self.r1)
        run = table.run[a:b] - self.r0
        grp = run * self.ncat + table.sub[a:b] if by_cat else run
        return (grp << SHIFT) | table.t_us[a:b], slice(a, b)

    def _lookup(self, table: _Table, default: int, *, with_time: bool = False) -> Any:
        hay, sl = self._hay(table, by_cat=False)
        n = len(self.run)
        if len(hay) == 0:
            vals = np.full(n, default, dtype=np.int64)
            return (vals, np.zeros(n, dtype=np.int64)) if with_time else vals
        q = (self.run << SHIFT) | self.t_us
        idx = np.searchsorted(hay, q, side="right") - 1
        ok = (idx >= 0) & ((hay[idx] >> SHIFT) == self.run)
        vals = np.where(ok, table.value[sl][idx], default)
        if with_time:
            return vals, np.where(ok, hay[idx] & T_MASK, 0)
        return vals

    def _recent(self, table: _Table, grp: I64, window_us: int, sel: I64 | None = None, *, by_cat: bool = True) -> B:
        """True where a mark of the same group lies in [t - window, t]."""
        hay, _ = self._hay(table, by_cat=by_cat)
        g = grp if sel is None else grp[sel]
        t = self.t_us if sel is None else self.t_us[sel]
        if len(hay) == 0:
            return np.zeros(len(g), dtype=bool)
        idx = np.searchsorted(hay, (g << SHIFT) | t, side="right") - 1
        h = hay[idx]
        out: B = (idx >= 0) & ((h >> SHIFT) == g) & (t - (h & T_MASK) <= window_us)
        return out

    def started_in_session(self, table: _Table, sel: I64, within_us: int | None = None) -> B:
        """True where a mark of the event's (run, category) lies earlier in the same process
        session (and, with ``within_us``, no longer ago than that)."""
        hay, _ = self._hay(table, by_cat=True)
        if len(hay) == 0 or len(sel) == 0:
            return np.zeros(len(sel), dtype=bool)
        g = self.rc[sel]
        t = self.t_us[sel]
        idx = np.searchsorted(hay, (g << SHIFT) | t, side="right") - 1
        h = hay[np.maximum(idx, 0)]
        mark_t = h & T_MASK
        out: B = (idx >= 0) & ((h >> SHIFT) == g) & (mark_t + 1 >= self.session_of(sel))
        if within_us is not None:
            out &= t - mark_t <= within_us
        return out

    def in_span(self, table: _Table, sel: I64) -> B:
        """True where the event lies inside a [start, end) span of its (run, category)."""
        hay, sl = self._hay(table, by_cat=True)
        if len(hay) == 0:
            return np.zeros(len(sel), dtype=bool)
        g = self.rc[sel]
        t = self.t_us[sel]
        idx = np.searchsorted(hay, (g << SHIFT) | t, side="right") - 1
        ok = (idx >= 0) & ((hay[idx] >> SHIFT) == g)
        out: B = ok & (t < table.end_us[sl][idx])
        return out

    def session_of(self, sel: I64) -> I64:
        """Start time (us) of the process session each selected event falls in (0: none yet)."""
        hay, _ = self._hay(self.tables.sessions, by_cat=False)
        if len(hay) == 0:
            return np.zeros(len(sel), dtype=np.int64)
        g = self.run[sel]
        idx = np.searchsorted(hay, (g << SHIFT) | self.t_us[sel], side="right") - 1
        h = hay[idx]
        out: I64 = np.where((idx >= 0) & ((h >> SHIFT) == g), (h & T_MASK) + 1, 0)
        return out

    def any_tap(self, sel: I64) -> B:
        return self._recent(self.tables.taps, self.run, self.p.trigger_us, sel, by_cat=False)

    def cmp_declined(self, sel: I64) -> B:
        hay, sl = self._hay(self.tables.cmp, by_cat=False)
        if len(hay) == 0:
            return np.zeros(len(sel), dtype=bool)
        g = self.run[sel]
        idx = np.searchsorted(hay, (g << SHIFT) | self.t_us[sel], side="right") - 1
        ok = (idx >= 0) & ((hay[idx] >> SHIFT) == g)
        out: B = ok & (self.tables.cmp.value[sl][idx] == 1)
        return out

    # grouping -------------------------------------------------------------------------------
    def collect(self, acc: _Acc, idx: I64, kind: int, stats: Mapping[str, F64] | None = None) -> None:
        """Group the events at sorted positions ``idx`` (ascending) per (run, category, sdk)."""
        if len(idx) == 0:
            return
        k = self.key[idx]
        brk = np.empty(len(idx), dtype=bool)
        brk[0] = True
        np.not_equal(k[1:], k[:-1], out=brk[1:])
        starts = np.flatnonzero(brk)
        ends = np.append(starts[1:], len(idx))
        n = ends - starts
        first = idx[starts]
        last = idx[ends - 1]
        kmax = self.p.evidence_max
        rank = np.arange(len(idx)) - np.repeat(starts, n)
        keep = idx[rank < kmax]
        acc.add(
            {
                "run": self.run[first] + self.r0,
                "kind": np.full(len(starts), kind, dtype=np.int8),
                "cat": self.cat[first],
                "sdk": self.sdk[first],
                "n": n,
                "calls": np.add.reduceat(self.count[idx].astype(np.int64), starts),
                "t_first": self.t_us[first],
                "t_last": self.t_us[last],
                "api": self.api[first],
                "target": self.target[first],
                "ev_n": np.minimum(n, kmax),
                "ev": self.seq[keep],
            },
            stats,
        )


# -- the rules --------------------------------------------------------------------------------


class _Ctx:
    """Per-judge constants: category masks and name-derived code masks."""

    def __init__(self, api: ApiColumns, catalog: RuleCatalog, tables: RunTables) -> None:
        names = api.cat_names
        self.pi = np.array([catalog.is_pi(c) for c in names], dtype=bool)
        self.code = {c: i for i, c in enumerate(names)}
        self.burst = np.array([c in catalog.burst_categories for c in names], dtype=bool)
        self.third = np.array([s not in ("", "app") for s in api.sdk_names] or [False], dtype=bool)
        self.bypass = np.zeros(len(names), dtype=bool)
        for cats in catalog.bypass.values():
            for c in cats:
                self.bypass[self.code[c]] = True

        def api_mask(pattern_set: str) -> B:
            pats = [p.lower() for p in catalog.api_patterns.get(pattern_set, ())]
            return np.array([any(p in a.lower() for p in pats) for a in api.api_names] or [False], dtype=bool)

        self.app_list_targeted = api_mask("app_list_targeted")
        self.fgs_start = api_mask("foreground_service_start")
        self.fgs_stop = api_mask("foreground_service_stop")
        self.picker = api_mask("user_picker")
        self.single_item = api_mask("single_item_read")
        # R11: categories whose bypass counts only through named APIs (e.g. location proxies)
        self.bypass_api = np.ones((len(names), max(len(api.api_names), 1)), dtype=bool)
        for c, i in self.code.items():
            if f"bypass_{c}" in catalog.api_patterns:
                self.bypass_api[i, :] = api_mask(f"bypass_{c}")
        # foreground-service target tag -> category codes it covers
        self.fgs_cover: dict[int, list[int]] = {}
        for ti, tag in enumerate(api.target_names):
            if tag == _FGS_PREFIX.rstrip(".") or tag.startswith(_FGS_PREFIX):
                covered: set[str] = set()
                for t in tag.split(".")[1:]:
                    covered.update(catalog.foreground_service_types.get(t, (0, ()))[1])
                self.fgs_cover[ti] = sorted(self.code[cc] for cc in covered if cc in self.code)
        self.picker_us = round(float(catalog.settings.get("picker_window_s", 0) or 0) * 1e6)
        self.fgs_start_us = round(float(catalog.settings.get("fgs_user_start_s", 0) or 0) * 1e6)
        self.clip_desc = api_mask("clipboard_description_only")
        self.loc_continuous = api_mask("location_continuous")
        tcode = {p: i for i, p in enumerate(api.target_names)}
        self.run_pkg = np.array([tcode.get(p, -2) for p in tables.packages] or [-2], dtype=np.int64)
        self.loc_mode = tables.loc_mode
        self.app_list_ok = tables.app_list_ok


def _cat_is(c: _Chunk, x: _Ctx, name: str) -> B:
    code = x.code.get(name)
    return c.cat == code if code is not None else np.zeros(len(c.cat), dtype=bool)


def _pi_untriggered(c: _Chunk, x: _Ctx) -> B:
    return x.pi[c.cat] & ~c.trig


def _r09(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    c.collect(acc, np.flatnonzero(_pi_untriggered(c, x) & (c.phase <= DISMISSED)), 0)


def _r10(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    c.collect(acc, np.flatnonzero(_pi_untriggered(c, x) & (c.phase == DECLINED)), 0)


def _r14(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    c.collect(acc, np.flatnonzero(_pi_untriggered(c, x) & (c.phase == DISMISSED)), 0)


def _r33(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    base = _pi_untriggered(c, x) & x.third[c.sdk]
    c.collect(acc, np.flatnonzero(base & (c.phase <= DISMISSED)), 0)
    c.collect(acc, np.flatnonzero(base & (c.phase == DECLINED)), 1)


def _r35(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    ad = _cat_is(c, x, "AD_ID")
    c.collect(acc, np.flatnonzero(ad & (c.phase <= DISMISSED)), 0)
    c.collect(acc, np.flatnonzero(ad & (c.phase == DECLINED)), 1)
    sel = np.flatnonzero(ad & (c.phase == ACCEPTED))
    if len(sel):
        c.collect(acc, sel[c.cmp_declined(sel)], 2)


def _r11(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    # only the APIs that obtain the denied data by another route (bypass_<CATEGORY> patterns),
    # and not what the user picked in a system picker
    sel = np.flatnonzero(x.bypass[c.cat] & x.bypass_api[c.cat, c.api])
    if len(sel):
        sel = sel[c.in_span(c.tables.denials, sel)]
    if len(sel):
        sel = sel[~c.in_span(c.picked(x), sel)]
    if len(sel):
        # a single item opened (by URI) after the user started a media feature in this session:
        # the item the user picked, even when the picker itself left no trace
        one = x.single_item[c.api[sel]]
        if one.any():
            started = c.started_in_session(c.tables.triggers, sel[one], x.picker_us)
            keep = np.ones(len(sel), dtype=bool)
            keep[np.flatnonzero(one)[started]] = False
            sel = sel[keep]
    c.collect(acc, sel, 0)


def _r27(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    base = _pi_untriggered(c, x) & c.bg
    sel = np.flatnonzero(base)
    if len(sel):
        # a user-started foreground service of a type that covers the category (rules.md R27)
        base[sel[c.in_span(c.foreground_services(x), sel)]] = False
    feats = c.tables.bg_features
    sel = np.flatnonzero(base & feats[c.run + c.r0, c.cat]) if feats is not None else np.zeros(0, dtype=np.int64)
    if len(sel):
        # where the app type's function goes on in the background (continuous location for
        # navigation / route recording; exemptions.background_features), a feature of that
        # category the user started in this process session goes on (rules.md R27's navigation
        # example), even when no service start was seen
        base[sel[c.started_in_session(c.tables.triggers, sel)]] = False
    late = (c.t_us - c.bg_since) > c.p.grace_us
    c.collect(acc, np.flatnonzero(base & late), 0)
    c.collect(acc, np.flatnonzero(base & ~late), 1)


def _r28(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    cm = _cat_is(c, x, "CAMERA") | _cat_is(c, x, "MIC")
    c.collect(acc, np.flatnonzero(cm & ~c.bg & ~c.trig), 0)
    bg = np.flatnonzero(cm & c.bg)
    if len(bg):
        bg = bg[~c.in_span(c.foreground_services(x), bg)]
    c.collect(acc, bg, 1)


def _r29(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    clip = _cat_is(c, x, "CLIPBOARD") & ~c.trig
    desc = x.clip_desc[c.api]
    c.collect(acc, np.flatnonzero(clip & ~desc), 0)
    c.collect(acc, np.flatnonzero(clip & desc), 1)


def _r30(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    al = _cat_is(c, x, "APP_LIST") & ~c.trig & ~x.app_list_ok[c.run + c.r0]
    tgt = x.app_list_targeted[c.api]
    c.collect(acc, np.flatnonzero(al & ~tgt), 0)
    c.collect(acc, np.flatnonzero(al & tgt), 1)


def _r31(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    mode = x.loc_mode[c.run + c.r0]
    loc = _cat_is(c, x, "LOCATION") & ((mode == 1) | (mode == 2))
    cont = x.loc_continuous[c.api]
    # a tap justifies one fix, not a subscription: a continuous subscription is judged even
    # when the user tapped just before it (2026 CAC draft: single fix for search / nearby)
    c.collect(acc, np.flatnonzero(loc & cont), 0)
    c.collect(acc, np.flatnonzero(loc & ~c.trig & ~cont), 1)


def _r32(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    sel = np.flatnonzero(_cat_is(c, x, "APP_START") & (c.target >= 0))
    if not len(sel):
        return
    other = c.target[sel].astype(np.int64) != x.run_pkg[c.run[sel] + c.r0]
    sel = sel[other & ~c.any_tap(sel)]
    before = c.phase[sel] != ACCEPTED
    c.collect(acc, sel[before], 0)
    c.collect(acc, sel[~before], 1)


def _r26(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    p = c.p
    # continuous location is the function itself for navigation-like app types
    nav_loc = _cat_is(c, x, "LOCATION") & (x.loc_mode[c.run + c.r0] == _LOC_MODES["continuous"])
    # a web page's identifiers (a tag's cookie, storage and request, one act recorded three ways)
    # are not reads of the device: how often they happen is not what this rule measures
    web_ids = _cat_is(c, x, "ONLINE_ID")
    idx = np.flatnonzero(_pi_untriggered(c, x) & ~nav_loc & ~web_ids)
    if len(idx) == 0:
        return
    # sub-groups: (run, category, sdk) and the process session; reads separated by a cold
    # start are one read per launch, not a timer
    session = c.session_of(idx)
    k = c.key[idx]
    kbrk = np.empty(len(idx), dtype=bool)
    kbrk[0] = True
    np.not_equal(k[1:], k[:-1], out=kbrk[1:])
    brk = kbrk.copy()
    brk[1:] |= session[1:] != session[:-1]
    gi = np.cumsum(brk) - 1
    ng = int(gi[-1]) + 1
    starts = np.flatnonzero(brk)
    n = np.diff(np.append(starts, len(idx)))
    t = c.t_us[idx]
    dt = np.where(~brk[1:], np.diff(t).astype(np.float64) / 1e6, 0.0)
    s1 = np.bincount(gi[1:], weights=dt, minlength=ng)
    s2 = np.bincount(gi[1:], weights=dt * dt, minlength=ng)
    m = np.maximum(n - 1, 1)
    mean = s1 / m
    var = np.maximum(s2 / m - mean * mean, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(var) / np.where(mean > 0, mean, 1.0), 0.0)
    dt_full = np.zeros(len(idx), dtype=np.float64)
    dt_full[1:] = dt
    max_dt = np.maximum.reduceat(dt_full, starts)
    # reads at one moment (mean interval under periodic_min_interval_s) are one act, not a timer
    periodic = (n >= p.periodic_min_calls) & (max_dt <= p.periodic_interval_s) & (cv <= p.periodic_max_cv) & (mean >= p.periodic_min_interval_s)
    maxw = np.zeros(ng, dtype=np.int64)
    bsel = np.flatnonzero(x.burst[c.cat[idx]])
    if len(bsel):
        gb = gi[bsel].astype(np.int64)
        comp = (gb << SHIFT) | t[bsel]
        cnt = c.count[idx[bsel]].astype(np.int64)
        cum = np.cumsum(cnt)
        right = np.searchsorted(comp, comp + p.burst_window_us, side="left")
        wsum = cum[right - 1] - (cum - cnt)
        bbrk = np.empty(len(bsel), dtype=bool)
        bbrk[0] = True
        np.not_equal(gb[1:], gb[:-1], out=bbrk[1:])
        bstarts = np.flatnonzero(bbrk)
        maxw[gb[bstarts]] = np.maximum.reduceat(wsum, bstarts)
    burst = maxw >= p.burst_min_calls
    flagged = periodic | burst
    if not flagged.any():
        return
    # one finding per (run, category, sdk): merge its flagged sessions
    f = np.flatnonzero(flagged)
    kg = (np.cumsum(kbrk) - 1)[starts]  # key-group of each sub-group
    fbrk = np.empty(len(f), dtype=bool)
    fbrk[0] = True
    np.not_equal(kg[f][1:], kg[f][:-1], out=fbrk[1:])
    fstarts = np.flatnonzero(fbrk)
    first_f = f[fstarts]
    c.collect(
        acc,
        idx[flagged[gi]],
        0,
        {
            "mean_interval_s": mean[first_f],
            "max_interval_s": max_dt[first_f],
            "cv": cv[first_f],
            "max_window_calls": np.maximum.reduceat(maxw[f], fstarts).astype(np.float64),
            "periodic": np.maximum.reduceat(periodic[f].astype(np.float64), fstarts),
            "burst": np.maximum.reduceat(burst[f].astype(np.float64), fstarts),
        },
    )


def _r05(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    # every personal-data read after acceptance (R05 compares their categories with the policy)
    c.collect(acc, np.flatnonzero(x.pi[c.cat] & (c.phase == ACCEPTED)), 0)


def _r06(c: _Chunk, x: _Ctx, acc: _Acc) -> None:
    # every personal-data read by a third-party SDK (R06 looks for the SDK's name in the policy)
    c.collect(acc, np.flatnonzero(x.pi[c.cat] & x.third[c.sdk]), 0)


_RULE_FUNCS = {
    "R05": _r05,
    "R06": _r06,
    "R09": _r09,
    "R10": _r10,
    "R11": _r11,
    "R14": _r14,
    "R26": _r26,
    "R27": _r27,
    "R28": _r28,
    "R29": _r29,
    "R30": _r30,
    "R31": _r31,
    "R32": _r32,
    "R33": _r33,
    "R35": _r35,
}


def judge_api(
    api: ApiColumns, tables: RunTables, catalog: RuleCatalog, params: JudgeParams, rules: Iterable[str] = API_RULES
) -> JudgeResult:
    """Run the vectorised API rules over every run. A rule that raises is recorded (and skipped
    in later chunks); a failure of the shared preparation is recorded for every rule."""
    wanted = [r for r in rules if r in _RULE_FUNCS]
    n = len(api)
    if n and int(api.run.max()) >= tables.n_runs:
        raise InputError(f"API events name run {int(api.run.max())} but only {tables.n_runs} runs were given")
    if n and not bool(np.all(api.run[1:] >= api.run[:-1])):
        order = np.argsort(api.run, kind="stable")
        api = ApiColumns(
            run=api.run[order],
            seq=api.seq[order],
            t_us=api.t_us[order],
            cat=api.cat[order],
            sdk=api.sdk[order],
            api=api.api[order],
            count=api.count[order],
            target=api.target[order],
            cat_names=api.cat_names,
            sdk_names=api.sdk_names,
            api_names=api.api_names,
            target_names=api.target_names,
            dropped=api.dropped,
        )
    accs = {r: _Acc() for r in wanted}
    errors: dict[str, BaseException] = {}
    if n:
        x = _Ctx(api, catalog, tables)
        bounds = np.searchsorted(api.run, np.arange(tables.n_runs + 1), "left")
        max_runs = max(1, _MAX_GROUP_KEY // len(api.cat_names))
        r0 = 0
        while r0 < tables.n_runs:
            lo = int(bounds[r0])
            r1 = int(np.searchsorted(bounds, lo + params.chunk_events, "right")) - 1
            r1 = min(max(r1, r0 + 1), r0 + max_runs, tables.n_runs)
            hi = int(bounds[r1])
            if hi > lo:
                try:
                    chunk = _Chunk(api, tables, params, r0, r1, lo, hi)
                except Exception as exc:  # noqa: BLE001 - recorded per rule, never fatal
                    for r in wanted:
                        errors.setdefault(r, exc)
                    r0 = r1
                    continue
                for r in wanted:
                    if r in errors:
                        continue
                    try:
                        _RULE_FUNCS[r](chunk, x, accs[r])
                    except Exception as exc:  # noqa: BLE001 - one rule failing spares the others
                        errors[r] = exc
                del chunk
            r0 = r1
    hits = {r: Hits(r, accs[r], api) for r in wanted if r not in errors}
    return JudgeResult(hits, errors, api.dropped)
