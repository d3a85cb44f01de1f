"""The runner: the only orchestrator. It drives one app through one scenario on one device and
records everything into ``results/<run-id>/`` (see harness/rundir.py).

Record first, judge later: the runner never decides whether something is a violation. It reads
the screen through the consent-UI recogniser, takes the decisions the scenario asks for, and
writes UiSnapshot, UiAction, ConsentDecision, PermissionRequest/Result and StepMarker events;
instrumentation adds ApiCall, PermissionRequest and AppState events to the same timeline.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness import __version__
from harness.app import AppConfig, AppFeature
from harness.consent_ui.parse import Hierarchy, page_texts, parse_hierarchy
from harness.devices.base import Driver
from harness.errors import HarnessError, InfrastructureError, ScreenParseError, StepError
from harness.events import (
    ConsentDecision,
    ErrorRecord,
    Event,
    PermissionRequest,
    PermissionResult,
    RunMarker,
    StepMarker,
    UiAction,
    UiSnapshot,
)
from harness.instrumentation.base import Instrumentation, Target
from harness.instrumentation.sources import Source, SourceSet, as_sources
from harness.rundir import RunDir, RunInfo
from harness.scenarios.model import Scenario
from harness.scenarios.registry import get_step
from harness.timeline import Timeline

__all__ = ["AppFeature", "AppConfig", "Runner", "RunResult", "StepContext", "Screen"]

MAX_READING_CHARS = 64_000
MAX_SAVED_DUMP_CHARS = 8 * 1024 * 1024  # a larger (hostile) dump is kept cut at this size
#: Home-screen packages of common Android builds (exact names). The driver's own
#: ``launcher_package`` (the device's default HOME activity, when it can tell) comes first.
HOME_PACKAGES = frozenset(
    {
        "com.android.launcher",
        "com.android.launcher2",
        "com.android.launcher3",
        "com.google.android.apps.nexuslauncher",
        "com.miui.home",
        "com.huawei.android.launcher",
        "com.hihonor.android.launcher",
        "com.sec.android.app.launcher",
        "com.oppo.launcher",
        "com.bbk.launcher2",
        "net.oneplus.launcher",
        "com.meizu.flyme.launcher",
    }
)


@dataclass(slots=True)
class Screen:
    """What the runner read from the screen at one moment: the dump as text (for its hash and
    the run folder), the node tree the one bounded parser made of it (None when the dump was
    refused), the recogniser's reading of that tree, the foreground package and the snapshot
    recorded for it (None when the screen had not changed)."""

    xml: str
    reading: Any  # harness.consent_ui.ScreenReading
    package: str
    snapshot: UiSnapshot | None
    tree: Hierarchy | None = None

    @property
    def kind(self) -> str:
        return str(self.reading.kind)


@dataclass(slots=True)
class RunResult:
    run_dir: Path
    info: RunInfo
    step_failures: int = 0
    infrastructure_error: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "app"


def _read_tree(tree: Hierarchy) -> Any:
    from harness.consent_ui import read_hierarchy

    return read_hierarchy(tree)


@dataclass
class StepContext:
    """What a step may use: the device, the app, the timeline, and recording helpers."""

    driver: Driver
    package: str
    app: AppConfig
    timeline: Timeline
    run_dir: RunDir
    clock: Callable[[], float]
    standing: dict[str, str] = field(default_factory=dict)  # 'privacy' / 'permission' / 'cmp' -> choice
    last_hash: str = ""
    ignored: set[str] = field(default_factory=set)  # screens whose prompt ignored a standing answer
    acted: bool = False  # an input was sent since the last screen read
    shots: int = 0
    read: Callable[[Hierarchy], Any] = _read_tree  # the recogniser, applied to the parsed tree
    sources: SourceSet | None = None  # the run's event sources, told about launches and stops
    home_package: str | None = None  # the driver's home screen package, read once

    # -- the app's process -------------------------------------------------------------------
    def launch_app(self) -> None:
        """Launch the app; the run's event sources may take the launch (see
        harness.instrumentation.sources) and are told about it."""
        if self.sources is not None:
            self.sources.launch(self.driver, self.package)
        else:
            self.driver.launch(self.package)

    def stop_app(self) -> None:
        """Force-stop the app's process; the event sources are told."""
        self.driver.stop(self.package)
        if self.sources is not None:
            self.sources.stopped(self.package, "force-stop")

    def clear_app(self) -> None:
        """Wipe the app's data and permission state (``pm clear``, which also kills it)."""
        self.driver.clear_data(self.package)
        if self.sources is not None:
            self.sources.stopped(self.package, "clear")

    # -- recording ---------------------------------------------------------------------------
    def record(self, event: Event) -> Event:
        return self.timeline.append(event)

    def now(self) -> float:
        return self.clock()

    def action(self, action: str, *, x: int = -1, y: int = -1, text: str = "", resource_id: str = "", role: str = "", intent: str = "") -> Event:
        self.acted = True  # the next screen read is recorded even if unchanged: it shows the effect
        return self.record(UiAction(t=self.now(), action=action, x=x, y=y, text=text[:200], resource_id=resource_id[:200], role=role, user_intent=intent))

    # -- the screen --------------------------------------------------------------------------
    def screen(self, *, force_record: bool = False) -> Screen:
        """Read the screen; record a UiSnapshot when it changed since the last one, or when an
        input was sent since the last read (so the record shows a prompt that ignored it)."""
        xml = self.driver.hierarchy()
        pkg = self.driver.foreground_package()
        tree: Hierarchy | None
        try:
            tree = parse_hierarchy(xml)  # the one bounded parser; nothing else parses this dump
            reading = self.read(tree)
        except ScreenParseError as exc:
            # a malformed or hostile dump: recorded, read as an unknown screen; the run goes on
            from harness.consent_ui.model import ScreenReading

            tree = None
            reading = ScreenReading(reasons=(f"unreadable screen: {exc}"[:300],))
            self.record(ErrorRecord(t=self.now(), where="consent_ui", message=str(exc)[:1000]))
        if len(xml) > MAX_SAVED_DUMP_CHARS:
            xml_saved = xml[:MAX_SAVED_DUMP_CHARS]
        else:
            xml_saved = xml
        digest = hashlib.sha256(xml.encode("utf-8", errors="replace")).hexdigest()[:16]
        snap = None
        if force_record or self.acted or digest != self.last_hash:
            self.acted = False
            self.last_hash = digest
            self.run_dir.screens.mkdir(parents=True, exist_ok=True)
            xml_path = self.run_dir.screens / f"{digest}.xml"
            if not xml_path.exists():
                xml_path.write_text(xml_saved, encoding="utf-8", errors="replace")
            shot = ""
            self.shots += 1
            png = self.run_dir.screens / f"shot-{self.shots:04d}.png"
            try:
                if self.driver.screenshot(str(png)):
                    shot = f"screens/{png.name}"
            except HarnessError:
                shot = ""
            summary = reading.to_dict()
            summary["texts"] = list(page_texts(tree).texts)  # bounded: the page text policy rules read
            text = json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
            if len(text) > MAX_READING_CHARS:
                summary.pop("texts")
                text = json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
            if len(text) > MAX_READING_CHARS:
                text = json.dumps({"kind": reading.kind, "truncated": True}, ensure_ascii=False)
            snap_ev = self.record(
                UiSnapshot(
                    t=self.now(),
                    source="runner",
                    screen_id=digest,
                    hierarchy_hash=digest,
                    hierarchy_path=f"screens/{xml_path.name}",
                    screenshot_path=shot,
                    package=pkg,
                    screen_kind=str(reading.kind),
                    confidence=float(reading.confidence),
                    reading=text,
                )
            )
            assert isinstance(snap_ev, UiSnapshot)
            snap = snap_ev
        return Screen(xml, reading, pkg, snap, tree)

    def tap_control(self, control: Any, *, intent: str = "") -> None:
        x, y = control.center
        self.action("tap", x=x, y=y, text=control.text or "", resource_id=control.resource_id or "", role=control.role, intent=intent)
        self.driver.tap(x, y)

    def in_app(self, screen: Screen) -> bool:
        return screen.package == self.package

    def app_gone(self, screen: Screen) -> bool:
        """The app's process is gone, or the home screen is in front (an exact package: an
        app whose name merely contains 'launcher' is not the home screen)."""
        if not self.driver.is_running(self.package):
            return True
        fg = screen.package
        if not fg or fg == self.package:
            return False
        if self.home_package is None:
            self.home_package = str(getattr(self.driver, "launcher_package", "") or "")
        return fg == self.home_package or fg in HOME_PACKAGES

    # -- consent decisions -------------------------------------------------------------------
    def answer_permission(self, screen: Screen, choice: str) -> bool:
        """Answer one system permission dialog with the scenario's choice. Records the dialog as
        a PermissionRequest (via dialog), the decision and the resulting state."""
        r = screen.reading
        group = r.permission_group or "UNKNOWN"
        roles = {
            "allow": ("allow_always", "allow_foreground", "allow_once"),
            "allow_while_using": ("allow_foreground", "allow_always", "allow_once"),
            "allow_once": ("allow_once", "allow_foreground", "allow_always"),
            "deny": ("deny", "deny_dont_ask"),
            "deny_dont_ask_again": ("deny_dont_ask", "deny"),
        }[choice]
        control = next((c for role in roles if (c := r.control(role)) is not None), None)
        if control is None:
            self.record(ErrorRecord(t=self.now(), where="decide_permissions", message=f"no control for '{choice}' on the {group} dialog"))
            return False
        self.record(PermissionRequest(t=self.now(), source="runner", groups=(group,), via="dialog"))
        accept = choice.startswith("allow")
        self.record(ConsentDecision(t=self.now(), subject=f"permission:{group}", choice="accept" if accept else "decline", how=f"tap:{control.text or control.resource_id}", taps=1, screen_seq=screen.snapshot.seq if screen.snapshot else -1))
        self.tap_control(control)
        state = self.driver.permission_state(self.package).get(group, "")
        if state:
            self.record(PermissionResult(t=self.now(), source="driver", group=group, state=state))
        return True

    def settle(self, *, max_rounds: int = 8) -> Screen:
        """Read the screen and apply the scenario's standing decisions to consent prompts that
        appear on their own (a permission dialog while exercising a feature, the privacy
        dialog again on relaunch). Without standing decisions nothing is touched.

        A prompt that ignored the answer (the screen did not change: e.g. Back on a dialog that
        cannot be dismissed) is not answered again and again: it is remembered as ignored and
        left on screen, where later steps find it."""
        screen = self.screen()
        for _ in range(max_rounds):
            before = self.last_hash
            if before in self.ignored:
                break
            kind = screen.kind
            if kind == "permission_dialog" and "permission" in self.standing:
                if not self.answer_permission(screen, self.standing["permission"]):
                    break
            elif kind in ("privacy_dialog", "second_confirm") and "privacy" in self.standing:
                from harness.scenarios.steps import decide_privacy_once

                if not decide_privacy_once(self, screen, self.standing["privacy"], standing=True):
                    break
            elif kind == "cmp_dialog" and "cmp" in self.standing:
                from harness.scenarios.steps import decide_cmp_once

                if not decide_cmp_once(self, screen, self.standing["cmp"]):
                    break
            else:
                break
            self.driver.sleep(0.3)
            screen = self.screen()
            if self.last_hash == before:
                self.ignored.add(before)
                self.record(ErrorRecord(t=self.now(), where="settle", message=f"the {kind} did not change after the standing '{self.standing.get('privacy' if kind != 'permission_dialog' else 'permission', '')}' answer; not answering it again"))
                break
        return screen


