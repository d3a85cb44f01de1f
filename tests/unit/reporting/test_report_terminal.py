"""The terminal findings table: grouping, CJK-aware alignment, colour only on a TTY."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportkit import make_finding, make_run

from harness.reporting.build import load_run
from harness.reporting.frames import finding_row
from harness.reporting.terminal import display_width, fit, print_findings_table, summary_line


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _rows() -> list[dict[str, object]]:
    a = make_finding("R09", "high", "violation", (1,), title="采集于同意之前", message="读取IMEI 2次", sdk="友盟统计", category="DEVICE_ID", t=0.8)
    b = make_finding("R42", "low", "needs-review", (2,), title="Asymmetric choice", message="accept area 5.8x", sdk="app", t=1.5)
    c = make_finding("R22", "medium", "violation", (3,), title="Re-request", message="LOCATION again", sdk="app")
    return [
        finding_row(a, run_id="r1", package="com.a", scenario="S2", simulated=True),
        finding_row(b, run_id="r1", package="com.a", scenario="S2", simulated=True),
        finding_row(c, run_id="r2", package="com.b", scenario="S3"),
    ]


def test_display_width_and_fit() -> None:
    assert display_width("abc") == 3
    assert display_width("点餐助手") == 8
    assert display_width("e\u0301") == 1  # combining accent takes no cell
    assert display_width(fit("点餐助手ABC", 6)) == 6
    assert fit("点餐助手ABC", 6) == "点餐… "  # a wide character never straddles the edge
    assert fit("ab", 5) == "ab   "


def test_grouped_and_aligned_without_colour() -> None:
    buf = io.StringIO()
    n = print_findings_table(_rows(), buf, width=100)
    out = buf.getvalue()
    assert n == 3
    assert "\x1b" not in out  # StringIO is not a TTY
    lines = out.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("com.")]
    assert [lines[i].split("  ·  ")[:2] for i in headers] == [["com.a", "S2"], ["com.b", "S3"]]
    assert "SIMULATED" in lines[headers[0]] and "SIMULATED" not in lines[headers[1]]
    rows = [line for line in lines if line[:1] == "R"]
    assert [r[:3] for r in rows] == ["R09", "R42", "R22"]  # worst first within a group
    # the message column starts at the same display column on every row, Chinese SDK or not
    msg_cols = []
    for r, needle in zip(rows, ("采集", "Asym", "Re-r"), strict=True):
        msg_cols.append(display_width(r[: r.index(needle)]))
    assert len(set(msg_cols)) == 1
    assert all(display_width(r) <= 100 for r in rows)
    assert "3 findings" not in out and "2 findings: 1 high, 1 low (1 violation, 1 needs-review)" in out


def test_colour_only_on_tty_and_no_escape_injection() -> None:
    rows = _rows()
    rows[0]["message"] = "evil\x1b[2J\x1b]0;title\x07 text"
    tty = _Tty()
    print_findings_table(rows, tty, width=120)
    out = tty.getvalue()
    assert "\x1b[1;31m" in out  # severity colour on a TTY
    assert "\x1b[2J" not in out and "\x1b]0;" not in out and "\x07" not in out
    plain = io.StringIO()
    print_findings_table(rows, plain, width=120)
    assert "\x1b" not in plain.getvalue()
    forced = io.StringIO()
    print_findings_table(rows, forced, color=True, width=120)
    assert "\x1b[1;31m" in forced.getvalue()


def test_no_colour_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    tty = _Tty()
    print_findings_table(_rows(), tty, width=120)
    assert "\x1b" not in tty.getvalue()


def test_empty_and_real_run_rows(tmp_path: Path) -> None:
    buf = io.StringIO()
    assert print_findings_table([], buf) == 0 and buf.getvalue() == "No findings.\n"
    rows = load_run(make_run(tmp_path)).finding_rows()
    buf = io.StringIO()
    assert print_findings_table(rows, buf, width=90) == 5
    assert summary_line(rows) == "5 findings: 2 high, 1 medium, 1 low, 1 info (3 violations, 1 needs-review, 1 info)"
