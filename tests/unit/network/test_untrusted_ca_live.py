"""The untrusted-CA run for R37, live on loopback: a real mitmdump started with
``network_ca=untrusted`` presents a CA made for this run only. A TLS client that verifies
certificates refuses it (a TlsFailure and no finding: the correct behaviour); a client that
accepts any certificate gets its request decrypted, and R37 says the app accepts any
certificate, with the flow and the planted value it carried as evidence."""

from __future__ import annotations

import json
import ssl
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("mitmproxy")

from tls_helpers import Origin, make_ca_and_server_cert  # noqa: E402

from harness.detectors import analyze  # noqa: E402
from harness.events import (  # noqa: E402
    ErrorRecord,
    Event,
    HoneyPlant,
    NetworkCapture,
    NetworkFlow,
    RunMarker,
    TlsFailure,
)
from harness.instrumentation.base import Target  # noqa: E402
from harness.instrumentation.sources import SourceSession, source_spec  # noqa: E402
from harness.network.source import ca_fingerprint  # noqa: E402
from harness.rundir import RunInfo  # noqa: E402
from harness.timeline import Timeline  # noqa: E402

PKG = "com.example.trustall"
IMEI = "861234567890123"


def _opener(proxy_port: int, ctx: ssl.SSLContext) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"https": f"http://127.0.0.1:{proxy_port}"}),
        urllib.request.HTTPSHandler(context=ctx),
    )


def _run(tmp_path: Path, origin: Origin, origin_ca: Path, *, verify: bool) -> tuple[Path, list[Event]]:
    run_dir = tmp_path / ("verify" if verify else "any")
    run_dir.mkdir()
    timeline = Timeline(run_dir / "timeline.jsonl")
    t0 = time.monotonic()
    clock = lambda: time.monotonic() - t0  # noqa: E731
    timeline.append(RunMarker(t=0.0, source="runner", phase="start"))
    timeline.append(HoneyPlant(t=clock(), source="test", name="imei", category="DEVICE_ID", value=IMEI, api_id="TelephonyManager.getImei"))
    options = {
        # the verifying run also publishes the proxy as for the agent (no device here: nothing routed)
        "network_route": "agent" if verify else "none",
        "network_ca": "untrusted",
        "network_confdir": str(tmp_path / "lab-ca"),  # the lab's CA: not what this run presents
        "network_upstream_ca": str(origin_ca),
    }
    src = source_spec("network").factory(None, options)  # type: ignore[arg-type]
    assert src is not None
    session = SourceSession(target=Target(package=PKG), emit=timeline.extend, clock=clock, run_dir=run_dir)
    src.start(session)
    if verify:
        # what the agent is told: no CA to trust, and that this is the untrusted-CA run
        assert session.shared["network"]["ca"] == "" and session.shared["network"]["trust"] is False
    try:
        proxy = src.proxy  # type: ignore[attr-defined]
        if verify:
            # a client that checks certificates: it trusts the origin's CA (the real server would pass)
            ctx = ssl.create_default_context(cafile=str(origin_ca))
            with pytest.raises(OSError):
                _opener(proxy.port, ctx).open(f"https://localhost:{origin.port}/v1/ads?imei={IMEI}", timeout=20)
        else:
            # a trust-all client: no certificate check, no host-name check
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            req = urllib.request.Request(f"https://localhost:{origin.port}/v1/ads", data=json.dumps({"imei": IMEI}).encode(), method="POST", headers={"content-type": "application/json"})
            with _opener(proxy.port, ctx).open(req, timeout=20) as resp:
                assert resp.status == 200
        time.sleep(0.3)
    finally:
        src.stop()
        timeline.append(RunMarker(t=clock(), source="runner", phase="end", status="completed"))
        timeline.close()
    return run_dir, list(Timeline.read(run_dir / "timeline.jsonl"))


def _r37(run_dir: Path, events: list[Event]) -> list:  # type: ignore[type-arg]
    info = RunInfo(run_id=run_dir.name, package=PKG, app="trustall", scenario="S3", device={}, simulated=False, harness_version="t")
    out = analyze(Timeline.read(run_dir / "timeline.jsonl"), info, run_dir=run_dir)
    return [f for f in out.findings if f.rule_id == "R37"]


def test_untrusted_ca_run_live(tmp_path: Path) -> None:
    origin_ca, cert, key = make_ca_and_server_cert(tmp_path / "pki")
    origin = Origin(cert, key)
    try:
        ok_dir, ok_events = _run(tmp_path, origin, origin_ca, verify=True)
        bad_dir, bad_events = _run(tmp_path, origin, origin_ca, verify=False)
    finally:
        origin.close()

    for events, run_dir in ((ok_events, ok_dir), (bad_events, bad_dir)):
        caps = [e for e in events if isinstance(e, NetworkCapture)]
        assert len(caps) == 1 and caps[0].ca == "untrusted" and caps[0].scope == "app"
        # the CA presented is the one made in this run's folder, not the lab's
        made = run_dir / "network" / "untrusted-ca" / "mitmproxy-ca-cert.pem"
        assert caps[0].ca_sha256 == ca_fingerprint(made) and len(caps[0].ca_sha256) == 64
        assert not (tmp_path / "lab-ca" / "mitmproxy-ca-cert.pem").exists()
        assert not [e for e in events if isinstance(e, ErrorRecord)], events

    # the verifying client refused the handshake: recorded, nothing decrypted, no finding
    assert [e.sni for e in ok_events if isinstance(e, TlsFailure)] == ["localhost"]
    assert not [e for e in ok_events if isinstance(e, NetworkFlow)]

    assert _r37(ok_dir, ok_events) == []

    # the trust-all client was decrypted: R37, a violation, citing the capture, the flow and the plant
    flows = [e for e in bad_events if isinstance(e, NetworkFlow)]
    assert [(f.host, f.path, f.tls) for f in flows] == [("localhost", "/v1/ads", True)]
    findings = _r37(bad_dir, bad_events)
    assert len(findings) == 1, findings
    f = findings[0]
    cap = next(e for e in bad_events if isinstance(e, NetworkCapture))
    plant = next(e for e in bad_events if isinstance(e, HoneyPlant))
    assert f.verdict == "violation" and f.severity == "high"
    assert set(f.evidence) >= {cap.seq, flows[0].seq, plant.seq}
    assert "accepts any certificate" in f.message and "device_id" in f.message.lower()
