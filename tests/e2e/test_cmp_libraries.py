"""Real consent-management libraries from npm (vanilla-cookieconsent, klaro, Osano's
cookieconsent; pinned in tools/cmp/package.json), on test pages served over loopback, in the real
Chromium: the harness finds each banner by reading the page as a user does (no library's ids or
class names), refuses it (a reject button, or the settings layer), and checks that no tracker
request, cookie or storage write follows. The misconfigured pages are caught with R09/R10 in EU
wording, the evidence pointing at the request or cookie; pages that offer no refusal get R12.

Each page's truth is in tests/fixtures/web/cmp/truth.yaml."""

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
from harness.devices.web.driver import WebDriver
from harness.events import ApiCall, ConsentDecision, ErrorRecord, NetworkFlow, UiAction, UiSnapshot
from harness.findings import Finding
from harness.pipeline import analyze_run
from harness.runner import Runner
from harness.scenarios.loader import load_scenario_file
from harness.timeline import Timeline

pytestmark = pytest.mark.chromium
pytest.importorskip("playwright")
if shutil.which("chromium") is None:
    pytest.skip("needs Debian's chromium", allow_module_level=True)

CMP = Path(__file__).resolve().parents[1] / "fixtures" / "web" / "cmp"
sys.path.insert(0, str(CMP))
from serve import NODE_MODULES, PACKAGES, CmpServer, pages  # noqa: E402

if not all((NODE_MODULES / p / "package.json").is_file() for p in PACKAGES):
    if os.environ.get("CI"):
        raise RuntimeError("tools/cmp/node_modules is missing in CI: make test runs make setup-cmp (npm ci) first")
    pytest.skip("the CMP libraries are not installed: make setup-cmp (npm ci in tools/cmp)", allow_module_level=True)

TRUTH: dict[str, dict[str, Any]] = yaml.safe_load((CMP / "truth.yaml").read_text(encoding="utf-8"))["pages"]
TRACKERS = {"metrics-hub.test", "adnet.test", "cookiematch.test"}
QUICK_W2 = load_scenario_file(CMP / "W2-quick.yaml")


@pytest.fixture(scope="module")
def server() -> Iterator[CmpServer]:
    srv = CmpServer()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """One Chromium for the pages of a worker (each run starts from a fresh, empty browser
    context: launch with clear); the end-to-end command-line run below starts its own."""
    d = WebDriver(locale="en-GB")
    yield d
    d.close()


def refuse(page: str, server: CmpServer, browser: WebDriver, tmp_path: Path) -> tuple[list[Any], list[Finding]]:
    """The harness's refusal (W2's decide step, shorter waits) on one page, judged in EU terms."""
    url = server.url(page)
    app = AppConfig(package=browser.install(url), label=f"{page} (CMP test page)")
    res = Runner(browser, sources_for(browser), tmp_path).run(app, QUICK_W2, app_ref=url)
    return list(Timeline.read(res.run_dir / "timeline.jsonl")), analyze_run(res.run_dir, jurisdiction="eu")


def test_every_page_has_truth() -> None:
    assert sorted(TRUTH) == pages()
    libraries = {t["library"] for t in TRUTH.values()}
    assert libraries == {"vanilla-cookieconsent", "klaro", "cookieconsent"}
    # each library refused on its first layer and (klaro, vanilla-cookieconsent) its settings layer,
    # each caught when misconfigured, in more than one language
    for lib in libraries:
        ways = {t["refusal"] for t in TRUTH.values() if t["library"] == lib}
        assert "first_layer" in ways and any(not t["clean"] for t in TRUTH.values() if t["library"] == lib)
    assert {"settings_layer"} <= {t["refusal"] for t in TRUTH.values() if t["library"] == "klaro"}
    assert {"settings_layer"} <= {t["refusal"] for t in TRUTH.values() if t["library"] == "vanilla-cookieconsent"}
    assert len({t["lang"] for t in TRUTH.values()}) >= 4


