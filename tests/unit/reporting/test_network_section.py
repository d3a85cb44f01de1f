"""The run report's Network section: counts, TLS coverage and one row per host with its party,
SDK and the consent phase of its first request; absent when a run recorded no network."""

from __future__ import annotations

from pathlib import Path

from harness.assemble import AppRequest, run_app


def _report(tmp_path: Path, app: str) -> str:
    (out,) = list(run_app(AppRequest(app=app, device="sim", scenario="S2", results=str(tmp_path), reports=("html",))))
    return (out.run_dir / "report.html").read_text(encoding="utf-8")


def test_network_section_lists_hosts_parties_and_phases(tmp_path: Path) -> None:
    html = _report(tmp_path, "net-precollect")
    sec = html[html.index('<section id="network">') : html.index("</section>", html.index('<section id="network">'))]
    assert "6 requests, 6 read over TLS, 0 in plain http" in sec
    assert "ulogs.umeng.com" in sec and "api.jpush.cn" in sec
    umeng = sec[sec.index("ulogs.umeng.com") :]
    assert "third" in umeng[:200] and "umeng" in umeng[:200]
    jpush = sec[sec.index("api.jpush.cn") :]
    assert "after decline" in jpush[:400]


def test_no_network_no_section(tmp_path: Path) -> None:
    assert 'id="network"' not in _report(tmp_path, "demo-clean")
