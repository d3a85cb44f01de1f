"""The plain data of one batch task, shared by the process that hands tasks out
(:mod:`harness.batch.task`), the warm zygote (:mod:`harness.batch.zygote`) and the worker that
runs one (:mod:`harness.batch.worker`): the task spec, the outcome and its result file, and the
worker's environment. Below all three, so none of them imports another for these."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from harness import fsio
from harness.batch.leases import DeviceSlot, parse_devices
from harness.errors import InputError

__all__ = ["TaskSpec", "TaskOutcome", "OUTCOME_KINDS", "HOST_DEVICES_ENV", "MAX_RESULT_BYTES", "write_outcome", "read_outcome", "child_env"]

OUTCOME_KINDS = ("done", "infra", "error", "interrupted")
HOST_DEVICES_ENV = "CONSENT_HARNESS_DEVICES"
MAX_RESULT_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """Everything a worker needs for one attempt of one (app, scenario). Plain data (JSON)."""

    batch: str
    task_id: int
    attempt: int
    app: str
    scenario: str
    scenario_ref: str
    results: str
    runs_dir: str
    result_path: str
    log_path: str
    devices: tuple[tuple[str, str], ...]
    label: str = ""
    profile: str = ""
    app_config: str = ""
    avoid: tuple[str, ...] = ()
    timeout_s: float = 900.0
    lease_timeout_s: float = 600.0
    heal_timeout_s: float = 60.0
    jurisdiction: str = "cn"
    reports: tuple[str, ...] = ()
    driver_factory: str = ""
    driver_options: Mapping[str, str] = field(default_factory=dict)
    appium_url: str = ""
    frida: str = "spawn"
    warm: bool = True

    def slots(self) -> tuple[DeviceSlot, ...]:
        """The device slots this task may lease: the batch's pool, or the executing host's own
        devices when ``CONSENT_HARNESS_DEVICES`` is set there (multi-host Dask workers)."""
        local = os.environ.get(HOST_DEVICES_ENV, "").strip()
        if local:
            return parse_devices(local)
        return tuple(DeviceSlot(n, s) for n, s in self.devices)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["driver_options"] = dict(self.driver_options)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TaskSpec:
        if not isinstance(d, Mapping):
            raise InputError("task spec must be a mapping")
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise InputError(f"task spec has unknown fields: {sorted(unknown)[:10]}")
        kw = dict(d)
        kw["devices"] = tuple((str(a), str(b)) for a, b in d.get("devices", ()))
        kw["avoid"] = tuple(str(x) for x in d.get("avoid", ()))
        kw["reports"] = tuple(str(x) for x in d.get("reports", ()))
        kw["driver_options"] = {str(k): str(v) for k, v in dict(d.get("driver_options", {})).items()}
        try:
            return cls(**kw)
        except TypeError as exc:
            raise InputError(f"task spec incomplete: {exc}") from None


@dataclass(slots=True)
class TaskOutcome:
    """What one attempt came to. ``kind``: done (the app was tested; what it did is in the
    findings), infra (the harness's tools failed: retried elsewhere), error (the task cannot
    work as given: not retried), interrupted (the batch was stopped: back to pending).
    ``phase`` says where it ended (lease, open, health, install, reset, run, analyze, worker,
    timeout)."""

    task_id: int
    attempt: int
    kind: str
    phase: str = ""
    message: str = ""
    device: str = ""
    serial: str = ""
    host: str = ""
    package: str = ""
    run_id: str = ""
    run_dir: str = ""
    run_status: str = ""
    simulated: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    started_at: str = ""
    finished_at: str = ""
    duration_s: float = 0.0
    device_unhealthy: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TaskOutcome:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        out = cls(**kw)
        if out.kind not in OUTCOME_KINDS:
            raise ValueError(f"unknown outcome kind {out.kind!r}")
        out.counts = {str(k): int(v) for k, v in dict(out.counts).items()}
        out.notes = [str(n)[:500] for n in list(out.notes)[:20]]
        return out


def write_outcome(path: str | Path, outcome: TaskOutcome) -> None:
    """Write a result file atomically (a reader never sees half of it)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fsio.write_text(p, json.dumps(outcome.to_dict(), ensure_ascii=False))


def read_outcome(path: str | Path, *, task_id: int, attempt: int) -> TaskOutcome | None:
    """The outcome a worker wrote, or None when there is no complete, matching one."""
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size > MAX_RESULT_BYTES:
            return None
        d = json.loads(p.read_text(encoding="utf-8"))
        out = TaskOutcome.from_dict(d)
    except (OSError, ValueError, TypeError):
        return None
    if out.task_id != task_id or out.attempt != attempt:
        return None
    return out


def child_env() -> dict[str, str]:
    """Environment of worker processes: this harness first on the path, unbuffered output."""
    env = dict(os.environ)
    # the worker imports the same harness as this process, wherever it was imported from
    # (and the caller's working folder after it, so a driver factory module kept there loads)
    pkg_parent = str(Path(__file__).resolve().parents[2])
    paths = [pkg_parent, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p], os.getcwd()]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONUNBUFFERED"] = "1"
    env.pop(HOST_DEVICES_ENV, None)
    return env
