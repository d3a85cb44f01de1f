"""What the agent's traffic routing costs the app (hooks/src/net.ts): mean time of one TCP
``Socket.connect`` seen by a JVM app (the network tests' stub app) spawned under the real Frida
agent, with a real mitmdump (the ``network`` source) beside it:

  no_agent    the app alone
  direct      agent loaded with routing on, destination left direct (loopback is never
              redirected by default): the cost of the hook's decision alone
  redirected  the same connect redirected to the proxy (``redirect_direct=`` so loopback is
              redirected): the proxy's CONNECT tunnel, its own connect upstream (mitmproxy's eager
              strategy) and the preface read byte by byte

and the same three for a non-blocking ``SocketChannel`` connect driven by a Selector (connect,
OP_CONNECT, finishConnect: the agent sets the tunnel up inside finishConnect, on its own Selector).

Also the net hooks installed and skipped on this runtime (HotSpot: the Android-only classes are
skipped). The target is a plain TCP listener on loopback. Run: python bench/agent_redirect.py
[--quick]. Needs java/javac (JDK 17) and mitmproxy. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.events import AgentStatus, Event  # noqa: E402
from harness.instrumentation.base import Target  # noqa: E402
from harness.instrumentation.frida_follow import FridaSource, NetOptions  # noqa: E402
from harness.instrumentation.sources import SourceSet, source_spec  # noqa: E402

SRC = REPO / "tests" / "frida"
PACKAGE = "com.example.netapp"


class Listener:
    """Accepts TCP connections on loopback and closes them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(512)
        self.port = int(self.sock.getsockname()[1])
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                c.close()
            except OSError:
                return

    def close(self) -> None:
        self.stop = True
        self.sock.close()


class Output:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cv = threading.Condition()
        self.buf = b""

    def feed(self, fd: int, data: bytes) -> None:
        if fd != 1:
            return
        with self.cv:
            self.buf += data
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                self.lines.append(line.decode("utf-8", "replace"))
            self.cv.notify_all()

    def wait(self, prefix: str, timeout: float = 120.0) -> str:
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for i, line in enumerate(self.lines):
                    if line.startswith(prefix):
                        del self.lines[: i + 1]
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"no {prefix!r} line; got {self.lines[-3:]}")
                self.cv.wait(left)


def compile_app(out: Path) -> Path:
    javac = shutil.which("javac")
    if javac is None:
        raise SystemExit("needs javac (JDK 17)")
    stubs = [SRC / "java" / "android" / "telephony" / "TelephonyManager.java", SRC / "java" / "android" / "location" / "Location.java"]
    sources = [*(str(p) for p in stubs), *sorted(str(p) for p in (SRC / "netjava").rglob("*.java"))]
    subprocess.run([javac, "--release", "17", "-d", str(out), *sources], check=True, timeout=300, capture_output=True)
    return out


def connects_plain(java: str, classes: Path, port: int, n: int, cmd: str = "connects") -> int:
    proc = subprocess.run([java, "-cp", str(classes), "com.example.netapp.Main"], input=f"{cmd} 127.0.0.1 {port} {n}\nexit\n", capture_output=True, text=True, timeout=300)
    line = next(x for x in proc.stdout.splitlines() if x.startswith(f"done {cmd} "))
    return int(line.split()[2])


def connects_agent(java: str, classes: Path, port: int, n: int, work: Path, direct: str | None) -> tuple[int, int, dict[str, Any], list[Event]]:
    """Mean us per blocking Socket connect and per non-blocking SocketChannel connect (connect,
    OP_CONNECT on a Selector, finishConnect) under the agent, its stats and events."""
    events: list[Event] = []
    out = Output()
    network = source_spec("network").factory(None, {"network_confdir": str(work / "conf")})  # type: ignore[arg-type]
    assert network is not None
    opts = {} if direct is None else {"redirect_direct": direct}
    frida_src = FridaSource(device="local", mode="spawn", options={"stdio": "pipe", "on_output": out.feed}, honey=False, net=NetOptions.from_options(opts))
    sources = SourceSet([network, frida_src], events.extend, PACKAGE)
    t0 = time.monotonic()
    run_dir = work / ("direct" if direct is None else "redirected")
    run_dir.mkdir(parents=True, exist_ok=True)
    sources.start(Target(package=PACKAGE, argv=(java, "-cp", str(classes), "com.example.netapp.Main")), lambda: time.monotonic() - t0, run_dir, None)
    try:
        sources.launch(None, PACKAGE)  # type: ignore[arg-type]
        out.wait("ready")
        assert frida_src.main is not None
        frida_src.main.input(f"connects 127.0.0.1 {port} {n}\n".encode())
        us = int(out.wait("done connects ").split()[2])
        frida_src.main.input(f"nioconnects 127.0.0.1 {port} {n}\n".encode())
        nio_us = int(out.wait("done nioconnects ").split()[2])
        stats = frida_src.main.stats()
    finally:
        sources.stop()
    return us, nio_us, stats, events


