"""The step registry does not depend on who registers first: a step registered outside
harness/scenarios/steps.py before anything else must not hide the standard steps."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.scenarios.registry import register

PROGRAM = """
from harness.scenarios.registry import register, get_step, step_names

@register("my_custom_step")
def my_custom_step(ctx):
    '''A step from a plug-in.'''

assert get_step("launch").name == "launch"
assert get_step("my_custom_step").fn is my_custom_step
assert {"launch", "explore", "my_custom_step"} <= set(step_names())
print("ok")
"""


def test_a_step_registered_first_elsewhere_does_not_hide_the_standard_steps() -> None:
    # a fresh interpreter: the registry is process-wide, and this test needs it empty at start
    proc = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"


def test_a_standard_step_name_cannot_be_taken_silently() -> None:
    with pytest.raises(ValueError, match="'launch' is already registered"):

        @register("launch")
        def launch(ctx: object) -> None:
            """An accidental second 'launch'."""
