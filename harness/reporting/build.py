"""Build every report of a run folder, and the summary of a suite or batch of runs.

``build_reports(run_dir)`` reads what a run folder holds (harness/rundir.py) and writes
``report.html``, ``report.xlsx``, ``findings.json`` and ``junit.xml`` beside it.
``build_summary(run_dirs, out_dir)`` writes ``summary.html`` and ``summary.xlsx`` for several runs
(the standard suite S1..S5 of one app, or a batch of many apps).

Loading is forgiving on purpose: a run killed half-way has no ``findings.jsonl`` yet, an old
run may lack ``analysis.json``, a truncated ``timeline.jsonl`` ends with half a line. Each gap
becomes a :class:`Note` that every report shows; nothing here crashes on a missing or malformed
file. Only a run folder that does not exist at all is an :class:`~harness.errors.InputError`.

This module also derives the views all formats share (background spans, the API-call groups, the
screens seen), so the HTML, Excel and JSON reports agree with one another. The consent phases are
not derived here: the detectors computed them and ``analysis.json`` holds them
(``consent_phases``); only for a run analysed before they were stored are they rebuilt, by the
detectors' own function, and a note says so.
Everything the app under test could have written (UI texts, stacks, arguments) is treated as
data: it is bounded in length and escaped by each renderer, never interpreted.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import fsio
from harness.detectors.phases import PHASE_LABELS, PHASE_NAMES, ConsentPhases
from harness.errors import InputError
from harness.events import (
    AgentStatus,
    ApiCall,
    AppState,
    ConsentDecision,
    ErrorRecord,
    Event,
    ExploreResult,
    HoneyPlant,
    NetworkFlow,
    PermissionRequest,
    PermissionResult,
    QuicBlocked,
    RunMarker,
    StepMarker,
    TlsFailure,
    UiAction,
    UiSnapshot,
    event_from_dict,
)
from harness.findings import SEVERITIES, VERDICTS, Finding
from harness.i18n import (
    category_label,
    check_lang,
    error_text,
    lang_for,
    render,
    rule_title,
    step_text,
    term,
    ui,
    uin,
)
from harness.reporting.formats import ReportOptions
from harness.reporting.formats import formats as registered_formats
from harness.reporting.frames import finding_row
from harness.rundir import RunDir, RunInfo

__all__ = [
    "PHASES",
    "PHASE_LABELS",
    "PROBLEM_TYPES",
    "SCENARIO_DESCRIPTIONS",
    "CATEGORY_COLORS",
    "SEVERITY_COLORS",
    "Note",
    "note_text",
    "PhaseSpan",
    "ApiGroup",
    "ScreenView",
    "RunData",
    "load_run",
    "localise_finding",
    "run_lang",
    "scenario_description",
    "category_color",
    "clip",
    "quic_count",
    "clean_text",
    "describe_event",
    "build_reports",
    "build_summary",
    "SUMMARY_EVENT_KINDS",
]

#: Consent phases of a run, in the order they normally follow one another: the detectors' phases
#: (harness/detectors/phases.py), read from ``analysis.json``, never recomputed by other rules.
PHASES: tuple[str, ...] = PHASE_NAMES

#: The eight problem types of the Shanghai 2023 campaign that findings are filed under
#: (rules.md part 8), as short labels in English and Chinese.
#: The seed problem types T1..T8 as (English, 中文) names: from the shared glossary
#: (catalog/messages.yaml ``terms.problem_type``), which the checklist uses too.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    k: (term("problem_type", k, "en"), term("problem_type", k, "zh")) for k in ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8")
}

#: What each scenario of the standard suite does, shown in the report header. A run can carry
#: its own wording in ``run.json`` ``extra["scenario_description"]``.
SCENARIO_DESCRIPTIONS: dict[str, str] = {
    "S1": "Observe: launch the app and touch nothing, so every collection seen happens before any consent.",
    "S2": "Decline the privacy policy (through any second confirmation), try the basic functions, "
    "send the app to the background and relaunch it.",
    "S3": "Accept the privacy policy, deny every runtime permission, exercise the features and "
    "cold-start the app twice more.",
    "S4": "Accept the policy and allow every permission: the baseline the other scenarios are compared with.",
    "S5": "Explore the settings: consent withdrawal, personalisation switches, account deletion.",
}

#: Colours of the personal-information categories (timeline marks, table chips).
CATEGORY_COLORS: dict[str, str] = {
    "DEVICE_ID": "#c0392b",
    "AD_ID": "#e67e22",
    "NET_ID": "#d35400",
    "PHONE_NUMBER": "#a93226",
    "APP_LIST": "#8e44ad",
    "LOCATION": "#2471a3",
    "CONTACTS": "#16a085",
    "CALL_LOG": "#117a65",
    "SMS": "#1e8449",
    "CALENDAR": "#7d6608",
    "MEDIA": "#b9770e",
    "CLIPBOARD": "#cb4335",
    "CAMERA": "#6c3483",
    "MIC": "#884ea0",
    "SENSOR": "#5d6d7e",
    "ACCOUNTS": "#1a5276",
    "PERM_REQ": "#34495e",
    "DEVICE_INFO": "#7f8c8d",
    "APP_START": "#566573",
    "LIFECYCLE": "#aab7b8",
}

SEVERITY_COLORS: dict[str, str] = {
    "high": "#b3261e",
    "medium": "#d9730d",
    "low": "#c9a227",
    "info": "#5f6b7a",
}

_CONSENT_SCREEN_KINDS = frozenset(
    {"permission_dialog", "privacy_dialog", "cmp_dialog", "second_confirm", "permission_rationale", "login_gate"}
)

# Bounds on what a report shows of one run: a hostile or runaway app cannot make a report
# unreadable or unbounded in size. The Excel workbook keeps more rows than the HTML page.
MAX_TEXT = 2000
MAX_STACK_FRAMES = 60
MAX_EVIDENCE_PER_FINDING = 50
MAX_SCREENS = 60
MAX_EMBED_PNG = 600_000
MAX_EMBED_TOTAL = 12_000_000
MAX_BAD_LINES_NOTED = 10

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SCENARIO_ID = re.compile(r"^\s*(S\d+)", re.IGNORECASE)
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def clean_text(value: object) -> str:
    """Text safe to place in any report format: control characters (terminal escapes, bytes
    that XML 1.0 forbids) removed. Markup is NOT escaped here; each renderer escapes."""
    return _CONTROL_CHARS.sub("", str(value))


#: the agent's ready record names the traffic routing it switched on: "... net redirect+quic+..., N hooks"
_NET_ON = re.compile(r" net ([a-z+]+),")


def quic_count(events: Iterable[Event]) -> int | None:
    """QUIC attempts the agent blocked in a run: the sum of its QuicBlocked counts (UDP to port
    443 refused). None when the run did not count them: no QuicBlocked event and no agent whose
    ready record says its UDP/443 refusal was on ("net ...quic..."), so a 0 would be a guess."""
    measured = False
    n = 0
    for e in events:
        if isinstance(e, QuicBlocked):
            measured = True
            n += max(1, e.count)
        elif isinstance(e, AgentStatus) and e.status == "ready" and not measured:
            m = _NET_ON.search(e.message)
            measured = m is not None and "quic" in m.group(1).split("+")
    return n if measured else None


def clip(value: object, limit: int = MAX_TEXT) -> str:
    """``clean_text`` bounded to ``limit`` characters, with a visible ellipsis when cut."""
    s = clean_text(value)
    if len(s) > limit:
        return s[: max(0, limit - 1)] + "…"
    return s


def scenario_description(scenario: str, extra: Mapping[str, Any] | None = None, lang: str = "en") -> str:
    """What the scenario does, in one sentence: the run's own wording first (in ``lang`` when
    report_ui.yaml has it: the standard scenarios' wordings), else the standard-suite wording
    matched on the leading ``S<n>``, else ''."""
    if extra:
        own = extra.get("scenario_description")
        if isinstance(own, str) and own.strip():
            return clip(ui(own.strip(), lang), 400)
    m = _SCENARIO_ID.match(scenario or "")
    return ui(SCENARIO_DESCRIPTIONS.get(m.group(1).upper(), ""), lang) if m else ""


def category_color(category: str) -> str:
    """Colour of a PI category; unknown categories get a stable grey-blue from their name."""
    if category in CATEGORY_COLORS:
        return CATEGORY_COLORS[category]
    h = sum(category.encode("utf-8", "replace")) % 360
    return f"hsl({h},25%,45%)"


@dataclass(frozen=True, slots=True)
class Note:
    """Something a reader must know about the data behind a report (a missing file, an
    unreadable line). ``level`` is 'warning' (the report is incomplete) or 'info'."""

    level: str
    message: str
    #: the English wording with {placeholders} (report_ui.yaml key) and its arguments, so the
    #: note can be printed in the report language; '' for a note that is its own key
    template: str = ""
    args: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, level: str, template: str, **args: object) -> Note:
        pairs = tuple((k, str(v)) for k, v in args.items())
        return cls(level, ui(template, "en", **dict(pairs)), template, pairs)


def note_text(n: Note, lang: str) -> str:
    """A report note in ``lang`` (zh | en)."""
    if n.template:
        return ui(n.template, lang, **{k: ui(v, lang) for k, v in n.args})
    if n.message.startswith("analysis: "):
        return ui("analysis:", lang) + " " + ui(n.message[len("analysis: ") :], lang)
    return ui(n.message, lang)


@dataclass(frozen=True, slots=True)
class PhaseSpan:
    """A stretch of run time spent in one consent phase."""

    phase: str
    t0: float
    t1: float


@dataclass(slots=True)
class ApiGroup:
    """API calls of one PI category, in one consent phase, by one SDK (or the app)."""

    category: str
    phase: str
    sdk: str
    calls: int = 0
    events: int = 0
    first_t: float = math.inf
    last_t: float = -math.inf
    apis: Counter[str] = field(default_factory=Counter)
    seqs: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ScreenView:
    """One distinct screen the runner read, with the recogniser's reading and its files."""

    seq: int
    t: float
    kind: str
    confidence: float
    package: str
    reading: dict[str, Any]
    reading_error: str = ""
    image_src: str = ""  # data: URI or a path relative to the run folder
    image_path: str = ""  # path relative to the run folder, when a PNG exists
    xml_path: str = ""
    seen_at: list[float] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)


