"""Search network flows for personal values: planted (honey) values and the device's real
identifiers, in every form :mod:`harness.network.encodings` lists, through compression (gzip,
deflate, brotli), body formats (JSON, form, multipart) and one nested decode layer (base64, hex
and percent-encoded tokens inside a URL, header or body).

Pure and bounded: a hostile body cannot make it use more than ``MAX_DECODED`` bytes of decoded
text or ``MAX_TOKENS`` nested decodes per flow; a compression bomb is cut at ``MAX_DECODED``.
All patterns go into one Aho-Corasick automaton (pyahocorasick) searched over lower-cased
text, so the cost per flow does not grow with the number of values planted.

Encrypted payloads (:class:`Ciphertext`): the agent's cipher hook records, for each encryption
the app made, the plaintext and the first bytes of the ciphertext. Those first bytes go into the
same automaton in the forms a request carries them (base64 and URL-safe base64 at the three
byte offsets, hex in both cases, and the raw bytes of a binary body). When a flow holds one, the
plaintext behind it is searched like a body (JSON, form, one nested layer) for the plants, and
each match found there says so: ``via`` names the cipher and the time of the call, ``cipher``
its name. Plaintexts are searched only for flows that carry their ciphertext, and never for
ciphertexts of their own (one cipher layer).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import unquote_plus

import ahocorasick

from harness.network.encodings import b64_at_offsets, coordinate_variants, variants

__all__ = ["MAX_DECODED", "MAX_TOKENS", "MIN_CIPHER_HEAD", "Ciphertext", "Coordinate", "FlowData", "Match", "Matcher", "Plant", "decode_body"]

MAX_DECODED = 8 * 1024 * 1024
MAX_TOKENS = 2000
MAX_SNIPPET = 160
#: A ciphertext shorter than this (one AES block) is not looked for: it could match by chance.
MIN_CIPHER_HEAD = 16

_B64_TOKEN = re.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_TOKEN = re.compile(rb"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){8,}(?![0-9A-Fa-f])")
_PCT = re.compile(rb"%[0-9A-Fa-f]{2}")
# ASCII-only lower-casing keeps every index of the text valid (str.lower can change lengths)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _low(text: str) -> str:
    return text.translate(_ASCII_LOWER)


@dataclass(frozen=True, slots=True)
class Plant:
    """One value to look for. ``origin`` is 'honey' (planted by the harness) or 'device' (the
    device's real identifier); ``category`` is the catalogue's PI category (device_id, ...)."""

    name: str
    value: str
    category: str = ""
    origin: str = "honey"


@dataclass(frozen=True, slots=True)
class Coordinate:
    """A location to look for: both latitude and longitude must appear in one flow."""

    name: str
    lat: float
    lon: float
    category: str = "location"
    origin: str = "honey"


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """One encryption the app made: ``head`` is the start of the ciphertext (what is looked for
    in flows), ``plaintext`` what was encrypted (bounded by the recorder), ``label`` how a match
    through it is described ('Cipher AES/CBC/PKCS5Padding plaintext at t=1.20 s')."""

    name: str
    head: bytes
    plaintext: bytes
    label: str = ""


@dataclass(frozen=True, slots=True)
class FlowData:
    """What the matcher needs of one request."""

    url: str
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    content_encoding: str = ""
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One value found in one flow: ``where`` is 'url', 'header:<name>' or 'body'; ``layers``
    the decodings applied before it was found ('gzip', 'json', 'base64', ...); ``form`` the
    encoding of the value itself ('md5-lower', 'b64@1', 'gcj02-5dp', ...)."""

    plant: str
    category: str
    origin: str
    form: str
    where: str
    layers: tuple[str, ...] = ()
    snippet: str = ""
    via: str = ""
    cipher: str = ""


@dataclass
class _Hay:
    where: str
    layers: tuple[str, ...]
    text: str


def _decompress(data: bytes, encoding: str, limit: int) -> tuple[bytes, str]:
    """Undo one content encoding, bounded; (data, label) or (data, '') when not compressed."""
    enc = encoding.lower().strip()
    try:
        if enc in ("gzip", "x-gzip") or data[:2] == b"\x1f\x8b":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return d.decompress(data, limit), "gzip"
        if enc == "deflate":
            try:
                return zlib.decompressobj().decompress(data, limit), "deflate"
            except zlib.error:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(data, limit), "deflate"
        if enc == "br":
            import brotli

            out = brotli.Decompressor()
            chunks: list[bytes] = []
            total = 0
            for i in range(0, len(data), 65536):
                part = out.process(data[i : i + 65536])
                chunks.append(part)
                total += len(part)
                if total >= limit:
                    break
            return b"".join(chunks)[:limit], "br"
    except Exception:  # noqa: BLE001 - a corrupt body is searched as it is
        return data, ""
    return data, ""


def decode_body(body: bytes, content_encoding: str = "", limit: int = MAX_DECODED) -> tuple[bytes, tuple[str, ...]]:
    """The body with its content encoding undone (bounded by ``limit``), and the layers applied."""
    data, label = _decompress(body[: limit * 4], content_encoding, limit)
    return data[:limit], ((label,) if label else ())


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _json_strings(obj: object, out: list[str], budget: list[int]) -> None:
    if budget[0] <= 0:
        return
    if isinstance(obj, str):
        out.append(obj)
        budget[0] -= len(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out.append(str(k))
            _json_strings(v, out, budget)
    elif isinstance(obj, list):
        for v in obj:
            _json_strings(v, out, budget)
    elif obj is not None:
        out.append(str(obj))


def _nested(data: bytes, budget: list[int]) -> Iterator[tuple[str, bytes]]:
    """One nested decode layer over ``data``: base64, hex and percent-encoded tokens."""
    for m in _B64_TOKEN.finditer(data):
        if budget[0] <= 0:
            return
        tok = m.group(0)
        raw = tok.rstrip(b"=")
        if raw.islower() or raw.isalpha() and raw.isupper() or len(raw) % 4 == 1:
            continue  # a plain word, or a length no base64 text has: not worth decoding
        budget[0] -= 1
        pad = b"=" * (-len(raw) % 4)
        for alt in (b"-_", None):
            try:
                dec = base64.b64decode(raw + pad, altchars=alt, validate=True)
            except (binascii.Error, ValueError):
                continue
            if dec:
                dec, label = _decompress(dec, "", 1 << 20)
                yield ("base64>" + label if label else "base64"), dec
            break
    for m in _HEX_TOKEN.finditer(data):
        if budget[0] <= 0:
            return
        budget[0] -= 1
        try:
            yield "hex", binascii.unhexlify(m.group(0))
        except (binascii.Error, ValueError):
            continue
    if _PCT.search(data):
        budget[0] -= 1
        yield "urldecode", unquote_plus(data.decode("latin-1")).encode("latin-1", errors="replace")


def _data_hays(data: bytes, where: str, layers: tuple[str, ...], ctype: str, budget: list[int]) -> list[_Hay]:
    """Haystacks of one decoded body (or plaintext): as text, its JSON strings, its form
    fields, one nested decode layer, and (for a body that is not UTF-8) its raw bytes."""
    hays: list[_Hay] = []
    text = _text(data)
    hays.append(_Hay(where, layers, text))
    ctype = ctype.lower()
    stripped = data.lstrip()[:1]
    if "json" in ctype or stripped in (b"{", b"["):
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            obj = None
        if obj is not None:
            strings: list[str] = []
            _json_strings(obj, strings, [MAX_DECODED])
            hays.append(_Hay(where, (*layers, "json"), "\n".join(strings)))
    if "x-www-form-urlencoded" in ctype:
        hays.append(_Hay(where, (*layers, "form"), unquote_plus(text)))
    if "\ufffd" in text:
        # binary: the raw bytes (latin-1 keeps every byte as one character) for raw ciphertexts
        hays.append(_Hay(where, (*layers, "raw"), data.decode("latin-1")))
    for label, dec in _nested(data, budget):
        hays.append(_Hay(where, (*layers, label), _text(dec)))
    return hays


# a table entry: (plant or cipher name, category, origin, form, part, pattern as written);
# part is '' for a value, 'lat'/'lon' for a coordinate half, 'cipher' for a ciphertext head
_Entry = tuple[str, str, str, str, str, str]


class Matcher:
    """Finds plants in flows. Build once per run (the automaton), call :meth:`match` per flow."""

    def __init__(
        self,
        plants: Iterable[Plant] = (),
        coordinates: Iterable[Coordinate] = (),
        ciphers: Iterable[Ciphertext] = (),
    ) -> None:
        self.plants = tuple(plants)
        self.coordinates = tuple(coordinates)
        self.ciphers = {c.name: c for c in ciphers if len(c.head) >= MIN_CIPHER_HEAD and c.plaintext}
        self._auto = ahocorasick.Automaton()
        table: dict[str, list[_Entry]] = {}
        for p in self.plants:
            for form, text in variants(p.value):
                table.setdefault(_low(text), []).append((p.name, p.category, p.origin, form, "", text))
        for c in self.coordinates:
            for form, lat, lon in coordinate_variants(c.lat, c.lon):
                table.setdefault(_low(lat), []).append((c.name, c.category, c.origin, form, "lat", lat))
                table.setdefault(_low(lon), []).append((c.name, c.category, c.origin, form, "lon", lon))
        for ct in self.ciphers.values():
            forms = [(f"ct-{form}", text) for form, text in b64_at_offsets(ct.head)]
            forms += [
                ("ct-hex-lower", ct.head.hex()),
                ("ct-hex-upper", ct.head.hex().upper()),
                ("ct-raw", ct.head.decode("latin-1")),
            ]
            for form, text in forms:
                table.setdefault(_low(text), []).append((ct.name, "", "cipher", form, "cipher", text))
        for key, entries in table.items():
            self._auto.add_word(key, (key, tuple(entries)))
        self.patterns = len(table)
        if table:
            self._auto.make_automaton()

    # -- haystacks --------------------------------------------------------------------------
    def _haystacks(self, flow: FlowData, budget: list[int]) -> list[_Hay]:
        hays: list[_Hay] = []
        url = flow.url[:65536]
        hays.append(_Hay("url", (), url))
        ub = url.encode("utf-8", errors="replace")
        for label, dec in _nested(ub, budget):
            hays.append(_Hay("url", (label,), _text(dec)))
        for name, value in list(flow.headers)[:200]:
            v = str(value)[:16384]
            where = f"header:{str(name)[:64].lower()}"
            hays.append(_Hay(where, (), v))
            for label, dec in _nested(v.encode("utf-8", errors="replace"), budget):
                hays.append(_Hay(where, (label,), _text(dec)))
        if flow.body:
            data, layers = decode_body(flow.body, flow.content_encoding)
            hays += _data_hays(data, "body", layers, flow.content_type, budget)
        return hays

    # -- search -----------------------------------------------------------------------------
    def match(self, flow: FlowData) -> list[Match]:
        if not self.patterns:
            return []
        found: dict[tuple[str, str], Match] = {}
        coords: dict[tuple[str, str, str], dict[str, Match]] = {}
        hits: dict[str, Match] = {}  # cipher name -> where its ciphertext was found
        budget = [MAX_TOKENS]
        self._search(self._haystacks(flow, budget), found, coords, hits, None)
        for name, hit in sorted(hits.items()):
            ct = self.ciphers[name]
            layers = (*hit.layers, hit.form)
            self._search(
                _data_hays(ct.plaintext, hit.where, layers, "", budget),
                found,
                coords,
                None,
                (ct.label or f"Cipher plaintext {name}", name),
            )
        # coordinates: both halves, same datum and precision; keep the most precise per place
        best: dict[tuple[str, str], tuple[int, Match]] = {}
        for (name, form, where), parts in coords.items():
            if "lat" in parts and "lon" in parts:
                digits = int(form.rsplit("-", 1)[1].rstrip("dp"))
                k = (name, where)
                if k not in best or digits > best[k][0]:
                    best[k] = (digits, parts["lat"])
        out = list(found.values()) + [m for _d, m in best.values()]
        out.sort(key=lambda m: (m.plant, m.where))
        return out

    def _search(
        self,
        hays: list[_Hay],
        found: dict[tuple[str, str], Match],
        coords: dict[tuple[str, str, str], dict[str, Match]],
        hits: dict[str, Match] | None,
        via: tuple[str, str] | None,
    ) -> None:
        via_text, via_name = via if via is not None else ("", "")
        for hay in hays:
            low = _low(hay.text)
            for end, (key, entries) in self._auto.iter(low):
                start = end - len(key) + 1
                exact = hay.text[start : end + 1]
                # the form written exactly as found wins (md5-upper vs md5-lower); search is
                # case-insensitive so a mixed-case rendering is still found
                entries = sorted(entries, key=lambda e: e[5] != exact)
                seen_plants: set[str] = set()
                for name, category, origin, form, part, _pattern in entries:
                    if part == "cipher":
                        # a ciphertext: exact bytes only (case matters in base64 and raw)
                        if hits is not None and exact == _pattern and name not in hits:
                            hits[name] = Match(name, "", "cipher", form, hay.where, hay.layers)
                        continue
                    if not part:
                        if name in seen_plants:
                            continue
                        seen_plants.add(name)
                    snippet = hay.text[max(0, start - 40) : end + 41][:MAX_SNIPPET]
                    if part:
                        # a coordinate number must not be part of a longer number on its left
                        if start > 0 and (low[start - 1].isdigit() or low[start - 1] == "."):
                            continue
                        m = Match(
                            name, category, origin, form, hay.where, hay.layers, snippet, via_text, via_name
                        )
                        coords.setdefault((name, form, hay.where), {}).setdefault(part, m)
                        continue
                    k = (name, hay.where)
                    prev = found.get(k)
                    # a direct find beats one through a cipher; fewer layers beat more
                    if prev is None or (bool(prev.via), len(prev.layers)) > (bool(via_text), len(hay.layers)):
                        found[k] = Match(
                            name, category, origin, form, hay.where, hay.layers, snippet, via_text, via_name
                        )
