"""Reading what the mitmproxy addon wrote (``flows.jsonl``) into typed events, and a HAR export.

The proxy runs beside the harness and its output is app-controlled data: every record is
type-checked and bounded here; a malformed line becomes an ErrorRecord (at most one per reason
and a count), never an exception, and the other records go on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from harness.events import ErrorRecord, Event, NetworkFlow, TlsFailure

__all__ = ["FlowReader", "events_from_record", "write_har", "MAX_LINE"]

MAX_LINE = 1 << 20
_MAX_HEADERS = 64


def _s(v: Any, n: int) -> str:
    if not isinstance(v, str):
        return ""
    cut: str = v[:n]
    return cut.encode("utf-8", errors="replace").decode("utf-8")


def _i(v: Any, lo: int = 0, hi: int = 1 << 62) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        return 0
    return int(min(hi, max(lo, v)))


def _f(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        return 0.0
    return float(v)


def _headers(v: Any) -> tuple[str, ...]:
    out: list[str] = []
    if isinstance(v, list):
        for h in v[:_MAX_HEADERS]:
            if isinstance(h, list) and len(h) == 2:
                out.append(f"{_s(h[0], 128)}: {_s(h[1], 2000)}")
    return tuple(out)


def events_from_record(rec: Any, t: float) -> list[Event]:
    """One addon record -> events stamped at run time ``t``; [] for records that are not events."""
    if not isinstance(rec, dict):
        return [ErrorRecord(t=t, source="network", where="network", message="flow record is not an object")]
    kind = rec.get("type")
    if kind == "flow":
        body = _s(rec.get("body"), 80)
        if body and ("/" in body or "\\" in body or body.startswith(".")):
            body = ""  # the addon names files flat; anything else is not ours to open
        return [
            NetworkFlow(
                t=t,
                source="network",
                flow_id=_s(rec.get("id"), 64),
                t_wall=_f(rec.get("ts")),
                client=_s(rec.get("client"), 64),
                method=_s(rec.get("method"), 16),
                scheme=_s(rec.get("scheme"), 8),
                host=_s(rec.get("host"), 253),
                port=_i(rec.get("port"), 0, 65535),
                path=_s(rec.get("path"), 4000),
                http_version=_s(rec.get("http_version"), 16),
                tls=rec.get("tls") is True,
                sni=_s(rec.get("sni"), 253),
                headers=_headers(rec.get("headers")),
                req_bytes=_i(rec.get("req_bytes")),
                body_sha256=_s(rec.get("req_sha256"), 64),
                body=body,
                body_cut=rec.get("body_cut") is True,
                status=_i(rec.get("status"), 0, 999),
                resp_bytes=_i(rec.get("resp_bytes")),
                error=_s(rec.get("error"), 300),
                conn=_s(rec.get("conn"), 64),
            )
        ]
    if kind == "tls_failed":
        return [
            TlsFailure(
                t=t,
                source="network",
                t_wall=_f(rec.get("ts")),
                client=_s(rec.get("client"), 64),
                host=_s(rec.get("host"), 253),
                port=_i(rec.get("port"), 0, 65535),
                sni=_s(rec.get("sni"), 253),
                error=_s(rec.get("error"), 300),
                conn=_s(rec.get("conn"), 64),
            )
        ]
    if kind == "error":
        return [ErrorRecord(t=t, source="network", where=f"proxy:{_s(rec.get('where'), 40)}", message=_s(rec.get("error"), 500))]
    return []


class FlowReader:
    """Follows ``flows.jsonl`` as the proxy appends to it: :meth:`poll` returns the events of the
    complete lines written since the last call. ``clock`` is the run clock and ``wall`` the wall
    clock; a record's run time is ``clock() - (wall() - ts)``, never later than now and never
    before the run started."""

    def __init__(self, path: Path, clock: Callable[[], float], wall: Callable[[], float]) -> None:
        self.path = path
        self.clock = clock
        self.wall = wall
        self._pos = 0
        self._partial = b""
        self.records = 0
        self.bad = 0

    def _t(self, rec: Any) -> float:
        now = self.clock()
        ts = _f(rec.get("ts")) if isinstance(rec, dict) else 0.0
        if ts <= 0:
            return now
        return max(0.0, min(now, now - (self.wall() - ts)))

    def _lines(self) -> Iterator[bytes]:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self._pos)
                data = fh.read(64 << 20)
                self._pos += len(data)
        except FileNotFoundError:
            return
        data = self._partial + data
        parts = data.split(b"\n")
        self._partial = parts.pop()
        if len(self._partial) > MAX_LINE:
            self._partial = b""
            self.bad += 1
        yield from parts

    def poll(self) -> list[Event]:
        out: list[Event] = []
        for line in self._lines():
            if not line.strip():
                continue
            if len(line) > MAX_LINE:
                self.bad += 1
                continue
            try:
                rec = json.loads(line.decode("utf-8", errors="replace"))
            except (ValueError, RecursionError):
                self.bad += 1
                if self.bad == 1:
                    out.append(ErrorRecord(t=self.clock(), source="network", where="network", message="unreadable line in flows.jsonl"))
                continue
            self.records += 1
            out.extend(events_from_record(rec, self._t(rec)))
        return out


def write_har(flows: Iterable[NetworkFlow], bodies: Path, out: Path, limit: int = 64 << 10) -> int:
    """A HAR 1.2 file of the requests (what users open in a browser's network tools): method,
    URL, headers, and the body as text when it is small and text-like. Returns the entry count."""
    from datetime import datetime

    entries: list[dict[str, Any]] = []
    for f in flows:
        url = f"{f.scheme or 'http'}://{f.host}{'' if f.port in (0, 80, 443) else ':' + str(f.port)}{f.path}"
        headers = [{"name": h.split(": ", 1)[0], "value": h.split(": ", 1)[1] if ": " in h else ""} for h in f.headers]
        req: dict[str, Any] = {
            "method": f.method,
            "url": url,
            "httpVersion": f.http_version,
            "headers": headers,
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": f.req_bytes,
        }
        if f.body:
            p = bodies / f.body
            try:
                data = p.read_bytes()[:limit]
                ctype = next((h["value"] for h in headers if h["name"].lower() == "content-type"), "")
                req["postData"] = {"mimeType": ctype, "text": data.decode("utf-8", errors="replace")}
            except OSError:
                pass
        started = datetime.fromtimestamp(f.t_wall or 0, tz=UTC).isoformat()
        entries.append(
            {
                "startedDateTime": started,
                "time": 0,
                "request": req,
                "response": {"status": f.status, "statusText": "", "httpVersion": f.http_version, "headers": [], "cookies": [], "content": {"size": f.resp_bytes, "mimeType": ""}, "redirectURL": "", "headersSize": -1, "bodySize": f.resp_bytes},
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
            }
        )
    har = {"log": {"version": "1.2", "creator": {"name": "consent-harness", "version": "1"}, "entries": entries}}
    out.write_text(json.dumps(har, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(entries)
