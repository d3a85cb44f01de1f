"""``consent-harness batch ...``: batch runs for regulators.

::

    batch run LIST [--scenario all] [--devices sim,sim | SERIALS] [--results DIR] [--dask ADDR]
    batch resume DIR [--devices ...]         run again what is not done (after a crash too)
    batch status DIR [--json]                tasks by status, devices and who holds them
    batch export DIR                         (re)write DIR/store/*.parquet
    batch query DIR "SQL" | --canned NAME | --list   [--format table|csv|json] [--unsafe]

Wiring into harness/cli.py: ``add_parser(sub)`` registers the ``batch`` sub-command and
``cmd_batch(args)`` runs it; ``python -m harness.batch`` runs the same parser on its own.
Exit codes: 0 all done, no high-severity finding; 1 all done with high-severity findings;
2 input errors (bad list, some tasks could not work as given); 3 infrastructure failures,
interruption, or tasks left pending.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import EXIT_CLEAN, EXIT_INPUT, InputError, run_guarded
from harness.textout import guard_formula, guarded_stdio

__all__ = ["coordinator_alive", "add_parser", "build_parser", "cmd_batch", "main"]


def _default_device() -> str:
    from harness.devices.kinds import default_device

    return default_device()


def _run_options(p: argparse.ArgumentParser, *, with_scenario: bool) -> None:
    if with_scenario:
        p.add_argument("--scenario", default="all", help="S1..S4, 'all' (the standard suite), a YAML path, or a comma-separated list (default all)")
    p.add_argument("--devices", default=_default_device(), help="device pool, comma-separated: the reference device (the default, simulated) repeated for parallel runs, or adb serials")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask distributed scheduler (tcp://host:8786) instead of the local pool; workers need --resources emulator=N")
    p.add_argument("--capacity", type=int, help="tasks in flight at once with --dask (default: the cluster's emulator resources)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds one app test may take before its process group is killed (default 900)")
    p.add_argument("--lease-timeout", type=float, default=600.0, help="seconds a task waits for a free device (default 600)")
    p.add_argument("--retries", type=int, default=2, help="extra tries after an infrastructure failure, on another device when possible (default 2)")
    p.add_argument("--max-device-failures", type=int, default=3, help="take a device out of the pool after this many failures in a row (default 3)")
    p.add_argument("--jurisdiction", choices=("cn", "eu"), default="cn")
    p.add_argument("--reports", default="html", help="per-run reports to build: comma-separated html, xlsx, json, junit, or none (default html, so the summary links to each run's report)")
    p.add_argument("--appium", metavar="URL", help="drive real devices through this Appium server")
    p.add_argument("--frida", choices=("spawn", "attach", "off"), default="spawn", help="real devices: how to instrument the app (default spawn)")
    p.add_argument("--driver-factory", default="", metavar="MODULE:FUNCTION", help="open devices with this factory (device farms, fault injection)")
    p.add_argument("--driver-option", action="append", default=[], metavar="KEY=VALUE", help="option passed to the driver factory (repeatable)")
    p.add_argument("--no-export", action="store_true", help="do not write the Parquet store at the end")
    p.add_argument("--no-summary", action="store_true", help="do not build the summary report at the end")
    p.add_argument("--cold", action="store_true", help="start a new Python interpreter per app test instead of forking warm workers")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")


def _fill(bp: argparse.ArgumentParser) -> None:
    sub = bp.add_subparsers(dest="batch_command", required=True)
    run = sub.add_parser("run", help="test every app of a list under the given scenarios")
    run.add_argument("app_list", help="CSV (app,label,profile,app_config) or text file, one app per line")
    run.add_argument("--results", default="results/batch", help="batch results folder (default results/batch); running again resumes")
    _run_options(run, with_scenario=True)

    rs = sub.add_parser("resume", help="run again every task of a batch that is not done")
    rs.add_argument("results")
    _run_options(rs, with_scenario=False)

    st = sub.add_parser("status", help="tasks by status and the device locks")
    st.add_argument("results")
    st.add_argument("--json", action="store_true")

    ex = sub.add_parser("export", help="write the Parquet store (store/*.parquet) from the run folders")
    ex.add_argument("results")

    q = sub.add_parser("query", help="SQL over the store with DuckDB (views: findings, runs, api_calls, flows, matches, tasks)")
    q.add_argument("results")
    q.add_argument("sql", nargs="?", help="one SQL statement")
    q.add_argument("--canned", metavar="NAME", help="a canned query (see --list)")
    q.add_argument("--list", action="store_true", help="list the canned queries")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--unsafe", action="store_true", help="run the SQL on an unrestricted DuckDB connection (any statement, any file the user can read or write); off by default: queries are one read-only SELECT over the store's views")
    q.add_argument("--max-rows", type=int, default=200, help="rows shown in table format (default 200)")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``batch`` on the main CLI's sub-parsers; returns the new parser."""
    bp: argparse.ArgumentParser = sub.add_parser("batch", help="batch runs: app list x scenarios over a device pool or Dask; run index, Parquet store, DuckDB queries")
    _fill(bp)
    return bp


