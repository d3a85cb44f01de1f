"""The mitmproxy addon alone, with mitmproxy's own test helpers (no sockets)."""

from __future__ import annotations

import gzip
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mitmproxy")
with warnings.catch_warnings():
    # mitmproxy's default addons import ldap3 and passlib, which use deprecated stdlib and
    # pyasn1 names at import time; that is theirs, not ours
    warnings.simplefilter("ignore", DeprecationWarning)
    from mitmproxy import connection, tls
    from mitmproxy.options import Options
    from mitmproxy.proxy import context
    from mitmproxy.test import tflow

from harness.network import mitm_addon  # noqa: E402


def _records(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (folder / "flows.jsonl").read_text(encoding="utf-8").split("\n") if x]


@pytest.fixture
def addon(tmp_path: Path) -> Iterator[mitm_addon.ConsentHarnessRecorder]:
    a = mitm_addon.ConsentHarnessRecorder()
    a.open(str(tmp_path))
    yield a
    a.done()


def test_flow_record_and_body(addon: mitm_addon.ConsentHarnessRecorder, tmp_path: Path) -> None:
    body = gzip.compress(b'{"imei":"860000000000001"}')
    f = tflow.tflow(resp=True)
    f.request.host = "log.umeng.example"
    f.request.path = "/collect?a=1"
    f.request.method = "POST"
    f.request.headers["content-encoding"] = "gzip"
    f.request.headers["content-type"] = "application/json"
    f.request.raw_content = body
    addon.response(f)
    addon.done()
    recs = _records(tmp_path)
    flow = recs[0]
    assert flow["type"] == "flow" and flow["host"] == "log.umeng.example" and flow["method"] == "POST"
    assert flow["path"] == "/collect?a=1" and flow["status"] == 200 and flow["req_bytes"] == len(body)
    assert ["content-encoding", "gzip"] in flow["headers"]
    assert (tmp_path / "bodies" / flow["body"]).read_bytes() == body  # as sent: still compressed
    assert recs[-1]["type"] == "stats" and recs[-1]["flows"] == 1


def test_bodies_are_bounded(addon: mitm_addon.ConsentHarnessRecorder, tmp_path: Path) -> None:
    addon.max_body, addon.max_total = 1000, 2500
    for _ in range(4):
        f = tflow.tflow(resp=True)
        f.request.raw_content = b"x" * 5000
        addon.response(f)
    flows = [r for r in _records(tmp_path) if r["type"] == "flow"]
    sizes = [(tmp_path / "bodies" / r["body"]).stat().st_size if r["body"] else 0 for r in flows]
    assert sizes == [1000, 1000, 500, 0]
    assert all(r["body_cut"] for r in flows) and all(r["req_bytes"] == 5000 for r in flows)
    assert all(r["req_sha256"] for r in flows)  # the digest covers the whole body, kept or not


def test_hostile_values_stay_bounded_and_lines_stay_lines(addon: mitm_addon.ConsentHarnessRecorder, tmp_path: Path) -> None:
    f = tflow.tflow(resp=True)
    f.request.data.path = b"/" + "a\u2028b\n".encode() * 5000 + b"\xff\xfe"  # invalid UTF-8 too
    for i in range(200):
        f.request.headers[f"x-h{i}"] = "v" * 10000
    addon.response(f)
    raw = (tmp_path / "flows.jsonl").read_text(encoding="utf-8")
    assert raw.count("\n") == 1
    rec = json.loads(raw)
    assert len(rec["path"]) <= mitm_addon.MAX_PATH and len(rec["headers"]) <= mitm_addon.MAX_HEADERS
    assert all(len(v) <= mitm_addon.MAX_HEADER_CHARS for _k, v in rec["headers"])


def test_tls_failure_and_errors_are_records(addon: mitm_addon.ConsentHarnessRecorder, tmp_path: Path) -> None:
    client = tflow.tclient_conn()
    client.sni = "pinned.example"
    ctx = context.Context(client, Options())
    ctx.server = connection.Server(address=("pinned.example", 443))
    conn = connection.Client(peername=("127.0.0.1", 5555), sockname=("127.0.0.1", 8080), timestamp_start=0.0)
    conn.error = "client refused our certificate"
    addon.tls_failed_client(tls.TlsData(conn, ctx))
    addon.response(object())  # not a flow: ignored, never an exception out of the addon
    addon.tls_failed_client(object())  # broken data: an error record
    recs = _records(tmp_path)
    fail = next(r for r in recs if r["type"] == "tls_failed")
    assert fail["sni"] == "pinned.example" and fail["host"] == "pinned.example" and fail["port"] == 443
    assert "refused" in fail["error"]
    assert any(r["type"] == "error" and r["where"] == "tls_failed_client" for r in recs)
    assert not any(r["type"] == "flow" for r in recs)
