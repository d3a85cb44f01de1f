"""The untrusted-CA run (R37) through the real Frida agent: the network source runs with
``network_ca=untrusted`` while the frida source keeps its defaults (in-process trust and
unpinning on). The run must turn both off for the agent, so what is tested is the app's own
certificate checking:

- the stub SDK's ordinary HTTPS client (platform trust) refuses the run's CA: a TlsFailure on its
  redirected connection, no flow, and no R37;
- a trust-all client (an X509TrustManager that accepts everything, any host name) is decrypted:
  R37, a violation, citing the capture, the flow, the planted IMEI and the connect that the
  agent's correlation token joins the flow to.

Uses the JVM app, origin and hosts file of test_frida_network.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from frida_support import Lines
from test_frida_network import HOST, PACKAGE, World, _of, netapp_classes, world  # noqa: F401

from harness.detectors import analyze
from harness.events import (
    Event,
    HoneyPlant,
    NetworkCapture,
    NetworkConnect,
    NetworkFlow,
    RunMarker,
    TlsFailure,
)
from harness.instrumentation.base import Target
from harness.instrumentation.frida_follow import FridaSource, NetOptions
from harness.instrumentation.sources import SourceSet, source_spec
from harness.rundir import RunInfo
from harness.timeline import Timeline

pytestmark = pytest.mark.frida


def _untrusted_run(java_exe: str, classes: Path, w: World, run_dir: Path, commands: list[str]) -> tuple[list[Event], dict[str, int], list[str]]:
    run_dir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline(run_dir / "timeline.jsonl")
    lines = Lines()
    network = source_spec("network").factory(None, {"network_ca": "untrusted", "network_confdir": str(run_dir.parent / "lab-ca"), "network_upstream_ca": str(w.ca)})  # type: ignore[arg-type]
    assert network is not None
    # the lab's defaults: trust and unpinning on; the untrusted-CA run must override them
    frida_src = FridaSource(device="local", mode="spawn", options={"stdio": "pipe", "on_output": lines.feed}, net=NetOptions.from_options({"redirect_direct": ""}))
    argv = (java_exe, f"-Djdk.net.hosts.file={w.hosts}", "-Dhttp.keepAlive=false", "-cp", str(classes), "com.example.netapp.Main")
    sources = SourceSet([network, frida_src], timeline.extend, PACKAGE)
    t0 = time.monotonic()
    timeline.append(RunMarker(t=0.0, phase="start", scenario="S3", package=PACKAGE))
    results: dict[str, int] = {}
    sources.start(Target(package=PACKAGE, argv=argv), lambda: time.monotonic() - t0, run_dir, None)
    try:
        sources.launch(None, PACKAGE)  # type: ignore[arg-type]
        lines.wait("ready", 60)
        main = frida_src.main
        assert main is not None
        for cmd in commands:
            main.input((cmd + "\n").encode())
            line = lines.wait(f"done {cmd.split()[0]}", 90)
            results[cmd.split()[0]] = int(line.split()[2])
        main.flush()
        time.sleep(0.3)
    finally:
        sources.stop()
        timeline.append(RunMarker(t=time.monotonic() - t0, phase="end", status="completed"))
        timeline.close()
    return list(Timeline.read(run_dir / "timeline.jsonl")), results, list(lines._lines)


def test_untrusted_ca_run_under_the_real_agent(java_exe: str, netapp_classes: Path, world: World, tmp_path: Path) -> None:  # noqa: F811
    url = f"https://{HOST}:{world.origin.port}"
    run_dir = tmp_path / "run"
    events, results, output = _untrusted_run(java_exe, netapp_classes, world, run_dir, [f"post {url}/collect?ev=verify", f"trustall {url}/ads"])
    assert results == {"post": -1, "trustall": 200}, output
    (cap,) = _of(events, NetworkCapture)
    assert cap.ca == "untrusted" and cap.scope == "app"
    connects = _of(events, NetworkConnect)
    assert len(connects) == 2
    # the verifying client refused the run's CA on its redirected connection (the agent did not trust it)
    fails = _of(events, TlsFailure)
    assert [f.conn for f in fails] == [connects[0].token]
    flows = _of(events, NetworkFlow)
    assert [(f.path.split("?")[0], f.tls, f.conn) for f in flows] == [("/ads", True, connects[1].token)]
    info = RunInfo(run_id="untrusted", package=PACKAGE, app="netapp", scenario="S3", device={}, simulated=False, harness_version="t")
    findings = [f for f in analyze(Timeline.read(run_dir / "timeline.jsonl"), info, run_dir=run_dir).findings if f.rule_id == "R37"]
    assert len(findings) == 1, [f.message for f in findings]
    plant = next(e for e in _of(events, HoneyPlant) if e.category == "DEVICE_ID")
    f = findings[0]
    assert f.verdict == "violation" and "accepts any certificate" in f.message
    assert set(f.evidence) >= {cap.seq, flows[0].seq, plant.seq, connects[1].seq}
