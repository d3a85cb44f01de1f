"""What a scenario step works with: :class:`StepContext`, made of four parts with one job each.

==================  ==========================================================================
:class:`Recorder`   writes events to the run's timeline on the run's clock; notes that an input
                    was sent (so the next screen read is recorded even when unchanged)
:class:`ScreenReader`  reads the screen once per call: the one bounded parser, the recogniser,
                    the dump and screenshot in the run folder, a UiSnapshot when it changed
:class:`AppControl` launches, stops and clears the app, telling the run's event sources
                    (:class:`harness.instrumentation.sources.SourceSet`)
:class:`Answers`    the scenario's standing answers and the prompt answerers (permission
                    dialogs here; privacy and CMP prompts registered by the standard steps with
                    :func:`register_answerer`), applied by ``settle``
==================  ==========================================================================

:class:`StepContext` holds the four and keeps the short names steps use (``ctx.record``,
``ctx.screen()``, ``ctx.settle()``, ``ctx.launch_app()``, ``ctx.standing``...). This module sits
below the runner and the steps: neither imports the other through it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.app import AppConfig
from harness.consent_ui.model import ReadContext
from harness.consent_ui.parse import Hierarchy, page_texts, parse_hierarchy
from harness.devices.base import Driver
from harness.errors import HarnessError, ScreenParseError
from harness.events import (
    ConsentDecision,
    ErrorRecord,
    Event,
    PermissionRequest,
    PermissionResult,
    UiAction,
    UiSnapshot,
)
from harness.instrumentation.sources import SourceSet
from harness.observations import ScreenObservation
from harness.rundir import RunDir
from harness.sanitize import clean_text
from harness.timeline import Timeline

__all__ = [
    "MAX_SAVED_DUMP_CHARS",
    "HOME_PACKAGES",
    "Screen",
    "read_tree",
    "Recorder",
    "ScreenReader",
    "AppControl",
    "Answers",
    "Answerer",
    "register_answerer",
    "StepContext",
]

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


def read_tree(tree: Hierarchy, context: ReadContext | None = None) -> Any:
    """The consent-UI recogniser's reading of a parsed screen (the default ``read``), told what
    came just before it (:class:`harness.consent_ui.ReadContext`)."""
    from harness.consent_ui import read_hierarchy

    return read_hierarchy(tree, context)


class Recorder:
    """Writes events to the timeline, stamped with the run's clock."""

    __slots__ = ("timeline", "clock", "acted", "after")

    def __init__(self, timeline: Timeline, clock: Callable[[], float]) -> None:
        self.timeline = timeline
        self.clock = clock
        self.acted = False  # an input was sent since the last screen read
        #: what the last input did, told to the recogniser with each read ("decline": it refused
        #: a privacy prompt, set by the step right after its tap; any other input clears it)
        self.after = ""

    def record(self, event: Event) -> Event:
        return self.timeline.append(event)

    def now(self) -> float:
        return self.clock()

    def action(self, action: str, *, x: int = -1, y: int = -1, text: str = "", resource_id: str = "", role: str = "", intent: str = "") -> Event:
        """Record an input *before* it is sent (its effects are never earlier than it)."""
        self.acted = True  # the next screen read is recorded even if unchanged: it shows the effect
        self.after = ""
        return self.record(UiAction(t=self.now(), action=action, x=x, y=y, text=text[:200], resource_id=resource_id[:200], role=role, user_intent=intent))


