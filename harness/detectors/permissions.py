"""Runtime-permission rules: R19, R20, R21, R22, R25.

Requests are counted from the hooks when the run has hooked requests (Android 11+ stops
showing the dialog after two denials, but the app's calls still reach the hooks), otherwise
from the system dialogs the runner saw. A request is "triggered" for a group when the user
tapped a feature needing that group within the trigger window before it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from harness.detectors.context import Context, grp, profile_ref
from harness.detectors.phases import ACCEPTED
from harness.detectors.registry import detector
from harness.events import AppState, PermissionRequest, StepMarker, UiAction, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg, Term

__all__ = ["premature_request", "bundled_request", "denial_consequences", "rerequest_after_denial", "unrelated_permission"]

_USER_LEAVES = frozenset({"home", "back", "stop", "clear", "screen_off"})


def _untriggered(ctx: Context, req: PermissionRequest, window: float) -> list[str]:
    return [g for g in ctx.request_groups(req) if ctx.phases.group_triggered(ctx.catalog, g, req.t, window) is None]


@detector("R19", "premature_request")
def premature_request(ctx: Context) -> Iterator[Finding]:
    """A permission group requested with no tap on a matching feature just before."""
    window = ctx.num("R19", "trigger_window_s")
    per_group: dict[str, list[PermissionRequest]] = {}
    for req in ctx.requests:
        for g in _untriggered(ctx, req, window):
            per_group.setdefault(g, []).append(req)
    for g, reqs in per_group.items():
        first = reqs[0]
        when = Msg.of("R19.before_accept" if ctx.phases.phase_at(first.t) != ACCEPTED else "R19.no_feature_tap")
        yield ctx.finding(
            "R19",
            verdict="violation",
            message=Msg.of("R19.premature", group=grp(g), n=len(reqs), when=when, t=first.t, window=window),
            evidence=[r.seq for r in reqs],
            category=g,
            sdk=first.sdk,
        )


@detector("R20", "bundled_request")
def bundled_request(ctx: Context) -> Iterator[Finding]:
    """Several data-bearing groups asked at once (one call), or requests for different groups
    back to back within the trigger window with no tap in between."""
    window = ctx.num("R20", "trigger_window_s")
    single: list[PermissionRequest] = []
    groups_seen: set[str] = set()
    for req in ctx.requests:
        groups = ctx.request_groups(req)
        if len(groups) >= 2 and _untriggered(ctx, req, window):
            single.append(req)
            groups_seen.update(groups)
    if single:
        yield ctx.finding(
            "R20",
            verdict="violation",
            message=Msg.of("R20.at_once", n=len(single), groups=tuple(grp(g) for g in sorted(groups_seen))),
            evidence=[r.seq for r in single],
            category=",".join(sorted(groups_seen)),
            sdk=single[0].sdk,
        )
    chain: list[PermissionRequest] = []
    chains: list[list[PermissionRequest]] = []
    reqs = sorted(ctx.requests, key=lambda r: (r.t, r.seq))
    for prev, cur in zip(reqs, reqs[1:], strict=False):
        g_prev, g_cur = set(ctx.request_groups(prev)), set(ctx.request_groups(cur))
        if (
            g_prev
            and g_cur
            and g_cur - g_prev
            and cur.t - prev.t <= window
            and not ctx.phases.tapped_between(prev.t, cur.t)
            and _untriggered(ctx, cur, window)
        ):
            if not chain:
                chain = [prev]
            chain.append(cur)
        elif chain:
            chains.append(chain)
            chain = []
    if chain:
        chains.append(chain)
    if chains:
        chain_groups = sorted({g for c in chains for r in c for g in ctx.request_groups(r)})
        yield ctx.finding(
            "R20",
            verdict="violation",
            message=Msg.of("R20.chain", groups=tuple(grp(g) for g in chain_groups), window=window),
            evidence=[r.seq for c in chains for r in c],
            category=",".join(chain_groups),
            sdk=chains[0][0].sdk,
        )


@detector("R21", "denial_consequences")
def denial_consequences(ctx: Context) -> Iterator[Finding]:
    """After a denial: the app exits, loops on the request, or blocks use."""
    exit_w = ctx.num("R21", "exit_window_s")
    loop_w = ctx.num("R21", "loop_window_s")
    loop_n = int(ctx.num("R21", "loop_min_requests"))
    escape = (ctx.catalog.role_set("refuse") - ctx.catalog.role_set("exit")) | ctx.catalog.role_set("close")
    handled: dict[str, float] = {}
    reported: set[tuple[str, str]] = set()
    for mark in ctx.phases.denial_events:
        g = str(mark.value)
        if g in handled and mark.t - handled[g] < 1.0:
            continue
        handled[g] = mark.t
        after = [e for e in ctx.events if e.seq > mark.seq]
        # exit
        if (g, "exit") not in reported:
            for e in after:
                if e.t - mark.t > exit_w:
                    break
                if isinstance(e, UiAction) and e.action in _USER_LEAVES:
                    break
                left = (isinstance(e, AppState) and e.state in ("died", "exited", "crashed", "background")) or (
                    isinstance(e, UiSnapshot) and ctx.is_launcher(e.package)
                )
                if left:
                    reported.add((g, "exit"))
                    yield ctx.finding(
                        "R21",
                        verdict="violation",
                        message=Msg.of("R21.left", dt=e.t - mark.t, group=grp(g), what=_what(e)),
                        evidence=[mark.seq, e.seq],
                        category=g,
                        thresholds=("exit_window_s",),
                    )
                    break
        # loop
        again = [r for r in ctx.requests if r.seq > mark.seq and r.t - mark.t <= loop_w and g in ctx.request_groups(r)]
        if len(again) >= loop_n and (g, "loop") not in reported:
            reported.add((g, "loop"))
            yield ctx.finding(
                "R21",
                verdict="violation",
                message=Msg.of("R21.loop", group=grp(g), n=len(again), window=loop_w),
                evidence=[mark.seq, *(r.seq for r in again)],
                category=g,
                thresholds=("loop_window_s", "loop_min_requests"),
            )
        # block: a rationale screen with no way to go on without the permission
        if (g, "block") not in reported:
            session = ctx.phases.session_at(mark.t)
            for e in after:
                if not isinstance(e, UiSnapshot) or e.screen_kind != "permission_rationale":
                    continue
                if ctx.phases.sessions and ctx.phases.session_at(e.t) != session:
                    break
                r = ctx.reading(e)
                if r.error or not r.controls or (r.permission_group and r.permission_group != g):
                    continue
                if not r.roles() & escape:
                    reported.add((g, "block"))
                    yield ctx.finding(
                        "R21",
                        verdict="violation",
                        message=Msg.of("R21.block", group=grp(g), texts=tuple(sorted(c.text for c in r.controls if c.text)[:3])),
                        evidence=[mark.seq, e.seq],
                        category=g,
                        thresholds=(),
                    )
                    break
    # a basic feature that fails after a denial while the policy was accepted: the denial may be
    # the cause, so a reviewer decides (a login gate on screen points at R24 instead)
    if ctx.phases.denial_events:
        t_first = ctx.phases.denial_events[0].t
        snaps = ctx.of(UiSnapshot)
        for s in ctx.of(StepMarker):
            if s.step == "assert_functional" and s.phase == "end" and s.status == "failed" and s.t > t_first:
                if ctx.phases.phase_at(s.t) != ACCEPTED:
                    continue
                last = next((x for x in reversed(snaps) if x.seq < s.seq), None)
                if last is not None and last.screen_kind == "login_gate":
                    continue
                yield ctx.finding(
                    "R21",
                    verdict="needs-review",
                    message=Msg.of("R21.function_failed", detail=Term("step_message", s.message[:200]) if s.message else Msg.of("detail.none")),
                    evidence=[ctx.phases.denial_events[0].seq, s.seq],
                    thresholds=(),
                )
                break


def _what(e: object) -> Msg:
    if isinstance(e, AppState):
        return Msg.of("R21.what_process", state=e.state)
    if isinstance(e, UiSnapshot):
        return Msg.of("R21.what_launcher", package=e.package)
    return Msg.of("R21.what_left")


def _rationale_instances(ctx: Context) -> list[UiSnapshot]:
    """In-app permission pre-prompts, one per time one comes on screen: a dialog that stays on
    screen across several reads (the same hierarchy, no tap, no other screen in between) is one
    request, not one per read."""
    taps = sorted(a.seq for a in ctx.of(UiAction) if a.action in ("tap", "back", "launch", "relaunch", "home"))
    out: list[UiSnapshot] = []
    prev: UiSnapshot | None = None
    for s in ctx.of(UiSnapshot):
        if s.screen_kind == "permission_rationale":
            same = (
                prev is not None
                and prev.screen_kind == "permission_rationale"
                and prev.hierarchy_hash == s.hierarchy_hash
                and bisect.bisect_right(taps, prev.seq) == bisect.bisect_left(taps, s.seq)
            )
            if not same:
                out.append(s)
        prev = s
    return out


@detector("R22", "rerequest_after_denial")
def rerequest_after_denial(ctx: Context) -> Iterator[Finding]:
    """After group G is denied: requests for G (hooked, so counted even when Android shows no
    dialog) and in-app pre-prompts for G that no G-feature tap explains, (a) in the same
    session, (b) after a later cold start."""
    window = ctx.num("R22", "trigger_window_s")
    ph = ctx.phases
    rationale = _rationale_instances(ctx)
    for d in ph.denials:
        g = d.group
        sess = ph.session_at(d.start) if ph.sessions else 0
        found: dict[str, list[int]] = {"same": [], "next": []}
        first_t: dict[str, float] = {}
        hidden = 0
        for r in ctx.requests:
            if r.t <= d.start or r.t >= d.end or r.seq <= d.seq or g not in ctx.request_groups(r):
                continue
            if ph.group_triggered(ctx.catalog, g, r.t, window) is not None:
                continue
            key = "same" if (ph.session_at(r.t) if ph.sessions else 0) == sess else "next"
            found[key].append(r.seq)
            first_t.setdefault(key, r.t)
            hidden += r.via == "hook"
        for s in rationale:
            if s.t <= d.start or s.t >= d.end or s.seq <= d.seq or ctx.reading(s).permission_group != g:
                continue
            if ph.group_triggered(ctx.catalog, g, s.t, window) is not None:
                continue
            key = "same" if (ph.session_at(s.t) if ph.sessions else 0) == sess else "next"
            found[key].append(s.seq)
            first_t.setdefault(key, s.t)
        note = Msg.of("R22.hooked_note") if hidden else ""
        if found["same"]:
            yield ctx.finding(
                "R22",
                verdict="violation",
                message=Msg.of("R22.same_session", group=grp(g), n=len(found["same"]), t=d.start, note=note),
                evidence=[d.seq, *found["same"]],
                t=first_t["same"],
                category=g,
            )
        if found["next"]:
            yield ctx.finding(
                "R22",
                verdict="violation",
                message=Msg.of("R22.next_launch", group=grp(g), n=len(found["next"]), t=d.start, note=note),
                evidence=[d.seq, *found["next"]],
                t=first_t["next"],
                category=g,
            )


@detector("R25", "unrelated_permission")
def unrelated_permission(ctx: Context) -> Iterator[Finding]:
    """Runtime requests for groups outside the app-type profile (needs a profile)."""
    prof = ctx.profile
    if prof is None:
        return
    per_group: dict[str, list[PermissionRequest]] = {}
    for req in ctx.requests:
        for g in ctx.request_groups(req):
            if g not in prof.related_groups:
                per_group.setdefault(g, []).append(req)
    for g, reqs in per_group.items():
        yield ctx.finding(
            "R25",
            verdict="violation",
            message=Msg.of("R25.unrelated", group=grp(g), n=len(reqs), app=profile_ref(prof)),
            evidence=[r.seq for r in reqs],
            category=g,
            sdk=reqs[0].sdk,
        )
