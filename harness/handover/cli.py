"""Sub-commands of the hand-over features, registered into the main parser by harness.cli:
``explain``.

Each command maps its errors the same way as the rest of the CLI (HarnessError -> exit code).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from harness.errors import EXIT_CLEAN

__all__ = ["add_parsers", "COMMANDS"]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ex = sub.add_parser("explain", help="everything the catalogue says about a rule: checks, citations with confidence, numbers, fix")
    ex.add_argument("rule", help="rule id, e.g. R09")
    ex.add_argument("--format", choices=("text", "json"), default="text")


def cmd_explain(a: argparse.Namespace) -> int:
    from harness.handover.explain import explain_json, explain_text

    sys.stdout.write(explain_json(a.rule) if a.format == "json" else explain_text(a.rule))
    return EXIT_CLEAN


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "explain": cmd_explain,
}
