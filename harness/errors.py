"""One exception tree for the whole harness.

::

    HarnessError                      base; carries an exit code for the CLI
    ├── InputError           (exit 2) bad input from a user: YAML, CLI arguments, files
    │   ├── ScenarioError             a scenario file is malformed (file, line, field)
    │   ├── AppModelError             a reference-device app model is malformed or unknown
    │   ├── CatalogError              a catalogue (apis, sdks, rules, profiles) fails its schema
    │   └── ScreenParseError          a UI hierarchy dump is malformed, hostile or too large
    ├── ProtocolError                 a message from an agent (app side) is malformed or hostile;
    │                                 recorded as an error, never fatal to a run
    ├── InfrastructureError  (exit 3) the harness's own tools failed: adb, device, Frida, Appium
    │   ├── DeviceError               a device or driver call failed
    │   └── InstrumentationError      Frida / the agent could not be started
    └── StepError                     a scenario step could not do what it was asked
                                      (e.g. no decline control on screen); recorded, run goes on

Errors are caught at boundaries: the CLI maps them to exit codes, the runner records step
errors into the timeline, the detector registry turns a crashing detector into an error record.
"""

from __future__ import annotations

__all__ = [
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_INFRA",
    "HarnessError",
    "InputError",
    "ScenarioError",
    "AppModelError",
    "CatalogError",
    "ScreenParseError",
    "ProtocolError",
    "InfrastructureError",
    "DeviceError",
    "InstrumentationError",
    "StepError",
]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INFRA = 3


class HarnessError(Exception):
    """Base of every error the harness raises on purpose."""

    exit_code: int = EXIT_INFRA


class InputError(HarnessError):
    """Bad input from the user (files, arguments). Exit code 2."""

    exit_code = EXIT_INPUT


class ScenarioError(InputError):
    """A scenario file is malformed. The message names file, line and field."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None, field: str = "") -> None:
        where = file
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        parts = [p for p in (where, f"field '{field}'" if field else "") if p]
        super().__init__(f"{': '.join(parts)}: {message}" if parts else message)
        self.file = file
        self.line = line
        self.field = field


class AppModelError(InputError):
    """A reference-device app model is malformed or unknown."""


class CatalogError(InputError):
    """A catalogue file fails its schema."""


class ScreenParseError(InputError):
    """A UI hierarchy dump is malformed, hostile or too large."""


class ProtocolError(HarnessError):
    """A message from an agent is malformed, oversized or hostile."""


class InfrastructureError(HarnessError):
    """The harness's own tooling failed (adb, device, Frida, Appium). Exit code 3."""

    exit_code = EXIT_INFRA


class DeviceError(InfrastructureError):
    """A device or driver call failed."""


class InstrumentationError(InfrastructureError):
    """Instrumentation could not be started or talked to."""


class StepError(HarnessError):
    """A scenario step could not do what it was asked; recorded, the run goes on."""
