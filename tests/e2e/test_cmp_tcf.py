"""IAB TCF v2.2 consent-management pages in the real Chromium: a CMP built on the IAB's own npm
libraries (@iabtcf/stub, @iabtcf/cmpapi, @iabtcf/core; pinned in tools/cmp/package.json) with a
two-layer banner, TCF-aware ad tags that read ``__tcfapi`` before they fire, served over loopback.

The harness finds the banner and refuses it as a user does (no library ids), then reads the
CMP's own state: the TC data the CMP hands to listeners, recorded by the page agent, the TC
string decoded by the harness. It judges a TC string that still grants after "Reject all"
(R45), legitimate interest left on for purposes that need consent (R46, verdicts from
catalog/tcf.yaml), and tags that fire after the refusal (R10, EU wording). Clean pages stay
clean. Each page's truth is in tests/fixtures/web/cmp/tcf/truth.yaml."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.app import AppConfig
from harness.assemble import sources_for
from harness.catalog.tcf import load_tcf
from harness.devices.web.driver import WebDriver
from harness.events import ApiCall, ConsentDecision, UiAction, UiSnapshot
from harness.findings import Finding
from harness.pipeline import analyze_run
from harness.runner import Runner
from harness.scenarios.loader import load_scenario_file
from harness.tcf import CATEGORY, TC_DATA_API, read_signal
from harness.timeline import Timeline

pytestmark = pytest.mark.chromium
pytest.importorskip("playwright")
if shutil.which("chromium") is None:
    pytest.skip("needs Debian's chromium", allow_module_level=True)

CMP = Path(__file__).resolve().parents[1] / "fixtures" / "web" / "cmp"
sys.path.insert(0, str(CMP))
from serve import NODE_MODULES, CmpServer, tcf_pages  # noqa: E402

TCF_PACKAGES = ("@iabtcf/core", "@iabtcf/cmpapi", "@iabtcf/stub")
if not all((NODE_MODULES / p / "package.json").is_file() for p in TCF_PACKAGES):
    if os.environ.get("CI"):
        raise RuntimeError("tools/cmp/node_modules lacks the @iabtcf packages in CI: make test runs make setup-cmp (npm ci) first")
    pytest.skip("the IAB TCF libraries are not installed: make setup-cmp (npm ci in tools/cmp)", allow_module_level=True)

TRUTH: dict[str, dict[str, Any]] = yaml.safe_load((CMP / "tcf" / "truth.yaml").read_text(encoding="utf-8"))["pages"]
TRACKERS = {"metrics-hub.test", "adnet.test", "cookiematch.test"}
QUICK_W2 = load_scenario_file(CMP / "W2-quick.yaml")
ACCEPT = """id: W3q
name: web-accept-quick
title: Accept the consent banner, then watch
description: the banner is accepted on screen, then the page is watched
steps:
  - launch: {clear: true}
  - wait_idle: 1.0
  - decide_cmp: {choice: accept, wait: 5}
  - observe: 2.0
