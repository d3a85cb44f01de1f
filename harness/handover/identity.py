"""Evidence identity: what exactly was tested, on what, with what.

Each run records in run.json ``extra["identity"]`` (:func:`run_identity`, called by the runner
when the run starts):

* the app: SHA-256 of each APK file (base and splits) when the app came from APK files, the
  SHA-256 digest of its signing certificate (APK Signature Scheme v3/v2 block, else the v1
  ``META-INF/*.RSA|DSA|EC`` PKCS#7), versionName and versionCode; for a reference model, the
  SHA-256 of its model file (there is no APK: SIMULATED);
* the device: model, build fingerprint, API level, serial, whether it is simulated;
* the harness: version, hook pack id and the agent bundle's SHA-256, and the SHA-256 of every
  catalogue (rules, APIs, SDKs, permissions, profiles, policy terms, checklist).

The jurisdiction a run was judged under is recorded at analysis time in analysis.json, next to
the catalogue hashes that judged it (:func:`judged_with`). Nothing here runs code from the APK:
the signing block and the PKCS#7 are parsed as bounded bytes.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from harness import __version__

__all__ = [
    "CATALOGUES",
    "catalogue_hashes",
    "sha256_file",
    "signing_certificates",
    "apk_identity",
    "run_identity",
    "judged_with",
]

#: The catalogues whose content decides what is hooked and how it is judged.
CATALOGUES = ("rules.yaml", "apis.yaml", "sdks.yaml", "permissions.yaml", "profiles.yaml", "policy_terms.yaml", "checklist.yaml")
_APK_SIG_MAGIC = b"APK Sig Block 42"
_V2_ID = 0x7109871A
_V3_ID = 0xF05368C0
_V31_ID = 0x1B93AD61
_MAX_SIG_BLOCK = 64 * 1024 * 1024
_MAX_PKCS7 = 4 * 1024 * 1024


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=1)
def catalogue_hashes() -> dict[str, str]:
    """SHA-256 of each packaged catalogue file ('' when a file is missing)."""
    out: dict[str, str] = {}
    for name in CATALOGUES:
        try:
            data = resources.files("harness.catalog").joinpath(name).read_bytes()
        except (FileNotFoundError, OSError):
            out[name] = ""
            continue
        out[name] = hashlib.sha256(data).hexdigest()
    return out


# -- APK signing certificates -------------------------------------------------------------------


class _Bad(Exception):
    pass


def _u32(b: bytes, at: int) -> int:
    if at + 4 > len(b):
        raise _Bad("truncated")
    return int(struct.unpack_from("<I", b, at)[0])


def _prefixed(b: bytes, at: int) -> tuple[bytes, int]:
    """A uint32-length-prefixed slice at ``at``: (slice, offset after it)."""
    n = _u32(b, at)
    start = at + 4
    if start + n > len(b):
        raise _Bad("length beyond the data")
    return b[start : start + n], start + n


def _signing_block(fh: Any, size: int) -> bytes | None:
    """The APK Signing Block (between the entries and the central directory), or None."""
    tail_len = min(size, 65536 + 22)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    eocd = tail.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 22 > len(tail):
        return None
    cd_offset = int(struct.unpack_from("<I", tail, eocd + 16)[0])
    if cd_offset < 32 or cd_offset > size:
        return None
    fh.seek(cd_offset - 24)
    footer = fh.read(24)
    if len(footer) != 24 or footer[8:] != _APK_SIG_MAGIC:
        return None
    block_size = int(struct.unpack_from("<Q", footer, 0)[0])
    if block_size < 24 or block_size > _MAX_SIG_BLOCK or block_size + 8 > cd_offset:
        return None
    fh.seek(cd_offset - block_size - 8)
    block = bytes(fh.read(block_size + 8))
    return block[8:-24]  # the id-value pairs


def _scheme_certs(pairs: bytes) -> dict[int, list[bytes]]:
    """Certificates (DER) of the first signer of each v2/v3 scheme block."""
    out: dict[int, list[bytes]] = {}
    at = 0
    while at + 12 <= len(pairs):
        size = int(struct.unpack_from("<Q", pairs, at)[0])
        if size < 4 or at + 8 + size > len(pairs):
            break
        pid = _u32(pairs, at + 8)
        value = pairs[at + 12 : at + 8 + size]
        at += 8 + size
        if pid not in (_V2_ID, _V3_ID, _V31_ID):
            continue
        signers, _ = _prefixed(value, 0)
        signer, _ = _prefixed(signers, 0)
        signed_data, _ = _prefixed(signer, 0)
        _digests, pos = _prefixed(signed_data, 0)
        certs_seq, _ = _prefixed(signed_data, pos)
        certs: list[bytes] = []
        cpos = 0
        while cpos < len(certs_seq) and len(certs) < 8:
            cert, cpos = _prefixed(certs_seq, cpos)
            certs.append(cert)
        out[pid] = certs
    return out


def _der(b: bytes, at: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at ``at``."""
    if at + 2 > len(b):
        raise _Bad("truncated DER")
    tag = b[at]
    ln = b[at + 1]
    pos = at + 2
    if ln & 0x80:
        n = ln & 0x7F
        if n == 0 or n > 4 or pos + n > len(b):
            raise _Bad("bad DER length")
        ln = int.from_bytes(b[pos : pos + n], "big")
        pos += n
    if pos + ln > len(b):
        raise _Bad("DER length beyond the data")
    return tag, pos, pos + ln


