"""The batch coordinator: app list x scenarios -> executor -> run index -> store and summary.

:func:`run_batch` is the one entry point (the CLI calls it). It

1. takes ``<results>/.locks/coordinator.lock`` (one coordinator per results folder; the OS
   frees it when the coordinator dies);
2. opens the run index and recovers from a crashed coordinator: a task left ``running``
   whose worker finished gets its result file adopted, any other goes back to ``pending``;
3. adds the (app, scenario) tasks of this batch; ``done`` ones are skipped, failed ones
   (``infra_failed``, ``error``) are tried again;
4. keeps at most ``capacity`` tasks in flight on the executor; records every outcome as it
   arrives. An infrastructure failure is retried (up to ``retries`` more times per run of the
   batch), avoiding the devices on which the task already failed; a device failing
   ``max_device_failures`` times in a row is taken out of the pool for the rest of the batch.
   App behaviour is a result and is never retried;
5. at the end exports the Parquet store and writes the summary report.

SIGINT/SIGTERM stop it cleanly: no new task starts, running workers are killed, their tasks
go back to ``pending``. A SIGKILL loses nothing that was recorded: the next run resumes.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from harness.batch.applist import AppEntry
from harness.batch.executors import ExecutorHandle, local_executor
from harness.batch.index import INDEX_NAME, RunIndex, TaskRow
from harness.batch.leases import DeviceSlot, lock_dir
from harness.batch.task import TaskOutcome, TaskSpec, forget_batch, read_outcome, request_stop, run_task
from harness.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INFRA, EXIT_INPUT, InputError

__all__ = ["BatchConfig", "BatchReport", "plan_scenarios", "run_batch", "recover", "work_paths", "Progress", "DEVICE_FAULT_PHASES"]

#: outcome phases that point at the device (counted towards taking it out of the pool)
DEVICE_FAULT_PHASES = frozenset({"open", "health", "reset", "run", "heal", "timeout", "worker"})

Progress = Callable[[str, TaskRow, TaskOutcome | None], None]


@dataclass(frozen=True)
class BatchConfig:
    """How to run a batch. ``retries``: extra tries after an infrastructure failure.
    ``timeout_s``: wall-clock limit of one app test (the worker's process group is killed
    after it). ``reports``: per-run report formats to build (html, xlsx, json, junit).
    ``warm``: fork workers from a warm zygote (harness/batch/zygote.py) instead of starting a
    new interpreter per app test."""

    results: Path
    devices: tuple[DeviceSlot, ...]
    jurisdiction: str = "cn"
    timeout_s: float = 900.0
    lease_timeout_s: float = 600.0
    heal_timeout_s: float = 60.0
    retries: int = 2
    max_device_failures: int = 3
    reports: tuple[str, ...] = ()
    driver_factory: str = ""
    driver_options: Mapping[str, str] = field(default_factory=dict)
    appium_url: str = ""
    frida: str = "spawn"
    export: bool = True
    summary: bool = True
    warm: bool = True

    def __post_init__(self) -> None:
        if self.retries < 0 or self.max_device_failures < 1:
            raise InputError("retries must be >= 0 and max_device_failures >= 1")
        if self.timeout_s <= 0 or self.lease_timeout_s < 0:
            raise InputError("timeouts must be positive")
        if self.jurisdiction not in ("cn", "eu"):
            raise InputError(f"unknown jurisdiction {self.jurisdiction!r} (cn or eu)")
        bad = [f for f in self.reports if f not in ("html", "xlsx", "json", "junit")]
        if bad:
            raise InputError(f"unknown report format(s): {', '.join(bad)}")
        if self.frida not in ("spawn", "attach", "off"):
            raise InputError(f"unknown frida mode {self.frida!r} (spawn, attach, off)")


@dataclass
class BatchReport:
    """What a run of the batch did."""

    results: Path
    selected: int = 0
    skipped_done: int = 0
    attempts: int = 0
    retries: int = 0
    adopted: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False
    quarantined: list[str] = field(default_factory=list)
    store: dict[str, Path] = field(default_factory=dict)
    summary: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    findings_high: int = 0

    @property
    def exit_code(self) -> int:
        """0 all done and clean; 1 all done, some high-severity violations; 2 some tasks could
        not work as given; 3 infrastructure failures, interruption or tasks left pending."""
        if self.interrupted or self.counts.get("infra_failed", 0) or self.counts.get("pending", 0) or self.counts.get("running", 0):
            return EXIT_INFRA
        if self.counts.get("error", 0):
            return EXIT_INPUT
        return EXIT_FINDINGS if self.findings_high else EXIT_CLEAN


def plan_scenarios(spec: str) -> list[tuple[str, str]]:
    """A scenario spec ('all', 'S2', 'S1,S3', a YAML path, or a mix) -> (scenario id, the
    reference a worker resolves). Scenario YAML paths become absolute."""
    from harness.scenarios import resolve_scenarios

    out: dict[str, str] = {}
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        if part == "all":
            pairs = [(s.id, s.id) for s in resolve_scenarios("all")]
        elif part.endswith((".yaml", ".yml")):
            ref = str(Path(part).resolve())
            pairs = [(s.id, ref) for s in resolve_scenarios(ref)]
        else:
            pairs = [(s.id, s.id) for s in resolve_scenarios(part)]
        for sid, ref in pairs:
            if sid in out and out[sid] != ref:
                raise InputError(f"two scenarios share the id {sid!r} ({out[sid]} and {ref})")
            out[sid] = ref
    if not out:
        raise InputError("no scenario given")
    return list(out.items())


def work_paths(results: Path, task_id: int, attempt: int) -> tuple[str, str]:
    """(result file, log file) of one attempt."""
    stem = f"t{task_id:07d}-a{attempt:02d}"
    base = results / ".batch"
    return str(base / "work" / f"{stem}.json"), str(base / "logs" / f"{stem}.log")


def _rel(results: Path, path: str) -> str:
    if not path:
        return ""
    try:
        return str(Path(path).resolve().relative_to(results.resolve()))
    except ValueError:
        return str(path)


class _CoordinatorLock:
    def __init__(self, results: Path) -> None:
        d = lock_dir(results)
        d.mkdir(parents=True, exist_ok=True)
        self.path = d / "coordinator.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = ""
            try:
                holder = self.path.read_text(encoding="utf-8", errors="replace")[:200].strip()
            except OSError:
                pass
            os.close(self.fd)
            raise InputError(f"another batch coordinator is running on {results} ({holder or 'pid unknown'}); wait for it or stop it first") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"pid={os.getpid()}\n".encode(), 0)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _apply_final(index: RunIndex, results: Path, out: TaskOutcome, status: str) -> None:
    values: dict[str, Any] = {
        "device": out.device,
        "host": out.host,
        "finished_at": out.finished_at,
        "duration_s": out.duration_s,
        "error": out.message if status != "done" else "; ".join(out.notes),
    }
    if out.package:
        values["package"] = out.package
    if status == "done":
        values.update(
            run_id=out.run_id,
            run_dir=_rel(results, out.run_dir),
            run_status=out.run_status,
            simulated=int(out.simulated),
            **{k: int(v) for k, v in out.counts.items() if k.startswith("n_")},
        )
    index.set_result(out.task_id, status, values)


def _record_attempt(index: RunIndex, results: Path, out: TaskOutcome) -> None:
    index.finish_attempt(
        out.task_id,
        out.attempt,
        outcome=out.kind,
        device=out.device,
        host=out.host,
        run_dir=_rel(results, out.run_dir),
        error=(out.message + ("\n" + "\n".join(out.notes) if out.notes else "")).strip(),
        duration_s=out.duration_s,
    )


def recover(index: RunIndex, results: Path) -> int:
    """Settle tasks left ``running`` by a coordinator that died: adopt a finished worker's
    result file (done / error), otherwise set the task back to pending. Returns how many
    results were adopted."""
    adopted = 0
    for task_id, attempt, result_path in index.running_attempts():
        path = result_path or work_paths(results, task_id, attempt)[0]
        out = read_outcome(path, task_id=task_id, attempt=attempt)
        if out is not None and out.kind in ("done", "error"):
            _record_attempt(index, results, out)
            _apply_final(index, results, out, out.kind)
            adopted += 1
            continue
        if out is not None:
            _record_attempt(index, results, out)
        else:
            index.finish_attempt(task_id, attempt, outcome="lost", error="the coordinator stopped before this attempt reported")
        index.set_result(task_id, "pending", {})
    return adopted


def _install_signals(token: str, flag: threading.Event) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        flag.set()
        request_stop(token)

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for s, h in old.items():
            signal.signal(s, h)

    return restore


def run_batch(
    config: BatchConfig,
    entries: Sequence[AppEntry] | None = None,
    scenarios: str = "all",
    *,
    executor: ExecutorHandle | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Run (or resume) a batch; see the module docstring. ``entries`` None resumes every task
    the index holds. ``executor`` None uses the local pool over ``config.devices``."""
    started = time.monotonic()
    results = Path(config.results).resolve()
    results.mkdir(parents=True, exist_ok=True)
    report = BatchReport(results)
    lock = _CoordinatorLock(results)
    token = uuid.uuid4().hex
    stopping = threading.Event()
    restore = _install_signals(token, stopping)
    handle = executor
    index = RunIndex.open(results / INDEX_NAME)
    try:
        judged = index.meta().get("jurisdiction", "")
        if judged and judged != config.jurisdiction and index.counts().get("done", 0):
            # the done runs stay judged under the first profile: refuse rather than mix the two
            raise InputError(
                f"{results} holds runs judged under --jurisdiction {judged}; running it under {config.jurisdiction} "
                f"would mix profiles. Use another --results folder, or re-run with --jurisdiction {judged}"
            )
        index.set_meta("jurisdiction", config.jurisdiction)
        report.adopted = recover(index, results)
        if entries is not None:
            ids = index.add_tasks(entries, plan_scenarios(scenarios))
        else:
            ids = [r.task_id for r in index.tasks()]
        rows = index.tasks(ids=ids)
        report.selected = len(rows)
        report.skipped_done = sum(1 for r in rows if r.status == "done")
        todo = [r for r in rows if r.status != "done"]
        index.requeue([r.task_id for r in todo])
        if todo:
            if handle is None:
                handle = local_executor(len(config.devices))
            _drive(index, config, results, todo, handle, token, stopping, report, progress)
        report.interrupted = stopping.is_set()
        final = index.tasks(ids=ids)
        report.counts = dict.fromkeys(("pending", "running", "done", "infra_failed", "error"), 0)
        for r in final:
            report.counts[r.status] = report.counts.get(r.status, 0) + 1
        report.findings_high = sum(r.n_high for r in final if r.status == "done")
        if not report.interrupted:
            # the summary covers every run the batch folder holds, not only this invocation's list
            done_dirs = [results / r.run_dir for r in index.tasks(status=("done",)) if r.run_dir]
            if config.export:
                from harness.batch.store import export_store

                try:
                    exp = export_store(results, index=index)
                    report.store = exp.paths
                    report.notes += exp.notes[:20]
                except Exception as exc:  # noqa: BLE001 - the runs are recorded; export can be redone
                    report.notes.append(f"export failed ({type(exc).__name__}: {exc}); run 'consent-harness batch export {results}'")
            if config.summary and done_dirs:
                report.summary = _summary(done_dirs, results / "summary", report.notes)
    finally:
        if handle is not None and executor is None:
            handle.close()
        index.close()
        restore()
        forget_batch(token)
        lock.release()
    report.elapsed_s = round(time.monotonic() - started, 3)
    return report


