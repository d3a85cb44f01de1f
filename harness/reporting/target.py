"""What a run's target was, in the words every report uses: a simulated reference app on the
reference device, one of the harness's reference H5 pages (a simulated target in a real
browser), a real URL, or a real app.

The facts come from run.json: ``simulated`` and ``extra["target"]`` (written by the runner from
what the device kind said about the app: ``{"kind": "reference-page", "simulated": true,
"page": ..., "url": ...}`` or ``{"kind": "url", "simulated": false, "url": ...}``). A run folder
written before targets were recorded falls back on ``simulated`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Target", "target_of"]


@dataclass(frozen=True, slots=True)
class Target:
    """The run's target, for the reports."""

    #: ``reference-app`` (sim device), ``reference-page`` (our H5 page in a real browser),
    #: ``url`` (a real page), ``app`` (a real app)
    kind: str
    simulated: bool
    #: a short label: "reference page", "real URL"...
    short: str
    #: the banner / fact sentence (English)
    sentence: str
    #: the same in Chinese
    sentence_zh: str
    #: where the target was (URL, page name), or ""
    where: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "simulated": self.simulated, "label": self.short, "sentence": self.sentence, "sentence_zh": self.sentence_zh, "where": self.where}


def _clip(s: Any, n: int = 300) -> str:
    return str(s or "")[:n]


def target_of(info: Any) -> Target:
    """The target of a run (``info``: a RunInfo, or anything with ``simulated`` and ``extra``)."""
    extra = getattr(info, "extra", None)
    raw = extra.get("target") if isinstance(extra, dict) else None
    t: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kind = str(t.get("kind", ""))
    url = _clip(t.get("url"))
    if kind == "reference-page":
        page = _clip(t.get("page"), 80)
        return Target(
            "reference-page",
            True,
            "reference page",
            f"SIMULATED TARGET: reference page {page!r}, written for consent-harness and served on this machine, opened in a real Chromium. "
            "Its findings show what the harness detects, not how any real service behaves.",
            f"模拟目标：consent-harness 自带的参考页面“{page}”（在本机提供），由真实的 Chromium 打开。结果只说明工具能检测什么，不代表任何真实服务的行为。",
            url or page,
        )
    if kind == "url":
        return Target("url", False, "real URL", f"Real URL: {url}, opened in a real Chromium.", f"真实网址：{url}，由真实的 Chromium 打开。", url)
    if bool(getattr(info, "simulated", False)):
        return Target(
            "reference-app",
            True,
            "reference app",
            "SIMULATED: reference device, not a real app. Its findings show what the harness detects, not how any real app behaves.",
            "模拟：参考设备上的模拟应用，不是真实应用。结果只说明工具能检测什么，不代表任何真实应用的行为。",
        )
    return Target("app", False, "real app", "A real app on a real device or emulator.", "真实设备或模拟器上的真实应用。")
