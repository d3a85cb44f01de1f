"""Notice rules: R01 (no consent prompt at first run)."""

from __future__ import annotations

from collections.abc import Iterator

from harness.detectors.context import Context
from harness.detectors.registry import detector
from harness.events import UiSnapshot
from harness.findings import Finding
from harness.i18n import Msg

__all__ = ["first_run_prompt"]

_PROMPTS = frozenset({"privacy_dialog", "cmp_dialog"})
_SYSTEM = frozenset({"permission_dialog"})


@detector("R01", "first_run_prompt")
def first_run_prompt(ctx: Context) -> Iterator[Finding]:
    """A consent prompt must be among the first screens of a fresh run.

    Screens are the app's own snapshots (launcher and system permission dialogs do not count),
    distinct by screen id / hierarchy hash. No prompt at all = violation; a prompt that comes
    only after the first-run window = needs-review. (A missing link node is not judged: policy
    links are often spans inside the prompt text, invisible in the view hierarchy.) A run
    without any app screen cannot be judged and gives nothing."""
    snaps = [
        s
        for s in ctx.of(UiSnapshot)
        if not ctx.is_launcher(s.package) and s.screen_kind not in _SYSTEM and (not s.package or s.package == ctx.info.package)
    ]
    if not snaps:
        return
    max_screens = int(ctx.num("R01", "first_run_screens"))
    window = ctx.num("R01", "first_run_window_s")
    t0 = ctx.phases.t_start
    order: dict[str, int] = {}
    for s in snaps:
        order.setdefault(s.screen_id or s.hierarchy_hash or f"#{s.seq}", len(order))
    prompts = [s for s in snaps if s.screen_kind in _PROMPTS]
    if not prompts:
        first = []
        seen: set[str] = set()
        for s in snaps:
            key = s.screen_id or s.hierarchy_hash or f"#{s.seq}"
            if key not in seen:
                seen.add(key)
                first.append(s.seq)
            if len(first) >= max_screens:
                break
        yield ctx.finding(
            "R01",
            verdict="violation",
            message=Msg.of("R01.no_prompt", n=len(order)),
            evidence=first,
        )
        return
    p = prompts[0]
    rank = order[p.screen_id or p.hierarchy_hash or f"#{p.seq}"]
    if rank >= max_screens and p.t - t0 > window:
        yield ctx.finding(
            "R01",
            verdict="needs-review",
            message=Msg.of("R01.late_prompt", dt=p.t - t0, rank=rank + 1),
            evidence=[p.seq],
        )
        return
