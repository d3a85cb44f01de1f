"""The HTML reports: one self-contained page per run, one summary page per suite or batch.

The page is written for a regulator or a lab technician reading it offline: inline CSS and
SVG, screenshots embedded as data URIs (or linked relative to the run folder), no script and
no external fetch, so it reads the same in a browser, in a mail client or printed.

Safety: every text that can come from the app under test (UI texts, stacks, arguments, return
values, error messages) goes through Jinja2 autoescaping, attribute values included, so a
hostile string such as ``<script>`` or ``"><img onerror=...>`` shows as text, and bidi controls
(U+202E ...) show as visible ``[U+202E]`` markers instead of reordering the text. SVG shapes are
built here as (tag, attributes) whose names are fixed in this module; only values vary, and
those are escaped too.

Sections of a run report: header (app, package, scenario and what it does, device, harness
version, hook-pack hash, status; a SIMULATED banner for reference-device runs), notes on
missing data, verdict summary (severity cards, severity x verdict matrix, problem types
T1..T8 touched), consent timeline (SVG), findings table, evidence per finding, consent screens
seen, API calls grouped by category x phase x SDK, and errors recorded.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from harness import __version__
from harness.events import ApiCall, ConsentDecision, Event, PermissionRequest
from harness.findings import SEVERITIES, VERDICTS, Finding
from harness.i18n import category_label, reason_text, term, ui, uin
from harness.reporting.build import (
    MAX_EVIDENCE_PER_FINDING,
    MAX_STACK_FRAMES,
    PHASES,
    PROBLEM_TYPES,
    SEVERITY_COLORS,
    RunData,
    category_color,
    clip,
    describe_event,
    note_text,
    scenario_description,
)
from harness.reporting.formats import ReportOptions, report_format, write_text_atomic
from harness.reporting.target import target_of
from harness.textout import jinja_finalize

__all__ = ["render_run_html", "render_summary_html", "timeline_shapes", "screen_wireframe", "template_i18n", "MAX_SUMMARY_FINDINGS"]

#: The summary page lists at most this many findings (the workbook has them all).
MAX_SUMMARY_FINDINGS = 5000

PHASE_FILLS: dict[str, str] = {
    "pre_prompt": "#fde2e0",
    "prompt": "#fff1c9",
    "dismissed": "#f3e5d8",
    "declined": "#e3ebf7",
    "accepted": "#e0f0e6",
}
_HALO: dict[str, str] = {"paint_order": "stroke", "stroke": "#ffffff", "stroke_width": "3", "stroke_linejoin": "round"}
PHASE_INK: dict[str, str] = {
    "pre_prompt": "#9b2c22",
    "prompt": "#7a5a00",
    "dismissed": "#7b4a1e",
    "declined": "#1f4e79",
    "accepted": "#1e6b46",
}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("harness.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=jinja_finalize,  # bidi controls shown as [U+202E] markers
    )
    env.filters["sec"] = _fmt_t
    env.filters["clip"] = clip
    env.globals["category_color"] = category_color
    return env


def _fmt_t(value: object) -> str:
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"
    return ""


# -- timeline SVG -----------------------------------------------------------------------------


def _nice_step(span: float, target: int = 10) -> float:
    if span <= 0:
        return 1.0
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)


def timeline_shapes(data: RunData, *, width: int = 1260) -> dict[str, Any]:
    """Geometry of the consent timeline: {"width", "height", "shapes": [...], "categories"}.
    Each shape is {"tag", "attrs", "text", "title"}; tags and attribute names are fixed here.
    API calls are drawn as marks in one lane per PI category, merged per 3-pixel bucket so the
    drawing stays small whatever the number of calls."""
    left, right, top = 150, 24, 8
    plot_w = width - left - right
    t0 = min((p.t0 for p in data.phases), default=0.0)
    t1 = max(data.t_end, t0 + 1e-6)
    span = t1 - t0

    def x(t: float) -> float:
        return round(left + (min(max(t, t0), t1) - t0) / span * plot_w, 1)

    shapes: list[dict[str, Any]] = []

    def add(tag: str, text: str = "", title: str = "", **attrs: object) -> None:
        shapes.append({"tag": tag, "attrs": {k.replace("_", "-"): v for k, v in attrs.items()}, "text": text, "title": title})

    lang = data.lang
    calls = data.api_calls()
    cats = sorted({c.category or "UNCATEGORISED" for c in calls})
    lanes: list[tuple[str, str]] = [(k, ui(label, lang)) for k, label in (("phase", "Consent phase"), ("decision", "Decisions"), ("findings", "Findings"), ("app", "App in background"), ("perm", "Permission requests"))]
    lanes += [(f"cat:{c}", c) for c in cats]
    lane_h = {"phase": 26, "decision": 34, "findings": 24}
    y = top
    lane_y: dict[str, tuple[float, float]] = {}
    for key, _label in lanes:
        h = lane_h.get(key, 20)
        lane_y[key] = (y, h)
        y += h + 4
    plot_bottom = y
    height = plot_bottom + 28

    # phase bands behind everything
    for p in data.phases:
        xa, xb = x(p.t0), x(p.t1)
        add("rect", title=f"{term('phase', p.phase, lang)}: {p.t0:.2f}-{p.t1:.2f} s", x=xa, y=top, width=max(0.5, round(xb - xa, 1)), height=round(plot_bottom - top - 4, 1), fill=PHASE_FILLS.get(p.phase, "#eee"), opacity="0.55")
        py, ph = lane_y["phase"]
        add("rect", x=xa, y=py, width=max(0.5, round(xb - xa, 1)), height=ph, fill=PHASE_FILLS.get(p.phase, "#eee"), stroke="#ffffff", stroke_width="1")
        if xb - xa > 70:
            add("text", text=term("phase", p.phase, lang), x=round(xa + 6, 1), y=py + 17, font_size="12", font_weight="600", fill=PHASE_INK.get(p.phase, "#333"))

    # lane labels and guides
    for key, label in lanes:
        ly, lh = lane_y[key]
        fill = category_color(label) if key.startswith("cat:") else "#5b6675"
        add("text", text=category_label(label, lang) if key.startswith("cat:") else label, x=left - 8, y=round(ly + lh / 2 + 4, 1), text_anchor="end", font_size="11", fill=fill, font_weight="600" if key.startswith("cat:") else "400")
        if key not in ("phase",):
            add("line", x1=left, x2=left + plot_w, y1=round(ly + lh, 1), y2=round(ly + lh, 1), stroke="#e3e7ec", stroke_width="1")

    # background spans
    ay, ah = lane_y["app"]
    for a, b in data.background:
        add("rect", title=ui("in background {a}-{b} s", lang, a=f"{a:.2f}", b=f"{b:.2f}"), x=x(a), y=ay + 3, width=max(1.0, round(x(b) - x(a), 1)), height=ah - 6, fill="#5b6675", opacity="0.75", rx="2")

    # permission requests
    py_, ph_ = lane_y["perm"]
    for ev in data.events:
        if isinstance(ev, PermissionRequest):
            cx = x(ev.t)
            add("path", title=f"#{ev.seq} t={ev.t:.2f} s: {describe_event(ev, lang)}", d=f"M{cx},{py_ + 3} l5,{ph_ - 6} l-10,0 z", fill="#34495e")

    # API call marks, merged per 3 px bucket
    buckets: dict[tuple[str, int], list[ApiCall]] = defaultdict(list)
    for ev in calls:
        buckets[(ev.category or "UNCATEGORISED", int((x(ev.t) - left) // 3))].append(ev)
    for (cat, b), evs in sorted(buckets.items()):
        cy, ch = lane_y[f"cat:{cat}"]
        n = sum(max(1, e.count) for e in evs)
        sdks = Counter(e.sdk or "unknown" for e in evs)
        apis = Counter(e.api_id or e.method for e in evs)
        ts = [e.t for e in evs]
        who = ", ".join(f"{k} ×{v}" for k, v in sdks.most_common(4))
        what = ", ".join(f"{k}" for k, _ in apis.most_common(3))
        title = f"{category_label(cat, lang)}: " + uin("{n} call at {a}-{b} s by {who}", "{n} calls at {a}-{b} s by {who}", n, lang, a=f"{min(ts):.2f}", b=f"{max(ts):.2f}", who=who) + f"; {what}"
        opacity = min(1.0, 0.55 + 0.15 * math.log2(n)) if n > 1 else 0.55
        add("rect", title=clip(title, 400), x=round(left + b * 3, 1), y=cy + 2, width=3, height=ch - 4, fill=category_color(cat), opacity=f"{opacity:.2f}")

    # decisions as flags; labels take the first of two rows where they do not overlap
    dy, dh = lane_y["decision"]
    label_end = [-1e9, -1e9]
    for ev in data.events:
        if isinstance(ev, ConsentDecision):
            cx = x(ev.t)
            color = "#1e7b4f" if ev.choice == "accept" else ("#b3261e" if ev.choice == "decline" else "#5f6b7a")
            subject = ev.subject.replace("permission:", "")
            label = clip(f"{term('choice', ev.choice, lang)} {term('decision_subject', subject, lang) if subject in ('privacy_policy', 'cmp') else term('group', subject, lang)}", 40)
            add("line", x1=cx, x2=cx, y1=dy + 2, y2=round(plot_bottom - 4, 1), stroke=color, stroke_width="1.5", stroke_dasharray="4 3")
            add("path", title=f"#{ev.seq} t={ev.t:.2f} s: {describe_event(ev, lang)}", d=f"M{cx},{dy + 2} l0,{dh - 4} M{cx},{dy + 2} l10,4 l-10,4 z", fill=color, stroke=color, stroke_width="1.5")
            est = sum(11.0 if ord(ch) > 0x2E80 else 6.2 for ch in label)
            for row in (0, 1):
                if cx + 12 > label_end[row] + 4:
                    add("text", text=label, x=round(cx + 12, 1), y=dy + 11 + row * 14, font_size="11", fill=color, font_weight="600", **_HALO)
                    label_end[row] = cx + 12 + est
                    break

    # findings as severity-coloured markers, labelled where the label has room
    fy, fh = lane_y["findings"]
    last_label = -1e9
    for f in sorted(data.findings, key=lambda f: f.t):
        cx = x(f.t)
        add("circle", title=f"{f.rule_id} {f.title} ({term('severity', f.severity, lang)}, {term('verdict', f.verdict, lang)}) t={f.t:.2f} s", cx=cx, cy=fy + fh / 2, r="5", fill=SEVERITY_COLORS.get(f.severity, "#777"), stroke="#fff", stroke_width="1")
        if cx + 7 > last_label + 4:
            add("text", text=f.rule_id, x=round(cx + 7, 1), y=fy + fh / 2 + 4, font_size="10", fill="#333", **_HALO)
            last_label = cx + 7 + len(f.rule_id) * 6.5

    # axis
    step = _nice_step(span)
    tick = math.ceil(t0 / step) * step
    ax_y = plot_bottom
    add("line", x1=left, x2=left + plot_w, y1=ax_y, y2=ax_y, stroke="#8a94a3", stroke_width="1")
    n_ticks = 0
    while tick <= t1 + 1e-9 and n_ticks < 40:
        tx = x(tick)
        add("line", x1=tx, x2=tx, y1=ax_y, y2=ax_y + 5, stroke="#8a94a3", stroke_width="1")
        add("text", text=f"{tick:g} s", x=tx, y=ax_y + 18, font_size="11", text_anchor="middle", fill="#5b6675")
        tick += step
        n_ticks += 1
    return {"width": width, "height": round(height, 1), "shapes": shapes, "categories": cats}


# -- run page ---------------------------------------------------------------------------------


def _device_text(device: dict[str, Any]) -> str:
    parts = []
    for key in ("model", "serial", "backend"):
        v = device.get(key)
        if v:
            parts.append(str(v))
    api = device.get("api_level")
    if api:
        parts.append(f"API {api}")
    for key in ("abi", "locale"):
        v = device.get(key)
        if v:
            parts.append(str(v))
    if device.get("emulator"):
        parts.append("emulator")
    if device.get("rooted"):
        parts.append("rooted")
    return clip(" · ".join(parts) or ("(unknown)" if not device else json.dumps(device, ensure_ascii=False)), 400)


def _jurisdiction_text(jid: str, lang: str) -> str:
    if jid in ("cn", "eu"):
        if lang == "zh":
            return term("jurisdiction", jid, lang)
        return {"cn": "China (PIPL, 认定方法, MIIT 164号/26号, GB/T 41391)", "eu": "EU (GDPR, ePrivacy, EDPB, Google Play)"}[jid]
    return jid or "—"


def _profile_text(analysis: dict[str, Any] | None, info_profile: str, lang: str = "en") -> str:
    p = (analysis or {}).get("profile")
    if isinstance(p, str) and p:
        return _profile_named(clip(p, 200), lang)
    if isinstance(p, dict):
        name = p.get("id") or p.get("name")
        return clip(name if isinstance(name, str) else json.dumps(p, ensure_ascii=False), 200)
    return _profile_named(info_profile, lang)


def _profile_named(profile_id: str, lang: str) -> str:
    """'停车场扫码缴费 (parking_payment)' in zh for a known app-type profile; the id otherwise."""
    if lang != "zh" or not profile_id:
        return profile_id
    from harness.catalog.profiles import load_profiles
    from harness.errors import CatalogError

    try:
        prof = load_profiles().get(profile_id)
    except CatalogError:
        return profile_id
    return f"{prof.name_zh} ({prof.id})"


def _event_view(ev: Event, data: RunData, screen_anchor: dict[int, int]) -> dict[str, Any]:
    v: dict[str, Any] = {
        "seq": ev.seq,
        "t": ev.t,
        "kind": ev.kind,
        "source": clip(ev.source, 40),
        "phase": _phase(data, data.phase_at(ev.t)),
        "bg": data.in_background(ev.t),
        "text": describe_event(ev, data.lang),
        "kv": [],
        "stack": [],
        "more_frames": 0,
        "screen": screen_anchor.get(ev.seq),
        "category": "",
    }
    if isinstance(ev, ApiCall):
        v["category"] = clip(ev.category, 60)
        v["kv"] = [(k, clip(val, 600)) for k, val in (("api", ev.api_id), ("method", ev.method), ("caller", ev.caller), ("sdk", ev.sdk or "unknown"), ("thread", f"{ev.thread} (tid {ev.tid})" if ev.tid else ev.thread), ("args", ev.args), ("return", ev.ret)) if val]
        v["stack"] = [clip(fr, 400) for fr in ev.stack[:MAX_STACK_FRAMES]]
        v["more_frames"] = max(0, len(ev.stack) - MAX_STACK_FRAMES)
    elif isinstance(ev, PermissionRequest):
        v["kv"] = [(k, clip(val, 600)) for k, val in (("permissions", ", ".join(ev.permissions)), ("api", ev.api), ("caller", ev.caller), ("sdk", ev.sdk), ("via", ev.via)) if val]
    return v


def _api_key(ev: Event) -> tuple[object, ...] | None:
    if not isinstance(ev, ApiCall):
        return None
    return (ev.api_id, ev.method, ev.caller, ev.sdk, ev.thread, ev.args, ev.ret, ev.stack)


def _finding_view(i: int, f: Finding, data: RunData, screen_anchor: dict[int, int]) -> dict[str, Any]:
    """A finding with its evidence events; consecutive identical API calls (same API, caller,
    SDK, thread, arguments, result and stack) are shown once with all their seqs and times."""
    evs: list[dict[str, Any]] = []
    missing = []
    prev_key: tuple[object, ...] | None = None
    for s in f.evidence[:MAX_EVIDENCE_PER_FINDING]:
        ev = data.by_seq.get(s)
        if ev is None:
            missing.append(s)
            prev_key = None
            continue
        key = _api_key(ev)
        if key is not None and key == prev_key and evs:
            last = evs[-1]
            last["seqs"].append(ev.seq)
            last["times"].append(ev.t)
            continue
        view = _event_view(ev, data, screen_anchor)
        view["seqs"] = [ev.seq]
        view["times"] = [ev.t]
        evs.append(view)
        prev_key = key
    for v in evs:
        if len(v["seqs"]) > 1:
            v["repeat"] = ui("{n} identical calls at {times} s", data.lang, n=len(v["seqs"]), times=", ".join(_fmt_t(t) for t in v["times"]))
        else:
            v["repeat"] = ""
    return {
        "i": i,
        "f": f,
        "types": [(pt, term("problem_type", pt, data.lang)) for pt in f.problem_types],
        "events": evs,
        "missing": missing,
        "more": max(0, len(f.evidence) - MAX_EVIDENCE_PER_FINDING),
        "phase": _phase(data, data.phase_at(f.t)) if data.has_timeline else "",
        "fix": _fix(f.rule_id, data.lang),
    }


def _phase(data: RunData, code: str) -> str:
    return term("phase", code, data.lang) if code else ""


def _fix(rule_id: str, lang: str) -> str:
    """The catalogue's fix suggestion for a rule, in the report language ('' when none)."""
    from harness.catalog.rules import load_rules

    rule = load_rules().rules.get(rule_id)
    return rule.fix("cn" if lang == "zh" else "en") if rule is not None else ""


