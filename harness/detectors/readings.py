"""The recogniser's reading of a screen as detectors see it: ``UiSnapshot.reading``.

The reading is a typed value recorded in the event (:class:`harness.observations.ScreenObservation`,
bounded, with a count of what the bounds left out); older run folders hold it as JSON text, which
the event reads back through :meth:`ScreenObservation.from_json`. :func:`parse_reading` is that
tolerant reader: it never raises; anything unreadable becomes an empty reading with ``error`` set.
"""

from __future__ import annotations

from harness.observations import MAX_JSON_CHARS, ObservedCheckbox, ObservedControl, ScreenObservation

__all__ = ["Control", "Checkbox", "Reading", "parse_reading", "MAX_READING_CHARS"]

Reading = ScreenObservation
Control = ObservedControl
Checkbox = ObservedCheckbox
MAX_READING_CHARS = MAX_JSON_CHARS


def parse_reading(text: str) -> Reading:
    """Parse a reading's JSON text (the older form); an empty or unreadable one gives
    ``Reading(error=...)`` or an empty reading."""
    return ScreenObservation.from_json(text)
