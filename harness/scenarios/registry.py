"""The step registry: every scenario step by name, with its parameter schema.

A step is ``fn(ctx, **params) -> None``; it raises :class:`harness.errors.StepError` when it
cannot do what it was asked (recorded as a failed step; the run goes on). Parameters are
declared with :class:`Param` so the loader can reject a wrong type or an unknown name with file,
line and field before anything touches a device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

__all__ = ["Param", "StepSpec", "register", "get_step", "step_names", "STEPS"]


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


def register(name: str, *, params: dict[str, Param] | None = None, shorthand: str = "") -> Callable[[Callable[..., None]], Callable[..., None]]:
    def deco(fn: Callable[..., None]) -> Callable[..., None]:
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
    if not STEPS:
        import harness.scenarios.steps  # noqa: F401  (registers the standard steps)
