"""The Python side of the agent's traffic routing (hooks/src/net.ts; the live proof is
tests/frida/test_frida_network.py): the wire events it sends, the correlation token in the
mitmproxy addon and the flow reader, joining a flow to its connect-time stack, and the options."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.events import ErrorRecord, NetworkConnect, NetworkFlow, QuicBlocked, TlsFailure, event_from_dict
from harness.instrumentation.frida_follow import DEFAULT_DIRECT, NetOptions
from harness.instrumentation.protocol import AgentDecoder
from harness.network.attribution import attribute_flow, connects_by_token
from harness.network.flows import events_from_record


def _decoder() -> AgentDecoder:
    return AgentDecoder(lambda: 10.0, source="frida", attribute=lambda frames, caller: "talkingdata" if caller.startswith("com.tendcloud") else "app")


def test_conn_quic_and_pin_events_decode() -> None:
    d = _decoder()
    d.decode({"type": "agent:ready", "now": 0})
    stack = ["java.net.Socket.connect(Socket.java:1)", "com.tendcloud.tenddata.TDCollector.send(TDCollector.java:37)"]
    evs = d.decode({"type": "events:add", "events": [
        {"k": "conn", "ts": 100, "tok": "a1.b2.1", "host": "collect.example.net", "ip": "203.0.113.7", "port": 443, "via": "java.net.Socket", "ms": 3,
         "tid": 5, "th": "main", "caller": stack[1], "sid": "s1", "stack": stack},
        {"k": "quic", "ts": 110, "host": "203.0.113.8", "port": 443, "via": "java.net.DatagramSocket.send", "caller": "com.x.Y.z", "sid": "s2", "stack": ["com.x.Y.z"], "n": 7},
        {"k": "pin", "ts": 120, "host": "api.example.net", "via": "OkHttp 3/4 CertificatePinner", "caller": "com.x.Y.z", "sid": "s2"},
    ]})
    conn, quic, pin = evs
    assert isinstance(conn, NetworkConnect) and conn.token == "a1.b2.1" and conn.sdk == "talkingdata" and conn.stack == tuple(stack)
    assert (conn.host, conn.ip, conn.port, conn.ms, conn.thread) == ("collect.example.net", "203.0.113.7", 443, 3.0, "main")
    assert isinstance(quic, QuicBlocked) and quic.count == 7 and quic.sdk == "app" and quic.port == 443
    assert isinstance(pin, TlsFailure) and pin.source == "frida" and pin.host == "api.example.net"
    assert "CertificatePinner" in pin.error and "com.x.Y.z" in pin.error
    # the JSONL form round-trips
    for e in evs:
        assert event_from_dict(json.loads(json.dumps(e.to_dict()))) == e


def test_hostile_conn_events_are_bounded_errors() -> None:
    d = _decoder()
    evs = d.decode_safe({"type": "events:add", "events": [
        {"k": "conn", "ts": 1, "tok": ""},  # no token: unusable
        {"k": "conn", "ts": 1, "tok": "t", "port": "443"},  # a string port
        {"k": "conn", "ts": 1, "tok": "x" * 10_000, "host": "h" * 10_000, "port": 10**9, "ms": 1e300, "stack": ["f"] * 1000},
        {"k": "quic", "ts": 1, "n": -5, "port": -1},
    ]})
    errors = [e for e in evs if isinstance(e, ErrorRecord)]
    assert len(errors) == 2
    big = next(e for e in evs if isinstance(e, NetworkConnect))
    assert len(big.token) <= 128 and len(big.host) <= 253 and big.port == 65535 and big.ms <= 1e7 and len(big.stack) <= 64
    q = next(e for e in evs if isinstance(e, QuicBlocked))
    assert q.count == 1 and q.port == 0


def test_flow_records_carry_the_token_and_join_the_connect() -> None:
    (flow,) = events_from_record({"type": "flow", "host": "collect.example.net", "path": "/c", "conn": "a1.b2.1", "tls": True}, 1.0)
    (fail,) = events_from_record({"type": "tls_failed", "sni": "x.example.net", "conn": 12}, 1.0)  # a non-string token: dropped
    assert isinstance(flow, NetworkFlow) and flow.conn == "a1.b2.1"
    assert isinstance(fail, TlsFailure) and fail.conn == ""
    conn = NetworkConnect(t=0.5, source="frida", token="a1.b2.1", sdk="talkingdata", seq=3)
    other = NetworkConnect(t=0.6, source="frida", token="zz", sdk="umeng", seq=4)
    index = connects_by_token([conn, other, flow])
    who = attribute_flow(flow, frozenset(), index)
    assert (who.party, who.sdk, who.via, who.connect) == ("third", "talkingdata", "stack", conn)
    # a host that names an SDK keeps it; the connect is still joined
    host_named = NetworkFlow(t=1.0, source="network", host="ulogs.umeng.com", conn="zz")
    who2 = attribute_flow(host_named, frozenset(), index)
    assert (who2.sdk, who2.via, who2.connect) == ("umeng", "host", other)
    # no token, or first-party code at connect time: no SDK from the stack
    assert attribute_flow(NetworkFlow(t=1.0, host="collect.example.net"), frozenset(), index).sdk == ""
    app_conn = {"t": NetworkConnect(token="t", sdk="app")}
    assert attribute_flow(NetworkFlow(t=1.0, host="collect.example.net", conn="t"), frozenset(), app_conn).sdk == ""


def test_addon_records_the_connect_token(tmp_path: Path) -> None:
    pytest.importorskip("mitmproxy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from mitmproxy.test import tflow

    from harness.network import mitm_addon

    addon = mitm_addon.ConsentHarnessRecorder()
    addon.open(str(tmp_path))
    connect = tflow.tflow()
    connect.request.method = "CONNECT"
    connect.request.headers["X-Consent-Harness-Conn"] = "k1v.pp3nut.1"
    addon.http_connect(connect)
    same = tflow.tflow(client_conn=connect.client_conn, resp=True)
    addon.response(same)
    forged = tflow.tflow()
    forged.request.headers["X-Consent-Harness-Conn"] = "bad token\nx"  # not a token: ignored
    addon.http_connect(forged)
    addon.response(tflow.tflow(client_conn=forged.client_conn, resp=True))
    addon.response(tflow.tflow(resp=True))  # another client, no CONNECT
    addon.done()
    recs = [json.loads(x) for x in (tmp_path / "flows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["conn"] for r in recs if r["type"] == "flow"] == ["k1v.pp3nut.1", "", ""]


def test_net_options() -> None:
    default = NetOptions.from_options({})
    cfg = default.agent_config("127.0.0.1:8080", "PEM")
    assert cfg == {"proxy": "127.0.0.1:8080", "direct": list(DEFAULT_DIRECT), "quic": "block", "ca": "PEM", "trust": True, "unpin": True}
    assert "127.0.0.0/8" in DEFAULT_DIRECT and "::1/128" in DEFAULT_DIRECT  # loopback is never redirected by default
    off = NetOptions.from_options({"redirect": "off", "ca_trust": "off", "unpin": "off", "quic": "allow", "redirect_direct": "10.0.0.0/8, 192.168.1.5"})
    cfg = off.agent_config("127.0.0.1:8080", "PEM")
    assert cfg["proxy"] == "" and cfg["ca"] == "" and cfg["quic"] == "allow" and cfg["direct"] == ["10.0.0.0/8", "192.168.1.5"]
    assert NetOptions.from_options({"redirect_direct": ""}).direct == ()
    for bad in ({"unpin": "yes"}, {"quic": "drop"}, {"redirect_direct": "10.0.0.0/99"}, {"redirect_direct": "example.com"}):
        with pytest.raises(InputError):
            NetOptions.from_options(bad)


def test_the_frida_source_hands_the_published_proxy_to_the_agent() -> None:
    import time

    from harness.instrumentation.base import Target
    from harness.instrumentation.frida_follow import FridaSource
    from harness.instrumentation.sources import SourceSession

    made: list[dict[str, object]] = []

    def factory(**kw: object) -> object:
        made.append(kw)
        return object()

    src = FridaSource(device="local", mode="spawn", factory=factory, honey=False, net=NetOptions(unpin=False))  # type: ignore[arg-type]
    session = SourceSession(target=Target(package="com.example.app"), emit=lambda evs: None, clock=time.monotonic)
    src._session = session
    src._new("spawn")
    session.shared["network"] = {"proxy": "127.0.0.1:9000", "ca": "PEM"}
    src._new("spawn")
    session.shared["network"] = {"proxy": "127.0.0.1:9000", "ca": "PEM", "trust": False}  # a CA nobody should trust
    src._new("spawn")
    assert "agent_options" not in made[0]  # no network source: the agent routes nothing
    net = made[1]["agent_options"]["net"]  # type: ignore[index]
    assert net["proxy"] == "127.0.0.1:9000" and net["ca"] == "PEM" and net["unpin"] is False and net["trust"] is True
    untrusted = made[2]["agent_options"]["net"]  # type: ignore[index]
    assert untrusted["proxy"] == "127.0.0.1:9000" and untrusted["ca"] == "" and untrusted["trust"] is False and untrusted["unpin"] is False


def test_the_network_source_starts_first_so_an_attaching_agent_gets_the_proxy() -> None:
    """Sources start in order, except that a lower start_order goes first: the network source
    (-10) publishes its proxy before the frida source (listed first, as a kind's default) starts."""
    import time

    from harness.instrumentation.base import Target
    from harness.instrumentation.sources import SourceBase, SourceSession, SourceSet
    from harness.network.source import NetworkSource

    seen: list[tuple[str, object]] = []

    class FakeFrida(SourceBase):
        name = "frida"

        def start(self, session: SourceSession) -> None:
            seen.append(("frida", session.shared.get("network")))

        def stop(self) -> None:
            seen.append(("frida-stop", None))

    class FakeNetwork(SourceBase):
        name = "network"
        start_order = NetworkSource.start_order

        def start(self, session: SourceSession) -> None:
            session.shared["network"] = {"proxy": "127.0.0.1:1"}
            seen.append(("network", None))

        def stop(self) -> None:
            seen.append(("network-stop", None))

    sources = SourceSet([FakeFrida(), FakeNetwork()], lambda evs: None, "com.example.app")
    sources.start(Target(package="com.example.app"), time.monotonic, None, None)
    sources.stop()
    assert seen == [("network", None), ("frida", {"proxy": "127.0.0.1:1"}), ("frida-stop", None), ("network-stop", None)]
