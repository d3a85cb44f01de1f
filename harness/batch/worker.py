"""The process that tests one app: ``python -m harness.batch.worker`` (started by
:func:`harness.batch.task.run_task`, never by hand).

It reads one JSON line from stdin (``{"mode": "run" | "heal", "spec": TaskSpec, "slot":
[name, serial], "package": ...}``), then watches stdin: end-of-file means the process that
started it is gone, and the worker kills its own process group at once.

The lease cycle of a ``run``:

1. open the device (``open_driver``, or the batch's driver factory) and check its health;
2. install or identify the app and reset it: stop, clear data;
3. run the scenario (record), judge it, build reports;

steps 2 and 3 go through the one assembly point (:class:`harness.assemble.Assembly`), with the
app list's ``label`` / ``profile`` as refinements that keep the manifest facts;
4. heal: stop the app and go home, so the next lease finds a quiet device;
5. write the outcome to the result file and exit 0.

Infrastructure problems (device, adb, Frida, Appium) give outcome ``infra``; bad input (unknown
model, missing APK, malformed app config) gives ``error``; what the app does is never an error.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import fsio
from harness.batch.index import utc_now
from harness.batch.leases import DeviceSlot
from harness.batch.spec import TaskOutcome, TaskSpec, write_outcome
from harness.devices.base import Driver
from harness.errors import HarnessError, InfrastructureError, InputError

if TYPE_CHECKING:
    from harness.assemble import AppRequest

__all__ = ["main", "serve", "run_cycle", "heal", "open_device", "load_factory", "progress_path", "MAX_SPEC_BYTES", "DriverFactory"]

MAX_SPEC_BYTES = 1024 * 1024
DEVICE_PHASES = ("open", "health", "reset", "heal")

DriverFactory = Callable[[DeviceSlot, Mapping[str, str]], Driver]


def _watch_parent() -> None:
    """Kill this process group when stdin reaches end-of-file (the parent is gone)."""

    def watch() -> None:
        # the raw descriptor, not sys.stdin: a daemon thread blocked inside a buffered reader
        # would hold its lock while the interpreter shuts down
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os.killpg(os.getpgrp(), signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def load_factory(ref: str) -> DriverFactory:
    """``'package.module:function'`` -> the driver factory it names (given by the operator on
    the command line or in Python, never by an app)."""
    mod_name, sep, attr = ref.partition(":")
    if not sep or not mod_name or not attr or not all(p.isidentifier() for p in mod_name.split(".") + attr.split(".")):
        raise InputError(f"driver factory must look like 'package.module:function', not {ref[:120]!r}")
    try:
        obj: Any = importlib.import_module(mod_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"cannot load driver factory {ref[:120]!r}: {exc}") from None
    if not callable(obj):
        raise InputError(f"driver factory {ref[:120]!r} is not callable")
    return obj  # type: ignore[no-any-return]


def _request(spec: TaskSpec, slot: DeviceSlot) -> AppRequest:
    """The assembly request of one task: the same fields ``consent-harness run`` fills."""
    from harness.assemble import AppRequest

    return AppRequest(
        app=spec.app,
        device=slot.serial,
        appium_url=spec.appium_url,
        app_config=spec.app_config,
        label=spec.label,
        profile=spec.profile,
        scenario=spec.scenario_ref,
        results=spec.runs_dir,
        jurisdiction=spec.jurisdiction,
        reports=tuple(spec.reports),
        source_options={"frida": spec.frida, "frida_device": slot.serial},
    )


def open_device(spec: TaskSpec, slot: DeviceSlot) -> Driver:
    if spec.driver_factory:
        return load_factory(spec.driver_factory)(slot, spec.driver_options)
    from harness.devices import open_driver

    return open_driver(slot.serial, appium_url=spec.appium_url or None)


def progress_path(spec: TaskSpec) -> Path:
    """Where the worker notes its progress (package once known), for healing after a kill."""
    return Path(spec.result_path + ".progress")


def _note_progress(spec: TaskSpec, **values: str) -> None:
    """Best effort: a note that cannot be written only makes a later heal less precise."""
    p = progress_path(spec)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fsio.write_text(p, json.dumps(values))
    except OSError:
        pass


def _counts(findings: list[Any]) -> dict[str, int]:
    counts = {"n_findings": len(findings), "n_info": 0, "n_low": 0, "n_medium": 0, "n_high": 0, "n_violations": 0, "n_review": 0}
    for f in findings:
        counts[f"n_{f.severity}"] = counts.get(f"n_{f.severity}", 0) + 1
        if f.verdict == "violation":
            counts["n_violations"] += 1
        elif f.verdict == "needs-review":
            counts["n_review"] += 1
    return counts


def _resolve_scenario(spec: TaskSpec) -> Any:
    from harness.scenarios import resolve_scenarios

    found = [s for s in resolve_scenarios(spec.scenario_ref) if s.id == spec.scenario]
    if len(found) != 1:
        raise InputError(f"scenario {spec.scenario!r} not found in {spec.scenario_ref[:200]!r}")
    return found[0]


def run_cycle(spec: TaskSpec, slot: DeviceSlot) -> TaskOutcome:
    """The lease cycle of one attempt (module docstring); never raises."""
    t0 = time.monotonic()
    out = TaskOutcome(spec.task_id, spec.attempt, "done", device=slot.name, serial=slot.serial, host=socket.gethostname()[:64], started_at=utc_now())
    phase = "open"
    driver: Driver | None = None
    package = ""
    try:
        driver = open_device(spec, slot)
        phase = "health"
        driver.info()
        driver.foreground_package()
        phase = "install"
        from harness.assemble import Assembly

        asm = Assembly(_request(spec, slot), driver=driver)
        app = asm.resolve()
        package = out.package = app.package
        _note_progress(spec, package=package)
        phase = "reset"
        driver.stop(package)
        driver.clear_data(package)
        phase = "run"
        scenario = _resolve_scenario(spec)
        res = asm.record(scenario)
        out.run_id, out.run_dir, out.run_status = res.info.run_id, str(res.run_dir), res.info.status
        out.simulated = bool(res.info.simulated)
        if res.infrastructure_error:
            out.kind, out.phase, out.message = "infra", "run", res.infrastructure_error[:4000]
        else:
            phase = "analyze"
            out.counts = _counts(asm.judge(res.run_dir))
            if spec.reports:
                phase = "report"
                try:
                    asm.report(res.run_dir)
                except Exception as exc:  # noqa: BLE001 - a report problem does not undo a run
                    out.notes.append(f"reports failed: {type(exc).__name__}: {str(exc)[:300]}")
    except InputError as exc:
        out.kind, out.phase, out.message = "error", phase, str(exc)
    except InfrastructureError as exc:
        out.kind, out.phase, out.message = "infra", phase, f"{type(exc).__name__}: {exc}"
    except HarnessError as exc:
        out.kind = "infra" if phase in DEVICE_PHASES else "error"
        out.phase, out.message = phase, f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - the boundary of a worker: everything becomes an outcome
        out.kind = "infra" if phase in DEVICE_PHASES else "error"
        out.phase = phase
        out.message = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc))[-2000:]
    finally:
        if driver is not None:
            problem = _heal_driver(driver, package)
            if problem:
                out.device_unhealthy = True
                out.notes.append(problem)
    out.finished_at = utc_now()
    out.duration_s = round(time.monotonic() - t0, 3)
    return out


def _heal_driver(driver: Driver, package: str, *, only_if_running: bool = False) -> str:
    """Stop the app and go home; close the driver. '' when all went well."""
    problem = ""
    try:
        if package and (not only_if_running or driver.is_running(package)):
            driver.stop(package)
        driver.home()
    except Exception as exc:  # noqa: BLE001 - healing is best effort; a failure marks the device
        problem = f"heal failed: {type(exc).__name__}: {str(exc)[:300]}"
    try:
        driver.close()
    except Exception as exc:  # noqa: BLE001
        problem = problem or f"closing the driver failed: {type(exc).__name__}: {str(exc)[:300]}"
    return problem


def heal(spec: TaskSpec, slot: DeviceSlot, package: str) -> int:
    """After a killed worker: open the device, stop the app, go home. Exit 0 when healthy."""
    if not package:
        try:
            package = str(json.loads(progress_path(spec).read_text(encoding="utf-8")).get("package", ""))
        except (OSError, ValueError, AttributeError):
            package = ""
    try:
        driver = open_device(spec, slot)
        driver.info()
    except Exception as exc:  # noqa: BLE001
        print(f"heal: cannot open {slot.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3
    problem = _heal_driver(driver, package, only_if_running=True)
    if problem:
        print(f"heal: {slot.name}: {problem}", file=sys.stderr)
        return 3
    return 0


def serve(payload: bytes, *, watch: bool = False) -> int:
    """Do what one request asks (``run`` or ``heal``); return the exit code. ``watch`` starts
    the stdin watchdog (a spawned worker); a warm worker is watched by its supervisor."""
    if len(payload) > MAX_SPEC_BYTES:
        print("worker: task spec too large", file=sys.stderr)
        return 2
    try:
        msg = json.loads(payload.decode("utf-8"))
        spec = TaskSpec.from_dict(msg["spec"])
        name, serial = msg["slot"]
        slot = DeviceSlot(str(name), str(serial))
        mode = str(msg.get("mode", "run"))
        package = str(msg.get("package", ""))
    except (ValueError, KeyError, TypeError, InputError) as exc:
        print(f"worker: unreadable task spec: {exc}", file=sys.stderr)
        return 2
    if watch:
        _watch_parent()
    if mode == "heal":
        return heal(spec, slot, package)
    outcome = run_cycle(spec, slot)
    write_outcome(spec.result_path, outcome)
    return 0


def main() -> int:
    return serve(sys.stdin.buffer.readline(MAX_SPEC_BYTES + 1), watch=True)


if __name__ == "__main__":
    sys.exit(main())