def build_parser() -> argparse.ArgumentParser:
    bp = argparse.ArgumentParser(prog="consent-harness batch", description="Batch runs: app list x scenarios over a device pool or Dask.")
    _fill(bp)
    return bp


def _options(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in pairs:
        key, sep, value = p.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--driver-option must be KEY=VALUE, not {p[:80]!r}")
        out[key.strip()] = value
    return out


def _config(a: argparse.Namespace, results: Path) -> Any:
    from harness.batch.coordinator import BatchConfig
    from harness.batch.leases import parse_devices

    return BatchConfig(
        results=results,
        devices=parse_devices(a.devices),
        jurisdiction=a.jurisdiction,
        timeout_s=a.timeout,
        lease_timeout_s=a.lease_timeout,
        retries=a.retries,
        max_device_failures=a.max_device_failures,
        reports=tuple(f.strip() for f in a.reports.split(",") if f.strip() and f.strip() != "none"),
        driver_factory=a.driver_factory,
        driver_options=_options(a.driver_option),
        appium_url=a.appium or "",
        frida=a.frida,
        export=not a.no_export,
        summary=not a.no_summary,
        warm=not a.cold,
    )


def _progress(total: int) -> Any:
    seen = {"n": 0}

    def show(event: str, row: Any, out: Any) -> None:
        if event == "start":
            return
        seen["n"] += 1
        where = f" on {out.device}" if out is not None and out.device else ""
        took = f" ({out.duration_s:.1f} s)" if out is not None else ""
        detail = ""
        if event == "done":
            detail = f": {row.n_findings} findings, {row.n_violations} violations, {row.n_high} high"
        elif out is not None and out.message:
            detail = ": " + out.message.splitlines()[0][:160]
        status = row.status if event != "done" else "done"
        print(f"[{seen['n']}] {status:12} {row.app[:48]} {row.scenario}{where}{took}{detail}", file=sys.stderr, flush=True)

    return show


def _run(a: argparse.Namespace, results: Path, entries: Any, scenarios: str) -> int:
    from harness.batch.coordinator import run_batch

    config = _config(a, results)
    handle = None
    if a.dask:
        from harness.batch.executors import dask_executor

        handle = dask_executor(a.dask, capacity=a.capacity)
    try:
        rep = run_batch(config, entries, scenarios, executor=handle, progress=None if a.quiet else _progress(0))
    finally:
        if handle is not None:
            handle.close()
    c = rep.counts
    print(
        f"batch {rep.results}: {rep.selected} tasks; done {c.get('done', 0)} (of which {rep.skipped_done} already done), "
        f"infra_failed {c.get('infra_failed', 0)}, error {c.get('error', 0)}, pending {c.get('pending', 0)}; "
        f"{rep.attempts} attempts, {rep.retries} retries, {rep.adopted} recovered, {rep.elapsed_s:.1f} s"
    )
    if _pool_kind(a.devices, a.appium or "").simulated:
        print("Runs on the reference device are SIMULATED apps, not real ones.")
    for name, path in {**rep.store, **{f"summary {k}": v for k, v in rep.summary.items()}}.items():
        print(f"{name}: {path}")
    for n in rep.notes:
        print(f"note: {n}")
    if rep.quarantined:
        print(f"devices taken out of the pool: {', '.join(rep.quarantined)}")
    if rep.interrupted:
        print("interrupted: run 'consent-harness batch resume' with the same results folder to go on", file=sys.stderr)
    return rep.exit_code


def _backend(devices: str, appium_url: str = "") -> str:
    """The pool's device kind, as a device name the kind claims (app references are checked
    for that kind). A pool of one kind only: the app lists of different kinds differ."""
    from harness.devices.kinds import DeviceRequest, kind_for

    serials = [s.strip() for s in devices.split(",") if s.strip()]
    if not serials:
        raise InputError("no devices given (use --devices with the reference device or adb serials, comma-separated)")
    found = {kind_for(DeviceRequest(s, appium_url)) for s in serials}
    if len(found) > 1:
        names = ", ".join(sorted(f"{k.name} ({'simulated' if k.simulated else 'real'})" for k in found))
        hint = "the reference device with real devices" if any(k.simulated for k in found) else "device kinds"
        raise InputError(f"a pool cannot mix {hint}: {names}; the app lists differ")
    return serials[0]


def _pool_kind(devices: str, appium_url: str) -> Any:
    from harness.devices.kinds import DeviceRequest, kind_for

    return kind_for(DeviceRequest(_backend(devices, appium_url), appium_url))


def coordinator_alive(results: Path) -> bool:
    """Whether a batch coordinator holds the folder's coordinator lock right now (it holds an
    exclusive flock for as long as it lives; a killed one holds nothing)."""
    import fcntl

    from harness.batch.leases import lock_dir

    path = lock_dir(results) / "coordinator.lock"
    if not path.is_file():
        return False
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _status(results: Path, as_json: bool) -> int:
    from harness.batch.index import INDEX_NAME, RunIndex
    from harness.batch.leases import DeviceSlot, holder_of, lock_dir

    with RunIndex.open(results / INDEX_NAME, create=False) as idx:
        counts = idx.counts()
        rows = idx.tasks(status=("infra_failed", "error", "running"))
        meta = idx.meta()
    alive = coordinator_alive(results)
    if not alive and counts.get("running"):
        # a task "running" for a coordinator that is gone is not running: it waits for a resume
        counts = {**counts, "stale": counts["running"], "running": 0}
        rows = [dataclasses.replace(r, status="stale") if r.status == "running" else r for r in rows]
    locks = []
    ldir = lock_dir(results)
    if ldir.is_dir():
        for p in sorted(ldir.glob("*.lock")):
            if p.stem == "coordinator":
                continue
            holder = holder_of(ldir, DeviceSlot(p.stem, p.stem))
            locks.append({"slot": p.stem, "held_by": holder})
    if as_json:
        print(json.dumps({"counts": counts, "coordinator_running": alive, "meta": meta, "locks": locks, "problems": [r.to_dict() for r in rows]}, ensure_ascii=False, indent=2))
        return EXIT_CLEAN
    total = sum(counts.values())
    print(f"{results}: {total} tasks  " + "  ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"  coordinator: {'running' if alive else 'not running'}" + ("" if alive or not counts.get("stale") else f" ({counts['stale']} task(s) it left unfinished are stale: `consent-harness batch resume` settles them)"))
    for lk in locks:
        print(f"  device {lk['slot']}: {lk['held_by'] or 'free'}")
    for r in rows[:50]:
        print(f"  {r.status:12} {r.app[:48]} {r.scenario} attempts={r.attempts} {r.error.splitlines()[0][:120] if r.error else ''}")
    return EXIT_CLEAN


def _query(a: argparse.Namespace) -> int:
    from harness.batch.query import CANNED, canned, query

    if a.list:
        for name, cq in CANNED.items():
            print(f"{name:20} {cq.title}")
        return EXIT_CLEAN
    if bool(a.sql) == bool(a.canned):
        raise InputError("give either an SQL statement or --canned NAME (see --list)")
    frame = canned(a.results, a.canned) if a.canned else query(a.results, a.sql, unsafe=a.unsafe)
    if a.format == "csv":
        # app text such as "=cmd|' /C calc'!A0" must stay text when the CSV is opened in a
        # spreadsheet: OWASP's guard, a leading quote on every cell a spreadsheet reads as a formula
        import pandas as pd

        for c in [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]:
            frame[c] = frame[c].map(lambda v: guard_formula(v) if isinstance(v, str) else v)
        frame.columns = [guard_formula(str(c)) for c in frame.columns]
        frame.to_csv(sys.stdout, index=False)
    elif a.format == "json":
        print(frame.to_json(orient="records", force_ascii=False))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", a.max_rows, "display.max_columns", 50, "display.width", 200, "display.max_colwidth", 60):
            print(frame.to_string(index=False, max_rows=a.max_rows) if len(frame) else "(no rows)")
    return EXIT_CLEAN


def cmd_batch(a: argparse.Namespace) -> int:
    """Run a parsed ``batch`` command; HarnessError propagates to the caller's handler."""
    cmd = a.batch_command
    if cmd == "run":
        from harness.batch.applist import read_app_list
        from harness.rundir import results_folder

        backend = _backend(a.devices, a.appium or "")
        entries = read_app_list(a.app_list, backend=backend)
        return _run(a, results_folder(a.results), entries, a.scenario)
    if cmd == "resume":
        results = Path(a.results)
        from harness.batch.index import INDEX_NAME

        if not (results / INDEX_NAME).is_file():
            raise InputError(f"no batch index in {results} (nothing to resume)")
        _backend(a.devices, a.appium or "")
        return _run(a, results, None, "all")
    if cmd == "status":
        return _status(Path(a.results), a.json)
    if cmd == "export":
        from harness.batch.store import export_store

        res = export_store(a.results)
        print(f"store: {res.runs} runs, {res.findings} findings, {res.api_calls} API events, {res.tasks} tasks in {res.seconds:.2f} s")
        for name, path in res.paths.items():
            print(f"{name}: {path}")
        for n in res.notes:
            print(f"note: {n}")
        return EXIT_CLEAN
    if cmd == "query":
        return _query(a)
    raise InputError(f"unknown batch command {cmd!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_INPUT
    with guarded_stdio():
        return run_guarded(lambda: cmd_batch(a), "consent-harness batch")