@dataclass(slots=True)
class RunData:
    """Everything the reports need about one run, loaded tolerantly, plus derived views."""

    path: Path
    info: RunInfo
    info_raw: dict[str, Any] | None
    events: list[Event]
    findings: list[Finding]
    analysis: dict[str, Any] | None
    notes: list[Note]
    has_timeline: bool
    has_findings: bool
    #: the report language (zh | en): the one asked for, else zh under cn and en otherwise;
    #: finding titles and messages are already in it
    lang: str = "en"
    by_seq: dict[int, Event] = field(default_factory=dict)
    phases: list[PhaseSpan] = field(default_factory=list)
    consent: ConsentPhases = field(default_factory=ConsentPhases)
    background: list[tuple[float, float]] = field(default_factory=list)
    t_end: float = 0.0

    # -- identity ----------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self.info.run_id

    @property
    def jurisdiction(self) -> str:
        a = self.analysis or {}
        j = a.get("jurisdiction")
        return clip(j, 20) if isinstance(j, str) else ""

    @property
    def app_name(self) -> str:
        return self.info.app_label or self.info.app or self.info.package

    def relocalised(self, lang: str) -> RunData:
        """The same run with its findings in ``lang``."""
        from dataclasses import replace

        return replace(self, lang=lang, findings=[localise_finding(f, lang) for f in self.findings])

    # -- derived -----------------------------------------------------------------------------
    def phase_at(self, t: float) -> str:
        """The consent phase the run was in at time ``t``: the detectors' phase (same look-up)."""
        return self.consent.phase_at(t)

    def in_background(self, t: float) -> bool:
        return any(a <= t < b for a, b in self.background)

    def api_calls(self) -> list[ApiCall]:
        return [e for e in self.events if isinstance(e, ApiCall)]

    def api_groups(self) -> list[ApiGroup]:
        """API calls grouped by category x phase x SDK, ordered by category then phase."""
        groups: dict[tuple[str, str, str], ApiGroup] = {}
        for ev in self.api_calls():
            phase = self.phase_at(ev.t)
            sdk = ev.sdk or "unknown"
            key = (ev.category or "UNCATEGORISED", phase, sdk)
            g = groups.get(key)
            if g is None:
                g = groups[key] = ApiGroup(category=key[0], phase=phase, sdk=sdk)
            g.calls += max(1, ev.count)
            g.events += 1
            g.first_t = min(g.first_t, ev.t)
            g.last_t = max(g.last_t, ev.t)
            g.apis[ev.api_id or ev.method or "?"] += max(1, ev.count)
            if len(g.seqs) < 20:
                g.seqs.append(ev.seq)
        order = {p: i for i, p in enumerate(PHASES)}
        return sorted(groups.values(), key=lambda g: (g.category, order.get(g.phase, 9), -g.calls, g.sdk))

    def severity_counts(self) -> dict[str, int]:
        c = Counter(f.severity for f in self.findings)
        return {s: c.get(s, 0) for s in reversed(SEVERITIES)}

    def verdict_counts(self) -> dict[str, int]:
        c = Counter(f.verdict for f in self.findings)
        return {v: c.get(v, 0) for v in VERDICTS}

    def matrix(self) -> dict[str, dict[str, int]]:
        """Findings counted by severity (rows, worst first) and verdict (columns)."""
        c = Counter((f.severity, f.verdict) for f in self.findings)
        return {s: {v: c.get((s, v), 0) for v in VERDICTS} for s in reversed(SEVERITIES)}

    def problem_type_counts(self) -> dict[str, int]:
        c: Counter[str] = Counter()
        for f in self.findings:
            for pt in set(f.problem_types):
                c[pt] += 1
        return {k: c.get(k, 0) for k in PROBLEM_TYPES} | {k: v for k, v in c.items() if k not in PROBLEM_TYPES}

    def worst_severity(self) -> str:
        if not self.findings:
            return ""
        return max(self.findings, key=lambda f: f.rank()).severity

    def overall(self) -> tuple[str, str]:
        """(code, sentence) summing up the run: violation | needs-review | clean | not-analysed."""
        lang = self.lang
        if not self.has_findings:
            return ("not-analysed", ui("Not analysed: no verdict yet", lang))
        v = self.verdict_counts()
        if v["violation"]:
            return ("violation", uin("{n} violation found", "{n} violations found", v["violation"], lang))
        if v["needs-review"]:
            return ("needs-review", uin("{n} finding needs human review", "{n} findings need human review", v["needs-review"], lang))
        if self.findings:
            return ("clean", ui("No violation found; informational findings only", lang))
        return ("clean", ui("No finding: no checked rule was broken in this run", lang))

    def decisions(self) -> list[ConsentDecision]:
        return [e for e in self.events if isinstance(e, ConsentDecision)]

    def errors(self) -> list[dict[str, str]]:
        """Errors to show: ErrorRecord and agent errors from the timeline, detector errors from
        analysis.json. Each has 'source', 'where', 'message' and 't' (may be ''). The harness's own
        error wordings are printed in the report language (``harness.i18n.error_text``); an
        agent's message or an exception's text stays as recorded."""
        out: list[dict[str, str]] = []
        for e in self.events:
            if isinstance(e, ErrorRecord):
                out.append({"source": "timeline", "where": clip(e.where, 200), "message": clip(error_text(e.message, self.lang)), "t": f"{e.t:.3f}", "seq": str(e.seq)})
            elif isinstance(e, AgentStatus) and e.status not in ("ready", "ok"):
                out.append({"source": "agent", "where": clip(e.status, 100), "message": clip(e.message), "t": f"{e.t:.3f}", "seq": str(e.seq)})
            elif isinstance(e, StepMarker) and e.phase == "end" and e.status == "error":
                out.append({"source": "step", "where": clip(e.step, 100), "message": clip(error_text(e.message, self.lang)), "t": f"{e.t:.3f}", "seq": str(e.seq)})
        for err in detector_errors(self.analysis):
            out.append({"source": "detector", "where": err["detector"], "message": err["message"], "t": "", "seq": ""})
        return out

    def rules_checked(self) -> list[tuple[str, str]]:
        """(rule_id, title) of every rule the analysis checked: ``analysis.json``
        ``rules_checked`` when the detectors wrote it, plus every rule that has a finding."""
        out: dict[str, str] = {}
        a = self.analysis or {}
        listed = a.get("rules_checked", a.get("rules"))
        if isinstance(listed, list):
            for item in listed:
                if isinstance(item, str):
                    out.setdefault(clip(item, 40), "")
                elif isinstance(item, Mapping):
                    rid = item.get("rule_id", item.get("id"))
                    if isinstance(rid, str):
                        out[clip(rid, 40)] = clip(item.get("title", ""), 200)
        for f in self.findings:
            if not out.get(f.rule_id):
                out[f.rule_id] = f.title
        return sorted(out.items(), key=lambda kv: _rule_sort_key(kv[0]))

    def network(self) -> dict[str, Any] | None:
        """What left the device: counts, coverage (requests read over TLS or in cleartext, TLS
        handshakes refused and by which hosts, QUIC attempts the agent blocked, or None when the
        run did not count them), one row per host (party, SDK, first request and its consent
        phase) and the planted values found, as ``analysis.json`` keeps the detectors' matching
        (``network_matches``); None when the run recorded no network events."""
        flows = [e for e in self.events if isinstance(e, NetworkFlow)]
        fails = [e for e in self.events if isinstance(e, TlsFailure)]
        if not flows and not fails:
            return None
        from harness.network.attribution import attribute_host, first_party_domains

        first = first_party_domains(self.info.package)
        rows: dict[str, dict[str, Any]] = {}
        for f in flows:
            r = rows.get(f.host)
            if r is None:
                who = attribute_host(f.host, first)
                r = rows[f.host] = {"host": f.host, "party": who.party, "sdk": who.sdk, "n": 0, "t": f.t, "phase": term("phase", self.phase_at(f.t), self.lang) if self.phase_at(f.t) else "", "http": 0, "refused": 0}
            r["n"] += 1
            r["http"] += f.scheme == "http"
        for e in fails:
            host = e.sni or e.host
            if host not in rows:
                who = attribute_host(host, first)
                rows[host] = {"host": host, "party": who.party, "sdk": who.sdk, "n": 0, "t": e.t, "phase": term("phase", self.phase_at(e.t), self.lang) if self.phase_at(e.t) else "", "http": 0, "refused": 0}
            r = rows[host]
            r["refused"] += 1
        quic_blocked = quic_count(self.events)
        refused_hosts = sorted(((h, r["refused"]) for h, r in rows.items() if r["refused"]), key=lambda x: (-x[1], x[0]))
        matches, more_matches = self._network_matches()
        return {
            "flows": len(flows),
            "decrypted": sum(1 for f in flows if f.tls),
            "cleartext": sum(1 for f in flows if f.scheme == "http"),
            "tls_failures": len(fails),
            "refused_hosts": refused_hosts[:50],
            "more_refused_hosts": max(0, len(refused_hosts) - 50),
            "quic_blocked": quic_blocked,
            "planted": len({(h.api_id, h.value) for h in self.events if isinstance(h, HoneyPlant)}),
            "hosts": sorted(rows.values(), key=lambda r: (r["t"], r["host"]))[:300],
            "more_hosts": max(0, len(rows) - 300),
            "matches": matches,
            "more_matches": more_matches,
            "matches_stored": isinstance((self.analysis or {}).get("network_matches"), list),
        }

    def _network_matches(self, limit: int = 200) -> tuple[list[dict[str, Any]], int]:
        """Rows of the planted values found in requests, from ``analysis.json``
        (``network_matches``, the detectors' own matching): one row per flow and plant, with the
        request's time and consent phase; and how many rows were left out past ``limit``."""
        stored = (self.analysis or {}).get("network_matches")
        if not isinstance(stored, list):
            return [], 0
        out: list[dict[str, Any]] = []
        total = 0
        for rec in stored:
            if not isinstance(rec, Mapping) or not isinstance(rec.get("seq"), int) or not isinstance(rec.get("matches"), list):
                continue
            flow = self.by_seq.get(rec["seq"])
            if not isinstance(flow, NetworkFlow):
                continue
            for m in rec["matches"]:
                if not isinstance(m, Mapping):
                    continue
                total += 1
                if len(out) >= limit:
                    continue
                layers = m.get("layers")
                out.append(
                    {
                        "seq": flow.seq,
                        "t": flow.t,
                        "phase": term("phase", self.phase_at(flow.t), self.lang) if self.phase_at(flow.t) else "",
                        "host": flow.host,
                        "scheme": flow.scheme,
                        "party": clip(rec.get("party", ""), 16),
                        "sdk": clip(rec.get("sdk", ""), 64),
                        "category": clip(m.get("category", ""), 40),
                        "plant": clip(m.get("plant", ""), 40),
                        "form": clip(m.get("form", ""), 40),
                        "where": clip(m.get("where", ""), 80),
                        "layers": (" > ".join(clip(x, 32) for x in layers[:8] if isinstance(x, str)) if isinstance(layers, list) else "")
                        + (f" > via {clip(m.get('via', ''), 80)}" if m.get("via") else ""),
                        "snippet": clip(m.get("snippet", ""), 160),
                    }
                )
        return out, max(0, total - len(out))

    def call_groups(self) -> list[tuple[int, str, list[int]]]:
        """Findings that rest on the same recorded call: (seq of the call, its description,
        1-based indices into ``findings``) for every API call or permission request that two or
        more rules cite (e.g. one advertising-ID read before consent: R09, R33 and R35)."""
        by_seq: dict[int, list[int]] = {}
        for i, f in enumerate(self.findings, 1):
            for s in dict.fromkeys(f.evidence):
                ev = self.by_seq.get(s)
                if isinstance(ev, (ApiCall, PermissionRequest)):
                    by_seq.setdefault(s, []).append(i)
        out: list[tuple[int, str, list[int]]] = []
        seen: set[tuple[int, ...]] = set()
        for s in sorted(by_seq):
            idx = by_seq[s]
            if len({self.findings[i - 1].rule_id for i in idx}) < 2 or tuple(idx) in seen:
                continue
            seen.add(tuple(idx))
            out.append((s, describe_event(self.by_seq[s], self.lang), idx))
        return out

    def finding_rows(self) -> list[dict[str, Any]]:
        """FINDING_COLUMNS rows of this run (harness.reporting.frames)."""
        return [
            finding_row(f, run_id=self.run_id, package=self.info.package, scenario=self.info.scenario, simulated=self.info.simulated)
            for f in self.findings
        ]

    def screens(self, *, embed: bool = True) -> list[ScreenView]:
        """Distinct consent-relevant screens (and screens cited as evidence), first seen first.
        Screenshots are embedded as data URIs up to a size budget, else linked relatively."""
        evidence = {s for f in self.findings for s in f.evidence}
        views: dict[str, ScreenView] = {}
        budget = MAX_EMBED_TOTAL
        for ev in self.events:
            if not isinstance(ev, UiSnapshot):
                continue
            reading, reading_error = ev.reading.to_dict(), clip(ev.reading.error, 200)
            kind = ev.screen_kind or str(reading.get("kind", "other"))
            if kind not in _CONSENT_SCREEN_KINDS and ev.seq not in evidence:
                continue
            key = ev.hierarchy_hash or f"seq:{ev.seq}"
            view = views.get(key)
            if view is None:
                if len(views) >= MAX_SCREENS:
                    continue
                view = ScreenView(
                    seq=ev.seq,
                    t=ev.t,
                    kind=clip(kind, 40),
                    confidence=ev.confidence,
                    package=clip(ev.package, 200),
                    reading=reading,
                    reading_error=reading_error,
                )
                png = self._resolve(ev.screenshot_path, ev.seq, ".png")
                if png is not None:
                    view.image_path = png.relative_to(self.path.resolve()).as_posix()
                    view.image_src = view.image_path
                    if embed:
                        data = _read_png(png, MAX_EMBED_PNG)
                        if data is not None and len(data) <= budget:
                            budget -= len(data)
                            view.image_src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
                xml = self._resolve(ev.hierarchy_path, ev.seq, ".xml")
                if xml is not None:
                    view.xml_path = xml.relative_to(self.path.resolve()).as_posix()
                views[key] = view
            view.seen_at.append(ev.t)
            view.seqs.append(ev.seq)
        return list(views.values())

    def _resolve(self, recorded: str, seq: int, suffix: str) -> Path | None:
        """A file of the run folder: the recorded path if it stays inside the folder, else
        ``screens/<seq><suffix>``. Paths leaving the run folder are ignored."""
        root = self.path.resolve()
        candidates: list[Path] = []
        if recorded:
            p = Path(recorded)
            candidates.append(p if p.is_absolute() else self.path / p)
        candidates.append(self.path / "screens" / f"{seq}{suffix}")
        for c in candidates:
            if _has_link(c, self.path):
                continue  # symlinks inside a run folder are never followed
            try:
                r = c.resolve()
            except (OSError, RuntimeError):
                continue
            if r.suffix.lower() == suffix and r.is_file() and root in r.parents:
                return r
        return None


