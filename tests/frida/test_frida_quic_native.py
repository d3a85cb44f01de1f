"""The agent refuses UDP to port 443 from native code too (libc connect / sendto / sendmsg on a
datagram socket, hooks/src/net.ts), on a Linux C program under the real agent: each refused call
fails with EPERM and sends nothing, other UDP and all TCP pass, and the refusals are counted in
QuicBlocked events (without a stack: native code has none)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from frida_support import start_spawned

from harness.events import AgentStatus, QuicBlocked

pytestmark = pytest.mark.frida

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def udp_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("needs gcc on PATH (Debian package gcc)")
    out = tmp_path_factory.mktemp("native-udp") / "udp443"
    subprocess.run([gcc, "-O2", "-Wall", "-o", str(out), str(HERE / "native" / "udp443.c")], check=True, timeout=120, capture_output=True)
    return out


@pytest.mark.parametrize("quic", ["block", "allow"])
def test_native_udp_443_is_refused_and_counted(udp_exe: Path, quic: str) -> None:
    run = start_spawned((str(udp_exe),), "com.example.udpapp", agent_options={"net": {"quic": quic}})
    try:
        refused = run.command("run")
        events = run.since(0)
    finally:
        run.close()
    line = next(x for x in run.lines._lines if x.startswith("udp443 "))  # printed before "done run"
    fields = dict(kv.split("=") for kv in line.split()[1:])
    assert fields["other"].startswith("13/")  # UDP to another port goes out
    assert fields["tcp"] == "-1/111"  # TCP to 443 is never touched (ECONNREFUSED: nothing listens)
    quic_events = [e for e in events if isinstance(e, QuicBlocked)]
    ready = next(e for e in events if isinstance(e, AgentStatus) and e.status == "ready")
    if quic == "block":
        assert refused == 3, line
        assert fields["sendto"] == "-1/1" and fields["sendmsg"] == "-1/1" and fields["connect"] == "-1/1"
        assert sum(e.count for e in quic_events) == 3 and all(e.via == "libc (native code)" and e.port == 443 for e in quic_events)
        assert "net quic, " in ready.message
    else:
        assert refused == 0 and fields["sendto"] == "13/0" and fields["connect"] == "0/0", line
        assert not quic_events


def test_native_tcp_connects_are_redirected_with_a_token(tmp_path: Path) -> None:
    """libc connect from native code (blocking, and non-blocking finished with poll) reaches a real
    mitmdump through the agent's tunnel: the flows carry the token of a NetworkConnect whose caller
    is the native code; a connect to the proxy itself is left alone (the agent's own tunnel)."""
    pytest.importorskip("mitmproxy")
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from harness.events import NetworkConnect, NetworkFlow
    from harness.network.flows import FlowReader
    from harness.network.source import MitmProxy

    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("needs gcc on PATH (Debian package gcc)")
    exe = tmp_path / "tcpnative"
    subprocess.run([gcc, "-O2", "-Wall", "-rdynamic", "-o", str(exe), str(HERE / "native" / "tcpnative.c")], check=True, timeout=120, capture_output=True)
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    origin = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    proxy = MitmProxy(tmp_path / "net", confdir=tmp_path / "conf")
    proxy.start()
    port = origin.server_address[1]
    try:
        run = start_spawned((str(exe),), "com.example.tcpapp", agent_options={"net": {"proxy": f"127.0.0.1:{proxy.port}", "direct": [], "quic": "allow"}})
        try:
            blocking = run.command(f"get {port} /native-blocking block")
            nonblocking = run.command(f"get {port} /native-nonblocking nonblock")
            direct = run.command(f"get {proxy.port} http://127.0.0.1:{port}/via-proxy-itself block")  # the app uses the proxy itself
            stats = run.inst.stats()
            events = run.since(0)
        finally:
            run.close()
        time.sleep(0.3)
    finally:
        proxy.stop()
        origin.shutdown()
        origin.server_close()
    assert (blocking, nonblocking, direct) == (204, 204, 204), run.lines._lines
    assert sorted(seen) == ["/native-blocking", "/native-nonblocking", "/via-proxy-itself"]
    flows = {f.path: f for f in FlowReader(tmp_path / "net" / "flows.jsonl", lambda: 1.0, time.time).poll() if isinstance(f, NetworkFlow)}
    connects = {c.token: c for c in events if isinstance(c, NetworkConnect)}
    assert len(connects) == 2 and stats["net"]["redirected"] == 2 and stats["net"]["failed"] == 0
    for path in ("/native-blocking", "/native-nonblocking"):
        conn = connects[flows[path].conn]
        assert conn.via == "libc connect (native code)" and conn.ip == "127.0.0.1" and conn.port == port
        assert conn.caller.startswith("tcpnative!"), conn.caller
    assert flows["/via-proxy-itself"].conn == ""  # not tunnelled by the agent
