"""What the consent-UI recogniser reads from one screen: frozen, JSON-ready values.

:class:`ScreenReading` is the contract other parts of the harness code against: the scenario
steps pick controls with :meth:`ScreenReading.control`; the runner stores
:meth:`ScreenReading.to_dict` in each ``UiSnapshot`` event as a bounded
:class:`harness.observations.ScreenObservation`, which the detectors read back.
:class:`Control` and :class:`Checkbox` are the observation's control and checkbox
(:class:`~harness.observations.ObservedControl`, :class:`~harness.observations.ObservedCheckbox`:
one shape, one JSON form) plus what only the live reading needs (a control's score and why, a
box's class and enabled state). :meth:`ScreenReading.from_dict` rebuilds a reading from its
JSON form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.observations import ObservedCheckbox, ObservedControl, reading_to_dict

__all__ = [
    "KINDS",
    "CONSENT_KINDS",
    "ROLES",
    "DECLINE_ORDER",
    "Control",
    "Checkbox",
    "Asymmetry",
    "ScreenReading",
    "ReadContext",
    "AFTER_VALUES",
]

#: Screen kinds.  ``permission_rationale`` is an app's own pre-prompt or "go to settings" prompt;
#: ``login_gate`` a screen that asks to log in (often with agreement text); ``other`` anything else.
KINDS: tuple[str, ...] = (
    "permission_dialog",
    "privacy_dialog",
    "cmp_dialog",
    "second_confirm",
    "permission_rationale",
    "login_gate",
    "other",
)

#: Kinds on which a consent decision is taken (the others are reported, never "declined").
CONSENT_KINDS: frozenset[str] = frozenset({"permission_dialog", "privacy_dialog", "cmp_dialog", "second_confirm"})

#: Roles of actionable controls.  ``confirm_decline`` persists a refusal on a second-confirm
#: prompt (仍不同意, "Still decline"); ``reconsider`` goes back to the policy (再想想, "Go back").
ROLES: tuple[str, ...] = (
    "accept",
    "decline",
    "decline_exit",
    "browse_only",
    "manage_options",
    "allow_always",
    "allow_foreground",
    "allow_once",
    "deny",
    "deny_dont_ask",
    "close",
    "policy_link",
    "confirm_decline",
    "reconsider",
    "other",
)

#: Per kind, the roles that refuse, best first (what :meth:`ScreenReading.decline_control` picks).
DECLINE_ORDER: Mapping[str, tuple[str, ...]] = {
    "permission_dialog": ("deny", "deny_dont_ask"),
    "privacy_dialog": ("decline", "decline_exit", "browse_only", "close"),
    "cmp_dialog": ("decline",),
    "second_confirm": ("confirm_decline", "decline_exit", "decline", "browse_only"),
    # a rationale whose only way out is leaving the app: the exit is the refusal (a block, not an escape)
    "permission_rationale": ("decline", "close", "decline_exit"),
    "login_gate": ("browse_only", "close"),
    "other": (),
}

#: What the runner may say came just before a screen (:attr:`ReadContext.after`).
AFTER_VALUES: tuple[str, ...] = ("", "decline")


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What the harness knows about the moment a screen was read, beyond the dump itself.

    ``after`` is ``"decline"`` when the last input the runner sent refused a consent prompt (a
    privacy-policy decline, a second-confirm refusal) and nothing else was sent since; ``""``
    otherwise.  A consent prompt that appears right after a refusal is the app's answer to that
    refusal -- a second confirm -- however much it looks like the first prompt (same layout, same
    words, or just "please agree to all terms" with one OK).  The recogniser stays a pure
    function: the same dump with the same context always reads the same.
    """

    after: str = ""

    def __post_init__(self) -> None:
        if self.after not in AFTER_VALUES:
            raise ValueError(f"ReadContext.after must be one of {AFTER_VALUES}, not {self.after!r}")

    @property
    def after_decline(self) -> bool:
        return self.after == "decline"


_ACCEPT_ORDER: tuple[str, ...] = ("accept", "allow_always", "allow_foreground", "allow_once")


@dataclass(frozen=True, slots=True)
class Control(ObservedControl):
    """One actionable control and the role it plays on this screen (an
    :class:`~harness.observations.ObservedControl`, clickable unless said otherwise).

    ``bounds`` is (x1, y1, x2, y2) in screen pixels; ``checked`` is None unless the control is
    checkable (e.g. the old "Don't ask again" box); ``is_button`` says whether it looks like a
    button (class or id) rather than a text link; ``score`` orders controls of the same role
    (higher is the better pick) and ``why`` says what decided the role.
    """

    clickable: bool = True
    checked: bool | None = None
    score: float = 0.0
    why: str = ""

    @property
    def center(self) -> tuple[int, int]:
        """Where to tap: the middle of the bounds."""
        x1, y1, x2, y2 = self.bounds
        return ((x1 + x2) // 2, (y1 + y2) // 2)

    @property
    def area(self) -> int:
        x1, y1, x2, y2 = self.bounds
        return max(0, x2 - x1) * max(0, y2 - y1)

    def to_dict(self) -> dict[str, Any]:
        """The observation's form plus ``checked``."""
        return {**ObservedControl.to_dict(self), "checked": self.checked}


@dataclass(frozen=True, slots=True)
class Checkbox(ObservedCheckbox):
    """A checkbox, switch or toggle (an :class:`~harness.observations.ObservedCheckbox`, the same
    JSON form).  ``consent`` says whether ticking it gives consent (an agreement box, a purpose or
    vendor toggle on a CMP), as opposed to an ordinary setting."""

    cls: str = ""
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Asymmetry:
    """Choice asymmetry between the accept and the decline control (heuristic figures).

    ``area_ratio`` = accept area / decline area (None if either is missing);
    ``decline_is_link`` = the decline looks like a text link while accept is a button (or is far
    larger); ``taps_to_refuse`` = taps needed to refuse from this screen, None when not knowable
    from one screen (refusal hidden behind "manage options", or no way to refuse at all).
    """

    accept_area: int = 0
    decline_area: int = 0
    area_ratio: float | None = None
    decline_is_link: bool = False
    accept_is_button: bool = False
    taps_to_refuse: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "accept_area": self.accept_area,
            "decline_area": self.decline_area,
            "area_ratio": self.area_ratio,
            "decline_is_link": self.decline_is_link,
            "accept_is_button": self.accept_is_button,
            "taps_to_refuse": self.taps_to_refuse,
        }


