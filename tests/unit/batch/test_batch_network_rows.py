"""The store's flows and matches rows and a run's network coverage, from its events and the
matches analysis.json keeps (never a second matching): bounded, typed, hostile stored records
skipped, QUIC counted only when the agent's network hooks ran."""

from __future__ import annotations

from typing import Any

import pytest

from harness.batch.store import FLOWS_SCHEMA, MATCHES_SCHEMA, MAX_PATH, _row, network_rows
from harness.catalog.rules import load_rules
from harness.detectors.phases import build_phases
from harness.events import (
    AgentStatus,
    ConsentDecision,
    Event,
    HoneyPlant,
    NetworkCapture,
    NetworkConnect,
    NetworkFlow,
    QuicBlocked,
    TlsFailure,
)

PKG = "com.example.netshop"


def _phases(events: list[Event]) -> Any:
    return build_phases(events, load_rules(), package=PKG)


def _rows(events: list[Event], analysis: dict[str, Any] | None) -> Any:
    evs = [e.stamped(i) for i, e in enumerate(events)]
    return network_rows(evs, analysis, _phases(evs), app="net-precollect", run_id="r1", package=PKG, scenario="S2")


def _flow(t: float, host: str, *, scheme: str = "https", path: str = "/c") -> NetworkFlow:
    return NetworkFlow(t=t, source="network", method="POST", scheme=scheme, host=host, port=443 if scheme == "https" else 80, path=path, tls=scheme == "https", status=200)


def test_flows_matches_and_coverage() -> None:
    events: list[Event] = [
        HoneyPlant(t=0.1, source="sim", name="imei", category="DEVICE_ID", value="861234567890123", api_id="TelephonyManager.getImei"),
        _flow(0.5, "ulogs.umeng.com"),
        _flow(0.6, "stat.example.com", scheme="http", path="/s.gif?" + "x" * 5000),
        TlsFailure(t=0.7, source="network", host="10.0.0.1", sni="pinned.example.net", port=443),
        TlsFailure(t=0.8, source="network", host="10.0.0.1", sni="pinned.example.net", port=443),
    ]
    analysis = {
        "network_matches": [
            {"seq": 1, "host": "ulogs.umeng.com", "party": "third", "sdk": "umeng", "matches": [
                {"plant": "imei", "plant_seq": 0, "category": "DEVICE_ID", "origin": "honey", "form": "md5-b64", "where": "body", "layers": ["gzip", "json"], "snippet": "x" * 999},
                "not a match", {"plant": 7, "layers": "gzip"},
            ]},
            {"seq": "1"}, {"seq": 99, "matches": []}, "junk",
        ]
    }
    net = _rows(events, analysis)
    assert [(f["host"], f["tls_state"], f["party"], f["sdk"]) for f in net.flows] == [
        ("ulogs.umeng.com", "decrypted", "third", "umeng"),
        ("stat.example.com", "cleartext", "first", ""),
        ("pinned.example.net", "refused", "third", ""),
        ("pinned.example.net", "refused", "third", ""),
    ]
    assert len(net.flows[1]["path"]) == MAX_PATH
    assert net.flows[0]["n_matches"] == 2 and net.flows[0]["categories"] == "DEVICE_ID"
    good, odd = net.matches
    assert (good["form"], good["location"], good["layers"], good["phase"]) == ("md5-b64", "body", "gzip>json", "pre_prompt")
    assert len(good["snippet"]) == 160
    assert (odd["plant"], odd["layers"], odd["plant_seq"]) == ("", "", -1)  # ill-typed fields are left empty
    cov = net.coverage
    assert (cov["n_flows"], cov["n_flows_decrypted"], cov["n_flows_cleartext"], cov["n_tls_refused"]) == (2, 1, 1, 2)
    assert cov["tls_refused_hosts"] == "pinned.example.net:2"
    assert (cov["n_planted"], cov["n_flows_matched"], cov["network_matched"]) == (1, 1, True)
    assert (cov["n_quic_blocked"], cov["quic_measured"]) == (0, False)
    assert (cov["network_ca"], cov["network_scope"]) == ("", "")  # no capture event recorded


def test_the_capture_event_names_the_ca_and_scope() -> None:
    events: list[Event] = [NetworkCapture(t=0.0, source="network", ca="untrusted", scope="device", ca_sha256="ab" * 32), _flow(0.5, "a.example.org")]
    cov = _rows(events, None).coverage
    assert (cov["network_ca"], cov["network_scope"]) == ("untrusted", "device")


def test_phase_follows_the_consent_decision() -> None:
    events: list[Event] = [
        ConsentDecision(t=1.0, source="runner", subject="privacy_policy", choice="decline", how="tap:不同意"),
        _flow(2.0, "api.jpush.cn"),
    ]
    net = _rows(events, {"network_matches": []})
    assert net.flows[0]["phase"] == "declined"


def test_quic_is_counted_when_the_agent_refused_udp_443() -> None:
    ready = AgentStatus(t=0.0, source="frida", status="ready", message="agent 1.0 pid 1 stacks jvmti net redirect+quic, 9 hooks")
    events: list[Event] = [
        ready,
        NetworkConnect(t=0.1, source="frida", token="c1", host="ulogs.umeng.com", port=443),
        QuicBlocked(t=0.2, source="frida", host="142.250.1.1", port=443, count=4),
        _flow(0.3, "ulogs.umeng.com"),
    ]
    cov = _rows(events, None).coverage
    assert (cov["n_quic_blocked"], cov["quic_measured"]) == (4, True)
    assert cov["network_matched"] is False  # not analysed: matches unknown, not "none found"
    # the refusal on and nothing tried: a measured 0; the redirect alone (quic=allow): unmeasured
    assert _rows([ready, _flow(0.3, "a.example.org")], None).coverage["quic_measured"] is True
    allow = AgentStatus(t=0.0, source="frida", status="ready", message="agent 1.0 pid 1 stacks jvmti net redirect, 5 hooks")
    cov = _rows([allow, NetworkConnect(t=0.1, source="frida", token="c1", host="a.example.org", port=443), _flow(0.3, "a.example.org")], None).coverage
    assert (cov["n_quic_blocked"], cov["quic_measured"]) == (0, False)


def test_a_refused_handshake_row_has_every_flow_column_and_empty_request_columns() -> None:
    rows = _rows([TlsFailure(t=1.0, source="network", host="10.0.0.9", sni="pinned.example.net", port=8443, error="unknown ca")], None)
    (row,) = rows.flows
    assert list(row) == FLOWS_SCHEMA.names
    assert (row["host"], row["port"], row["scheme"], row["tls_state"], row["error"]) == ("pinned.example.net", 8443, "https", "refused", "unknown ca")
    assert (row["method"], row["path"], row["http_version"], row["status"], row["req_bytes"], row["body_cut"], row["n_matches"], row["forms"]) == ("", "", "", 0, 0, False, 0, "")


def test_a_store_row_refuses_a_name_that_is_not_a_column() -> None:
    with pytest.raises(KeyError, match="not a column: colour"):
        _row(MATCHES_SCHEMA, plant="imei", colour="red")
