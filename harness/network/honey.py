"""Honey values: unique, plausible identifiers the agent returns instead of the real ones.

A value planted for one run and found later in a request proves that this value left the
device, with no doubt about coincidence (the real device values are searched too, but a lab
device's IMEI may also appear in unrelated places). Each run gets fresh values from its seed;
the agent reports each value it actually handed to the app as a ``honey`` event (HoneyPlant).

Only String getters of identifiers are planted (the agent never replaces null: an API that gives
a normal app nothing keeps giving nothing). Location, contacts, clipboard and app lists are not
planted yet.
"""

from __future__ import annotations

import random
import uuid

__all__ = ["HONEY_APIS", "honey_values", "luhn_digit", "identifying"]

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
