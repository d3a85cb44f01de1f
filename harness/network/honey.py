"""Honey values: unique, plausible identifiers the agent returns instead of the real ones.

A value planted for one run and found later in a request proves that this value left the
device, with no doubt about coincidence (the real device values are searched too, but a lab
device's IMEI may also appear in unrelated places). Each run gets fresh values from its seed;
the agent reports each value it actually handed to the app as a ``honey`` event (HoneyPlant).

Identifiers: String getters of identifiers are planted (the agent never replaces null: an API
that gives a normal app nothing keeps giving nothing).

Objects (:func:`object_honey`, the agent's ``honey_objects.ts``), one planted value of each kind
per run, each reported as a HoneyPlant when the app first gets it:

- ``location``: a point inside a Chinese city (a random offset of up to about 6 km from its
  centre), with seven decimals so that its rounded forms are unique. Location fixes from the
  system providers (gps, network, fused, passive) return it from ``getLatitude`` /
  ``getLongitude``, and the fix object itself is moved there, so ``toString`` and
  serialisers agree. Reported once as ``name='location'``, ``value='<lat>,<lon>'``: the
  matcher reads that form as a :class:`~harness.network.matcher.Coordinate` (WGS-84, GCJ-02,
  BD-09, rounded and truncated, see :func:`coordinate_of`). Fix objects of the AMap, Baidu and
  Tencent location SDKs, which keep their own coordinates, get the same point converted into the
  datum each hands out (GCJ-02 for AMap and Tencent, BD-09 for Baidu, unless the fix says
  otherwise) with the formulas of :mod:`harness.network.encodings`; a failed SDK fix keeps its
  values. Each SDK's plant is one more ``location`` HoneyPlant whose value is still the WGS-84
  point (the form the matcher expands into every datum) and whose ``api_id`` names the SDK call.
- ``contacts``: every row of a cursor from a contacts query (``ContentResolver.query`` on a
  ``content://com.android.contacts`` or SIM URI) gives the planted name in the name columns and
  the planted number in the number columns (one planted contact: an app uploading the address
  book sends it once per row). Cursors from any other query are never touched.
- ``clipboard``: ``ClipboardManager.getPrimaryClip`` returns a plain-text clip of the planted
  text instead of a text clip (so ``ClipData.Item.getText`` and ``coerceToText`` both give it),
  and the legacy ``getText`` returns it. A clip without text (an image, a URI) is left alone,
  and clips the app builds itself are never touched.
- ``apps``: the installed-apps lists (``getInstalledPackages``, ``getInstalledApplications``,
  ``queryIntentActivities``) get one planted package appended to the real list. Appending,
  not replacing, keeps the app working (it finds itself and the system apps as before); one
  unique package name is enough to prove the list left the device.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass

__all__ = [
    "HONEY_APIS",
    "HONEY_KINDS",
    "ObjectHoney",
    "coordinate_of",
    "honey_kinds",
    "honey_values",
    "identifying",
    "luhn_digit",
    "object_honey",
]

#: What can be planted: ``ids`` (identifier getters) and the object kinds.
HONEY_KINDS = ("ids", "location", "contacts", "clipboard", "apps")

#: api id -> kind of value planted for it
HONEY_APIS: dict[str, str] = {
    "TelephonyManager.getDeviceId": "imei",
    "TelephonyManager.getImei": "imei",
    "TelephonyManager.getMeid": "meid",
    "TelephonyManager.getSubscriberId": "imsi",
    "TelephonyManager.getSimSerialNumber": "iccid",
    "TelephonyManager.getLine1Number": "phone",
    "Settings$Secure.getString#android_id": "android_id",
    "Settings$System.getString#android_id": "android_id",
    "Build.getSerial": "serial",
    "AdvertisingIdClient$Info.getId": "ad_id",
}


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of ``digits`` (IMEI and ICCID use it)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def honey_values(seed: str, api_ids: set[str] | None = None) -> list[tuple[str, str]]:
    """[(api id, planted value)] for one run: the same seed gives the same values; one value per
    kind (an IMEI is the same whichever getter returns it)."""
    rng = random.Random(f"consent-harness honey {seed}")
    digits = "0123456789"
    body14 = "86" + "".join(rng.choice(digits) for _ in range(12))
    kinds = {
        "imei": body14 + luhn_digit(body14),
        "meid": "A1000" + "".join(rng.choice("0123456789ABCDEF") for _ in range(9)),
        "imsi": "46000" + "".join(rng.choice(digits) for _ in range(10)),
        "iccid": (lambda b: b + luhn_digit(b))("898600" + "".join(rng.choice(digits) for _ in range(13))),
        "phone": "+86139" + "".join(rng.choice(digits) for _ in range(8)),
        "android_id": "".join(rng.choice("0123456789abcdef") for _ in range(16)),
        "serial": "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(12)),
        "ad_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    }
    return [(api, kinds[kind]) for api, kind in HONEY_APIS.items() if api_ids is None or api in api_ids]


def identifying(value: str) -> bool:
    """Whether ``value`` can identify anything: at least 6 letters or digits, not all the same
    one. A zeroed advertising id (``00000000-0000-0000-0000-000000000000``, what Android returns
    once the user opted out of ads personalisation) or a run of one digit names no device, and
    would be "found" in any request full of zeros."""
    chars = [c for c in value.lower() if c.isalnum()]
    return len(chars) >= 6 and len(set(chars)) > 1


# --- objects --------------------------------------------------------------------------------
# City centres (WGS-84) the planted point is drawn around: plausible for apps made for China.
_CITIES = (
    (39.9087, 116.3975),  # Beijing
    (31.2304, 121.4737),  # Shanghai
    (23.1291, 113.2644),  # Guangzhou
    (22.5431, 114.0579),  # Shenzhen
    (30.2741, 120.1551),  # Hangzhou
    (30.5728, 104.0668),  # Chengdu
    (30.5928, 114.3055),  # Wuhan
    (34.3416, 108.9398),  # Xi'an
)
_SYLLABLES = (
    "lan",
    "mei",
    "qiao",
    "ling",
    "song",
    "yun",
    "hao",
    "xin",
    "rui",
    "jia",
    "ming",
    "zhen",
    "feng",
    "wen",
)
_SURNAMES = ("Qiao", "Lan", "Shen", "Gu", "Tang", "Xia", "Jiang", "Bai", "Meng", "Lu")
_COORD_RE = re.compile(r"^(-?\d{1,2}(?:\.\d+)?),\s*(-?\d{1,3}(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class ObjectHoney:
    """The object values planted in one run (an empty field: not planted)."""

    location: tuple[float, float] | None = None
    contact_name: str = ""
    contact_phone: str = ""
    clipboard: str = ""
    package: str = ""

    def agent_options(self) -> dict[str, object]:
        """The agent's config keys (see hooks/src/config.ts)."""
        return {
            "honeyLoc": list(self.location) if self.location is not None else [],
            "honeyContact": [self.contact_name, self.contact_phone] if self.contact_name else [],
            "honeyClip": self.clipboard,
            "honeyPkg": self.package,
        }