class Runner:
    """Runs scenarios on one device with its event sources (started and stopped around every
    run, in order, with no special cases; see harness.instrumentation.sources).

    def __init__(self, driver: Driver, instrumentation: Instrumentation | None, results: str | Path = "results", *, hook_pack: str = "", read: Callable[[Hierarchy], Any] | None = None) -> None:
    or :class:`~harness.instrumentation.base.Instrumentation`, or None. ``hook_pack`` (run.json)
    defaults to what the sources say they watch with."""

    def __init__(self, driver: Driver, sources: Source | Instrumentation | Sequence[Source | Instrumentation] | None, results: str | Path = "results", *, hook_pack: str = "", read: Callable[[Hierarchy], Any] | None = None) -> None:
        self.driver = driver
        self.sources = as_sources(sources, hook_pack)
        self.results = Path(results)
        self.hook_pack = hook_pack or "+".join(s.hook_pack for s in self.sources if s.hook_pack)
        self.read = read or _read_tree

    def _run_id(self, package: str, scenario: str) -> str:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{_slug(package)}-{_slug(scenario)}"
        candidate, n = base, 1
        while (self.results / candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def run(self, app: AppConfig, scenario: Scenario, *, app_ref: str = "") -> RunResult:
        run_id = self._run_id(app.package, scenario.id)
        rd = RunDir(self.results / run_id)
        dev = self.driver.info()
        info = RunInfo(
            run_id=run_id,
            package=app.package,
            app=app_ref or app.package,
            app_label=app.label,
            scenario=scenario.id,
            device=asdict(dev),
            simulated=bool(dev.simulated),
            harness_version=__version__,
            hook_pack=self.hook_pack,
            started_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            profile=app.profile,
            extra={"scenario_title": scenario.title, "scenario_description": scenario.description},
        )
        if app.manifest is not None:
            info.extra["manifest"] = app.manifest
        rd.write_info(info)
        t0 = self.driver.now()

        def clock() -> float:
            return round(self.driver.now() - t0, 6)

        result = RunResult(rd.path, info)
        with Timeline(rd.timeline) as tl:
            sources = SourceSet(self.sources, tl.extend, app.package)
            ctx = StepContext(self.driver, app.package, app, tl, rd, clock, read=self.read, sources=sources)
            tl.append(RunMarker(t=clock(), phase="start", scenario=scenario.id, package=app.package))
            status = "completed"
            message = ""
            try:
                sources.start(Target(app.package), clock, rd.path, self.driver)
                for index, step in enumerate(scenario.steps):
                    failed = self._step(ctx, index, step.name, step.params)
                    result.step_failures += failed
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
        return 0 if status == "ok" else 1

