"""The Excel workbooks: ``report.xlsx`` for one run, ``summary.xlsx`` for a suite or batch.

``report.xlsx`` sheets:

* **Findings**: the FINDING_COLUMNS of harness.reporting.frames, one row per finding, worst
  first; severity cells coloured.
* **Evidence**: one row per (finding, evidence event): seq, time, consent phase, event kind,
  API, category, SDK, caller, arguments, return value and the top stack frames.
* **API calls**: every recorded sensitive API call with its consent phase and whether the app
  was in the background (capped at ``MAX_API_ROWS``; the cap is stated in the sheet).
* **Screens**: the consent screens seen, with the recogniser's reading (kind, controls and
  roles, pre-ticked boxes, asymmetry) and the screenshot / hierarchy file names.
* **Run**: run.json, the analysis facts, the verdict counts, notes on missing data, errors.

``summary.xlsx`` sheets: **Findings** (all runs, FINDING_COLUMNS) and **Runs** (one row per run
with its status and counts).

Every sheet has a bold frozen header row, an autofilter and column widths set for reading.
Workbooks are written in openpyxl's streaming mode, so memory stays flat for large runs.
Cells are written as text, never as formulas, and text a spreadsheet would read as a formula
(starting with = + - @, tab or CR) gets a leading single quote (OWASP's guard), so a UI text
such as ``=HYPERLINK(...)`` stays text even after the sheet is re-saved as CSV; bidi controls
become visible ``[U+202E]`` markers (:mod:`harness.textout`); characters Excel refuses are
removed and cells are bounded to Excel's 32,767-character limit. Chinese text is stored as-is (UTF-8 XML).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from harness import fsio
from harness.events import ApiCall, Event, PermissionRequest
from harness.findings import Finding
from harness.i18n import category_label, term, ui
from harness.reporting.build import RunData, clip, describe_event, note_text
from harness.reporting.formats import ReportOptions, report_format
from harness.reporting.frames import FINDING_COLUMNS
from harness.reporting.target import target_of
from harness.textout import guard_formula, neutralise_bidi

__all__ = ["write_run_xlsx", "write_summary_xlsx", "sheet_name", "column_labels", "MAX_API_ROWS", "RUN_COLUMNS"]

#: The API-calls sheet keeps at most this many rows (Excel's own limit is 1,048,576).
MAX_API_ROWS = 200_000
MAX_CELL = 32_000

_SEV_FILL = {
    "high": PatternFill("solid", fgColor="F4CCCA"),
    "medium": PatternFill("solid", fgColor="FBE0C3"),
    "low": PatternFill("solid", fgColor="F6EDC2"),
    "info": PatternFill("solid", fgColor="E6E9ED"),
}
_SEV_FONT = {
    "high": Font(bold=True, color="9B1C16"),
    "medium": Font(bold=True, color="A3530A"),
    "low": Font(bold=True, color="7A6200"),
    "info": Font(color="4A5563"),
}
_VERDICT_FONT = {
    "violation": Font(bold=True, color="9B1C16"),
    "needs-review": Font(bold=True, color="A3530A"),
    "info": Font(color="4A5563"),
}
_HEAD_FONT = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="14324F")
_HEAD_ALIGN = Alignment(vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_TOP = Alignment(vertical="top")
_THIN = Border(bottom=Side(style="thin", color="D9DEE5"))
_SIM_FILL = PatternFill("solid", fgColor="FFD34D")

# Reading widths (characters) per column name; others get a default.
_WIDTHS: dict[str, float] = {
    "run_id": 16, "package": 26, "scenario": 9, "simulated": 10, "rule_id": 8, "title": 34,
    "severity": 10, "verdict": 13, "problem_types": 10, "category": 13, "sdk": 16, "t": 9,
    "message": 60, "evidence": 18, "citations": 40, "thresholds": 40, "detector": 16,
    "finding": 8, "seq": 7, "phase": 16, "kind": 12, "api_id": 30, "caller": 42,
    "description": 50, "args": 30, "ret": 30, "stack": 60, "method": 44, "thread": 14,
    "count": 7, "background": 11, "key": 26, "value": 90, "screen_kind": 18, "confidence": 11,
    "controls": 60, "pre_ticked": 11, "asymmetry": 40, "screenshot": 22, "hierarchy": 22,
    "seen_at": 20, "app": 22, "status": 12, "overall": 40, "findings": 9, "high": 7,
    "medium": 9, "low": 7, "info": 7, "violations": 10, "needs_review": 13, "errors": 8,
    "device": 30, "harness_version": 12, "started_at": 21, "report": 40, "notes": 60,
}
_WRAP_COLS = {"message", "citations", "thresholds", "title", "description", "stack", "controls", "asymmetry", "value", "notes", "overall", "caller", "args", "ret"}

#: Columns of the Runs sheet of summary.xlsx.
RUN_COLUMNS: tuple[str, ...] = (
    "run_id", "package", "app", "scenario", "simulated", "status", "overall", "findings",
    "high", "medium", "low", "info", "violations", "needs_review", "errors", "device",
    "harness_version", "started_at", "report", "notes",
)


def _value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v if not isinstance(v, float) or math.isfinite(v) else ""
    # bidi overrides shown as visible markers, formula starts behind a quote (harness.textout)
    return guard_formula(neutralise_bidi(clip(v, MAX_CELL)))


class _Sheet:
    """A streaming sheet with a styled header, frozen top row, widths and an autofilter."""

    def __init__(self, wb: Workbook, title: str, columns: Sequence[str], *, labels: Sequence[str] | None = None) -> None:
        ws = wb.create_sheet(title)
        assert isinstance(ws, WriteOnlyWorksheet)
        self.ws = ws
        self.columns = list(columns)
        self.rows = 0
        self._styles: dict[tuple[bool, int, int], Any] = {}
        for i, col in enumerate(self.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(col, 14)
        ws.freeze_panes = "A2"
        head = []
        for label in labels or self.columns:
            c = WriteOnlyCell(ws, value=label)
            c.font, c.fill, c.alignment = _HEAD_FONT, _HEAD_FILL, _HEAD_ALIGN
            head.append(c)
        ws.append(head)

    def _style(self, wrap: bool, font: Any, fill: Any) -> Any:
        """A cell style array, built once per combination: assigning style objects cell by
        cell makes openpyxl hash them every time, which dominates large sheets."""
        key = (wrap, id(font), id(fill))
        arr = self._styles.get(key)
        if arr is None:
            probe = WriteOnlyCell(self.ws, value="")
            probe.alignment = _WRAP if wrap else _TOP
            probe.border = _THIN
            if font is not None:
                probe.font = font
            if fill is not None:
                probe.fill = fill
            arr = self._styles[key] = probe._style
        return arr

    def append(self, row: dict[str, Any] | Sequence[Any], *, styles: dict[str, tuple[Any, ...]] | None = None) -> None:
        """Append one styled row (wrapping per column, a thin rule, optional font/fill)."""
        values = [row.get(c, "") for c in self.columns] if isinstance(row, dict) else list(row)
        cells = []
        for col, v in zip(self.columns, values, strict=True):
            c = WriteOnlyCell(self.ws, value=_value(v))
            if isinstance(c.value, str):
                c.data_type = "s"  # text, never a formula
            font, fill = styles.get(col, (None, None)) if styles else (None, None)
            c._style = copy(self._style(col in _WRAP_COLS, font, fill))
            cells.append(c)
        self.ws.append(cells)
        self.rows += 1

    def append_plain(self, row: dict[str, Any]) -> None:
        """Append one unstyled row (fast path for large sheets); text stays text."""
        out: list[Any] = []
        for col in self.columns:
            v = _value(row.get(col, ""))
            if isinstance(v, str) and v.startswith("'"):
                c = WriteOnlyCell(self.ws, value=v)
                c.data_type = "s"
                v = c
            out.append(v)
        self.ws.append(out)
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


#: Sheet names per report language.
_SHEETS: dict[str, dict[str, str]] = {
    "Findings": {"zh": "发现"},
    "Evidence": {"zh": "证据"},
    "API calls": {"zh": "API调用"},
    "Screens": {"zh": "同意界面"},
    "Run": {"zh": "运行信息"},
    "Runs": {"zh": "运行"},
}


def sheet_name(name: str, lang: str) -> str:
    """A sheet's name in the report language."""
    return _SHEETS.get(name, {}).get(lang, name)


