"""Consent rules driven by API calls and decisions: R09, R10, R11, R14, R15."""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, cat, grp, who_msg
from harness.detectors.core import HitRow
from harness.detectors.network import sent_after, with_sent
from harness.detectors.registry import detector
from harness.events import AppState, ConsentDecision, PermissionResult, UiAction, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg

__all__ = [
    "collection_before_consent",
    "collection_after_decline",
    "permission_bypass",
    "dismissal_as_consent",
    "permission_state_changed",
]


def _times(row: HitRow) -> Msg:
    api = row.api or Msg.of("api.unnamed")
    if row.calls == row.n:
        return Msg.of("calls.first", calls=row.calls, t=row.t_first, api=api)
    return Msg.of("calls.first_events", calls=row.calls, n=row.n, t=row.t_first, api=api)


@detector("R09", "collection_before_consent")
def collection_before_consent(ctx: Context) -> Iterator[Finding]:
    """Personal data read before the policy was accepted (before a prompt, while it is shown,
    or after it was dismissed without a choice). Calls within the trigger window after a tap
    on a matching feature are allowed."""
    tp = ctx.phases.t_prompt
    for row in ctx.hits("R09"):
        when = Msg.of("when.before_prompt" if tp is None or row.t_first < tp else "when.before_accept")
        sent = sent_after(ctx, row.evidence)
        yield ctx.hit_finding(
            "R09",
            row,
            verdict="violation",
            message=with_sent(Msg.of("R09.read_before", category=cat(row.category), who=who_msg(row.sdk), when=when, times=_times(row)), sent),
            evidence=(*row.evidence, *(s.flow.seq for s in sent)),
        )


@detector("R10", "collection_after_decline")
def collection_after_decline(ctx: Context) -> Iterator[Finding]:
    """Personal data read after the user declined the policy, unless just asked for by a tap."""
    td = ctx.phases.t_decline
    # the refusal was made in a consent-management banner (the run asked through one only)
    in_cmp = ctx.phases.subject == "cmp"
    for row in ctx.hits("R10"):
        sent = sent_after(ctx, row.evidence)
        yield ctx.hit_finding(
            "R10",
            row,
            verdict="violation",
            message=with_sent(
                Msg.of("R10.read_after_cmp_refusal" if in_cmp else "R10.read_after_decline", category=cat(row.category), who=who_msg(row.sdk), times=_times(row))
                if td is None
                else Msg.of("R10.read_after_cmp_refusal_at" if in_cmp else "R10.read_after_decline_at", category=cat(row.category), who=who_msg(row.sdk), td=td, times=_times(row)),
                sent,
            ),
            evidence=(*row.evidence, *(s.flow.seq for s in sent)),
        )


@detector("R11", "permission_bypass")
def permission_bypass(ctx: Context) -> Iterator[Finding]:
    """After a permission group is denied, the same kind of data read by another route."""
    for row in ctx.hits("R11"):
        groups = [
            g
            for g, cats in ctx.catalog.bypass.items()
            if row.category in cats and ctx.phases.denied_at(g, row.t_first) is not None
        ]
        denials = [d.seq for g in groups if (d := ctx.phases.denied_at(g, row.t_first)) is not None]
        yield ctx.finding(
            "R11",
            verdict="needs-review",
            message=Msg.of(
                "R11.bypass",
                category=cat(row.category),
                who=who_msg(row.sdk),
                groups=tuple(grp(g) for g in groups) or Msg.of("R11.related_permission"),
                times=_times(row),
            ),
            evidence=[*denials, *row.evidence],
            t=row.t_first,
            category=row.category,
            sdk=row.sdk,
        )


