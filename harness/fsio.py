"""Files of a run folder: the one JSON Lines reader, atomic writes with unique temporary names,
clean-up of temporaries left by a killed process, and reads that never follow a symlink.

JSON Lines (``timeline.jsonl``, ``findings.jsonl``) are split on ``"\\n"`` only. Messages quote
app text, and JSON leaves U+2028, U+2029, U+0085, U+000B, U+000C, U+001C-U+001E unescaped
inside strings; ``str.splitlines`` and universal-newline reading would cut a record there. Every
reader of those files goes through :func:`read_jsonl`.

Temporary files are named ``.<name>.<host>.<pid>.<random>.tmp`` beside their target, created
exclusively, and renamed over the target once complete, so two writers (two processes, two
threads) never share one. A temporary whose process is gone (same host) or that is older than a
day is stale: :func:`remove_stale_temps` deletes those when a folder is next opened.

Run folders can come from elsewhere (a copied results tree, an evidence bundle). A symlink
inside one could make a report embed any file of the machine, so run files are opened with
``O_NOFOLLOW`` (:func:`open_text`, :func:`read_bytes`): a symlink is refused as unreadable.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "JsonlLine",
    "read_jsonl",
    "write_jsonl",
    "write_text",
    "temp_path",
    "remove_stale_temps",
    "open_text",
    "read_text",
    "read_bytes",
    "is_link",
    "STALE_AFTER_S",
]

STALE_AFTER_S = 24 * 3600
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
_TEMP_RE = re.compile(r"^\..+\.(?P<host>[A-Za-z0-9-]{1,40})\.(?P<pid>\d{1,10})\.[0-9a-f]{8}\.tmp$")


# -- reading --------------------------------------------------------------------------------------
def _nofollow_fd(path: str | os.PathLike[str]) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise OSError(exc.errno, f"{os.fspath(path)} is a symlink; run files are never followed through links") from None
        raise


def is_link(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` itself is a symlink (a run file that must not be read)."""
    return os.path.islink(path)


def open_text(path: str | os.PathLike[str]) -> IO[str]:
    """Open a run file for reading as UTF-8 (bad bytes replaced), lines ending at "\\n" only,
    refusing a symlink (OSError)."""
    return os.fdopen(_nofollow_fd(path), "r", encoding="utf-8", errors="replace", newline="\n")


def read_text(path: str | os.PathLike[str]) -> str:
    """The whole text of a run file (see :func:`open_text`)."""
    with open_text(path) as fh:
        return fh.read()


def read_bytes(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of a run file, refusing a symlink; at most ``limit`` bytes when given."""
    with os.fdopen(_nofollow_fd(path), "rb") as fh:
        return fh.read() if limit is None else fh.read(limit)


@dataclass(frozen=True, slots=True)
class JsonlLine:
    """One non-blank line of a JSON Lines file: its 1-based number, the parsed value (None when
    unreadable), the error text ("" when readable) and whether it is the last non-blank line
    (a killed writer can leave only the last line torn)."""

    lineno: int
    value: Any
    error: str
    last: bool

    @property
    def ok(self) -> bool:
        return not self.error


def read_jsonl(path: str | os.PathLike[str], *, keep: Callable[[str], bool] | None = None) -> Iterator[JsonlLine]:
    """Stream the lines of a JSON Lines file (split on "\\n" only, symlinks refused). With
    ``keep``, lines for which it returns False are skipped unparsed (they still count for
    ``last``)."""
    pending: tuple[int, str] | None = None

    def parse(lineno: int, text: str, last: bool) -> JsonlLine | None:
        if keep is not None and not keep(text):
            return None
        try:
            return JsonlLine(lineno, json.loads(text), "", last)
        except (ValueError, RecursionError) as exc:
            return JsonlLine(lineno, None, str(exc)[:300] or type(exc).__name__, last)

    with open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            text = line[:-1] if line.endswith("\n") else line
            if not text.strip():
                continue
            if pending is not None:
                out = parse(*pending, last=False)
                if out is not None:
                    yield out
            pending = (lineno, text)
    if pending is not None:
        out = parse(*pending, last=True)
        if out is not None:
            yield out


def dumps_line(value: Any) -> str:
    """One JSON Lines record (no newline inside: JSON escapes "\\n" in strings)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- writing --------------------------------------------------------------------------------------
def temp_path(target: str | os.PathLike[str]) -> Path:
    """A new, exclusively created, empty temporary file beside ``target`` (see module doc)."""
    target = Path(target)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {target}")


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Replace ``target`` with ``text`` (UTF-8) atomically through a unique temporary."""
    _write_atomic(target, lambda fh: fh.write(text))


def write_jsonl(target: str | os.PathLike[str], rows: Iterable[Any]) -> None:
    """Replace ``target`` with one JSON record per line, atomically."""

    def body(fh: IO[str]) -> None:
        for row in rows:
            fh.write(dumps_line(row) + "\n")

    _write_atomic(target, body)


def _write_atomic(target: str | os.PathLike[str], body: Callable[[IO[str]], Any]) -> None:
    target = Path(target)
    tmp = temp_path(target)
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            body(fh)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temps(folder: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Delete the temporaries in ``folder`` (not below it) left by a killed writer: created on
    this host by a process that is gone, or older than ``STALE_AFTER_S``. Returns what was
    removed; never raises."""
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if m is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            dead = m.group("host") == _HOST and not _pid_alive(int(m.group("pid")))
            if dead or age > STALE_AFTER_S:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed
