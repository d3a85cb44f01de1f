"""Report-format registry: each format registers itself, like detectors do.

A format is one module that renders the data :mod:`harness.reporting.build` loads (``RunData``)
and registers its writer with :func:`report_format` when imported::

    @report_format("html", "report.html", doc="the run report as one self-contained page")
    def write_html(data: RunData, target: Path, options: ReportOptions) -> None: ...

``scope="run"`` writers get one run's data and write beside the run; ``scope="summary"`` writers
get several runs (an app's suite, a batch) and write into a summary folder. :func:`formats`
imports every module of :data:`FORMAT_MODULES` and returns the registered formats by name.

This module imports no format and no renderer: ``build`` asks the registry, the formats import
``build`` for the data, so there is no import cycle between them. Adding a format = one module
with a registered writer, plus its name in :data:`FORMAT_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from harness.reporting.build import RunData

__all__ = ["FORMAT_MODULES", "ReportFormat", "ReportOptions", "Scope", "formats", "report_format", "write_text_atomic"]

Scope = Literal["run", "summary"]

#: Modules whose formats :func:`formats` registers (a new format adds its module here).
FORMAT_MODULES = (
    "harness.reporting.html",
    "harness.reporting.xlsx",
    "harness.reporting.json_report",
    "harness.reporting.junit",
    "harness.reporting.terminal",
    "harness.reporting.checklist",
)


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a writer may be told: ``fail_on`` (lowest severity that fails a JUnit case),
    ``embed_screens`` (screenshots inside the HTML) and, for summaries, the run folders that were
    asked for but do not exist (``missing``)."""

    fail_on: str = "medium"
    embed_screens: bool = True
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportFormat:
    """A registered format: its name, the file it writes, its scope, whether ``report`` builds it
    when no format is named, a one-line description, and the writer."""

    name: str
    filename: str
    scope: Scope
    default: bool
    doc: str
    write: Callable[..., None]

    def write_run(self, data: RunData, target: Path, options: ReportOptions) -> None:
        self.write(data, target, options)

    def write_summary(self, runs: Sequence[RunData], target: Path, options: ReportOptions) -> None:
        self.write(runs, target, options)


_REGISTRY: dict[tuple[str, str], ReportFormat] = {}


def report_format(name: str, filename: str, *, scope: Scope = "run", default: bool = True, doc: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated writer as format ``name`` of ``scope`` (one writer per name and
    scope). A run writer is ``(data, target, options)``; a summary writer ``(runs, target, options)``."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        key = (scope, name)
        existing = _REGISTRY.get(key)
        if existing is not None and getattr(existing.write, "__qualname__", "") != getattr(func, "__qualname__", ""):
            raise ValueError(f"report format {name!r} ({scope}) is already registered by {existing.write.__module__}")
        _REGISTRY[key] = ReportFormat(name, filename, scope, default, doc or (func.__doc__ or "").strip().split("\n")[0], func)
        return func

    return wrap


def formats(scope: Scope = "run") -> dict[str, ReportFormat]:
    """Every registered format of ``scope``, by name: the built-in ones in :data:`FORMAT_MODULES`
    order, then any other in registration order."""
    for mod in FORMAT_MODULES:
        importlib.import_module(mod)
    order = {m: i for i, m in enumerate(FORMAT_MODULES)}
    found = [f for (sc, _), f in _REGISTRY.items() if sc == scope]
    found.sort(key=lambda f: order.get(f.write.__module__, len(order)))
    return {f.name: f for f in found}


def write_text_atomic(path: Path, text: str) -> None:
    """Write through a unique temporary file so a reader never sees half a report."""
    from harness import fsio

    fsio.write_text(path, text)