@detector("R14", "dismissal_as_consent")
def dismissal_as_consent(ctx: Context) -> Iterator[Finding]:
    """Dismissal (Back, outside tap, timeout) or an auto-vanishing prompt treated as consent."""
    subject = ctx.phases.subject
    dismissals = [d for d in ctx.of(ConsentDecision) if d.subject == subject and d.choice == "dismiss"]
    first_dismiss = dismissals[0].seq if dismissals else None
    # (a) personal data read after a dismissal, before any new prompt or choice
    for row in ctx.hits("R14"):
        before = [d.seq for d in dismissals if d.t <= row.t_first]
        yield ctx.finding(
            "R14",
            verdict="violation",
            message=Msg.of("R14.read_after_dismiss", category=cat(row.category), who=who_msg(row.sdk), times=_times(row)),
            evidence=[*(before[-1:] if before else ([first_dismiss] if first_dismiss is not None else [])), *row.evidence],
            t=row.t_first,
            category=row.category,
            sdk=row.sdk,
            thresholds=("trigger_window_s",),
        )
    # (b) the next cold start goes on without asking again
    decisions = [d for d in ctx.of(ConsentDecision) if d.subject == subject]
    snaps = ctx.of(UiSnapshot)
    for d in dismissals:
        nxt = [m for m in ctx.phases.sessions if m.t > d.t]
        if not nxt:
            continue
        s0 = nxt[0]
        s1 = nxt[1].t if len(nxt) > 1 else float("inf")
        if any(d2.seq > d.seq and d2.t < s0.t and d2.choice in ("accept", "decline") for d2 in decisions):
            continue
        seen = [s for s in snaps if s0.t <= s.t < s1 and s.seq > s0.seq and not ctx.is_launcher(s.package)]
        if not seen:
            continue  # nothing was observed in that session: cannot judge
        asked = any(p.subject == subject and s0.t <= p.snapshot.t < s1 for p in ctx.prompt_instances) or any(
            s0.t <= d2.t < s1 for d2 in decisions
        )
        if not asked:
            yield ctx.finding(
                "R14",
                verdict="violation",
                message=Msg.of("R14.next_launch", td=d.t, ts=s0.t),
                evidence=[d.seq, s0.seq],
                thresholds=(),
            )
            break
    # (c) a prompt that vanished without any input (countdown / auto-dismiss)
    for inst in ctx.prompt_instances:
        p = inst.snapshot
        nxt_snap = next((s for s in ctx.of(UiSnapshot) if s.seq > p.seq), None)
        if nxt_snap is None or nxt_snap.screen_kind in ("privacy_dialog", "cmp_dialog", "second_confirm"):
            continue
        if nxt_snap.hierarchy_hash and nxt_snap.hierarchy_hash == p.hierarchy_hash:
            continue
        if ctx.is_launcher(nxt_snap.package) or (nxt_snap.package and nxt_snap.package != ctx.info.package):
            continue
        between = ctx.between(p.seq, nxt_snap.seq)
        if any(
            (isinstance(e, UiAction) and e.action not in ("wait",))
            or isinstance(e, (ConsentDecision, AppState))
            for e in between
        ):
            continue
        yield ctx.finding(
            "R14",
            verdict="violation",
            message=Msg.of("R14.auto_dismissed", tp=p.t, tn=nxt_snap.t),
            evidence=[p.seq, nxt_snap.seq],
            thresholds=(),
        )


@detector("R15", "permission_state_changed")
def permission_state_changed(ctx: Context) -> Iterator[Finding]:
    """A denied permission group later reported granted with no grant the harness saw."""
    grant_roles = ctx.catalog.role_set("grant")
    last: dict[str, PermissionResult] = {}
    for res in ctx.of(PermissionResult):
        group = res.group.strip().upper()
        prev = last.get(group)
        last[group] = res
        if prev is None or prev.state not in ("denied", "denied_forever"):
            continue
        if res.state not in ("granted", "granted_foreground", "granted_once"):
            continue
        between = ctx.between(prev.seq, res.seq)
        user_granted = any(
            (isinstance(e, ConsentDecision) and e.subject == f"permission:{group}" and e.choice == "accept")
            or (isinstance(e, UiAction) and e.role in grant_roles)
            or (isinstance(e, UiSnapshot) and e.screen_kind == "permission_dialog")
            for e in between
        )
        if user_granted:
            continue
        yield ctx.finding(
            "R15",
            verdict="violation",
            message=Msg.of("R15.state_changed", group=grp(group), t0=prev.t, state=res.state, t1=res.t),
            evidence=[prev.seq, res.seq],
            category=group,
        )
