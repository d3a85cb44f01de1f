"""Typed observations carried inside timeline events: what the runner saw on a screen.

:class:`ScreenObservation` is the recogniser's reading of one screen as the timeline keeps it
(``UiSnapshot.reading``): the screen kind, each control with its role, the checkboxes, pre-ticked
and implied consent, the choice asymmetry, the reasons. It is a value with documented bounds, not
JSON text inside a string field:

- at most :data:`MAX_ITEMS` (400) controls, checkboxes, implied-consent texts and reasons each;
- every text at most :data:`MAX_TEXT` (500) characters;
- ``omitted`` counts what the bounds left out (list items dropped plus texts shortened), so
  nothing is cut silently.

It is built from the recogniser's :class:`~harness.consent_ui.model.ScreenReading` by
:meth:`ScreenObservation.from_mapping` (of ``ScreenReading.to_dict()``), read back from the
timeline the same way, and read from the older form (the same dict serialised as JSON text, as
run folders recorded before this type hold it) by :meth:`ScreenObservation.from_json`. Reading
never raises: anything unreadable becomes an empty observation with ``error`` set.

This module sits at the bottom of the package (it imports nothing from ``harness``), so events,
the runner, the detectors and the reports can all use it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_ITEMS",
    "MAX_TEXT",
    "MAX_JSON_CHARS",
    "ObservedControl",
    "ObservedCheckbox",
    "ScreenObservation",
    "reading_to_dict",
]

MAX_ITEMS = 400
MAX_TEXT = 500
#: Largest legacy JSON text read back (older run folders); larger ones are refused with ``error``.
MAX_JSON_CHARS = 512_000

_BOX = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class ObservedControl:
    """A control on screen with its recognised role."""

    role: str
    text: str
    resource_id: str = ""
    is_button: bool = False
    clickable: bool = False
    bounds: _BOX = (0, 0, 0, 0)
    cls: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "text": self.text,
            "resource_id": self.resource_id,
            "class": self.cls,
            "bounds": list(self.bounds),
            "is_button": self.is_button,
            "clickable": self.clickable,
        }


@dataclass(frozen=True, slots=True)
class ObservedCheckbox:
    """A checkbox; ``consent`` when the recogniser judged it a consent box."""

    text: str
    resource_id: str
    checked: bool
    consent: bool
    bounds: _BOX = (0, 0, 0, 0)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "resource_id": self.resource_id, "checked": self.checked, "consent": self.consent, "bounds": list(self.bounds)}


@dataclass(frozen=True, slots=True)
class ScreenObservation:
    """What the recogniser saw on one screen (see the module docstring for the bounds)."""

    kind: str = ""
    confidence: float = 0.0
    permission_group: str = ""
    package: str = ""
    language: str = ""
    controls: tuple[ObservedControl, ...] = ()
    checkboxes: tuple[ObservedCheckbox, ...] = ()
    pre_ticked: bool = False
    implied_consent: tuple[str, ...] = ()
    ambiguous_only: bool | None = None  # None: the recording did not say
    asymmetry: Mapping[str, Any] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    omitted: int = 0
    error: str = ""

    def roles(self) -> frozenset[str]:
        return frozenset(c.role for c in self.controls if c.role)

    def texts(self) -> list[str]:
        """Every text on the reading that the recogniser kept (controls, boxes, reasons)."""
        out = [c.text for c in self.controls if c.text]
        out += [b.text for b in self.checkboxes if b.text]
        out += list(self.implied_consent)
        out += list(self.reasons)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form (what ``timeline.jsonl`` holds): :func:`reading_to_dict` and the bounds' count."""
        out = reading_to_dict(self, dict(self.asymmetry))
        out["omitted"] = self.omitted
        if self.error:
            out["error"] = self.error
        return out

    @classmethod
    def from_json(cls, text: str) -> ScreenObservation:
        """The older form: the same mapping as JSON text (an empty text is an empty reading)."""
        if not text:
            return cls()
        if len(text) > MAX_JSON_CHARS:
            return cls(error=f"reading larger than {MAX_JSON_CHARS} characters, ignored")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return cls(error=f"reading is not valid JSON: {str(exc)[:120]}")
        if not isinstance(data, dict):
            return cls(error="reading is not a JSON object")
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScreenObservation:
        """Read a mapping tolerantly (never raises); lists and texts are bounded and counted."""
        if not isinstance(data, Mapping):
            return cls(error="reading is not an object")
        cut = _Cut()
        controls = []
        for c in cut.items(data.get("controls")):
            if isinstance(c, Mapping):
                controls.append(
                    ObservedControl(
                        role=cut.text(c.get("role")).strip().lower(),
                        text=cut.text(c.get("text")).strip(),
                        resource_id=cut.text(c.get("resource_id")),
                        is_button=_bool(c.get("is_button")),
                        clickable=_bool(c.get("clickable")),
                        bounds=_box(c.get("bounds")),
                        cls=cut.text(c.get("class")),
                    )
                )
        boxes = []
        for b in cut.items(data.get("checkboxes")):
            if isinstance(b, Mapping):
                boxes.append(
                    ObservedCheckbox(
                        text=cut.text(b.get("text")).strip(),
                        resource_id=cut.text(b.get("resource_id")),
                        checked=_bool(b.get("checked")),
                        consent=_bool(b.get("consent")),
                        bounds=_box(b.get("bounds")),
                    )
                )
        amb = data.get("ambiguous_only")
        asym = data.get("asymmetry")
        asym_clean: dict[str, Any] = {}
        if isinstance(asym, Mapping):
            for k in ("accept_area", "decline_area", "area_ratio", "taps_to_refuse"):
                v = asym.get(k)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) < 1e12:
                    asym_clean[k] = float(v)
            for k in ("decline_is_link", "accept_is_button"):
                if k in asym:
                    asym_clean[k] = _bool(asym.get(k))
        conf = data.get("confidence")
        prior = data.get("omitted")
        return cls(
            kind=cut.text(data.get("kind")),
            confidence=float(conf) if isinstance(conf, (int, float)) and not isinstance(conf, bool) and 0 <= conf <= 1 else 0.0,
            permission_group=cut.text(data.get("permission_group")).strip().upper(),
            package=cut.text(data.get("package")),
            language=cut.text(data.get("language")),
            controls=tuple(controls),
            checkboxes=tuple(boxes),
            pre_ticked=_bool(data.get("pre_ticked")),
            implied_consent=tuple(t for t in (cut.text(x).strip() for x in cut.items(data.get("implied_consent"))) if t),
            ambiguous_only=bool(amb) if isinstance(amb, bool) else None,
            asymmetry=asym_clean,
            reasons=tuple(t for t in (cut.text(x) for x in cut.items(data.get("reasons"))) if t),
            omitted=cut.count + (prior if isinstance(prior, int) and not isinstance(prior, bool) and 0 < prior < 1 << 31 else 0),
            error=cut.text(data.get("error")),
        )


