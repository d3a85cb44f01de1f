"""PDF from an HTML report, printed by headless Chromium (Debian's ``chromium``).

``print_to_pdf(html, pdf)`` runs ``chromium --headless --print-to-pdf`` on the local file with
networking features off and a throw-away profile, checks that a PDF came out, and returns its
path. No Chromium is an :class:`~harness.errors.InfrastructureError` naming the fix
(``apt-get install chromium``, or ``CONSENT_HARNESS_CHROMIUM=/path/to/chromium``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness.errors import InfrastructureError

__all__ = ["find_chromium", "print_to_pdf", "PDF_TIMEOUT_S"]

PDF_TIMEOUT_S = 120


def find_chromium() -> str:
    """The Chromium binary: $CONSENT_HARNESS_CHROMIUM, else chromium / chromium-browser on PATH."""
    explicit = os.environ.get("CONSENT_HARNESS_CHROMIUM")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise InfrastructureError(f"CONSENT_HARNESS_CHROMIUM={explicit} is not an executable file: point it at chromium, or unset it")
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise InfrastructureError(
        "headless Chromium is needed to print the PDF and was not found: apt-get install chromium, "
        "or set CONSENT_HARNESS_CHROMIUM to its path (or leave pdf out of --formats)"
    )


def print_to_pdf(html: Path, pdf: Path, *, timeout: float = PDF_TIMEOUT_S) -> Path:
    """Print ``html`` (a local file) to ``pdf`` with headless Chromium; return ``pdf``."""
    binary = find_chromium()
    html = Path(html).resolve()
    pdf = Path(pdf).resolve()
    # a file of our own beside the target (created exclusively, so no other writer or planted
    # link shares its name), replaced onto the target only once it holds a whole PDF
    fd, tmp_name = tempfile.mkstemp(prefix=f".{pdf.name}.", suffix=".tmp.pdf", dir=pdf.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    with tempfile.TemporaryDirectory(prefix="ch-pdf-") as profile:
        cmd = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}",
            html.as_uri(),
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except (subprocess.TimeoutExpired, OSError) as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, subprocess.TimeoutExpired):
                raise InfrastructureError(f"Chromium did not print {html.name} within {timeout:.0f} s") from exc
            raise InfrastructureError(f"Chromium could not be started to print {html.name}: {exc}") from exc
    try:
        head = tmp.read_bytes()[:5] if tmp.is_file() else b""
    except OSError:
        head = b""
    if res.returncode != 0 or head != b"%PDF-":
        tmp.unlink(missing_ok=True)
        tail = (res.stderr or "").strip().splitlines()[-3:]
        raise InfrastructureError(f"Chromium could not print {html.name} to PDF (exit {res.returncode}): {' | '.join(tail)[:400]}")
    tmp.replace(pdf)
    return pdf
