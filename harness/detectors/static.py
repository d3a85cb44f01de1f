"""Static (manifest) detectors: R39, and the manifest parts of R25, R30 and R32.

They read the manifest facts the runner wrote to run.json (``RunInfo.extra["manifest"]``, see
:mod:`harness.static`) and nothing else; a run without facts gets no static finding. The facts
hold for every scenario of an app, so these findings repeat in each run of it.

* R39 (leak-risk configuration, information only): debuggable, cleartext traffic allowed,
  backups without rules, content providers any app can reach.
* R25 manifest part: a dangerous permission group declared outside the app-type profile is
  information. Groups the app also requested at runtime are left to the runtime R25 detector,
  which judges the request (no duplicate).
* R30 manifest part: QUERY_ALL_PACKAGES declared, except for app types that need the app list
  (app stores, security tools): a finding, as rules.md R30 says.
* R32 manifest part: receivers for boot, connectivity, unlock and similar wake-up broadcasts
  are information; the runtime R32 detector judges actual self-starts.
"""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context, grp, profile_ref
from harness.detectors.registry import Detector, detector, detector_part
from harness.findings import Finding
from harness.i18n import Msg, Term
from harness.static import WAKEUP_ACTIONS, facts_of

__all__ = [
    "static_leak_risk",
    "manifest_unrelated_permission",
    "manifest_app_list",
    "manifest_wakeup_receivers",
    "static_detectors",
    "QUERY_ALL_PACKAGES",
    "MAX_PROVIDER_FINDINGS",
]

QUERY_ALL_PACKAGES = "android.permission.QUERY_ALL_PACKAGES"
#: R39 names at most this many exposed providers one by one; the rest get one finding with a count.
MAX_PROVIDER_FINDINGS = 50


@detector("R39", "static_leak_risk")
def static_leak_risk(ctx: Context) -> Iterator[Finding]:
    """One information finding per leak-risk indicator of the manifest."""
    facts = facts_of(ctx.info)
    if facts is None:
        return
    if facts.debuggable:
        yield ctx.finding("R39", verdict="info", message=Msg.of("R39.debuggable"), evidence=(), subject="debuggable")
    if facts.cleartext in ("allowed", "allowed-by-default"):
        why = Msg.of("R39.cleartext_flag") if facts.cleartext == "allowed" else Msg.of("R39.cleartext_default", sdk=facts.target_sdk)
        yield ctx.finding("R39", verdict="info", message=Msg.of("R39.cleartext", why=why), evidence=(), subject="cleartext")
    if facts.allow_backup and not facts.backup_rules:
        yield ctx.finding("R39", verdict="info", message=Msg.of("R39.backup"), evidence=(), subject="backup")
    # every exposed provider (the full list, not the cut exported_unprotected), one finding
    # each up to MAX_PROVIDER_FINDINGS, then one finding with the count of the rest
    providers = facts.exposed_providers
    for c in providers[:MAX_PROVIDER_FINDINGS]:
        yield ctx.finding(
            "R39",
            verdict="info",
            message=Msg.of("R39.provider", name=c.name),
            evidence=(),
            sdk=c.sdk,
            subject=f"provider {c.name}",
        )
    if len(providers) > MAX_PROVIDER_FINDINGS:
        rest = len(providers) - MAX_PROVIDER_FINDINGS
        yield ctx.finding(
            "R39",
            verdict="info",
            message=Msg.of("R39.providers_more", rest=rest, total=len(providers)),
            evidence=(),
            subject="providers beyond the first ones named",
        )


@detector_part("R25", "unrelated_permission_manifest")
def manifest_unrelated_permission(ctx: Context) -> Iterator[Finding]:
    """Declared dangerous groups outside the profile (information); needs a profile."""
    facts = facts_of(ctx.info)
    prof = ctx.profile
    if facts is None or prof is None:
        return
    requested = {g for req in ctx.requests for g in ctx.request_groups(req)}
    skip = set(ctx.catalog.non_pi_groups)
    for g in facts.groups:
        if g in prof.related_groups or g in skip or g in requested:
            continue
        perms = sorted(p.rsplit(".", 1)[-1] for p, grp in facts.dangerous.items() if grp == g)
        yield ctx.finding(
            "R25",
            verdict="info",
            message=Msg.of("R25.manifest", group=grp(g), perms=tuple(perms), app=profile_ref(prof)),
            evidence=(),
            category=g,
        )


@detector_part("R30", "app_list_manifest")
def manifest_app_list(ctx: Context) -> Iterator[Finding]:
    """QUERY_ALL_PACKAGES declared, outside the app types that need the app list."""
    facts = facts_of(ctx.info)
    if facts is None or QUERY_ALL_PACKAGES not in facts.permissions:
        return
    prof = ctx.profile
    if prof is not None and prof.app_list:
        return
    kind = profile_ref(prof) if prof is not None else Msg.of("profile.unknown")
    yield ctx.finding(
        "R30",
        verdict="violation",
        message=Msg.of("R30.manifest", app=kind),
        evidence=(),
        category="APP_LIST",
        thresholds=(),
    )


@detector_part("R32", "wakeup_receiver_manifest")
def manifest_wakeup_receivers(ctx: Context) -> Iterator[Finding]:
    """One information finding per manifest receiver of wake-up broadcasts."""
    facts = facts_of(ctx.info)
    if facts is None:
        return
    for w in facts.wakeup_receivers:
        labels = sorted({WAKEUP_ACTIONS.get(a, a) for a in w.actions})
        terms = tuple(Term("wakeup", x) for x in labels)
        yield ctx.finding(
            "R32",
            verdict="info",
            message=Msg.of("R32.receiver", name=w.name, labels=terms),
            evidence=(),
            sdk=w.sdk,
            thresholds=(),
            subject=f"receiver {w.name}",
        )


def static_detectors() -> dict[str, Detector]:
    """The static detectors alone, by rule id, for judging a manifest without a recorded run."""
    return {
        "R25": Detector("R25", "unrelated_permission_manifest", manifest_unrelated_permission),
        "R30": Detector("R30", "app_list_manifest", manifest_app_list),
        "R32": Detector("R32", "wakeup_receiver_manifest", manifest_wakeup_receivers),
        "R39": Detector("R39", "static_leak_risk", static_leak_risk),
    }
