"""Third-party rules: R33 (SDK collects before consent / after refusal), R35 (advertising ID)."""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, who
from harness.detectors.registry import detector
from harness.findings import Finding

__all__ = ["sdk_collection_without_consent", "ad_id_before_consent"]


@detector("R33", "sdk_collection_without_consent")
def sdk_collection_without_consent(ctx: Context) -> Iterator[Finding]:
    """A personal-data read attributed to a third-party SDK before acceptance or after refusal
    (attribution by call stack: it shows collection, not transfer)."""
    for row in ctx.hits("R33"):
        when = "before the user accepted the policy" if row.kind == "before_consent" else "after the user declined the policy"
        yield ctx.hit_finding(
            "R33",
            row,
            verdict="violation",
            message=(
                f"{who(row.sdk)} read {row.category} {when}: {row.calls} time(s), first at "
                f"t={row.t_first:.1f} s via {row.api or 'an unnamed API'}."
            ),
        )


_WHEN = {
    "before_consent": "before consent was given",
    "after_decline": "after the user declined",
    "after_cmp_decline": "after the user refused in the consent-management dialog",
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
            message=(
                f"Advertising identifier read by {who(row.sdk)} {_WHEN[row.kind]}: {row.calls} time(s), "
                f"first at t={row.t_first:.1f} s via {row.api or 'an unnamed API'}."
            ),
        )