def column_labels(columns: Sequence[str], lang: str) -> list[str]:
    """Header labels: the column names in en (as before), glossary names in zh."""
    return [term("column", c, lang) for c in columns]


def _localise_row(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """A row with its enumerations (severity, verdict, consent phase, category, status, screen
    kind) printed in ``lang``; codes stay as they are in en."""
    if lang == "en":
        return row
    out = dict(row)
    for col, kind in (("severity", "severity"), ("verdict", "verdict"), ("status", "status"), ("screen_kind", "screen_kind"), ("kind", "event_kind")):
        v = out.get(col)
        if isinstance(v, str) and v:
            out[col] = term(kind, v, lang)
    v = out.get("category")
    if isinstance(v, str) and v:
        out["category"] = category_label(v, lang)
    for col in ("simulated", "background", "pre_ticked"):
        v = out.get(col)
        if isinstance(v, bool):
            out[col] = ui("yes" if v else "no", lang)
    return out


def _thresholds_text(f: Finding, lang: str) -> str:
    """'name=value unit (provenance)' entries, '; '-separated (frames.py's form), in ``lang``."""
    if lang == "en":
        return "; ".join(f"{th.name}={th.value}{' ' + th.unit if th.unit else ''} ({th.provenance})" for th in f.thresholds)
    return "；".join(f"{th.name}={th.value}{' ' + ui(th.unit, lang) if th.unit else ''}（{term('provenance', th.provenance, lang)}）" for th in f.thresholds)


def _finding_styles(row: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    sev = str(row.get("severity", ""))
    styles: dict[str, tuple[Any, ...]] = {"severity": (_SEV_FONT.get(sev), _SEV_FILL.get(sev)), "verdict": (_VERDICT_FONT.get(str(row.get("verdict", ""))), None), "rule_id": (Font(bold=True), None)}
    if row.get("simulated"):
        styles["simulated"] = (Font(bold=True), _SIM_FILL)
    return styles


def _stack_text(ev: ApiCall, frames: int = 12, sep: str = "\n") -> str:
    text = sep.join(ev.stack[:frames])
    if len(ev.stack) > frames:
        text += f"{sep}… {len(ev.stack) - frames} more frames"
    return text


def _phase(data: RunData, t: float) -> str:
    code = data.phase_at(t)
    return term("phase", code, data.lang) if code else ""


def _event_cols(ev: Event, data: RunData, *, stack_sep: str = "\n") -> dict[str, Any]:
    d: dict[str, Any] = {
        "seq": ev.seq,
        "t": round(ev.t, 3),
        "phase": _phase(data, ev.t),
        "background": data.in_background(ev.t),
        "kind": ev.kind,
        "description": describe_event(ev, data.lang),
    }
    if isinstance(ev, ApiCall):
        d |= {"api_id": ev.api_id, "category": ev.category, "sdk": ev.sdk or "unknown", "caller": ev.caller, "args": ev.args, "ret": ev.ret, "stack": _stack_text(ev, sep=stack_sep), "method": ev.method, "thread": ev.thread, "count": ev.count}
    elif isinstance(ev, PermissionRequest):
        d |= {"api_id": ev.api, "category": "PERM_REQ", "sdk": ev.sdk, "caller": ev.caller, "args": ", ".join(ev.permissions)}
    return d


def _run_facts(data: RunData) -> list[tuple[str, Any]]:
    info = data.info
    lang = data.lang
    target = target_of(info)
    code, sentence = data.overall()
    facts: list[tuple[str, Any]] = [
        ("SIMULATED", (ui("YES: reference page (a simulated target in a real browser), not a real service's page", lang) if target.kind == "reference-page" else ui("YES: reference device, not a real app", lang)) if info.simulated else ui("no", lang)),
        ("target", f"{ui(target.short, lang)}: {target.where}" if target.where else ui(target.short, lang)),
        ("overall", sentence),
        ("run_id", data.run_id),
        ("app", info.app_label or info.app),
        ("package", info.package),
        ("scenario", info.scenario),
        ("status", term("status", info.status, lang) if info.status else ""),
        ("started_at", info.started_at),
        ("finished_at", info.finished_at),
        ("harness_version", info.harness_version),
        ("hook_pack", info.hook_pack),
        ("profile", info.profile),
        ("jurisdiction", data.jurisdiction),
    ]
    for k, v in sorted((info.device or {}).items()):
        facts.append((f"device.{k}", (ui(v, lang) if k == "model" and isinstance(v, str) else v) if isinstance(v, (str, int, float, bool)) else json.dumps(v, ensure_ascii=False, default=str)))
    for s, n in data.severity_counts().items():
        facts.append((f"findings.{s}", n))
    for v, n in data.verdict_counts().items():
        facts.append((f"verdict.{v}", n))
    for k, n in data.problem_type_counts().items():
        facts.append((f"problem_type.{k}", n))
    facts.append(("rules_checked", " ".join(r for r, _ in data.rules_checked())))
    for p in data.phases:
        facts.append((f"phase.{p.phase}", f"{p.t0:.3f}-{p.t1:.3f} s"))
    for i, note in enumerate(data.notes, 1):
        facts.append((f"note.{i} ({note.level})", note_text(note, lang)))
    for i, e in enumerate(data.errors(), 1):
        facts.append((f"error.{i} ({e['source']})", f"{e['where']}: {e['message']}" + (f" at t={e['t']} s" if e["t"] else "")))
    return facts


def _fact_label(key: str, lang: str) -> str:
    """A Run-sheet key in ``lang``: 'findings.high' -> '发现.高' (the part before the dot from the
    column glossary, the part after it from the matching term list)."""
    if lang == "en":
        return key
    head, _, rest = key.partition(".")
    label = term("column", head, lang)
    if not rest:
        return label
    kind = {"findings": "severity", "verdict": "verdict", "problem_type": "problem_type", "phase": "phase"}.get(head)
    if kind is not None:
        return f"{label}.{term(kind, rest, lang)}"
    return f"{label}.{rest}"


def write_run_xlsx(data: RunData, path: Path) -> None:
    """Write report.xlsx of one run (sheet names, headers and enumerations in ``data.lang``)."""
    wb = Workbook(write_only=True)
    lang = data.lang

    fs = _Sheet(wb, sheet_name("Findings", lang), FINDING_COLUMNS, labels=column_labels(FINDING_COLUMNS, lang))
    for f, row in zip(data.findings, data.finding_rows(), strict=True):
        fs.append(_localise_row(row | {"thresholds": _thresholds_text(f, lang)}, lang), styles=_finding_styles(row))
    fs.close()

    ev_cols = ("finding", "rule_id", "severity", "seq", "t", "phase", "background", "kind", "category", "api_id", "sdk", "caller", "description", "args", "ret", "stack")
    es = _Sheet(wb, sheet_name("Evidence", lang), ev_cols, labels=column_labels(ev_cols, lang))
    for i, f in enumerate(data.findings, 1):
        for s in f.evidence:
            ev = data.by_seq.get(s)
            erow: dict[str, Any] = {"finding": i, "rule_id": f.rule_id, "severity": f.severity, "seq": s}
            if ev is None:
                erow["description"] = ui("event not found in the timeline", lang)
            else:
                erow |= _event_cols(ev, data)
            es.append(_localise_row(erow, lang), styles={"severity": (_SEV_FONT.get(f.severity), _SEV_FILL.get(f.severity))})
    es.close()

    api_cols = ("seq", "t", "phase", "background", "category", "api_id", "method", "sdk", "caller", "thread", "count", "args", "ret", "stack")
    api = _Sheet(wb, sheet_name("API calls", lang), api_cols, labels=column_labels(api_cols, lang))
    calls = data.api_calls()
    for ev in calls[:MAX_API_ROWS]:
        api.append_plain(_localise_row(_event_cols(ev, data, stack_sep=" | "), lang))
    if len(calls) > MAX_API_ROWS:
        api.append_plain({"seq": "", "description": "", "category": ui("… {n} more calls not listed (sheet cap {cap})", lang, n=len(calls) - MAX_API_ROWS, cap=MAX_API_ROWS)})
    api.close()

    scr_cols = ("seq", "t", "screen_kind", "confidence", "package", "pre_ticked", "controls", "asymmetry", "screenshot", "hierarchy", "seen_at")
    sc = _Sheet(wb, sheet_name("Screens", lang), scr_cols, labels=column_labels(scr_cols, lang))
    for sv in data.screens(embed=False):
        r = sv.reading
        raw_controls = r.get("controls")
        controls: list[Any] = raw_controls if isinstance(raw_controls, list) else []
        ctext = "\n".join(f"{term('role', str(c.get('role', '')), lang)}: {c.get('text', '')} [{c.get('resource_id', '')}]" for c in controls[:30] if isinstance(c, dict))
        raw_asym = r.get("asymmetry")
        asym: dict[str, Any] = raw_asym if isinstance(raw_asym, dict) else {}
        atext = "; ".join(f"{k}={v}" for k, v in asym.items() if v is not None)
        sc.append(
            _localise_row({
                "seq": sv.seq,
                "t": round(sv.t, 3),
                "screen_kind": sv.kind,
                "confidence": round(sv.confidence, 3),
                "package": sv.package,
                "pre_ticked": bool(r.get("pre_ticked")),
                "controls": ctext or sv.reading_error,
                "asymmetry": atext,
                "screenshot": sv.image_path,
                "hierarchy": sv.xml_path,
                "seen_at": ", ".join(f"{t:.2f}" for t in sv.seen_at[:50]),
            }, lang)
        )
    sc.close()

    rs = _Sheet(wb, sheet_name("Run", lang), ("key", "value"), labels=column_labels(("key", "value"), lang))
    for k, v in _run_facts(data):
        styles = {"key": (Font(bold=True), _SIM_FILL if k == "SIMULATED" and data.info.simulated else None)}
        rs.append((_fact_label(k, lang), v), styles=styles)
    rs.close()
    _save(wb, path)


def _run_row(data: RunData, out_dir: Path) -> dict[str, Any]:
    info = data.info
    sev = data.severity_counts()
    ver = data.verdict_counts()
    report = data.path / "report.html"
    return {
        "run_id": data.run_id,
        "package": info.package,
        "app": info.app_label or info.app,
        "scenario": info.scenario,
        "simulated": info.simulated,
        "status": info.status,
        "overall": data.overall()[1],
        "findings": len(data.findings),
        **sev,
        "violations": ver["violation"],
        "needs_review": ver["needs-review"],
        "errors": len(data.errors()),
        "device": clip(" ".join(str(info.device.get(k, "")) for k in ("model", "serial", "api_level") if info.device.get(k)), 200),
        "harness_version": info.harness_version,
        "started_at": info.started_at,
        "report": os.path.relpath(report, out_dir) if report.is_file() else "",
        "notes": "\n".join(note_text(n, data.lang) for n in data.notes),
    }


def write_summary_xlsx(runs: Iterable[RunData], path: Path, *, missing: Sequence[str] = ()) -> None:
    """Write summary.xlsx: every finding of every run, and one row per run."""
    runs = list(runs)
    lang = runs[0].lang if runs else "en"
    wb = Workbook(write_only=True)
    fs = _Sheet(wb, sheet_name("Findings", lang), FINDING_COLUMNS, labels=column_labels(FINDING_COLUMNS, lang))
    for data in runs:
        for f, row in zip(data.findings, data.finding_rows(), strict=True):
            fs.append(_localise_row(row | {"thresholds": _thresholds_text(f, lang)}, lang), styles=_finding_styles(row))
    fs.close()
    rs = _Sheet(wb, sheet_name("Runs", lang), RUN_COLUMNS, labels=column_labels(RUN_COLUMNS, lang))
    for data in runs:
        row = _run_row(data, path.parent)
        styles: dict[str, tuple[Any, ...]] = {}
        if row["high"]:
            styles["high"] = (_SEV_FONT["high"], _SEV_FILL["high"])
        if row["medium"]:
            styles["medium"] = (_SEV_FONT["medium"], _SEV_FILL["medium"])
        if row["simulated"]:
            styles["simulated"] = (Font(bold=True), _SIM_FILL)
        rs.append(_localise_row(row, lang), styles=styles)
    for m in missing:
        rs.append({"run_id": m, "status": term("status", "missing", lang), "overall": ui("run folder not found", lang)})
    rs.close()
    _save(wb, path)


def _save(wb: Workbook, path: Path) -> None:
    tmp = fsio.temp_path(path)  # unique: two writers of one report never share a temporary
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


# -- registration ----------------------------------------------------------------------------


@report_format("xlsx", "report.xlsx", doc="the run report as an Excel workbook (findings, evidence, API calls, screens)")
def _write_run(data: RunData, target: Path, options: ReportOptions) -> None:
    write_run_xlsx(data, target)


@report_format("xlsx", "summary.xlsx", scope="summary", doc="every finding of several runs, and one row per run")
def _write_summary(runs: Sequence[RunData], target: Path, options: ReportOptions) -> None:
    write_summary_xlsx(runs, target, missing=options.missing)