def template_i18n(lang: str) -> dict[str, Any]:
    """What every report template gets to print in ``lang``: ``_`` (fixed wording, keyed by its
    English text), ``_n`` (with an English plural), ``term`` (glossary), ``category_label``,
    ``note`` (a report note) and ``lang`` itself."""

    def _(text: str, **args: Any) -> str:
        return ui(text, lang, **args)

    def _n(singular: str, plural: str, n: int, **args: Any) -> str:
        return uin(singular, plural, n, lang, **args)

    def _term(kind: str, code: str) -> str:
        return term(kind, code, lang)

    def _cat(code: str) -> str:
        return category_label(code, lang)

    def _note(n: Any) -> str:
        return note_text(n, lang)

    return {"_": _, "_n": _n, "term": _term, "category_label": _cat, "note": _note, "lang": lang, "html_lang": "zh-CN" if lang == "zh" else "en"}


_ROLE_COLORS: dict[str, str] = {
    "accept": "#1e7b4f", "allow_always": "#1e7b4f", "allow_foreground": "#1e7b4f", "allow_once": "#2e8b57",
    "decline": "#b3261e", "decline_exit": "#b3261e", "deny": "#b3261e", "deny_dont_ask": "#b3261e",
    "confirm_decline": "#b3261e", "reconsider": "#d9730d", "browse_only": "#6c3483",
    "manage_options": "#1f4e79", "policy_link": "#1f4e79", "close": "#5f6b7a",
}


