"""The standard scenario steps. Each reads the screen through the consent-UI recogniser and
records what it did; none decides whether the app broke a rule (that is the detectors' job).

Steps: launch, relaunch, wait_idle, observe, decide_privacy, decide_permissions, decide_cmp,
exercise, assert_functional, tap, back, home.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree as SafeET

from harness.errors import HarnessError, StepError
from harness.events import ConsentDecision, ErrorRecord
from harness.scenarios.registry import Param, register

if TYPE_CHECKING:
    from harness.runner import AppFeature, Screen, StepContext

__all__ = ["decide_privacy_once", "decide_cmp_once", "find_node"]

PERMISSION_CHOICES = ("allow", "allow_while_using", "allow_once", "deny", "deny_dont_ask_again")
_BOUNDS = re.compile(r"\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]")


class _Node:
    """A control found by id or text, with the same shape the recogniser's controls have."""

    def __init__(self, text: str, rid: str, bounds: tuple[int, int, int, int]) -> None:
        self.text = text
        self.resource_id = rid
        self.role = "other"
        self.bounds = bounds

    @property
    def center(self) -> tuple[int, int]:
        x1, y1, x2, y2 = self.bounds
        return (x1 + x2) // 2, (y1 + y2) // 2


def find_node(xml: str, target: str) -> _Node | None:
    """The node whose resource id ends with ':id/<target>' (or equals it), or whose text or
    content-desc equals ``target``; clickable nodes first."""
    try:
        root = SafeET.fromstring(xml.encode("utf-8"))
    except Exception:  # noqa: BLE001 - an unreadable screen simply has no such node
        return None
    best: _Node | None = None
    for el in root.iter():
        rid = el.get("resource-id", "") or ""
        text = el.get("text", "") or ""
        desc = el.get("content-desc", "") or ""
        if rid.endswith(f":id/{target}") or rid == target or text == target or desc == target:
            m = _BOUNDS.fullmatch(el.get("bounds", "") or "")
            if not m:
                continue
            node = _Node(text or desc, rid, (int(m[1]), int(m[2]), int(m[3]), int(m[4])))
            if el.get("clickable") == "true":
                return node
            best = best or node
    return best


def _first(reading: Any, *roles: str) -> Any:
    for role in roles:
        c = reading.control(role)
        if c is not None:
            return c
    return None


def _snap_seq(screen: Screen) -> int:
    return screen.snapshot.seq if screen.snapshot is not None else -1


def decide_privacy_once(ctx: StepContext, screen: Screen, choice: str, *, standing: bool = False) -> bool:
    """Answer one privacy prompt (and its second-confirm) with ``choice``. True if it acted."""
    r = screen.reading
    if screen.kind == "second_confirm":
        if choice == "accept":
            c = _first(r, "accept", "reconsider")
        else:
            c = _first(r, "confirm_decline", "decline_exit", "decline", "browse_only")
        if c is None:
            return False
        ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice=choice, how=f"tap:{c.text or c.resource_id}", taps=1, screen_seq=_snap_seq(screen)))
        ctx.tap_control(c)
        return True
    if choice == "accept":
        taps = 0
        for box in getattr(r, "checkboxes", ()):
            if getattr(box, "consent", False) and not box.checked:
                x1, y1, x2, y2 = box.bounds
                ctx.action("tap", x=(x1 + x2) // 2, y=(y1 + y2) // 2, text=str(box.text)[:200], resource_id=box.resource_id, role="consent_checkbox")
                ctx.driver.tap((x1 + x2) // 2, (y1 + y2) // 2)
                taps += 1
        c = _first(r, "accept")
        if c is None:
            ctx.record(ErrorRecord(t=ctx.now(), where="decide_privacy", message="no accept control on the privacy prompt"))
            return False
        ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="accept", how=f"tap:{c.text or c.resource_id}", taps=taps + 1, screen_seq=_snap_seq(screen)))
        ctx.tap_control(c)
        return True
    if choice == "dismiss" or (choice == "decline" and _first(r, "decline", "decline_exit", "browse_only") is None):
        # No way to refuse (e.g. only 好的 / 我知道了): the refusal is expressed by backing out.
        close = _first(r, "close")
        how = f"tap:{close.text or close.resource_id or 'close'}" if close is not None else "back"
        ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="dismiss", how=how, taps=1, screen_seq=_snap_seq(screen)))
        if close is not None:
            ctx.tap_control(close)
        else:
            ctx.action("back", role="dismiss")
            ctx.driver.back()
        return True
    c = _first(r, "decline", "decline_exit", "browse_only")
    first_seq = _snap_seq(screen)
    ctx.tap_control(c)
    ctx.driver.sleep(0.3)
    nxt = ctx.screen()
    taps = 1
    how = f"tap:{c.text or c.resource_id}"
    if nxt.kind == "second_confirm":
        c2 = _first(nxt.reading, "confirm_decline", "decline_exit", "decline", "browse_only")
        if c2 is not None:
            taps = 2
            how += f" > tap:{c2.text or c2.resource_id}"
            ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="decline", how=how, taps=taps, screen_seq=first_seq))
            ctx.tap_control(c2)
            return True
        ctx.record(ErrorRecord(t=ctx.now(), where="decide_privacy", message="second-confirm prompt offers no way to keep the refusal"))
    ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="decline", how=how, taps=taps, screen_seq=first_seq))
    return True


