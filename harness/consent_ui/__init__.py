"""Consent-UI recogniser: what a screen is and which control does what, from a hierarchy dump.

``read_screen(xml, context=None)`` is a pure function (no device, no files) from a uiautomator dump or an Appium
UiAutomator2 page source to a :class:`ScreenReading`:

- ``kind``: one of :data:`KINDS` -- system permission dialog, privacy-policy dialog, CMP dialog,
  second confirm (the retention prompt after a decline), permission rationale (the app's own
  pre-prompt or "go to settings"), login gate, other;
- ``controls``: every actionable control with its role (:data:`ROLES`), text, id, class, bounds;
- ``checkboxes`` and ``pre_ticked``: agreement boxes and purpose toggles, and whether one is
  ticked before the user touched it;
- ``implied_consent``: texts such as 登录即同意 / "By continuing you agree";
- ``permission_group``: the group a system permission dialog asks for (catalog group names);
- ``asymmetry``: accept vs decline area, decline styled as a link, taps needed to refuse;
- ``ambiguous_only``: the only answer is 好的 / 我知道了 / OK / Got it and there is no decline;
- ``language``, ``package``, ``confidence`` and ``reasons`` (every signal that decided).

``context`` (:class:`ReadContext`) says what the runner did just before the screen appeared: a
consent prompt right after a refusal is read as a second confirm, whatever its words.

Input limits (see :mod:`harness.consent_ui.parse`): at most :data:`MAX_BYTES` (20 MiB); no DTD or
entities; at most 200 000 nodes and 512 levels.  Bad input raises
:class:`harness.errors.ScreenParseError`.  Words and patterns live in ``lexicon.yaml``.
"""

from __future__ import annotations

from harness.consent_ui.model import (
    CONSENT_KINDS,
    DECLINE_ORDER,
    KINDS,
    ROLES,
    Asymmetry,
    Checkbox,
    Control,
    ReadContext,
    ScreenReading,
)
from harness.consent_ui.parse import MAX_BYTES, MAX_DEPTH, MAX_NODES
from harness.consent_ui.reader import read_hierarchy, read_screen

__all__ = [
    "read_screen",
    "read_hierarchy",
    "ScreenReading",
    "ReadContext",
    "Control",
    "Checkbox",
    "Asymmetry",
    "KINDS",
    "CONSENT_KINDS",
    "ROLES",
    "DECLINE_ORDER",
    "MAX_BYTES",
    "MAX_NODES",
    "MAX_DEPTH",
]
