"""The batch store: the run folders of a batch as Parquet tables, for DuckDB queries.

``export_store(results)`` writes ``<results>/store/``:

===================  ===========================================================================
findings.parquet     one row per finding; columns are ``FINDING_COLUMNS`` of
                     harness/reporting/frames.py (the one place that defines them)
runs.parquet         one row per tested (app, scenario): app, package, label, profile, scenario,
                     device, status, timings, finding counts by severity and verdict, API events
api_calls.parquet    one row per ApiCall event: run_id, package, scenario, seq, t, api_id,
                     category, pi (the category is personal information), method, sdk, caller,
                     thread, count, phase (consent phase at that moment: pre_prompt, prompt,
                     dismissed, declined, accepted; computed by harness.detectors.phases)
flows.parquet        one row per network request (NetworkFlow) and per refused TLS handshake
                     (TlsFailure) of a run: when (t, consent phase), to whom (host, registrable
                     domain, party, SDK: harness.network.attribution), what (method, scheme,
                     path cut at 512 characters, status, sizes), ``tls_state`` (decrypted,
                     cleartext, refused) and the planted values found in it (categories, plants,
                     forms), as the detectors matched them
matches.parquet      one row per planted value found in a request: the flow's columns plus the
                     plant, its category, origin, form (md5-b64, ...), where it was (url,
                     header:..., body), the decode layers and a bounded snippet
tasks.parquet        the run index (every task, whatever its status; attempts and errors)
===================  ===========================================================================

Matches are never recomputed here: ``analyze`` stores the matching R34/R37 judged by in
``analysis.json`` (``network_matches``) and the store reads it. A run analysed before that was
kept has ``network_matched = false`` in ``runs`` (``consent-harness analyze`` it again to fill).
``runs`` carries each run's network coverage: requests decrypted, in cleartext, TLS handshakes
refused (and by which hosts), the CA the proxy presented and whose traffic reached it
(``network_ca`` trusted / untrusted and ``network_scope`` app / device, from the run's
NetworkCapture event; '' when the run had none), QUIC attempts the agent blocked (``quic_measured`` says whether
the run's recording counted them at all: QuicBlocked events, or an agent ready record saying its
UDP/443 refusal was on;
harness.reporting.build.quic_count, the same count as the run report's).

The store is versioned (``STORE_VERSION`` in ``export.json``); a store written by an older
version, or missing a table, is exported again from the run folders before it is queried (the
run folders are the record; the store is derived from them).

Only run folders of ``done`` tasks are exported, so an (app, scenario) appears once however
often it was tried. Runs are read a chunk at a time and written as Parquet row groups, so
memory stays bounded by the chunk, not the batch. Files are written beside their final name
and swapped in as one set: the Parquet files and export.json are written into a staging folder
beside ``store/`` and exchanged with it in one step (Linux ``renameat2``; elsewhere the old
folder is moved aside first), so a reader sees the old set or the new one, never a mix; the
staging folder of a killed export is removed by the next one.

A run folder that cannot be read (deleted, truncated timeline in the middle, malformed
run.json) is left out with a note naming it; the export goes on.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from harness import fsio
from harness.batch.index import INDEX_NAME, TASK_COLUMNS, RunIndex, TaskRow
from harness.errors import InputError
from harness.events import Event
from harness.reporting.frames import FINDING_COLUMNS, finding_row

__all__ = [
    "STORE_DIR",
    "STORE_FILES",
    "FINDINGS_SCHEMA",
    "RUNS_SCHEMA",
    "API_CALLS_SCHEMA",
    "TASKS_SCHEMA",
    "FLOWS_SCHEMA",
    "MATCHES_SCHEMA",
    "STORE_VERSION",
    "ExportResult",
    "store_version",
    "export_store",
    "store_paths",
    "run_rows",
    "RunRows",
    "NetworkRows",
    "network_rows",
]

STORE_DIR = "store"
STORE_FILES = {
    "findings": "findings.parquet",
    "runs": "runs.parquet",
    "api_calls": "api_calls.parquet",
    "flows": "flows.parquet",
    "matches": "matches.parquet",
    "tasks": "tasks.parquet",
}
#: 1: findings, runs, api_calls, tasks (no version recorded); 2: flows, matches and the network
#: coverage columns of runs; 3: runs.network_ca / network_scope (the NetworkCapture event)
STORE_VERSION = 3
CHUNK_RUNS = 200

# Types of the findings columns that are not text; every other column of FINDING_COLUMNS is a
# string, so a column added in frames.py reaches the store without a change here.
_FINDING_TYPES: dict[str, pa.DataType] = {"simulated": pa.bool_(), "t": pa.float64()}
FINDINGS_SCHEMA = pa.schema([pa.field(c, _FINDING_TYPES.get(c, pa.string())) for c in FINDING_COLUMNS])

RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("task_id", pa.int64()),
        ("app", pa.string()),
        ("package", pa.string()),
        ("label", pa.string()),
        ("profile", pa.string()),
        ("scenario", pa.string()),
        ("simulated", pa.bool_()),
        ("device", pa.string()),
        ("serial", pa.string()),
        ("backend", pa.string()),
        ("api_level", pa.int32()),
        ("host", pa.string()),
        ("status", pa.string()),
        ("attempts", pa.int32()),
        ("started_at", pa.string()),
        ("finished_at", pa.string()),
        ("duration_s", pa.float64()),
        ("run_duration_s", pa.float64()),
        ("n_findings", pa.int32()),
        ("n_info", pa.int32()),
        ("n_low", pa.int32()),
        ("n_medium", pa.int32()),
        ("n_high", pa.int32()),
        ("n_violations", pa.int32()),
        ("n_review", pa.int32()),
        ("n_api_events", pa.int64()),
        ("n_flows", pa.int64()),
        ("n_flows_decrypted", pa.int64()),
        ("n_flows_cleartext", pa.int64()),
        ("n_tls_refused", pa.int64()),
        ("tls_refused_hosts", pa.string()),
        ("n_quic_blocked", pa.int64()),
        ("quic_measured", pa.bool_()),
        ("n_planted", pa.int32()),
        ("n_flows_matched", pa.int64()),
        ("network_matched", pa.bool_()),
        ("network_ca", pa.string()),
        ("network_scope", pa.string()),
        ("harness_version", pa.string()),
        ("hook_pack", pa.string()),
        ("run_dir", pa.string()),
    ]
)

API_CALLS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("package", pa.string()),
        ("scenario", pa.string()),
        ("seq", pa.int64()),
        ("t", pa.float64()),
        ("api_id", pa.string()),
        ("category", pa.string()),
        ("pi", pa.bool_()),
        ("method", pa.string()),
        ("sdk", pa.string()),
        ("caller", pa.string()),
        ("thread", pa.string()),
        ("count", pa.int64()),
        ("phase", pa.string()),
    ]
)

_FLOW_COMMON = [
    ("run_id", pa.string()),
    ("app", pa.string()),
    ("package", pa.string()),
    ("scenario", pa.string()),
    ("seq", pa.int64()),
    ("t", pa.float64()),
    ("phase", pa.string()),
    ("host", pa.string()),
    ("domain", pa.string()),
    ("party", pa.string()),
    ("sdk", pa.string()),
    ("method", pa.string()),
    ("scheme", pa.string()),
    ("port", pa.int32()),
    ("path", pa.string()),
    ("tls_state", pa.string()),
]

FLOWS_SCHEMA = pa.schema(
    [
        *_FLOW_COMMON,
        ("http_version", pa.string()),
        ("status", pa.int32()),
        ("req_bytes", pa.int64()),
        ("resp_bytes", pa.int64()),
        ("body_cut", pa.bool_()),
        ("error", pa.string()),
        ("n_matches", pa.int32()),
        ("categories", pa.string()),
        ("plants", pa.string()),
        ("forms", pa.string()),
    ]
)

MATCHES_SCHEMA = pa.schema(
    [
        *_FLOW_COMMON,
        ("plant", pa.string()),
        ("plant_seq", pa.int64()),
        ("category", pa.string()),
        ("origin", pa.string()),
        ("form", pa.string()),
        ("location", pa.string()),
        ("layers", pa.string()),
        ("snippet", pa.string()),
    ]
)

_TASK_TYPES: dict[str, pa.DataType] = {
    "task_id": pa.int64(),
    "attempts": pa.int32(),
    "simulated": pa.bool_(),
    "duration_s": pa.float64(),
}
TASKS_SCHEMA = pa.schema([pa.field(c, _TASK_TYPES.get(c, pa.int32() if c.startswith("n_") else pa.string())) for c in TASK_COLUMNS])

#: the tables written a chunk of runs at a time (``tasks`` is written whole, from the index),
#: in the order of ``export.json``; each is a list of ``RunRows`` and a count of ``ExportResult``
_RUN_TABLES: dict[str, pa.Schema] = {"runs": RUNS_SCHEMA, "findings": FINDINGS_SCHEMA, "api_calls": API_CALLS_SCHEMA, "flows": FLOWS_SCHEMA, "matches": MATCHES_SCHEMA}


def _empty_value(t: pa.DataType) -> Any:
    """The value a column holds where a row has nothing to say: '', 0, 0.0 or False."""
    if pa.types.is_boolean(t):
        return False
    if pa.types.is_integer(t):
        return 0
    if pa.types.is_floating(t):
        return 0.0
    return ""


def _row(schema: pa.Schema, **values: Any) -> dict[str, Any]:
    """A row of ``schema``: the given values, every other column empty (``_empty_value``).
    Raises KeyError on a name that is not a column, so a row cannot drift from its table."""
    unknown = set(values) - set(schema.names)
    if unknown:
        raise KeyError(f"not a column: {', '.join(sorted(unknown))}")
    return {f.name: values[f.name] if f.name in values else _empty_value(f.type) for f in schema}


@dataclass
class ExportResult:
    """What an export wrote."""

    paths: dict[str, Path] = field(default_factory=dict)
    runs: int = 0
    findings: int = 0
    api_calls: int = 0
    flows: int = 0
    matches: int = 0
    tasks: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def store_paths(results: str | Path) -> dict[str, Path]:
    base = Path(results) / STORE_DIR
    return {name: base / fname for name, fname in STORE_FILES.items()}


def store_version(results: str | Path) -> int:
    """The version of the store in ``results`` (``export.json``): 0 when there is none or it
    cannot be read, 1 for a store written before versions were recorded."""
    meta = Path(results) / STORE_DIR / "export.json"
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if not isinstance(data, dict):
        return 0
    v = data.get("store_version", 1)
    return v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else 0


class _PhaseTools:
    """The rule catalogue and the detectors' phase helper, loaded once per export."""

    def __init__(self) -> None:
        from harness.catalog.rules import load_rules

        self.catalog = load_rules()
        self.pi = {name: bool(info.pi) for name, info in self.catalog.categories.items()}

    def phase_of(self, events: Sequence[Any], package: str) -> Any:
        from harness.detectors.phases import build_phases
        from harness.events import ApiCall

        control = sorted((e for e in events if not isinstance(e, ApiCall)), key=lambda e: e.seq)
        return build_phases(control, self.catalog, package=package)


