"""``network_wireguard=PORT``: the real mitmdump also runs mitmproxy's WireGuard mode on that UDP
port (the HTTP proxy on its TCP port keeps working), prints the client configuration a device's
WireGuard app needs and keeps its keys in the confdir. No WireGuard client runs here: the test
checks the server side that a device would talk to."""

from __future__ import annotations

import socket
import ssl
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("mitmproxy")

from tls_helpers import Origin, make_ca_and_server_cert  # noqa: E402

from harness.errors import InputError  # noqa: E402
from harness.events import Event, NetworkFlow  # noqa: E402
from harness.instrumentation.base import Target  # noqa: E402
from harness.instrumentation.sources import SourceSession, source_spec  # noqa: E402


def _free_udp() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_wireguard_mode_listens_beside_the_http_proxy(tmp_path: Path) -> None:
    ca, cert, key = make_ca_and_server_cert(tmp_path / "pki")
    origin = Origin(cert, key)
    port = _free_udp()
    events: list[Event] = []
    opts = {"network_route": "none", "network_confdir": str(tmp_path / "conf"), "network_upstream_ca": str(ca), "network_wireguard": str(port)}
    src = source_spec("network").factory(None, opts)  # type: ignore[arg-type]
    assert src is not None
    run_dir = tmp_path / "run"
    t0 = time.monotonic()
    src.start(SourceSession(target=Target(package="com.example.app"), emit=events.extend, clock=lambda: time.monotonic() - t0, run_dir=run_dir))
    try:
        proxy = src.proxy  # type: ignore[attr-defined]
        log = proxy.log_path
        deadline = time.monotonic() + 20
        while "WireGuard server listening" not in log.read_text(encoding="utf-8", errors="replace") and time.monotonic() < deadline:
            time.sleep(0.1)
        text = log.read_text(encoding="utf-8", errors="replace")
        assert f"WireGuard server listening at 127.0.0.1:{port}" in text
        assert "[Interface]" in text and "PrivateKey" in text and f"Endpoint = 127.0.0.1:{port}" in text
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(OSError):
            s.bind(("127.0.0.1", port))  # the UDP port is mitmdump's
        ctx = ssl.create_default_context(cafile=str(proxy.ca_cert))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"https": f"http://127.0.0.1:{proxy.port}"}), urllib.request.HTTPSHandler(context=ctx))
        with opener.open(f"https://localhost:{origin.port}/still-http", timeout=20) as resp:
            assert resp.status == 200
    finally:
        src.stop()
        origin.close()
    assert (tmp_path / "conf" / "wireguard.conf").is_file()  # the keys, the same for the next run
    assert [e.path for e in events if isinstance(e, NetworkFlow)] == ["/still-http"]


@pytest.mark.parametrize("bad", ["0", "65536", "51820; rm", "x"])
def test_a_bad_wireguard_port_is_a_clear_error(bad: str) -> None:
    with pytest.raises(InputError, match="network_wireguard must be a UDP port"):
        source_spec("network").factory(None, {"network_route": "none", "network_wireguard": bad})  # type: ignore[arg-type]
