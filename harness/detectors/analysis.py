"""Judge runs: ``analyze`` for one timeline, ``analyze_batch`` for many runs at once.

Both build the same per-run :class:`~harness.detectors.phases.Phases`, run the vectorised API
core (:mod:`harness.detectors.core`) and then every registered detector that applies under the
chosen jurisdiction profile. A detector that raises becomes an error record naming it; the
others still run (house habit 6). Findings come out sorted by rule, time, category and SDK.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.catalog.profiles import AppProfile, load_profiles
from harness.catalog.rules import RuleCatalog, load_rules
from harness.detectors.context import Context
from harness.detectors.core import API_RULES, ApiColumns, JudgeParams, JudgeResult, RunTables, judge_api
from harness.detectors.network import join_calls
from harness.detectors.phases import ConsentPhases, Phases, build_phases
from harness.detectors.registry import Detector, registry
from harness.detectors.tcf import tc_signal_calls
from harness.errors import InputError
from harness.events import ApiCall, Event
from harness.findings import Finding, merge_duplicates
from harness.rundir import RunInfo
from harness.timeline import Timeline

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Analysis", "BatchRun", "analyze", "analyze_batch", "resolve_profile"]

_MAX_ERROR_CHARS = 500


@dataclass
class Analysis:
    """The result of judging one run."""

    run_id: str
    package: str
    scenario: str
    simulated: bool
    jurisdiction: str
    profile: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    rules_checked: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the consent phases every detector judged by; stored so that reports show the same
    consent_phases: ConsentPhases = field(default_factory=ConsentPhases)
    #: flows in which planted values were found (harness.detectors.network.match_records): the
    #: matching R34/R37 judged by, stored so that reports and the batch store show the same
    network_matches: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form; ``analysis.json`` is this without ``findings``."""
        return {
            "run_id": self.run_id,
            "package": self.package,
            "scenario": self.scenario,
            "simulated": self.simulated,
            "jurisdiction": self.jurisdiction,
            "profile": self.profile,
            "findings": [f.to_dict() for f in self.findings],
            "errors": list(self.errors),
            "rules_checked": list(self.rules_checked),
            "notes": list(self.notes),
            "consent_phases": self.consent_phases.to_dict(),
            "network_matches": list(self.network_matches),
        }

    def frame(self) -> pd.DataFrame:
        """The findings table (columns of harness.reporting.frames)."""
        from harness.reporting.frames import findings_frame

        return findings_frame(
            self.findings, run_id=self.run_id, package=self.package, scenario=self.scenario, simulated=self.simulated
        )

    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict == "violation"]


@dataclass(frozen=True)
class BatchRun:
    """One run of a batch: its info, its control events (ApiCall events are ignored: they come
    as columns) and, optionally, its app-type profile (else ``info.profile`` is looked up)."""

    info: RunInfo
    events: Sequence[Event]
    profile: AppProfile | None = None


def resolve_profile(info: RunInfo, profile: AppProfile | None) -> AppProfile | None:
    """The explicit profile, else the one named by ``info.profile`` (CatalogError if unknown)."""
    if profile is not None:
        return profile
    if info.profile:
        return load_profiles().get(info.profile)
    return None


def _sort_key(f: Finding) -> tuple[str, float, str, str, str, tuple[int, ...]]:
    return (f.rule_id, f.t, f.category, f.sdk, f.verdict, f.evidence)


def _detectors_for(catalog: RuleCatalog, jid: str, detectors: Mapping[str, Detector] | None) -> list[Detector]:
    dets = registry() if detectors is None else dict(detectors)
    return [d for rid, d in sorted(dets.items()) if rid in catalog.rules and catalog.applies(rid, jid)]


def _run_detectors(ctx: Context, dets: Iterable[Detector], out: Analysis) -> None:
    for det in dets:
        ctx.detector_name = det.name
        try:
            found = list(det(ctx))
        except Exception as exc:  # noqa: BLE001 - a crashing detector becomes an error record
            out.errors.append(
                {
                    "detector": det.name,
                    "rule_id": det.rule_id,
                    "message": f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS],
                }
            )
            continue
        for f in found:
            out.findings.append(f if f.detector else dataclasses.replace(f, detector=det.name))
    out.findings = merge_duplicates(out.findings)
    out.findings.sort(key=_sort_key)


def _keep_network_matches(ctx: Context, out: Analysis) -> None:
    """Store the network matches the detectors used (computed once per run in ``ctx.memo``;
    computed here by the same function when no network rule applied under the jurisdiction)."""
    from harness.detectors.network import match_records

    try:
        out.network_matches = match_records(ctx)
    except Exception as exc:  # noqa: BLE001 - like a crashing detector: an error record
        out.errors.append({"detector": "network_matches", "rule_id": "", "message": f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]})


