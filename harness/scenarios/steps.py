"""The standard scenario steps. Each reads the screen through the consent-UI recogniser and
records what it did; none decides whether the app broke a rule (that is the detectors' job).

Steps: launch, relaunch, wait_idle, observe, decide_privacy, decide_permissions, decide_cmp,
exercise, assert_functional, tap, back, home, explore.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.consent_ui.parse import Hierarchy
from harness.errors import HarnessError, StepError
from harness.events import ConsentDecision, ErrorRecord, ExploreFound, ExploreResult, UiSnapshot
from harness.scenarios.context import register_answerer
from harness.scenarios.registry import Param, register

if TYPE_CHECKING:
    from harness.app import AppFeature
    from harness.scenarios.context import Screen, StepContext

__all__ = ["decide_privacy_once", "decide_cmp_once", "find_node", "background_window", "BACKGROUND_WINDOW_ENV", "EXPLORE_TARGETS"]

PERMISSION_CHOICES = ("allow", "allow_while_using", "allow_once", "deny", "deny_dont_ask_again")
#: Most "are you sure?" prompts walked through after one privacy refusal.
MAX_CONFIRMS = 5
#: Most CMP layers (first layer, settings layer, vendor layer) walked to refuse.
MAX_CMP_LAYERS = 4
#: Most purpose / vendor switches turned off on one layer.
MAX_CMP_TOGGLES = 200


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


def find_node(tree: Hierarchy | None, target: str) -> _Node | None:
    """The node whose resource id ends with ':id/<target>' (or equals it), or whose text or
    content-desc equals ``target``; clickable nodes first. Reads the screen's parsed tree (an
    unreadable screen, ``None``, has no such node); nodes without bounds are skipped."""
    if tree is None:
        return None
    best: _Node | None = None
    suffix = f":id/{target}"
    for n in tree.nodes:
        rid, text, desc = n.rid, n.text, n.desc
        if rid.endswith(suffix) or rid == target or text == target or desc == target:
            if not n.has_bounds:
                continue
            node = _Node(text or desc, rid, n.bounds)
            if n.clickable:
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


def _prompt_seq(ctx: StepContext, screen: Screen) -> int:
    """The snapshot that shows ``screen``: its own, or (a read that changed nothing is not
    recorded again) the last one recorded."""
    if screen.snapshot is not None:
        return screen.snapshot.seq
    snaps = ctx.timeline.of(UiSnapshot)
    return snaps[-1].seq if snaps else -1


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
        if choice != "accept":
            ctx.after = "decline"  # the next screen is read knowing a refusal came just before it
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
    first_seq = _prompt_seq(ctx, screen)
    taps = 1
    how = f"tap:{c.text or c.resource_id}"
    # The refusal is on record before the tap that expresses it: what the app does after that
    # tap (at once, on a real device, while the harness still waits for the next screen) is
    # after the refusal. A refusal that needs confirmations is recorded again before each
    # confirming tap, with every tap so far (R43 reads the largest count for one prompt).
    ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="decline", how=how, taps=taps, screen_seq=first_seq))
    ctx.tap_control(c)
    ctx.after = "decline"  # the next screen is read knowing a refusal came just before it
    ctx.driver.sleep(0.3)
    nxt = ctx.screen()
    recorded = True
    # Walk every confirmation the app puts between the refusal and its end ("are you sure?",
    # then "really leave?"...).
    for _ in range(MAX_CONFIRMS):
        if nxt.kind != "second_confirm":
            break
        c2 = _first(nxt.reading, "confirm_decline", "decline_exit", "decline", "browse_only")
        if c2 is None:
            ctx.record(ErrorRecord(t=ctx.now(), where="decide_privacy", message="second-confirm prompt offers no way to keep the refusal"))
            break
        taps += 1
        how += f" > tap:{c2.text or c2.resource_id}"
        ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="decline", how=how[:500], taps=taps, screen_seq=first_seq))
        recorded = True
        ctx.tap_control(c2)
        ctx.after = "decline"
        ctx.driver.sleep(0.3)
        nxt = ctx.screen()
    if not recorded:
        ctx.record(ConsentDecision(t=ctx.now(), subject="privacy_policy", choice="decline", how=how, taps=taps, screen_seq=first_seq))
    return True


def _label(c: Any) -> str:
    return str(c.text or c.resource_id or "?")[:60]


def decide_cmp_once(ctx: StepContext, screen: Screen, choice: str) -> bool:
    """Answer one consent-management dialog. ``accept`` taps its accept; ``decline`` refuses
    without ever accepting on the user's behalf: "reject all" (or an equivalent) where the layer
    has one; else the settings layer ("manage options"), where "reject all" is tapped, or every
    purpose and vendor switch that is on is switched off and the choice saved. Every tap of the
    refusal is counted in one ConsentDecision (R43). False when no refusal path was found (the
    dialog is left as it is and an ErrorRecord says why)."""
    r = screen.reading
    if choice == "accept":
        c = _first(r, "accept")
        if c is None:
            return False
        ctx.record(ConsentDecision(t=ctx.now(), subject="cmp", choice="accept", how=f"tap:{c.text}", taps=1, screen_seq=_snap_seq(screen)))
        ctx.tap_control(c)
        return True
    first_seq = _prompt_seq(ctx, screen)
    path: list[str] = []
    cur = screen
    for _layer in range(MAX_CMP_LAYERS):
        rd = cur.reading
        if cur.kind != "cmp_dialog":
            break
        c = _first(rd, "decline")
        if c is not None:
            path.append(f"tap:{_label(c)}")
            ctx.record(ConsentDecision(t=ctx.now(), subject="cmp", choice="decline", how=" > ".join(path)[:500], taps=len(path), screen_seq=first_seq))
            ctx.tap_control(c)
            return True
        on = [b for b in getattr(rd, "checkboxes", ()) if b.consent and b.checked and getattr(b, "enabled", True)]
        if on:
            # a settings layer whose purposes / vendors are on: switch each off, then read again
            # (saving now refuses, and the reading says so)
            for b in on[:MAX_CMP_TOGGLES]:
                x1, y1, x2, y2 = b.bounds
                ctx.action("tap", x=(x1 + x2) // 2, y=(y1 + y2) // 2, text=str(b.text)[:200], resource_id=b.resource_id, role="consent_toggle_off")
                ctx.driver.tap((x1 + x2) // 2, (y1 + y2) // 2)
                path.append(f"off:{str(b.text or b.resource_id)[:40]}")
            ctx.driver.sleep(0.3)
            nxt = ctx.screen()
            still = [b for b in getattr(nxt.reading, "checkboxes", ()) if b.consent and b.checked and getattr(b, "enabled", True)]
            if nxt.kind == "cmp_dialog" and len(still) >= len(on):
                ctx.record(ErrorRecord(t=ctx.now(), where="decide_cmp", message="the consent switches did not turn off when tapped"))
                return False
            cur = nxt
            continue
        m = _first(rd, "manage_options")
        if m is None or any(p == f"tap:{_label(m)}" for p in path):
            break
        path.append(f"tap:{_label(m)}")
        ctx.tap_control(m)
        ctx.driver.sleep(0.5)
        cur = ctx.screen()
    ctx.record(ErrorRecord(t=ctx.now(), where="decide_cmp", message=f"no way to refuse the consent-management dialog (path so far: {' > '.join(path) or 'none'})"[:1000]))
    return False


# ``settle`` answers prompts that come back on their own with the scenario's standing answers
register_answerer(("privacy_dialog", "second_confirm"), "privacy", lambda ctx, screen, choice: decide_privacy_once(ctx, screen, choice, standing=True))
register_answerer(("cmp_dialog",), "cmp", decide_cmp_once)


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
        ctx.clear_app()
    elif cold:
        ctx.action("stop")
        ctx.stop_app()
    ctx.action("launch")
    ctx.launch_app()
    ctx.driver.sleep(wait)
    ctx.settle()


@register("relaunch", params={"wait": Param(float, 3.0, minimum=0, maximum=120)})
def relaunch(ctx: StepContext, wait: float) -> None:
    """Cold restart: stop the process, start it again from the launcher."""
    ctx.action("stop")
    ctx.stop_app()
    ctx.action("relaunch")
    ctx.launch_app()
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


#: Environment variable that sets the background-observation window on REAL devices (seconds),
#: for ``observe`` steps marked ``background: true``. rules.md's S2 idles 10 min in the
#: background; the standard suite does the same. On the reference device time is virtual, so the
#: full window always runs and this variable is ignored; on a real device a lab may choose a
#: shorter window for throughput (a documented profile choice: the window actually used is
#: recorded in the step's action text, e.g. "600s background").
BACKGROUND_WINDOW_ENV = "CONSENT_HARNESS_BACKGROUND_S"


def background_window(ctx: StepContext, seconds: float) -> float:
    """The background window for an ``observe`` step: ``seconds`` on the reference device (and
    by default on real devices), or $CONSENT_HARNESS_BACKGROUND_S on a real device when set."""
    import os

    if getattr(ctx.driver, "simulated", False):
        return seconds
    raw = os.environ.get(BACKGROUND_WINDOW_ENV, "").strip()
    if not raw:
        return seconds
    try:
        val = float(raw)
    except ValueError:
        raise StepError(f"{BACKGROUND_WINDOW_ENV}={raw[:40]!r} is not a number of seconds") from None
    if not 0 <= val <= 86_400:
        raise StepError(f"{BACKGROUND_WINDOW_ENV}={raw[:40]!r} must be between 0 and 86400 seconds")
    return val


@register(
    "observe",
    params={
        "seconds": Param(float, 30.0, minimum=0, maximum=86_400),
        "background": Param(bool, False, doc="a background window (rules.md: 10 min); real devices may shorten it with $" + BACKGROUND_WINDOW_ENV),
    },
    shorthand="seconds",
)
def observe(ctx: StepContext, seconds: float, background: bool) -> None:
    """Watch without touching anything for ``seconds``; read the screen at the end."""
    if background:
        seconds = background_window(ctx, seconds)
    ctx.action("wait", text=f"{seconds:g}s" + (" background" if background else ""))
    ctx.driver.sleep(seconds)
    ctx.screen()


@register(
    "decide_privacy",
    params={
        "choice": Param(str, "decline", choices=("accept", "decline", "dismiss")),
        "wait": Param(float, 10.0, minimum=0, maximum=120, doc="how long to wait for the prompt"),
        "standing": Param(bool, True, doc="apply the same choice whenever the prompt comes back"),
        "cmp": Param(str, "", choices=("", "accept", "reject"),
                     doc="also answer a consent-management (CMP) dialog met on the way, and any later one; an app that asks "
                         "for consent only through its CMP then passes the step"),
    },
    shorthand="choice",
)
def decide_privacy(ctx: StepContext, choice: str, wait: float, standing: bool, cmp: str) -> None:
    """Answer the in-app privacy-policy prompt: accept, decline (through any second confirm)
    or dismiss (back / close). With ``cmp``, a CMP consent dialog shown before or instead of it
    is answered too (reject: "reject all", or through its settings layer)."""
    if standing:
        ctx.standing["privacy"] = choice
    kinds: tuple[str, ...] = ("privacy_dialog", "second_confirm")
    cmp_done = False
    if cmp:
        ctx.standing["cmp"] = "accept" if cmp == "accept" else "decline"
        kinds += ("cmp_dialog",)
    screen = _wait_for(ctx, kinds, wait)
    for _ in range(3):
        if screen.kind != "cmp_dialog":
            break
        if not decide_cmp_once(ctx, screen, ctx.standing["cmp"]):
            raise StepError(f"could not {cmp} the consent-management dialog met before the privacy prompt")
        cmp_done = True
        ctx.driver.sleep(1.0)
        screen = _wait_for(ctx, kinds, wait)
    if screen.kind not in ("privacy_dialog", "second_confirm"):
        if cmp_done:
            ctx.settle()
            return  # consent is asked through the CMP only
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
        node = find_node(screen.tree, target)
        backs = 0
        while node is None and i == 0 and backs < 3:
            # navigate back towards where the feature starts
            if ctx.app_gone(screen):
                ctx.action("launch")
                ctx.launch_app()
                ctx.driver.sleep(2.0)
            else:
                ctx.action("back")
                ctx.driver.back()
                ctx.driver.sleep(0.5)
            backs += 1
            screen = ctx.settle()
            node = find_node(screen.tree, target)
        if node is None:
            raise StepError(f"feature '{feature.name}': control '{target}' not found on screen ({screen.kind}, {screen.package})")
        x, y = node.center
        before = screen.xml
        ctx.action("tap", x=x, y=y, text=node.text, resource_id=node.resource_id, role="feature", intent=feature.intent)
        ctx.driver.tap(x, y)
        ctx.driver.sleep(1.0)
        screen = ctx.settle()
        if i == 0 and screen.xml == before and not ctx.app_gone(screen):
            # the tap changed nothing: a modal in-app notice (e.g. an acknowledgement-only
            # "Location is off / Got it") sits over the page. A user dismisses it with Back and
            # tries again; a dialog that cannot be left that way (settings / exit only) stays a
            # block and the feature fails.
            ctx.action("back")
            ctx.driver.back()
            ctx.driver.sleep(0.5)
            screen = ctx.settle()
            node = find_node(screen.tree, target)
            if ctx.app_gone(screen) or node is None:
                raise StepError(f"feature '{feature.name}': control '{target}' could not be used ({screen.kind}, {screen.package})")
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


def _shows(tree: Hierarchy | None, expect: str) -> bool:
    """Whether a feature's expected result is on screen: a node with that id or exact text,
    or a visible text that contains it (a result line such as "半程马拉松 · 12 周" shows
    "半程马拉松"; whitespace folded, case-insensitive)."""
    if find_node(tree, expect) is not None:
        return True
    from harness.consent_ui.parse import page_texts

    want = " ".join(expect.split()).casefold()
    return bool(want) and any(want in t.casefold() for t in page_texts(tree).texts)


@register("assert_functional", params={"feature": Param(str, "basic", doc="'basic', 'all', a feature name, or 'auto': find the control that orders, pays or rents by its label")}, shorthand="feature")
def assert_functional(ctx: StepContext, feature: str) -> None:
    """Check that a function still works: run its path and look for its expected result with
    the app still in front. A failure here is evidence that refusing consent blocked it.
    ``auto`` needs no feature map: the basic function is found on screen by its labels
    (harness/scenarios/functions.yaml), as a user finds it on a page scanned from a QR code."""
    if feature == "auto":
        from harness.scenarios.functions import run_auto_function

        res = run_auto_function(ctx)
        if res.blocked or not res.reached:
            done = f" (tapped: {', '.join(res.tapped)})" if res.tapped else ""
            raise StepError(f"basic function blocked: {res.blocked or 'the function was not reached'}{done}")
        return
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
        elif f.expect and not _shows(screen.tree, f.expect):
            problems.append(f"'{f.name}': expected '{f.expect}' not on screen (screen reads as '{screen.kind}')")
    if problems:
        raise StepError("basic function blocked: " + "; ".join(problems))


@register("tap", params={"target": Param(str, required=True, doc="resource id or exact text"), "intent": Param(str, "")}, shorthand="target")
def tap(ctx: StepContext, target: str, intent: str) -> None:
    """Tap one control by resource id or text."""
    screen = ctx.screen()
    node = find_node(screen.tree, target)
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


# -- explore: settings exploration (S5) -------------------------------------------------------

#: What ``explore`` looks for, and the words that identify each target (substring match,
#: case-insensitive). ``policy`` is a page (a heading naming the policy); the others are controls
#: or texts on any page reached.
EXPLORE_TARGETS: dict[str, tuple[str, ...]] = {
    # Titles under which apps publish their policy: the names of the policy documents of widely
    # used Chinese apps (隐私政策 / 隐私权政策 / 隐私保护指引 / 个人信息保护指引 / 个人信息处理规则 /
    # 隐私声明 ...), GB/T 35273's "个人信息保护政策", children's rules (PIPL 31), and the usual
    # titles in the languages of the big app markets. Substring, case-insensitive.
    "policy": ("隐私政策", "隐私权政策", "个人信息保护政策", "隐私保护政策", "隐私保护指引", "个人信息保护指引", "个人信息保护规则",
               "个人信息处理规则", "个人信息收集与使用规则", "个人信息收集使用规则", "隐私声明", "隐私权声明", "隐私保护声明",
               "个人信息保护声明", "隐私条款", "隐私协议", "隐私权规则", "隐私保护说明", "儿童隐私保护指引", "儿童个人信息保护规则",
               "儿童个人信息保护政策", "隐私權政策", "隱私政策", "privacy policy", "privacy notice", "privacy statement",
               "data protection notice", "data policy", "privacy & cookie", "privacy and cookie", "datenschutzerklärung",
               "datenschutzhinweise", "politique de confidentialité", "política de privacidad", "informativa sulla privacy",
               "informativa privacy", "política de privacidade", "プライバシーポリシー", "個人情報保護方針", "개인정보 처리방침",
               "개인정보처리방침", "политика конфиденциальности",
               # more of the same markets (the titles Play listings link to): ja / ko / ru / ar / pt / it / fr / es / de
               "個人情報の取り扱い", "個人情報保護ポリシー", "プライバシー規約", "개인정보 보호정책", "개인정보보호정책",
               "개인정보 취급방침", "политика обработки персональных данных", "политика приватности",
               "سياسة الخصوصية", "إشعار الخصوصية", "بيان الخصوصية", "aviso de privacidade", "política de privacidad y cookies",
               "aviso de privacidad", "informativa sul trattamento", "déclaration de confidentialité", "privacybeleid",
               "datenschutzrichtlinie", "datenschutzhinweis"),
    "withdraw": ("撤回同意", "撤回授权", "撤销同意", "撤销授权", "隐私设置", "权限管理", "隐私权限", "授权管理", "同意管理",
                 "个人信息授权", "withdraw consent", "privacy settings", "manage permissions", "privacy choices", "manage consent",
                 "consent settings", "datenschutzeinstellungen", "paramètres de confidentialité",
                 # the same controls in the big app markets' languages (settings wording of Android / Play
                 # localisations and of widely used apps there): de / fr / es / it / pt / ja / ko / ru / ar
                 "einwilligung widerrufen", "zustimmung widerrufen", "einwilligungen verwalten", "retirer le consentement",
                 "retirer mon consentement", "gérer le consentement", "retirar el consentimiento", "retirar consentimiento",
                 "configuración de privacidad", "ajustes de privacidad", "revoca il consenso", "revocare il consenso",
                 "impostazioni privacy", "impostazioni della privacy", "retirar consentimento", "revogar consentimento",
                 "configurações de privacidade", "同意を撤回", "同意の撤回", "プライバシー設定", "同意の管理", "동의 철회",
                 "동의철회", "개인정보 설정", "개인정보 보호 설정", "동의 관리", "отозвать согласие", "отзыв согласия",
                 "настройки конфиденциальности", "управление согласием", "سحب الموافقة", "إلغاء الموافقة",
                 "إعدادات الخصوصية", "إدارة الموافقة"),
    # Names of account deletion in apps and platform guidance (Play's "delete account"
    # requirement; 注销 in 认定方法 六.1), and their usual translations.
    "delete_account": ("注销账号", "注销账户", "注销帐号", "注销帐户", "账号注销", "帐号注销", "账户注销", "帐户注销", "删除账号",
                       "删除账户", "删除帐号", "删除帐户", "申请注销", "注销服务", "销户", "delete account", "delete my account",
                       "delete your account", "close account", "close my account", "close your account", "deactivate account",
                       "deactivate your account", "deactivate my account", "erase account", "remove account", "konto löschen",
                       "supprimer le compte", "supprimer mon compte", "eliminar cuenta", "eliminar mi cuenta", "elimina account",
                       "excluir conta", "アカウント削除", "계정 삭제", "회원 탈퇴", "удалить аккаунт",
                       "account löschen", "konto entfernen", "supprimer votre compte", "eliminar tu cuenta", "cancella account",
                       "eliminare l'account", "excluir minha conta", "apagar conta", "アカウントを削除", "退会", "탈퇴하기",
                       "계정 탈퇴", "удалить учетную запись", "удалить учётную запись", "удаление аккаунта", "حذف الحساب",
                       "حذف حسابي", "إلغاء الحساب"),
    "complaint": ("投诉", "意见反馈", "联系我们", "联系客服", "contact us", "feedback", "complaint", "kontakt", "nous contacter",
                  "contáctanos", "contattaci", "fale conosco", "お問い合わせ", "問い合わせ", "고객센터", "문의하기",
                  "связаться с нами", "обратная связь", "اتصل بنا", "تواصل معنا"),
    "personalisation": ("个性化推荐", "个性化广告", "程序化广告", "个性化内容推荐", "personalised ads", "personalized ads",
                        "ad personalisation", "ad personalization", "personalised recommendations", "personalized recommendations"),
}

# Controls explore never taps: destructive or irreversible (recorded when they match a target,
# never executed), leaving the app, or deciding consent.
_NEVER_TAP = (
    "注销", "删除", "销户", "delete", "remove account", "close account", "deactivate", "清除", "清空", "卸载", "退出登录", "退出账号",
    "log out", "logout", "sign out", "撤回", "撤销", "withdraw", "revoke", "停止处理", "stop processing", "opt out", "确认", "confirm", "拨打", "call ",
    "分享", "share", "下载", "download", "打开应用市场", "评分", "rate us", "支付", "付款", "缴费", "pay", "购买", "buy",
    # the same in the big app markets' languages: deleting, leaving, withdrawing, confirming, paying
    # (de / fr / es / it / pt / ja / ko / ru / ar); a control explore must never execute in any language
    "löschen", "entfernen", "abmelden", "widerrufen", "bestätigen", "kaufen", "bezahlen", "supprimer", "déconnexion",
    "se déconnecter", "retirer", "révoquer", "confirmer", "acheter", "payer", "eliminar", "borrar", "cerrar sesión",
    "revocar", "retirar", "confirmar", "comprar", "pagar", "elimina", "cancella", "esci", "revoca", "conferma",
    "acquista", "paga", "excluir", "apagar", "sair", "revogar", "削除", "退会", "ログアウト", "撤回", "確認", "購入",
    "支払", "삭제", "탈퇴", "로그아웃", "철회", "확인", "구매", "결제", "удал", "выйти", "выход", "отозвать", "отзыв",
    "подтверд", "купить", "оплат", "حذف", "إلغاء", "تسجيل الخروج", "سحب", "تأكيد", "شراء", "ادفع", "دفع",
    # a personalisation switch is a consent decision: noted as the ``personalisation`` target, never flipped
    *EXPLORE_TARGETS["personalisation"],
)
# Words that put a control first in the queue (settings usually live behind them).
_PRIORITY = ("我的", "设置", "关于", "隐私", "账号", "帐号", "账户", "安全", "帮助", "客服", "个人中心", "更多",
             "me", "settings", "about", "privacy", "account", "help", "profile", "more",
             "profil", "einstellungen", "datenschutz", "konto", "paramètres", "compte", "perfil", "ajustes", "cuenta",
             "impostazioni", "configurações", "conta", "設定", "マイページ", "アカウント", "プライバシー", "내 정보", "설정",
             "마이", "계정", "профиль", "настройки", "аккаунт", "حسابي", "الإعدادات", "الحساب", "الخصوصية")
_CONSENT_ROLES = frozenset({"accept", "decline", "decline_exit", "browse_only", "confirm_decline", "reconsider", "allow_always",
                            "allow_foreground", "allow_once", "deny", "deny_dont_ask", "manage_options", "close"})
_MAX_TEXTS = 200
_MAX_TEXT_CHARS = 400
_MAX_TEXTS_TOTAL = 30_000
_MAX_SEGMENT = 24


@dataclass(frozen=True, slots=True)
class _Tap:
    """One step of a click path: the control's resource id (preferred) or its text."""

    rid: str
    text: str

    @property
    def key(self) -> str:
        return self.rid or self.text

    @property
    def label(self) -> str:
        return (self.text or self.rid.rsplit("/", 1)[-1])[:_MAX_SEGMENT]


