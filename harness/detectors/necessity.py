"""Necessity rules: R23 (service refused on decline) and the API rules R26-R31."""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, app_name, cat, who_msg
from harness.detectors.core import HitRow
from harness.detectors.phases import DECLINED
from harness.detectors.registry import detector
from harness.events import AppState, ConsentDecision, PermissionRequest, StepMarker, UiAction, UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg, Term

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


def _count(row: HitRow) -> Msg:
    return Msg.of("calls.first", calls=row.calls, t=row.t_first, api=row.api or Msg.of("api.unnamed"))


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
        Msg.of("R23.no_pi_needed", app=app_name(prof))
        if no_pi and prof is not None
        else (Msg.of("R23.check_need", app=app_name(prof)) if prof else Msg.of("R23.no_profile"))
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
                message=Msg.of(
                    "R23.quit",
                    dt=e.t - decline.t,
                    how=Msg.of("R23.process", state=e.state) if isinstance(e, AppState) else Msg.of("R23.launcher"),
                    why=why,
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
                message=Msg.of("R23.function_failed", detail=Term("step_message", s.message[:200]) if s.message else Msg.of("detail.none"), why=why),
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
            message=Msg.of("R24.blocks", app=app_name(prof), basic=prof.basic_function),
            evidence=[g.seq for g in blocking] + failed,
        )
    else:
        yield ctx.finding(
            "R24",
            verdict="needs-review",
            message=Msg.of("R24.seen", app=app_name(prof)),
            evidence=[g.seq for g in gates[:5]],
        )


@detector("R26", "over_frequent_collection")
def over_frequent_collection(ctx: Context) -> Iterator[Finding]:
    """Periodic or burst reads of one category by one caller that no tap explains. Location
    in an app type whose function is continuous location (navigation, ride hailing, shared
    vehicles, route recording) is not judged here."""
    fast = ctx.num("R26", "fast_interval_s")
    for row in ctx.hits("R26"):
        parts: list[Msg] = []
        if row.stats.get("periodic"):
            mean = row.stats.get("mean_interval_s", 0.0)
            parts.append(Msg.of("R26.periodic", mean=mean, reg=1 - row.stats.get("cv", 0.0)))
            if mean <= fast:
                parts.append(Msg.of("R26.miit", fast=fast))
        if row.stats.get("burst"):
            parts.append(Msg.of("R26.burst", n=int(row.stats.get("max_window_calls", 0))))
        yield ctx.hit_finding(
            "R26",
            row,
            verdict="violation",
            message=Msg.of("R26.frequent", category=cat(row.category), calls=row.calls, who=who_msg(row.sdk), t0=row.t_first, t1=row.t_last, parts=tuple(parts)),
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
                Msg.of("R27.background", category=cat(row.category), who=who_msg(row.sdk), times=_count(row))
                if late
                else Msg.of("R27.background_grace", category=cat(row.category), who=who_msg(row.sdk), grace=grace, times=_count(row))
            ),
        )


@detector("R28", "camera_mic_without_action")
def camera_mic_without_action(ctx: Context) -> Iterator[Finding]:
    """Camera or microphone opened with no capture tap just before, or in the background."""
    for row in ctx.hits("R28"):
        key = "R28.background" if row.kind == "background" else "R28.no_tap"
        yield ctx.hit_finding(
            "R28",
            row,
            verdict="violation",
            message=Msg.of(key, category=cat(row.category), who=who_msg(row.sdk), times=_count(row)),
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
            message=Msg.of("R29.content" if content else "R29.description", who=who_msg(row.sdk), times=_count(row)),
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
            message=Msg.of("R30.enumerated" if enum else "R30.lookup", who=who_msg(row.sdk), times=_count(row)),
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
            msg = Msg.of(
                "R31.continuous",
                who=who_msg(row.sdk),
                app=app_name(prof),
                need=Msg.of("R31.need_none" if need == "none" else "R31.need_single"),
                times=_count(row),
            )
        elif need == "none":
            verdict = "needs-review"
            msg = Msg.of("R31.not_needed", who=who_msg(row.sdk), app=app_name(prof), times=_count(row))
        elif row.n >= fixes_needed:
            verdict = "needs-review"
            msg = Msg.of("R31.repeated", n=row.n, who=who_msg(row.sdk), app=app_name(prof), times=_count(row))
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
                message=Msg.of("R31.background", n=len(bg), app=app_name(prof)),
                evidence=[r.seq for r in bg],
                category="LOCATION",
                sdk=bg[0].sdk,
                thresholds=(),
            )