def _bounds(value: object) -> tuple[float, float, float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value):
        x1, y1, x2, y2 = (float(v) for v in value)
        if 0 <= x1 < x2 <= 20000 and 0 <= y1 < y2 <= 40000:
            return x1, y1, x2, y2
    return None


def screen_wireframe(reading: dict[str, Any]) -> dict[str, Any] | None:
    """A schematic of a screen drawn from the recogniser's reading when there is no
    screenshot: each control's bounds as a box coloured by its role (accept green, decline
    red, links blue), consent checkboxes marked when ticked. None when no bounds are known."""
    items: list[tuple[tuple[float, float, float, float], str, str, bool | None]] = []
    controls = reading.get("controls")
    for c in controls if isinstance(controls, list) else []:
        if isinstance(c, dict) and (b := _bounds(c.get("bounds"))) is not None:
            items.append((b, str(c.get("role", "other")), clip(c.get("text", ""), 40), None))
    boxes = reading.get("checkboxes")
    for c in boxes if isinstance(boxes, list) else []:
        if isinstance(c, dict) and (b := _bounds(c.get("bounds"))) is not None:
            items.append((b, "checkbox", clip(c.get("text", ""), 40), bool(c.get("checked"))))
    if not items:
        return None
    width = max(1080.0, max(b[2] for b, *_ in items))
    height = max(width * 16 / 9, max(b[3] for b, *_ in items))
    shapes: list[dict[str, Any]] = [
        {"tag": "rect", "attrs": {"x": 0, "y": 0, "width": round(width), "height": round(height), "fill": "#f4f6f9", "stroke": "#8a94a3", "stroke-width": "8", "rx": "40"}, "text": "", "title": ""}
    ]
    for (x1, y1, x2, y2), role, text, checked in items[:40]:
        color = _ROLE_COLORS.get(role, "#8a94a3")
        title = f"{role}: {text}" if checked is None else f"checkbox {'ticked' if checked else 'not ticked'}: {text}"
        shapes.append({"tag": "rect", "attrs": {"x": round(x1), "y": round(y1), "width": round(x2 - x1), "height": round(y2 - y1), "fill": color if checked else color, "fill-opacity": "0.8" if checked else "0.18", "stroke": color, "stroke-width": "6", "rx": "12"}, "text": "", "title": title})
        if checked is None and y2 - y1 >= 40:
            shapes.append({"tag": "text", "attrs": {"x": round((x1 + x2) / 2), "y": round((y1 + y2) / 2 + 18), "font-size": "52", "text-anchor": "middle", "fill": color, "font-weight": "700"}, "text": clip(text, 12), "title": ""})
    return {"width": 120, "height": round(120 * height / width), "view": f"0 0 {round(width)} {round(height)}", "shapes": shapes}


def _screen_view(sv: Any, lang: str) -> dict[str, Any]:
    r = sv.reading
    controls = []
    for c in r.get("controls", []) if isinstance(r.get("controls"), list) else []:
        if isinstance(c, dict):
            rid = clip(c.get("resource_id", ""), 200)
            controls.append({"role": clip(c.get("role", ""), 40), "text": clip(c.get("text", ""), 200), "rid": rid, "rid_short": rid.split(":id/", 1)[-1], "button": bool(c.get("is_button"))})
    boxes = []
    for b in r.get("checkboxes", []) if isinstance(r.get("checkboxes"), list) else []:
        if isinstance(b, dict):
            boxes.append({"text": clip(b.get("text", ""), 200), "checked": bool(b.get("checked")), "consent": bool(b.get("consent"))})
    asym = r.get("asymmetry") if isinstance(r.get("asymmetry"), dict) else {}
    asym_items = []
    for key, label in (("area_ratio", "accept/decline area"), ("decline_is_link", "decline is a plain link"), ("accept_is_button", "accept is a button"), ("taps_to_refuse", "taps to refuse")):
        val = asym.get(key)
        if val is None:
            continue
        if isinstance(val, bool):
            val = "yes" if val else "no"
        elif isinstance(val, float):
            val = f"{val:.2f}"
        asym_items.append((label, clip(val, 40)))
    # the recogniser's reasons are recorded in English; the report prints them in its language
    reasons = [clip(reason_text(x, lang) if isinstance(x, str) else x, 200) for x in r.get("reasons", [])[:8]] if isinstance(r.get("reasons"), list) else []
    implied = [clip(x, 200) for x in r.get("implied_consent", [])[:5]] if isinstance(r.get("implied_consent"), list) else []
    return {
        "sv": sv,
        "controls": controls[:20],
        "boxes": boxes[:10],
        "asym": asym_items,
        "reasons": reasons,
        "implied": implied,
        "pre_ticked": bool(r.get("pre_ticked")),
        "ambiguous_only": bool(r.get("ambiguous_only")),
        "group": clip(r.get("permission_group", ""), 40),
        "language": clip(r.get("language", ""), 10),
        "seen": ", ".join(f"{t:.1f}" for t in sv.seen_at[:12]) + (" …" if len(sv.seen_at) > 12 else ""),
        "wire": None if sv.image_src else screen_wireframe(r),
    }


