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

The consent phase of the run over time is computed here ONCE, as :class:`ConsentPhases` (see
:func:`consent_phases`): the vectorised API core judges every API call by it, ``analyze`` stores
it in ``analysis.json`` (``consent_phases``), and the reports read it back from there, so the
phase a report shows for a call is the phase the detectors used. Times are compared in whole
microseconds (:func:`time_us`); at equal microseconds the later event (higher seq) wins; a call
at the very moment of a change is already in the new phase.

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
from functools import cached_property

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
    "PHASE_LABELS",
    "MAX_T_US",
    "time_us",
    "ConsentPhases",
    "consent_phases",
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
#: How reports name each consent phase.
PHASE_LABELS: Mapping[str, str] = {
    "pre_prompt": "before any prompt",
    "prompt": "prompt visible",
    "dismissed": "prompt dismissed",
    "declined": "after decline",
    "accepted": "after accept",
}
#: Run times are compared in whole microseconds, below this bound (about 6.4 days).
MAX_T_US = 1 << 39
#: Most phase changes kept in ``analysis.json`` (a run that flips more often is cut, and says so).
MAX_STORED_CHANGES = 10_000
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


def time_us(t: float) -> int:
    """A run time as whole microseconds in [0, MAX_T_US): the unit every phase look-up uses."""
    if not math.isfinite(t):
        return MAX_T_US - 1 if t > 0 else 0
    return min(max(round(t * 1e6), 0), MAX_T_US - 1)


