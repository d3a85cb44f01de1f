"""Consent phases, visibility, sessions, user triggers and permission denials of one run.

Detectors never keep state in events (house habit 2); they read this summary, built once per
run from the small "control" events (everything except ``ApiCall``) in timeline order.

Consent phase (from ConsentDecision and prompt snapshots, for the run's main consent subject:
``privacy_policy`` when the run shows or decides a privacy prompt, else ``cmp``):

==========  ====================================================================================
pre_prompt  before any consent prompt was seen
prompt      a prompt is (or was) visible and no choice was made yet
dismissed   the prompt was dismissed (Back, tap outside, timeout) without a choice; a new prompt
            brings the phase back to ``prompt``
declined    the user declined (also after a second confirmation); stays until an accept
accepted    the user accepted
==========  ====================================================================================

Visibility: foreground / background from AppState (foreground, background, exited, died,
crashed; a start caused by anything but an activity is a background start), UiAction home /
screen_off / launch / relaunch, and snapshots whose foreground package is a launcher.

Sessions: each process start (AppState ``started`` by an activity or with no cause) opens a
session; when the run records no AppState starts, UiAction launch / relaunch do.

Triggers: UiAction with ``user_intent`` (camera, location, paste, ...): the user started a
feature. A tap recorded without an intent counts when its text carries one of the catalogue's
``intent_words`` (拍照, 扫码, 定位, 粘贴, ...) and it is not a consent-dialog control. Permission denials: PermissionResult denied / denied_forever or a declining
ConsentDecision on ``permission:<GROUP>`` opens a denial of GROUP; a grant closes it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from harness.catalog.permissions import GROUPS
from harness.catalog.rules import RuleCatalog
from harness.consent_ui.model import ROLES
from harness.events import (
    ApiCall,
    AppState,
    ConsentDecision,
    Event,
    PermissionRequest,
    PermissionResult,
    UiAction,
    UiSnapshot,
)

__all__ = [
    "PHASE_NAMES",
    "PRE_PROMPT",
    "PROMPT",
    "DISMISSED",
    "DECLINED",
    "ACCEPTED",
    "VIS_FG",
    "VIS_BG",
    "NON_ACTIVITY_CAUSES",
    "PROMPT_KINDS",
    "Mark",
    "Denial",
    "Phases",
    "build_phases",
]

PHASE_NAMES = ("pre_prompt", "prompt", "dismissed", "declined", "accepted")
PRE_PROMPT, PROMPT, DISMISSED, DECLINED, ACCEPTED = range(5)
VIS_FG, VIS_BG = 0, 1
NON_ACTIVITY_CAUSES = frozenset({"service", "broadcast", "provider", "job", "alarm", "backup", "restart", "sync"})
PROMPT_KINDS: Mapping[str, frozenset[str]] = {
    "privacy_policy": frozenset({"privacy_dialog"}),
    "cmp": frozenset({"cmp_dialog"}),
}
_KNOWN_GROUPS = frozenset(GROUPS)
_DENIED = frozenset({"denied", "denied_forever"})
# taps on consent controls never start a feature, whatever their text says
# every control role of the consent-UI recogniser except "other"
_CONSENT_ROLES = frozenset(ROLES) - {"other"}
_GRANTED = frozenset({"granted", "granted_foreground", "granted_once"})


@dataclass(frozen=True, slots=True)
class Mark:
    """A point in the run: time, seq of the event, and a value (code or name)."""

    t: float
    seq: int
    value: int | str = 0


@dataclass(frozen=True, slots=True)
class Denial:
    """A stretch of time during which the user had denied a permission group."""

    group: str
    start: float
    end: float
    seq: int


def _finite(t: float) -> float:
    return t if math.isfinite(t) else 0.0


@dataclass(frozen=True)
class Phases:
    """The per-run summary detectors read (see the module docstring)."""

    subject: str
    package: str
    t_start: float
    t_prompt: float | None
    t_agree: float | None
    t_decline: float | None
    consent: tuple[Mark, ...]
    cmp_choices: tuple[Mark, ...]
    visibility: tuple[Mark, ...]
    sessions: tuple[Mark, ...]
    triggers: tuple[Mark, ...]
    taps: tuple[Mark, ...]
    launches: tuple[Mark, ...]
    denials: tuple[Denial, ...]
    denial_events: tuple[Mark, ...]
    t_end: float
    _consent_t: tuple[float, ...] = field(default=(), repr=False)
    _session_t: tuple[float, ...] = field(default=(), repr=False)
    _vis_t: tuple[float, ...] = field(default=(), repr=False)

    # -- point look-ups (small Python paths; the vectorised core has its own) ----------------
    def phase_at(self, t: float) -> int:
        i = bisect.bisect_right(self._consent_t, t) - 1
        return int(self.consent[i].value) if i >= 0 else PRE_PROMPT

    def phase_name_at(self, t: float) -> str:
        return PHASE_NAMES[self.phase_at(t)]

    def session_at(self, t: float) -> int:
        """0-based session index (0 before the first recorded start)."""
        return max(0, bisect.bisect_right(self._session_t, t) - 1)

    def visibility_at(self, t: float) -> tuple[int, float]:
        """(VIS_FG | VIS_BG, time of that change)."""
        i = bisect.bisect_right(self._vis_t, t) - 1
        if i < 0:
            return VIS_FG, 0.0
        m = self.visibility[i]
        return int(m.value), m.t

    def group_triggered(self, catalog: RuleCatalog, group: str, t: float, window: float) -> Mark | None:
        """The latest tap within ``window`` seconds before ``t`` that starts a feature needing
        permission group ``group`` (None if there is none)."""
        best: Mark | None = None
        for m in self.triggers:
            if m.t > t:
                break
            if t - m.t <= window and group in catalog.intent_groups(str(m.value)):
                best = m
        return best

    def tapped_between(self, t0: float, t1: float) -> bool:
        return any(t0 < m.t <= t1 for m in self.triggers)

    def denied_at(self, group: str, t: float) -> Denial | None:
        for d in self.denials:
            if d.group == group and d.start <= t < d.end:
                return d
        return None


def _main_subject(events: Sequence[Event]) -> str:
    has_cmp = False
    for ev in events:
        if isinstance(ev, ConsentDecision):
            if ev.subject == "privacy_policy":
                return "privacy_policy"
            if ev.subject == "cmp":
                has_cmp = True
        elif isinstance(ev, UiSnapshot):
            if ev.screen_kind == "privacy_dialog":
                return "privacy_policy"
            if ev.screen_kind == "cmp_dialog":
                has_cmp = True
    return "cmp" if has_cmp else "privacy_policy"


def build_phases(events: Iterable[Event], catalog: RuleCatalog, *, package: str = "") -> Phases:
    """Summarise one run's control events (ApiCall events are skipped)."""
    evs = [e for e in events if not isinstance(e, ApiCall)]
    evs.sort(key=lambda e: e.seq)
    subject = _main_subject(evs)
    prompt_kinds = PROMPT_KINDS[subject]
    launchers = frozenset(catalog.lexicon("launcher_packages"))

    state = PRE_PROMPT
    consent: list[Mark] = []
    cmp_choices: list[Mark] = []
    vis: list[Mark] = []
    vis_state = VIS_FG
    starts: list[Mark] = []
    launches: list[Mark] = []
    triggers: list[Mark] = []
    taps: list[Mark] = []
    denial_events: list[Mark] = []
    open_denials: dict[str, tuple[float, int]] = {}
    denials: list[Denial] = []
    t_prompt = t_agree = t_decline = None
    t_start: float | None = None
    t_end = 0.0

    def set_state(new: int, ev: Event) -> None:
        nonlocal state
        if new != state:
            state = new
            consent.append(Mark(_finite(ev.t), ev.seq, new))

    def set_vis(new: int, ev: Event) -> None:
        nonlocal vis_state
        if new != vis_state:
            vis_state = new
            vis.append(Mark(_finite(ev.t), ev.seq, new))

    def deny(group: str, ev: Event) -> None:
        if group not in _KNOWN_GROUPS:
            return  # only platform permission groups are tracked
        denial_events.append(Mark(_finite(ev.t), ev.seq, group))
        if group not in open_denials:
            open_denials[group] = (_finite(ev.t), ev.seq)

    def grant(group: str, ev: Event) -> None:
        if group in open_denials:
            t0, s0 = open_denials.pop(group)
            denials.append(Denial(group, t0, _finite(ev.t), s0))

    for ev in evs:
        t = _finite(ev.t)
        t_end = max(t_end, t)
        if isinstance(ev, UiSnapshot):
            if ev.screen_kind in prompt_kinds:
                if t_prompt is None:
                    t_prompt = t
                if state in (PRE_PROMPT, DISMISSED):
                    set_state(PROMPT, ev)
            if ev.package and ev.package in launchers:
                set_vis(VIS_BG, ev)
            elif ev.package and package and ev.package == package:
                set_vis(VIS_FG, ev)
        elif isinstance(ev, ConsentDecision):
            if ev.subject == subject:
                if ev.choice == "accept":
                    t_agree = t if t_agree is None else t_agree
                    set_state(ACCEPTED, ev)
                elif ev.choice == "decline":
                    t_decline = t if t_decline is None else t_decline
                    set_state(DECLINED, ev)
                elif ev.choice == "dismiss" and state in (PRE_PROMPT, PROMPT):
                    set_state(DISMISSED, ev)
            elif ev.subject == "cmp" and ev.choice in ("accept", "decline"):
                cmp_choices.append(Mark(t, ev.seq, 1 if ev.choice == "decline" else 0))
            if ev.subject.startswith("permission:"):
                group = ev.subject.split(":", 1)[1].strip().upper()
                if ev.choice == "decline":
                    deny(group, ev)
                elif ev.choice == "accept":
                    grant(group, ev)
        elif isinstance(ev, AppState):
            if ev.state == "started":
                cause = ev.cause.strip().lower()
                if cause in NON_ACTIVITY_CAUSES:
                    set_vis(VIS_BG, ev)
                else:
                    starts.append(Mark(t, ev.seq, cause or "activity"))
                    if t_start is None:
                        t_start = t
                    if cause == "activity":
                        set_vis(VIS_FG, ev)
            elif ev.state == "foreground":
                set_vis(VIS_FG, ev)
            elif ev.state in ("background", "exited", "died", "crashed"):
                set_vis(VIS_BG, ev)
        elif isinstance(ev, UiAction):
            act = ev.action
            if act in ("launch", "relaunch"):
                launches.append(Mark(t, ev.seq, act))
                if t_start is None:
                    t_start = t
                set_vis(VIS_FG, ev)
            elif act in ("home", "screen_off"):
                set_vis(VIS_BG, ev)
            elif act == "tap":
                taps.append(Mark(t, ev.seq, ev.role))
            intent = ev.user_intent.strip().lower()
            if not intent and act == "tap" and ev.role not in _CONSENT_ROLES:
                intent = catalog.intent_from_text(ev.text)
            if intent:
                triggers.append(Mark(t, ev.seq, intent))
        elif isinstance(ev, PermissionResult):
            group = ev.group.strip().upper()
            if ev.state in _DENIED:
                deny(group, ev)
            elif ev.state in _GRANTED:
                grant(group, ev)
        elif isinstance(ev, PermissionRequest):
            pass
    for group, (t0, s0) in open_denials.items():
        denials.append(Denial(group, t0, math.inf, s0))
    denials.sort(key=lambda d: (d.start, d.seq))
    # the clocks of different sources may interleave slightly: order every list by time
    for marks in (consent, cmp_choices, vis, starts, launches, triggers, taps, denial_events):
        marks.sort(key=lambda m: (m.t, m.seq))
    sessions = starts if starts else launches
    return Phases(
        subject=subject,
        package=package,
        t_start=t_start if t_start is not None else (_finite(evs[0].t) if evs else 0.0),
        t_prompt=t_prompt,
        t_agree=t_agree,
        t_decline=t_decline,
        consent=tuple(consent),
        cmp_choices=tuple(cmp_choices),
        visibility=tuple(vis),
        sessions=tuple(sessions),
        triggers=tuple(triggers),
        taps=tuple(taps),
        launches=tuple(launches),
        denials=tuple(denials),
        denial_events=tuple(denial_events),
        t_end=t_end,
        _consent_t=tuple(m.t for m in consent),
        _session_t=tuple(m.t for m in sessions),
        _vis_t=tuple(m.t for m in vis),
    )
