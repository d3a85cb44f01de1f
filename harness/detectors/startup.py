"""R32: self-start and associated start.

Self-start: the app's process starts for a service, broadcast, provider, job or alarm with no
user launch shortly before. Associated start: an explicit start of another package's component
(ApiCall category APP_START, from the vectorised core) with no tap shortly before.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, who_msg
from harness.detectors.phases import ACCEPTED, NON_ACTIVITY_CAUSES
from harness.detectors.registry import detector
from harness.events import AppState
from harness.findings import Finding
from harness.i18n import Msg

__all__ = ["self_or_associated_start"]


@detector("R32", "self_or_associated_start")
def self_or_associated_start(ctx: Context) -> Iterator[Finding]:
    """Before consent any self-start or associated start is a violation; after consent,
    frequent self-starts are a violation and the rest needs review."""
    ph = ctx.phases
    window = ctx.num("R32", "self_start_launch_window_s")
    per_hour = ctx.num("R32", "self_start_per_hour")
    launches = [m.t for m in ph.launches] + [m.t for m in ph.sessions]
    before: list[AppState] = []
    after: list[AppState] = []
    for e in ctx.of(AppState):
        if e.state != "started" or e.cause.strip().lower() not in NON_ACTIVITY_CAUSES:
            continue
        if e.package and ctx.info.package and e.package != ctx.info.package:
            continue
        if any(0 <= e.t - t <= window for t in launches):
            continue
        (before if ph.phase_at(e.t) != ACCEPTED else after).append(e)
    if before:
        yield ctx.finding(
            "R32",
            verdict="violation",
            message=Msg.of("R32.self_before", n=len(before), causes=tuple(sorted({e.cause for e in before})), t=before[0].t),
            evidence=[e.seq for e in before],
            thresholds=("self_start_launch_window_s",),
        )
    if after:
        hours = max((ph.t_end - ph.t_start) / 3600.0, 1e-9)
        rate = len(after) / hours
        frequent = len(after) >= per_hour and rate >= per_hour
        yield ctx.finding(
            "R32",
            verdict="violation" if frequent else "needs-review",
            message=Msg.of("R32.self_after", n=len(after), causes=tuple(sorted({e.cause for e in after})), rate=rate),
            evidence=[e.seq for e in after],
            thresholds=("self_start_launch_window_s", "self_start_per_hour"),
        )
    for row in ctx.hits("R32"):
        pre = row.kind == "before_consent"
        yield ctx.finding(
            "R32",
            verdict="violation" if pre else "needs-review",
            message=Msg.of(
                "R32.associated_before" if pre else "R32.associated",
                target=row.target,
                who=who_msg(row.sdk),
                calls=row.calls,
                t=row.t_first,
                api=row.api or Msg.of("api.unnamed"),
            ),
            evidence=row.evidence,
            t=row.t_first,
            category="APP_START",
            sdk=row.sdk,
            thresholds=("trigger_window_s",),
        )
