"""Network capture costs.

1. The mitmproxy addon alone: time per flow (goal <= 1 ms), on mitmproxy's test flows.
2. A real mitmdump on loopback with TLS on both legs (client -> proxy, proxy -> a local HTTPS
   origin with a certificate made here, verified by the proxy): flows per second with 8
   keep-alive clients (goal >= 200/s), and mitmdump's own CPU time per flow. Clients: Python
   http.client threads in this process (the headline figure), then, when curl is installed, one
   curl process with ``--parallel`` (HTTP/1.1 with and without the recording addon, and HTTP/2
   to the proxy). Everything shares the machine's cores with mitmdump; the load average at the
   start is printed. The origin sets TCP_NODELAY as real servers do: without it every response
   waited about 40 ms for a delayed ACK (headers and body are two writes), which capped the
   earlier measurement at about 150 flows/s with mitmdump mostly idle.
3. The matcher: flows per second on one core with 30 planted values (about 40 forms each;
   goal >= 5,000/s) over realistic request mixes (JSON, gzip, form, base64 blobs), and the
   peak memory of the run.
4. The matcher with cipher plaintexts: the same 30 values plus 300 recorded encryptions (AES,
   about 1 KiB of JSON each), a quarter of the flows carrying one of those ciphertexts as
   base64 (IV in front), so their plaintexts are searched too.

    python bench/network.py [--flows N] [--live-seconds S]

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import http.client
import json
import os
import random
import resource
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "network"))

from harness.devices.sim.aes import aes128_cbc_encrypt  # noqa: E402
from harness.network.matcher import Ciphertext, FlowData, Matcher, Plant  # noqa: E402


def bench_addon(n: int) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from mitmproxy.test import tflow

    from harness.network.mitm_addon import ConsentHarnessRecorder

    with tempfile.TemporaryDirectory() as d:
        addon = ConsentHarnessRecorder()
        addon.open(d)
        flows = []
        for i in range(n):
            f = tflow.tflow(resp=True)
            f.request.path = f"/v1/collect?i={i}&sdk=test"
            f.request.headers["content-type"] = "application/json"
            f.request.raw_content = gzip.compress(json.dumps({"i": i, "aid": "a1b2c3d4e5f60718", "pad": "x" * 800}).encode())
            flows.append(f)
        t0 = time.perf_counter()
        for f in flows:
            addon.response(f)
        dt = time.perf_counter() - t0
        addon.done()
    return dt / n * 1000.0


def bench_follower(n: int) -> float:
    """The network source's follower: addon lines -> NetworkFlow events, microseconds per flow
    (runs in the harness process, beside mitmdump)."""
    from harness.network.flows import FlowReader

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "flows.jsonl"
        rec = {
            "type": "flow", "id": "f", "ts": time.time(), "client": "127.0.0.1:40000", "method": "POST", "scheme": "https",
            "host": "ulogs.umeng.com", "port": 443, "path": "/unify_logs?x=1", "http_version": "HTTP/1.1", "tls": True,
            "sni": "ulogs.umeng.com", "headers": [["content-type", "application/json"], ["user-agent", "okhttp/4.9.3"]] * 6,
            "req_bytes": 600, "req_sha256": "0" * 64, "body": "f.req", "body_cut": False, "status": 200, "resp_bytes": 11,
            "resp_type": "application/json", "error": "",
        }
        path.write_text("\n".join(json.dumps(dict(rec, id=f"f{i}", body=f"f{i}.req")) for i in range(n)) + "\n", encoding="utf-8")
        reader = FlowReader(path, lambda: 100.0, time.time)
        t0 = time.perf_counter()
        events = reader.poll()
        dt = time.perf_counter() - t0
        assert len(events) == n
    return dt / n * 1e6


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _live_setup(d: Path, addon: bool) -> tuple[Any, Any, Path]:
    from tls_helpers import Origin, make_ca_and_server_cert

    from harness.network.source import MitmProxy

    ca, cert, key = make_ca_and_server_cert(d / "pki")
    origin = Origin(cert, key)
    proxy = MitmProxy(d / "out", confdir=d / "conf", extra={"ssl_verify_upstream_trusted_ca": str(ca)})
    if not addon:
        full = proxy.argv

        def without_addon() -> list[str]:
            args = full()
            i = args.index("-s")
            del args[i : i + 2]
            j = next(k for k, a in enumerate(args) if a.startswith("ch_out="))
            del args[j - 1 : j + 1]
            return args

        proxy.argv = without_addon  # type: ignore[method-assign]
    proxy.start()
    return origin, proxy, ca


def bench_live(client: str, *, seconds: float = 5.0, requests: int = 2000, clients: int = 8, addon: bool = True, http2: bool = False) -> dict[str, Any]:
    """Requests through a real mitmdump on loopback, TLS on both legs: ``client`` 'python'
    (``clients`` keep-alive http.client connections in threads of this process, for
    ``seconds``) or 'curl' (one curl process, ``--parallel`` with ``clients`` connections,
    ``requests`` POSTs). Figures: flows/s, flows the addon recorded (all with TLS on the client
    leg), and mitmdump's own CPU time per flow (independent of what else runs)."""
    body = gzip.compress(json.dumps({"aid": "a1b2c3d4e5f60718", "pad": "y" * 500}).encode())
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        origin, proxy, _ca = _live_setup(d, addon)
        try:
            pid = proxy.proc.pid
            cpu0 = _cpu_seconds(pid)
            t0 = time.monotonic()
            if client == "python":
                ctx = ssl.create_default_context(cafile=str(proxy.ca_cert))
                count = [0] * clients
                stop = t0 + seconds

                def worker(k: int) -> None:
                    conn = http.client.HTTPSConnection("127.0.0.1", proxy.port, context=ctx, timeout=30)
                    conn.set_tunnel("localhost", origin.port)
                    while time.monotonic() < stop:
                        conn.request("POST", f"/c?k={k}", body=body, headers={"content-type": "application/json", "content-encoding": "gzip"})
                        r = conn.getresponse()
                        r.read()
                        count[k] += 1
                    conn.close()

                threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                done = sum(count)
            else:
                (d / "body.gz").write_bytes(body)
                argv = ["curl", "-s", "--parallel", "--parallel-max", str(clients), "-x", f"http://127.0.0.1:{proxy.port}", "--cacert", str(proxy.ca_cert)]
                argv += ["-H", "content-type: application/json", "-H", "content-encoding: gzip", "--data-binary", f"@{d / 'body.gz'}", "-o", "/dev/null"]
                argv += ["-w", "%{http_code}\\n", "--http2" if http2 else "--http1.1", f"https://localhost:{origin.port}/c?i=[1-{requests}]"]
                out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
                done = sum(1 for c in out.stdout.split() if c == "200")
            dt = time.monotonic() - t0
            cpu = _cpu_seconds(pid) - cpu0
        finally:
            proxy.stop()
            origin.close()
        recorded = tls = 0
        flows_file = d / "out" / "flows.jsonl"
        if flows_file.exists():
            for line in flows_file.read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                if rec.get("type") == "flow":
                    recorded += 1
                    tls += rec.get("tls") is True and rec.get("scheme") == "https"
    return {
        "client": client + ("-h2" if http2 else ""),
        "addon": addon,
        "flows": done,
        "flows_per_s": round(done / dt, 1),
        "recorded": recorded,
        "recorded_tls": tls,
        "mitmdump_cpu_ms_per_flow": round(cpu / max(done, 1) * 1000, 2),
        # what one core given to mitmdump alone would carry at that CPU cost (an estimate that
        # does not depend on how busy the machine was; CPU time itself grows somewhat under load)
        "flows_per_s_per_free_core": round(done / cpu, 0) if cpu > 0 else 0.0,
        "mitmdump_cpu_share": round(cpu / dt, 2),
    }