def _has_link(path: Path, root: Path) -> bool:
    """True when ``path`` or a folder between ``root`` and it is a symlink."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return True
    cur = root
    for part in rel.parts:
        cur = cur / part
        if cur.is_symlink():
            return True
    return False


def _rule_sort_key(rule_id: str) -> tuple[str, int, str]:
    m = re.match(r"^([A-Za-z]*)(\d+)(.*)$", rule_id)
    if m:
        return (m.group(1), int(m.group(2)), m.group(3))
    return (rule_id, 0, "")


def _read_png(path: Path, limit: int) -> bytes | None:
    try:
        data = fsio.read_bytes(path, limit + 1)  # never through a symlink
        if len(data) > limit:
            return None
    except OSError:
        return None
    return data if data.startswith(_PNG_MAGIC) else None


def detector_errors(analysis: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The ``errors`` list of analysis.json, each as {'detector', 'message'} strings."""
    out: list[dict[str, str]] = []
    if not analysis:
        return out
    errs = analysis.get("errors")
    if not isinstance(errs, list):
        return out
    for e in errs:
        if isinstance(e, Mapping):
            out.append({"detector": clip(e.get("detector", "?"), 200), "message": clip(e.get("message", ""))})
        else:
            out.append({"detector": "?", "message": clip(e)})
    return out


