"""The whole proxy chain, live on loopback: a real mitmdump with the recording addon, a local
HTTPS origin with a certificate made in the test, and real TLS clients.

- a client that trusts the proxy's CA posts an IMEI as MD5 + base64 inside gzip JSON: the run
  gets a NetworkFlow, the body is kept, and the matcher finds the IMEI through gzip, JSON and
  the hash;
- a pinning client (trusts only the origin's own CA) refuses the proxy: a TlsFailure, and the
  request never reaches the origin through the proxy.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import ssl
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("mitmproxy")

from tls_helpers import Origin, make_ca_and_server_cert  # noqa: E402

from harness.events import ErrorRecord, Event, NetworkFlow, TlsFailure  # noqa: E402
from harness.instrumentation.base import Target  # noqa: E402
from harness.instrumentation.sources import SourceSession, source_spec  # noqa: E402
from harness.network.matcher import FlowData, Matcher, Plant  # noqa: E402
from harness.timeline import Timeline  # noqa: E402

IMEI = "860000000000001"


def _client(proxy_port: int, trust: Path) -> urllib.request.OpenerDirector:
    ctx = ssl.create_default_context(cafile=str(trust))
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": f"http://127.0.0.1:{proxy_port}", "http": f"http://127.0.0.1:{proxy_port}"}),
        urllib.request.HTTPSHandler(context=ctx),
    )


def test_live_chain(tmp_path: Path) -> None:
    ca, cert, key = make_ca_and_server_cert(tmp_path / "pki")
    origin = Origin(cert, key)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    timeline = Timeline(run_dir / "timeline.jsonl")
    t0 = time.monotonic()
    src = source_spec("network").factory(None, {"network_route": "none", "network_confdir": str(tmp_path / "conf"), "network_upstream_ca": str(ca)})  # type: ignore[arg-type]
    assert src is not None
    src.start(SourceSession(target=Target(package="com.example.app"), emit=timeline.extend, clock=lambda: time.monotonic() - t0, run_dir=run_dir))
    try:
        proxy = src.proxy  # type: ignore[attr-defined]
        payload = {"d": base64.b64encode(hashlib.md5(IMEI.encode()).digest()).decode(), "ev": "launch"}
        body = gzip.compress(json.dumps(payload).encode())
        req = urllib.request.Request(
            f"https://localhost:{origin.port}/collect?sdk=umeng",
            data=body,
            method="POST",
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        )
        with _client(proxy.port, proxy.ca_cert).open(req, timeout=20) as resp:
            assert resp.status == 200
        with pytest.raises(OSError):  # the pinning client refuses the proxy's certificate
            _client(proxy.port, ca).open(f"https://localhost:{origin.port}/pinned", timeout=20)
    finally:
        src.stop()
        origin.close()
        timeline.close()
    events: list[Event] = timeline.snapshot()
    flows = [e for e in events if isinstance(e, NetworkFlow)]
    fails = [e for e in events if isinstance(e, TlsFailure)]
    assert not [e for e in events if isinstance(e, ErrorRecord)], events
    assert [(f.method, f.host, f.path, f.status, f.tls) for f in flows] == [("POST", "localhost", "/collect?sdk=umeng", 200, True)]
    assert origin.received == [("/collect?sdk=umeng", body)]  # the origin got exactly what was sent
    assert fails and fails[0].sni == "localhost"
    flow = flows[0]
    kept = (run_dir / "network" / "bodies" / flow.body).read_bytes()
    assert kept == body and flow.body_sha256 == hashlib.sha256(body).hexdigest()
    headers = dict(h.split(": ", 1) for h in flow.headers)
    matches = Matcher([Plant("imei", IMEI, "device_id")]).match(
        FlowData(f"https://{flow.host}{flow.path}", tuple(headers.items()), kept, headers.get("content-encoding", ""), headers.get("content-type", ""))
    )
    assert [(m.plant, m.form, m.where, m.layers) for m in matches] == [("imei", "md5-b64", "body", ("gzip",))]
    har = json.loads((run_dir / "network" / "flows.har").read_text(encoding="utf-8"))
    assert har["log"]["entries"][0]["request"]["url"].endswith("/collect?sdk=umeng")
    # the timeline on disk holds the same flow
    back = [e for e in Timeline.read(run_dir / "timeline.jsonl") if isinstance(e, NetworkFlow)]
    assert back == flows


def test_proxy_that_cannot_start_is_an_infrastructure_error(tmp_path: Path) -> None:
    import socket

    from harness.errors import InfrastructureError
    from harness.network.source import MitmProxy

    with socket.socket() as busy:  # the port is taken: mitmdump cannot listen and says why
        busy.bind(("127.0.0.1", 0))
        proxy = MitmProxy(tmp_path / "out", port=busy.getsockname()[1], confdir=tmp_path / "conf")
        try:
            with pytest.raises(InfrastructureError, match="mitmdump exited"):
                proxy.start(timeout=20)
        finally:
            proxy.stop()
    assert proxy.proc is None