"""


@pytest.fixture(scope="module")
def server() -> Iterator[CmpServer]:
    srv = CmpServer()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    d = WebDriver(locale="en-GB")
    yield d
    d.close()


def run(page: str, server: CmpServer, browser: WebDriver, tmp_path: Path, scenario: Any = QUICK_W2) -> tuple[list[Any], list[Finding]]:
    url = server.url(page)
    app = AppConfig(package=browser.install(url), label=f"{page} (TCF test page)")
    res = Runner(browser, sources_for(browser), tmp_path).run(app, scenario, app_ref=url)
    return list(Timeline.read(res.run_dir / "timeline.jsonl")), analyze_run(res.run_dir, jurisdiction="eu")


def test_every_tcf_page_has_truth() -> None:
    assert sorted(TRUTH) == tcf_pages()
    assert len({t["lang"] for t in TRUTH.values()}) >= 2
    assert {t["refusal"] for t in TRUTH.values()} == {"first_layer", "settings_layer"}
    assert sum(t["clean"] for t in TRUTH.values()) >= 2
    assert any(t["tc_grants"] for t in TRUTH.values()) and any(t["li_purposes"] for t in TRUTH.values())


@pytest.mark.parametrize("page", sorted(TRUTH))
def test_tcf_page_refused_and_its_consent_signal_judged(page: str, server: CmpServer, browser: WebDriver, tmp_path: Path) -> None:
    truth = TRUTH[page]
    events, all_findings = run(page, server, browser, tmp_path)
    shots = [e for e in events if isinstance(e, UiSnapshot)]
    assert shots and shots[0].screen_kind == "cmp_dialog", (page, [s.screen_kind for s in shots])
    assert not [e for e in events if isinstance(e, UiAction) and e.role == "accept"]
    decisions = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "cmp"]
    assert [d.choice for d in decisions] == ["decline"], decisions
    assert (" > " in decisions[0].how) == (truth["refusal"] == "settings_layer"), decisions[0].how
    # the CMP's own state, read through __tcfapi: a TC string signalled after the refusal, decoded
    signals = [(e, read_signal(e.args)) for e in events if isinstance(e, ApiCall) and e.api_id == TC_DATA_API]
    after = [(e, s) for e, s in signals if s is not None and s.decoded is not None and e.t >= decisions[0].t]
    assert after, [(e.t, e.args[:120]) for e, _ in signals]
    last = after[-1][1]
    assert last.status == "useractioncomplete" and last.decoded is not None
    assert last.decoded.grants() == truth["tc_grants"], last.decoded
    # the tags read the consent through __tcfapi before doing anything: recorded with their party
    readers = {e.sdk for e in events if isinstance(e, ApiCall) and e.category == CATEGORY and e.api_id.startswith("Web.tcfapi#")}
    assert TRACKERS <= readers, readers

    findings = [f for f in all_findings if f.verdict in ("violation", "needs-review")]
    rules = {f.rule_id for f in findings}
    for rule in truth["rules"]:
        assert rule in rules, (page, rule, sorted(rules))
    assert not rules & {"R09", "R45", "R46", "R10"} - set(truth["rules"]), (page, sorted(rules))
    ids = [e for e in events if isinstance(e, ApiCall) and e.category == "ONLINE_ID"]
    if truth["clean"]:
        assert not ids, [(e.sdk, e.api_id, e.args) for e in ids]
        return
    seqs = {e.seq: e for e in events}
    if truth["tc_grants"]:
        (r45,) = [f for f in findings if f.rule_id == "R45"]
        assert r45.verdict == "violation" and r45.title.startswith("Consent signal grants what the user refused")
        assert decisions[0].seq in r45.evidence
        ev = [seqs[s] for s in r45.evidence if isinstance(seqs.get(s), ApiCall)]
        assert ev and ev[0].api_id == TC_DATA_API
        # the decoded string is the evidence: purposes, special features and vendors named
        assert "purposes 1, 2, 3, 4" in r45.message and "vendor(s)" in r45.message and "special features" in r45.message, r45.message
        cites = " ".join(str(c) for c in r45.citations)
        assert "GDPR" in cites and "ePrivacy" in cites and "IAB" in cites, cites
    if truth["li_purposes"]:
        cat = load_tcf()
        r46 = sorted((f for f in findings if f.rule_id == "R46"), key=lambda f: f.subject)
        assert [f.subject for f in r46] == [f"TCF purpose {p}" for p in truth["li_purposes"]]
        for f, p in zip(r46, truth["li_purposes"], strict=True):
            assert f.verdict == cat.consent_only[p].verdict
            assert f"[{cat.consent_only[p].provenance}]" in f.message, f.message
    if "R10" in truth["rules"]:
        r10 = {f.sdk for f in findings if f.rule_id == "R10"}
        assert r10 == TRACKERS, r10
        assert all(e.t >= decisions[0].t for e in ids)
        for f in findings:
            if f.rule_id == "R10":
                assert f.title == "Collection continues after refusal"
                assert "refused consent in the consent banner" in f.message


def test_accepting_grants_and_is_not_judged(server: CmpServer, browser: WebDriver, tmp_path: Path) -> None:
    """The same CMP accepted on screen: its TC string grants everything, which is what the user
    chose, so neither R45 nor R46 is found, and the TCF-aware tags fire (their consent is there)."""
    sc = tmp_path / "W3q.yaml"
    sc.write_text(ACCEPT, encoding="utf-8")
    events, findings = run("tcf-li-fr", server, browser, tmp_path, load_scenario_file(sc))
    assert [(d.subject, d.choice) for d in events if isinstance(d, ConsentDecision)] == [("cmp", "accept")]
    signals = [read_signal(e.args) for e in events if isinstance(e, ApiCall) and e.api_id == TC_DATA_API]
    assert any(s is not None and s.decoded is not None and s.decoded.grants() for s in signals)
    assert not {f.rule_id for f in findings} & {"R45", "R46"}
    assert TRACKERS <= {e.sdk for e in events if isinstance(e, ApiCall) and e.category == "ONLINE_ID"}