def bench_matcher(n: int) -> tuple[float, int, int]:
    rng = random.Random(7)
    plants = [Plant(f"v{i}", "".join(rng.choice("0123456789abcdef") for _ in range(16)), "device_id") for i in range(30)]
    m = Matcher(plants)
    flows: list[FlowData] = []
    for i in range(n):
        kind = i % 4
        payload = {"event": "launch", "ts": 1733460000 + i, "sv": "3.1.4", "pad": "".join(rng.choice("abcdefgh ") for _ in range(600))}
        if i % 10 == 0:
            payload["d"] = hashlib.md5(plants[i % 30].value.encode()).hexdigest()
        raw = json.dumps(payload).encode()
        if kind == 0:
            flows.append(FlowData(f"https://log.example/c?i={i}", (("content-type", "application/json"),), raw, "", "application/json"))
        elif kind == 1:
            flows.append(FlowData(f"https://log.example/c?i={i}", (("content-encoding", "gzip"),), gzip.compress(raw), "gzip", "application/json"))
        elif kind == 2:
            flows.append(FlowData(f"https://log.example/c?i={i}&d={base64.b64encode(raw[:120]).decode()}", (), b"", "", ""))
        else:
            flows.append(FlowData(f"https://log.example/c?i={i}", (), b"a=1&b=" + base64.b64encode(raw), "", "application/x-www-form-urlencoded"))
    t0 = time.perf_counter()
    hits = 0
    for f in flows:
        hits += len(m.match(f))
    dt = time.perf_counter() - t0
    return n / dt, m.patterns, hits


