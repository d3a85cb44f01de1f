"""Network rules: what left the device, and to whom.

- R34: a planted (honey) value found in a request to a third party (by host: not the app's own
  domains, not a neutral cloud or CDN domain) before the user accepted the policy, or after a
  refusal. The evidence is the flow, the plant, and how the value was encoded.
- R37 (payload part): a planted value found in a request sent without TLS.

Matching is pure and re-runs with ``analyze``: plants come from HoneyPlant events, request bodies
from ``<run>/network/bodies/`` beside the timeline (a run judged without its folder, e.g. from a
batch store, is matched on URLs and headers only, and the finding says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from harness.detectors.context import Context, cat
from harness.detectors.registry import detector
from harness.events import HoneyPlant, NetworkConnect, NetworkFlow
from harness.findings import Finding
from harness.i18n import Msg, Term
from harness.network.attribution import Attribution, attribute_flow, connects_by_token, first_party_domains
from harness.network.matcher import MAX_DECODED, FlowData, Match, Matcher, Plant

__all__ = ["personal_data_to_third_party", "personal_data_in_cleartext", "flow_matches", "match_records", "MAX_MATCH_RECORDS"]

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


@lru_cache(maxsize=8)
def _matcher(plants: tuple[Plant, ...]) -> Matcher:
    return Matcher(plants)


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


def flow_matches(ctx: Context) -> list[tuple[NetworkFlow, Attribution, list[Match], dict[str, HoneyPlant]]]:
    """Every flow of the run with its recipient and the planted values found in it (computed
    once per run: R34 and R37 both read it, and it reads the kept bodies)."""
    if "flow_matches" not in ctx.memo:
        ctx.memo["flow_matches"] = _flow_matches(ctx)
    result: list[tuple[NetworkFlow, Attribution, list[Match], dict[str, HoneyPlant]]] = ctx.memo["flow_matches"]
    return result


def _flow_matches(ctx: Context) -> list[tuple[NetworkFlow, Attribution, list[Match], dict[str, HoneyPlant]]]:
    plants_ev = ctx.of(HoneyPlant)
    flows = ctx.of(NetworkFlow)[:_MAX_FLOWS]
    if not plants_ev or not flows:
        return []
    by_name: dict[str, HoneyPlant] = {}
    plants: list[Plant] = []
    for h in plants_ev:
        key = f"{h.name}:{h.value}"
        if h.value and key not in by_name:
            by_name[key] = h
            plants.append(Plant(key, h.value, h.category))
    m = _matcher(tuple(plants))
    folder = _bodies(ctx)
    first = first_party_domains(ctx.info.package)
    connects = connects_by_token(ctx.of(NetworkConnect))
    out = []
    for f in flows:
        headers = tuple((h.split(": ", 1)[0], h.split(": ", 1)[1] if ": " in h else "") for h in f.headers)
        hmap = {k.lower(): v for k, v in headers}
        url = f"{f.scheme or 'https'}://{f.host}{f.path}"
        found = m.match(FlowData(url, headers, _body(folder, f), hmap.get("content-encoding", ""), hmap.get("content-type", "")))
        out.append((f, attribute_flow(f, first, connects), found, by_name))
    return out


def match_records(ctx: Context) -> list[dict[str, object]]:
    """The flows in which planted values were found, as ``analysis.json`` keeps them
    (``network_matches``): the result :func:`flow_matches` gave the detectors, so the reports
    and the batch store show what R34/R37 judged, never a second matching. One record per flow
    with a match: its ``seq``, recipient (host, registrable domain, party, SDK) and the matches
    (plant name and seq, category, origin, form, where, decode layers, a bounded snippet)."""
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
                    "plant": plant.name if plant is not None else mt.plant.split(":", 1)[0],
                    "plant_seq": plant.seq if plant is not None else -1,
                    "category": (plant.category if plant is not None else "") or mt.category,
                    "origin": mt.origin,
                    "form": mt.form,
                    "where": mt.where,
                    "layers": list(mt.layers),
                    "snippet": mt.snippet,
                }
            )
        out.append({"seq": flow.seq, "host": who.host or flow.host, "domain": who.domain, "party": who.party, "sdk": who.sdk, "matches": rows, "more": max(0, len(matches) - _MAX_MATCHES_PER_FLOW)})
    return out


def _where(where: str) -> Msg | Term:
    if where.startswith("header:"):
        return Msg.of("net.header", name=where[len("header:") :])
    return Term("net_where", where)


def _describe(matches: list[Match], by_name: dict[str, HoneyPlant]) -> Msg:
    parts = []
    for mt in matches[:4]:
        plant = by_name.get(mt.plant)
        what = cat(plant.category if plant is not None else mt.category)
        if mt.layers:
            parts.append(Msg.of("net.match_layers", what=what, how=mt.form, layers=">".join(mt.layers), where=_where(mt.where)))
        else:
            parts.append(Msg.of("net.match", what=what, how=mt.form, where=_where(mt.where)))
    if len(matches) > 4:
        return Msg.of("net.more", items=tuple(parts), n=len(matches) - 4)
    return Msg.of("net.items", items=tuple(parts))


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
            evidence=[flow.seq, *(p.seq for p in plants), *([who.connect.seq] if who.connect is not None else [])],
            t=flow.t,
            category=plants[0].category if plants else "",
            sdk=who.sdk,
            subject=f"{recipient}|{phase}",
        )


@detector("R37", "personal_data_in_cleartext")
def personal_data_in_cleartext(ctx: Context) -> Iterator[Finding]:
    seen: set[str] = set()
    for flow, who, matches, by_name in flow_matches(ctx):
        if not matches or flow.scheme != "http" or who.party == "local":
            continue
        if flow.host in seen:
            continue
        seen.add(flow.host)
        plants = [by_name[m.plant] for m in matches if m.plant in by_name]
        yield ctx.finding(
            "R37",
            verdict="violation",
            message=Msg.of("R37.cleartext", what=_describe(matches, by_name), host=flow.host, t=flow.t),
            evidence=[flow.seq, *(p.seq for p in plants)],
            t=flow.t,
            category=plants[0].category if plants else "",
            sdk=who.sdk,
            subject=flow.host,
        )
