"""A compact findings table for the terminal, grouped by app and scenario.

``print_findings_table(rows, file)`` takes FINDING_COLUMNS rows (harness.reporting.frames,
``finding_row``) and prints, per (package, scenario), a header line and one aligned line per
finding: rule, severity, verdict, category, SDK, time and the message cut to the terminal
width. Column widths count display cells, not characters: East Asian wide and full-width
characters (Chinese UI texts) take two cells, combining marks none (``unicodedata``), so
columns stay aligned with Chinese text.

Colour (ANSI) is used only when the stream is a terminal and ``NO_COLOR`` is not set. Control
characters, escape sequences and bidi controls in the rows (an app could plant them in its texts)
are removed by :func:`harness.textout.for_terminal` before printing, colour or not.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from harness.findings import SEVERITIES
from harness.i18n import category_label, term, ui, uin
from harness.reporting.formats import ReportOptions, report_format, write_text_atomic
from harness.textout import for_terminal, unfiltered

if TYPE_CHECKING:
    from pathlib import Path

    from harness.reporting.build import RunData

__all__ = ["display_width", "fit", "print_findings_table", "summary_line"]

_COLORS = {"high": "\x1b[1;31m", "medium": "\x1b[33m", "low": "\x1b[36m", "info": "\x1b[2m"}
_VERDICT_COLORS = {"violation": "\x1b[1;31m", "needs-review": "\x1b[33m", "info": "\x1b[2m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"
_SIM = "\x1b[1;30;43m"


def _clean(s: object) -> str:
    """One line of printable text: terminal escapes, control and bidi characters removed
    (:func:`harness.textout.for_terminal`), newlines and tabs turned into spaces, and other
    zero-width format characters (but the emoji joiner) dropped so columns stay aligned."""
    text = for_terminal(s, one_line=True)
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch == "\u200d" or unicodedata.category(ch) not in ("Cc", "Cf"))


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(s: str) -> int:
    """Terminal cells ``s`` takes: wide/full-width characters count 2, combining marks 0."""
    return sum(_char_width(ch) for ch in s)


def fit(s: str, width: int) -> str:
    """``s`` cut (with an ellipsis) and padded with spaces to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if display_width(s) <= width:
        return s + " " * (width - display_width(s))
    out, used = [], 0
    for ch in s:
        w = _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    out.append("…")
    used += 1
    return "".join(out) + " " * (width - used)


def _use_color(file: TextIO, color: bool | None) -> bool:
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def _cat(code: str, lang: str) -> str:
    """A category cell: glossary names in zh (a comma-joined list of groups too)."""
    if lang == "en" or not code:
        return code
    return category_label(code, lang)


def summary_line(rows: Iterable[Mapping[str, Any]], lang: str = "en") -> str:
    """'3 findings: 1 high, 2 medium (2 violations, 1 needs-review)' for a set of rows
    ('3 项发现：高 1，中 2（违规 2，需复核 1）' in zh)."""
    rows = list(rows)
    if not rows:
        return ui("no findings", lang)
    sev = {s: sum(1 for r in rows if r.get("severity") == s) for s in reversed(SEVERITIES)}
    ver = {v: sum(1 for r in rows if r.get("verdict") == v) for v in ("violation", "needs-review", "info")}
    if lang == "zh":
        s1 = "，".join(f"{term('severity', s, lang)} {n}" for s, n in sev.items() if n)
        s2 = "，".join(f"{term('verdict', v, lang)} {n}" for v, n in ver.items() if n)
        return f"{len(rows)} 项发现：{s1}（{s2}）"
    s1 = ", ".join(f"{n} {s}" for s, n in sev.items() if n)
    s2 = ", ".join(f"{n} {v}{'s' if v == 'violation' and n != 1 else ''}" for v, n in ver.items() if n)
    return uin("{n} finding", "{n} findings", len(rows), lang) + f": {s1} ({s2})"


