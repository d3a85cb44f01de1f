"""The forms a personal value takes on the wire.

An SDK rarely sends an IMEI as the plain digits: it hashes it, base64-encodes it inside a larger
blob, hex-encodes it, URL-encodes it, or (for coordinates) rounds it and shifts it into the
Chinese map datums. :func:`variants` lists the forms of one value as (form, text) pairs; the
matcher searches for all of them at once. Decoding the other way (base64 / hex / URL tokens found
in a body) is the matcher's job: it handles the forms that depend on what surrounds the value.

Forms (the ``form`` label names the evidence in a finding):

- ``plain``, ``lower``, ``upper``; for MAC-like values also without separators and with ``-``;
- ``url`` (percent-encoded, when that differs);
- ``hex-lower`` / ``hex-upper`` of the UTF-8 bytes;
- ``md5-*``, ``sha1-*``, ``sha256-*`` of the value (and of its lower/upper-case form), in lower
  and upper case hex, plus ``*-b64`` (base64 of the raw digest);
- ``b64@0``, ``b64@1``, ``b64@2``: the run of base64 characters the value produces when it
  starts at byte offset 0, 1 or 2 (mod 3) of a larger base64-encoded blob; standard and URL-safe
  alphabets. Only the characters fully determined by the value are kept, so a match does not
  depend on the neighbouring bytes.

Coordinates (:func:`coordinate_variants`): the decimal forms of latitude and longitude rounded
(and truncated) to 2-7 decimals, in WGS-84 and shifted into GCJ-02 and BD-09, which Chinese map
SDKs send. A coordinate matches only when latitude and longitude are both found in one flow at
the same precision and datum (see the matcher).
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from urllib.parse import quote

__all__ = [
    "MIN_PATTERN",
    "b64_at_offsets",
    "bd09_from_gcj02",
    "coordinate_variants",
    "gcj02_from_wgs84",
    "variants",
]

#: Shorter patterns are not searched: they would match by chance.
MIN_PATTERN = 6

_MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$")


def b64_at_offsets(data: bytes) -> list[tuple[str, str]]:
    """The base64 runs ``data`` produces at byte offsets 0, 1 and 2 of an encoded blob, in the
    standard and URL-safe alphabets: [(form, text)]."""
    out: list[tuple[str, str]] = []
    n = len(data)
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + data).decode("ascii")
        start = math.ceil(8 * k / 6)
        end = (8 * (k + n)) // 6
        run = enc[start:end]
        if len(run) >= MIN_PATTERN:
            out.append((f"b64@{k}", run))
            safe = run.replace("+", "-").replace("/", "_")
            if safe != run:
                out.append((f"b64url@{k}", safe))
    return out


def _hashes(text: str, tag: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    raw = text.encode("utf-8")
    for name in ("md5", "sha1", "sha256"):
        h = hashlib.new(name, raw)
        hexd = h.hexdigest()
        out.append((f"{name}{tag}-lower", hexd))
        out.append((f"{name}{tag}-upper", hexd.upper()))
        b64 = base64.b64encode(h.digest()).decode("ascii")
        out.append((f"{name}{tag}-b64", b64.rstrip("=")))
        out.append((f"{name}{tag}-b64url", b64.rstrip("=").replace("+", "-").replace("/", "_")))
    return out


def variants(value: str) -> list[tuple[str, str]]:
    """Every form of one value, de-duplicated by text, patterns shorter than MIN_PATTERN left out."""
    forms: list[tuple[str, str]] = [("plain", value), ("lower", value.lower()), ("upper", value.upper())]
    cases = {value, value.lower(), value.upper()}
    if _MAC_RE.match(value):
        bare = re.sub(r"[:-]", "", value)
        forms += [("mac-bare", bare.lower()), ("mac-bare", bare.upper()), ("mac-dash", value.replace(":", "-").lower())]
        forms += [("mac-dash", value.replace(":", "-").upper()), ("mac-colon", value.replace("-", ":").lower())]
        cases |= {bare.lower(), bare.upper(), value.replace("-", ":").lower(), value.replace("-", ":").upper()}
    encoded = quote(value, safe="")
    if encoded != value:
        forms.append(("url", encoded))
    raw = value.encode("utf-8")
    forms += [("hex-lower", raw.hex()), ("hex-upper", raw.hex().upper())]
    for c in sorted(cases):
        tag = "" if c == value else ("(lower)" if c == c.lower() else "(upper)" if c == c.upper() else "(variant)")
        forms += _hashes(c, tag)
    forms += b64_at_offsets(raw)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for form, text in forms:
        if len(text) >= MIN_PATTERN and text not in seen:
            seen.add(text)
            out.append((form, text))
    return out


# --- coordinates ----------------------------------------------------------------------------
# The WGS-84 -> GCJ-02 shift is the published approximation every open-source converter uses
# (Krasovsky ellipsoid constants); BD-09 adds Baidu's further offset to GCJ-02.
_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lat: float, lon: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _tlat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _tlon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def gcj02_from_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 -> GCJ-02 (unchanged outside China, as the datum is defined)."""
    if _out_of_china(lat, lon):
        return lat, lon
    dlat = _tlat(lon - 105.0, lat - 35.0)
    dlon = _tlon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def bd09_from_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 -> BD-09 (Baidu)."""
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def _decimals(x: float, d: int) -> set[str]:
    """``x`` rounded and truncated to ``d`` decimals."""
    rounded = f"{x:.{d}f}"
    scale = 10**d
    trunc = math.trunc(x * scale) / scale
    return {rounded, f"{trunc:.{d}f}"}


def coordinate_variants(lat: float, lon: float) -> list[tuple[str, str, str]]:
    """[(form, latitude text, longitude text)] for decimals 2..7 in wgs84, gcj02 and bd09."""
    datums = {"wgs84": (lat, lon)}
    g = gcj02_from_wgs84(lat, lon)
    if g != (lat, lon):
        datums["gcj02"] = g
        datums["bd09"] = bd09_from_gcj02(*g)
    out: list[tuple[str, str, str]] = []
    for name, (la, lo) in datums.items():
        for d in range(2, 8):
            for a in sorted(_decimals(la, d)):
                for b in sorted(_decimals(lo, d)):
                    out.append((f"{name}-{d}dp", a, b))
    return out