@dataclass
class _Explore:
    found: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    #: the click path that first reached each screen signature (the main screen: [])
    paths: dict[str, list[_Tap]] = field(default_factory=dict)
    screens: int = 0
    taps: int = 0
    skipped: set[str] = field(default_factory=set)
    peeked: bool = False


def _nodes(tree: Hierarchy | None, package: str) -> list[tuple[str, str, str, bool, tuple[int, int, int, int]]]:
    """(text, resource id, class, clickable, bounds) of the app's nodes, in screen order."""
    if tree is None:
        return []
    out = []
    for n in tree.nodes:
        if n.package and package and n.package != package:
            continue
        if not n.has_bounds:
            continue
        out.append((" ".join((n.text or n.desc).split()), n.rid, n.cls, n.clickable, n.bounds))
    return out


def _signature(tree: Hierarchy | None, package: str) -> str:
    """A screen's identity for exploration: its app texts and ids (not pixels, not timestamps of
    the dump), so the same page reached twice counts once."""
    parts = sorted({f"{n[1]}|{n[0][:80]}" for n in _nodes(tree, package)})
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def _match(text: str, words: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(w in low for w in words)


def _is_heading(text: str, words: tuple[str, ...]) -> bool:
    """A short text naming one of ``words``: at most 20 characters beyond the word it names (an
    app name, a version, brackets). Counted against the word, not as a fixed length, so that a
    title written in an alphabet ("Политика конфиденциальности", 27 letters) is as short as its
    Chinese counterpart (隐私政策, 4 characters)."""
    t = text.strip("《》「」 ").lower()
    return any(w in t and len(t) - len(w) <= 20 for w in words) if t else False


def _is_policy_page(tree: Hierarchy | None, package: str, kind: str) -> bool:
    """A page (not a consent prompt) whose heading names the policy: a short, non-clickable text
    with a policy word, on a page that also carries some body text."""
    from harness.consent_ui import CONSENT_KINDS

    if kind in CONSENT_KINDS:
        return False
    nodes = _nodes(tree, package)
    heading = any(not clk and _is_heading(t, EXPLORE_TARGETS["policy"]) for t, _, _, clk, _ in nodes)
    body = sum(len(t) for t, _, _, clk, _ in nodes if not clk)
    return heading and body >= 30


def _candidates(screen: Screen, package: str) -> list[_Tap]:
    """Clickable controls of the app worth exploring, settings-like words first."""
    consent_texts = {str(c.text) for c in getattr(screen.reading, "controls", ()) if getattr(c, "role", "") in _CONSENT_ROLES}
    from harness.catalog.rules import load_rules

    feature_words = tuple(w for ws in load_rules().intent_words.values() for w in ws)
    out: list[_Tap] = []
    keys: set[str] = set()
    for text, rid, cls, clickable, _ in _nodes(screen.tree, package):
        if not clickable or "EditText" in cls or (not text and not rid):
            continue
        if text in consent_texts or _match(text, _NEVER_TAP) or _match(text, feature_words):
            continue
        tap = _Tap(rid, text)
        if tap.key in keys:
            continue
        keys.add(tap.key)
        out.append(tap)
    out.sort(key=lambda c: 0 if _match(c.text, _PRIORITY) else 1)
    return out


def _note(state: _Explore, target: str, path: list[_Tap], clicks: int, screen_id: str = "") -> None:
    old = state.found.get(target)
    if old is not None and old["clicks"] <= clicks:
        return
    entry: dict[str, Any] = {"clicks": clicks, "path": [p.label for p in path]}
    if screen_id:
        entry["screen"] = screen_id
    state.found[target] = entry


def _screen_id(screen: Screen) -> str:
    return hashlib.sha256(screen.xml.encode("utf-8", errors="replace")).hexdigest()[:16]


# The last step of a deletion flow: explore opens the deletion page to read its conditions
# (rules.md R40: "the flow is captured up to the final confirm") but never taps these.
_FINAL_STEP = ("确认", "确定", "提交", "立即", "继续注销", "同意注销", "申请注销", "confirm", "submit", "yes", "proceed", "continue")


def _peek_deletion(ctx: StepContext, screen: Screen, state: _Explore) -> None:
    """Open the account-deletion entry once (never its final confirm) so that the page with
    its conditions is recorded; its screen id goes into the ``delete_account`` result."""
    entry = state.found.get("delete_account")
    if entry is None or state.peeked:
        return
    for text, rid, _, clickable, _ in _nodes(screen.tree, ctx.package):
        if not (clickable and text and len(text) <= _MAX_SEGMENT and _match(text, EXPLORE_TARGETS["delete_account"])):
            continue
        if _match(text, _FINAL_STEP):
            continue
        node = find_node(screen.tree, rid) if rid else None
        node = node or find_node(screen.tree, text)
        if node is None:
            continue
        state.peeked = True
        x, y = node.center
        ctx.action("tap", x=x, y=y, text=text, resource_id=rid, role="explore")
        ctx.driver.tap(x, y)
        state.taps += 1
        ctx.driver.sleep(1.0)
        page = ctx.settle()
        if ctx.in_app(page) and not ctx.app_gone(page):
            entry["screen"] = _screen_id(page)
            ctx.action("back", role="explore")
            ctx.driver.back()
            ctx.driver.sleep(0.5)
            ctx.settle()
        return


def _scan(ctx: StepContext, screen: Screen, path: list[_Tap], state: _Explore, targets: tuple[str, ...]) -> None:
    """Note every target visible on ``screen`` (reached by ``path``)."""
    depth = len(path)
    if "policy" in targets and _is_policy_page(screen.tree, ctx.package, screen.kind):
        _note(state, "policy", path, depth, hashlib.sha256(screen.xml.encode("utf-8", errors="replace")).hexdigest()[:16])
    for text, _, _, clickable, _ in _nodes(screen.tree, ctx.package):
        for target in targets:
            if target == "policy" or not text or not _match(text, EXPLORE_TARGETS[target]):
                continue
            if not clickable and len(text) > _MAX_SEGMENT:
                continue  # a sentence that mentions it (e.g. in the policy) is not a way to do it
            # a control is one more tap away; a heading (the page it leads to) is where it is
            _note(state, target, path + [_Tap("", text)] if clickable else path, depth + 1 if clickable else depth)
            if target == "delete_account" and "near" not in state.found[target]:
                state.found[target]["near"] = _screen_id(screen)


def _home(ctx: StepContext, main_sig: str, depth: int, relaunch: bool = True) -> Screen:
    """Back to the main screen: Back up to ``depth`` + 1 times, then a relaunch if needed (and
    ``relaunch``; without it, the screen reached)."""
    screen = ctx.screen()
    for _ in range(depth + 1):
        if ctx.in_app(screen) and _signature(screen.tree, ctx.package) == main_sig:
            return screen
        if ctx.app_gone(screen):
            break
        ctx.action("back", role="explore")
        ctx.driver.back()
        ctx.driver.sleep(0.5)
        screen = ctx.settle()
    if not relaunch or (ctx.in_app(screen) and _signature(screen.tree, ctx.package) == main_sig):
        return screen
    ctx.action("relaunch", role="explore")
    ctx.stop_app()
    ctx.launch_app()
    ctx.driver.sleep(2.0)
    return ctx.settle()


def _follow(ctx: StepContext, path: list[_Tap], state: _Explore) -> Screen | None:
    """Replay ``path`` from the main screen; None when a control is no longer there or the app
    left the foreground."""
    screen = ctx.screen()
    for step in path:
        node = find_node(screen.tree, step.rid) if step.rid else None
        if node is None and step.text:
            node = find_node(screen.tree, step.text)
        if node is None:
            return None
        x, y = node.center
        ctx.action("tap", x=x, y=y, text=step.text, resource_id=step.rid, role="explore")
        ctx.driver.tap(x, y)
        state.taps += 1
        ctx.driver.sleep(1.0)
        screen = ctx.settle()
        if not ctx.in_app(screen) or ctx.app_gone(screen):
            return None
    return screen


@register(
    "explore",
    params={
        "max_depth": Param(int, 4, minimum=1, maximum=8, doc="taps from the main screen"),
        "max_screens": Param(int, 40, minimum=1, maximum=500, doc="new screens to visit at most"),
        "targets": Param(str, "policy,withdraw,delete_account,complaint", doc="comma-separated: " + ", ".join(EXPLORE_TARGETS)),
    },
)
def explore(ctx: StepContext, max_depth: int, max_screens: int, targets: str) -> None:
    """Breadth-first exploration of the app from its main screen, looking for the privacy policy,
    a way to withdraw consent, account deletion and a complaint channel.

    Taps clickable controls of the app that neither decide consent, nor destroy anything (注销 /
    删除 / Delete / 确认 are noted when they match a target, never tapped), nor start a data
    feature (camera, location, ...), nor leave the app; goes back with Back (relaunching when
    Back does not lead home). Every new screen becomes a UiSnapshot and every tap a UiAction; the
    result is one typed :class:`~harness.events.ExploreResult` event: per target found the
    shortest click count, the texts tapped and (policy) the page's screen id. Stops when every target was found, or at the limits."""
    wanted = tuple(dict.fromkeys(t.strip() for t in targets.split(",") if t.strip()))
    unknown = [t for t in wanted if t not in EXPLORE_TARGETS]
    if unknown or not wanted:
        raise HarnessError(f"explore: unknown target(s) {', '.join(unknown) or '(none)'} (known: {', '.join(EXPLORE_TARGETS)})")
    state = _Explore()
    main = ctx.settle()
    if ctx.app_gone(main) or not ctx.in_app(main):
        ctx.action("launch", role="explore")
        ctx.launch_app()
        ctx.driver.sleep(2.0)
        main = ctx.settle()
    main_sig = _signature(main.tree, ctx.package)
    state.seen.add(main_sig)
    state.paths[main_sig] = []
    state.screens = 1
    _scan(ctx, main, [], state, wanted)
    if "delete_account" in wanted:
        _peek_deletion(ctx, main, state)
    queue: deque[list[_Tap]] = deque([c] for c in _candidates(main, ctx.package))
    max_taps = max_screens * (max_depth + 1) * 3
    complete = True
    while queue and not all(t in state.found for t in wanted):
        if state.screens >= max_screens or state.taps >= max_taps:
            complete = False
            break
        path = queue.popleft()
        here = _home(ctx, main_sig, max_depth)
        if _signature(here.tree, ctx.package) != main_sig:
            # the app does not come back to the same main screen (exploration began on a page
            # the app had pushed, and a relaunch lands on its real main screen): explore from
            # where it is. Paths that went through this screen are replayed from it; a screen
            # not seen before is scanned as the new root.
            main_sig = _signature(here.tree, ctx.package)
            root = state.paths.get(main_sig)
            if root is None:
                state.seen.add(main_sig)
                state.paths[main_sig] = []
                state.screens += 1
                _scan(ctx, here, [], state, wanted)
                queue.extend([c] for c in _candidates(here, ctx.package))
            else:
                n = len(root)
                queue = deque(p[n:] for p in queue if p[:n] == root and len(p) > n)
                if path[:n] != root or len(path) <= n:
                    continue
                path = path[n:]
        screen = _follow(ctx, path, state)
        if screen is None:
            continue
        sig = _signature(screen.tree, ctx.package)
        if sig in state.seen:
            continue
        state.seen.add(sig)
        state.paths[sig] = path
        state.screens += 1
        _scan(ctx, screen, path, state, wanted)
        if "delete_account" in wanted:
            _peek_deletion(ctx, screen, state)
        if len(path) < max_depth:
            on_path = {p.key for p in path}
            queue.extend(path + [c] for c in _candidates(screen, ctx.package) if c.key not in on_path)
    _home(ctx, main_sig, max_depth)
    ctx.record(
        ExploreResult(
            t=ctx.now(),
            found=tuple(
                ExploreFound(t, state.found[t]["clicks"], tuple(state.found[t]["path"]), state.found[t].get("screen", ""), state.found[t].get("near", ""))
                for t in wanted
                if t in state.found
            ),
            missing=tuple(t for t in wanted if t not in state.found),
            max_depth=max_depth,
            screens=state.screens,
            taps=state.taps,
            complete=complete,
        )
    )
