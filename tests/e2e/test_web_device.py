"""The web device kind end to end in a real Chromium (Debian's, through Playwright), on a
reference H5 page served on loopback: the DOM is read by the same recogniser (the privacy
notice is a privacy dialog), the page agent records a third-party script reading the location
before the notice is answered, the page's requests are NetworkFlows, and the detectors judge it
like an app. Bad input: file:/javascript:/data: URLs exit 2, an unreachable URL exits 3."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from harness.assemble import AppRequest, run_app
from harness.cli import main
from harness.events import ApiCall, NetworkFlow, UiSnapshot
from harness.scenarios.loader import load_scenario_file
from harness.timeline import Timeline

pytestmark = pytest.mark.chromium
pytest.importorskip("playwright")
if shutil.which("chromium") is None:
    pytest.skip("needs Debian's chromium", allow_module_level=True)

W1 = Path(__file__).resolve().parents[2] / "harness" / "devices" / "web" / "scenarios" / "W1.yaml"


def test_reference_page_w1(tmp_path: Path) -> None:
    (out,) = list(run_app(AppRequest(app="scan-order", device="web", results=str(tmp_path), reports=("html",)), scenarios=[load_scenario_file(W1)]))
    events = Timeline.read(out.run_dir / "timeline.jsonl")
    shots = [e for e in events if isinstance(e, UiSnapshot)]
    assert shots and shots[0].screen_kind == "privacy_dialog"
    loc = [e for e in events if isinstance(e, ApiCall) and e.category == "LOCATION"]
    assert loc and loc[0].sdk == "tracker.test" and "hm.tracker.test" in loc[0].caller
    flows = [e for e in events if isinstance(e, NetworkFlow)]
    assert any(f.host == "hm.tracker.test" and f.path == "/collect" and f.method == "POST" for f in flows)
    rules = {(f.rule_id, f.sdk) for f in out.findings}
    assert ("R09", "tracker.test") in rules and ("R33", "tracker.test") in rules
    assert (out.run_dir / "report.html").is_file()


def test_web_suite_by_id_and_all() -> None:
    """On the web device, 'all' is its own suite (W1, W2) and W ids resolve; S ids still do."""
    from harness.assemble import Assembly

    asm = Assembly(AppRequest(app="scan-order", device="web", scenario="all"))
    assert [s.id for s in asm.scenarios()] == ["W1", "W2"]
    asm2 = Assembly(AppRequest(app="scan-order", device="web", scenario="W2,S1"))
    assert [s.id for s in asm2.scenarios()] == ["W2", "S1"]
    assert [s.id for s in Assembly(AppRequest(app="demo-clean", device="sim", scenario="all")).scenarios()] == ["S1", "S2", "S3", "S4", "S5"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_non_http_urls_are_refused(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--device", "web", "--app", url, "--scenario", "W1", "--results", str(tmp_path)]) == 2
    assert "http and https URLs only" in capsys.readouterr().err


def test_unreachable_url_is_an_infrastructure_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["run", "--device", "web", "--app", f"http://127.0.0.1:{port}/", "--scenario", "W1", "--results", str(tmp_path)]) == 3


W2 = W1.with_name("W2.yaml")


def test_reference_page_w2_declines_on_screen(tmp_path: Path) -> None:
    """The refusal is a real touch on the page's own button; what the page does after it is on
    record and judged (the page subscribes to the location after the refusal)."""
    from harness.events import ConsentDecision

    (out,) = list(run_app(AppRequest(app="scan-order", device="web", results=str(tmp_path), reports=()), scenarios=[load_scenario_file(W2)]))
    events = Timeline.read(out.run_dir / "timeline.jsonl")
    decisions = [e for e in events if isinstance(e, ConsentDecision) and e.subject == "privacy_policy"]
    assert decisions and decisions[0].choice == "decline"
    after = [e for e in events if isinstance(e, UiSnapshot) and e.seq > decisions[0].seq]
    assert after and after[-1].screen_kind != "privacy_dialog"  # the tap closed the notice
    watch = [e for e in events if isinstance(e, ApiCall) and e.api_id == "Web.geolocation.watchPosition"]
    assert watch and watch[0].seq > decisions[0].seq and watch[0].sdk == "app"
    assert ("R10", "app") in {(f.rule_id, f.sdk) for f in out.findings}
