"""Device slots and file-lock leases, across real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harness.batch.leases import DeviceSlot, LeaseTimeout, acquire, holder_of, parse_devices, try_lease
from harness.errors import InfrastructureError, InputError

HOLDER = """
import sys, time
from pathlib import Path
from harness.batch.leases import DeviceSlot, try_lease
lease = try_lease(Path(sys.argv[1]), DeviceSlot(sys.argv[2], "sim"))
print("locked" if lease else "busy", flush=True)
time.sleep(120)
"""


def _holder(locks: Path, slot: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(locks), slot], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_parse_devices_names_repeated_serials() -> None:
    slots = parse_devices("sim, sim,emulator-5554,sim")
    assert [s.name for s in slots] == ["sim", "sim.2", "emulator-5554", "sim.3"]
    assert [s.serial for s in slots] == ["sim", "sim", "emulator-5554", "sim"]


@pytest.mark.parametrize("spec", ["", " , ", "emulator-5554;reboot", "../../etc"])
def test_parse_devices_refuses_bad_specs(spec: str) -> None:
    with pytest.raises(InputError):
        parse_devices(spec)


def test_lock_names_stay_distinct_after_sanitising() -> None:
    a, b = DeviceSlot("10.0.0.1:5555", "10.0.0.1:5555"), DeviceSlot("10.0.0.1_5555", "x")
    assert a.lock_name != b.lock_name
    assert "/" not in a.lock_name and ":" not in a.lock_name


def test_lock_is_exclusive_across_processes_and_freed_when_holder_dies(tmp_path: Path) -> None:
    locks = tmp_path / ".locks"
    proc = _holder(locks, "sim")
    try:
        assert try_lease(locks, DeviceSlot("sim", "sim")) is None
        assert f"pid={proc.pid}" in holder_of(locks, DeviceSlot("sim", "sim"))
        other = try_lease(locks, DeviceSlot("sim.2", "sim"))
        assert other is not None
        other.release()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    lease = try_lease(locks, DeviceSlot("sim", "sim"))
    assert lease is not None, "the OS must free the lock of a killed holder"
    lease.release()
    assert holder_of(locks, DeviceSlot("sim", "sim")) == ""


def test_lock_is_exclusive_within_one_process_too(tmp_path: Path) -> None:
    slot = DeviceSlot("sim", "sim")
    first = try_lease(tmp_path, slot)
    assert first is not None
    assert try_lease(tmp_path, slot) is None  # flock on a second open file description
    first.release()
    first.release()  # idempotent
    again = try_lease(tmp_path, slot)
    assert again is not None
    again.release()


def test_acquire_avoids_devices_that_failed_unless_nothing_else_exists(tmp_path: Path) -> None:
    slots = parse_devices("sim,sim")
    with acquire(tmp_path, slots, avoid=["sim"]) as lease:
        assert lease.slot.name == "sim.2"
    with acquire(tmp_path, slots, avoid=["sim", "sim.2"]) as lease:
        assert lease.slot.name == "sim"


def test_acquire_waits_for_the_preferred_device_rather_than_the_avoided_one(tmp_path: Path) -> None:
    slots = parse_devices("sim,sim")
    busy = try_lease(tmp_path, slots[1])
    assert busy is not None
    with pytest.raises(LeaseTimeout, match=r"no device free within 0.2 s \(waited for: sim.2\)"):
        acquire(tmp_path, slots, avoid=["sim"], timeout=0.2, poll=0.01)
    threading.Timer(0.1, busy.release).start()
    with acquire(tmp_path, slots, avoid=["sim"], timeout=10, poll=0.01) as lease:
        assert lease.slot.name == "sim.2"


def test_acquire_gives_up_when_the_batch_stops(tmp_path: Path) -> None:
    slots = parse_devices("sim")
    busy = try_lease(tmp_path, slots[0])
    assert busy is not None
    stop = threading.Event()
    stop.set()
    with pytest.raises(InfrastructureError, match="interrupted"):
        acquire(tmp_path, slots, timeout=30, stop=stop)
    busy.release()
