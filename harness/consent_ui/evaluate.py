"""Measure the recogniser against a folder of labelled dumps.

Used by the test suite and ``bench/consent_ui.py``, and by anyone who wants to check the
recogniser on their own labelled screens (a lab's regression set, a regulator's sample).

The labels file is tab-separated with a header.  Columns (extra columns are ignored):

- ``file``: dump file name inside the folder;
- ``kind``: expected kind;
- ``decline`` or ``expected_decline``: text or resource id of the control that refuses, ``-``
  for none (a trailing " (content-desc)" note is allowed);
- ``pre_ticked`` or ``preticked_checkbox``: yes/no (optional);
- ``ambiguous``: yes/no (optional); ``group``: permission group or ``-`` (optional);
- ``after``: what the runner did just before the screen appeared, ``decline`` or ``-``
  (optional); passed to the recogniser as its :class:`ReadContext`.

``collapse`` maps label kinds and predicted kinds onto a common set before comparing, e.g. the
shared real-world set labels every non-consent screen ``other_dialog`` or ``normal_screen`` and
the recogniser may call such a screen ``other``, ``login_gate`` or ``permission_rationale``.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.consent_ui.model import AFTER_VALUES, CONSENT_KINDS, Control, ReadContext, ScreenReading
from harness.consent_ui.reader import read_screen
from harness.errors import HarnessError, InputError

__all__ = ["Case", "Outcome", "Report", "load_labels", "evaluate", "decline_matches"]


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled dump."""

    file: str
    kind: str
    decline: str
    pre_ticked: bool | None = None
    ambiguous: bool | None = None
    group: str | None = None
    after: str = ""


@dataclass(slots=True)
class Outcome:
    """What the recogniser read on one case, and whether it matched the label."""

    case: Case
    reading: ScreenReading | None
    error: str
    ms: float
    expected: str
    got: str
    kind_ok: bool
    decline_ok: bool
    pre_ok: bool | None
    amb_ok: bool | None
    group_ok: bool | None


@dataclass(slots=True)
class Report:
    """Aggregate figures over a set of outcomes."""

    outcomes: list[Outcome]
    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    kind_accuracy: float = 0.0
    decline_accuracy: float = 0.0
    decline_cases: int = 0
    pre_ticked_accuracy: float | None = None
    ambiguous_accuracy: float | None = None
    group_accuracy: float | None = None
    median_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0

    def misses(self) -> list[Outcome]:
        """Cases with a wrong kind, or a wrong decline control where one is scored."""
        return [o for o in self.outcomes if not o.kind_ok or (_decline_scored(o.case) and not o.decline_ok)]

    def summary(self) -> dict[str, Any]:
        """The figures as a JSON-ready dict."""
        return {
            "cases": len(self.outcomes),
            "kind_accuracy": round(self.kind_accuracy, 4),
            "per_kind": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in d.items()} for k, d in self.per_kind.items()},
            "decline_accuracy": round(self.decline_accuracy, 4),
            "decline_cases": self.decline_cases,
            "pre_ticked_accuracy": None if self.pre_ticked_accuracy is None else round(self.pre_ticked_accuracy, 4),
            "ambiguous_accuracy": None if self.ambiguous_accuracy is None else round(self.ambiguous_accuracy, 4),
            "group_accuracy": None if self.group_accuracy is None else round(self.group_accuracy, 4),
            "median_ms": round(self.median_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "misses": [f"{o.case.file}: expected {o.expected}/{o.case.decline}, got {o.got}/{_describe(o)}" for o in self.misses()],
        }


def _yes(v: str | None) -> bool | None:
    if v is None:
        return None
    v = v.strip().lower()
    if v in ("yes", "true", "1", "y"):
        return True
    if v in ("no", "false", "0", "n", "-", ""):
        return False
    return None