def bench_matcher_cipher(n: int, encryptions: int = 300) -> tuple[float, int, int]:
    rng = random.Random(11)
    plants = [Plant(f"v{i}", "".join(rng.choice("0123456789abcdef") for _ in range(16)), "device_id") for i in range(30)]
    key = bytes(range(16))
    ciphers: list[Ciphertext] = []
    wires: list[bytes] = []
    for k in range(encryptions):
        payload = {"event": "batch", "k": k, "items": [{"t": 1733460000 + j, "p": "".join(rng.choice("abcdefgh ") for _ in range(80))} for j in range(10)]}
        if k % 5 == 0:
            payload["did"] = plants[k % 30].value
        plain = json.dumps(payload).encode()
        iv = rng.randbytes(16)
        ct = aes128_cbc_encrypt(plain, key, iv)
        ciphers.append(Ciphertext(f"cipher:{k}", ct[:48], plain, f"Cipher AES/CBC/PKCS5Padding plaintext at t={k / 10:.2f} s"))
        wires.append(iv + ct)
    m = Matcher(plants, ciphers=ciphers)
    flows: list[FlowData] = []
    for i in range(n):
        if i % 4 == 0:
            body = json.dumps({"v": 2, "d": base64.b64encode(wires[i % encryptions]).decode()}).encode()
        else:
            body = json.dumps({"event": "launch", "ts": 1733460000 + i, "pad": "".join(rng.choice("abcdefgh ") for _ in range(600))}).encode()
        flows.append(FlowData(f"https://log.example/c?i={i}", (("content-type", "application/json"),), body, "", "application/json"))
    t0 = time.perf_counter()
    hits = 0
    for f in flows:
        hits += sum(1 for x in m.match(f) if x.via)
    dt = time.perf_counter() - t0
    return n / dt, m.patterns, hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=5000)
    ap.add_argument("--live-seconds", type=float, default=5.0)
    ap.add_argument("--live-requests", type=int, default=2000)
    a = ap.parse_args()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start")
    addon_ms = bench_addon(min(a.flows, 3000))
    print(f"addon: {addon_ms:.3f} ms per flow (goal <= 1 ms)")
    follower_us = bench_follower(a.flows)
    print(f"source follower: {follower_us:.0f} us per flow (addon line -> NetworkFlow event)")
    live: list[dict[str, Any]] = [bench_live("python", seconds=a.live_seconds)]
    if shutil.which("curl"):
        live.append(bench_live("curl", requests=a.live_requests))
        live.append(bench_live("curl", requests=a.live_requests, addon=False))
        live.append(bench_live("curl", requests=a.live_requests, http2=True))
    for r in live:
        what = f"{r['client']} clients x8" + ("" if r["addon"] else ", addon off")
        print(
            f"mitmdump on loopback, TLS both legs, {what}: {r['flows_per_s']:.0f} flows/s ({r['recorded']} recorded, {r['recorded_tls']} with TLS); "
            f"mitmdump CPU {r['mitmdump_cpu_ms_per_flow']:.2f} ms per flow, {r['mitmdump_cpu_share']:.0%} of a core, "
            f"so about {r['flows_per_s_per_free_core']:.0f} flows/s on a free core (goal >= 200/s)"
        )
    headline = live[0]["flows_per_s"]
    rate, patterns, hits = bench_matcher(a.flows)
    print(f"matcher: {rate:.0f} flows/s on one core, {patterns} patterns (30 values), {hits} matches (goal >= 5000/s)")
    crate, cpatterns, chits = bench_matcher_cipher(a.flows)
    print(f"matcher with 300 cipher plaintexts: {crate:.0f} flows/s on one core, {cpatterns} patterns, {chits} matches through a cipher (goal >= 5000/s)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MB")
    print(
        json.dumps(
            {
                "addon_ms_per_flow": round(addon_ms, 4),
                "follower_us_per_flow": round(follower_us, 1),
                "live_flows_per_s": headline,
                "live_flows_recorded": live[0]["recorded"],
                "live": live,
                "load_average_start": [round(x, 2) for x in load],
                "matcher_flows_per_s": round(rate, 1),
                "matcher_patterns": patterns,
                "matcher_matches": hits,
                "matcher_cipher_flows_per_s": round(crate, 1),
                "matcher_cipher_patterns": cpatterns,
                "matcher_cipher_matches": chits,
                "peak_rss_mb": round(rss, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
