"""The reference device's model of the untrusted-CA run: with ``network_ca=untrusted`` its
source says so in a NetworkCapture event, https requests of clients that check certificates
become refused handshakes, and a ``trust: any`` client is still seen; ``flags`` travel as sent."""

from __future__ import annotations

import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from harness import yamlio
from harness.assemble import resolve_app
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.devices.sim.model import load_model
from harness.errors import AppModelError, InputError
from harness.events import NetworkCapture, NetworkFlow, TlsFailure
from harness.instrumentation.sources import source_spec
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline

MODEL = textwrap.dedent(
    """
    model: trust-toy
    package: com.example.trusttoy
    label: Toy
    on_launch:
      - goto: home
      - send: {host: api.example.com, path: /a, method: GET, data: {x: "1"}, flags: {personalized: true, npa: 0}}
      - send: {host: ads.example.net, path: /b, data: {y: "2"}, trust: any}
      - send: {host: stat.example.org, path: /c, scheme: http, data: {z: "3"}}
    screens:
      home: {title: Home}
    truth: []
    clean: true
    """
)


def _run(tmp_path: Path, ca: str) -> list[object]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "trust-toy.yaml"
    path.write_text(MODEL, encoding="utf-8")
    drv = SimDriver()
    res = Runner(drv, SimInstrumentation(drv, ca=ca), tmp_path, hook_pack="sim").run(resolve_app(drv, str(path)), resolve_scenarios("S1")[0], app_ref="toy")
    return list(Timeline.read(res.run_dir / "timeline.jsonl"))


def test_untrusted_ca_refuses_checking_clients_and_sees_trust_all_ones(tmp_path: Path) -> None:
    events = _run(tmp_path / "u", "untrusted")
    caps = [e for e in events if isinstance(e, NetworkCapture)]
    assert [(c.ca, c.scope) for c in caps] == [("untrusted", "app")] and len(caps[0].ca_sha256) == 64
    flows = {e.host for e in events if isinstance(e, NetworkFlow)}
    refused = {e.host for e in events if isinstance(e, TlsFailure)}
    assert flows == {"ads.example.net", "stat.example.org"} and refused == {"api.example.com"}


def test_without_the_option_everything_is_seen_and_flags_travel_as_sent(tmp_path: Path) -> None:
    events = _run(tmp_path / "t", "")
    assert not [e for e in events if isinstance(e, (NetworkCapture, TlsFailure))]
    flows = {e.host: e for e in events if isinstance(e, NetworkFlow)}
    assert set(flows) == {"api.example.com", "ads.example.net", "stat.example.org"}
    q = parse_qs(urlsplit(flows["api.example.com"].path).query)
    assert q == {"x": ["1"], "personalized": ["true"], "npa": ["0"]}


def test_bad_trust_value_and_bad_ca_option_are_named() -> None:
    with pytest.raises(AppModelError, match="trust"):
        load_model(yamlio.load(MODEL.replace("trust: any", "trust: some"), "toy.yaml"), "toy.yaml")
    drv = SimDriver()
    with pytest.raises(InputError, match="network_ca"):
        SimInstrumentation(drv, ca="maybe")
    with pytest.raises(InputError, match="network_ca"):
        source_spec("sim").factory(drv, {"network_ca": "maybe"})
    with pytest.raises(InputError, match="network_ca"):
        source_spec("network").factory(None, {"network_route": "none", "network_ca": "maybe"})  # type: ignore[arg-type]