# -- loading ----------------------------------------------------------------------------------


def _read_json_object(path: Path, what: str, notes: list[Note]) -> dict[str, Any] | None:
    if not path.is_file() and not fsio.is_link(path):
        return None
    try:
        value = json.loads(fsio.read_text(path))
    except OSError as exc:
        notes.append(Note.of("warning", "{what} ({name}) could not be read: {error}", what=what, name=path.name, error=clip(exc, 200)))
        return None
    except (ValueError, RecursionError) as exc:
        notes.append(Note.of("warning", "{what} ({name}) is not valid JSON: {error}", what=what, name=path.name, error=clip(exc, 200)))
        return None
    if not isinstance(value, dict):
        notes.append(Note.of("warning", "{what} ({name}) does not hold a JSON object", what=what, name=path.name))
        return None
    return value


def _kind_filter(kinds: frozenset[str]) -> re.Pattern[str]:
    """A cheap pre-filter on raw lines: only lines naming one of ``kinds`` get parsed."""
    return re.compile(r'"kind"\s*:\s*"(?:' + "|".join(re.escape(k) for k in sorted(kinds)) + ')"')


def _read_jsonl(path: Path, what: str, notes: list[Note], *, keep: re.Pattern[str] | None = None) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each readable line, streamed so a long timeline is never
    held twice in memory (the one reader, ``harness.fsio.read_jsonl``); bad lines become notes.
    With ``keep``, lines not matching it are skipped unparsed."""
    bad = 0
    try:
        wanted = (lambda text: keep.search(text) is not None) if keep is not None else None
        for line in fsio.read_jsonl(path, keep=wanted):
            if not line.ok:
                bad += 1
                if bad <= MAX_BAD_LINES_NOTED:
                    notes.append(Note.of("warning", "{what} line {n} is unreadable and was skipped: {error}", what=what, n=line.lineno, error=clip(line.error, 160)))
                continue
            yield line.lineno, line.value
    except OSError as exc:
        notes.append(Note.of("warning", "{what} could not be read: {error}", what=what, error=clip(exc, 200)))
    if bad > MAX_BAD_LINES_NOTED:
        notes.append(Note.of("warning", "{what}: {n} more unreadable lines skipped", what=what, n=bad - MAX_BAD_LINES_NOTED))


_SHARED_FIELDS = ("api_id", "category", "method", "caller", "thread", "sdk", "source", "kind", "package", "screen_kind", "state")


def _share_strings(value: dict[str, Any], memo: dict[str, str]) -> None:
    """Make repeated texts of a timeline (API ids, callers, stack frames) one object each:
    a long run repeats the same few hundred strings millions of times."""
    for key in _SHARED_FIELDS:
        v = value.get(key)
        if isinstance(v, str):
            value[key] = memo.setdefault(v, v)
    stack = value.get("stack")
    if isinstance(stack, list):
        value["stack"] = [memo.setdefault(x, x) if isinstance(x, str) else x for x in stack]


def _placeholder_info(path: Path) -> RunInfo:
    return RunInfo(run_id=path.name, package="", app="", scenario="", device={}, simulated=False, harness_version="", status="unknown")


def _info_from(raw: dict[str, Any] | None, path: Path, notes: list[Note]) -> RunInfo:
    if raw is None:
        return _placeholder_info(path)
    try:
        info = RunInfo.from_dict(raw)
    except TypeError as exc:
        notes.append(Note.of("warning", "run.json lacks required fields: {error}", error=clip(exc, 200)))
        return _placeholder_info(path)
    # Normalise types so every renderer can rely on them.
    info.run_id = clip(info.run_id, 200) if info.run_id else path.name
    for name in ("package", "app", "scenario", "harness_version", "hook_pack", "started_at", "finished_at", "status", "profile", "app_label"):
        setattr(info, name, clip(getattr(info, name) or "", 400))
    info.simulated = bool(info.simulated)
    if not isinstance(info.device, dict):
        info.device = {"description": clip(info.device, 400)}
    if not isinstance(info.extra, dict):
        info.extra = {}
    return info


def load_run(run_dir: str | Path, *, events_kinds: frozenset[str] | None = None, lang: str = "") -> RunData:
    """Read a run folder tolerantly. Raises InputError only when the folder does not exist.

    ``lang`` (zh | en) is the report language; '' follows the jurisdiction the run was judged
    under (cn → zh, else en). Finding titles and messages are rendered in it from their
    catalogue keys (a finding without one keeps its stored text).

    ``events_kinds`` keeps only events of those kinds and skips parsing the other timeline
    lines (the batch summary needs error records only, not millions of API calls)."""
    rd = RunDir(run_dir)
    if not rd.path.is_dir():
        raise InputError(f"run folder not found: {rd.path}")
    rd.remove_stale_temps()  # temporaries a killed writer left behind
    notes: list[Note] = []

    info_raw = _read_json_object(rd.run_json, "run description", notes)
    if info_raw is None and not rd.run_json.is_file():
        notes.append(Note("warning", "run.json is missing: app, device and scenario are unknown"))
    info = _info_from(info_raw, rd.path, notes)

    events: list[Event] = []
    has_timeline = rd.timeline.is_file()
    if has_timeline:
        bad = 0
        memo: dict[str, str] = {}
        keep = _kind_filter(events_kinds) if events_kinds is not None else None
        for lineno, value in _read_jsonl(rd.timeline, "timeline.jsonl", notes, keep=keep):
            try:
                if not isinstance(value, dict):
                    raise ValueError("not an object")
                if events_kinds is not None and value.get("kind") not in events_kinds:
                    continue
                _share_strings(value, memo)
                ev = event_from_dict(value)
                if not math.isfinite(ev.t):
                    raise ValueError("time is not a finite number")
                events.append(ev)
            except (ValueError, TypeError) as exc:
                bad += 1
                if bad <= MAX_BAD_LINES_NOTED:
                    notes.append(Note.of("warning", "timeline.jsonl line {n} holds no valid event: {error}", n=lineno, error=clip(exc, 160)))
        if bad > MAX_BAD_LINES_NOTED:
            notes.append(Note.of("warning", "timeline.jsonl: {n} more invalid events skipped", n=bad - MAX_BAD_LINES_NOTED))
    else:
        notes.append(Note("warning", "timeline.jsonl is missing: no events, evidence or screens can be shown"))

    _recording_notes(events, notes)

    findings: list[Finding] = []
    has_findings = rd.findings.is_file()
    if has_findings:
        for lineno, value in _read_jsonl(rd.findings, "findings.jsonl", notes):
            try:
                if not isinstance(value, dict):
                    raise ValueError("not an object")
                findings.append(_sanitize_finding(Finding.from_dict(value)))
            except (KeyError, ValueError, TypeError) as exc:
                notes.append(Note.of("warning", "findings.jsonl line {n} holds no valid finding: {error}", n=lineno, error=clip(exc, 160)))
    else:
        notes.append(
            Note(
                "warning",
                "findings.jsonl is missing: the run has not been analysed (it may have been killed "
                "before the end); no verdict is given. Run `consent-harness analyze` on this folder.",
            )
        )

    analysis = _read_json_object(rd.analysis, "analysis", notes)
    if analysis is not None and isinstance(analysis.get("notes"), list):
        for text in analysis["notes"][:20]:
            notes.append(Note("info", "analysis: " + clip(text, 400)))
    if analysis is None and not rd.analysis.is_file() and has_findings:
        notes.append(Note("info", "analysis.json is missing: jurisdiction and detector errors are unknown"))

    if info.status in ("running", "unknown", "") and info_raw is not None:
        notes.append(Note.of("warning", "run status is '{status}': the run did not finish normally", status=info.status or "empty"))
    elif info.status == "steps-failed":
        failed = info.extra.get("failed_steps") if isinstance(info.extra, dict) else None
        detail = "; ".join(
            clip(f"{f.get('step', '?')} (step {f.get('index', '?')}): {f.get('message', '')}", 300) for f in (failed or [])[:10] if isinstance(f, dict)
        )
        notes.append(Note.of("warning", "some scenario steps failed, so the run did not do everything its scenario says: {detail}", detail=detail or ui("see the Errors section", "en")))
    elif info.status == "incomplete":
        why = info.extra.get("incomplete") if isinstance(info.extra, dict) else None
        notes.append(Note.of("warning", "run incomplete: the app never settled ({why}); every step ran out its bounded wait and everything recorded is judged, but the scenario could not do all it says", why=clip(str(why or ui("see the Errors section", "en")), 400)))
    elif info.status in ("aborted", "error"):
        notes.append(Note.of("warning", "run status is '{status}': the scenario did not run to its end", status=info.status))

    jid = analysis.get("jurisdiction") if isinstance(analysis, dict) else None
    report_lang = lang_for(jid if isinstance(jid, str) else "", lang)
    findings = [localise_finding(f, report_lang) for f in findings]
    findings.sort(key=lambda f: (-f.rank(), VERDICTS.index(f.verdict), f.t, _rule_sort_key(f.rule_id)))
    data = RunData(
        path=rd.path,
        info=info,
        info_raw=info_raw,
        events=events,
        findings=findings,
        analysis=analysis,
        notes=notes,
        has_timeline=has_timeline,
        has_findings=has_findings,
        lang=report_lang,
    )
    _derive(data, rebuild_phases=events_kinds is None)
    return data


def _recording_notes(events: Sequence[Event], notes: list[Note]) -> None:
    """Notes for what the recording itself flagged: device times clamped to the run window,
    events that could not be recorded, an event budget that was reached."""
    clamped = [e for e in events if isinstance(e, ErrorRecord) and e.where == "agent-clock"]
    if clamped:
        n = sum(_leading_int(e.message) for e in clamped)
        notes.append(Note.of("warning", "{n} instrumentation event(s) carried device times outside the run window and were clamped to its edge: their times (and any timing rule built on them) are not trustworthy; see the error records", n=n))
    lost = [e for e in events if isinstance(e, ErrorRecord) and e.where in ("emit", "timeline")]
    if lost:
        notes.append(Note.of("warning", "{n} error record(s) say events could not be recorded as sent; see the error records", n=len(lost)))
    budget = [e for e in events if isinstance(e, ErrorRecord) and e.where == "event-budget"]
    if budget:
        notes.append(Note("warning", "the run reached its event budget: later instrumentation events were counted, not stored; see the error records"))


def _leading_int(text: str) -> int:
    m = re.match(r"\s*(\d+)", text)
    return int(m.group(1)) if m else 1


def run_lang(run_dir: str | Path, lang: str = "") -> str:
    """The report language of a run folder: ``lang`` when given, else by the jurisdiction in its
    analysis.json (cn → zh; eu or none recorded → en)."""
    if lang:
        return check_lang(lang)
    a = _read_json_object(RunDir(run_dir).analysis, "analysis", [])
    jid = a.get("jurisdiction") if a is not None else None
    return lang_for(jid if isinstance(jid, str) else "")


def localise_finding(f: Finding, lang: str) -> Finding:
    """The finding with its title and message in ``lang`` (zh | en): the rule's title in the
    language's wording and the message rendered from its catalogue key. Machine fields (rule,
    severity, verdict, category, SDK, subject, evidence: the finding's identity) stay as they
    are; a finding without a catalogue message keeps its stored text."""
    from dataclasses import replace

    title = rule_title(f.rule_id, lang, f.title)
    message = clip(render(f.msg, lang)) if f.msg is not None else ""
    # an article's English gloss (e.g. "24 (personalised-ads part only)") has a zh wording
    citations = tuple(replace(c, article=ui(c.article, lang)) if c.article else c for c in f.citations) if lang == "zh" else f.citations
    return replace(f, title=clip(title, 300), message=message or f.message, citations=citations)


def _sanitize_finding(f: Finding) -> Finding:
    """Findings are written by the harness, but their messages quote app texts: bound them."""
    from dataclasses import replace

    return replace(
        f,
        t=f.t if math.isfinite(f.t) else 0.0,
        rule_id=clip(f.rule_id, 40),
        title=clip(f.title, 300),
        message=clip(f.message),
        sdk=clip(f.sdk, 200),
        category=clip(f.category, 60),
        detector=clip(f.detector, 120),
        evidence=f.evidence[:1000],
    )


def _consent_phases(data: RunData, events: Sequence[Event], *, rebuild: bool) -> ConsentPhases:
    """The detectors' consent phases: from analysis.json; for a run analysed before they were
    stored, rebuilt from the timeline by the detectors' own function (and a note says so)."""
    stored = (data.analysis or {}).get("consent_phases")
    if stored is not None:
        try:
            cp = ConsentPhases.from_dict(stored)
        except ValueError as exc:
            data.notes.append(Note.of("warning", "analysis.json consent_phases unreadable ({error}); rebuilt from the timeline", error=clip(exc, 160)))
        else:
            if cp.omitted:
                data.notes.append(Note.of("warning", "analysis.json keeps {n} consent-phase changes; {omitted} later ones are not shown", n=len(cp.changes), omitted=cp.omitted))
            return cp
    if not rebuild or not data.has_timeline or not events:
        return ConsentPhases()
    from harness.catalog.rules import load_rules
    from harness.detectors.phases import build_phases

    if data.has_findings:
        data.notes.append(Note("info", "analysis.json holds no consent phases (analysed by an older version); rebuilt from the timeline with the detectors' rules"))
    return build_phases(events, load_rules(), package=data.info.package).consent_phases


