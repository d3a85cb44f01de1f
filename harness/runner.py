"""The runner: the only orchestrator. It drives one app through one scenario on one device and
records everything into ``results/<run-id>/`` (see harness/rundir.py).

Record first, judge later: the runner never decides whether something is a violation. It reads
the screen through the consent-UI recogniser, takes the decisions the scenario asks for, and
writes UiSnapshot, UiAction, ConsentDecision, PermissionRequest/Result and StepMarker events;
instrumentation adds ApiCall, PermissionRequest and AppState events to the same timeline.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness import __version__
from harness.app import AppConfig, AppFeature
from harness.consent_ui.parse import Hierarchy
from harness.devices.base import Driver
from harness.errors import HarnessError, InfrastructureError, InputError, StepError
from harness.events import (
    ErrorRecord,
    RunMarker,
    StepMarker,
)
from harness.instrumentation.base import Instrumentation, Target
from harness.instrumentation.sources import Source, SourceSet, as_sources
from harness.rundir import RunDir, RunInfo
from harness.scenarios.context import HOME_PACKAGES, Screen, StepContext, read_tree
from harness.scenarios.model import Scenario
from harness.scenarios.registry import get_step
from harness.timeline import Timeline

__all__ = ["AppFeature", "AppConfig", "Runner", "RunResult", "StepContext", "Screen", "HOME_PACKAGES"]

#: Steps that carry out one explicit instruction of the scenario: when such a step fails (its
#: tap target is not on screen) the scenario could not be carried out. Other steps fail by
#: observing the app (a basic function blocked, a feature unreachable because the app quit is
#: what the run measures, R21/R23). A step that errs (unknown feature, a bug) always counts.
INSTRUCTION_STEPS = frozenset({"tap"})


@dataclass(slots=True)
class RunResult:
    run_dir: Path
    info: RunInfo
    step_failures: int = 0
    infrastructure_error: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "app"


class Runner:
    """Runs scenarios on one device with its event sources (started and stopped around every
    run, in order, with no special cases; see harness.instrumentation.sources).

    ``sources``: a sequence of :class:`~harness.instrumentation.sources.Source`, or one Source
    or :class:`~harness.instrumentation.base.Instrumentation`, or None. ``hook_pack`` (run.json)
    defaults to what the sources say they watch with. ``read``: the recogniser (tests)."""

    def __init__(self, driver: Driver, sources: Source | Instrumentation | Sequence[Source | Instrumentation] | None, results: str | Path = "results", *, hook_pack: str = "", read: Callable[[Hierarchy, Any], Any] | None = None) -> None:
        self.driver = driver
        self.sources = as_sources(sources, hook_pack)
        self.results = Path(results)
        self.hook_pack = hook_pack or "+".join(s.hook_pack for s in self.sources if s.hook_pack)
        self.read = read or read_tree
        self._failed_steps: list[dict[str, Any]] = []

    def _run_dir(self, package: str, scenario: str) -> RunDir:
        """A new run folder, created atomically (RunDir.create): parallel tasks of one package
        and scenario each get their own."""
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return RunDir.create(self.results, f"{stamp}-{_slug(package)}-{_slug(scenario)}")

    def run(self, app: AppConfig, scenario: Scenario, *, app_ref: str = "") -> RunResult:
        rd = self._run_dir(app.package, scenario.id)
        run_id = rd.path.name
        dev = self.driver.info()
        info = RunInfo(
            run_id=run_id,
            package=app.package,
            app=app_ref or app.package,
            app_label=app.label,
            scenario=scenario.id,
            device=asdict(dev),
            # a simulated device, or a simulated target on a real device (a reference page)
            simulated=bool(dev.simulated) or bool(app.target and app.target.get("simulated")),
            harness_version=__version__,
            hook_pack=self.hook_pack,
            started_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            profile=app.profile,
            extra={"scenario_title": scenario.title, "scenario_description": scenario.description},
        )
        if app.manifest is not None:
            info.extra["manifest"] = app.manifest
        if app.target is not None:
            info.extra["target"] = dict(app.target)
        from harness.devices.kinds import kind_of
        from harness.handover.identity import run_identity

        try:
            app_file = kind_of(self.driver).app_file(app_ref) if app_ref else None
        except (InputError, LookupError):
            app_file = None
        info.extra["identity"] = run_identity(
            device=info.device, app_ref=app_ref, manifest=app.manifest, hook_pack=self.hook_pack, package=app.package, app_file=app_file
        )
        rd.write_info(info)
        t0 = self.driver.now()

        def clock() -> float:
            return round(self.driver.now() - t0, 6)

        result = RunResult(rd.path, info)
        with Timeline(rd.timeline) as tl:
            sources = SourceSet(self.sources, tl.extend, app.package)
            ctx = StepContext(self.driver, app.package, app, tl, rd, clock, read=self.read, sources=sources)
            tl.append(RunMarker(t=clock(), phase="start", scenario=scenario.id, package=app.package))
            self._failed_steps = []
            status = "completed"
            message = ""
            # a driver may tell that the app kept the run from completing (a web page that never
            # loads, loops on redirects or never settles): optional ``take_incomplete() -> str``
            take_incomplete = getattr(self.driver, "take_incomplete", None)
            if callable(take_incomplete):
                take_incomplete()  # what an earlier run left behind is not this run's
            try:
                sources.start(Target(app.package), clock, rd.path, self.driver)
                for index, step in enumerate(scenario.steps):
                    failed = self._step(ctx, index, step.name, step.params)
                    result.step_failures += failed
                incomplete = str(take_incomplete() or "") if callable(take_incomplete) else ""
                if incomplete:
                    # bounded: the steps ran out their waits; everything recorded stays
                    status = "incomplete"
                    message = f"the app never settled: {incomplete}"
                    info.extra["incomplete"] = incomplete[:1000]
                    tl.append(ErrorRecord(t=clock(), where="runner", message=message[:2000]))
                    if result.step_failures:
                        info.extra["failed_steps"] = list(self._failed_steps[:100])
                elif result.step_failures:
                    # the scenario did not do all it says: never reported as a plain "completed"
                    status = "steps-failed"
                    message = f"{result.step_failures} step(s) failed: " + "; ".join(f"{f['step']} (step {f['index']}): {f['message']}" for f in self._failed_steps[:5])
                    info.extra["failed_steps"] = list(self._failed_steps[:100])
            except InfrastructureError as exc:
                status, message = "error", str(exc)
                result.infrastructure_error = message
                tl.append(ErrorRecord(t=clock(), where="runner", message=message[:2000]))
            except KeyboardInterrupt:
                status, message = "aborted", "interrupted"
                raise
            finally:
                sources.stop()
                tl.append(RunMarker(t=clock(), phase="end", scenario=scenario.id, package=app.package, status=status, message=message[:500]))
                info.status = status
                info.finished_at = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
                info.extra["duration_s"] = clock()
                rd.write_info(info)
        return result

    def _step(self, ctx: StepContext, index: int, name: str, params: dict[str, Any]) -> int:
        """Run one step; 1 when it failed in a way that leaves the scenario incomplete."""
        spec = get_step(name)
        ctx.record(StepMarker(t=ctx.now(), index=index, step=name, phase="begin", params=json.dumps(params, ensure_ascii=False, sort_keys=True)[:1000]))
        status, message = "ok", ""
        try:
            spec.fn(ctx, **params)
        except StepError as exc:
            status, message = "failed", str(exc)
        except InfrastructureError:
            ctx.record(StepMarker(t=ctx.now(), index=index, step=name, phase="end", status="error", message="infrastructure error"))
            raise
        except HarnessError as exc:
            status, message = "error", f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 - a bug in a step is recorded, the run goes on
            status, message = "error", f"{type(exc).__name__}: {exc}"
            ctx.record(ErrorRecord(t=ctx.now(), where=f"step:{name}", message="".join(traceback.format_exception(exc))[-2000:]))
        ctx.record(StepMarker(t=ctx.now(), index=index, step=name, phase="end", status=status, message=message[:1000]))
        if status == "ok" or (status == "failed" and name not in INSTRUCTION_STEPS):
            return 0
        self._failed_steps.append({"index": index, "step": name, "status": status, "message": message[:500]})
        return 1

