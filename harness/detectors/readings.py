"""Tolerant reading of ``UiSnapshot.reading`` (the consent-UI recogniser's JSON summary).

The reading is text recorded from a screen of the app under test, so it is hostile input: it may
be missing, truncated, huge, deeply nested or shaped differently from what we expect (the
recogniser evolves). :func:`parse_reading` never raises; anything unreadable becomes an empty
:class:`Reading` with ``error`` set, and every list is capped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Control", "Checkbox", "Reading", "parse_reading", "MAX_READING_CHARS"]

MAX_READING_CHARS = 512_000
_MAX_ITEMS = 400
_MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Control:
    """A control on screen with its recognised role."""

    role: str
    text: str
    resource_id: str = ""
    is_button: bool = False
    clickable: bool = False


@dataclass(frozen=True, slots=True)
class Checkbox:
    """A checkbox; ``consent`` when the recogniser judged it a consent box."""

    text: str
    resource_id: str
    checked: bool
    consent: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """What the recogniser saw on one screen (tolerant subset of ScreenReading.to_dict())."""

    kind: str = ""
    permission_group: str = ""
    controls: tuple[Control, ...] = ()
    checkboxes: tuple[Checkbox, ...] = ()
    pre_ticked: bool = False
    implied_consent: tuple[str, ...] = ()
    ambiguous_only: bool | None = None
    asymmetry: Mapping[str, Any] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
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


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v[:_MAX_TEXT]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)[:_MAX_TEXT]
    return ""


def _bool(v: Any) -> bool:
    return v is True or (isinstance(v, (int, float)) and not isinstance(v, bool) and v != 0) or v == "true"


def _list(v: Any) -> list[Any]:
    return v[:_MAX_ITEMS] if isinstance(v, list) else []


def parse_reading(text: str) -> Reading:
    """Parse a reading's JSON text; an empty or unreadable one gives ``Reading(error=...)``."""
    if not text:
        return Reading()
    if len(text) > MAX_READING_CHARS:
        return Reading(error=f"reading larger than {MAX_READING_CHARS} characters, ignored")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return Reading(error=f"reading is not valid JSON: {str(exc)[:120]}")
    if not isinstance(data, dict):
        return Reading(error="reading is not a JSON object")
    controls = []
    for c in _list(data.get("controls")):
        if isinstance(c, dict):
            controls.append(
                Control(
                    role=_text(c.get("role")).strip().lower(),
                    text=_text(c.get("text")).strip(),
                    resource_id=_text(c.get("resource_id")),
                    is_button=_bool(c.get("is_button")),
                    clickable=_bool(c.get("clickable")),
                )
            )
    boxes = []
    for b in _list(data.get("checkboxes")):
        if isinstance(b, dict):
            boxes.append(
                Checkbox(
                    text=_text(b.get("text")).strip(),
                    resource_id=_text(b.get("resource_id")),
                    checked=_bool(b.get("checked")),
                    consent=_bool(b.get("consent")),
                )
            )
    amb = data.get("ambiguous_only")
    asym = data.get("asymmetry")
    asym_clean: dict[str, Any] = {}
    if isinstance(asym, dict):
        for k in ("accept_area", "decline_area", "area_ratio", "taps_to_refuse"):
            v = asym.get(k)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) < 1e12:
                asym_clean[k] = float(v)
        for k in ("decline_is_link", "accept_is_button"):
            if k in asym:
                asym_clean[k] = _bool(asym.get(k))
    return Reading(
        kind=_text(data.get("kind")),
        permission_group=_text(data.get("permission_group")).strip().upper(),
        controls=tuple(controls),
        checkboxes=tuple(boxes),
        pre_ticked=_bool(data.get("pre_ticked")),
        implied_consent=tuple(t for t in (_text(x).strip() for x in _list(data.get("implied_consent"))) if t),
        ambiguous_only=bool(amb) if isinstance(amb, bool) else None,
        asymmetry=asym_clean,
        reasons=tuple(t for t in (_text(x) for x in _list(data.get("reasons"))) if t),
    )
