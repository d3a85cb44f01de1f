"""Test helper: a scripted stand-in for the adb binary.

It replaces only the process call of AdbClient (the ``runner`` hook): every argv the harness
would hand to adb is recorded verbatim, and answers are chosen by substring rules, so tests
check the exact commands (quoting, no ``-g``) and feed device output of any Android version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.devices.adb import AdbClient, AdbDevice, AdbResult

__all__ = ["ScriptedAdb", "scripted_device", "DEVICES_ONE"]

DEVICES_ONE = "List of devices attached\nemulator-5554          device product:sdk_gphone64_x86_64 model:sdk_gphone64_x86_64 device:emu64xa transport_id:1\n\n"


@dataclass
class _Rule:
    needle: str
    stdout: bytes
    rc: int
    stderr: bytes
    times: int | None


@dataclass
class ScriptedAdb:
    """Callable runner: ``on(needle, out)`` answers any argv whose joined text contains
    ``needle`` (latest rule first); ``calls`` keeps each argv."""

    calls: list[tuple[str, ...]] = field(default_factory=list)
    rules: list[_Rule] = field(default_factory=list)

    def on(
        self,
        needle: str,
        stdout: str | bytes = "",
        *,
        rc: int = 0,
        stderr: str = "",
        times: int | None = None,
    ) -> ScriptedAdb:
        out = stdout.encode() if isinstance(stdout, str) else stdout
        self.rules.insert(0, _Rule(needle, out, rc, stderr.encode(), times))
        return self

    def __call__(self, argv: Sequence[str], timeout: float) -> AdbResult:
        self.calls.append(tuple(argv))
        joined = " ".join(argv)
        for rule in self.rules:
            if rule.needle in joined and (rule.times is None or rule.times > 0):
                if rule.times is not None:
                    rule.times -= 1
                return AdbResult(tuple(argv), rule.rc, rule.stdout, rule.stderr)
        return AdbResult(tuple(argv), 0, b"", b"")

    def shell_commands(self) -> list[str]:
        """The device-shell strings sent (the argument after 'shell')."""
        out: list[str] = []
        for argv in self.calls:
            if "shell" in argv:
                i = argv.index("shell")
                out.extend(argv[i + 1 : i + 2])
        return out


def scripted_device(
    script: ScriptedAdb | None = None, serial: str = "emulator-5554"
) -> tuple[AdbDevice, ScriptedAdb]:
    script = script or ScriptedAdb()
    script.on("devices -l", DEVICES_ONE)
    client = AdbClient("adb", runner=script)
    client.path = "adb"
    return client.device(serial), script