def connects_python(port: int, n: int, work: Path) -> int:
    """The proxy's own share: the same CONNECT tunnels opened by a Python client (no agent)."""
    from harness.network.source import MitmProxy

    proxy = MitmProxy(work / "py", confdir=work / "conf")
    proxy.start()
    try:
        total = 0.0
        for _ in range(n):
            t0 = time.perf_counter()
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
                s.sendall(f"CONNECT 127.0.0.1:{port} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                got = b""
                while not got.endswith(b"\r\n\r\n"):
                    chunk = s.recv(64)
                    if not chunk:
                        break
                    got += chunk
                total += time.perf_counter() - t0
        return int(total / n * 1e6)
    finally:
        proxy.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 50 if args.quick else 300
    java = shutil.which("java")
    if java is None:
        raise SystemExit("needs java (JDK 17)")
    java = os.path.realpath(java)
    listener = Listener()
    with tempfile.TemporaryDirectory(prefix="ch-bench-redirect-") as tmp:
        work = Path(tmp)
        classes = compile_app(work / "classes")
        connects_plain(java, classes, listener.port, 20)  # warm the page cache
        no_agent = connects_plain(java, classes, listener.port, n)
        nio_no_agent = connects_plain(java, classes, listener.port, n, "nioconnects")
        direct, nio_direct, _, _ = connects_agent(java, classes, listener.port, n, work, None)
        redirected, nio_redirected, stats, events = connects_agent(java, classes, listener.port, n, work, "")
        python_tunnel = connects_python(listener.port, n, work)
    listener.close()
    net = stats.get("net", {})
    ready = next((e for e in events if isinstance(e, AgentStatus) and e.status == "ready"), None)
    skipped = [s for s in (ready.skipped if ready else ()) if s.startswith("net:")]
    load = os.getloadavg()[0]
    print(f"connects per variant: {n} to a loopback TCP listener; load average {load:.1f} on {os.cpu_count()} cores")
    print(f"  no agent        {no_agent:8d} us per connect")
    print(f"  agent, direct   {direct:8d} us per connect  (+{direct - no_agent} us: the hook's decision)")
    print(f"  agent, redirect {redirected:8d} us per connect  (+{redirected - no_agent} us: CONNECT tunnel through mitmdump)")
    print(f"  python client   {python_tunnel:8d} us per CONNECT tunnel through mitmdump alone (the proxy's share)")
    print("non-blocking SocketChannel connects (connect, OP_CONNECT on a Selector, finishConnect; the tunnel is set up in finishConnect):")
    print(f"  no agent        {nio_no_agent:8d} us per connect")
    print(f"  agent, direct   {nio_direct:8d} us per connect  (+{nio_direct - nio_no_agent} us)")
    print(f"  agent, redirect {nio_redirected:8d} us per connect  (+{nio_redirected - nio_no_agent} us)")
    print(f"  redirected {net.get('redirected')} connects, {net.get('failed')} failed; agent-side preface time {net.get('prefaceUs', 0) / max(1, net.get('redirected', 1)) / 1000:.2f} ms each (ms resolution)")
    print(f"  net hooks installed: {net.get('hooked')}; skipped on this runtime: {len(skipped)}")
    for s in skipped:
        print(f"    {s}")
    result = {
        "connects": n,
        "no_agent_us": no_agent,
        "direct_us": direct,
        "redirected_us": redirected,
        "added_per_redirect_us": redirected - no_agent,
        "python_tunnel_us": python_tunnel,
        "nio_no_agent_us": nio_no_agent,
        "nio_direct_us": nio_direct,
        "nio_redirected_us": nio_redirected,
        "nio_added_per_redirect_us": nio_redirected - nio_no_agent,
        "redirected": net.get("redirected"),
        "failed": net.get("failed"),
        "net_hooks": net.get("hooked"),
        "net_skipped": len(skipped),
        "load": round(load, 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
