"""Text going out of the harness: the guards applied where app-controlled text is written.

App-controlled text (UI texts, manifest names, version names, stack frames, error messages that
quote them) ends up in four kinds of output, each with its own way to be abused:

* **Terminals** interpret escape sequences: ``ESC [2J`` clears the screen, ``CR`` rewrites
  the line, OSC sequences set the window title or write hyperlinks, and bidi controls reorder
  what is shown. :func:`for_terminal` removes all of them; :func:`guarded_stdio` installs it
  on ``sys.stdout`` and ``sys.stderr`` for the whole of a command (the CLI entry points use
  it), so every ``print`` goes through it, whichever module prints.
* **Spreadsheets** run a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a formula
  (CSV opened in a spreadsheet, or a workbook re-saved as CSV). :func:`guard_formula` prefixes
  such text with a single quote, as OWASP's "CSV injection" guidance recommends; the CSV
  output of ``batch query`` and every XLSX cell use it.
* **HTML and XLSX readers** honour Unicode bidi overrides: ``"gnp\\u202e.exe"`` can display as
  ``"exe.png"``. :func:`neutralise_bidi` replaces each bidi control with a visible
  ``[U+202E]`` marker, so a reader sees both that the text was tampered with and its true
  order.

HTML escaping itself stays with Jinja2's autoescaping (harness/reporting/html.py).
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = [
    "BIDI_CONTROLS",
    "FORMULA_STARTS",
    "for_terminal",
    "guard_formula",
    "neutralise_bidi",
    "jinja_finalize",
    "escape_html",
    "SafeTextStream",
    "guarded_stdio",
    "unfiltered",
]

#: Bidi embedding, override, isolate and mark characters (Unicode 15, UAX #9).
BIDI_CONTROLS: frozenset[str] = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# Whole escape sequences (so no half-sequence text is left behind): CSI (ESC [ ... final),
# OSC / DCS / SOS / PM / APC strings (ESC ] ... BEL or ST), two-character escapes, and the
# 8-bit C1 forms of CSI and the string introducers.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?           # CSI
  | \x1b[\]PX^_].*?(?:\x07|\x1b\\|$)   # OSC, DCS, SOS, PM, APC up to BEL / ST / end
  | \x1b[ -/]*[0-~]?                   # other ESC sequences (and a lone ESC)
  | \x9b[0-?]*[ -/]*[@-~]?             # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f].*?(?:\x07|\x9c|$)  # 8-bit string introducers
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except TAB and LF, DEL, C1 controls, and the bidi controls.
_TERMINAL_DROP = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def for_terminal(text: object, *, one_line: bool = False) -> str:
    """``text`` made safe to print on a terminal: escape sequences, control characters (CR
    included; TAB and LF kept unless ``one_line``) and bidi controls removed. With
    ``one_line``, LF, TAB and the Unicode line separators become spaces."""
    s = str(text)
    if not s.isprintable() or any(ch in BIDI_CONTROLS for ch in s):
        s = _ESCAPES.sub("", s)
        if one_line:
            s = s.replace("\n", " ").replace("\t", " ").replace("\u2028", " ").replace("\u2029", " ")
        s = _TERMINAL_DROP.sub("", s)
    return s


def guard_formula(text: str) -> str:
    """``text`` with a leading single quote when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralise_bidi(text: str) -> str:
    """Each bidi control in ``text`` replaced by a visible ``[U+XXXX]`` marker."""
    if not _BIDI.search(text):
        return text
    return _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def jinja_finalize(value: object) -> object:
    """Jinja ``finalize`` for every HTML environment: each ``{{ }}`` output with bidi controls
    made visible (markup stays markup; escaping stays with autoescape)."""
    if isinstance(value, str):
        text = neutralise_bidi(value)
        return type(value)(text) if hasattr(value, "__html__") else text
    return value


def escape_html(text: object) -> str:
    """HTML-escaped text with bidi controls made visible, for HTML built without Jinja."""
    return html.escape(neutralise_bidi(str(text)))


class SafeTextStream(io.TextIOBase):
    """A text stream that passes everything written through :func:`for_terminal` before
    handing it to ``raw``. ``unfiltered`` is the raw stream, for output built only from
    already-cleaned text (the coloured findings table, progress bars)."""

    def __init__(self, raw: TextIO) -> None:
        super().__init__()
        self.unfiltered = raw

    def write(self, s: str) -> int:
        self.unfiltered.write(for_terminal(s))
        return len(s)

    def flush(self) -> None:
        self.unfiltered.flush()

    def isatty(self) -> bool:
        return bool(self.unfiltered.isatty())

    def fileno(self) -> int:
        return int(self.unfiltered.fileno())

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self.unfiltered, "encoding", "utf-8") or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.unfiltered, "errors", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unfiltered, name)


def unfiltered(stream: TextIO) -> TextIO:
    """The raw stream under a :class:`SafeTextStream` (``stream`` itself otherwise)."""
    raw = getattr(stream, "unfiltered", None) if isinstance(stream, SafeTextStream) else None
    return raw if raw is not None else stream


@contextlib.contextmanager
def guarded_stdio() -> Iterator[None]:
    """Within the block, ``sys.stdout`` and ``sys.stderr`` strip terminal escapes and bidi
    controls from everything printed (nested use is harmless)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = out if isinstance(out, SafeTextStream) else SafeTextStream(out)
    sys.stderr = err if isinstance(err, SafeTextStream) else SafeTextStream(err)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        sys.stdout, sys.stderr = out, err
