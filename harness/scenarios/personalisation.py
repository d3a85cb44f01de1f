"""The ``personalisation_off`` step: switch the app's personalisation off like a user, then watch.

The effectiveness half of R36 (rules.md: "after toggling off, ad-SDK requests still carry
personalisation flags or AD_ID reads continue") needs a run in which the user really turned the
switch off. ``explore`` only notes where the switch is (a personalisation switch is a consent
decision, never flipped while exploring); this step, run after it, goes back to that page, and:

- finds the switch: a checkable control (Switch, CheckBox, toggle) whose own label, or the label
  on its row, carries one of the ``personalisation`` words of ``explore``;
- when it is on, records ``ConsentDecision(subject="personalisation", choice="decline")`` right
  before the tap (the time R36 judges from), taps it once, and reads the screen again to check
  it is off (a confirmation the app asks for is answered with the recogniser's
  ``confirm_decline`` control, never with anything that accepts);
- goes back to the main screen, watches for ``wait`` seconds, and (``relaunch``) restarts the app
  and watches again, so that SDKs that read their settings at start are seen too.

A switch that is already off is left alone and nothing is decided; an app whose exploration
found no switch is not touched (explore's result already says the switch is missing); a switch
that cannot be reached again, or does not read as off after the tap, is an ErrorRecord. Nothing here taps a control that accepts.
"""

from __future__ import annotations

from harness.consent_ui.parse import Hierarchy
from harness.events import ConsentDecision, ErrorRecord, ExploreResult
from harness.scenarios.context import Screen, StepContext
from harness.scenarios.registry import Param, register

# harness.scenarios.steps is imported where used: the registry loads this module while the
# standard steps module may still be loading (a step registered there loads the registry).

__all__ = ["personalisation_off", "find_switch"]

_MAX_LABEL = 24


def _words() -> tuple[str, ...]:
    from harness.scenarios.steps import EXPLORE_TARGETS

    return EXPLORE_TARGETS["personalisation"]


def _signature(tree: Hierarchy | None, package: str) -> str:
    from harness.scenarios import steps

    return steps._signature(tree, package)


def _has_word(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in _words())


def find_switch(tree: Hierarchy | None, package: str) -> tuple[str, str, tuple[int, int, int, int], bool] | None:
    """(label, resource id, bounds, checked) of the personalisation switch on a screen: a
    checkable node labelled with a personalisation word, or the checkable node on the same row
    as such a label (the nearest one to its right). None when the screen has none."""
    if tree is None:
        return None
    nodes = [n for n in tree.nodes if n.has_bounds and (not package or not n.package or n.package == package)]
    checkable = [n for n in nodes if n.checkable]
    for n in checkable:
        label = " ".join((n.text or n.desc).split())
        if label and _has_word(label):
            return label, n.rid, n.bounds, n.checked
    for n in nodes:
        label = " ".join((n.text or n.desc).split())
        if not label or n.checkable or not _has_word(label) or len(label) > 80:
            continue
        _x1, y1, x2, y2 = n.bounds
        row = [c for c in checkable if c.bounds[1] < y2 and c.bounds[3] > y1]
        if row:
            best = min(row, key=lambda c: abs(c.bounds[0] - x2))
            return label, best.rid, best.bounds, best.checked
    return None


