"""Third-party rules: R33 (SDK collects before consent / after refusal), R35 (advertising ID)."""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, cat, who_msg
from harness.detectors.registry import detector
from harness.findings import Finding
from harness.i18n import Msg

__all__ = ["sdk_collection_without_consent", "ad_id_before_consent"]


@detector("R33", "sdk_collection_without_consent")
def sdk_collection_without_consent(ctx: Context) -> Iterator[Finding]:
    """A personal-data read attributed to a third-party SDK before acceptance or after refusal
    (attribution by call stack: it shows collection, not transfer)."""
    for row in ctx.hits("R33"):
        when = Msg.of("when.before_accept_policy" if row.kind == "before_consent" else "when.after_decline_policy")
        yield ctx.hit_finding(
            "R33",
            row,
            verdict="violation",
            message=Msg.of(
                "R33.sdk_read", who=who_msg(row.sdk), category=cat(row.category), when=when, calls=row.calls, t=row.t_first, api=row.api or Msg.of("api.unnamed")
            ),
        )


_WHEN = {
    "before_consent": "when.before_consent",
    "after_decline": "when.after_decline",
    "after_cmp_decline": "when.after_cmp_decline",
}


@detector("R35", "ad_id_before_consent")
def ad_id_before_consent(ctx: Context) -> Iterator[Finding]:
    """The advertising identifier read before consent, after a decline, or after a refusal in
    a consent-management dialog."""
    for row in ctx.hits("R35"):
        yield ctx.hit_finding(
            "R35",
            row,
            verdict="violation",
            message=Msg.of(
                "R35.ad_id", who=who_msg(row.sdk), when=Msg.of(_WHEN[row.kind]), calls=row.calls, t=row.t_first, api=row.api or Msg.of("api.unnamed")
            ),
        )
