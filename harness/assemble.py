"""The one assembly point of a run: resolve the app, open the device kind, start the event
sources, run the scenarios, analyse, report.

The CLI (``run``, ``demo``), the batch worker and the pytest plugin are thin adapters over this
module; none of them builds an app config or picks instrumentation::

    request = AppRequest(app="microloan", device="sim", label="", profile="")
    with Assembly(request) as asm:          # opens the device kind's driver
        app = asm.resolve()                 # install / identify + app config + manifest facts
        for scenario in asm.scenarios():
            run = asm.record(scenario)      # runner + the kind's default event sources
            findings = asm.judge(run)       # detectors -> findings.jsonl, analysis.json
            asm.report(run)                 # report formats

:func:`run_app` does all of it for one app. Steps are separate so the batch worker can tell a
device problem (open, health, reset) from a run problem, and heal the device afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from harness.app import AppConfig, resolve_app
from harness.devices.kinds import DeviceKind, DeviceRequest, default_device, kind_for, kind_of
from harness.errors import InputError
from harness.findings import Finding
from harness.instrumentation.sources import Source, make_sources

if TYPE_CHECKING:
    from harness.devices.base import Driver
    from harness.runner import RunResult
    from harness.scenarios.model import Scenario

__all__ = ["AppRequest", "RunOutcome", "Assembly", "resolve_app", "sources_for", "run_app", "check_request", "MAX_PARALLEL"]

#: The most scenarios of one app that run at once (``--device-option parallel=N``).
MAX_PARALLEL = 8


@dataclass(frozen=True, slots=True)
class AppRequest:
    """One app to test and how: the same fields whether they come from the command line, an
    app list row, the demo or a pytest fixture.

    ``app``: what the device kind understands (a model name or YAML, an APK, a package).
    ``app_config``: YAML with label, profile and features. ``label`` / ``profile``: overrides
    (an app list's columns) that refine, never replace, what was resolved. ``sources``: event
    sources added to the kind's defaults (``--source``). ``source_options``: what sources read
    (``frida`` = spawn | attach | off, ``frida_device``). ``reports``: report formats to build
    after each run (None: every format registered as a default one; (): none)."""

    app: str
    device: str = ""
    appium_url: str = ""
    app_config: str = ""
    label: str = ""
    profile: str = ""
    scenario: str = "all"
    results: str = "results"
    jurisdiction: str = "cn"
    app_type: str = ""
    reports: tuple[str, ...] | None = None
    fail_on: str = "high"
    #: report language (zh | en); '' follows the jurisdiction (cn → zh, eu → en)
    lang: str = ""
    sources: tuple[str, ...] = ()
    source_options: Mapping[str, str] = field(default_factory=dict)
    device_options: Mapping[str, str] = field(default_factory=dict)

    def device_request(self) -> DeviceRequest:
        return DeviceRequest(self.device or default_device(), self.appium_url, dict(self.device_options))


@dataclass(slots=True)
class RunOutcome:
    """One recorded, judged (and possibly reported) scenario run."""

    result: RunResult
    findings: list[Finding]
    reports: dict[str, Path] = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return self.result.run_dir


def sources_for(driver: Driver, *, extra: Sequence[str] = (), options: Mapping[str, str] | None = None) -> list[Source]:
    """The event sources of one run on ``driver``: its kind's defaults, then ``extra``."""
    kind = kind_of(driver)
    return make_sources((*kind.default_sources, *extra), driver, options or {})


class Assembly:
    """One app on one device: the pipeline assembled once (module docstring)."""

    def __init__(self, request: AppRequest, *, driver: Driver | None = None) -> None:
        self.request = request
        self.driver: Driver | None = driver
        self.kind: DeviceKind = kind_of(driver) if driver is not None else kind_for(request.device_request())
        self.app: AppConfig | None = None

    # -- before any device is touched -----------------------------------------------------------
    def check(self) -> None:
        """Bad input is an input error before any device is touched: the app reference (for
        this kind), the app config, the scenarios, the sources."""
        self.kind.check_app(self.request.app, "", None)
        self.kind.inspect_app(self.request.app)
        self.lanes(1)
        for name in self.request.sources:
            from harness.instrumentation.sources import source_spec

            source_spec(name)

    def lanes(self, scenarios: int) -> int:
        """How many of ``scenarios`` scenarios run at once: the kind's ``parallel_scenarios``
        or ``--device-option parallel=N`` (1..MAX_PARALLEL), never more than there are
        scenarios; 1 when a driver was handed in (a batch worker's device is one device)."""
        raw = str(self.request.device_options.get("parallel", "")).strip()
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= MAX_PARALLEL:
                raise InputError(f"--device-option parallel={raw[:40]!r}: give a whole number of scenarios to run at once, 1 to {MAX_PARALLEL}")
            wanted = int(raw)
        else:
            wanted = max(1, int(self.kind.parallel_scenarios))
        if self.driver is not None:
            return 1
        return max(1, min(wanted, scenarios))

    # -- the device ------------------------------------------------------------------------------
    def open(self) -> Driver:
        if self.driver is None:
            self.driver = self.kind.open(self.request.device_request())
        return self.driver

    def close(self) -> None:
        if self.driver is not None:
            self.driver.close()

    def __enter__(self) -> Assembly:
        self.open()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- the app ---------------------------------------------------------------------------------
    def resolve(self) -> AppConfig:
        self.app = resolve_app(self.open(), self.request.app, self.request.app_config or None, label=self.request.label, profile=self.request.profile)
        return self.app

    def scenarios(self) -> list[Scenario]:
        from harness.scenarios import resolve_scenarios

        return resolve_scenarios(self.request.scenario, self.kind.scenarios)

    # -- record, judge, report -------------------------------------------------------------------
    def record(self, scenario: Scenario, *, runs_dir: str | Path | None = None) -> RunResult:
        """Run one scenario with fresh event sources (the kind's defaults plus the request's)."""
        from harness.runner import Runner

        driver = self.open()
        app = self.app or self.resolve()
        sources = sources_for(driver, extra=self.request.sources, options=self.request.source_options)
        runner = Runner(driver, sources, runs_dir if runs_dir is not None else self.request.results)
        return runner.run(app, scenario, app_ref=self.request.app)

    def judge(self, run_dir: str | Path) -> list[Finding]:
        from harness.pipeline import analyze_run

        return analyze_run(run_dir, jurisdiction=self.request.jurisdiction, app_type=self.request.app_type or None)

    def report(self, run_dir: str | Path, formats: Sequence[str] | None = None) -> dict[str, Path]:
        from harness.reporting.build import build_reports

        fail_on = self.request.fail_on if self.request.fail_on != "never" else "high"
        wanted = formats if formats is not None else self.request.reports
        return build_reports(Path(run_dir), tuple(wanted) if wanted is not None else None, fail_on=fail_on, lang=self.request.lang)

    def run(self, scenario: Scenario) -> RunOutcome:
        """Record, judge and report one scenario."""
        res = self.record(scenario)
        findings = self.judge(res.run_dir)
        reports = self.report(res.run_dir) if self.request.reports != () else {}
        return RunOutcome(res, findings, reports)


def run_app(request: AppRequest, *, on_run: Callable[[RunOutcome], None] | None = None, scenarios: Sequence[Scenario] | None = None, progress: Callable[[Sequence[Any]], Any] | None = None) -> Iterator[RunOutcome]:
    """Check, open, resolve, then record + judge + report every scenario of ``request``; yields
    each outcome (in scenario order) and stops after a run that hit an infrastructure error. The
    driver is closed when the generator ends. A kind that runs scenarios at once runs them in
    lanes (module docstring)."""
    asm = Assembly(request)
    asm.check()
    todo = list(scenarios) if scenarios is not None else asm.scenarios()
    lanes = asm.lanes(len(todo))
    if lanes > 1:
        yield from _run_in_lanes(request, todo, lanes, on_run=on_run, progress=progress)
        return
    with asm:
        asm.resolve()
        items = progress(todo) if progress is not None else todo
        for sc in items:
            out = asm.run(sc)
            if on_run is not None:
                on_run(out)
            yield out
            if out.result.infrastructure_error:
                return


def _run_in_lanes(request: AppRequest, todo: Sequence[Scenario], lanes: int, *, on_run: Callable[[RunOutcome], None] | None, progress: Callable[[Sequence[Any]], Any] | None) -> Iterator[RunOutcome]:
    """``todo`` on ``lanes`` threads, each with a driver of its own (module docstring).

    A lane takes the next scenario not yet taken until none is left. A lane whose run hit an
    infrastructure error takes no more (its device is suspect; the other lanes go on). Outcomes
    are yielded in scenario order as soon as each and those before it are done; a scenario that
    no lane could run ends the iteration after the ones before it, re-raising the error that
    kept every lane from running it (a driver that would not open, an app that would not
    resolve). Leaving the iteration early lets the lanes finish the runs they are in, then
    closes their drivers."""
    # imported once here, before any lane starts, so no two threads import them at once
    from harness.pipeline import analyze_run  # noqa: F401
    from harness.reporting.build import build_reports  # noqa: F401
    from harness.runner import Runner  # noqa: F401

    done: list[RunOutcome | None] = [None] * len(todo)
    failed: dict[int, BaseException] = {}
    lane_errors: list[BaseException] = []
    cond = threading.Condition()
    state = {"next": 0, "live": lanes, "stop": False}

    def take() -> int | None:
        with cond:
            if state["stop"] or state["next"] >= len(todo):
                return None
            i = state["next"]
            state["next"] = i + 1
            return i

    def lane() -> None:
        try:
            with Assembly(request) as asm:  # opened, used and closed in this thread
                asm.resolve()
                while (i := take()) is not None:
                    try:
                        out = asm.run(todo[i])
                    except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                        with cond:
                            failed[i] = exc
                            cond.notify_all()
                        return
                    with cond:
                        done[i] = out
                        cond.notify_all()
                    if out.result.infrastructure_error:
                        return
        except BaseException as exc:  # noqa: BLE001 - a driver that would not open or close
            with cond:
                lane_errors.append(exc)
        finally:
            with cond:
                state["live"] -= 1
                cond.notify_all()

    threads = [threading.Thread(target=lane, name=f"consent-harness-lane-{k + 1}", daemon=True) for k in range(lanes)]
    for t in threads:
        t.start()
    try:
        items = progress(todo) if progress is not None else todo
        for i, _sc in enumerate(items):
            with cond:
                while done[i] is None and i not in failed and not (state["live"] == 0 and i >= state["next"]):
                    cond.wait()
                out, exc = done[i], failed.get(i)
            if exc is not None:
                raise exc
            if out is None:
                if lane_errors:
                    raise lane_errors[0]
                return
            if on_run is not None:
                on_run(out)
            yield out
    finally:
        with cond:
            state["stop"] = True
        for t in threads:
            t.join()


def check_request(request: AppRequest) -> None:
    """Raise InputError for a request that cannot run (used by adapters before any work)."""
    if not request.app:
        raise InputError("no app given")
    Assembly(request).check()