class ScreenReader:
    """Reads the screen: parse once (the one bounded parser), recognise, keep the dump."""

    __slots__ = ("driver", "run_dir", "recorder", "read", "last_hash", "shots")

    def __init__(self, driver: Driver, run_dir: RunDir, recorder: Recorder, read: Callable[[Hierarchy, ReadContext], Any] = read_tree) -> None:
        self.driver = driver
        self.run_dir = run_dir
        self.recorder = recorder
        self.read = read  # the recogniser, applied to the parsed tree
        self.last_hash = ""
        self.shots = 0

    def screen(self, *, force_record: bool = False) -> Screen:
        """Read the screen; record a UiSnapshot when it changed since the last one, or when an
        input was sent since the last read (so the record shows a prompt that ignored it)."""
        rec = self.recorder
        # app-controlled text enters here: the one input sanitiser (lone surrogates -> U+FFFD)
        xml = clean_text(self.driver.hierarchy())
        pkg = clean_text(self.driver.foreground_package())
        tree: Hierarchy | None
        try:
            tree = parse_hierarchy(xml)  # the one bounded parser; nothing else parses this dump
            reading = self.read(tree, ReadContext(after=self.recorder.after))
        except ScreenParseError as exc:
            # a malformed or hostile dump: recorded, read as an unknown screen; the run goes on
            from harness.consent_ui.model import ScreenReading

            tree = None
            reading = ScreenReading(reasons=(f"unreadable screen: {exc}"[:300],))
            rec.record(ErrorRecord(t=rec.now(), where="consent_ui", message=str(exc)[:1000]))
        if len(xml) > MAX_SAVED_DUMP_CHARS:
            xml_saved = xml[:MAX_SAVED_DUMP_CHARS]
        else:
            xml_saved = xml
        digest = hashlib.sha256(xml.encode("utf-8", errors="replace")).hexdigest()[:16]
        snap = None
        if force_record or rec.acted or digest != self.last_hash:
            rec.acted = False
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
            observed = ScreenObservation.from_mapping(reading.to_dict())  # typed and bounded
            texts = page_texts(tree)  # bounded, with a count of what was left out
            snap_ev = rec.record(
                UiSnapshot(
                    t=rec.now(),
                    source="runner",
                    screen_id=digest,
                    hierarchy_hash=digest,
                    hierarchy_path=f"screens/{xml_path.name}",
                    screenshot_path=shot,
                    package=pkg,
                    screen_kind=str(reading.kind),
                    confidence=float(reading.confidence),
                    reading=observed,
                    texts=texts.texts,
                    texts_omitted=texts.omitted,
                )
            )
            assert isinstance(snap_ev, UiSnapshot)
            snap = snap_ev
        return Screen(xml, reading, pkg, snap, tree)


class AppControl:
    """The app's process: launch, force-stop, clear; the run's event sources are told about
    each (a source may take a launch: see harness.instrumentation.sources)."""

    __slots__ = ("driver", "package", "sources", "home_package")

    def __init__(self, driver: Driver, package: str, sources: SourceSet | None = None) -> None:
        self.driver = driver
        self.package = package
        self.sources = sources
        self.home_package: str | None = None  # the driver's home screen package, read once

    def launch(self) -> None:
        if self.sources is not None:
            self.sources.launch(self.driver, self.package)
        else:
            self.driver.launch(self.package)

    def stop(self) -> None:
        self.driver.stop(self.package)
        if self.sources is not None:
            self.sources.stopped(self.package, "force-stop")

    def clear(self) -> None:
        self.driver.clear_data(self.package)
        if self.sources is not None:
            self.sources.stopped(self.package, "clear")

    def gone(self, screen: Screen) -> bool:
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


#: Answers one prompt on ``screen`` with ``choice``; True when it acted.
Answerer = Callable[["StepContext", Screen, str], bool]

#: screen kind -> (the standing answer it uses, the answerer)
_ANSWERERS: dict[str, tuple[str, Answerer]] = {}


def register_answerer(kinds: tuple[str, ...], standing_key: str, answerer: Answerer) -> None:
    """Let ``settle`` answer prompts of these screen kinds with the standing answer stored
    under ``standing_key`` (the standard steps register privacy and CMP prompts)."""
    for kind in kinds:
        _ANSWERERS[kind] = (standing_key, answerer)


class Answers:
    """The scenario's standing answers ('privacy' / 'permission' / 'cmp' -> choice) and the
    prompts that ignored them."""

    __slots__ = ("standing", "ignored")

    def __init__(self) -> None:
        self.standing: dict[str, str] = {}
        self.ignored: set[str] = set()  # screens whose prompt ignored a standing answer