@pytest.mark.parametrize("page", sorted(TRUTH))
def test_cmp_page_refused_like_a_user(page: str, server: CmpServer, browser: WebDriver, tmp_path: Path) -> None:
    truth = TRUTH[page]
    events, all_findings = refuse(page, server, browser, tmp_path)
    shots = [e for e in events if isinstance(e, UiSnapshot)]
    assert shots and shots[0].screen_kind == "cmp_dialog", (page, [s.screen_kind for s in shots])
    # never an accept on the user's behalf
    assert not [e for e in events if isinstance(e, UiAction) and e.role == "accept"]
    decisions = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "cmp"]
    if truth["refusal"] == "none":
        assert not decisions
        assert any(isinstance(e, ErrorRecord) and "no way to refuse" in e.message for e in events)
    else:
        assert [d.choice for d in decisions] == ["decline"], decisions
        layered = " > " in decisions[0].how
        assert layered == (truth["refusal"] == "settings_layer"), decisions[0].how
        after = [s for s in shots if s.seq > decisions[0].seq]
        assert after and after[-1].screen_kind != "cmp_dialog", "the banner is still there after the refusal"
    ids = [e for e in events if isinstance(e, ApiCall) and e.category == "ONLINE_ID"]
    findings = [f for f in all_findings if f.verdict in ("violation", "needs-review")]
    by_rule: dict[str, set[str]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, set()).add(f.sdk or "")
    for rule in truth["rules"]:
        assert rule in by_rule, (page, rule, sorted(by_rule))
    if truth["clean"]:
        # no tracker request, cookie or storage write at all: before the refusal nothing was
        # allowed, after it nothing may start
        assert not ids, [(e.sdk, e.api_id, e.args) for e in ids]
        assert not {h for h in (f.host for f in events if isinstance(f, NetworkFlow)) if h.split(".", 1)[-1] in TRACKERS}
        assert not {"R09", "R10", "R33"} & set(by_rule), sorted(by_rule)
        return
    rule = truth["caught_by"]
    assert by_rule.get(rule, set()) >= TRACKERS, (page, sorted(by_rule.items()))
    other = "R10" if rule == "R09" else "R09"
    assert not by_rule.get(other), f"{page}: the tags fire {'before any choice' if rule == 'R09' else 'after the refusal'} only"
    seqs = {e.seq: e for e in events}
    for f in all_findings:
        if f.rule_id != rule:
            continue
        assert f.title == ("Personal data accessed before consent" if rule == "R09" else "Collection continues after refusal")
        cites = " ".join(str(c) for c in f.citations)
        assert "ePrivacy" in cites or "eprivacy" in cites.lower(), cites
        assert "GDPR" in cites or "gdpr" in cites.lower(), cites
        ev = [seqs[s] for s in f.evidence if isinstance(seqs.get(s), ApiCall)]
        assert ev and all(e.category == "ONLINE_ID" and e.sdk == f.sdk for e in ev)
        # the evidence names what was stored or sent: a request to the party's host, or a cookie
        assert any(f.sdk in e.args or e.api_id.startswith("Web.document.cookie") or e.api_id == "Web.storage.setItem" for e in ev), [e.args for e in ev]
        if decisions and rule == "R10":
            assert all(e.t >= decisions[0].t for e in ev)
            assert "refused consent in the consent banner" in f.message, f.message
        assert f.message.startswith("ONLINE_ID (cookies, storage, tracking requests)"), f.message


def test_w2_from_the_command_line_catches_a_misconfigured_klaro(server: CmpServer, tmp_path: Path) -> None:
    """End to end as a lab runs it: consent-harness run --device web --jurisdiction eu --scenario W2
    on a page whose tags run after the refusal; exit 1 (a high finding), R10 in EU wording in
    findings.json."""
    import json
    import subprocess

    # its own process: this worker's shared browser holds Playwright's sync API in this thread
    args = ["run", "--device", "web", "--app", server.url("klaro-broken-de"), "--scenario", "W2", "--jurisdiction", "eu", "--results", str(tmp_path), "--no-report"]
    proc = subprocess.run([sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main(sys.argv[1:]))", *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    rows = [json.loads(line) for line in (run / "findings.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    r10 = {f["sdk"] for f in rows if f["rule_id"] == "R10"}
    assert all(f["title"] == "Collection continues after refusal" for f in rows if f["rule_id"] == "R10")
    assert r10 >= TRACKERS, rows
    assert not {f["sdk"] for f in rows if f["rule_id"] == "R09"}
