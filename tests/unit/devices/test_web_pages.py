"""The web corpus without a browser: every reference H5 page has a valid page model (label,
profile, features, truth in the calibration corpus's shape), the corpus covers the three seed
scenarios with planted pages and clean controls, every third party a page loads is a reserved
``.test`` host, the loopback server hands out pages and scripts but never the page models, and
the report target says reference page or real URL from run.json alone."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.catalog.profiles import app_profile
from harness.devices.web.pages import SEEDS, page_model, page_names, server
from harness.errors import InputError
from harness.reporting.target import target_of
from harness.rundir import RunInfo

if TYPE_CHECKING:
    from conftest import Corpora

REPO = Path(__file__).resolve().parents[3]
PAGES = REPO / "harness" / "devices" / "web" / "pages"
WEB_SCENARIOS = ("W1", "W2", "W3", "W4")



@pytest.mark.parametrize("name", page_names())
def test_page_model_is_valid_and_its_truth_validates(name: str, corpora: Corpora) -> None:
    m = page_model(name)
    assert m.name == name and m.label and m.seed in SEEDS
    app_profile(m.profile)  # a known app-type profile (raises otherwise)
    assert any(f.basic for f in m.features), "every page names its basic function (W2/W3 try it)"
    truth = corpora.truth([m], WEB_SCENARIOS)
    assert bool(truth) != m.clean
    assert {t.scenario for t in truth} <= set(WEB_SCENARIOS)
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    for f in m.features:  # every control a feature taps exists on the page
        for tap in f.taps:
            assert f'id="{tap}"' in html or f">{tap}<" in html, f"{name}: feature {f.name} taps {tap!r}, not on the page"


def test_corpus_covers_every_seed_with_planted_pages_and_clean_controls() -> None:
    models = [page_model(n) for n in page_names()]
    for seed in SEEDS:
        mine = [m for m in models if m.seed == seed]
        assert any(m.clean for m in mine), f"{seed}: no clean control"
        assert any(not m.clean for m in mine), f"{seed}: no planted page"
    # lawful-but-unusual controls the corpus promises (docs/corpus.md): an English page and a
    # notice that is a bottom sheet rather than a modal
    langs = {re.search(r'<html lang="([^"]+)"', (PAGES / f"{m.name}.html").read_text(encoding="utf-8")).group(1) for m in models if m.clean}  # type: ignore[union-attr]
    assert "en" in langs and "zh-CN" in langs


@pytest.mark.parametrize("name", page_names())
def test_every_host_a_page_names_is_reserved(name: str) -> None:
    """Nothing a reference page loads may leave the machine: every absolute URL is under .test,
    or one the web driver answers itself (the in-app authorisation endpoint, the JS-SDK script)."""
    from harness.devices.web import driver

    texts = [(PAGES / f"{name}.html").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in PAGES.glob("*.js")]
    for text in texts:
        for url in re.findall(r"https?://[A-Za-z0-9.-]+[^\s\"'<>]*", text):
            host = re.match(r"https?://([A-Za-z0-9.-]+)", url).group(1)  # type: ignore[union-attr]
            answered = driver._OAUTH_RE.match(url) or driver._JSSDK_RE.match(url)
            assert host.endswith(".test") or answered, f"{name}: {url[:80]} is neither a reserved .test host nor answered by the driver"


def test_malformed_page_model_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.devices.web import pages

    (tmp_path / "bad.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("label: x\nprofile: parking_payment\nseed: moon\n", encoding="utf-8")
    monkeypatch.setattr(pages, "_dir", lambda: tmp_path)
    pages.page_model.cache_clear()
    try:
        with pytest.raises(InputError, match=r"bad\.yaml: 'seed' must be one of"):
            pages.page_model("bad")
        (tmp_path / "bad.yaml").write_text("label: x\nprofile: parking_payment\nseed: parking\ntruths: []\n", encoding="utf-8")
        pages.page_model.cache_clear()
        with pytest.raises(InputError, match="unknown key"):
            pages.page_model("bad")
    finally:
        pages.page_model.cache_clear()


def test_server_hands_out_pages_and_scripts_not_models() -> None:
    srv = server()
    base = f"http://127.0.0.1:{srv.port}"
    with urllib.request.urlopen(f"{base}/parking-clean.html", timeout=5) as r:  # noqa: S310 - loopback
        assert "城泊" in r.read().decode("utf-8")
    with urllib.request.urlopen(f"{base}/union.js", timeout=5) as r:  # noqa: S310
        assert r.status == 200
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(f"{base}/parking-clean.yaml", timeout=5)  # noqa: S310
    exc.value.close()
    assert exc.value.code == 404


def _info(extra: dict[str, object], simulated: bool) -> RunInfo:
    return RunInfo(run_id="r", package="test.example.shop", app="x", scenario="W1", device={}, simulated=simulated, harness_version="0", extra=extra)


def test_target_from_run_json() -> None:
    page = target_of(_info({"target": {"kind": "reference-page", "simulated": True, "page": "parking-gate", "url": "http://shop.example.test:1/parking-gate.html"}}, True))
    assert page.kind == "reference-page" and page.simulated and "parking-gate" in page.sentence and "模拟目标" in page.sentence_zh
    url = target_of(_info({"target": {"kind": "url", "simulated": False, "url": "https://order.example.cn/t/12"}}, False))
    assert url.kind == "url" and not url.simulated and "https://order.example.cn/t/12" in url.sentence
    assert target_of(_info({}, True)).kind == "reference-app"  # a run folder from before targets were recorded
    assert target_of(_info({"target": "garbage"}, False)).kind == "app"
