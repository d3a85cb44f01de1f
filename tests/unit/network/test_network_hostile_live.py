"""Hostile traffic through the real proxy stays bounded: a real mitmdump with the recording addon
on loopback, a local HTTPS origin, and clients that send what a hostile or broken app could send.

- a 100 MB request body: the proxy streams it on instead of holding it (``stream_large_bodies``),
  the flow is still recorded with its declared size, nothing of it is kept, and the proxy's peak
  memory stays far below the body's size;
- binary junk instead of HTTP, and a TLS tunnel that speaks broken HTTP/2: the proxy refuses them
  and goes on serving;
- a gzip bomb as a request body is kept as sent (compressed), never inflated by the proxy.

After all of it an ordinary request is still recorded, and every line of ``flows.jsonl`` parses.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import ssl
import time
from pathlib import Path

import pytest

pytest.importorskip("mitmproxy")

from tls_helpers import Origin, make_ca_and_server_cert  # noqa: E402

from harness.network.source import MitmProxy  # noqa: E402

BIG = 100 * 1024 * 1024


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _tunnel(port: int, host: str, dest: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall(f"CONNECT {host}:{dest} HTTP/1.1\r\nHost: {host}:{dest}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "proxy closed the CONNECT"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return sock


def _https_post(port: int, ca: Path, dest: int, path: str, headers: dict[str, str], body_chunks: int, chunk: bytes) -> bytes:
    ctx = ssl.create_default_context(cafile=str(ca))
    with _tunnel(port, "localhost", dest) as raw, ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        size = body_chunks * len(chunk)
        lines = [f"POST {path} HTTP/1.1", "Host: localhost", f"Content-Length: {size}", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
        tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        for _ in range(body_chunks):
            tls.sendall(chunk)
        answer = b""
        while True:
            try:
                data = tls.recv(65536)
            except (ssl.SSLError, OSError):
                break
            if not data:
                break
            answer += data
        return answer


def test_hostile_traffic_stays_bounded(tmp_path: Path) -> None:
    ca, cert, key = make_ca_and_server_cert(tmp_path / "pki")
    origin = Origin(cert, key)
    proxy = MitmProxy(tmp_path / "out", confdir=tmp_path / "conf", extra={"ssl_verify_upstream_trusted_ca": str(ca)})
    proxy.start(timeout=30)
    try:
        assert proxy.proc is not None
        pid = proxy.proc.pid
        before = _peak_rss_kib(pid)
        # 1. a 100 MB body, sent in 1 MiB writes
        answer = _https_post(proxy.port, proxy.ca_cert, origin.port, "/big", {"content-type": "application/octet-stream"}, 100, os.urandom(1 << 20))
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert origin.received[-1][0] == "/big" and len(origin.received[-1][1]) == BIG  # streamed through whole
        grown_mib = (_peak_rss_kib(pid) - before) / 1024
        assert grown_mib < 60, f"the proxy held the body: peak grew by {grown_mib:.0f} MiB"
        # 2. binary junk where HTTP should be
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=20) as junk:
            junk.sendall(os.urandom(64 * 1024))
            junk.settimeout(10)
            try:
                while junk.recv(65536):
                    pass
            except OSError:
                pass
        # 3. broken HTTP/2 inside a TLS tunnel: the preface, then frames that mean nothing
        ctx = ssl.create_default_context(cafile=str(proxy.ca_cert))
        ctx.set_alpn_protocols(["h2"])
        with _tunnel(proxy.port, "localhost", origin.port) as raw, ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x06\x04\x00\x00\x00\x00\x00" + b"\xff" * 4096)
            tls.settimeout(10)
            try:
                while tls.recv(65536):
                    pass
            except (ssl.SSLError, OSError):
                pass
        # 4. a gzip bomb as a request body: 256 MiB of zeros, about 250 KiB on the wire
        bomb = gzip.compress(b"\0" * (256 << 20), compresslevel=9)
        answer = _https_post(proxy.port, proxy.ca_cert, origin.port, "/bomb", {"content-encoding": "gzip"}, 1, bomb)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        # 5. the proxy still serves an ordinary request
        answer = _https_post(proxy.port, proxy.ca_cert, origin.port, "/after", {"content-type": "application/json"}, 1, b'{"ok":1}')
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert proxy.proc is not None and proxy.proc.poll() is None
        peak_mib = _peak_rss_kib(pid) / 1024
    finally:
        proxy.stop()
        origin.close()
    assert peak_mib < 400, f"proxy peak {peak_mib:.0f} MiB"
    out = tmp_path / "out"
    time.sleep(0.2)
    records = [json.loads(line) for line in (out / "flows.jsonl").read_text(encoding="utf-8").split("\n") if line]
    flows = {r["path"]: r for r in records if r.get("type") == "flow"}
    assert {"/big", "/bomb", "/after"} <= set(flows)
    big = flows["/big"]
    assert big["req_bytes"] == BIG and big["body_cut"] is True and big.get("streamed") is True
    assert not big["body"]  # nothing of a streamed body is kept
    bomb_rec = flows["/bomb"]
    kept = (out / "bodies" / bomb_rec["body"]).read_bytes()
    assert kept == bomb[: len(kept)] and bomb_rec["req_bytes"] == len(bomb)  # as sent, never inflated
    kept_total = sum(p.stat().st_size for p in (out / "bodies").iterdir())
    assert kept_total <= 2 * (1 << 20) + 64