@dataclass
class RunRows:
    """The store rows of one run folder."""

    run: dict[str, Any]
    findings: list[dict[str, Any]]
    api_calls: list[dict[str, Any]]
    flows: list[dict[str, Any]] = field(default_factory=list)
    matches: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """The rows by table name (``runs`` holds the one run row)."""
        return {"runs": [self.run], "findings": self.findings, "api_calls": self.api_calls, "flows": self.flows, "matches": self.matches}


def run_rows(results: Path, row: TaskRow, tools: _PhaseTools | None = None) -> RunRows:
    """The store rows (runs, findings, api_calls, flows, matches) of one done task's run
    folder. Raises InputError naming the folder when it cannot be read."""
    from harness.pipeline import read_findings
    from harness.rundir import RunDir

    rd = RunDir(results / row.run_dir)
    where = str(rd.path)
    try:
        info = rd.read_info()
        findings = read_findings(rd.path)
        control, calls = _read_timeline(rd.timeline) if rd.timeline.is_file() else ([], [])
        analysis = _read_analysis(rd.analysis)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{where}: cannot read the run folder: {str(exc)[:300]}") from None
    tools = tools or _PhaseTools()
    phases = tools.phase_of(control, info.package)
    from harness.detectors.phases import PHASE_NAMES

    api: list[dict[str, Any]] = []
    for ev in calls:
        t = ev["t"]
        api.append(
            {
                "run_id": info.run_id,
                "package": info.package,
                "scenario": info.scenario,
                "seq": ev["seq"],
                "t": t,
                "api_id": ev["api_id"],
                "category": ev["category"],
                "pi": tools.pi.get(ev["category"]),
                "method": ev["method"],
                "sdk": ev["sdk"],
                "caller": ev["caller"],
                "thread": ev["thread"],
                "count": ev["count"],
                "phase": PHASE_NAMES[phases.phase_at(t)] if math.isfinite(t) else "",
            }
        )
    frows = [finding_row(f, run_id=info.run_id, package=info.package, scenario=info.scenario, simulated=info.simulated) for f in findings]
    device = info.device if isinstance(info.device, dict) else {}
    net = network_rows(control, analysis, phases, app=row.app, run_id=info.run_id, package=info.package, scenario=info.scenario)
    run = {
        "run_id": info.run_id,
        "task_id": row.task_id,
        "app": row.app,
        "package": info.package,
        "label": row.label or info.app_label,
        "profile": row.profile or info.profile,
        "scenario": info.scenario,
        "simulated": bool(info.simulated),
        "device": row.device,
        "serial": str(device.get("serial", "")),
        "backend": str(device.get("backend", "")),
        "api_level": int(device.get("api_level", 0) or 0),
        "host": row.host,
        "status": info.status,
        "attempts": row.attempts,
        "started_at": info.started_at,
        "finished_at": info.finished_at,
        "duration_s": float(row.duration_s),
        "run_duration_s": float(info.extra.get("duration_s", 0.0) or 0.0) if isinstance(info.extra, dict) else 0.0,
        "n_findings": len(findings),
        "n_info": sum(1 for f in findings if f.severity == "info"),
        "n_low": sum(1 for f in findings if f.severity == "low"),
        "n_medium": sum(1 for f in findings if f.severity == "medium"),
        "n_high": sum(1 for f in findings if f.severity == "high"),
        "n_violations": sum(1 for f in findings if f.verdict == "violation"),
        "n_review": sum(1 for f in findings if f.verdict == "needs-review"),
        "n_api_events": len(api),
        **net.coverage,
        "harness_version": info.harness_version,
        "hook_pack": info.hook_pack,
        "run_dir": row.run_dir,
    }
    return RunRows(run, frows, api, net.flows, net.matches)


