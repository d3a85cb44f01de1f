"""Personalisation flags in ad requests: does a request ask the ad network for personalised ads?

Ad SDKs say in their requests whether the ads may be personalised: a parameter whose name says
"personalised" with a true value (``personalized=1``, ``"is_personalized": true``), or one whose
name says "not personalised" / "limit tracking" with a false value (``npa=0``, ``lat=0``). The
parameter names are catalogue data (``lexicons`` in ``harness/catalog/rules.yaml``:
``ad_personalised_keys`` and ``ad_non_personalised_keys``); this module only reads a request's
parameters and tells what each flag says.

Pure and bounded: parameters come from the URL query, a form body and the objects of a JSON
body (the request body with its content encoding undone by the matcher's bounded decoder); at
most ``MAX_PARAMS`` parameters per request are read, values are cut at 64 characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from harness.network.matcher import decode_body

__all__ = ["MAX_PARAMS", "FlagReading", "request_params", "read_flags"]

MAX_PARAMS = 2000
_MAX_BODY = 1 << 20
_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})


@dataclass(frozen=True, slots=True)
class FlagReading:
    """One flag found in a request: the parameter as written, its value, and what it says
    (``personalised`` True = the request asks for personalised ads, False = it asks for
    non-personalised ads)."""

    key: str
    value: str
    personalised: bool
    where: str

    def text(self) -> str:
        return f"{self.key}={self.value} in the {self.where}"


def _norm(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def _json_pairs(obj: object, out: list[tuple[str, str]], depth: int = 0) -> None:
    if len(out) >= MAX_PARAMS or depth > 32:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if len(out) >= MAX_PARAMS:
                return
            if isinstance(v, (dict, list)):
                _json_pairs(v, out, depth + 1)
            elif isinstance(v, bool):
                out.append((str(k), "true" if v else "false"))
            elif v is not None:
                out.append((str(k), str(v)[:64]))
    elif isinstance(obj, list):
        for v in obj[:MAX_PARAMS]:
            _json_pairs(v, out, depth + 1)


def _pairs(text: str, limit: int) -> list[tuple[str, str]]:
    """The first ``limit`` ``key=value`` pairs of a query or form text (never more are parsed)."""
    head = "&".join(text.split("&", limit)[:limit])
    return parse_qsl(head, keep_blank_values=True)


def request_params(url: str, body: bytes = b"", content_encoding: str = "", content_type: str = "") -> Iterator[tuple[str, str, str]]:
    """(name, value, where) of every parameter of a request that this module can read: the URL
    query ('url'), a form body and a JSON body ('body'). Bounded by ``MAX_PARAMS``."""
    count = 0
    try:
        query = urlsplit(url[:65536]).query
    except ValueError:
        query = ""
    for k, v in _pairs(query, MAX_PARAMS):
        count += 1
        yield k[:128], v[:64], "url"
        if count >= MAX_PARAMS:
            return
    if not body:
        return
    data, _layers = decode_body(body, content_encoding, _MAX_BODY)
    text = data.decode("utf-8", errors="replace")
    ctype = content_type.lower()
    head = text.lstrip()[:1]
    pairs: list[tuple[str, str]] = []
    if "json" in ctype or head in ("{", "["):
        try:
            _json_pairs(json.loads(text), pairs)
        except (ValueError, RecursionError):
            pairs = []
    elif "x-www-form-urlencoded" in ctype or ("=" in text[:256] and " " not in text[:256]):
        pairs = _pairs(text, MAX_PARAMS)
    for k, v in pairs[: MAX_PARAMS - count]:
        yield k[:128], v[:64], "body"


def read_flags(params: Iterable[tuple[str, str, str]], personalised_keys: Iterable[str], non_personalised_keys: Iterable[str]) -> list[FlagReading]:
    """The personalisation flags among ``params``: a key of ``personalised_keys`` with a true
    value says personalised, with a false value non-personalised; a key of
    ``non_personalised_keys`` the other way round. Values that are neither (an enum, a number
    other than 0/1) say nothing and are left out."""
    on_keys = {_norm(k) for k in personalised_keys}
    off_keys = {_norm(k) for k in non_personalised_keys}
    out: list[FlagReading] = []
    for key, value, where in params:
        k = _norm(key)
        v = value.strip().lower()
        truth = True if v in _TRUE else False if v in _FALSE else None
        if truth is None:
            continue
        if k in on_keys:
            out.append(FlagReading(key, value, truth, where))
        elif k in off_keys:
            out.append(FlagReading(key, value, not truth, where))
    return out