def _pkcs7_first_cert(p7: bytes) -> bytes:
    """The first certificate of a PKCS#7 SignedData (v1 JAR signature block)."""
    tag, s, _e = _der(p7, 0)  # ContentInfo SEQUENCE
    if tag != 0x30:
        raise _Bad("not a ContentInfo")
    tag, s2, e2 = _der(p7, s)  # contentType OID
    tag, s3, _e3 = _der(p7, e2)  # [0] EXPLICIT content
    if tag != 0xA0:
        raise _Bad("no content")
    tag, s4, e4 = _der(p7, s3)  # SignedData SEQUENCE
    pos = s4
    for _ in range(3):  # version, digestAlgorithms, encapContentInfo
        _t, _cs, pos = _der(p7, pos)
    tag, cs, _ce = _der(p7, pos)
    if tag != 0xA0:  # [0] IMPLICIT certificates
        raise _Bad("no certificates")
    _t, c0, c1 = _der(p7, cs)
    return p7[cs : c1]


def signing_certificates(apk: Path) -> dict[str, Any]:
    """{'scheme': 'v3'|'v2'|'v1'|'', 'sha256': [certificate digests], 'error': ''} of an APK."""
    try:
        size = apk.stat().st_size
        with open(apk, "rb") as fh:
            pairs = _signing_block(fh, size)
        if pairs is not None:
            certs = _scheme_certs(pairs)
            for pid, name in ((_V31_ID, "v3.1"), (_V3_ID, "v3"), (_V2_ID, "v2")):
                if certs.get(pid):
                    return {"scheme": name, "sha256": [hashlib.sha256(c).hexdigest() for c in certs[pid]], "error": ""}
        with zipfile.ZipFile(apk) as zf:
            for info in zf.infolist():
                name = info.filename.upper()
                if name.startswith("META-INF/") and name.rsplit(".", 1)[-1] in ("RSA", "DSA", "EC") and info.file_size <= _MAX_PKCS7:
                    cert = _pkcs7_first_cert(zf.read(info))
                    return {"scheme": "v1", "sha256": [hashlib.sha256(cert).hexdigest()], "error": ""}
        return {"scheme": "", "sha256": [], "error": "no signature found (unsigned APK)"}
    except (OSError, zipfile.BadZipFile, _Bad, struct.error, ValueError) as exc:
        return {"scheme": "", "sha256": [], "error": f"signature not readable: {str(exc)[:200]}"}


def apk_identity(app_ref: str) -> dict[str, Any] | None:
    """Hashes and signer of the APK file(s) ``app_ref`` names, or None when it names none."""
    p = Path(app_ref)
    files: list[Path] = []
    try:
        if p.is_file() and p.suffix.lower() == ".apk":
            files = [p]
        elif p.is_dir():
            files = sorted(x for x in p.iterdir() if x.suffix.lower() == ".apk" and x.is_file())[:64]
    except OSError:
        return None
    if not files:
        return None
    base = next((f for f in files if f.name == "base.apk"), files[0])
    return {
        "source": "apk",
        "files": {f.name: sha256_file(f) for f in files},
        "apk_sha256": sha256_file(base),
        "signing": signing_certificates(base),
    }


def _model_identity(app_ref: str, app_file: Path | None) -> dict[str, Any] | None:
    """An app that is a file but no APK (a reference model): the SHA-256 of that file."""
    p = app_file
    if p is None:
        return None
    try:
        return {"source": "reference model (SIMULATED, no APK)", "model_sha256": sha256_file(p), "apk_sha256": "", "signing": {"scheme": "", "sha256": [], "error": "reference model: no APK"}}
    except OSError:
        return None


def run_identity(
    *, device: Mapping[str, Any], app_ref: str, manifest: Mapping[str, Any] | None, hook_pack: str, package: str, app_file: Path | None = None
) -> dict[str, Any]:
    """The identity block of a run (run.json ``extra["identity"]``). ``app_file``: the file a
    non-APK app reference stands for (the device kind's ``app_file``)."""
    app: dict[str, Any] = apk_identity(app_ref) or _model_identity(app_ref, app_file) or {
        "source": "installed package (no local APK: pull it with adb to hash it)",
        "apk_sha256": "",
        "signing": {"scheme": "", "sha256": [], "error": "no local APK"},
    }
    app["package"] = package
    app["version_name"] = str((manifest or {}).get("version_name", "") or "")
    app["version_code"] = (manifest or {}).get("version_code", "")
    extra = device.get("extra") if isinstance(device.get("extra"), Mapping) else {}
    dev = {
        "model": str(device.get("model", "")),
        "fingerprint": str((extra or {}).get("fingerprint", "")) or ("simulated" if device.get("simulated") else ""),
        "api_level": device.get("api_level", 0),
        "serial": str(device.get("serial", "")),
        "simulated": bool(device.get("simulated", False)),
    }
    try:
        from harness.instrumentation.agent import bundle_hash

        agent = bundle_hash()
    except Exception:  # noqa: BLE001 - a missing agent bundle is recorded, not fatal
        agent = ""
    return {
        "app": app,
        "device": dev,
        "harness": {"version": __version__, "hook_pack": hook_pack, "agent_bundle_sha256": agent, "catalogues": catalogue_hashes()},
    }


def judged_with(jurisdiction: str) -> dict[str, Any]:
    """What judged a run (analysis.json ``judged_with``): harness version, catalogue hashes, jurisdiction."""
    return {"harness_version": __version__, "jurisdiction": jurisdiction, "catalogues": catalogue_hashes()}