def load_labels(path: str | Path) -> list[Case]:
    """Read a labels TSV (see the module docstring)."""
    p = Path(path)
    try:
        with p.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    except OSError as e:
        raise InputError(f"{p}: cannot read labels: {e.strerror or e}") from e
    cases: list[Case] = []
    for i, r in enumerate(rows, start=2):
        file = (r.get("file") or "").strip()
        kind = (r.get("kind") or "").strip()
        if not file or not kind:
            raise InputError(f"{p}:{i}: 'file' and 'kind' are required")
        decline = (r.get("decline") or r.get("expected_decline") or "-").strip()
        group = r.get("group")
        after = (r.get("after") or "").strip()
        after = "" if after == "-" else after
        if after not in AFTER_VALUES:
            raise InputError(f"{p}:{i}: 'after' must be one of {', '.join(v or '-' for v in AFTER_VALUES)}, not {after!r}")
        cases.append(
            Case(
                file=file,
                kind=kind,
                decline=decline,
                pre_ticked=_yes(r.get("pre_ticked", r.get("preticked_checkbox"))),
                ambiguous=_yes(r.get("ambiguous")),
                group=None if group is None else ("" if group.strip() in ("-", "") else group.strip()),
                after=after,
            )
        )
    return cases


def decline_matches(expected: str, control: Control | None) -> bool:
    """Does the control the recogniser would tap to refuse match the label?"""
    e = expected.strip()
    if e.endswith("(content-desc)"):
        e = e[: -len("(content-desc)")].strip()
    if e in ("-", ""):
        return control is None
    if control is None:
        return False
    return e in (control.resource_id, control.text.strip())


def _decline_scored(case: Case) -> bool:
    """Decline controls are scored on consent screens, rationales and login gates (on other
    screens a label's "decline" column, if any, is informational)."""
    return case.kind in CONSENT_KINDS or case.kind in ("permission_rationale", "login_gate")


def _describe(o: Outcome) -> str:
    if o.reading is None:
        return f"error: {o.error}"
    c = o.reading.decline_control()
    return "-" if c is None else (c.resource_id or c.text)


def evaluate(cases: Iterable[Case], folder: str | Path, *, collapse: Mapping[str, str] | None = None, repeat: int = 1) -> Report:
    """Read every case's dump, compare with its label, and aggregate.  ``repeat`` reads each
    dump that many times and keeps the fastest time (steadier timing on a busy machine)."""
    base = Path(folder)
    cmap = dict(collapse or {})
    outcomes: list[Outcome] = []
    for case in cases:
        data = (base / case.file).read_bytes()
        reading: ScreenReading | None = None
        error = ""
        best = float("inf")
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            try:
                reading = read_screen(data, ReadContext(after=case.after))
            except HarnessError as e:
                error = str(e)
            best = min(best, (time.perf_counter() - t0) * 1000)
        got_raw = reading.kind if reading is not None else "error"
        expected = cmap.get(case.kind, case.kind)
        got = cmap.get(got_raw, got_raw)
        decline_ok = reading is not None and decline_matches(case.decline, reading.decline_control())
        pre_ok = None if case.pre_ticked is None or reading is None else (reading.pre_ticked == case.pre_ticked)
        amb_ok = None if case.ambiguous is None or reading is None else (reading.ambiguous_only == case.ambiguous)
        group_ok = None
        if case.group is not None and reading is not None and case.kind in ("permission_dialog", "permission_rationale"):
            group_ok = reading.permission_group == case.group
        outcomes.append(Outcome(case, reading, error, best, expected, got, expected == got, decline_ok, pre_ok, amb_ok, group_ok))
    return _aggregate(outcomes)


def _aggregate(outcomes: list[Outcome]) -> Report:
    r = Report(outcomes)
    kinds = sorted({o.expected for o in outcomes} | {o.got for o in outcomes})
    for k in kinds:
        tp = sum(1 for o in outcomes if o.expected == k and o.got == k)
        fp = sum(1 for o in outcomes if o.expected != k and o.got == k)
        fn = sum(1 for o in outcomes if o.expected == k and o.got != k)
        r.per_kind[k] = {
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "support": float(tp + fn),
        }
    n = len(outcomes) or 1
    r.kind_accuracy = sum(o.kind_ok for o in outcomes) / n
    dec = [o for o in outcomes if _decline_scored(o.case)]
    r.decline_cases = len(dec)
    r.decline_accuracy = sum(o.decline_ok for o in dec) / len(dec) if dec else 1.0

    def rate(vals: list[bool | None]) -> float | None:
        got = [v for v in vals if v is not None]
        return sum(got) / len(got) if got else None

    r.pre_ticked_accuracy = rate([o.pre_ok for o in outcomes])
    r.ambiguous_accuracy = rate([o.amb_ok for o in outcomes])
    r.group_accuracy = rate([o.group_ok for o in outcomes])
    times = sorted(o.ms for o in outcomes)
    if times:
        r.median_ms = statistics.median(times)
        r.p95_ms = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        r.max_ms = times[-1]
    return r
