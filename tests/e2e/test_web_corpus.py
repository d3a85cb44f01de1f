"""The web corpus in a real Chromium (a representative, time-bounded part of
``python bench/accuracy.py --corpus web``): reference H5 pages with planted violations and
clean controls, judged by the detectors, scored against the truth their page models carry.
Precision and recall must both be 1.0 and the clean controls clean; a drop fails here, naming
what was missed or flagged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.devices.web.pages import page_model

if TYPE_CHECKING:
    from conftest import Corpora

pytestmark = pytest.mark.chromium
pytest.importorskip("playwright")
if shutil.which("chromium") is None:
    pytest.skip("needs Debian's chromium", allow_module_level=True)

REPO = Path(__file__).resolve().parents[2]

#: (page, scenario): every seed, planted pages and clean controls, the recogniser's and the
#: detectors' hard cases (a notice with nothing but 我知道了 over the page; fingerprinting before
#: consent and after a refusal; a bottom-sheet notice over a usable page that draws on a canvas
#: when the user orders).
SUBSET = (
    ("parking-implied", "W1"),
    ("powerbank-after-decline", "W2"),
    ("order-clean-sheet", "W2"),
    ("parking-gate", "W2"),
    # a user who allowed location (W4): the planted position sent to a third party in GCJ-02
    # (R34), and the clean control that sends it to its own API only
    ("parking-wx-gcj", "W4"),
    ("powerbank-geo-clean", "W4"),
)



def test_web_corpus_part_is_exact(corpora: Corpora, tmp_path: Path) -> None:
    bench = corpora.bench
    outcomes = []
    for page, scenario in SUBSET:
        got, _ = bench.run_web_corpus([page], scenario, tmp_path)
        outcomes += got
    assert not bench._broken(outcomes, steps_may_fail=True)
    pages = sorted({p for p, _ in SUBSET})
    truth = [t for t in corpora.truth([page_model(p) for p in pages], ["W1", "W2", "W3", "W4"]) if (t.app, t.scenario) in SUBSET]
    assert truth, "the part must hold planted behaviours"
    clean = [p for p in pages if page_model(p).clean]
    assert clean, "the part must hold a clean control"
    sc = bench.score(outcomes, truth, clean, bench.default_sdk_resolver())
    problems = [f"missed {t.label()}: {t.why}" for t, _ in sc.misses]
    problems += [f"clean control flagged: {u.label()} {u.message[:120]}" for u in sc.control_flags]
    problems += [f"false positive: {u.label()} {u.message[:120]}" for u in sc.false_positives]
    assert not problems, "\n".join(problems)
    assert sc.precision == 1.0 and sc.recall == 1.0
