"""One app test of a batch, as an executor runs it: lease a device, start the test in its own
process group, wait with a timeout, collect its result, heal, release.

:func:`run_task` is the only function a batch hands to an executor. It is a plain, picklable
function of a :class:`TaskSpec` returning a :class:`TaskOutcome`, so the standard-library
``ThreadPoolExecutor`` of the local pool and the Dask ``ClientExecutor`` run it the same way.
It never touches the run index: the coordinator records outcomes.

Process model: ``run_task`` starts the worker in a new session (process group): forked from
this process's warm zygote (harness/batch/zygote.py) when it can, else as
``python -m harness.batch.worker`` with the spec on its stdin. Either way the worker holds the
device lease's file descriptor, so the lock lives as long as the test does, and it dies with
the process that started it: a spawned worker watches its stdin pipe (end-of-file: kill its
own group), a warm worker's supervisor watches its request socket. A worker that outlives its
timeout, or is interrupted, gets its whole process group killed with SIGKILL; a worker that
dies without writing its result file is an infrastructure failure carrying its log's tail.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from harness.batch.index import utc_now
from harness.batch.leases import DeviceSlot, Lease, LeaseTimeout, acquire, lock_dir
from harness.batch.spec import (
    HOST_DEVICES_ENV,
    OUTCOME_KINDS,
    TaskOutcome,
    TaskSpec,
    child_env,
    read_outcome,
    write_outcome,
)
from harness.batch.zygote import WarmTask, get_zygote
from harness.errors import InfrastructureError, InputError

__all__ = [
    "TaskSpec",
    "TaskOutcome",
    "OUTCOME_KINDS",
    "run_task",
    "stop_event",
    "request_stop",
    "forget_batch",
    "HOST_DEVICES_ENV",
    "write_outcome",
    "read_outcome",
    "child_env",
]

LOG_TAIL_CHARS = 1500

_STOPS: dict[str, threading.Event] = {}
_STOPS_LOCK = threading.Lock()


def stop_event(batch: str) -> threading.Event:
    """The interrupt flag of a batch in this process (created on first use)."""
    with _STOPS_LOCK:
        return _STOPS.setdefault(batch, threading.Event())


def request_stop(batch: str) -> None:
    """Ask every task of ``batch`` running in this process to stop: waiting leases give up and
    running workers have their process groups killed (outcome ``interrupted``)."""
    stop_event(batch).set()


def forget_batch(batch: str) -> None:
    with _STOPS_LOCK:
        _STOPS.pop(batch, None)


def _log_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - LOG_TAIL_CHARS * 4))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    text = "".join(c if c.isprintable() or c in "\n\t" else "?" for c in text)
    return text[-LOG_TAIL_CHARS:].strip()


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _wait_warm(task: WarmTask, stop: threading.Event, timeout: float) -> tuple[str, int]:
    how = "exit"
    deadline = time.monotonic() + timeout
    try:
        while not task.poll(0.05):
            if stop.is_set():
                how = "interrupted"
            elif time.monotonic() >= deadline:
                how = "timeout"
            else:
                continue
            task.kill()
            break
    finally:
        task.close()
    return how, int(task.returncode if task.returncode is not None else -9)


def _spawn(spec: TaskSpec, lease: Lease, stop: threading.Event, *, mode: str, package: str = "", timeout: float) -> tuple[str, int, str]:
    """Run the worker (forked from the warm zygote when possible, else a new interpreter);
    return (how it ended: exit | timeout | interrupted, return code, log path)."""
    log_path = Path(spec.log_path if mode == "run" else spec.log_path + ".heal")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"mode": mode, "spec": spec.to_dict(), "slot": [lease.slot.name, lease.slot.serial], "package": package}, ensure_ascii=False)
    zygote = get_zygote() if spec.warm else None
    if zygote is not None:
        try:
            with open(log_path, "ab") as log:
                task = zygote.start(payload.encode("utf-8"), lease.fd, log.fileno())
        except OSError:
            pass  # fall back to a cold worker
        else:
            return (*_wait_warm(task, stop, timeout), str(log_path))
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "harness.batch.worker"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(lease.fd,),
            env=child_env(),
            cwd=spec.results,
        )
    assert proc.stdin is not None
    how = "exit"
    try:
        try:
            proc.stdin.write(payload.encode("utf-8") + b"\n")
            proc.stdin.flush()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + timeout
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if stop.is_set():
                    how = "interrupted"
                elif time.monotonic() >= deadline:
                    how = "timeout"
                else:
                    continue
                _kill_group(proc)
                break
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        if proc.returncode is None:
            _kill_group(proc)
    return how, int(proc.returncode if proc.returncode is not None else -9), str(log_path)


def _heal(spec: TaskSpec, lease: Lease, package: str) -> str:
    """Best effort after a killed or crashed worker: stop the app and go home on the device.
    Returns '' when the device looks fine, else what went wrong."""
    how, rc, log = _spawn(spec, lease, threading.Event(), mode="heal", package=package, timeout=spec.heal_timeout_s)
    if how == "timeout":
        return f"heal timed out after {spec.heal_timeout_s:g} s"
    if rc != 0:
        return f"heal failed (exit {rc}): {_log_tail(Path(log))[-300:]}"
    return ""


def _needs_heal(spec: TaskSpec, slot: DeviceSlot) -> bool:
    # a device that lives inside the worker (the reference device) died with it
    from harness.devices.kinds import DeviceRequest, kind_for

    return bool(spec.driver_factory) or kind_for(DeviceRequest(slot.serial, spec.appium_url)).outlives_worker


def run_task(spec: TaskSpec) -> TaskOutcome:
    """Lease a device, run one attempt in its own process group, heal, release (module
    docstring). Never raises for a failure of the test: every ending is a TaskOutcome."""
    t0 = time.monotonic()
    started_at = utc_now()
    host = socket.gethostname()[:64]
    stop = stop_event(spec.batch)

    def outcome(kind: str, phase: str, message: str, **kw: Any) -> TaskOutcome:
        return TaskOutcome(
            spec.task_id, spec.attempt, kind, phase, message[:4000], host=host, started_at=started_at, finished_at=utc_now(), duration_s=round(time.monotonic() - t0, 3), **kw
        )

    try:
        slots = spec.slots()
        lease = acquire(lock_dir(spec.results), slots, avoid=spec.avoid, timeout=spec.lease_timeout_s, stop=stop)
    except LeaseTimeout as exc:
        return outcome("infra", "lease", str(exc))
    except InputError as exc:
        return outcome("error", "lease", str(exc))
    except InfrastructureError as exc:
        return outcome("interrupted", "lease", str(exc))
    except OSError as exc:
        return outcome("infra", "lease", f"cannot take a device lock: {exc}")
    slot = lease.slot
    with lease:
        result = Path(spec.result_path)
        try:
            result.unlink()
        except FileNotFoundError:
            pass
        try:
            how, rc, log = _spawn(spec, lease, stop, mode="run", timeout=spec.timeout_s)
        except OSError as exc:
            return outcome("infra", "worker", f"cannot start the worker process: {exc}", device=slot.name, serial=slot.serial)
        got = read_outcome(result, task_id=spec.task_id, attempt=spec.attempt)
        if how == "exit" and got is not None:
            got.duration_s = round(time.monotonic() - t0, 3)
            got.device, got.serial, got.host = slot.name, slot.serial, host
            return got
        if how == "interrupted":
            out = outcome("interrupted", "worker", "batch interrupted; the worker's process group was killed", device=slot.name, serial=slot.serial)
        elif how == "timeout":
            out = outcome("infra", "timeout", f"timed out after {spec.timeout_s:g} s; the worker's process group was killed", device=slot.name, serial=slot.serial)
        else:
            died = f"killed by signal {-rc}" if rc < 0 else f"exit code {rc}"
            tail = _log_tail(Path(log))
            out = outcome("infra", "worker", f"worker died without a result ({died})" + (f": {tail}" if tail else ""), device=slot.name, serial=slot.serial)
        if _needs_heal(spec, slot):
            problem = _heal(spec, lease, "")
            if problem:
                out.device_unhealthy = True
                out.notes.append(problem)
        return out