def print_findings_table(
    rows: Iterable[Mapping[str, Any]],
    file: TextIO | None = None,
    *,
    color: bool | None = None,
    width: int | None = None,
    lang: str = "en",
) -> int:
    """Print FINDING_COLUMNS rows grouped by (package, scenario); return the number of rows.

    ``width`` is the line width in cells (default: the terminal's, at least 80); ``color``
    forces colour on or off (default: only on a TTY without NO_COLOR); ``lang`` (zh | en) names
    the columns, severities, verdicts and categories (the rows' titles and messages are printed
    as they come: localise the findings first)."""
    # every text cell below goes through _clean, so the table may write colour codes to the
    # stream under a terminal guard (harness.textout.guarded_stdio)
    out = unfiltered(file if file is not None else sys.stdout)
    use_color = _use_color(out, color)
    total = width or max(80, shutil.get_terminal_size((120, 24)).columns)
    rows = list(rows)

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if use_color and code else text

    if not rows:
        print(ui("No findings.", lang), file=out)
        return 0

    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault((_clean(r.get("package", "")), _clean(r.get("scenario", ""))), []).append(r)

    cols = (("rule", 6), ("severity", 8), ("verdict", 12), ("category", 12), ("sdk", 14), ("t(s)", 8))
    fixed = sum(w for _, w in cols) + len(cols) * 2
    msg_w = max(20, total - fixed - 2)
    header = "  ".join(fit(ui(name, lang), w) for name, w in cols) + "  " + ui("message", lang)

    for (pkg, scen), items in groups.items():
        items = sorted(items, key=lambda r: (-SEVERITIES.index(r["severity"]) if r.get("severity") in SEVERITIES else 0, str(r.get("rule_id", ""))))
        sim = any(bool(r.get("simulated")) for r in items)
        run_ids = sorted({_clean(r.get("run_id", "")) for r in items if r.get("run_id")})
        title = f"{pkg or ui('(unknown package)', lang)}  ·  {scen or '?'}"
        if run_ids:
            title += f"  ·  {', '.join(run_ids[:3])}{' …' if len(run_ids) > 3 else ''}"
        line = paint(title, _BOLD)
        if sim:
            line += "  " + paint(f" {ui('SIMULATED', lang)} ", _SIM)
        print(line, file=out)
        print(paint(summary_line(items, lang), _DIM), file=out)
        print(paint(header, _DIM), file=out)
        for r in items:
            sev = _clean(r.get("severity", ""))
            ver = _clean(r.get("verdict", ""))
            t = r.get("t", "")
            t_text = f"{t:.2f}" if isinstance(t, (int, float)) and not isinstance(t, bool) else _clean(t)
            cells = [
                paint(fit(_clean(r.get("rule_id", "")), 6), _BOLD),
                paint(fit(term("severity", sev, lang) if lang != "en" else sev, 8), _COLORS.get(sev, "")),
                paint(fit(term("verdict", ver, lang) if lang != "en" else ver, 12), _VERDICT_COLORS.get(ver, "")),
                fit(_cat(_clean(r.get("category", "")), lang), 12),
                fit(_clean(r.get("sdk", "")), 14),
                fit(t_text, 8),
            ]
            title_msg = _clean(r.get("title", ""))
            msg = _clean(r.get("message", ""))
            text = f"{title_msg}{'：' if lang == 'zh' else ': '}{msg}" if title_msg and msg else (title_msg or msg)
            print("  ".join(cells) + "  " + fit(text, msg_w).rstrip(), file=out)
        print("", file=out)
    return len(rows)


@report_format("terminal", "findings.txt", default=False, doc="the findings table the CLI prints, as plain text")
def write_findings_text(data: RunData, target: Path, options: ReportOptions) -> None:
    buf = io.StringIO()
    print_findings_table(data.finding_rows(), buf, color=False, width=120, lang=data.lang)
    write_text_atomic(target, buf.getvalue())