def _new_analysis(info: RunInfo, jid: str, profile: AppProfile | None, catalog: RuleCatalog, dets: Sequence[Detector]) -> Analysis:
    return Analysis(
        run_id=info.run_id,
        package=info.package,
        scenario=info.scenario,
        simulated=bool(info.simulated),
        jurisdiction=jid,
        profile=profile.id if profile is not None else "",
        rules_checked=[{"rule_id": d.rule_id, "title": catalog.title(d.rule_id, jid), "detector": d.name} for d in dets],
    )


def analyze(
    timeline: Timeline,
    info: RunInfo,
    *,
    jurisdiction: str = "cn",
    profile: AppProfile | None = None,
    catalog: RuleCatalog | None = None,
    detectors: Mapping[str, Detector] | None = None,
    run_dir: Path | None = None,
) -> Analysis:
    """Judge one recorded run under a jurisdiction profile (``cn`` or ``eu``).

    ``run_dir``: the run folder, for detectors that read artifacts kept beside the timeline
    (request bodies); defaults to the timeline file's folder when the timeline has one.

    ``profile``: the app-type profile; when None, ``info.profile`` names it (or none is used).
    Raises InputError for an unknown jurisdiction and CatalogError for an unknown profile id.
    """
    cat = catalog or load_rules()
    cat.jurisdiction(jurisdiction)
    prof = resolve_profile(info, profile)
    dets = _detectors_for(cat, jurisdiction, detectors)
    events = timeline.snapshot()
    control = [e for e in events if not isinstance(e, ApiCall)]
    control.sort(key=lambda e: e.seq)
    phases = build_phases(control, cat, package=info.package)
    api = ApiColumns.from_events(events, cat)
    out = _new_analysis(info, jurisdiction, prof, cat, dets)
    out.consent_phases = phases.consent_phases
    judge = _judge(api, [(phases, prof)], cat, jurisdiction, dets, out_list=[out])
    ctx = Context(info, control, cat.jurisdiction(jurisdiction), prof, cat, phases, judge, 0, timeline)
    ctx.memo["api_calls"] = join_calls(events)
    ctx.memo["tc_signals"] = tc_signal_calls(events)
    tl_path = getattr(timeline, "path", None)
    ctx.run_dir = Path(run_dir) if run_dir is not None else (Path(tl_path).parent if tl_path is not None else None)
    _run_detectors(ctx, dets, out)
    _keep_network_matches(ctx, out)
    return out


def _judge(
    api: ApiColumns,
    runs: Sequence[tuple[Phases, AppProfile | None]],
    cat: RuleCatalog,
    jid: str,
    dets: Sequence[Detector],
    *,
    out_list: Sequence[Analysis],
    chunk_events: int | None = None,
) -> JudgeResult:
    wanted = [d.rule_id for d in dets if d.rule_id in API_RULES]
    kwargs = {"chunk_events": chunk_events} if chunk_events else {}
    params = JudgeParams.from_catalog(cat, jid, **kwargs)
    tables = RunTables.build(runs, cat, api.cat_names)
    result = judge_api(api, tables, cat, params, wanted)
    if result.dropped:
        for a in out_list:
            a.notes.append(f"{result.dropped} API event(s) with an unusable time were ignored")
    return result


def analyze_batch(
    runs: Sequence[BatchRun],
    api: ApiColumns,
    *,
    jurisdiction: str = "cn",
    catalog: RuleCatalog | None = None,
    detectors: Mapping[str, Detector] | None = None,
    chunk_events: int | None = None,
) -> list[Analysis]:
    """Judge many runs at once: ``api.run`` indexes ``runs``. Same findings as calling
    :func:`analyze` on each run (the API rules run once over all columns, vectorised)."""
    cat = catalog or load_rules()
    cat.jurisdiction(jurisdiction)
    dets = _detectors_for(cat, jurisdiction, detectors)
    if len(api) and int(api.run.max()) >= len(runs):
        raise InputError(f"API columns name run {int(api.run.max())}, but the batch has {len(runs)} runs")
    prepared: list[tuple[Phases, AppProfile | None]] = []
    controls: list[list[Event]] = []
    outs: list[Analysis] = []
    for br in runs:
        prof = resolve_profile(br.info, br.profile)
        control = sorted((e for e in br.events if not isinstance(e, ApiCall)), key=lambda e: e.seq)
        controls.append(control)
        phases = build_phases(control, cat, package=br.info.package)
        prepared.append((phases, prof))
        outs.append(_new_analysis(br.info, jurisdiction, prof, cat, dets))
        outs[-1].consent_phases = phases.consent_phases
    judge = _judge(api, prepared, cat, jurisdiction, dets, out_list=outs, chunk_events=chunk_events)
    jur = cat.jurisdiction(jurisdiction)
    for i, br in enumerate(runs):
        ctx = Context(br.info, controls[i], jur, prepared[i][1], cat, prepared[i][0], judge, i, None)
        ctx.memo["api_calls"] = join_calls(br.events)
        ctx.memo["tc_signals"] = tc_signal_calls(br.events)
        _run_detectors(ctx, dets, outs[i])
        _keep_network_matches(ctx, outs[i])
    return outs
