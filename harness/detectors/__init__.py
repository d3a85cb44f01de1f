"""Detectors: pure functions from a recorded run to citable findings.

Entry points:

* :func:`analyze` judges one run (``Timeline`` + ``RunInfo``) under a jurisdiction profile
  (``cn`` or ``eu``) and an optional app-type profile; returns an :class:`Analysis`.
* :func:`analyze_batch` judges many runs at once, with the ApiCall events as columns
  (:class:`ApiColumns`, e.g. from Arrow); same findings as ``analyze`` run by run.
* :func:`registry` lists the detectors by rule id.

The rule texts, thresholds and their provenance live in ``harness/catalog/rules.yaml``; app-type
necessities in ``harness/catalog/profiles.yaml``.
"""

from harness.detectors.analysis import Analysis, BatchRun, analyze, analyze_batch, resolve_profile
from harness.detectors.context import Context
from harness.detectors.core import API_RULES, ApiColumns
from harness.detectors.phases import PHASE_NAMES, Phases, build_phases
from harness.detectors.registry import Detector, detector, registry

__all__ = [
    "API_RULES",
    "PHASE_NAMES",
    "Analysis",
    "ApiColumns",
    "BatchRun",
    "Context",
    "Detector",
    "Phases",
    "analyze",
    "analyze_batch",
    "build_phases",
    "detector",
    "registry",
    "resolve_profile",
]
