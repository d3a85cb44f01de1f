"""One attempt as an executor runs it: worker process group, timeout, interruption, leases."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness.batch.leases import DeviceSlot, try_lease
from harness.batch.task import (
    TaskOutcome,
    TaskSpec,
    forget_batch,
    read_outcome,
    request_stop,
    run_task,
    write_outcome,
)


def _spec(tmp_path: Path, **kw: object) -> TaskSpec:
    base: dict[str, object] = {
        "batch": f"test-{tmp_path.name}",
        "task_id": 1,
        "attempt": 1,
        "app": "demo-clean",
        "scenario": "S2",
        "scenario_ref": "S2",
        "results": str(tmp_path),
        "runs_dir": str(tmp_path / "runs"),
        "result_path": str(tmp_path / ".batch" / "work" / "t1.json"),
        "log_path": str(tmp_path / ".batch" / "logs" / "t1.log"),
        "devices": (("sim", "sim"),),
    }
    base.update(kw)
    return TaskSpec(**base)  # type: ignore[arg-type]


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def test_spec_round_trips_through_json_and_refuses_unknown_fields(tmp_path: Path) -> None:
    spec = _spec(tmp_path, driver_options={"a": "b"}, avoid=("sim",))
    assert TaskSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(Exception, match="unknown fields"):
        TaskSpec.from_dict({**spec.to_dict(), "evil": 1})


def test_result_files_must_match_task_and_attempt(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    write_outcome(path, TaskOutcome(1, 2, "done", counts={"n_high": 1}))
    assert read_outcome(path, task_id=1, attempt=2) is not None
    assert read_outcome(path, task_id=1, attempt=1) is None
    path.write_text('{"task_id": 1, "attempt": 2, "kind": "exploded"}')
    assert read_outcome(path, task_id=1, attempt=2) is None


def test_a_hung_worker_is_killed_with_its_process_group_at_the_timeout(tmp_path: Path) -> None:
    pid_dir = tmp_path / "pids"
    spec = _spec(
        tmp_path,
        timeout_s=4.0,
        heal_timeout_s=20.0,
        driver_factory="harness.devices.sim.faults:faulty_sim",
        driver_options={"hang": "sim", "pid_dir": str(pid_dir)},
    )
    out = run_task(spec)
    assert (out.kind, out.phase, out.device) == ("infra", "timeout", "sim")
    assert "timed out after 4 s" in out.message
    worker_pid, grandchild_pid = (int(x) for x in (pid_dir / "sim.pid").read_text().split())
    deadline = time.monotonic() + 5
    while (_alive(worker_pid) or _alive(grandchild_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker_pid), "the hung worker must be dead"
    assert not _alive(grandchild_pid), "the worker's child (same process group) must be dead"
    assert not out.device_unhealthy  # healing after the kill worked
    lease = try_lease(tmp_path / ".locks", DeviceSlot("sim", "sim"))
    assert lease is not None, "the device is free again"
    lease.release()


def test_interrupting_a_batch_kills_its_running_worker(tmp_path: Path) -> None:
    spec = _spec(tmp_path, timeout_s=120.0, driver_factory="harness.devices.sim.faults:faulty_sim", driver_options={"hang": "sim"})
    timer = threading.Timer(0.5, request_stop, args=(spec.batch,))
    timer.start()
    try:
        t0 = time.monotonic()
        out = run_task(spec)
        assert out.kind == "interrupted"
        assert time.monotonic() - t0 < 60
    finally:
        timer.cancel()
        forget_batch(spec.batch)


def test_no_free_device_is_an_infrastructure_failure(tmp_path: Path) -> None:
    busy = try_lease(tmp_path / ".locks", DeviceSlot("sim", "sim"))
    assert busy is not None
    try:
        out = run_task(_spec(tmp_path, lease_timeout_s=0.2))
    finally:
        busy.release()
    assert (out.kind, out.phase) == ("infra", "lease")
    assert "no device free" in out.message


OWNER = """
import json, sys
from harness.batch.task import TaskSpec, run_task
run_task(TaskSpec.from_dict(json.loads(sys.argv[1])))
"""


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_a_worker_dies_with_the_process_that_started_it(tmp_path: Path, warm: bool) -> None:
    """SIGKILL the owner of a running task: the worker (forked warm, or spawned cold) and its
    children die too, and the device lock they held is free again."""
    pid_dir = tmp_path / "pids"
    spec = _spec(tmp_path, timeout_s=300.0, warm=warm, driver_factory="harness.devices.sim.faults:faulty_sim", driver_options={"hang": "sim", "pid_dir": str(pid_dir)})
    owner = subprocess.Popen([sys.executable, "-c", OWNER, json.dumps(spec.to_dict())])
    try:
        deadline = time.monotonic() + 60
        while not (pid_dir / "sim.pid").exists() and time.monotonic() < deadline:
            assert owner.poll() is None
            time.sleep(0.02)
        time.sleep(0.05)
        worker_pid, grandchild_pid = (int(x) for x in (pid_dir / "sim.pid").read_text().split())
        assert _alive(worker_pid) and _alive(grandchild_pid)
        parent = int(Path(f"/proc/{worker_pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        # a cold worker is the owner's child; a warm one was forked by the zygote's supervisor
        assert (parent == owner.pid) is (not warm)
    finally:
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
    deadline = time.monotonic() + 10
    while (_alive(worker_pid) or _alive(grandchild_pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker_pid) and not _alive(grandchild_pid)
    lease = None
    while lease is None and time.monotonic() < deadline + 5:
        lease = try_lease(tmp_path / ".locks", DeviceSlot("sim", "sim"))
        time.sleep(0.02)
    assert lease is not None
    lease.release()


INTRUDER = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(bytes.fromhex(sys.argv[1]).decode())
try:
    socket.send_fds(s, [b'{"mode": "run"}'], [0, 1])
except BrokenPipeError:
    pass  # refused before it could send: the answer is already waiting
print(s.recv(300).decode())
"""


