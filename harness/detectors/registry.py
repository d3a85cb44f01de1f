"""Detector registry: one pure detector per rule id.

A detector is ``(ctx: Context) -> Iterable[Finding]``; it reads the run through the context
(events, phases, vectorised API hits, jurisdiction, app profile) and never mutates anything.
Detectors register themselves with :func:`detector` when their module is imported;
:func:`registry` imports every detector module and returns them by rule id.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.findings import Finding

if TYPE_CHECKING:
    from harness.detectors.context import Context

__all__ = ["Detector", "DetectorFunc", "detector", "registry", "DETECTOR_MODULES"]

DetectorFunc = Callable[["Context"], Iterable[Finding]]

# one module per rule family
DETECTOR_MODULES = (
    "harness.detectors.notice",
    "harness.detectors.consent",
    "harness.detectors.prompts",
    "harness.detectors.permissions",
    "harness.detectors.necessity",
    "harness.detectors.startup",
    "harness.detectors.third_party",
    "harness.detectors.policy",
)

_REGISTRY: dict[str, Detector] = {}


@dataclass(frozen=True, slots=True)
class Detector:
    """A registered detector: the rule it judges, a readable name, and the function."""

    rule_id: str
    name: str
    func: DetectorFunc

    def __call__(self, ctx: Context) -> Iterable[Finding]:
        return self.func(ctx)


def detector(rule_id: str, name: str) -> Callable[[DetectorFunc], DetectorFunc]:
    """Register ``func`` as the detector of ``rule_id`` (one detector per rule)."""

    def wrap(func: DetectorFunc) -> DetectorFunc:
        existing = _REGISTRY.get(rule_id)
        if existing is not None and existing.func is not func and existing.name != name:
            raise ValueError(f"rule {rule_id} already has detector {existing.name!r}")
        _REGISTRY[rule_id] = Detector(rule_id, name, func)
        return func

    return wrap


def registry() -> dict[str, Detector]:
    """Every detector, by rule id, in rule order."""
    for mod in DETECTOR_MODULES:
        importlib.import_module(mod)
    return dict(sorted(_REGISTRY.items()))