def _derive(data: RunData, *, rebuild_phases: bool = True) -> None:
    """Fill by_seq, t_end, consent phases and background spans from the events."""
    events = sorted(data.events, key=lambda e: (e.t, e.seq))
    data.by_seq = {e.seq: e for e in data.events}
    t_end = max((e.t for e in events), default=0.0)
    data.t_end = t_end if math.isfinite(t_end) else 0.0

    data.consent = _consent_phases(data, events, rebuild=rebuild_phases)
    t0 = min((e.t for e in events), default=0.0)
    data.phases = [PhaseSpan(p, a, max(b, a)) for p, a, b in data.consent.spans(t0 if math.isfinite(t0) else 0.0)]
    if data.phases and data.phases[-1].t1 < data.t_end:
        last = data.phases[-1]
        data.phases[-1] = PhaseSpan(last.phase, last.t0, data.t_end)

    bg: list[tuple[float, float]] = []
    start: float | None = None
    for ev in events:
        if isinstance(ev, AppState):
            if ev.state == "background" and start is None:
                start = ev.t
            elif ev.state in ("foreground", "started", "died", "exited", "crashed") and start is not None:
                bg.append((start, ev.t))
                start = None
    if start is not None:
        bg.append((start, max(start, data.t_end)))
    data.background = bg