def _summary(run_dirs: list[Path], out_dir: Path, notes: list[str]) -> dict[str, Path]:
    try:
        from harness.reporting.build import build_summary
    except ImportError:
        notes.append("no summary report: harness.reporting.build.build_summary is not available")
        return {}
    try:
        return dict(build_summary(run_dirs, out_dir))
    except Exception as exc:  # noqa: BLE001 - a summary problem does not undo the batch
        notes.append(f"summary report failed: {type(exc).__name__}: {str(exc)[:300]}")
        return {}


def _drive(
    index: RunIndex,
    config: BatchConfig,
    results: Path,
    todo: list[TaskRow],
    handle: ExecutorHandle,
    token: str,
    stopping: threading.Event,
    report: BatchReport,
    progress: Progress | None,
) -> None:
    queue: deque[TaskRow] = deque(todo)
    active = list(config.devices)
    failures: dict[str, int] = {}  # consecutive device faults per slot
    avoid: dict[int, list[str]] = {}
    tries: dict[int, int] = {}  # attempts in this run of the batch
    in_flight: dict[Future[TaskOutcome], TaskRow] = {}
    runs_dir = results / "runs"

    def submit(row: TaskRow) -> None:
        attempt = index.start_attempt(row.task_id, lambda a: work_paths(results, row.task_id, a)[0])
        result_path, log_path = work_paths(results, row.task_id, attempt)
        spec = TaskSpec(
            batch=token,
            task_id=row.task_id,
            attempt=attempt,
            app=row.app,
            scenario=row.scenario,
            scenario_ref=row.scenario_ref,
            results=str(results),
            runs_dir=str(runs_dir),
            result_path=result_path,
            log_path=log_path,
            devices=tuple((s.name, s.serial) for s in active),
            label=row.label,
            profile=row.profile,
            app_config=row.app_config,
            avoid=tuple(avoid.get(row.task_id, ())),
            timeout_s=config.timeout_s,
            lease_timeout_s=config.lease_timeout_s,
            heal_timeout_s=config.heal_timeout_s,
            jurisdiction=config.jurisdiction,
            reports=config.reports,
            driver_factory=config.driver_factory,
            driver_options=dict(config.driver_options),
            appium_url=config.appium_url,
            frida=config.frida,
            warm=config.warm,
        )
        tries[row.task_id] = tries.get(row.task_id, 0) + 1
        report.attempts += 1
        in_flight[handle.executor.submit(run_task, spec)] = row
        if progress:
            progress("start", row, None)

    def settle(row: TaskRow, out: TaskOutcome) -> None:
        _record_attempt(index, results, out)
        if out.device:
            bad = out.device_unhealthy or (out.kind == "infra" and out.phase in DEVICE_FAULT_PHASES)
            failures[out.device] = failures.get(out.device, 0) + 1 if bad else 0
            if failures[out.device] >= config.max_device_failures and any(s.name == out.device for s in active):
                active[:] = [s for s in active if s.name != out.device]
                report.quarantined.append(out.device)
                report.notes.append(f"device {out.device} taken out of the pool after {failures[out.device]} failures in a row")
        if out.kind in ("done", "error"):
            _apply_final(index, results, out, out.kind)
        elif out.kind == "interrupted" or stopping.is_set():
            index.set_result(row.task_id, "pending", {"error": out.message})
        elif tries.get(row.task_id, 0) <= config.retries and active:
            if out.device:
                avoid.setdefault(row.task_id, []).append(out.device)
            index.set_result(row.task_id, "pending", {"error": out.message, "device": out.device})
            report.retries += 1
            queue.append(row)
        else:
            _apply_final(index, results, out, "infra_failed")
        if progress:
            progress(out.kind, index.task(row.task_id), out)

    try:
        while queue or in_flight:
            capacity = min(handle.capacity, len(active)) if handle.kind == "local" else handle.capacity
            while queue and len(in_flight) < capacity and not stopping.is_set() and active:
                submit(queue.popleft())
            if not in_flight:
                if not active and queue:
                    report.notes.append(f"no healthy device left; {len(queue)} task(s) stay pending")
                break
            done, _ = wait(list(in_flight), timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in done:
                row = in_flight.pop(fut)
                try:
                    out = fut.result()
                except Exception as exc:  # noqa: BLE001 - an executor failure is an infrastructure failure
                    out = TaskOutcome(row.task_id, index.task(row.task_id).attempts, "infra", "executor", f"executor failed: {type(exc).__name__}: {str(exc)[:1000]}")
                settle(row, out)
    except KeyboardInterrupt:  # pragma: no cover - when signal handlers could not be installed
        stopping.set()
        request_stop(token)
        for fut, row in list(in_flight.items()):
            try:
                settle(row, fut.result(timeout=config.heal_timeout_s + 5))
            except Exception:  # noqa: BLE001
                index.set_result(row.task_id, "pending", {"error": "interrupted"})
        print("consent-harness batch: interrupted", file=sys.stderr)
