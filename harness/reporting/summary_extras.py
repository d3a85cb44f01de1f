"""What summary.html adds for a batch reader: charts (findings per rule, per SDK, per problem
type, drawn as plain HTML bars: no image, no external asset) and the small inline script that
makes its tables sortable and filterable. The script runs under a per-page CSP nonce, so text
from an app under test (escaped anyway) could not run a script of its own."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from typing import Any

from harness.i18n import term, ui
from harness.reporting.build import PROBLEM_TYPES, RunData

__all__ = ["summary_charts", "script_nonce", "TABLE_SCRIPT", "MAX_BARS"]

MAX_BARS = 25

#: Sort a table by clicking its header; filter rows of tables marked data-filter with the box above it.
TABLE_SCRIPT = """
(function () {
  function key(td) { var t = (td && td.textContent || '').trim(); var n = parseFloat(t); return isNaN(n) || !/^[-0-9.]+$/.test(t) ? t.toLowerCase() : n; }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, i) {
      th.style.cursor = 'pointer'; th.title = 'sort';
      th.addEventListener('click', function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1; th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
        rows.sort(function (a, b) { var x = key(a.cells[i]), y = key(b.cells[i]); return (x > y ? 1 : x < y ? -1 : 0) * dir; });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll('input.table-filter').forEach(function (box) {
    var table = document.getElementById(box.getAttribute('data-table'));
    if (!table) { return; }
    box.addEventListener('input', function () {
      var q = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) { r.style.display = !q || r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; });
    });
  });
  document.body.setAttribute('data-tables-ready', '1');
})();
"""


def script_nonce() -> str:
    return secrets.token_urlsafe(16)


def _bars(counts: Counter[str], labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    top = counts.most_common(MAX_BARS)
    peak = max((n for _, n in top), default=0) or 1
    return [{"key": k, "label": (labels or {}).get(k, ""), "n": n, "pct": round(100 * n / peak, 1)} for k, n in top]


def summary_charts(runs: Sequence[RunData], lang: str = "en") -> list[dict[str, Any]]:
    """Bar charts of the non-informational findings: per rule, per SDK, per problem type."""
    per_rule: Counter[str] = Counter()
    per_sdk: Counter[str] = Counter()
    per_type: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for r in runs:
        for f in r.findings:
            if f.verdict == "info":
                continue
            per_rule[f.rule_id] += 1
            titles.setdefault(f.rule_id, f.title)
            per_sdk[f.sdk if f.sdk and f.sdk != "app" else ui("(the app itself)", lang)] += 1
            for pt in set(f.problem_types):
                per_type[pt] += 1
    types = {k: term("problem_type", k, "zh") if lang == "zh" else f"{v[0]} · {v[1]}" for k, v in PROBLEM_TYPES.items()}
    return [
        {"id": "chart-rules", "title": "Findings per rule (informational ones left out)", "bars": _bars(per_rule, titles)},
        {"id": "chart-sdks", "title": "Findings per SDK (informational ones left out)", "bars": _bars(per_sdk)},
        {"id": "chart-types", "title": "Findings per problem type, T1–T8 (informational ones left out)", "bars": _bars(per_type, types)},
    ]
