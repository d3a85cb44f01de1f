"""``consent-harness screen FILE.xml [--pretty]``: print what the recogniser reads on one dump.

For a technician who wants to know why the harness did (or did not) decline on a screen: the
JSON names the kind, the permission group, every control with its role and bounds, checkboxes
and whether they were pre-ticked, the accept/decline asymmetry, the confidence and the reasons.
``-`` reads the dump from standard input.  Exit 0 on success, 2 (with a one-line message on
stderr) when the file is missing, too large or not a readable hierarchy dump.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.consent_ui.parse import MAX_BYTES
from harness.consent_ui.reader import read_screen
from harness.errors import EXIT_CLEAN, EXIT_INPUT, ScreenParseError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="consent-harness screen",
        description="Print the consent-UI reading of one UI hierarchy dump (uiautomator or Appium page source) as JSON.",
    )
    p.add_argument("file", help="the hierarchy dump (.xml); '-' reads standard input")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    return p


def _read_input(name: str) -> bytes:
    if name == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(name)
        if not path.is_file():
            raise ScreenParseError("no such file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScreenParseError(f"{size} bytes, over the {MAX_BYTES}-byte limit for a UI dump")
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    return data


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        reading = read_screen(_read_input(args.file))
    except ScreenParseError as e:
        print(f"consent-harness screen: {args.file}: {e}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as e:
        print(f"consent-harness screen: {args.file}: {e.strerror or e}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(reading.to_json(pretty=args.pretty) + "\n")
    return EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    from harness.textout import guarded_stdio

    with guarded_stdio():  # screen texts come from the app: no escapes reach the terminal
        code = main()
    raise SystemExit(code)
