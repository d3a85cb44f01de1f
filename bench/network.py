"""Network capture costs.

1. The mitmproxy addon alone: time per flow (goal <= 1 ms), on mitmproxy's test flows.
2. A real mitmdump on loopback with TLS on both legs (client -> proxy, proxy -> a local HTTPS
   origin with a certificate made here): flows per second with 8 keep-alive clients
   (goal >= 200/s).
3. The matcher: flows per second on one core with 30 planted values (about 40 forms each;
   goal >= 5,000/s) over realistic request mixes (JSON, gzip, form, base64 blobs), and the
   peak memory of the run.

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
import random
import resource
import ssl
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "unit" / "network"))

from harness.network.matcher import FlowData, Matcher, Plant  # noqa: E402


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


def bench_live(seconds: float, clients: int = 8) -> tuple[float, int]:
    from tls_helpers import Origin, make_ca_and_server_cert

    from harness.network.source import MitmProxy

    with tempfile.TemporaryDirectory() as d:
        ca, cert, key = make_ca_and_server_cert(Path(d) / "pki")
        origin = Origin(cert, key)
        proxy = MitmProxy(Path(d) / "out", confdir=Path(d) / "conf", extra={"ssl_verify_upstream_trusted_ca": str(ca)})
        proxy.start()
        ctx = ssl.create_default_context(cafile=str(proxy.ca_cert))
        count = [0] * clients
        stop = time.monotonic() + seconds
        body = gzip.compress(json.dumps({"aid": "a1b2c3d4e5f60718", "pad": "y" * 500}).encode())

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
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        dt = time.monotonic() - t0
        proxy.stop()
        origin.close()
        lines = sum(1 for x in (Path(d) / "out" / "flows.jsonl").read_text().split("\n") if '"type":"flow"' in x)
    return sum(count) / dt, lines


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=5000)
    ap.add_argument("--live-seconds", type=float, default=5.0)
    a = ap.parse_args()
    addon_ms = bench_addon(min(a.flows, 3000))
    print(f"addon: {addon_ms:.3f} ms per flow (goal <= 1 ms)")
    live_rate, live_lines = bench_live(a.live_seconds)
    print(f"mitmdump on loopback, TLS both legs, 8 clients: {live_rate:.0f} flows/s ({live_lines} flows recorded) (goal >= 200/s)")
    rate, patterns, hits = bench_matcher(a.flows)
    print(f"matcher: {rate:.0f} flows/s on one core, {patterns} patterns (30 values), {hits} matches (goal >= 5000/s)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MB")
    print(json.dumps({"addon_ms_per_flow": round(addon_ms, 4), "live_flows_per_s": round(live_rate, 1), "live_flows_recorded": live_lines, "matcher_flows_per_s": round(rate, 1), "matcher_patterns": patterns, "matcher_matches": hits, "peak_rss_mb": round(rss, 1)}))


if __name__ == "__main__":
    main()
