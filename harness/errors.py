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
    │   ├── InstrumentationError      Frida / the agent could not be started
    │   └── RecordError               the run's record could not be written (disk, a folder
    │                                 or timeline that already exists)
    └── StepError                     a scenario step could not do what it was asked
                                      (e.g. no decline control on screen); recorded, run goes on

Errors are caught at boundaries: the CLI maps them to exit codes (:func:`run_guarded`, the one
error boundary of every command: one line on stderr, never a traceback), the runner records
step errors into the timeline, the detector registry turns a crashing detector into an error
record.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

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
    "RecordError",
    "StepError",
    "one_line",
    "run_guarded",
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


class RecordError(InfrastructureError):
    """The run's record could not be written: a failed write to the timeline, or a run folder
    or timeline that already exists (runs never share one)."""


class StepError(HarnessError):
    """A scenario step could not do what it was asked; recorded, the run goes on."""


def one_line(exc: BaseException, limit: int = 2000) -> str:
    """An error's message on one bounded line (messages may quote multi-line tool output)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_guarded(command: Callable[[], int], prog: str) -> int:
    """Run a CLI command and map what escapes it to an exit code and one line on stderr.

    HarnessError: its own code (2 input, 3 infrastructure). An OSError that reached here is
    the machine's (disk full, a file vanished): 3, naming the file. Anything else is a bug in
    the harness: 3 with the exception's type and message; ``CONSENT_HARNESS_DEBUG=1`` shows
    the traceback. Ctrl-C is 3; a closed pipe (output piped into ``head``) ends quietly."""
    try:
        return command()
    except HarnessError as exc:
        print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INFRA
    except SystemExit as exc:  # a sub-command's own argument parser (it printed its usage)
        return exc.code if isinstance(exc.code, int) else (EXIT_INPUT if exc.code else EXIT_CLEAN)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CLEAN
    except Exception as exc:
        if os.environ.get("CONSENT_HARNESS_DEBUG"):
            raise
        if isinstance(exc, OSError):
            where = f"{exc.filename}: " if exc.filename else ""
            print(f"{prog}: error: {where}{exc.strerror or one_line(exc)}", file=sys.stderr)
        else:
            print(f"{prog}: internal error ({type(exc).__name__}): {one_line(exc)} (CONSENT_HARNESS_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INFRA