@dataclass(frozen=True, slots=True)
class ConsentPhases:
    """The run's consent phase over time, as the detectors judge it (see the module docstring).

    ``changes`` are (time in microseconds, seq of the event that changed it, phase code), strictly
    increasing in time; before the first change the run is in ``pre_prompt``. ``omitted`` counts
    changes not kept (only when read back from a cut ``analysis.json``)."""

    subject: str = "privacy_policy"
    changes: tuple[tuple[int, int, int], ...] = ()
    t_end: float = 0.0
    omitted: int = 0

    def code_at(self, t: float) -> int:
        i = bisect.bisect_right(self.changes, (time_us(t), math.inf)) - 1
        return self.changes[i][2] if i >= 0 else PRE_PROMPT

    def phase_at(self, t: float) -> str:
        """The phase name at run time ``t``."""
        return PHASE_NAMES[self.code_at(t)]

    def spans(self, t0: float = 0.0) -> list[tuple[str, float, float]]:
        """(phase, start, end) stretches from ``t0`` to ``t_end``, in seconds."""
        out: list[tuple[str, float, float]] = []
        cur, since = PRE_PROMPT, t0
        for us, _, code in self.changes:
            t = us / 1e6
            if t > since:
                out.append((PHASE_NAMES[cur], since, t))
            cur, since = code, max(since, t)
        out.append((PHASE_NAMES[cur], since, max(since, self.t_end)))
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON form stored in ``analysis.json`` under ``consent_phases``."""
        kept = self.changes[:MAX_STORED_CHANGES]
        return {
            "subject": self.subject,
            "rule": "phase at t = the last change at or before t, in whole microseconds",
            "changes": [{"t": us / 1e6, "seq": seq, "phase": PHASE_NAMES[code]} for us, seq, code in kept],
            "t_end": self.t_end,
            "omitted": self.omitted + len(self.changes) - len(kept),
        }

    @classmethod
    def from_dict(cls, d: object) -> ConsentPhases:
        """Read :meth:`to_dict` output back (from a file: hostile). Raises ValueError when it
        is not of that shape."""
        if not isinstance(d, Mapping):
            raise ValueError("consent_phases is not an object")
        raw = d.get("changes")
        if not isinstance(raw, list):
            raise ValueError("consent_phases.changes is not a list")
        codes = {n: i for i, n in enumerate(PHASE_NAMES)}
        changes: list[tuple[int, int, int]] = []
        for c in raw[:MAX_STORED_CHANGES]:
            if not isinstance(c, Mapping) or c.get("phase") not in codes:
                raise ValueError("consent_phases.changes holds an unknown phase")
            t, seq = c.get("t"), c.get("seq", -1)
            if not isinstance(t, (int, float)) or isinstance(t, bool) or not isinstance(seq, int) or isinstance(seq, bool):
                raise ValueError("consent_phases.changes holds a bad time or seq")
            us = time_us(float(t))
            if changes and us <= changes[-1][0]:
                raise ValueError("consent_phases.changes are not in time order")
            changes.append((us, seq, codes[str(c["phase"])]))
        t_end = d.get("t_end", 0.0)
        omitted = d.get("omitted", 0)
        subject = d.get("subject", "privacy_policy")
        return cls(
            subject=subject if isinstance(subject, str) else "privacy_policy",
            changes=tuple(changes),
            t_end=float(t_end) if isinstance(t_end, (int, float)) and not isinstance(t_end, bool) and math.isfinite(t_end) else 0.0,
            omitted=(omitted if isinstance(omitted, int) and not isinstance(omitted, bool) and omitted > 0 else 0) + max(0, len(raw) - MAX_STORED_CHANGES),
        )


def consent_phases(ph: Phases) -> ConsentPhases:
    """The consent phase changes of :class:`Phases`, with the look-up rule of the module
    docstring: changes at the same microsecond collapse into the last one (by seq)."""
    changes: list[tuple[int, int, int]] = []
    for m in ph.consent:
        us = time_us(m.t)
        if changes and changes[-1][0] == us:
            changes[-1] = (us, m.seq, int(m.value))
        else:
            changes.append((us, m.seq, int(m.value)))
    return ConsentPhases(ph.subject, tuple(changes), ph.t_end)


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
    _session_t: tuple[float, ...] = field(default=(), repr=False)
    _vis_t: tuple[float, ...] = field(default=(), repr=False)

    @cached_property
    def consent_phases(self) -> ConsentPhases:
        """The consent phase over time: the one look-up every detector and report uses."""
        return consent_phases(self)

    # -- point look-ups (small Python paths; the vectorised core reads the same tables) ------
    def phase_at(self, t: float) -> int:
        return self.consent_phases.code_at(t)

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


#: Screens whose texts are no app rationale: consent prompts summarise the whole policy, the
#: system permission dialog is the platform's question.
_NOT_IN_CONTEXT = frozenset({"privacy_dialog", "cmp_dialog", "second_confirm", "permission_dialog"})


def _stated_intents(snap: UiSnapshot, catalog: RuleCatalog) -> list[str]:
    """Feature intents whose permission group a text of ``snap`` names together with a stated
    purpose (policy_terms.yaml ``permission_purpose``: the group's data words and a purpose
    marker in the same text)."""
    from harness.detectors.purpose import load_purpose_terms, match_purpose

    terms = load_purpose_terms()
    out: list[str] = []
    texts = [x for x in snap.texts[:200] if 8 <= len(x)]
    if not texts:
        return out
    for group in terms.groups:
        if group in _NON_FEATURE_GROUPS:
            continue
        if not any(match_purpose([x], group, terms).verdict == "" for x in texts):
            continue
        for name, (_cats, groups) in catalog.user_intents.items():
            if group in groups and name not in out:
                out.append(name)
                break
    return out


_NON_FEATURE_GROUPS = frozenset({"NOTIFICATIONS"})

#: Label classes of the consent-UI lexicon that refuse, postpone, leave, or open settings or a
#: document: a tap on them starts no feature.
_NOT_GOING_AHEAD = frozenset({
    "deny_dont_ask", "dont_ask", "neg_all", "no_consent", "still_neg", "neg_exit", "logout", "browse", "neg", "deny",
    "think", "back", "manage", "settings", "learn", "policy", "cancel", "later", "close",
})


def _goes_ahead(text: str) -> bool:
    """A control label that is not a refusal, a postponement, an exit or a settings link (by the
    consent-UI lexicon's label classes; an unknown label goes ahead)."""
    from harness.consent_ui.lexicon import lexicon, normalise_label

    label = normalise_label(text)
    if not label:
        return False
    m = lexicon().label_class(label)
    return m is None or m.cls not in _NOT_GOING_AHEAD


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

    shown: UiSnapshot | None = None  # the screen the next tap is made on
    for ev in evs:
        t = _finite(ev.t)
        t_end = max(t_end, t)
        if isinstance(ev, UiSnapshot):
            shown = ev
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
            worded = catalog.intent_from_text(ev.text) if act == "tap" and ev.role not in _CONSENT_ROLES else ""
            if not intent:
                intent = worded
            if intent:
                triggers.append(Mark(t, ev.seq, intent))
            if worded and worded != intent:
                # the control's own words name a feature too (a "录制视频" button recorded as a
                # camera tap also starts the microphone)
                triggers.append(Mark(t, ev.seq, worded))
            if (
                act == "tap" and not intent and ev.role not in _CONSENT_ROLES and shown is not None
                and shown.screen_kind not in _NOT_IN_CONTEXT and _goes_ahead(ev.text)
            ):
                # a tap that names no feature, made to go ahead on a screen that states in one
                # sentence what a permission's data is for (the in-context rationale rules.md
                # R07 asks for), is the user starting that feature, whatever words its button
                # uses ("Zählen starten" under "Damit wir Ihre Schritte zählen können, braucht
                # die App Zugriff auf Ihre körperliche Aktivität"). A control that names its own
                # feature keeps that feature (a scan button under a sentence about location
                # starts scanning, not location); "not now", "go to settings", "exit" go nowhere.
                for stated in _stated_intents(shown, catalog):
                    triggers.append(Mark(t, ev.seq, stated))
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
        _session_t=tuple(m.t for m in sessions),
        _vis_t=tuple(m.t for m in vis),
    )
