"""print_to_pdf's temporary file: created exclusively beside the target under a name of its own
(not one derived from the process id, which another printer or a planted link could share),
replaced onto the target only when it holds a PDF, and never left behind. A stand-in "browser"
(a shell script given as CONSENT_HARNESS_CHROMIUM) writes what Chromium would; the real one is
exercised in tests/e2e/test_checklist_chromium.py."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from harness.errors import InfrastructureError
from harness.reporting.pdf import print_to_pdf

# writes a PDF header to the --print-to-pdf path (after noting whether that file already existed
# and its mode) and records the path it was given
FAKE = """#!/bin/sh
for a in "$@"; do
  case "$a" in
    --print-to-pdf=*) out="${a#--print-to-pdf=}" ;;
  esac
done
echo "$out" >> "%LOG%"
if [ -e "$out" ]; then stat -c %a "$out" >> "%LOG%"; else echo missing >> "%LOG%"; fi
%WRITE%
exit 0
"""


def _fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: str) -> Path:
    log = tmp_path / "calls.log"
    fake = tmp_path / "fake-chromium"
    fake.write_text(FAKE.replace("%LOG%", str(log)).replace("%WRITE%", write), "utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("CONSENT_HARNESS_CHROMIUM", str(fake))
    return log


def test_the_temporary_file_is_our_own_and_is_replaced_onto_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _fake(tmp_path, monkeypatch, 'printf "%%PDF-1.4 fake" > "$out"')
    html = tmp_path / "x.html"
    html.write_text("<p>x</p>", "utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    # a link planted where the old pid-based name would be is neither followed nor written
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", "utf-8")
    (out_dir / f".x.pdf.{os.getpid()}.tmp.pdf").symlink_to(victim)
    assert print_to_pdf(html, out_dir / "x.pdf") == (out_dir / "x.pdf").resolve()
    assert (out_dir / "x.pdf").read_bytes().startswith(b"%PDF-")
    assert victim.read_text("utf-8") == "keep"
    given, mode = log.read_text("utf-8").split()
    assert Path(given).parent == out_dir.resolve() and Path(given).name.startswith(".x.pdf.") and str(os.getpid()) not in Path(given).name
    assert mode == "600"  # made by mkstemp before the browser ran: exclusive, private
    assert sorted(p.name for p in out_dir.iterdir() if not p.is_symlink()) == ["x.pdf"]
    assert stat.S_ISREG((out_dir / "x.pdf").stat().st_mode)


def test_a_failed_print_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path, monkeypatch, 'echo "not a pdf" > "$out"')
    html = tmp_path / "x.html"
    html.write_text("<p>x</p>", "utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(InfrastructureError, match="could not print x.html to PDF"):
        print_to_pdf(html, out_dir / "x.pdf")
    assert list(out_dir.iterdir()) == []
