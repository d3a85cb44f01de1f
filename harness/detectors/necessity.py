"""Necessity rules: R23 (service refused on decline) and the API rules R26-R31."""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, who
from harness.detectors.core import HitRow
from harness.detectors.phases import DECLINED
from harness.detectors.registry import detector
from harness.events import AppState, ConsentDecision, PermissionRequest, StepMarker, UiAction, UiSnapshot
from harness.findings import Finding

__all__ = [
    "service_refused_on_decline",
    "forced_account",
    "over_frequent_collection",
    "background_collection",
    "camera_mic_without_action",
    "clipboard_without_paste",
    "app_list_enumeration",
    "location_beyond_need",
]

_USER_LEAVES = frozenset({"home", "back", "stop", "clear", "screen_off"})


def _count(row: HitRow) -> str:
    return f"{row.calls} time(s), first at t={row.t_first:.1f} s via {row.api or 'an unnamed API'}"


@detector("R23", "service_refused_on_decline")
def service_refused_on_decline(ctx: Context) -> Iterator[Finding]:
    """After the policy is declined the app quits, or a basic-function check fails. A violation
    when the app type needs no personal information, otherwise for review."""
    subject = ctx.phases.subject
    decline = next((d for d in ctx.of(ConsentDecision) if d.subject == subject and d.choice == "decline"), None)
    if decline is None:
        return
    prof = ctx.profile
    no_pi = prof is not None and prof.needs_no_pi
    verdict = "violation" if no_pi else "needs-review"
    severity = "high" if no_pi else "medium"
    why = (
        f"a {prof.name} app needs no personal information for its basic function"
        if no_pi and prof is not None
        else (f"check whether a {prof.name} app truly needs the refused information" if prof else "no app-type profile was given")
    )
    window = ctx.num("R23", "exit_window_s")
    for e in ctx.events:
        if e.seq <= decline.seq:
            continue
        if e.t - decline.t > window or (isinstance(e, UiAction) and e.action in _USER_LEAVES):
            break
        left = (isinstance(e, AppState) and e.state in ("died", "exited", "crashed", "background")) or (
            isinstance(e, UiSnapshot) and ctx.is_launcher(e.package)
        )
        if left:
            yield ctx.finding(
                "R23",
                verdict=verdict,
                severity=severity,
                message=(
                    f"The app quit {e.t - decline.t:.1f} s after the user declined the policy "
                    f"({'process ' + e.state if isinstance(e, AppState) else 'launcher in front'}); {why}."
                ),
                evidence=[decline.seq, e.seq],
            )
            break
    for s in ctx.of(StepMarker):
        if s.step == "assert_functional" and s.phase == "end" and s.status == "failed" and s.seq > decline.seq:
            if ctx.phases.phase_at(s.t) != DECLINED:
                continue
            yield ctx.finding(
                "R23",
                verdict=verdict,
                severity=severity,
                message=f"After the policy was declined, a basic function failed: {s.message[:200] or 'no detail given'}; {why}.",
                evidence=[decline.seq, s.seq],
                thresholds=(),
            )
            break


def _optional_login(ctx: Context, gate: UiSnapshot) -> bool:
    """A login screen that is no forced login: the tap that opened it was on a control that
    itself asks to log in (an optional login link, opened by the user or by exploration), or
    the screen offers a way past it (skip / continue as guest / optional). Word lists:
    ``lexicons.login_words`` and ``lexicons.login_skip``."""
    login = tuple(w.lower() for w in ctx.catalog.lexicons.get("login_words", ()))
    skip = tuple(w.lower() for w in ctx.catalog.lexicons.get("login_skip", ()))
    last = None
    for a in ctx.of(UiAction):
        if a.seq > gate.seq:
            break
        if a.action in ("tap", "launch", "relaunch", "back"):
            last = a
    if last is not None and last.action == "tap" and any(w in (last.text or "").lower() for w in login):
        return True
    texts = " ".join(ctx.reading(gate).texts()).lower()
    return any(w in texts for w in skip)


@detector("R24", "forced_account")
def forced_account(ctx: Context) -> Iterator[Finding]:
    """A login / registration gate in an app type whose basic function needs no account (needs
    a profile). Inside a basic-function check it blocks the basic function (violation); elsewhere
    it may guard an extended function (needs-review)."""
    prof = ctx.profile
    if prof is None or prof.account_required:
        return
    gates = [s for s in ctx.of(UiSnapshot) if s.screen_kind == "login_gate" and not ctx.is_launcher(s.package) and not _optional_login(ctx, s)]
    if not gates:
        return
    spans: list[tuple[int, int, StepMarker | None]] = []
    open_seq: int | None = None
    for m in ctx.of(StepMarker):
        if m.step != "assert_functional":
            continue
        if m.phase == "begin":
            open_seq = m.seq
        elif m.phase == "end" and open_seq is not None:
            spans.append((open_seq, m.seq, m if m.status == "failed" else None))
            open_seq = None
    if open_seq is not None:
        spans.append((open_seq, 1 << 62, None))
    blocking = [g for g in gates if any(a < g.seq < b for a, b, _ in spans)]
    failed = [m.seq for a, b, m in spans if m is not None and any(a < g.seq < b for g in blocking)]
    if blocking:
        yield ctx.finding(
            "R24",
            verdict="violation",
            message=(
                f"A login or registration gate stood in the way of a basic function of a {prof.name} app, "
                f"whose basic function ({prof.basic_function}) needs no account."
            ),
            evidence=[g.seq for g in blocking] + failed,
        )
    else:
        yield ctx.finding(
            "R24",
            verdict="needs-review",
            message=(
                f"A login or registration screen appeared in a {prof.name} app, whose basic function needs no "
                f"account; check whether it gates a basic function."
            ),
            evidence=[g.seq for g in gates[:5]],
        )


