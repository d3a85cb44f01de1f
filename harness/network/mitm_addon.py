"""mitmproxy addon: one JSON line per flow, refused TLS handshake or proxy error.

Runs inside ``mitmdump -s mitm_addon.py --set ch_out=DIR``. It imports nothing from the harness
(it may run in another Python), only the standard library and mitmproxy. Everything it writes
is bounded; a hostile flow costs at most ``ch_max_body`` bytes on disk and one line.

Output in ``ch_out``:

- ``flows.jsonl``: records ``{"type": "flow" | "tls_failed" | "error" | "stats", ...}`` appended and
  flushed one by one, so a killed proxy loses nothing it wrote;
- ``bodies/<flow id>.req``: request bodies as sent on the wire (still compressed), cut at
  ``ch_max_body`` bytes, until ``ch_max_total`` bytes are stored; past that only digests.

A ``flow`` record: ``id``, ``ts`` (wall-clock seconds when the request started), ``client``
(``ip:port``), ``method``, ``scheme``, ``host``, ``port``, ``path`` (cut at 4,000 chars),
``http_version``, ``tls`` (true when the client spoke TLS to the proxy), ``sni``, ``headers``
([[name, value]], at most 64, each cut), ``req_bytes``, ``req_sha256`` (of the whole body),
``body`` (stored file name or ""), ``body_cut`` (stored less than all), ``status``,
``resp_bytes``, ``resp_type``, ``error``, ``conn``. A ``tls_failed`` record: ``ts``, ``client``,
``sni``, ``host``, ``port``, ``error`` (the client refused the proxy's certificate: pinning, or a
trust store without the proxy's CA), ``conn``.

``conn`` is the correlation token of the client connection: the consent-harness Frida agent
redirects an app's TCP connect to this proxy with an HTTP CONNECT request carrying the token in
the ``X-Consent-Harness-Conn`` header (``http_connect`` below); every flow and refused handshake
of that connection carries it, so the harness joins them to the app's stack at connect time.
Tokens are cut to 64 characters of ``[A-Za-z0-9._-]``; at most ``MAX_TOKENS`` connections are
remembered (oldest forgotten first). '' when the client came another way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections import OrderedDict
from typing import Any

TOKEN_HEADER = "x-consent-harness-conn"
MAX_TOKENS = 50_000
_TOKEN_RE = re.compile(r"[A-Za-z0-9._\-]{1,64}")
MAX_HEADERS = 64
MAX_HEADER_CHARS = 2000
MAX_PATH = 4000


def _cut(value: Any, n: int) -> str:
    s = value if isinstance(value, str) else str(value)
    s = s[:n]
    # never leave half a surrogate pair at the cut
    if s and "\ud800" <= s[-1] <= "\udbff":
        s = s[:-1]
    return s.encode("utf-8", errors="replace").decode("utf-8")


def _peer(addr: Any) -> str:
    try:
        return f"{addr[0]}:{addr[1]}"
    except Exception:  # noqa: BLE001
        return ""


class ConsentHarnessRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._out: Any = None
        self._dir = ""
        self.max_body = 1 << 20
        self.max_total = 256 << 20
        self.stored = 0
        self.flows = 0
        self.tls_failures = 0
        self.errors = 0
        self.tokens: OrderedDict[str, str] = OrderedDict()

    # -- options ---------------------------------------------------------------------------
    def load(self, loader: Any) -> None:
        loader.add_option("ch_out", str, "", "consent-harness: folder for flows.jsonl and bodies/")
        loader.add_option("ch_max_body", int, 1 << 20, "consent-harness: bytes of one request body kept")
        loader.add_option("ch_max_total", int, 256 << 20, "consent-harness: bytes of bodies kept in all")

    def configure(self, updated: Any) -> None:
        from mitmproxy import ctx

        self.max_body = max(0, int(ctx.options.ch_max_body))
        self.max_total = max(0, int(ctx.options.ch_max_total))
        if "ch_out" in updated and ctx.options.ch_out:
            self.open(ctx.options.ch_out)

    def open(self, folder: str) -> None:
        with self._lock:
            if self._out is not None:
                self._out.close()
            os.makedirs(os.path.join(folder, "bodies"), exist_ok=True)
            self._dir = folder
            self._out = open(os.path.join(folder, "flows.jsonl"), "a", encoding="utf-8")

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            if self._out is None:
                return
            self._out.write(line + "\n")
            self._out.flush()

    def _safe(self, where: str, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - the proxy must go on
            self.errors += 1
            self._write({"type": "error", "ts": time.time(), "where": where, "error": _cut(f"{type(exc).__name__}: {exc}", 500)})

    # -- hooks -----------------------------------------------------------------------------
    def http_connect(self, flow: Any) -> None:
        self._safe("http_connect", self._connect, flow)

    def response(self, flow: Any) -> None:
        self._safe("response", self._flow, flow)

    def error(self, flow: Any) -> None:
        self._safe("error", self._flow, flow)

    def tls_failed_client(self, data: Any) -> None:
        self._safe("tls_failed_client", self._tls_failed, data)

    def done(self) -> None:
        self._write({"type": "stats", "ts": time.time(), "flows": self.flows, "tls_failed": self.tls_failures, "errors": self.errors, "stored": self.stored})
        with self._lock:
            if self._out is not None:
                self._out.close()
                self._out = None

    # -- records ---------------------------------------------------------------------------
    def _connect(self, flow: Any) -> None:
        token = flow.request.headers.get(TOKEN_HEADER, "")
        client = getattr(flow, "client_conn", None)
        cid = getattr(client, "id", None)
        if not token or not isinstance(cid, str) or not _TOKEN_RE.fullmatch(token):
            return
        with self._lock:
            self.tokens[cid] = token
            self.tokens.move_to_end(cid)
            while len(self.tokens) > MAX_TOKENS:
                self.tokens.popitem(last=False)

    def _token(self, client: Any) -> str:
        cid = getattr(client, "id", None)
        if not isinstance(cid, str):
            return ""
        with self._lock:
            return self.tokens.get(cid, "")

    def _flow(self, flow: Any) -> None:
        req = getattr(flow, "request", None)
        if req is None:
            return
        max_body, max_total = self.max_body, self.max_total
        raw = req.raw_content
        # a body over mitmproxy's stream_large_bodies went through as it arrived: none of it is
        # held, so only its declared size is known
        streamed = raw is None and bool(getattr(req, "stream", False))
        content = raw or b""
        body_name = ""
        cut = False
        if content and self._dir:
            keep = content[:max_body]
            with self._lock:
                room = max_total - self.stored
                if room > 0:
                    keep = keep[:room]
                    self.stored += len(keep)
                else:
                    keep = b""
            if keep:
                body_name = f"{_cut(flow.id, 64)}.req"
                with open(os.path.join(self._dir, "bodies", body_name), "wb") as fh:
                    fh.write(keep)
            cut = len(keep) < len(content)
        declared = 0
        if streamed:
            cl = str(req.headers.get("content-length", ""))
            declared = int(cl) if cl.isdigit() and len(cl) < 19 else 0
            cut = True
        resp = getattr(flow, "response", None)
        client = getattr(flow, "client_conn", None)
        err = getattr(flow, "error", None)
        headers = [[_cut(k, 128), _cut(v, MAX_HEADER_CHARS)] for k, v in list(req.headers.items(multi=True))[:MAX_HEADERS]]
        self.flows += 1
        self._write(
            {
                "type": "flow",
                "id": _cut(flow.id, 64),
                "ts": float(req.timestamp_start or time.time()),
                "client": _peer(getattr(client, "peername", None)),
                "method": _cut(req.method, 16),
                "scheme": _cut(req.scheme, 8),
                "host": _cut(req.pretty_host, 253),
                "port": int(req.port),
                "path": _cut(req.path, MAX_PATH),
                "http_version": _cut(req.http_version, 16),
                "tls": bool(getattr(client, "tls", False)),
                "sni": _cut(getattr(client, "sni", "") or "", 253),
                "headers": headers,
                "req_bytes": declared if streamed else len(content),
                "streamed": streamed,
                "req_sha256": hashlib.sha256(content).hexdigest() if content else "",
                "body": body_name,
                "body_cut": cut,
                "status": int(resp.status_code) if resp is not None else 0,
                "resp_bytes": len(resp.raw_content or b"") if resp is not None else 0,
                "resp_type": _cut(resp.headers.get("content-type", ""), 128) if resp is not None else "",
                "error": _cut(err.msg, 300) if err is not None else "",
                "conn": self._token(client),
            }
        )

    def _tls_failed(self, data: Any) -> None:
        ctxconn = getattr(getattr(data, "context", None), "client", None)
        server = getattr(getattr(data, "context", None), "server", None)
        addr = getattr(server, "address", None) or ("", 0)
        self.tls_failures += 1
        self._write(
            {
                "type": "tls_failed",
                "ts": time.time(),
                "client": _peer(getattr(ctxconn, "peername", None)),
                "sni": _cut(getattr(ctxconn, "sni", "") or "", 253),
                "host": _cut(addr[0] if addr else "", 253),
                "port": int(addr[1]) if addr and len(addr) > 1 and isinstance(addr[1], int) else 0,
                "error": _cut(getattr(data.conn, "error", "") or "", 300),
                "conn": self._token(ctxconn),
            }
        )


addons = [ConsentHarnessRecorder()]
