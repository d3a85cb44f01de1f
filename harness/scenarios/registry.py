"""The step registry: every scenario step by name, with its parameter schema.

A step is ``fn(ctx, **params) -> None``; it raises :class:`harness.errors.StepError` when it
cannot do what it was asked (recorded as a failed step; the run goes on). Parameters are
declared with :class:`Param` so the loader can reject a wrong type or an unknown name with file,
line and field before anything touches a device.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Param", "StepSpec", "register", "get_step", "step_names", "STEPS", "BUILTIN_STEPS"]


@dataclass(frozen=True, slots=True)
class Param:
    """A step parameter: type (bool, int, float, str, list), default, allowed choices."""

    type: type
    default: Any = None
    required: bool = False
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


@dataclass(frozen=True, slots=True)
class StepSpec:
    name: str
    fn: Callable[..., None]
    params: dict[str, Param]
    doc: str
    shorthand: str = ""  # the parameter a scalar value sets (``observe: 30``)


STEPS: dict[str, StepSpec] = {}
#: Modules that register the standard steps (imported on first use of the registry).
BUILTIN_STEPS: tuple[str, ...] = ("harness.scenarios.steps", "harness.scenarios.personalisation")
_loaded = False


def register(name: str, *, params: dict[str, Param] | None = None, shorthand: str = "", replace: bool = False) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a step under ``name``. The standard steps are loaded first, whoever registers
    first, so a step defined elsewhere never hides them; a name is taken once unless
    ``replace`` (a plug-in that means to override a standard step says so)."""

    def deco(fn: Callable[..., None]) -> Callable[..., None]:
        _ensure_loaded()
        if name in STEPS and not replace and STEPS[name].fn is not fn:
            raise ValueError(f"scenario step {name!r} is already registered (by {STEPS[name].fn.__module__})")
        STEPS[name] = StepSpec(name, fn, dict(params or {}), (fn.__doc__ or "").strip(), shorthand)
        return fn

    return deco


def get_step(name: str) -> StepSpec:
    _ensure_loaded()
    return STEPS[name]


def step_names() -> list[str]:
    _ensure_loaded()
    return sorted(STEPS)


def _ensure_loaded() -> None:
    """Import the standard steps once (a flag, not "is the table empty": a step registered
    elsewhere first must not hide them)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILTIN_STEPS:
        importlib.import_module(module)