def _find(tree: Hierarchy | None, label: str) -> tuple[int, int] | None:
    """The centre of the control whose text, content-desc or id suffix is ``label`` (a label cut
    at 24 characters matches a longer text that starts with it); clickable nodes first."""
    if tree is None:
        return None
    best: tuple[int, int] | None = None
    for n in tree.nodes:
        if not n.has_bounds:
            continue
        text = " ".join((n.text or n.desc).split())
        hit = text == label or (len(label) >= _MAX_LABEL and text.startswith(label)) or (n.rid and n.rid.rsplit("/", 1)[-1] == label)
        if hit:
            x1, y1, x2, y2 = n.bounds
            centre = ((x1 + x2) // 2, (y1 + y2) // 2)
            if n.clickable:
                return centre
            best = best or centre
    return best


def _tap(ctx: StepContext, xy: tuple[int, int], text: str, rid: str = "", role: str = "explore") -> Screen:
    ctx.action("tap", x=xy[0], y=xy[1], text=text, resource_id=rid, role=role)
    ctx.driver.tap(*xy)
    ctx.driver.sleep(1.0)
    return ctx.settle()


def _to_main(ctx: StepContext, main_sig: str, depth: int) -> Screen:
    """Back towards the main screen, up to ``depth`` + 2 Backs, never relaunching (a relaunch
    would reset what the step is watching)."""
    from harness.scenarios import steps

    return steps._home(ctx, main_sig, depth + 1, relaunch=False)


def _watch(ctx: StepContext, seconds: float) -> None:
    left = seconds
    while left > 0:
        chunk = min(5.0, left)
        ctx.driver.sleep(chunk)
        left -= chunk
        ctx.screen()


@register(
    "personalisation_off",
    params={
        "wait": Param(float, 10.0, minimum=0, maximum=600, doc="seconds watched after the switch is off (and again after the relaunch)"),
        "relaunch": Param(bool, True, doc="restart the app after switching off and watch again"),
    },
)
def personalisation_off(ctx: StepContext, wait: float, relaunch: bool) -> None:
    """Turn the personalisation switch that ``explore`` found off, like a user, and watch what
    the app does afterwards (R36 effectiveness). Does nothing when no switch was found."""
    results = [r for r in ctx.timeline.of(ExploreResult) if isinstance(r, ExploreResult)]
    found = next((f for f in (r.target("personalisation") for r in reversed(results)) if f is not None), None)
    if found is None:
        return  # explore's result already says the switch is missing
    main = ctx.settle()
    if ctx.app_gone(main) or not ctx.in_app(main):
        ctx.action("launch", role="explore")
        ctx.launch_app()
        ctx.driver.sleep(2.0)
        main = ctx.settle()
    main_sig = _signature(main.tree, ctx.package)
    screen = main
    switch = find_switch(screen.tree, ctx.package)
    for label in found.path:
        if switch is not None:
            break
        xy = _find(screen.tree, label)
        if xy is None:
            break
        screen = _tap(ctx, xy, label)
        if ctx.app_gone(screen) or not ctx.in_app(screen):
            break
        switch = find_switch(screen.tree, ctx.package)
    if switch is None:
        ctx.record(ErrorRecord(t=ctx.now(), source="runner", where="personalisation_off", message=f"the personalisation switch found by explore ({' > '.join(found.path)[:200]}) could not be reached again"))
        _to_main(ctx, main_sig, len(found.path))
        return
    label, rid, bounds, checked = switch
    if not checked:
        # already off (the app's default): the user has nothing to decide and nothing is judged
        _to_main(ctx, main_sig, len(found.path))
        return
    x1, y1, x2, y2 = bounds
    xy = ((x1 + x2) // 2, (y1 + y2) // 2)
    seq = screen.snapshot.seq if screen.snapshot is not None else -1
    ctx.record(ConsentDecision(t=ctx.now(), subject="personalisation", choice="decline", how=f"switch:{label[:80]}", taps=1, screen_seq=seq))
    after = _tap(ctx, xy, label, rid, role="personalisation")
    state = find_switch(after.tree, ctx.package)
    if state is None:
        # the app asks to confirm: answer with the control that confirms turning it off
        confirm = after.reading.control("confirm_decline") if hasattr(after.reading, "control") else None
        if confirm is not None:
            ctx.tap_control(confirm)
            ctx.driver.sleep(1.0)
            after = ctx.settle()
            state = find_switch(after.tree, ctx.package)
    if state is None or state[3]:
        ctx.record(ErrorRecord(t=ctx.now(), source="runner", where="personalisation_off", message=f"the personalisation switch '{label[:80]}' did not read as off after the tap"))
    _to_main(ctx, main_sig, len(found.path) + 1)
    _watch(ctx, wait)
    if relaunch:
        ctx.action("relaunch", role="personalisation")
        ctx.stop_app()
        ctx.launch_app()
        ctx.driver.sleep(2.0)
        ctx.settle()
        _watch(ctx, wait)
