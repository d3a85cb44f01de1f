"""The agent's native (libc) hooks on a Linux C program that reads identifier files the ways
native SDK code does, in spawn and attach modes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from frida_support import Run, start_attached, start_spawned

from harness.events import AgentStatus, ApiCall, ErrorRecord

pytestmark = pytest.mark.frida

PACKAGE = "com.example.nativeapp"
MAC = "/sys/class/net/lo/address"


@pytest.fixture(scope="module")
def native_spawned(native_exe: Path) -> Iterator[Run]:
    run = start_spawned((str(native_exe),), PACKAGE)
    yield run
    run.close()


@pytest.fixture(scope="module")
def native_attached(native_exe: Path) -> Iterator[Run]:
    run = start_attached((str(native_exe),), PACKAGE)
    yield run
    run.close()


def check_run(run: Run) -> None:
    mark = run.mark()
    run.command("run")
    events = run.since(mark)
    assert not [e for e in events if isinstance(e, (ErrorRecord, AgentStatus))]
    calls = [e for e in events if isinstance(e, ApiCall)]
    assert [(c.api_id, c.args) for c in calls] == [
        ("libc.fopen#net_address", MAC),  # stdio: reported once, as the fopen (not its inner open)
        ("libc.read#net_address", calls[1].args),
        ("libc.openat#net_address", MAC),
        ("libc.read#net_address", calls[3].args),
        ("libc.open#arp", "/proc/net/arp"),
        ("libc.read#arp", calls[5].args),
        ("libc.__system_property_get#serial", "ro.serialno"),
    ]  # the raw-syscall read, /etc/hostname and ro.product.model are not there
    assert calls[1].ret == calls[3].ret == "00:00:00:00:00:00\\n"
    assert calls[5].ret.startswith("IP address") and calls[5].category == "NET_ID"
    assert calls[6].ret == "SN-TEST-0042" and calls[6].category == "DEVICE_ID"
    assert all(c.thread == "idreader" and c.source == "frida" and c.sdk == "app" for c in calls)
    # callers are the program's own functions; a read inherits the site of its open
    assert calls[0].caller.startswith("idreader!via_fopen") and calls[1].caller == calls[0].caller
    assert calls[2].caller.startswith("idreader!via_openat") and calls[3].caller == calls[2].caller
    assert calls[4].caller.startswith("idreader!via_open") and calls[6].caller.startswith("idreader!main")
    assert int(calls[0].ret) >= 0 and calls[1].args == f"fd={calls[0].ret}"


def test_native_spawn(native_spawned: Run) -> None:
    status = native_spawned.inst.ready_status
    assert status is not None and "java=none" in status.message
    skipped = dict(s.split(": ", 1) for s in status.skipped)
    assert skipped["TelephonyManager.getDeviceId"] == "no Java runtime in this process"
    assert not [k for k in skipped if k.startswith("libc.")]  # every native hook found its symbol
    check_run(native_spawned)


def test_native_attach(native_attached: Run) -> None:
    check_run(native_attached)


def test_native_burst_loses_nothing(native_attached: Run) -> None:
    mark = native_attached.mark()
    n = native_attached.command("burst 3000")
    calls = [e for e in native_attached.since(mark) if isinstance(e, ApiCall)]
    opens = sum(c.count for c in calls if c.api_id == "libc.open#net_address")
    reads = sum(c.count for c in calls if c.api_id == "libc.read#net_address")
    assert opens == reads == n == 3000
    assert len(calls) < n  # identical calls folded within a batch