def object_honey(seed: str, kinds: set[str] | frozenset[str] | None = None) -> ObjectHoney:
    """The planted location, contact, clipboard text and package of one run (same seed, same
    values); ``kinds`` limits what is planted (default: all of location, contacts, clipboard, apps)."""
    want = set(HONEY_KINDS) if kinds is None else set(kinds)
    rng = random.Random(f"consent-harness object honey {seed}")
    lat0, lon0 = rng.choice(_CITIES)
    # up to ~6 km from the centre; seven decimals (about 1 cm): the rounded forms are unique
    lat = round(lat0 + rng.uniform(-0.05, 0.05), 7)
    lon = round(lon0 + rng.uniform(-0.06, 0.06), 7)
    name = f"{rng.choice(_SURNAMES)} {rng.choice(_SYLLABLES).capitalize()}{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}"
    phone = "13" + str(rng.randint(5, 9)) + "".join(rng.choice("0123456789") for _ in range(8))
    token = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
    clip = f"复制口令 {token} 打开App领取"
    pkg = f"com.{rng.choice(_SYLLABLES)}{rng.choice(_SYLLABLES)}.{rng.choice(('notes', 'wallet', 'reader', 'fitness', 'album'))}{rng.randint(1000, 9999)}"
    return ObjectHoney(
        location=(lat, lon) if "location" in want else None,
        contact_name=name if "contacts" in want else "",
        contact_phone=phone if "contacts" in want else "",
        clipboard=clip if "clipboard" in want else "",
        package=pkg if "apps" in want else "",
    )


def honey_kinds(text: str) -> frozenset[str]:
    """Parse the ``honey`` source option: 'on' (everything), 'off' (nothing) or a comma list of
    HONEY_KINDS. Raises ValueError naming what is wrong."""
    t = text.strip().lower()
    if t in ("", "on"):
        return frozenset(HONEY_KINDS)
    if t == "off":
        return frozenset()
    parts = [p.strip() for p in t.split(",") if p.strip()]
    bad = [p for p in parts if p not in HONEY_KINDS]
    if bad or not parts:
        raise ValueError(
            f"honey must be 'on', 'off' or a comma list of {', '.join(HONEY_KINDS)}; got {text[:60]!r}"
        )
    return frozenset(parts)


def coordinate_of(value: str) -> tuple[float, float] | None:
    """(lat, lon) of a location HoneyPlant value ('<lat>,<lon>'), or None when it is not one."""
    m = _COORD_RE.match(value.strip())
    if m is None:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return lat, lon
