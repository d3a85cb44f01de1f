"""IAB TCF v2 consent signals: the TC string decoder and the reading of a page's ``__tcfapi`` data.

A page running an IAB TCF v2 consent-management platform (CMP) exposes ``window.__tcfapi``; ad
tags ask it for ``getTCData`` or register ``addEventListener`` and receive a *TC data* object
whose ``tcString`` is what they pass on (``gdpr_consent=`` in their requests). The web page agent
registers a listener itself and records every TC data it gets (an ``ApiCall`` of category
``CONSENT_SIGNAL``, :data:`TC_DATA_API`, its ``args`` a bounded JSON summary). Everything in it
comes from the page: untrusted. This module

- decodes a TC string's core segment and publisher TC segment (IAB Tech Lab, "Consent string and
  vendor list formats v2": the bit layout, base64url without padding) with every length bounded;
  vendor sets are kept as merged id ranges, so a hostile range list cannot make it allocate;
- reads the agent's summary (:func:`read_signal`): the decoded string is the evidence (it is
  what vendors read); the page's own object is kept beside it, and a disagreement is noted.

Pure functions; no I/O.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "CATEGORY",
    "TC_DATA_API",
    "TcfDecodeError",
    "TCString",
    "TcSignal",
    "decode_tc_string",
    "read_signal",
]

#: the data category of a recorded consent signal (context: not personal data itself)
CATEGORY = "CONSENT_SIGNAL"
#: the api id the page agent gives a TC data object its listener received
TC_DATA_API = "Web.tcfapi.tcData"

_MAX_TC = 16_384  # characters of a TC string decoded at most
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VAL = {c: i for i, c in enumerate(_B64)}
_MAX_VENDOR = 65_535
_MAX_ENTRIES = 4_095
_MAX_LIST = 512  # ids read from the page's own object at most


class TcfDecodeError(ValueError):
    """A TC string that is not a TCF v2 string (bad character, too short, wrong version)."""


Ranges = tuple[tuple[int, int], ...]


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def count(ranges: Ranges) -> int:
    return sum(hi - lo + 1 for lo, hi in ranges)


def first_ids(ranges: Ranges, n: int = 12) -> list[int]:
    out: list[int] = []
    for lo, hi in ranges:
        for i in range(lo, min(hi, lo + n) + 1):
            out.append(i)
            if len(out) >= n:
                return out
    return out


@dataclass(frozen=True, slots=True)
class TCString:
    """The decoded parts of a TC string that say what the user allowed."""

    version: int
    cmp_id: int
    cmp_version: int
    policy_version: int
    vendor_list_version: int
    consent_language: str
    service_specific: bool
    special_features: tuple[int, ...]
    purpose_consents: tuple[int, ...]
    purpose_li: tuple[int, ...]
    vendor_consents: Ranges
    vendor_li: Ranges
    publisher_consents: tuple[int, ...] = ()
    publisher_li: tuple[int, ...] = ()

    def grants(self) -> bool:
        """True when the string records any consent (a purpose, a special feature, a vendor, or
        one of the publisher's own purposes)."""
        return bool(self.purpose_consents or self.special_features or self.vendor_consents or self.publisher_consents)


class _Bits:
    def __init__(self, segment: str) -> None:
        try:
            self.bits = "".join(format(_VAL[c], "06b") for c in segment.rstrip("="))
        except KeyError as exc:
            raise TcfDecodeError(f"not a base64url character: {str(exc)[:8]}") from None
        self.pos = 0

    def take(self, n: int) -> int:
        if self.pos + n > len(self.bits):
            # encoders drop trailing zero bits: read past the end as zeros, but not far
            if self.pos + n > len(self.bits) + 48:
                raise TcfDecodeError("TC string is too short")
            chunk = self.bits[self.pos :].ljust(n, "0")[:n]
        else:
            chunk = self.bits[self.pos : self.pos + n]
        self.pos += n
        return int(chunk, 2) if chunk else 0

    def flags(self, n: int) -> tuple[int, ...]:
        return tuple(i + 1 for i in range(n) if self.take(1))

    def vendors(self) -> Ranges:
        max_id = self.take(16)
        if self.take(1):  # range encoding
            return self.ranges(max_id)
        if max_id > _MAX_VENDOR:
            raise TcfDecodeError("vendor id out of range")
        ids = [i + 1 for i in range(max_id) if self.take(1)]
        return _merge([(i, i) for i in ids])

    def ranges(self, max_id: int = _MAX_VENDOR) -> Ranges:
        n = self.take(12)
        if n > _MAX_ENTRIES:
            raise TcfDecodeError("too many ranges")
        out: list[tuple[int, int]] = []
        for _ in range(n):
            is_range = self.take(1)
            lo = self.take(16)
            hi = self.take(16) if is_range else lo
            if lo < 1 or hi < lo:
                raise TcfDecodeError(f"bad vendor range {lo}-{hi}")
            out.append((lo, min(hi, max_id or _MAX_VENDOR)))
        return _merge(out)


def decode_tc_string(tc: str) -> TCString:
    """Decode a TCF v2 TC string (core segment, and the publisher TC segment when present)."""
    if not isinstance(tc, str) or not tc or len(tc) > _MAX_TC:
        raise TcfDecodeError("empty or oversized TC string")
    segments = tc.strip().split(".")[:8]
    b = _Bits(segments[0])
    version = b.take(6)
    if version != 2:
        raise TcfDecodeError(f"TC string version {version}, not 2")
    b.take(36)  # created
    b.take(36)  # last updated
    cmp_id, cmp_version = b.take(12), b.take(12)
    b.take(6)  # consent screen
    lang = "".join(chr(65 + b.take(6)) for _ in range(2))
    vlv, policy = b.take(12), b.take(6)
    service_specific = bool(b.take(1))
    b.take(1)  # non-standard texts
    special = b.flags(12)
    consents = b.flags(24)
    li = b.flags(24)
    b.take(1)  # purpose one treatment
    b.take(12)  # publisher country
    vc = b.vendors()
    vli = b.vendors()
    pub_c: tuple[int, ...] = ()
    pub_li: tuple[int, ...] = ()
    for seg in segments[1:]:
        s = _Bits(seg)
        if s.take(3) == 3:  # publisher TC
            pub_c, pub_li = s.flags(24), s.flags(24)
    return TCString(version, cmp_id, cmp_version, policy, vlv, lang, service_specific, special, consents, li, vc, vli, pub_c, pub_li)


def _ids(v: Any, hi: int) -> tuple[int, ...]:
    """The ids set to true in a TC data map ({"1": true, ...}) or listed ([1, 2]), bounded."""
    out: set[int] = set()
    items: list[Any] = []
    if isinstance(v, dict):
        items = [k for k, on in list(v.items())[:_MAX_LIST] if on is True]
    elif isinstance(v, list):
        items = v[:_MAX_LIST]
    for k in items:
        try:
            i = int(k)
        except (TypeError, ValueError):
            continue
        if 1 <= i <= hi:
            out.add(i)
    return tuple(sorted(out))


@dataclass(frozen=True, slots=True)
class TcSignal:
    """One TC data object the page's CMP handed to a listener, as recorded: the event status,
    the CMP id, the decoded string (``None`` when it could not be decoded, with ``error``), and
    what the page's object itself claimed (``claimed_*``)."""

    status: str
    cmp_id: int
    tc_string: str
    decoded: TCString | None
    error: str = ""
    gdpr_applies: bool | None = None
    claimed_purpose_consents: tuple[int, ...] = ()
    claimed_purpose_li: tuple[int, ...] = ()
    claimed_vendor_consents: tuple[int, ...] = ()
    claimed_special_features: tuple[int, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def purpose_consents(self) -> tuple[int, ...]:
        return self.decoded.purpose_consents if self.decoded else self.claimed_purpose_consents

    @property
    def purpose_li(self) -> tuple[int, ...]:
        return self.decoded.purpose_li if self.decoded else self.claimed_purpose_li

    @property
    def special_features(self) -> tuple[int, ...]:
        return self.decoded.special_features if self.decoded else self.claimed_special_features

    @property
    def vendor_consents(self) -> Ranges:
        if self.decoded:
            return self.decoded.vendor_consents
        return _merge([(i, i) for i in self.claimed_vendor_consents])

    def grants(self) -> bool:
        if self.decoded is not None:
            return self.decoded.grants()
        return bool(self.claimed_purpose_consents or self.claimed_vendor_consents or self.claimed_special_features)


def read_signal(args: str) -> TcSignal | None:
    """The page agent's summary of one TC data object (JSON: s status, cmp, g gdprApplies, tc
    the TC string, pc/pli/vc/sf the object's own purpose consents, purpose legitimate interests,
    vendor consents and special feature opt-ins), or None when it is not one. Never raises."""
    if not isinstance(args, str) or not args.startswith("{") or len(args) > 4 * _MAX_TC:
        return None
    try:
        d = json.loads(args)
    except ValueError:
        return None
    if not isinstance(d, dict):
        return None
    raw_tc = d.get("tc")
    tc = raw_tc if isinstance(raw_tc, str) else ""
    status = str(d.get("s", ""))[:40]
    cmp_raw = d.get("cmp")
    cmp_id = cmp_raw if isinstance(cmp_raw, int) and 0 <= cmp_raw < 4096 else 0
    g = d.get("g")
    decoded: TCString | None = None
    error = ""
    if tc:
        try:
            decoded = decode_tc_string(tc)
        except TcfDecodeError as exc:
            error = str(exc)[:120]
    else:
        error = "no TC string"
    sig = TcSignal(
        status=status,
        cmp_id=cmp_id,
        tc_string=tc[:_MAX_TC],
        decoded=decoded,
        error=error,
        gdpr_applies=g if isinstance(g, bool) else None,
        claimed_purpose_consents=_ids(d.get("pc"), 24),
        claimed_purpose_li=_ids(d.get("pli"), 24),
        claimed_vendor_consents=_ids(d.get("vc"), _MAX_VENDOR),
        claimed_special_features=_ids(d.get("sf"), 12),
    )
    notes: list[str] = []
    if decoded is not None:
        if sig.claimed_purpose_consents != decoded.purpose_consents:
            notes.append(f"the page's __tcfapi object claims purpose consents {list(sig.claimed_purpose_consents)}, its TC string {list(decoded.purpose_consents)}")
        if sig.claimed_purpose_li != decoded.purpose_li:
            notes.append(f"the page's __tcfapi object claims legitimate interests {list(sig.claimed_purpose_li)}, its TC string {list(decoded.purpose_li)}")
    return replace(sig, notes=tuple(notes)) if notes else sig