@dataclass
class StepContext:
    """What a step may use: the device, the app, and the four parts (module docstring)."""

    driver: Driver
    package: str
    app: AppConfig
    timeline: Timeline
    run_dir: RunDir
    clock: Callable[[], float]
    read: Callable[[Hierarchy, ReadContext], Any] = read_tree  # the recogniser, applied to the parsed tree and a ReadContext
    sources: SourceSet | None = None  # the run's event sources, told about launches and stops
    recorder: Recorder = field(init=False)
    reader: ScreenReader = field(init=False)
    control: AppControl = field(init=False)
    answers: Answers = field(init=False)

    def __post_init__(self) -> None:
        self.recorder = Recorder(self.timeline, self.clock)
        self.reader = ScreenReader(self.driver, self.run_dir, self.recorder, self.read)
        self.control = AppControl(self.driver, self.package, self.sources)
        self.answers = Answers()

    # -- short names the steps use -----------------------------------------------------------
    @property
    def standing(self) -> dict[str, str]:
        return self.answers.standing

    @property
    def ignored(self) -> set[str]:
        return self.answers.ignored

    @property
    def last_hash(self) -> str:
        return self.reader.last_hash

    @property
    def after(self) -> str:
        """What the last input did, as the recogniser is told ("decline" or "")."""
        return self.recorder.after

    @after.setter
    def after(self, value: str) -> None:
        self.recorder.after = value

    def record(self, event: Event) -> Event:
        return self.recorder.record(event)

    def now(self) -> float:
        return self.recorder.clock()

    def action(self, action: str, *, x: int = -1, y: int = -1, text: str = "", resource_id: str = "", role: str = "", intent: str = "") -> Event:
        return self.recorder.action(action, x=x, y=y, text=text, resource_id=resource_id, role=role, intent=intent)

    def screen(self, *, force_record: bool = False) -> Screen:
        return self.reader.screen(force_record=force_record)

    def launch_app(self) -> None:
        """Launch the app (the run's event sources are told and may take the launch)."""
        self.control.launch()

    def stop_app(self) -> None:
        """Force-stop the app's process (the event sources are told)."""
        self.control.stop()

    def clear_app(self) -> None:
        """Wipe the app's data and permission state (``pm clear``, which also kills it)."""
        self.control.clear()

    def app_gone(self, screen: Screen) -> bool:
        return self.control.gone(screen)

    def in_app(self, screen: Screen) -> bool:
        return screen.package == self.package

    def tap_control(self, control: Any, *, intent: str = "") -> None:
        x, y = control.center
        self.action("tap", x=x, y=y, text=control.text or "", resource_id=control.resource_id or "", role=control.role, intent=intent)
        self.driver.tap(x, y)

    # -- consent decisions -------------------------------------------------------------------
    def answer_permission(self, screen: Screen, choice: str) -> bool:
        """Answer one system permission dialog with the scenario's choice. Records the dialog as
        a PermissionRequest (via dialog), the decision and the resulting state."""
        r = screen.reading
        # a browser's prompt may ask for what Android has no group for (clipboard, the in-app
        # profile): the device that draws the prompt names it
        asked = getattr(self.driver, "prompt_group", None)
        group = r.permission_group or (str(asked() or "") if callable(asked) else "") or "UNKNOWN"
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
        standing = self.answers.standing
        for _ in range(max_rounds):
            before = self.reader.last_hash
            if before in self.answers.ignored:
                break
            kind = screen.kind
            entry = _ANSWERERS.get(kind)
            if entry is None or entry[0] not in standing:
                break
            key, answer = entry
            if not answer(self, screen, standing[key]):
                break
            self.driver.sleep(0.3)
            screen = self.screen()
            if self.reader.last_hash == before:
                self.answers.ignored.add(before)
                self.record(ErrorRecord(t=self.now(), where="settle", message=f"the {kind} did not change after the standing '{standing.get(key, '')}' answer; not answering it again"))
                break
        return screen


register_answerer(("permission_dialog",), "permission", lambda ctx, screen, choice: ctx.answer_permission(screen, choice))