def decide_cmp_once(ctx: StepContext, screen: Screen, choice: str) -> bool:
    r = screen.reading
    if choice == "accept":
        c = _first(r, "accept")
        if c is None:
            return False
        ctx.record(ConsentDecision(t=ctx.now(), subject="cmp", choice="accept", how=f"tap:{c.text}", taps=1, screen_seq=_snap_seq(screen)))
        ctx.tap_control(c)
        return True
    c = _first(r, "decline")
    if c is not None:
        ctx.record(ConsentDecision(t=ctx.now(), subject="cmp", choice="decline", how=f"tap:{c.text}", taps=1, screen_seq=_snap_seq(screen)))
        ctx.tap_control(c)
        return True
    m = _first(r, "manage_options")
    if m is None:
        return False
    ctx.tap_control(m)
    ctx.driver.sleep(0.5)
    nxt = ctx.screen()
    c = _first(nxt.reading, "decline", "confirm_decline")
    if c is None:
        ctx.record(ErrorRecord(t=ctx.now(), where="decide_cmp", message="no reject control after 'manage options'"))
        return False
    ctx.record(ConsentDecision(t=ctx.now(), subject="cmp", choice="decline", how=f"tap:{m.text} > tap:{c.text}", taps=2, screen_seq=_snap_seq(screen)))
    ctx.tap_control(c)
    return True


def _wait_for(ctx: StepContext, kinds: tuple[str, ...], seconds: float) -> Screen:
    screen = ctx.screen()
    waited = 0.0
    while screen.kind not in kinds and waited < seconds:
        ctx.driver.sleep(1.0)
        waited += 1.0
        screen = ctx.screen()
    return screen


# -- steps ------------------------------------------------------------------------------------


@register("launch", params={"clear": Param(bool, False, doc="wipe app data first (fresh install state)"), "cold": Param(bool, True), "wait": Param(float, 3.0, minimum=0, maximum=120)})
def launch(ctx: StepContext, clear: bool, cold: bool, wait: float) -> None:
    """Start the app from its launcher icon; cold (process stopped first) unless told otherwise."""
    if clear:
        ctx.action("clear")
        ctx.driver.clear_data(ctx.package)
    elif cold:
        ctx.action("stop")
        ctx.driver.stop(ctx.package)
    ctx.action("launch")
    ctx.driver.launch(ctx.package)
    ctx.driver.sleep(wait)
    ctx.settle()


@register("relaunch", params={"wait": Param(float, 3.0, minimum=0, maximum=120)})
def relaunch(ctx: StepContext, wait: float) -> None:
    """Cold restart: stop the process, start it again from the launcher."""
    ctx.action("stop")
    ctx.driver.stop(ctx.package)
    ctx.action("relaunch")
    ctx.driver.launch(ctx.package)
    ctx.driver.sleep(wait)
    ctx.settle()