# -- one-line summaries of events -------------------------------------------------------------


def describe_event(ev: Event, lang: str = "en") -> str:
    """A short, plain-text description of an event for evidence lists (not escaped), in
    ``lang`` (zh | en). App texts, API names, hosts and codes inside it are kept as recorded."""

    def _(text: str, **args: object) -> str:
        return ui(text, lang, **args)

    if isinstance(ev, ApiCall):
        who = ev.sdk or _("unknown code")
        n = f" ×{ev.count}" if ev.count > 1 else ""
        return clip(_("{api} [{category}] by {who}", api=ev.api_id or ev.method, category=category_label(ev.category, lang), who=who) + n, 400)
    if isinstance(ev, ConsentDecision):
        return clip(_("{choice} {subject} via {how} ({taps} taps)", choice=term("choice", ev.choice, lang), subject=ev.subject, how=ev.how or "?", taps=ev.taps) if ev.taps != 1 else _("{choice} {subject} via {how} (1 tap)", choice=term("choice", ev.choice, lang), subject=ev.subject, how=ev.how or "?"), 400)
    if isinstance(ev, PermissionRequest):
        groups = "、".join(term("group", g, lang) for g in ev.groups) if lang == "zh" and ev.groups else (", ".join(ev.groups) or ", ".join(ev.permissions) or "?")
        return clip(_("permission request ({via}) for {groups} by {who}", via=ev.via, groups=groups, who=ev.sdk or _("unknown")), 400)
    if isinstance(ev, PermissionResult):
        return clip(_("permission {group}: {state}", group=term("group", ev.group, lang), state=ev.state), 400)
    if isinstance(ev, UiSnapshot):
        return clip(_("screen read: {kind} (confidence {confidence}) in {package}", kind=term("screen_kind", ev.screen_kind, lang), confidence=f"{ev.confidence:.2f}", package=ev.package or "?"), 400)
    if isinstance(ev, UiAction):
        target = ev.text or ev.resource_id
        extra = f" role={ev.role}" if ev.role else ""
        intent = " " + _("starts {intent}", intent=ev.user_intent) if ev.user_intent else ""
        return clip(f"{_(ev.action)} {target}{extra}{intent}".strip(), 400)
    if isinstance(ev, AppState):
        cause = f" ({ev.cause})" if ev.cause else ""
        return clip(_("app {state}", state=_(ev.state)) + cause, 400)
    if isinstance(ev, StepMarker):
        st = f" {_(ev.status)}" if ev.status else ""
        msg = f"{'：' if lang == 'zh' else ': '}{step_text(ev.message, lang)}" if ev.message else ""
        return clip(_("step {index} {step} {phase}", index=ev.index, step=ev.step, phase=_(ev.phase)) + st + msg, 400)
    if isinstance(ev, ExploreResult):
        got = ", ".join(_("{target} in {n} taps", target=f.target, n=f.clicks) if f.clicks != 1 else _("{target} in 1 tap", target=f.target) for f in ev.found) or _("nothing")
        miss = _("; not found: {targets}", targets=", ".join(ev.missing)) if ev.missing else ""
        return clip(_("explored {screens} screens with {taps} taps: found {got}", screens=ev.screens, taps=ev.taps, got=got) + miss, 400)
    if isinstance(ev, NetworkFlow):
        tls = "TLS" if ev.tls else (_("plain http") if ev.scheme == "http" else ev.scheme)
        return clip(_("request {method} {url} ({tls}, {n} bytes)", method=ev.method, url=f"{ev.host}{ev.path}", tls=tls, n=ev.req_bytes), 400)
    if isinstance(ev, TlsFailure):
        return clip(_("TLS handshake to {host} refused by the app: {error}", host=ev.sni or ev.host, error=ev.error), 400)
    if isinstance(ev, HoneyPlant):
        return clip(_("planted {category} value {value} returned by {api}", category=category_label(ev.category, lang), value=ev.value, api=ev.api_id), 400)
    if isinstance(ev, RunMarker):
        return clip(_("run {phase} {status}", phase=_(ev.phase), status=_(ev.status) if ev.status else "").strip(), 400)
    if isinstance(ev, AgentStatus):
        return clip(_("agent {status}: {n} hooks", status=_(ev.status), n=ev.hooks) + (f" {ev.message}" if ev.message else ""), 400)
    if isinstance(ev, ErrorRecord):
        return clip(_("error in {where}: {message}", where=ev.where, message=ev.message), 400)
    return clip(ev.kind, 400)


