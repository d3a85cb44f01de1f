"""The web corpus in a real Chromium (a representative, time-bounded part of
``python bench/accuracy.py --corpus web``): reference H5 pages with planted violations and
clean controls, judged by the detectors, scored against the truth their page models carry.
Precision and recall must both be 1.0 and the clean controls clean; a drop fails here, naming
what was missed or flagged."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from harness.catalog.rules import load_rules
from harness.devices.web.pages import page_model

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
)


def _bench() -> ModuleType:
    name = "bench_accuracy_web_e2e"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "accuracy.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_web_corpus_part_is_exact(tmp_path: Path) -> None:
    bench = _bench()
    outcomes = []
    for page, scenario in SUBSET:
        got, _ = bench.run_web_corpus([page], scenario, tmp_path)
        outcomes += got
    assert not bench._broken(outcomes, steps_may_fail=True)
    rules = list(load_rules().rules)
    pages = sorted({p for p, _ in SUBSET})
    truth = [t for p in pages for t in bench.truth_of(page_model(p), scenarios=["W1", "W2", "W3"], rules=rules) if (p, t.scenario) in SUBSET]
    assert truth, "the part must hold planted behaviours"
    clean = [p for p in pages if page_model(p).clean]
    assert clean, "the part must hold a clean control"
    sc = bench.score(outcomes, truth, clean, bench.default_sdk_resolver())
    problems = [f"missed {t.label()}: {t.why}" for t, _ in sc.misses]
    problems += [f"clean control flagged: {u.label()} {u.message[:120]}" for u in sc.control_flags]
    problems += [f"false positive: {u.label()} {u.message[:120]}" for u in sc.false_positives]
    assert not problems, "\n".join(problems)
    assert sc.precision == 1.0 and sc.recall == 1.0
