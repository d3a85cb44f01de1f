"""Sealed evidence bundles: ``consent-harness bundle RUN_DIR... -o X.zip`` and
``consent-harness bundle --verify X.zip [--expect DIGEST]``.

A bundle is a zip holding each run folder under its own name, plus:

* ``bundle.json``: when and by what it was made, and each run's identity (run.json
  ``extra.identity``: APK hash, signer, versions, device, harness and catalogue hashes) and
  jurisdiction;
* ``MANIFEST.sha256``: one ``<sha256>  <path>`` line for every other file in the zip
  (``sha256sum -c`` reads it after unzipping).

The bundle digest is the SHA-256 of ``MANIFEST.sha256``; ``bundle`` prints it so the sender can
state it in the hand-over letter, and ``--verify --expect`` checks it. Verification re-hashes
every member and fails when a file was changed, added, removed or renamed, or when the manifest
is malformed. Nothing is extracted while verifying. Symbolic links in a run folder are not
followed (they are listed as skipped).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from harness import __version__
from harness.errors import InputError

__all__ = ["MANIFEST", "META", "BundleResult", "Verification", "write_bundle", "verify_bundle"]

MANIFEST = "MANIFEST.sha256"
META = "bundle.json"
MAX_MEMBERS = 200_000
_LINE = re.compile(r"^([0-9a-f]{64})  (.+)$")


@dataclass(frozen=True, slots=True)
class BundleResult:
    """What ``write_bundle`` wrote."""

    path: Path
    digest: str
    files: int
    skipped: tuple[str, ...]


@dataclass(slots=True)
class Verification:
    """The outcome of ``verify_bundle``: ok, or the problems found."""

    digest: str = ""
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _run_meta(run: Path) -> dict[str, Any]:
    meta: dict[str, Any] = {"folder": run.name}
    try:
        info = json.loads((run / "run.json").read_text(encoding="utf-8"))
        if isinstance(info, dict):
            extra = info.get("extra") if isinstance(info.get("extra"), dict) else {}
            meta.update(
                {
                    "run_id": info.get("run_id", ""),
                    "package": info.get("package", ""),
                    "scenario": info.get("scenario", ""),
                    "simulated": info.get("simulated", False),
                    "status": info.get("status", ""),
                    "identity": (extra or {}).get("identity", {}),
                }
            )
    except (OSError, ValueError):
        meta["note"] = "run.json missing or unreadable"
    try:
        analysis = json.loads((run / "analysis.json").read_text(encoding="utf-8"))
        if isinstance(analysis, dict):
            meta["jurisdiction"] = analysis.get("jurisdiction", "")
            meta["judged_with"] = analysis.get("judged_with", {})
    except (OSError, ValueError):
        meta["jurisdiction"] = ""
    return meta


def write_bundle(run_dirs: list[Path], out: Path, *, extra_files: list[Path] | None = None) -> BundleResult:
    """Write a sealed bundle of run folders (and ``extra_files``, e.g. checklists) to ``out``."""
    runs = [Path(r) for r in run_dirs]
    for r in runs:
        if not r.is_dir():
            raise InputError(f"run folder not found: {r}")
        if not (r / "run.json").is_file():
            raise InputError(f"{r}: no run.json (is this a run folder?)")
    names = [r.resolve().name for r in runs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"two run folders share a name: {', '.join(dup)}")
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise InputError(f"the bundle file must end in .zip: {out}")
    members: list[tuple[str, Path]] = []
    skipped: list[str] = []
    for r, name in zip(runs, names, strict=True):
        for dirpath, dirnames, filenames in os.walk(r, followlinks=False):
            dirnames.sort()
            for fn in sorted(filenames):
                p = Path(dirpath) / fn
                rel = PurePosixPath(name, *p.relative_to(r).parts).as_posix()
                st = p.lstat()
                if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
                    skipped.append(rel)
                    continue
                if fn.startswith(".") and fn.endswith(".tmp"):
                    continue  # a writer's temporary file
                members.append((rel, p))
    for f in extra_files or []:
        if not Path(f).is_file():
            raise InputError(f"file to include not found: {f}")
        members.append((PurePosixPath("extra", Path(f).name).as_posix(), Path(f)))
    if len(members) > MAX_MEMBERS:
        raise InputError(f"more than {MAX_MEMBERS} files to bundle")
    lines = []
    for rel, p in members:
        lines.append(f"{_hash_file(p)}  {rel}")
    meta = {
        "format": "consent-harness evidence bundle 1",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "harness_version": __version__,
        "runs": [_run_meta(r) for r in runs],
        "skipped": skipped,
        "how_to_verify": "consent-harness bundle --verify FILE.zip --expect <digest>; or unzip and run sha256sum -c MANIFEST.sha256",
    }
    meta_bytes = (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    lines.append(f"{hashlib.sha256(meta_bytes).hexdigest()}  {META}")
    manifest = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel, p in members:
            zf.write(p, rel)
        zf.writestr(META, meta_bytes)
        zf.writestr(MANIFEST, manifest)
    tmp.replace(out)
    return BundleResult(out, hashlib.sha256(manifest).hexdigest(), len(members) + 1, tuple(skipped))


def verify_bundle(path: Path, *, expect: str = "") -> Verification:
    """Re-hash every member of a bundle against its manifest (InputError when it is no zip)."""
    path = Path(path)
    v = Verification()
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: not a readable zip bundle: {exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS + 2:
            v.problems.append(f"more than {MAX_MEMBERS} members")
            return v
        names = [i.filename for i in infos]
        dups = sorted({n for n in names if names.count(n) > 1})
        for n in dups:
            v.problems.append(f"{n}: appears more than once in the zip")
        if MANIFEST not in names:
            v.problems.append(f"{MANIFEST} is missing: this is not a sealed bundle")
            return v
        manifest = zf.read(MANIFEST)
        v.digest = hashlib.sha256(manifest).hexdigest()
        if expect and expect.strip().lower() != v.digest:
            v.problems.append(f"bundle digest {v.digest} is not the expected {expect.strip().lower()}")
        listed: dict[str, str] = {}
        try:
            text = manifest.decode("utf-8")
        except UnicodeDecodeError:
            v.problems.append(f"{MANIFEST} is not UTF-8")
            return v
        for i, line in enumerate(text.splitlines(), 1):
            m = _LINE.match(line)
            if not m:
                v.problems.append(f"{MANIFEST} line {i} is malformed")
                continue
            if m.group(2) in listed:
                v.problems.append(f"{MANIFEST} lists {m.group(2)} twice")
            listed[m.group(2)] = m.group(1)
        present = {i.filename: i for i in infos if not i.is_dir() and i.filename != MANIFEST}
        for name in sorted(set(listed) - set(present)):
            v.problems.append(f"{name}: listed in the manifest but missing from the bundle")
        for name in sorted(set(present) - set(listed)):
            v.problems.append(f"{name}: in the bundle but not in the manifest (added)")
        for name in sorted(set(listed) & set(present)):
            h = hashlib.sha256()
            with zf.open(present[name]) as fh:
                for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                    h.update(chunk)
            if h.hexdigest() != listed[name]:
                v.problems.append(f"{name}: content changed (sha256 {h.hexdigest()[:16]}…, manifest says {listed[name][:16]}…)")
            v.files += 1
    return v