def render_run_html(data: RunData, *, embed_screens: bool = True) -> str:
    """The HTML report of one run, as a string."""
    screens = data.screens(embed=embed_screens)
    screen_anchor: dict[int, int] = {}
    for sv in screens:
        for s in sv.seqs:
            screen_anchor[s] = sv.seq
    findings = [_finding_view(i, f, data, screen_anchor) for i, f in enumerate(data.findings, 1)]
    code, sentence = data.overall()
    calls = data.api_calls()
    groups = data.api_groups()
    cats = sorted({g.category for g in groups})
    cat_totals = {c: sum(g.calls for g in groups if g.category == c) for c in cats}
    info = data.info
    lang = data.lang
    ctx = {
        **template_i18n(lang),
        "d": data,
        "info": info,
        "target": target_of(info),
        "title": f"{data.app_name or data.run_id} · {info.scenario or '?'}",
        "overall_code": code,
        "overall": sentence,
        "scenario_desc": scenario_description(info.scenario, info.extra, lang),
        "device": _device_text({**info.device, "model": ui(str(info.device["model"]), lang)} if isinstance(info.device, dict) and info.device.get("model") else info.device),
        "profile": _profile_text(data.analysis, info.profile, lang),
        "jurisdiction": _jurisdiction_text(data.jurisdiction, lang),
        "severities": list(reversed(SEVERITIES)),
        "verdicts": VERDICTS,
        "sev_counts": data.severity_counts(),
        "matrix": data.matrix(),
        "ptypes": [(k, term("problem_type", k, "en"), term("problem_type", k, "zh"), n) for k, n in data.problem_type_counts().items()],
        "findings": findings,
        "call_groups": data.call_groups(),
        "network": data.network(),
        "timeline": timeline_shapes(data) if data.events else None,
        "phase_legend": [(term("phase", p, lang), PHASE_FILLS[p]) for p in PHASES],
        "phase_totals": [(term("phase", p, lang), sum(max(1, c.count) for c in calls if data.phase_at(c.t) == p)) for p in PHASES],
        "screens": [_screen_view(sv, data.lang) for sv in screens],
        "groups": groups,
        "cat_totals": cat_totals,
        "n_calls": sum(max(1, c.count) for c in calls),
        "n_events": len(data.events),
        "errors": data.errors(),
        "rules_checked": data.rules_checked(),
        "phase_labels": {p: term("phase", p, lang) for p in PHASES},
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
    }
    return _env().get_template("report.html").render(**ctx)


# -- summary page -----------------------------------------------------------------------------


def render_summary_html(runs: Sequence[RunData], *, out_dir: Path, missing: Sequence[str] = ()) -> str:
    """The summary page of several runs (one app's suite, or a batch of apps)."""
    packages = list(dict.fromkeys(r.info.package or r.run_id for r in runs))
    scenarios = sorted({r.info.scenario or "?" for r in runs})
    cells: dict[tuple[str, str], list[RunData]] = defaultdict(list)
    for r in runs:
        cells[(r.info.package or r.run_id, r.info.scenario or "?")].append(r)

    def link(r: RunData) -> str:
        target = r.path / "report.html"
        if not target.is_file():
            return ""
        return Path(os.path.relpath(target.resolve(), out_dir.resolve())).as_posix()

    run_rows = []
    for r in runs:
        code, sentence = r.overall()
        run_rows.append({"r": r, "code": code, "sentence": sentence, "link": link(r), "sev": r.severity_counts(), "errors": len(r.errors())})
    matrix = []
    labels = {r.info.package or r.run_id: r.app_name for r in runs}
    for p in packages:
        row: list[dict[str, Any] | None] = []
        for s in scenarios:
            rs = cells.get((p, s), [])
            if not rs:
                row.append(None)
                continue
            worst = max(rs, key=lambda r: _overall_rank(r.overall()[0]))
            n = sum(len(r.findings) for r in rs)
            row.append({"code": worst.overall()[0], "n": n, "worst": max((f.severity for r in rs for f in r.findings), key=SEVERITIES.index, default=""), "link": link(worst), "runs": len(rs)})
        matrix.append({"package": p, "label": labels.get(p, p), "cells": row, "simulated": any(r.info.simulated for r in runs if (r.info.package or r.run_id) == p)})
    all_findings = [(r, f) for r in runs for f in r.findings]
    all_findings.sort(key=lambda rf: (-rf[1].rank(), VERDICTS.index(rf[1].verdict), rf[0].info.package, rf[1].rule_id))
    sev_total = Counter(f.severity for _, f in all_findings)
    rule_counts = Counter(f.rule_id for _, f in all_findings if f.verdict == "violation")
    titles: dict[str, str] = {}
    for _, f in all_findings:
        titles.setdefault(f.rule_id, f.title)
    ptypes = Counter(pt for _, f in all_findings for pt in set(f.problem_types))
    codes = Counter(r.overall()[0] for r in runs)
    lang = runs[0].lang if runs else "en"
    ctx = {
        **template_i18n(lang),
        "kind": "Standard suite" if len(packages) == 1 else "Batch",
        "title": (labels.get(packages[0], packages[0]) if len(packages) == 1 else uin("{n} app", "{n} apps", len(packages), lang)) if packages else ui("no runs", lang),
        "runs": run_rows,
        "packages": packages,
        "scenarios": scenarios,
        "matrix": matrix,
        "findings": all_findings[:MAX_SUMMARY_FINDINGS],
        "n_findings": len(all_findings),
        "max_findings": MAX_SUMMARY_FINDINGS,
        "sev_total": {s: sev_total.get(s, 0) for s in reversed(SEVERITIES)},
        "codes": codes,
        "rule_counts": [(r, n, titles.get(r, "")) for r, n in rule_counts.most_common(15)],
        "ptypes": [(k, term("problem_type", k, "en"), term("problem_type", k, "zh"), ptypes.get(k, 0)) for k in PROBLEM_TYPES],
        "any_sim": any(r.info.simulated for r in runs),
        "any_page": any(target_of(r.info).kind == "reference-page" for r in runs),
        "all_sim": bool(runs) and all(r.info.simulated for r in runs),
        "missing": [clip(m, 400) for m in missing],
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "severities": list(reversed(SEVERITIES)),
    }
    from harness.reporting.summary_extras import TABLE_SCRIPT, script_nonce, summary_charts

    ctx.update(charts=summary_charts(runs, lang), script_nonce=script_nonce(), table_script=TABLE_SCRIPT)
    return _env().get_template("summary.html").render(**ctx)


def _overall_rank(code: str) -> int:
    return {"violation": 3, "needs-review": 2, "not-analysed": 1, "clean": 0}.get(code, 0)


# -- registration ----------------------------------------------------------------------------


@report_format("html", "report.html", doc="the run report: one self-contained HTML page")
def write_run_html(data: RunData, target: Path, options: ReportOptions) -> None:
    write_text_atomic(target, render_run_html(data, embed_screens=options.embed_screens))


@report_format("html", "summary.html", scope="summary", doc="the summary page of several runs")
def write_summary_html(runs: Sequence[RunData], target: Path, options: ReportOptions) -> None:
    write_text_atomic(target, render_summary_html(runs, out_dir=target.parent, missing=options.missing))
