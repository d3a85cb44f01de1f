"""Encrypted payloads: plaintexts the app encrypted, kept beside the run, and their fingerprints.

Many SDKs encrypt what they send (AES over a JSON of device data, then base64). A proxy sees
only ciphertext. The agent's cipher hook (``hooks/src/cipher.ts``) sees each encryption the app
finishes (``javax.crypto.Cipher.doFinal`` in ENCRYPT mode, with what ``update`` fed before it)
and reports the plaintext (its first ``MAX_PLAINTEXT`` bytes) and the first ``MAX_CT_HEAD``
bytes of the ciphertext. The decoder hands the plaintext to a :class:`CipherStore`, which keeps it
in ``<run>/cipher/<sha256>.bin`` (never inline in the timeline) and records a
:class:`~harness.events.CipherCall` naming the file; :func:`ciphertexts` turns those back into
:class:`~harness.network.matcher.Ciphertext` records for the matcher, which ties a flow carrying
the ciphertext (raw, base64 or hex) to its plaintext and searches that.

Bounded: a plaintext is cut at ``MAX_PLAINTEXT``; the store keeps at most ``MAX_RUN_BYTES`` and
``MAX_FILES`` per run (identical plaintexts share one file), then records calls without a
plaintext file (``plaintext=''``); the agent limits how many calls it reports per second (see
cipher.ts) and the timeline's event budget applies as to every event.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from pathlib import Path

from harness.events import CipherCall
from harness.network.matcher import Ciphertext

__all__ = [
    "MAX_CT_HEAD",
    "MAX_FILES",
    "MAX_PLAINTEXT",
    "MAX_RUN_BYTES",
    "CipherStore",
    "ciphertexts",
    "read_plaintext",
]

MAX_PLAINTEXT = 64 * 1024
MAX_CT_HEAD = 48
MAX_RUN_BYTES = 64 * 1024 * 1024
MAX_FILES = 20_000
FOLDER = "cipher"


class CipherStore:
    """Keeps plaintexts in ``<run>/cipher/`` (thread-safe; identical plaintexts once)."""

    def __init__(self, run_dir: Path | None) -> None:
        self.folder = run_dir / FOLDER if run_dir is not None else None
        self._lock = threading.Lock()
        self._names: set[str] = set()
        self.bytes = 0
        self.refused = 0

    def keep(self, data: bytes) -> str:
        """The file name the plaintext is kept under, or '' when there is no run folder or the
        run's budget is spent (counted in ``refused``)."""
        if self.folder is None:
            return ""
        data = data[:MAX_PLAINTEXT]
        name = hashlib.sha256(data).hexdigest()[:40] + ".bin"
        with self._lock:
            if name in self._names:
                return name
            if self.bytes + len(data) > MAX_RUN_BYTES or len(self._names) >= MAX_FILES:
                self.refused += 1
                return ""
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / name).write_bytes(data)
            except OSError:
                self.refused += 1
                return ""
            self._names.add(name)
            self.bytes += len(data)
        return name


def read_plaintext(run_dir: Path | None, name: str) -> bytes:
    """A kept plaintext, or b'' (no folder, a name that is not a plain file name, a link)."""
    if run_dir is None or not name or "/" in name or "\\" in name or name.startswith("."):
        return b""
    p = run_dir / FOLDER / name
    try:
        if p.is_symlink() or not p.is_file():
            return b""
        with p.open("rb") as fh:
            return fh.read(MAX_PLAINTEXT)
    except OSError:
        return b""


def ciphertexts(calls: Iterable[CipherCall], run_dir: Path | None, limit: int = 20_000) -> list[Ciphertext]:
    """The matcher's view of a run's CipherCalls: those with a kept plaintext and a ciphertext
    head, named ``cipher:<seq>``, labelled 'Cipher <algorithm> plaintext at t=<t> s'."""
    out: list[Ciphertext] = []
    cache: dict[str, bytes] = {}
    for c in calls:
        if len(out) >= limit:
            break
        try:
            head = bytes.fromhex(c.ct_head)
        except ValueError:
            continue
        if not head or not c.plaintext:
            continue
        if c.plaintext not in cache:
            cache[c.plaintext] = read_plaintext(run_dir, c.plaintext)
        pt = cache[c.plaintext]
        if not pt:
            continue
        algo = c.algorithm or "?"
        out.append(Ciphertext(f"cipher:{c.seq}", head, pt, f"Cipher {algo} plaintext at t={c.t:.2f} s"))
    return out