def _read_analysis(path: Path) -> dict[str, Any] | None:
    """analysis.json as an object; None when the run was not analysed."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


MAX_PATH = 512
MAX_SNIPPET = 160
MAX_REFUSED_HOSTS = 2000


@dataclass
class NetworkRows:
    """A run's flows and matches rows, and its network coverage (columns of ``runs``)."""

    flows: list[dict[str, Any]]
    matches: list[dict[str, Any]]
    coverage: dict[str, Any]


def _txt(v: Any, n: int) -> str:
    return v[:n] if isinstance(v, str) else ""


def network_rows(control: Sequence[Event], analysis: Mapping[str, Any] | None, phases: Any, *, app: str, run_id: str, package: str, scenario: str) -> NetworkRows:
    """Rows of ``flows`` and ``matches`` for one run from its events and ``analysis.json``
    (``network_matches``, the detectors' own matching), and its coverage figures. The run's
    NetworkFlow and TlsFailure events are read once; recipients come from the same attribution
    as the detectors' (harness.network.attribution)."""
    from harness.detectors.phases import PHASE_NAMES
    from harness.events import HoneyPlant, NetworkCapture, NetworkFlow, TlsFailure
    from harness.network.attribution import attribute_host, first_party_domains
    from harness.reporting.build import quic_count

    first = first_party_domains(package)
    stored = analysis.get("network_matches") if analysis is not None else None
    matched = isinstance(stored, list)
    by_seq: dict[int, Mapping[str, Any]] = {}
    for rec in stored if isinstance(stored, list) else ():
        if isinstance(rec, Mapping) and isinstance(rec.get("seq"), int) and isinstance(rec.get("matches"), list):
            by_seq[int(rec["seq"])] = rec
    flows: list[dict[str, Any]] = []
    matches: list[dict[str, Any]] = []
    refused_hosts: dict[str, int] = {}
    n_flows = decrypted = cleartext = refused = flows_matched = 0
    planted: set[tuple[str, str]] = set()
    capture: NetworkCapture | None = None
    for ev in control:
        if isinstance(ev, NetworkCapture):
            capture = capture or ev
            continue
        if isinstance(ev, HoneyPlant):
            planted.add((ev.api_id, ev.value))
            continue
        if not isinstance(ev, (NetworkFlow, TlsFailure)):
            continue
        t = ev.t
        phase = PHASE_NAMES[phases.phase_at(t)] if math.isfinite(t) else ""
        host = (ev.sni or ev.host) if isinstance(ev, TlsFailure) else ev.host
        who = attribute_host(host, first)
        # the columns flows and matches share: when, to whom
        where = dict(run_id=run_id, app=app, package=package, scenario=scenario, seq=ev.seq, t=t, phase=phase, host=host[:MAX_TEXT], domain=who.domain, party=who.party, sdk=who.sdk, port=ev.port)
        if isinstance(ev, TlsFailure):
            refused += 1
            if host not in refused_hosts and len(refused_hosts) < MAX_REFUSED_HOSTS:
                refused_hosts[host] = 0
            if host in refused_hosts:
                refused_hosts[host] += 1
            # a refused handshake: no request, so every request column stays empty
            flows.append(_row(FLOWS_SCHEMA, **where, scheme="https", tls_state="refused", error=ev.error[:MAX_TEXT]))
            continue
        n_flows += 1
        state = "decrypted" if ev.tls else "cleartext"
        decrypted += state == "decrypted"
        cleartext += state == "cleartext"
        rec = by_seq.get(ev.seq)
        common = dict(where, method=ev.method, scheme=ev.scheme, path=ev.path[:MAX_PATH], tls_state=state)
        found: list[dict[str, Any]] = []
        for m in rec["matches"] if rec is not None else ():
            if not isinstance(m, Mapping):
                continue
            layers = m.get("layers")
            found.append(
                _row(
                    MATCHES_SCHEMA,
                    **common,
                    plant=_txt(m.get("plant"), 64),
                    plant_seq=m["plant_seq"] if isinstance(m.get("plant_seq"), int) and not isinstance(m.get("plant_seq"), bool) else -1,
                    category=_txt(m.get("category"), 64),
                    origin=_txt(m.get("origin"), 16),
                    form=_txt(m.get("form"), 64),
                    location=_txt(m.get("where"), 80),
                    layers=">".join(x[:32] for x in layers[:8] if isinstance(x, str)) if isinstance(layers, list) else "",
                    snippet=_txt(m.get("snippet"), MAX_SNIPPET),
                )
            )
        flows_matched += bool(found)
        matches += found
        flows.append(
            _row(
                FLOWS_SCHEMA, **common, http_version=ev.http_version, status=ev.status, req_bytes=ev.req_bytes, resp_bytes=ev.resp_bytes,
                body_cut=ev.body_cut, error=ev.error[:MAX_TEXT], n_matches=len(found),
                categories=",".join(sorted({m["category"] for m in found if m["category"]})),
                plants=",".join(sorted({m["plant"] for m in found if m["plant"]})),
                forms=",".join(sorted({f"{m['form']}@{m['location']}" + (f" via {m['layers']}" if m["layers"] else "") for m in found}))[:MAX_TEXT],
            )
        )
    quic = quic_count(control)
    coverage = {
        "n_flows": n_flows,
        "n_flows_decrypted": decrypted,
        "n_flows_cleartext": cleartext,
        "n_tls_refused": refused,
        "tls_refused_hosts": ",".join(f"{h}:{n}" for h, n in sorted(refused_hosts.items(), key=lambda kv: (-kv[1], kv[0])))[:MAX_TEXT * 4],
        "n_quic_blocked": quic or 0,
        "quic_measured": quic is not None,
        "n_planted": len(planted),
        "n_flows_matched": flows_matched,
        "network_matched": matched,
        "network_ca": capture.ca[:16] if capture is not None else "",
        "network_scope": capture.scope[:16] if capture is not None else "",
    }
    return NetworkRows(flows, matches, coverage)


_API_TEXT = ("api_id", "category", "method", "sdk", "caller", "thread")
MAX_TEXT = 1000


def _api_fields(d: Mapping[str, Any]) -> dict[str, Any]:
    """The stored columns of one ApiCall line, typed and bounded (no full Event needed)."""
    out: dict[str, Any] = {k: str(d.get(k, ""))[:MAX_TEXT] for k in _API_TEXT}
    out["seq"] = int(d["seq"])
    out["t"] = float(d.get("t", 0.0))
    out["count"] = int(d.get("count", 1))
    return out


def _read_timeline(path: Path) -> tuple[list[Event], list[dict[str, Any]]]:
    """(control events, ApiCall columns) of a timeline.jsonl. ApiCall lines, the bulk of a
    timeline, skip building Event objects; the rest go through ``event_from_dict``. Like
    ``Timeline.read``, a damaged last line (a killed run) is dropped and any other damaged
    line is an error naming it."""
    from harness.events import event_from_dict

    control: list[Event] = []
    calls: list[dict[str, Any]] = []
    for line in fsio.read_jsonl(path):
        try:
            if not line.ok:
                raise ValueError(line.error)
            d = line.value
            if not isinstance(d, dict):
                raise TypeError("not an object")
            if d.get("kind") == "api":
                calls.append(_api_fields(d))
            else:
                control.append(event_from_dict(d))
        except (ValueError, TypeError, KeyError) as exc:
            if not line.last:
                raise ValueError(f"{path}:{line.lineno}: unreadable event: {exc}") from exc
    return control, calls