def reading_to_dict(r: Any, asymmetry: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON form of a screen reading, one shape for the recogniser's
    :class:`~harness.consent_ui.model.ScreenReading` and the recorded :class:`ScreenObservation`
    (``r`` is either; ``asymmetry`` its asymmetry as a mapping)."""
    return {
        "kind": r.kind,
        "confidence": r.confidence,
        "reasons": list(r.reasons),
        "permission_group": r.permission_group,
        "package": r.package,
        "language": r.language,
        "controls": [c.to_dict() for c in r.controls],
        "checkboxes": [b.to_dict() for b in r.checkboxes],
        "pre_ticked": r.pre_ticked,
        "implied_consent": list(r.implied_consent),
        "ambiguous_only": r.ambiguous_only,
        "asymmetry": dict(asymmetry),
    }


class _Cut:
    """Applies the bounds and counts what they left out."""

    def __init__(self) -> None:
        self.count = 0

    def items(self, v: Any) -> list[Any]:
        if not isinstance(v, list):
            return []
        if len(v) > MAX_ITEMS:
            self.count += len(v) - MAX_ITEMS
            return v[:MAX_ITEMS]
        return v

    def text(self, v: Any) -> str:
        if isinstance(v, str):
            s = v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            s = str(v)
        else:
            return ""
        if len(s) > MAX_TEXT:
            self.count += 1
            return s[:MAX_TEXT]
        return s


def _bool(v: Any) -> bool:
    return v is True or (isinstance(v, (int, float)) and not isinstance(v, bool) and v != 0) or v == "true"


def _box(v: Any) -> _BOX:
    if isinstance(v, (list, tuple)) and len(v) == 4 and all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        return (int(v[0]), int(v[1]), int(v[2]), int(v[3]))
    return (0, 0, 0, 0)
