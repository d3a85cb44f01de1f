"""The run report's Network section: coverage (requests decrypted, TLS handshakes refused and by
which hosts, QUIC attempts blocked or "not measured"), an honest "what was not seen" sentence,
one row per host with its party, SDK and the consent phase of its first request, and the planted
values found (from analysis.json, the detectors' own matching); absent when a run recorded no
network."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from harness.assemble import AppRequest, run_app
from harness.events import AgentStatus, Event, NetworkConnect, QuicBlocked, TlsFailure
from harness.pipeline import analyze_run
from harness.reporting.build import build_reports, load_run
from harness.rundir import RunDir
from harness.timeline import Timeline


def _run(tmp_path: Path, app: str, scenario: str = "S2") -> Path:
    (out,) = list(run_app(AppRequest(app=app, device="sim", scenario=scenario, results=str(tmp_path), reports=("html",), lang="en")))
    return Path(out.run_dir)


def _section(run_dir: Path) -> str:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    start = html.index('<section id="network">')
    return html[start : html.index("</section>", start)]


def _coverage(sec: str) -> str:
    start = sec.index('id="network-coverage"')
    return sec[start : sec.index("</dl>", start)]


def test_network_section_lists_hosts_parties_and_phases(tmp_path: Path) -> None:
    sec = _section(_run(tmp_path, "net-precollect"))
    assert "6 requests to 2 hosts" in sec
    assert "ulogs.umeng.com" in sec and "api.jpush.cn" in sec
    hosts = sec[sec.index("<h3 class=\"sub\">Hosts</h3>") :]
    umeng = hosts[hosts.index("ulogs.umeng.com") :]
    assert "third" in umeng[:200] and "umeng" in umeng[:200]
    jpush = hosts[hosts.index("api.jpush.cn") :]
    assert "after decline" in jpush[:400]


def test_coverage_says_what_was_read_refused_and_not_measured(tmp_path: Path) -> None:
    cov = _coverage(_section(_run(tmp_path, "net-precollect")))
    assert "Requests decrypted</dt><dd>6 of 6" in cov
    assert "TLS handshakes refused</dt><dd>0" in cov
    # the reference device has no agent refusing UDP/443: never a made-up 0
    assert "QUIC attempts blocked</dt><dd>not measured" in cov
    assert "What was not seen" in cov and "native TLS stacks" in cov and "QUIC / HTTP/3 (not refused in this run" in cov


def test_matches_come_from_analysis_json_with_their_decoded_evidence(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, "net-precollect")
    stored = json.loads(RunDir(run_dir).analysis.read_text(encoding="utf-8"))["network_matches"]
    assert stored and all(m["matches"] for m in stored)
    sec = _section(run_dir)
    table = sec[sec.index('id="network-matches"') :]
    rows = table.split("<tr>")[2:]
    assert len(rows) == sum(len(m["matches"]) for m in stored)
    first = rows[0]
    # the IMEI left as MD5 in base64 inside gzip JSON, before the dialog was answered
    assert "ulogs.umeng.com" in first and "before any prompt" in first and "md5-b64 in the body after gzip" in first
    assert "&#34;di&#34;" in first or '"di"' in first  # the decoded body around the value
    # what the report lists is what analysis.json holds: drop it and the table goes
    data = json.loads(RunDir(run_dir).analysis.read_text(encoding="utf-8"))
    data["network_matches"] = []
    RunDir(run_dir).analysis.write_text(json.dumps(data), encoding="utf-8")
    assert load_run(run_dir).network()["matches"] == []  # type: ignore[index]


def _with(run_dir: Path, extra: list[Event]) -> str:
    """The coverage block after ``extra`` events were added to the run's timeline (analysed and
    reported again)."""
    rd = RunDir(run_dir)
    events = Timeline.read(rd.timeline).snapshot()
    rd.timeline.rename(rd.path / "timeline.old")
    t = events[-1].t
    with Timeline(rd.timeline) as tl:
        tl.extend([*events, *(dataclasses.replace(e, t=t) for e in extra)])
    analyze_run(run_dir)
    build_reports(run_dir, ["html"], lang="en")
    return _coverage(_section(run_dir))


def test_refused_handshakes_are_counted_per_host(tmp_path: Path) -> None:
    extra: list[Event] = [
        TlsFailure(source="network", host="10.0.0.8", sni="api.pinned.example", port=443, error="client refused the certificate"),
        TlsFailure(source="network", host="10.0.0.8", sni="api.pinned.example", port=443, error="client refused the certificate"),
        TlsFailure(source="network", host="10.0.0.9", sni="sdk.tracker.example", port=443, error="client refused the certificate"),
    ]
    cov = _with(_run(tmp_path, "net-precollect"), extra)
    assert "TLS handshakes refused</dt><dd>3 · by 2 hosts" in cov
    assert "api.pinned.example (2), sdk.tracker.example (1)" in cov
    assert "3 refused handshakes here" in cov


def _ready(net: str) -> AgentStatus:
    """The agent's ready record as the decoder writes it (harness.instrumentation.protocol)."""
    return AgentStatus(source="frida", status="ready", hooks=200, message=f"agent 1.0 pid 4242 stacks art-backtrace net {net}, 14 hooks")


def test_quic_attempts_the_agent_blocked_are_counted(tmp_path: Path) -> None:
    extra: list[Event] = [
        _ready("redirect+quic+trust+unpin"),
        NetworkConnect(source="frida", token="c1", host="ulogs.umeng.com", port=443, via="java.net.Socket.connect"),
        QuicBlocked(source="frida", host="142.250.1.1", port=443, via="java.net.DatagramSocket.send", count=3),
        QuicBlocked(source="frida", host="142.250.1.2", port=443, via="libc sendto", count=2),
    ]
    cov = _with(_run(tmp_path, "net-precollect"), extra)
    assert "QUIC attempts blocked</dt><dd>5 <span" in cov


def test_an_active_refusal_without_quic_attempts_counts_zero(tmp_path: Path) -> None:
    cov = _with(_run(tmp_path, "net-precollect"), [_ready("redirect+quic+trust+unpin")])
    assert "QUIC attempts blocked</dt><dd>0 <span" in cov
    assert "UDP hooks do not cover (raw system calls)" in cov


def test_a_redirect_with_quic_allowed_is_not_measured(tmp_path: Path) -> None:
    extra: list[Event] = [_ready("redirect+trust+unpin"), NetworkConnect(source="frida", token="c1", host="ulogs.umeng.com", port=443)]
    cov = _with(_run(tmp_path, "net-precollect"), extra)
    assert "QUIC attempts blocked</dt><dd>not measured" in cov


def test_no_network_no_section(tmp_path: Path) -> None:
    html = (_run(tmp_path, "demo-clean") / "report.html").read_text(encoding="utf-8")
    assert 'id="network"' not in html and 'href="#network"' not in html
