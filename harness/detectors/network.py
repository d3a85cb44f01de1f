"""Network rules: what left the device, and to whom.

- R34: a planted (honey) value found in a request to a third party (by host: not the app's own
  domains, not a neutral cloud or CDN domain) before the user accepted the policy, or after a
  refusal. The evidence is the flow, the plant, and how the value was encoded.
- R37 (payload part): a planted value found in a request sent without TLS.

Matching is pure and re-runs with ``analyze``: plants come from HoneyPlant events (a location
plant, ``'<lat>,<lon>'``, is searched as a coordinate pair), request bodies from
``<run>/network/bodies/`` beside the timeline, cipher plaintexts from ``<run>/cipher/`` (named by
CipherCall events: a flow carrying a recorded ciphertext is searched through its plaintext, and
the finding says "via Cipher <algorithm> plaintext at t=..."). A run judged without its folder,
e.g. from a batch store, is matched on URLs and headers only, and the finding says so. Besides the
plants, the values the app actually read (the return values of its identifier calls, when the
instrumentation recorded them and they can identify anything) are searched too, as the device's
real values.

- R37 (untrusted-CA part): in a run whose capture presented a CA that nothing trusts
  (``NetworkCapture(ca="untrusted")``: ``--source-option network_ca=untrusted``), every request
  the app completed over TLS means it accepts any certificate. A refused handshake there is the
  correct behaviour and no finding. Violation when only the app's traffic reaches the proxy
  (``scope="app"``) or the flow's correlation token joins it to a connect the app made under the
  agent; otherwise (the whole device routed to the proxy) needs review: another app's traffic
  could be the one decrypted.
- R36 (effectiveness part): after the user switched the app's personalisation off (a
  ``ConsentDecision(subject="personalisation", choice="decline")``, taken by S5's
  ``personalisation_off`` step), requests to ad SDKs are read for personalisation flags
  (``lexicons``: ``ad_personalised_keys`` / ``ad_non_personalised_keys``) and for the advertising
  id. A request that still asks for personalised ads is a violation; the advertising id still
  sent with no flag asking for non-personalised ads needs review (non-personalised ads may still
  use it for frequency capping and fraud checks); where the run captured no traffic at all,
  advertising-id reads that go on (returning an identifying value) need review.

:func:`sent_after` joins an API call to the flows that carried the value it read: R09 and R10
say "and sent to X" with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.detectors.context import Context, cat, who_msg
from harness.detectors.registry import detector, detector_part
from harness.events import (
    ApiCall,
    CipherCall,
    ConsentDecision,
    Event,
    HoneyPlant,
    NetworkCapture,
    NetworkConnect,
    NetworkFlow,
)
from harness.findings import Finding
from harness.i18n import Msg, Term
from harness.network.adflags import FlagReading, read_flags, request_params
from harness.network.attribution import Attribution, attribute_flow, connects_by_token, first_party_domains
from harness.network.cipher import ciphertexts
from harness.network.honey import coordinate_of, identifying
from harness.network.matcher import MAX_DECODED, Ciphertext, Coordinate, FlowData, Match, Matcher, Plant

__all__ = [
    "personal_data_to_third_party",
    "personal_data_in_cleartext",
    "accepts_any_certificate",
    "personalisation_not_effective",
    "flow_matches",
    "join_calls",
    "sent_after",
    "with_sent",
    "Sent",
    "FlowMatch",
    "match_records",
    "MAX_MATCH_RECORDS",
]

#: One flow with its recipient, the values found in it, and what each value's key names (the
#: HoneyPlant that planted it, or the API call that read a real value).
FlowMatch = tuple[NetworkFlow, Attribution, list[Match], dict[str, "HoneyPlant | ApiCall"]]

#: Categories whose values the app read are searched as the device's real values (identifiers:
#: a coincidental hit of a 15-digit IMEI or a UUID is not plausible).
_REAL_VALUE_CATEGORIES = frozenset({"DEVICE_ID", "AD_ID", "NET_ID", "PHONE_NUMBER"})
_MIN_REAL_VALUE = 8
#: The API call and the flow come from two clocks (the agent's, aligned at its start, and the
#: proxy host's): a flow stamped up to this much before the read can still be the read value
#: leaving (a value cannot leave before it is read, but the two stamps can disagree by that much).
_CLOCK_SLACK_S = 1.0

_MAX_FLOWS = 20_000
#: flows with matches kept in analysis.json (``network_matches``), and matches kept per flow
MAX_MATCH_RECORDS = 5000
_MAX_MATCHES_PER_FLOW = 16

_WHEN = {
    "pre_prompt": "when.net.pre_prompt",
    "prompt": "when.net.prompt",
    "declined": "when.net.declined",
    "dismissed": "when.net.dismissed",
}


# the label harness.network.cipher.ciphertexts gives a match found through a cipher plaintext
_VIA = re.compile(r"^Cipher (\S{1,80}) plaintext at t=(\d+(?:\.\d+)?) s$")


@lru_cache(maxsize=8)
def _matcher(plants: tuple[Plant, ...], coords: tuple[Coordinate, ...] = (), ciphers: tuple[Ciphertext, ...] = ()) -> Matcher:
    return Matcher(plants, coords, ciphers)


def _coordinates(ctx: Context, by_name: dict[str, HoneyPlant | ApiCall]) -> list[Coordinate]:
    """Planted locations (HoneyPlant of category LOCATION, value ``"<lat>,<lon>"`` in WGS-84
    decimal degrees) as coordinates the matcher finds in WGS-84, GCJ-02 and BD-09 forms."""
    out: list[Coordinate] = []
    seen: set[str] = set()
    for h in ctx.of(HoneyPlant):
        key = f"{h.name}:{h.value}"
        point = coordinate_of(h.value) if h.category.upper() == "LOCATION" and key not in seen else None
        if point is None:
            continue
        seen.add(key)
        by_name[key] = h
        out.append(Coordinate(key, point[0], point[1], "LOCATION"))
    return out


def _bodies(ctx: Context) -> Path | None:
    return ctx.run_dir / "network" / "bodies" if ctx.run_dir is not None else None


def _body(folder: Path | None, flow: NetworkFlow) -> bytes:
    if folder is None or not flow.body or "/" in flow.body or flow.body.startswith("."):
        return b""
    p = folder / flow.body
    try:
        if p.is_symlink() or not p.is_file():
            return b""
        with p.open("rb") as fh:
            return fh.read(MAX_DECODED)
    except OSError:
        return b""


def _headers(f: NetworkFlow) -> tuple[tuple[str, str], ...]:
    return tuple((h.split(": ", 1)[0], h.split(": ", 1)[1] if ": " in h else "") for h in f.headers)


def _flow_data(folder: Path | None, f: NetworkFlow) -> FlowData:
    headers = _headers(f)
    hmap = {k.lower(): v for k, v in headers}
    url = f"{f.scheme or 'https'}://{f.host}{f.path}"
    return FlowData(url, headers, _body(folder, f), hmap.get("content-encoding", ""), hmap.get("content-type", ""))


def flow_matches(ctx: Context) -> list[FlowMatch]:
    """Every flow of the run with its recipient and the personal values found in it (computed
    once per run: R34, R36, R37 and the R09/R10 join read it, and it reads the kept bodies)."""
    if "flow_matches" not in ctx.memo:
        ctx.memo["flow_matches"] = _flow_matches(ctx)
    result: list[FlowMatch] = ctx.memo["flow_matches"]
    return result


#: API calls kept for the joins (their return values are the device's real values, and R09 / R10
#: name the flows that carried what a call read): identifier-like categories, at most this many.
_JOIN_CATEGORIES = frozenset({"DEVICE_ID", "AD_ID", "NET_ID", "PHONE_NUMBER", "LOCATION", "CONTACTS", "CLIPBOARD", "ACCOUNTS", "APP_LIST"})
_MAX_JOIN_CALLS = 20_000


def join_calls(events: Iterable[Event]) -> dict[int, ApiCall]:
    """The API calls the network joins read, by seq (the detectors' event list holds the control
    events only; :mod:`harness.detectors.analysis` hands these over in ``Context.memo`` on both
    its paths, per run and batch, so both judge alike)."""
    out: dict[int, ApiCall] = {}
    for e in events:
        if isinstance(e, ApiCall) and e.category in _JOIN_CATEGORIES:
            out[e.seq] = e
            if len(out) >= _MAX_JOIN_CALLS:
                break
    return out


def _api_calls(ctx: Context) -> dict[int, ApiCall]:
    result: dict[int, ApiCall] = ctx.memo.get("api_calls") or {}
    return result


def _values(ctx: Context) -> tuple[list[Plant], dict[str, HoneyPlant | ApiCall]]:
    """What to search for: every identifying planted value, then the identifying values the app
    read from identifier APIs (the device's real values, when honey data was off)."""
    by_name: dict[str, HoneyPlant | ApiCall] = {}
    plants: list[Plant] = []
    planted: set[str] = set()
    for h in ctx.of(HoneyPlant):
        key = f"{h.name}:{h.value}"
        if h.value and identifying(h.value) and key not in by_name:
            by_name[key] = h
            planted.add(h.value)
            if h.category.upper() == "LOCATION" and coordinate_of(h.value) is not None:
                continue  # searched as a coordinate pair (_coordinates)
            plants.append(Plant(key, h.value, h.category))
    for c in _api_calls(ctx).values():
        v = c.ret.strip()
        if c.category not in _REAL_VALUE_CATEGORIES or len(v) < _MIN_REAL_VALUE or v in planted or not identifying(v):
            continue
        key = f"device:{c.category.lower()}:{v}"
        if key not in by_name:
            by_name[key] = c
            plants.append(Plant(key, v, c.category, origin="device"))
    return plants, by_name


def _flow_matches(ctx: Context) -> list[FlowMatch]:
    flows = ctx.of(NetworkFlow)[:_MAX_FLOWS]
    if not flows:
        return []
    plants, by_name = _values(ctx)
    coords = _coordinates(ctx, by_name)
    ciphers = ciphertexts(ctx.of(CipherCall), ctx.run_dir) if plants or coords else []
    m = _matcher(tuple(plants), tuple(coords), tuple(ciphers)) if plants or coords else None
    folder = _bodies(ctx)
    first = first_party_domains(ctx.info.package)
    connects = connects_by_token(ctx.of(NetworkConnect))
    out: list[FlowMatch] = []
    for f in flows:
        found = m.match(_flow_data(folder, f)) if m is not None else []
        out.append((f, attribute_flow(f, first, connects), found, by_name))
    return out


def match_records(ctx: Context) -> list[dict[str, object]]:
    """The flows in which planted values were found, as ``analysis.json`` keeps them
    (``network_matches``): the result :func:`flow_matches` gave the detectors, so the reports
    and the batch store show what R34/R37 judged, never a second matching. One record per flow
    with a match: its ``seq``, recipient (host, registrable domain, party, SDK) and the matches
    (plant name and seq, category, origin, form, where, decode layers, a bounded snippet, and for
    a match found inside an encrypted payload ``via`` and the CipherCall's ``cipher_seq``)."""
    out: list[dict[str, object]] = []
    for flow, who, matches, by_name in flow_matches(ctx):
        if not matches:
            continue
        if len(out) >= MAX_MATCH_RECORDS:
            break
        rows: list[dict[str, object]] = []
        for mt in matches[:_MAX_MATCHES_PER_FLOW]:
            plant = by_name.get(mt.plant)
            rows.append(
                {
                    # a planted value by its name; a real value the app read by its origin
                    "plant": (plant.name if isinstance(plant, HoneyPlant) else "device") if plant is not None else mt.plant.split(":", 1)[0],
                    "plant_seq": plant.seq if plant is not None else -1,
                    "category": (plant.category if plant is not None else "") or mt.category,
                    "origin": mt.origin,
                    "form": mt.form,
                    "where": mt.where,
                    "layers": list(mt.layers),
                    "snippet": mt.snippet,
                    "via": mt.via,
                    "cipher_seq": int(mt.cipher[7:]) if mt.cipher.startswith("cipher:") and mt.cipher[7:].isdigit() else -1,
                }
            )
        out.append({"seq": flow.seq, "host": who.host or flow.host, "domain": who.domain, "party": who.party, "sdk": who.sdk, "matches": rows, "more": max(0, len(matches) - _MAX_MATCHES_PER_FLOW)})
    return out


def _recipient(flow: NetworkFlow, who_: Attribution) -> Msg:
    """"host (third party, SDK x)" as a catalogue phrase."""
    party = Term("party", who_.party or "unknown")
    if who_.sdk:
        return Msg.of("net.recipient_sdk", host=flow.host, party=party, sdk=who_.sdk)
    return Msg.of("net.recipient", host=flow.host, party=party)


@dataclass(frozen=True, slots=True)
class Sent:
    """A flow that carried a value an API call read: the flow, its recipient, the match (how the
    value travelled) and the delay from the call."""

    flow: NetworkFlow
    who: Attribution
    match: Match
    delay: float

    def msg(self) -> Msg:
        m = self.match
        if m.layers:
            return Msg.of("net.sent_to_layers", to=_recipient(self.flow, self.who), delay=self.delay, how=m.form, layers=">".join(m.layers), where=_where(m.where))
        return Msg.of("net.sent_to", to=_recipient(self.flow, self.who), delay=self.delay, how=m.form, where=_where(m.where))


def sent_after(ctx: Context, call_seqs: Sequence[int], limit: int = 3) -> list[Sent]:
    """The flows (at most ``limit`` recipients, earliest first) that carried a value read by one
    of the API calls ``call_seqs``, sent at or after the call. A call's value is known from its
    own return value, or (when the instrumentation did not record it) from the honey plant of
    its API."""
    by_seq = _api_calls(ctx)
    calls = [by_seq[s] for s in call_seqs if s in by_seq]
    if not calls:
        return []
    fm = flow_matches(ctx)
    if not fm:
        return []
    by_name = fm[0][3]
    wanted: dict[str, float] = {}  # value key -> time of the first call that read it
    for c in calls:
        ret = c.ret.strip()
        for key, src in by_name.items():
            if isinstance(src, HoneyPlant):
                hit = src.value == ret if ret else (src.api_id == c.api_id and src.t <= c.t + 1.0)
            else:
                hit = bool(ret) and src.ret.strip() == ret
            if hit and (key not in wanted or c.t < wanted[key]):
                wanted[key] = c.t
    if not wanted:
        return []
    out: list[Sent] = []
    seen: set[str] = set()
    for flow, who_, matches, _ in fm:
        host = flow.host.lower()
        if host in seen or who_.party == "local":
            continue
        for mt in matches:
            t_call = wanted.get(mt.plant)
            if t_call is None or flow.t + _CLOCK_SLACK_S < t_call:
                continue
            seen.add(host)
            out.append(Sent(flow, who_, mt, max(0.0, flow.t - t_call)))
            break
        if len(out) >= limit:
            break
    return out


def with_sent(message: Msg, sent: Sequence[Sent]) -> Msg:
    """``message`` followed by the sentence saying where the value read went (unchanged when
    it did not leave)."""
    if not sent:
        return message
    return Msg.of("joined", parts=(message, Msg.of("net.sent_after", recipients=tuple(s.msg() for s in sent))))


def _where(where: str) -> Msg | Term:
    if where.startswith("header:"):
        return Msg.of("net.header", name=where[len("header:") :])
    return Term("net_where", where)


def _describe(matches: list[Match], by_name: dict[str, HoneyPlant | ApiCall]) -> Msg:
    parts = []
    for mt in matches[:4]:
        plant = by_name.get(mt.plant)
        what = cat(plant.category if plant is not None else mt.category)
        via = _VIA.match(mt.via) if mt.via else None
        if via is not None:
            alg, at = via.group(1), float(via.group(2))
            if mt.layers:
                parts.append(Msg.of("net.match_layers_via", what=what, how=mt.form, layers=">".join(mt.layers), where=_where(mt.where), alg=alg, at=at))
            else:
                parts.append(Msg.of("net.match_via", what=what, how=mt.form, where=_where(mt.where), alg=alg, at=at))
        elif mt.layers:
            parts.append(Msg.of("net.match_layers", what=what, how=mt.form, layers=">".join(mt.layers), where=_where(mt.where)))
        else:
            parts.append(Msg.of("net.match", what=what, how=mt.form, where=_where(mt.where)))
    if len(matches) > 4:
        return Msg.of("net.more", items=tuple(parts), n=len(matches) - 4)
    return Msg.of("net.items", items=tuple(parts))


def _cipher_seqs(matches: list[Match]) -> list[int]:
    """Seqs of the CipherCalls a match went through (``cipher:<seq>``), in order, once each."""
    out: list[int] = []
    for m in matches:
        if m.cipher.startswith("cipher:") and m.cipher[7:].isdigit() and int(m.cipher[7:]) not in out:
            out.append(int(m.cipher[7:]))
    return out


@detector("R34", "personal_data_to_third_party")
def personal_data_to_third_party(ctx: Context) -> Iterator[Finding]:
    seen: set[tuple[str, str, str]] = set()
    for flow, who, matches, by_name in flow_matches(ctx):
        if not matches or who.party not in ("third",):
            continue
        phase = ctx.phases.phase_name_at(flow.t)
        if phase not in _WHEN:
            continue
        recipient = who.sdk or who.domain or flow.host
        key = (recipient, phase, ",".join(sorted({m.plant for m in matches})))
        if key in seen:
            continue
        seen.add(key)
        plants = [by_name[m.plant] for m in matches if m.plant in by_name]
        what = _describe(matches, by_name)
        when = Msg.of(_WHEN[phase])
        sdk_key = "R34.sent_third_sdk_stack" if who.via == "stack" else "R34.sent_third_sdk"
        yield ctx.finding(
            "R34",
            verdict="violation",
            message=(
                Msg.of(sdk_key, what=what, host=flow.host, sdk=who.sdk, t=flow.t, when=when)
                if who.sdk
                else Msg.of("R34.sent_third", what=what, host=flow.host, t=flow.t, when=when)
            ),
            evidence=[flow.seq, *(p.seq for p in plants), *([who.connect.seq] if who.connect is not None else []), *_cipher_seqs(matches)],
            t=flow.t,
            category=plants[0].category if plants else "",
            sdk=who.sdk,
            subject=f"{recipient}|{phase}",
        )


@detector("R37", "personal_data_in_cleartext")
def personal_data_in_cleartext(ctx: Context) -> Iterator[Finding]:
    # A value found only inside a payload the app encrypted itself (via a recorded Cipher call)
    # did not travel in cleartext: whoever reads the wire also needs the key shipped in the app.
    # That is a needs-review finding (is the key protected?), never a violation.
    seen: set[tuple[str, bool]] = set()
    for flow, who, matches, by_name in flow_matches(ctx):
        if not matches or flow.scheme != "http" or who.party == "local":
            continue
        direct = [m for m in matches if not m.via]
        key = (flow.host, bool(direct))
        if key in seen or (not direct and (flow.host, True) in seen):
            continue
        seen.add(key)
        shown = direct or matches
        plants = [by_name[m.plant] for m in shown if m.plant in by_name]
        yield ctx.finding(
            "R37",
            verdict="violation" if direct else "needs-review",
            message=Msg.of("R37.cleartext" if direct else "R37.app_encrypted", what=_describe(shown, by_name), host=flow.host, t=flow.t),
            evidence=[flow.seq, *(p.seq for p in plants), *_cipher_seqs(shown)],
            t=flow.t,
            category=plants[0].category if plants else "",
            sdk=who.sdk,
            subject=flow.host,
        )


# -- R37: the untrusted-CA run -------------------------------------------------------------------


@detector_part("R37", "accepts_any_certificate")
def accepts_any_certificate(ctx: Context) -> Iterator[Finding]:
    """In a run whose proxy presented a CA nothing trusts, every request the app completed over
    TLS: the app accepted a certificate it cannot have verified. One finding per host."""
    cap = next((c for c in ctx.of(NetworkCapture) if c.ca == "untrusted"), None)
    if cap is None:
        return
    app_only = cap.scope == "app"
    seen: set[str] = set()
    for flow, who_, matches, by_name in flow_matches(ctx):
        # whatever the destination (a LAN or loopback server too): the client accepted a
        # certificate from a CA it cannot trust
        if not flow.tls or flow.seq < cap.seq:
            continue
        host = flow.host.lower()
        if host in seen:
            continue
        seen.add(host)
        plants = [by_name[m.plant] for m in matches if m.plant in by_name]
        # the whole device reached the proxy, but the agent's correlation token joins this flow to
        # a connect the app made: it is the app's request all the same
        joined = who_.connect is not None
        verdict = "violation" if app_only or joined else "needs-review"
        scope = Msg.of("R37.scope_app" if app_only else "R37.scope_joined" if joined else "R37.scope_device")
        yield ctx.finding(
            "R37",
            verdict=verdict,
            message=(
                Msg.of("R37.any_certificate_carried", fp=cap.ca_sha256[:16] or "-", to=_recipient(flow, who_), t=flow.t, scope=scope, what=_describe(matches, by_name))
                if matches
                else Msg.of("R37.any_certificate", fp=cap.ca_sha256[:16] or "-", to=_recipient(flow, who_), t=flow.t, scope=scope)
            ),
            evidence=[cap.seq, flow.seq, *(p.seq for p in plants), *([who_.connect.seq] if who_.connect is not None else [])],
            t=flow.t,
            category=plants[0].category if plants else "",
            sdk=who_.sdk,
            subject=f"untrusted-ca|{host}",
        )


# -- R36: does switching personalisation off work? ----------------------------------------------


@lru_cache(maxsize=1)
def _sdk_kinds() -> dict[str, str]:
    from harness.catalog.sdks import load_sdks

    return {s.id: s.kind for s in load_sdks()}


def _is_ad_sdk(sdk: str) -> bool:
    return bool(sdk) and _sdk_kinds().get(sdk, "") == "ads"


@detector_part("R36", "personalisation_not_effective")
def personalisation_not_effective(ctx: Context) -> Iterator[Finding]:
    """After the user switched personalisation off: ad requests that still ask for personalised
    ads (violation), the advertising id still sent to an ad SDK without a non-personalised flag
    (needs review), or, with no traffic captured, advertising-id reads that go on (needs review)."""
    decisions = [d for d in ctx.of(ConsentDecision) if d.subject == "personalisation"]
    off = next((d for d in decisions if d.choice == "decline"), None)
    if off is None:
        return
    back_on = next((d.t for d in decisions if d.choice == "accept" and d.seq > off.seq), None)
    grace = ctx.num("R36", "personalisation_grace_s")
    t0 = off.t + grace

    def judged(t: float) -> bool:
        return t >= t0 and (back_on is None or t < back_on)

    said_off = Msg.of("R36.switched_off", t=off.t, how=off.how or "switch")
    on_keys = ctx.catalog.lexicon("ad_personalised_keys")
    off_keys = ctx.catalog.lexicon("ad_non_personalised_keys")
    folder = _bodies(ctx)
    fm = flow_matches(ctx)
    # per ad SDK: the first request still asking for personalised ads, else the first one still
    # carrying the advertising id with no flag asking for non-personalised ads (one finding per
    # SDK: the strongest evidence)
    flagged: dict[str, tuple[NetworkFlow, list[FlagReading], list[FlagReading], list[Match], dict[str, HoneyPlant | ApiCall]]] = {}
    ad_only: dict[str, tuple[NetworkFlow, list[Match], dict[str, HoneyPlant | ApiCall]]] = {}
    for flow, who_, matches, by_name in fm:
        if not judged(flow.t) or not _is_ad_sdk(who_.sdk) or who_.sdk in flagged:
            continue
        data = _flow_data(folder, flow)
        flags = read_flags(request_params(data.url, data.body, data.content_encoding, data.content_type), on_keys, off_keys)
        on = [f for f in flags if f.personalised]
        no = [f for f in flags if not f.personalised]
        ad = [m for m in matches if m.category == "AD_ID"]
        if on:
            flagged[who_.sdk] = (flow, on, no, ad, by_name)
        elif ad and not no and who_.sdk not in ad_only:
            ad_only[who_.sdk] = (flow, ad, by_name)
    for sdk, (flow, on, no, ad, by_name) in flagged.items():
        plants = [by_name[m.plant] for m in ad if m.plant in by_name]
        flags_on = tuple(Msg.of("R36.flag", flag=f"{f.key}={f.value}", where=Term("net_where", f.where)) for f in on[:2])
        flags_off = tuple(Msg.of("R36.flag", flag=f"{f.key}={f.value}", where=Term("net_where", f.where)) for f in no[:2])
        parts: list[Msg] = [Msg.of("R36.still_personalised", off=said_off, sdk=sdk, host=flow.host, t=flow.t, flags=flags_on)]
        if no:
            parts.append(Msg.of("R36.contradictory", flags=flags_off))
        if ad:
            parts.append(Msg.of("R36.carries", what=_describe(ad, by_name)))
        parts.append(Msg.of("R36.flag_lexicons"))
        yield ctx.finding(
            "R36",
            verdict="needs-review" if no else "violation",
            message=Msg.of("joined", parts=tuple(parts)),
            evidence=[off.seq, flow.seq, *(p.seq for p in plants)],
            t=flow.t,
            category="AD_ID" if ad else "",
            sdk=sdk,
            subject=f"{sdk}|personalised-flag",
            thresholds=["personalisation_grace_s"],
        )
    for sdk, (flow, ad, by_name) in ad_only.items():
        if sdk in flagged:
            continue
        plants = [by_name[m.plant] for m in ad if m.plant in by_name]
        yield ctx.finding(
            "R36",
            verdict="needs-review",
            message=Msg.of("R36.ad_id_still_sent", off=said_off, what=_describe(ad, by_name), sdk=sdk, host=flow.host, t=flow.t),
            evidence=[off.seq, flow.seq, *(p.seq for p in plants)],
            t=flow.t,
            category="AD_ID",
            sdk=sdk,
            subject=f"{sdk}|ad-id",
            thresholds=["personalisation_grace_s"],
        )
    if fm or ctx.of(NetworkCapture):
        return  # traffic was captured: the requests decide, not the reads
    reads = [c for c in _api_calls(ctx).values() if c.category == "AD_ID" and judged(c.t) and (not c.ret.strip() or identifying(c.ret))]
    by_sdk: dict[str, list[ApiCall]] = {}
    for c in reads:
        by_sdk.setdefault(c.sdk, []).append(c)
    for sdk, calls in by_sdk.items():
        yield ctx.finding(
            "R36",
            verdict="needs-review",
            message=Msg.of("R36.reads_continue", off=said_off, who=who_msg(sdk), n=len(calls), t=calls[0].t, api=calls[0].api_id),
            evidence=[off.seq, *(c.seq for c in calls[:10])],
            t=calls[0].t,
            category="AD_ID",
            sdk=sdk,
            subject=f"{sdk}|ad-id-reads",
            thresholds=["personalisation_grace_s"],
        )