@register("wait_idle", params={"timeout": Param(float, 10.0, minimum=0, maximum=300)}, shorthand="timeout")
def wait_idle(ctx: StepContext, timeout: float) -> None:
    """Wait until the screen stops changing (two equal reads one second apart) or timeout."""
    last = ctx.screen().xml
    waited = 0.0
    while waited < timeout:
        ctx.driver.sleep(1.0)
        waited += 1.0
        now = ctx.screen().xml
        if now == last:
            return
        last = now


@register("observe", params={"seconds": Param(float, 30.0, minimum=0, maximum=86_400)}, shorthand="seconds")
def observe(ctx: StepContext, seconds: float) -> None:
    """Watch without touching anything for ``seconds``; read the screen at the end."""
    ctx.action("wait", text=f"{seconds:g}s")
    ctx.driver.sleep(seconds)
    ctx.screen()


@register(
    "decide_privacy",
    params={
        "choice": Param(str, "decline", choices=("accept", "decline", "dismiss")),
        "wait": Param(float, 10.0, minimum=0, maximum=120, doc="how long to wait for the prompt"),
        "standing": Param(bool, True, doc="apply the same choice whenever the prompt comes back"),
    },
    shorthand="choice",
)
def decide_privacy(ctx: StepContext, choice: str, wait: float, standing: bool) -> None:
    """Answer the in-app privacy-policy prompt: accept, decline (through any second confirm)
    or dismiss (back / close)."""
    if standing:
        ctx.standing["privacy"] = choice
    screen = _wait_for(ctx, ("privacy_dialog", "second_confirm"), wait)
    if screen.kind not in ("privacy_dialog", "second_confirm"):
        raise StepError(f"no privacy-policy prompt seen within {wait:g} s (screen reads as '{screen.kind}')")
    if not decide_privacy_once(ctx, screen, choice):
        raise StepError(f"could not {choice} the privacy prompt: no matching control")
    ctx.driver.sleep(1.0)
    ctx.settle()


@register(
    "decide_permissions",
    params={
        "choice": Param(str, "deny", choices=PERMISSION_CHOICES),
        "wait": Param(float, 3.0, minimum=0, maximum=120),
        "standing": Param(bool, True, doc="answer every later permission dialog the same way"),
    },
    shorthand="choice",
)
def decide_permissions(ctx: StepContext, choice: str, wait: float, standing: bool) -> None:
    """Answer runtime-permission dialogs with ``choice``: those on screen now and, if standing,
    every one that appears later in the run."""
    if standing:
        ctx.standing["permission"] = choice
    screen = _wait_for(ctx, ("permission_dialog",), wait)
    rounds = 0
    while screen.kind == "permission_dialog" and rounds < 12:
        if not ctx.answer_permission(screen, choice):
            raise StepError(f"could not '{choice}' the permission dialog for {screen.reading.permission_group or 'an unknown group'}")
        rounds += 1
        ctx.driver.sleep(0.5)
        screen = ctx.screen()
    ctx.settle()


@register("decide_cmp", params={"choice": Param(str, "reject", choices=("accept", "reject")), "wait": Param(float, 5.0, minimum=0, maximum=120), "standing": Param(bool, True)}, shorthand="choice")
def decide_cmp(ctx: StepContext, choice: str, wait: float, standing: bool) -> None:
    """Answer a consent-management (TCF-style) dialog: accept all, or reject (directly or
    through 'manage options')."""
    mapped = "accept" if choice == "accept" else "decline"
    if standing:
        ctx.standing["cmp"] = mapped
    screen = _wait_for(ctx, ("cmp_dialog",), wait)
    if screen.kind != "cmp_dialog":
        raise StepError(f"no consent-management dialog seen within {wait:g} s")
    if not decide_cmp_once(ctx, screen, mapped):
        raise StepError(f"could not {choice} the consent-management dialog")
    ctx.driver.sleep(1.0)
    ctx.settle()