@dataclass(frozen=True, slots=True)
class ScreenReading:
    """The recogniser's reading of one screen.  See the package docstring for each field."""

    kind: str = "other"
    confidence: float = 0.0
    reasons: tuple[str, ...] = ()
    permission_group: str = ""
    package: str = ""
    language: str = ""
    controls: tuple[Control, ...] = ()
    checkboxes: tuple[Checkbox, ...] = ()
    pre_ticked: bool = False
    implied_consent: tuple[str, ...] = ()
    ambiguous_only: bool = False
    asymmetry: Asymmetry = field(default_factory=Asymmetry)

    def control(self, role: str) -> Control | None:
        """The best control with ``role`` (highest score; on a tie the first in screen order)."""
        best: Control | None = None
        for c in self.controls:
            if c.role == role and (best is None or c.score > best.score):
                best = c
        return best

    def controls_with(self, role: str) -> tuple[Control, ...]:
        """Every control with ``role``, in screen order."""
        return tuple(c for c in self.controls if c.role == role)

    def decline_control(self) -> Control | None:
        """The control a scenario taps to refuse on this screen, by :data:`DECLINE_ORDER`."""
        for role in DECLINE_ORDER.get(self.kind, ()):
            c = self.control(role)
            if c is not None:
                return c
        return None

    def accept_control(self) -> Control | None:
        """The control that grants consent (accept, or the broadest allow on a permission dialog)."""
        for role in _ACCEPT_ORDER:
            c = self.control(role)
            if c is not None:
                return c
        return None

    @property
    def is_consent_screen(self) -> bool:
        """True for the kinds on which a consent decision is taken."""
        return self.kind in CONSENT_KINDS

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the schema others store in the timeline; one shape with the recorded
        observation: :func:`harness.observations.reading_to_dict`)."""
        return reading_to_dict(self, self.asymmetry.to_dict())

    def to_json(self, *, pretty: bool = False) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 characters kept readable)."""
        if pretty:
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ScreenReading:
        """Rebuild a reading from :meth:`to_dict` output (e.g. read back from a timeline).

        Unknown kinds and roles become ``other``; missing fields take their defaults, so old
        timelines stay readable.  Raises ValueError if ``d`` is not a mapping of the right shape.
        """
        if not isinstance(d, Mapping):
            raise ValueError("a screen reading must be a mapping")

        def box(v: Any) -> tuple[int, int, int, int]:
            if isinstance(v, (list, tuple)) and len(v) == 4:
                try:
                    return (int(v[0]), int(v[1]), int(v[2]), int(v[3]))
                except (TypeError, ValueError):
                    pass
            return (0, 0, 0, 0)

        def opt_bool(v: Any) -> bool | None:
            return None if v is None else bool(v)

        controls = tuple(
            Control(
                role=str(c.get("role", "other")) if str(c.get("role", "other")) in ROLES else "other",
                text=str(c.get("text", "")),
                resource_id=str(c.get("resource_id", "")),
                cls=str(c.get("class", "")),
                bounds=box(c.get("bounds")),
                clickable=bool(c.get("clickable", True)),
                checked=opt_bool(c.get("checked")),
                is_button=bool(c.get("is_button", False)),
                score=float(len(d.get("controls") or []) - i),
            )
            for i, c in enumerate(d.get("controls") or [])
            if isinstance(c, Mapping)
        )
        checkboxes = tuple(
            Checkbox(
                text=str(b.get("text", "")),
                resource_id=str(b.get("resource_id", "")),
                checked=bool(b.get("checked", False)),
                bounds=box(b.get("bounds")),
                consent=bool(b.get("consent", False)),
            )
            for b in d.get("checkboxes") or []
            if isinstance(b, Mapping)
        )
        a = d.get("asymmetry") or {}
        if not isinstance(a, Mapping):
            a = {}
        ratio = a.get("area_ratio")
        taps = a.get("taps_to_refuse")
        asym = Asymmetry(
            accept_area=int(a.get("accept_area", 0) or 0),
            decline_area=int(a.get("decline_area", 0) or 0),
            area_ratio=None if ratio is None else float(ratio),
            decline_is_link=bool(a.get("decline_is_link", False)),
            accept_is_button=bool(a.get("accept_is_button", False)),
            taps_to_refuse=None if taps is None else int(taps),
        )
        kind = str(d.get("kind", "other"))
        return cls(
            kind=kind if kind in KINDS else "other",
            confidence=float(d.get("confidence", 0.0) or 0.0),
            reasons=tuple(str(r) for r in d.get("reasons") or []),
            permission_group=str(d.get("permission_group", "") or ""),
            package=str(d.get("package", "") or ""),
            language=str(d.get("language", "") or ""),
            controls=controls,
            checkboxes=checkboxes,
            pre_ticked=bool(d.get("pre_ticked", False)),
            implied_consent=tuple(str(t) for t in d.get("implied_consent") or []),
            ambiguous_only=bool(d.get("ambiguous_only", False)),
            asymmetry=asym,
        )
