"""FridaInstrumentation's input checks (no process needed)."""

from __future__ import annotations

import pytest

from harness.errors import InputError, InstrumentationError
from harness.instrumentation.base import Instrumentation, Target
from harness.instrumentation.frida import FridaInstrumentation, parse_device_spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("local", ("local", "")),
        ("usb", ("usb", "")),
        ("remote:127.0.0.1:27042", ("remote", "127.0.0.1:27042")),
        ("remote:lab-phone.example:1234", ("remote", "lab-phone.example:1234")),
        ("emulator-5554", ("id", "emulator-5554")),
        ("192.168.1.20:5555", ("id", "192.168.1.20:5555")),
    ],
)
def test_device_specs(spec: str, expected: tuple[str, str]) -> None:
    assert parse_device_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", "remote:", "remote:host", "remote:host:0", "remote:host:99999", "dev;rm -rf /", "a b", "x" * 200])
def test_bad_device_specs(spec: str) -> None:
    with pytest.raises(InputError):
        parse_device_spec(spec)


@pytest.mark.parametrize(
    "kwargs",
    [{"mode": "inject"}, {"end": "explode"}, {"stack": "all"}, {"java": "maybe"}, {"stdio": "tty"}, {"device": "bad device"}],
)
def test_bad_options(kwargs: dict[str, str]) -> None:
    with pytest.raises(InputError):
        FridaInstrumentation(**kwargs)  # type: ignore[arg-type]


def test_is_an_instrumentation() -> None:
    inst = FridaInstrumentation()
    assert isinstance(inst, Instrumentation) and inst.name == "frida"
    assert len(inst.hook_pack) == 16


@pytest.mark.parametrize("package", ["../../etc", "com.example;reboot", "a b", "com.example.app\n", "x" * 300])
def test_odd_package_names_are_refused(package: str) -> None:
    with pytest.raises(InputError, match="package"):
        FridaInstrumentation("local", "spawn").start(Target(package=package, argv=("/bin/true",)), lambda evs: None, lambda: 0.0)


def test_bad_argv_and_pid() -> None:
    with pytest.raises(InputError, match="NUL"):
        FridaInstrumentation("local", "spawn").start(Target(package="a.b", argv=("/bin/true", "x\0y")), lambda evs: None, lambda: 0.0)
    with pytest.raises(InputError, match="not found"):
        FridaInstrumentation("local", "spawn").start(Target(package="a.b", argv=("no-such-program-xyz",)), lambda evs: None, lambda: 0.0)
    with pytest.raises(InputError, match="pid"):
        FridaInstrumentation("local", "attach").start(Target(package="a.b", pid=-4, spawn=False), lambda evs: None, lambda: 0.0)


@pytest.mark.frida
def test_attach_to_a_missing_process_is_an_infrastructure_error() -> None:
    with pytest.raises(InstrumentationError, match="frida"):
        FridaInstrumentation("local", "attach").start(Target(package="a.b", pid=2**22 - 3, spawn=False), lambda evs: None, lambda: 0.0)


def test_stop_without_start_and_messages_before_start_are_harmless() -> None:
    inst = FridaInstrumentation()
    inst.handle_message({"type": "send", "payload": {"type": "events:add", "events": []}})
    inst.stop()
    inst.stop()
    assert inst.flush() == {} and inst.stats() == {}


def test_doctor_reports_versions_and_hook_pack() -> None:
    from harness.instrumentation.frida import doctor

    info = doctor()
    assert info["frida"].startswith("17.") and "local" in info["devices"]
    assert "frida-java-bridge 7.0.13" in info["agent"] and len(info["hook_pack"]) == 16