@detector("R26", "over_frequent_collection")
def over_frequent_collection(ctx: Context) -> Iterator[Finding]:
    """Periodic or burst reads of one category by one caller that no tap explains. Location
    in an app type whose function is continuous location (navigation, ride hailing, shared
    vehicles, route recording) is not judged here."""
    fast = ctx.num("R26", "fast_interval_s")
    for row in ctx.hits("R26"):
        parts = []
        if row.stats.get("periodic"):
            mean = row.stats.get("mean_interval_s", 0.0)
            parts.append(f"periodic, about every {mean:.1f} s (regularity {1 - row.stats.get('cv', 0.0):.2f})")
            if mean <= fast:
                parts.append(f"at or below the {fast:g} s scenario of MIIT 164号")
        if row.stats.get("burst"):
            parts.append(f"burst of {int(row.stats.get('max_window_calls', 0))} reads within one window")
        yield ctx.hit_finding(
            "R26",
            row,
            verdict="violation",
            message=f"{row.category} read {row.calls} time(s) by {who(row.sdk)} between t={row.t_first:.1f} s and t={row.t_last:.1f} s: {'; '.join(parts)}.",
        )


@detector("R27", "background_collection")
def background_collection(ctx: Context) -> Iterator[Finding]:
    """Personal data read in the background or with the screen off."""
    grace = ctx.num("R27", "background_grace_s")
    for row in ctx.hits("R27"):
        late = row.kind == "background"
        yield ctx.hit_finding(
            "R27",
            row,
            verdict="violation" if late else "info",
            message=(
                f"{row.category} read by {who(row.sdk)} while the app was in the background"
                f"{'' if late else f' (within {grace:g} s of leaving the foreground)'}: {_count(row)}."
            ),
        )


@detector("R28", "camera_mic_without_action")
def camera_mic_without_action(ctx: Context) -> Iterator[Finding]:
    """Camera or microphone opened with no capture tap just before, or in the background."""
    for row in ctx.hits("R28"):
        where = "in the background" if row.kind == "background" else "with no capture, scan or record tap just before"
        yield ctx.hit_finding(
            "R28",
            row,
            verdict="violation",
            message=f"{row.category} opened by {who(row.sdk)} {where}: {_count(row)}.",
        )


@detector("R29", "clipboard_without_paste")
def clipboard_without_paste(ctx: Context) -> Iterator[Finding]:
    """Clipboard content read with no paste tap just before (description-only reads = info)."""
    for row in ctx.hits("R29"):
        content = row.kind == "read"
        yield ctx.hit_finding(
            "R29",
            row,
            verdict="violation" if content else "info",
            message=(
                f"Clipboard {'content' if content else 'description'} read by {who(row.sdk)} with no paste "
                f"action just before: {_count(row)}."
            ),
        )


@detector("R30", "app_list_enumeration")
def app_list_enumeration(ctx: Context) -> Iterator[Finding]:
    """Installed or running apps enumerated (not for security and app-store types); a
    lookup of one named package is information."""
    for row in ctx.hits("R30"):
        enum = row.kind == "enumeration"
        yield ctx.hit_finding(
            "R30",
            row,
            verdict="violation" if enum else "info",
            message=(
                f"{'Installed or running apps enumerated' if enum else 'Other apps looked up by name'} by "
                f"{who(row.sdk)}: {_count(row)}."
            ),
        )


@detector("R31", "location_beyond_need")
def location_beyond_need(ctx: Context) -> Iterator[Finding]:
    """Location judged against the app-type profile's location need (needs a profile)."""
    prof = ctx.profile
    if prof is None:
        return
    need = prof.location
    fixes_needed = int(ctx.num("R31", "location_fixes_single"))
    for row in ctx.hits("R31"):
        if row.kind == "continuous":
            verdict = "violation" if need == "none" else "needs-review"
            msg = f"Continuous location updates requested by {who(row.sdk)} in a {prof.name} app, which needs {'no location' if need == 'none' else 'at most a single fix'}: {_count(row)}."
        elif need == "none":
            verdict = "needs-review"
            msg = f"Location read by {who(row.sdk)} in a {prof.name} app, whose functions need no location: {_count(row)}."
        elif row.n >= fixes_needed:
            verdict = "needs-review"
            msg = f"Location read {row.n} times by {who(row.sdk)} with no user action, where a {prof.name} app needs a single fix: {_count(row)}."
        else:
            continue
        yield ctx.hit_finding(
            "R31",
            row,
            verdict=verdict,
            message=msg,
        )
    if need != "continuous":
        bg = [
            r
            for r in ctx.of(PermissionRequest)
            if any(p.rsplit(".", 1)[-1].upper() == "ACCESS_BACKGROUND_LOCATION" for p in r.permissions)
        ]
        if bg:
            yield ctx.finding(
                "R31",
                verdict="violation",
                message=f"Background location was requested {len(bg)} time(s), but a {prof.name} app has no navigation-like function that needs it.",
                evidence=[r.seq for r in bg],
                category="LOCATION",
                sdk=bg[0].sdk,
                thresholds=(),
            )