def _features(ctx: StepContext, which: str) -> list[AppFeature]:
    if which == "all":
        return list(ctx.app.features)
    if which == "basic":
        return [f for f in ctx.app.features if f.basic]
    f = ctx.app.feature(which)
    if f is None:
        known = ", ".join(x.name for x in ctx.app.features) or "none configured"
        raise HarnessError(f"unknown feature '{which}' (known: {known})")
    return [f]


def _run_feature(ctx: StepContext, feature: AppFeature) -> Screen:
    screen = ctx.settle()
    for i, target in enumerate(feature.taps):
        node = find_node(screen.xml, target)
        backs = 0
        while node is None and i == 0 and backs < 3:
            # navigate back towards where the feature starts
            if ctx.app_gone(screen):
                ctx.action("launch")
                ctx.driver.launch(ctx.package)
                ctx.driver.sleep(2.0)
            else:
                ctx.action("back")
                ctx.driver.back()
                ctx.driver.sleep(0.5)
            backs += 1
            screen = ctx.settle()
            node = find_node(screen.xml, target)
        if node is None:
            raise StepError(f"feature '{feature.name}': control '{target}' not found on screen ({screen.kind}, {screen.package})")
        x, y = node.center
        ctx.action("tap", x=x, y=y, text=node.text, resource_id=node.resource_id, role="feature", intent=feature.intent)
        ctx.driver.tap(x, y)
        ctx.driver.sleep(1.0)
        screen = ctx.settle()
    return screen


@register("exercise", params={"feature": Param(str, "all", doc="'all', 'basic' or a feature name")}, shorthand="feature")
def exercise(ctx: StepContext, feature: str) -> None:
    """Use the app's features as a user would (taps from the app's feature map), letting the
    standing consent decisions answer any prompt on the way."""
    failures = []
    for f in _features(ctx, feature):
        try:
            _run_feature(ctx, f)
        except StepError as exc:
            failures.append(str(exc))
    if failures:
        raise StepError("; ".join(failures))


@register("assert_functional", params={"feature": Param(str, "basic")}, shorthand="feature")
def assert_functional(ctx: StepContext, feature: str) -> None:
    """Check that a function still works: run its path and look for its expected result with
    the app still in front. A failure here is evidence that refusing consent blocked it."""
    feats = _features(ctx, feature)
    if not feats:
        raise HarnessError(f"no '{feature}' feature configured for {ctx.package}: nothing to check")
    problems = []
    for f in feats:
        try:
            screen = _run_feature(ctx, f)
        except StepError as exc:
            problems.append(str(exc))
            continue
        if ctx.app_gone(screen):
            problems.append(f"'{f.name}': the app is no longer in front ({screen.package or 'unknown'})")
        elif f.expect and find_node(screen.xml, f.expect) is None:
            problems.append(f"'{f.name}': expected '{f.expect}' not on screen (screen reads as '{screen.kind}')")
    if problems:
        raise StepError("basic function blocked: " + "; ".join(problems))


@register("tap", params={"target": Param(str, required=True, doc="resource id or exact text"), "intent": Param(str, "")}, shorthand="target")
def tap(ctx: StepContext, target: str, intent: str) -> None:
    """Tap one control by resource id or text."""
    screen = ctx.screen()
    node = find_node(screen.xml, target)
    if node is None:
        raise StepError(f"control '{target}' not found on screen")
    x, y = node.center
    ctx.action("tap", x=x, y=y, text=node.text, resource_id=node.resource_id, intent=intent)
    ctx.driver.tap(x, y)
    ctx.driver.sleep(1.0)
    ctx.settle()


@register("back")
def back(ctx: StepContext) -> None:
    """Press Back."""
    ctx.action("back")
    ctx.driver.back()
    ctx.driver.sleep(1.0)
    ctx.settle()


@register("home", params={"wait": Param(float, 1.0, minimum=0, maximum=120)})
def home(ctx: StepContext, wait: float) -> None:
    """Press Home: the app goes to the background."""
    ctx.action("home")
    ctx.driver.home()
    ctx.driver.sleep(wait)
    ctx.screen()