def test_the_zygote_serves_only_its_owner() -> None:
    from harness.batch.zygote import get_zygote

    zygote = get_zygote()
    assert zygote is not None, "warm workers must be available on Linux"
    got = subprocess.run([sys.executable, "-c", INTRUDER, zygote.address.encode().hex()], capture_output=True, text=True, timeout=60)
    assert got.stdout.startswith("error refused: only the owner process"), got
    assert zygote.alive()


SILENT = """
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(bytes.fromhex(sys.argv[1]).decode())
print("connected", flush=True)
time.sleep(40)  # and never send a byte
"""


def test_a_silent_client_does_not_stall_a_warm_task(tmp_path: Path) -> None:
    """Issue 12, Medium 9: a local process that connects to the zygote and sends nothing used
    to hold its loop until the task's 30 s timeout, for every warm task."""
    import socket

    from harness.batch.task import _wait_warm
    from harness.batch.zygote import REQUEST_TIMEOUT_S, get_zygote

    zygote = get_zygote()
    assert zygote is not None, "warm workers must be available on Linux"
    stranger = subprocess.Popen([sys.executable, "-c", SILENT, zygote.address.encode().hex()], stdout=subprocess.PIPE, text=True)
    own = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)  # the owner itself, silent
    try:
        assert stranger.stdout is not None and stranger.stdout.readline().strip() == "connected"
        own.connect(zygote.address)
        spec = _spec(tmp_path, scenario="S1", scenario_ref="S1")
        lease = try_lease(tmp_path / ".locks", DeviceSlot("sim", "sim"))
        assert lease is not None
        payload = json.dumps({"mode": "run", "spec": spec.to_dict(), "slot": ["sim", "sim"], "package": ""})
        log = open(tmp_path / "task.log", "ab")  # noqa: SIM115
        try:
            t0 = time.monotonic()
            task = zygote.start(payload.encode("utf-8"), lease.fd, log.fileno())
            started = time.monotonic() - t0
        finally:
            log.close()
            lease.release()
        how, code = _wait_warm(task, threading.Event(), 120)
        assert (how, code) == ("exit", 0)
        assert started < REQUEST_TIMEOUT_S + 3.0, f"the warm task waited {started:.1f} s behind silent clients"
        assert zygote.alive()
    finally:
        own.close()
        stranger.kill()
        stranger.wait()
        if stranger.stdout is not None:
            stranger.stdout.close()
