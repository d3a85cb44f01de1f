"""The labelled corpus: its shape, that it is what make_corpus.py writes, and the recogniser's
accuracy on it (per-kind precision/recall, decline control, pre-ticked, ambiguity, group)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import make_corpus
import pytest

from harness.consent_ui import KINDS, read_screen
from harness.consent_ui.evaluate import Report, evaluate, load_labels

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
LABELS = HERE / "labels.tsv"

# Bars the recogniser must keep on its own corpus (it reaches 1.0 on each today; the margin
# lets a lexicon change trade one screen for several without failing the build).
BAR_KIND_ACCURACY = 0.95
BAR_PER_KIND = 0.85
BAR_DECLINE = 0.95
BAR_FLAGS = 0.95


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


#: Batch 4 (issue 17) was scored once with the recogniser as it was before it was changed
#: (docs/corpus.md): 19/63 screen kinds, 23/55 decline controls.  It now keeps the same bars as
#: the rest of the corpus.
BATCH4_FIRST_PASS_KIND = 19 / 63
BATCH4_FIRST_PASS_DECLINE = 23 / 55


#: Batch 5 was written after the issue-17 change and scored once unseen: 26/30 kinds, 16/26
#: decline controls (docs/corpus.md); it too keeps the corpus bars now.
BATCH5_FIRST_PASS_KIND = 26 / 30
BATCH5_FIRST_PASS_DECLINE = 16 / 26


def _batch4(name: str) -> bool:
    return name.startswith(("b4_", "b5_"))


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate([c for c in load_labels(LABELS) if not _batch4(c.file)], CORPUS)


@pytest.fixture(scope="module")
def report_b4() -> Report:
    return evaluate([c for c in load_labels(LABELS) if _batch4(c.file)], CORPUS)


def test_batch4_meets_the_bars(report_b4: Report) -> None:
    assert len(report_b4.outcomes) == 63 + 30
    first_kind = max(BATCH4_FIRST_PASS_KIND, BATCH5_FIRST_PASS_KIND)
    first_decline = max(BATCH4_FIRST_PASS_DECLINE, BATCH5_FIRST_PASS_DECLINE)
    assert report_b4.kind_accuracy >= max(BAR_KIND_ACCURACY, first_kind), report_b4.summary()["misses"]
    assert report_b4.decline_accuracy >= max(BAR_DECLINE, first_decline), report_b4.summary()["misses"]


def test_whole_corpus_meets_the_bars() -> None:
    rep = evaluate(load_labels(LABELS), CORPUS)
    assert rep.kind_accuracy >= BAR_KIND_ACCURACY and rep.decline_accuracy >= BAR_DECLINE, rep.summary()["misses"]


def test_corpus_has_the_promised_shape(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 120
    files = {r["file"] for r in rows}
    assert files == {p.name for p in CORPUS.glob("*.xml")}, "labels.tsv and corpus/ disagree"
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == set(KINDS), kinds
    assert all(n >= 8 for n in kinds.values()), kinds
    dialects = Counter(r["dialect"] for r in rows)
    assert dialects["appium"] >= 20 and dialects["ua"] >= 60 and dialects["ua_pretty"] >= 5, dialects
    langs = Counter(r["lang"] for r in rows)
    assert langs["zh"] >= 40 and langs["en"] >= 40 and sum(n for lang, n in langs.items() if lang not in ("zh", "en")) >= 5, langs
    notes = " ".join(r["note"] + " " + r["file"] for r in rows).lower()
    for must in ("miui", "hyperos", "emui", "harmony", "coloros", "originos", "one ui", "api 23", "ump", "onetrust", "didomi",
                 "usercentrics", "sourcepoint", "consentmanager", "anr", "usb", "gbk"):
        assert must in notes, f"no corpus screen covers {must!r}"
    assert sum(r["ambiguous"] == "yes" for r in rows) >= 5
    assert sum(r["pre_ticked"] == "yes" for r in rows) >= 5


def test_corpus_files_are_what_the_generator_writes() -> None:
    entries = make_corpus.build()
    assert len(entries) == len(list(CORPUS.glob("*.xml")))
    for e in entries:
        assert (CORPUS / e.file).read_bytes() == e.data, f"{e.file} differs: run python tests/unit/consent_ui/make_corpus.py"
    assert LABELS.read_text(encoding="utf-8") == make_corpus.labels_tsv(entries)


def test_every_corpus_dump_parses_in_both_dialects(rows: list[dict[str, str]]) -> None:
    for r in rows:
        reading = read_screen((CORPUS / r["file"]).read_bytes())
        assert reading.kind in KINDS
        assert reading.reasons, r["file"]


def test_kind_accuracy_and_per_kind_precision_recall(report: Report) -> None:
    s = report.summary()
    assert report.kind_accuracy >= BAR_KIND_ACCURACY, s["misses"]
    for kind, m in report.per_kind.items():
        assert m["precision"] >= BAR_PER_KIND, (kind, m, s["misses"])
        assert m["recall"] >= BAR_PER_KIND, (kind, m, s["misses"])


def test_decline_control_accuracy(report: Report) -> None:
    assert report.decline_cases >= 90
    assert report.decline_accuracy >= BAR_DECLINE, report.summary()["misses"]


def test_pre_ticked_ambiguous_and_group_accuracy(report: Report) -> None:
    assert report.pre_ticked_accuracy is not None and report.pre_ticked_accuracy >= BAR_FLAGS
    assert report.ambiguous_accuracy is not None and report.ambiguous_accuracy >= BAR_FLAGS
    assert report.group_accuracy is not None and report.group_accuracy >= BAR_FLAGS
    wrong = [o.case.file for o in report.outcomes if o.pre_ok is False or o.amb_ok is False or o.group_ok is False]
    assert len(wrong) <= 0.05 * len(report.outcomes), wrong


def test_negatives_never_read_as_consent_screens(report: Report) -> None:
    consent = {"permission_dialog", "privacy_dialog", "cmp_dialog", "second_confirm"}
    bad = [o.case.file for o in report.outcomes if o.case.kind == "other" and o.got in consent]
    assert bad == []
