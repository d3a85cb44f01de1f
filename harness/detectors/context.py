"""What a detector sees: one run, its phases, its vectorised API hits, and the rule catalogue.

Detectors build findings with :meth:`Context.finding`, which fills in the rule's title and
citations in the jurisdiction's wording, the thresholds the rule uses (with provenance), the
problem types, and the severity (by data category where the rule says so), and applies the
jurisdiction's verdict ceiling. A detector only decides the verdict, the message, the evidence
seqs, the data category and the attributed SDK.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from harness.catalog.permissions import GROUPS, groups_of
from harness.catalog.profiles import AppProfile
from harness.catalog.rules import Jurisdiction, RuleCatalog, ThresholdDef
from harness.detectors.core import HitRow, JudgeResult
from harness.detectors.phases import PROMPT_KINDS, Phases
from harness.detectors.readings import Reading
from harness.events import AppState, ConsentDecision, Event, PermissionRequest, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg, Term, render
from harness.rundir import RunInfo
from harness.timeline import Timeline

__all__ = ["Context", "PromptInstance", "who", "who_msg", "cat", "grp", "app_name", "profile_ref"]

E = TypeVar("E", bound=Event)


def who(sdk: str) -> str:
    """How a message names the caller."""
    if sdk == "app":
        return "the app's own code"
    if not sdk:
        return "unattributed code"
    return f"SDK {sdk}"


def who_msg(sdk: str) -> Msg:
    """How a catalogue message names the caller."""
    if sdk == "app":
        return Msg.of("who.app")
    if not sdk:
        return Msg.of("who.unattributed")
    return Msg.of("who.sdk", sdk=sdk)


def app_name(prof: AppProfile) -> Msg:
    """How a catalogue message names an app type (zh: its Chinese name; en: both, as before)."""
    return Msg.of("profile.name", zh=prof.name_zh, en=prof.name_en)


def profile_ref(prof: AppProfile) -> Msg:
    """'a <type> app (profile 'id')' in a catalogue message."""
    return Msg.of("profile.ref", name=app_name(prof), id=prof.id)


def cat(code: str) -> Term:
    """A data category as a glossary term."""
    return Term("category", code)


def grp(code: str) -> Term:
    """A permission group as a glossary term."""
    return Term("group", code)


@dataclass(frozen=True, slots=True)
class PromptInstance:
    """A consent prompt appearing on screen (consecutive snapshots of it count once)."""

    snapshot: UiSnapshot
    subject: str


@dataclass
class Context:
    """The read-only view of one run handed to every detector."""

    info: RunInfo
    events: Sequence[Event]
    jurisdiction: Jurisdiction
    profile: AppProfile | None
    catalog: RuleCatalog
    phases: Phases
    judge: JudgeResult
    run_index: int = 0
    timeline: Timeline | None = None
    detector_name: str = ""
    #: the run folder, when the run is judged from it (artifacts beside the timeline, such as
    #: request bodies under network/bodies/); None when judged from a store
    run_dir: Path | None = None
    #: derived per-run results several detectors share (computed once: e.g. the network matches
    #: read by R34 and R37), keyed by the deriving function's name
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- events -----------------------------------------------------------------------------
    def of(self, *types: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, types)]

    @cached_property
    def _seqs(self) -> list[int]:
        return [e.seq for e in self.events]

    def event(self, seq: int) -> Event | None:
        i = bisect.bisect_left(self._seqs, seq)
        if i < len(self._seqs) and self._seqs[i] == seq:
            return self.events[i]
        return None

    def between(self, seq0: int, seq1: int) -> list[Event]:
        """Control events with seq0 < seq < seq1."""
        i = bisect.bisect_right(self._seqs, seq0)
        j = bisect.bisect_left(self._seqs, seq1)
        return list(self.events[i:j])

    def hits(self, rule_id: str) -> list[HitRow]:
        """This run's vectorised hits of an API rule (re-raises the rule's error, if any)."""
        return self.judge.rows(rule_id, self.run_index)

    def reading(self, snap: UiSnapshot) -> Reading:
        """The recogniser's typed reading recorded with the snapshot."""
        return snap.reading

    def is_launcher(self, package: str) -> bool:
        return package in self.catalog.lexicon("launcher_packages")

    @cached_property
    def requests(self) -> list[PermissionRequest]:
        """Permission requests from hooks when the run has any (they see requests Android no
        longer shows), otherwise the dialogs the runner saw."""
        reqs = self.of(PermissionRequest)
        hooked = [r for r in reqs if r.via == "hook"]
        return hooked if hooked else [r for r in reqs if r.via != "hook"]

    def request_groups(self, req: PermissionRequest) -> tuple[str, ...]:
        """Data-bearing permission groups of a request: its known groups, else the groups of its
        permissions (names the platform does not know are ignored)."""
        known = set(GROUPS)
        groups = tuple(g for g in (x.strip().upper() for x in req.groups) if g in known) or groups_of(req.permissions)
        skip = set(self.catalog.non_pi_groups)
        return tuple(dict.fromkeys(g for g in groups if g not in skip))

    @cached_property
    def prompt_instances(self) -> list[PromptInstance]:
        """Each time a consent prompt (privacy or CMP) comes on screen. Consecutive snapshots of
        the same prompt, and a return to it from its own second-confirmation screen, count once;
        a decision, another screen or a process change ends an instance."""
        kinds = {k: subj for subj, ks in PROMPT_KINDS.items() for k in ks}
        out: list[PromptInstance] = []
        showing = ""
        for ev in self.events:
            if isinstance(ev, UiSnapshot):
                subj = kinds.get(ev.screen_kind)
                if subj is not None:
                    if showing != ev.screen_kind:
                        out.append(PromptInstance(ev, subj))
                    showing = ev.screen_kind
                elif ev.screen_kind != "second_confirm":
                    showing = ""
            elif (isinstance(ev, ConsentDecision) and ev.subject in PROMPT_KINDS) or isinstance(ev, AppState):
                showing = ""
        return out

    # -- catalogue --------------------------------------------------------------------------
    def threshold(self, rule_id: str, name: str) -> ThresholdDef:
        return self.catalog.threshold(rule_id, name, self.jurisdiction.id)

    def num(self, rule_id: str, name: str) -> float:
        v = self.threshold(rule_id, name).value
        return float(v) if not isinstance(v, str) else float("nan")

    def hit_finding(self, rule_id: str, row: HitRow, *, verdict: str, message: str | Msg, **extra: Any) -> Finding:
        """``finding`` for one row of the vectorised core: its evidence, first time, category
        and SDK come from the row."""
        extra.setdefault("evidence", row.evidence)
        return self.finding(rule_id, verdict=verdict, message=message, t=row.t_first, category=row.category, sdk=row.sdk, **extra)

    def finding(
        self,
        rule_id: str,
        *,
        verdict: str,
        message: str | Msg,
        evidence: Iterable[int],
        t: float | None = None,
        category: str = "",
        sdk: str = "",
        severity: str | None = None,
        thresholds: Sequence[str] | None = None,
        subject: str = "",
    ) -> Finding:
        """A finding of ``rule_id`` with the catalogue's wording, citations and thresholds
        (``thresholds``: names of the thresholds this finding used; default: all of the rule's).
        ``message`` is a catalogue :class:`Msg` (reports render it in their language; its English
        text is the finding's ``message``) or plain text (printed as it is in every language)."""
        msg = message if isinstance(message, Msg) else None
        text = render(msg, "en") if msg is not None else str(message)
        if msg is not None and not text:
            raise KeyError(f"message {msg.key!r} is not in the message catalogue")
        cat = self.catalog
        jid = self.jurisdiction.id
        parts = cat.finding_parts(rule_id, jid, None if thresholds is None else tuple(thresholds), category)
        verdict = cat.cap_verdict(rule_id, jid, verdict)
        sev = "info" if verdict == "info" else (severity or parts.severity)
        ev = tuple(dict.fromkeys(evidence))
        if t is None:
            first = self.event(min(ev)) if ev else None
            t = first.t if first is not None else 0.0
        return Finding(
            rule_id=rule_id,
            title=parts.title,
            severity=sev,
            verdict=verdict,
            message=text,
            evidence=ev,
            problem_types=parts.problem_types,
            citations=parts.citations,
            thresholds=parts.thresholds,
            sdk=sdk,
            category=category,
            t=float(t),
            detector=self.detector_name,
            subject=subject,
            msg=msg,
        )