def _chunks(rows: Sequence[TaskRow], size: int) -> Iterator[Sequence[TaskRow]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


_STAGING = re.compile(r"^\.store\.(?P<pid>\d{1,10})\.[0-9a-f]{8}\.tmp$")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(rc == 0)


def _swap_in(staging: Path, store: Path) -> None:
    """Make ``staging`` the store as one set: readers see the old set of files or the new one,
    never a mix. Where an atomic exchange is not available the old store is moved aside first
    (a reader can then briefly find no store, never a mixed one)."""
    if not store.exists():
        os.rename(staging, store)
        return
    if _exchange(staging, store):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old set
        return
    old = store.with_name(f".store.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    os.rename(store, old)
    os.rename(staging, store)
    shutil.rmtree(old, ignore_errors=True)


def _remove_stale_staging(root: Path) -> None:
    """Staging folders of an export that was killed (its process is gone)."""
    for p in root.glob(".store.*.tmp"):
        m = _STAGING.match(p.name)
        if not m or not p.is_dir() or p.is_symlink():
            continue
        pid = int(m.group("pid"))
        try:
            os.kill(pid, 0)
            alive = pid != 0
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            shutil.rmtree(p, ignore_errors=True)


def export_store(results: str | Path, *, index: RunIndex | None = None, chunk_runs: int = CHUNK_RUNS) -> ExportResult:
    """Write the Parquet store of a batch (module docstring); return what was written."""
    t0 = time.perf_counter()
    root = Path(results).resolve()
    own = index is None
    idx = index if index is not None else RunIndex.open(root / INDEX_NAME, create=False)
    out = ExportResult()
    paths = store_paths(root)
    store = next(iter(paths.values())).parent
    _remove_stale_staging(root)
    # the whole set is written into a staging folder beside the store and swapped in at once
    staging = root / f".store.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    staging.mkdir()
    tmps = {name: staging / p.name for name, p in paths.items()}
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        tasks = idx.tasks()
        task_dicts = [dict(t.to_dict(), simulated=bool(t.simulated)) for t in tasks]
        pq.write_table(pa.Table.from_pylist(task_dicts, schema=TASKS_SCHEMA), tmps["tasks"], compression="zstd")
        out.tasks = len(tasks)
        writers = {name: pq.ParquetWriter(tmps[name], schema, compression="zstd") for name, schema in _RUN_TABLES.items()}
        done = [t for t in tasks if t.status == "done" and t.run_dir]
        tools = _PhaseTools()
        for chunk in _chunks(done, max(1, chunk_runs)):
            rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _RUN_TABLES}
            for row in chunk:
                try:
                    rr = run_rows(root, row, tools)
                except InputError as exc:
                    out.notes.append(f"left out of the store: {exc}")
                    continue
                for name, got in rr.tables().items():
                    rows[name] += got
            for name, schema in _RUN_TABLES.items():
                writers[name].write_table(pa.Table.from_pylist(rows[name], schema=schema))
                setattr(out, name, getattr(out, name) + len(rows[name]))
        for w in writers.values():
            w.close()
        writers = {}
        counts = {name: getattr(out, name) for name in (*_RUN_TABLES, "tasks")}
        (staging / "export.json").write_text(
            json.dumps({"store_version": STORE_VERSION, **counts, "notes": out.notes}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        _swap_in(staging, store)
        out.paths = dict(paths)
    finally:
        for w in writers.values():
            w.close()
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if own:
            idx.close()
    out.seconds = round(time.perf_counter() - t0, 3)
    return out