# -- entry points -----------------------------------------------------------------------------


def build_reports(
    run_dir: Path,
    formats: Sequence[str] | None = None,
    *,
    fail_on: str = "medium",
    embed_screens: bool = True,
    lang: str = "",
) -> dict[str, Path]:
    """Write the reports of one run folder; return {format: path written}.

    ``formats`` are names registered in :mod:`harness.reporting.formats` (default: every format
    registered as a default one). ``fail_on`` is the lowest severity that makes a JUnit test case
    fail. ``embed_screens`` puts screenshots into the HTML as data URIs (one self-contained file)
    up to a size budget; beyond it, or when false, images are linked relative to the run folder.
    ``lang`` (zh | en) is the report language; '' follows the run's jurisdiction (cn → zh)."""
    known = registered_formats("run")
    wanted = list(dict.fromkeys(formats)) if formats is not None else [n for n, f in known.items() if f.default]
    unknown = [f for f in wanted if f not in known]
    if unknown:
        raise InputError(f"unknown report format(s) {', '.join(map(repr, unknown))}; choose from {', '.join(known)}")
    if fail_on not in SEVERITIES:
        raise InputError(f"fail_on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    data = load_run(run_dir, lang=lang)
    options = ReportOptions(fail_on=fail_on, embed_screens=embed_screens)
    out: dict[str, Path] = {}
    for name in wanted:
        fmt = known[name]
        target = data.path / fmt.filename
        fmt.write_run(data, target, options)
        out[name] = target
    return out


#: Event kinds the summary reads from each timeline (for its error counts).
SUMMARY_EVENT_KINDS = frozenset({"error", "agent", "step", "run"})


def build_summary(run_dirs: Sequence[Path], out_dir: Path, *, formats: Iterable[str] = ("html", "xlsx"), lang: str = "") -> dict[str, Path]:
    """Write ``summary.html`` and ``summary.xlsx`` (the registered summary formats asked for) for
    several runs (an app's suite or a batch) into ``out_dir``; return {format: path}. Run folders
    that do not exist are listed as missing in the summary rather than stopping it. ``lang``
    (zh | en): the summary's language; '' = zh when every run was judged under cn, else en."""
    known = registered_formats("summary")
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in known]
    if unknown:
        raise InputError(f"unknown summary format(s) {', '.join(map(repr, unknown))}; choose from {', '.join(known)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs: list[RunData] = []
    missing: list[str] = []
    if lang:
        check_lang(lang)
    for rd in run_dirs:
        try:
            runs.append(load_run(rd, events_kinds=SUMMARY_EVENT_KINDS, lang=lang or "en"))
        except InputError:
            missing.append(str(rd))
    if not lang:
        lang = "zh" if runs and all(r.jurisdiction == "cn" for r in runs) else "en"
        if lang == "zh":
            runs = [r.relocalised("zh") for r in runs]
    runs.sort(key=lambda r: (r.info.package, r.info.scenario, r.run_id))
    options = ReportOptions(missing=tuple(missing))
    out: dict[str, Path] = {}
    for name in wanted:
        fmt = known[name]
        target = out_dir / fmt.filename
        fmt.write_summary(runs, target, options)
        out[name] = target
    return out
