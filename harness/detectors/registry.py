"""Detector registry: one pure detector per rule id.

A detector is ``(ctx: Context) -> Iterable[Finding]``; it reads the run through the context
(events, phases, vectorised API hits, jurisdiction, app profile) and never mutates anything.
Detectors register themselves with :func:`detector` when their module is imported;
:func:`registry` imports every detector module and returns them by rule id.

A rule judged from two kinds of evidence (e.g. R25: runtime requests, and the manifest read by
the static check) keeps one detector per rule: the second source registers a *part* with
:func:`detector_part`, and :func:`registry` returns the rule's detector chained with its parts
(the parts' findings name the part). A part of a rule with no main detector is its detector.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.findings import Finding

if TYPE_CHECKING:
    from harness.detectors.context import Context

__all__ = ["Detector", "DetectorFunc", "detector", "detector_part", "registry", "DETECTOR_MODULES"]

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
    "harness.detectors.static",
    "harness.detectors.purpose",
    "harness.detectors.network",
    "harness.detectors.inapp",
    "harness.detectors.tcf",
    "harness.detectors.recipients",
)

_REGISTRY: dict[str, Detector] = {}
_PARTS: dict[str, dict[str, DetectorFunc]] = {}


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


def detector_part(rule_id: str, name: str) -> Callable[[DetectorFunc], DetectorFunc]:
    """Register ``func`` as an additional part of ``rule_id``'s detector (another evidence
    source for the same rule); parts run after the main detector, in name order."""

    def wrap(func: DetectorFunc) -> DetectorFunc:
        parts = _PARTS.setdefault(rule_id, {})
        existing = parts.get(name)
        if existing is not None and existing is not func and getattr(existing, "__qualname__", "") != getattr(func, "__qualname__", ""):
            raise ValueError(f"rule {rule_id} already has a detector part {name!r}")
        parts[name] = func
        return func

    return wrap


def _chained(main: Detector | None, parts: dict[str, DetectorFunc]) -> DetectorFunc:
    def run(ctx: Context) -> Iterable[Finding]:
        out: list[Finding] = []
        if main is not None:
            ctx.detector_name = main.name
            out.extend(main.func(ctx))
        for name, func in sorted(parts.items()):
            ctx.detector_name = name
            out.extend(func(ctx))
        if main is not None:
            ctx.detector_name = main.name
        return out

    return run


def registry() -> dict[str, Detector]:
    """Every detector, by rule id, in rule order (rules with parts get the chained detector)."""
    for mod in DETECTOR_MODULES:
        importlib.import_module(mod)
    out = dict(_REGISTRY)
    for rid, parts in _PARTS.items():
        if not parts:
            continue
        main = _REGISTRY.get(rid)
        out[rid] = Detector(rid, main.name if main is not None else sorted(parts)[0], _chained(main, parts))
    return dict(sorted(out.items()))
