"""``consent-harness static APP``: the static check (S0) as a command. Manifest facts come from
:mod:`harness.static` (an APK) or from a device kind that knows the app without a device (a
reference app's ``manifest:`` block); :func:`static_findings` judges them with the static
detectors (:mod:`harness.detectors.static`). Kept apart from :mod:`harness.static` so the facts
module and the detectors that read them do not import each other."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, HarnessError, InputError
from harness.findings import SEVERITIES, Finding
from harness.static import MAX_LISTED, WAKEUP_ACTIONS, ManifestFacts, apk_facts

__all__ = ["static_findings", "main"]


def static_findings(facts: ManifestFacts, *, profile: str = "", jurisdiction: str = "cn") -> list[Finding]:
    """The static detectors' findings for ``facts`` alone (no recorded run): R25, R30, R32
    manifest parts and R39."""
    from harness.detectors.analysis import analyze
    from harness.detectors.static import static_detectors
    from harness.rundir import RunInfo
    from harness.timeline import Timeline

    info = RunInfo(
        run_id="static",
        package=facts.package,
        app=facts.package,
        scenario="S0",
        device={},
        simulated=False,
        harness_version="",
        profile=profile,
        extra={"manifest": facts.to_dict()},
    )
    return list(analyze(Timeline(), info, jurisdiction=jurisdiction, detectors=static_detectors()).findings)


def _facts_for(app: str) -> tuple[ManifestFacts, str]:
    """Facts of the app and its app-type profile when known (reference apps carry one): an APK
    or split folder, or an app a device kind knows without a device."""
    p = Path(app)
    if p.exists():
        return apk_facts(p), ""
    from harness.devices.kinds import kinds

    for kind in kinds():
        found = kind.app_facts(app)
        if found is not None:
            facts, profile = found
            return facts, profile
    raise InputError(f"app not found: {app[:200]!r} (give an .apk file, a folder of split APKs or a reference app name)")


def _listed(total: int, shown: int) -> str:
    return f"{total}" if shown >= total else f"{total} (first {shown} listed)"


def _table(facts: ManifestFacts, findings: Sequence[Finding]) -> str:
    show = 20
    classes = {k: sum(1 for c in facts.classes.values() if c == k) for k in ("dangerous", "special", "normal", "signature", "app-defined")}
    target = f"target {facts.target_sdk}" + ("" if facts.target_sdk_declared else " (not declared: the platform uses minSdk)")
    lines = [
        f"package        {facts.package}  ({facts.source}; version {facts.version_name or '?'} / {facts.version_code})",
        f"sdk            min {facts.min_sdk}, {target}",
        f"permissions    {_listed(facts.permissions_count, len(facts.permissions))} declared: " + ", ".join(f"{n} {k}" for k, n in classes.items() if n),
        f"dangerous      {len(facts.dangerous)}: {', '.join(facts.groups) or '-'}",
        f"special        {len(facts.special)}: {', '.join(p.rsplit('.', 1)[-1] for p in facts.special) or '-'}",
        f"flags          debuggable={str(facts.debuggable).lower()} cleartext={facts.cleartext} "
        f"allowBackup={str(facts.allow_backup).lower()} backup_rules={str(facts.backup_rules).lower()}",
        f"components     {facts.components}; exported without permission: {facts.exported_unprotected_count} "
        f"({len(facts.exposed_providers)} providers)",
    ]
    lines += [f"  exposed      {c.kind} {c.name}{' [' + c.sdk + ']' if c.sdk else ''}" for c in facts.exported_unprotected[:show]]
    if facts.exported_unprotected_count > show:
        lines.append(f"  exposed      ... {facts.exported_unprotected_count - show} more (--format json lists {min(facts.exported_unprotected_count, MAX_LISTED)})")
    lines.append(f"wake-up        {facts.wakeup_receivers_count} receivers")
    lines += [f"  wake-up      {w.name} <- {', '.join(WAKEUP_ACTIONS[a] for a in w.actions if a in WAKEUP_ACTIONS)}{' [' + w.sdk + ']' if w.sdk else ''}" for w in facts.wakeup_receivers[:show]]
    if facts.wakeup_receivers_count > show:
        lines.append(f"  wake-up      ... {facts.wakeup_receivers_count - show} more")
    lines.append(f"sdks           {facts.sdks_count}: {', '.join(s.sdk for s in facts.sdks) or '-'}")
    lines.append("")
    lines.append(f"findings       {len(findings)}")
    lines += [f"  {f.rule_id} {f.verdict:<12} {f.severity:<7} {f.message}" for f in findings]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="consent-harness static", description="Static check (S0): manifest facts and the manifest rules (R25, R30, R32, R39).")
    p.add_argument("app", help="an .apk file, a folder of split APKs, or a reference app name")
    p.add_argument("--app-type", default="", help="app-type profile id (R25 and R30 need it; `consent-harness list profiles`)")
    p.add_argument("--jurisdiction", default="cn", help="rule wording and verdict ceilings: cn or eu (default cn)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--fail-on", choices=(*SEVERITIES, "never"), default="high", help="exit 1 when a finding (not merely info) reaches this severity (default: high)")
    return p


def main(argv: Sequence[str] | None = None, *, out: Any = None) -> int:
    """``consent-harness static APP``: 0 clean, 1 findings at or above --fail-on, 2 bad input."""
    from harness.findings import fails

    stream = out if out is not None else sys.stdout
    try:
        a = _parser().parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return EXIT_CLEAN if not exc.code else EXIT_INPUT
    try:
        facts, known_profile = _facts_for(a.app)
        profile = a.app_type or known_profile
        if profile:
            from harness.catalog.profiles import app_profile

            app_profile(profile)  # unknown ids fail here, naming the known ones
        findings = static_findings(facts, profile=profile, jurisdiction=a.jurisdiction)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    if a.format == "json":
        print(json.dumps({"manifest": facts.to_dict(), "findings": [f.to_dict() for f in findings]}, ensure_ascii=False, indent=2), file=stream)
    else:
        print(_table(facts, findings), file=stream)
    return EXIT_FINDINGS if fails(findings, a.fail_on) else EXIT_CLEAN
