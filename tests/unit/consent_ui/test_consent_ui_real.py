"""The recogniser on 42 real dumps from public repositories (../shared/data/real-ui, read in
place, never copied).  Their labels use other_dialog / normal_screen for every screen that is not a
consent screen; the recogniser's other, login_gate and permission_rationale all mean that."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.consent_ui import read_screen
from harness.consent_ui.evaluate import Report, evaluate, load_labels

NOT_CONSENT = "not_consent"
COLLAPSE = {
    "other_dialog": NOT_CONSENT,
    "normal_screen": NOT_CONSENT,
    "other": NOT_CONSENT,
    "login_gate": NOT_CONSENT,
    "permission_rationale": NOT_CONSENT,
}


@pytest.fixture(scope="module")
def real_dir(shared_dir: Path) -> Path:
    d = shared_dir / "data" / "real-ui"
    if not (d / "LABELS.tsv").is_file():
        pytest.fail(f"real UI dumps not found at {d}")
    return d


@pytest.fixture(scope="module")
def report(real_dir: Path) -> Report:
    return evaluate(load_labels(real_dir / "LABELS.tsv"), real_dir, collapse=COLLAPSE)


def test_real_dumps_kind_and_decline(report: Report) -> None:
    s = report.summary()
    assert len(report.outcomes) == 42
    # reached today: 42/42 kinds, 15/15 decline controls (the set was seen while tuning)
    assert report.kind_accuracy >= 0.95, s["misses"]
    assert report.decline_accuracy >= 0.93, s["misses"]
    for kind in ("permission_dialog", NOT_CONSENT):
        assert report.per_kind[kind]["precision"] >= 0.95 and report.per_kind[kind]["recall"] >= 0.95, (kind, report.per_kind[kind])


def test_every_real_permission_dialog_is_read_with_its_deny_button(report: Report) -> None:
    perm = [o for o in report.outcomes if o.case.kind == "permission_dialog"]
    assert len(perm) == 10
    assert all(o.kind_ok and o.decline_ok for o in perm), [o.case.file for o in perm if not (o.kind_ok and o.decline_ok)]
    groups = {o.case.file: o.reading.permission_group for o in perm if o.reading is not None}
    assert groups["perm_en_location_cameraapp_chaosmonkey.xml"] == "LOCATION"  # the app is called "Camera"
    assert groups["perm_zh_packageinstaller_employeegui.xml"] == "STORAGE"  # the app is called "通讯录"
    assert groups["perm_es_contacts_facebook.xml"] == "CONTACTS"
    assert groups["perm_en_nearby_devices_buccancs.xml"] == "NEARBY_DEVICES"


def test_no_real_preticked_box_is_invented(report: Report) -> None:
    # radios, delete-confirmation boxes and chat toggles are checked, but none is consent
    assert all(o.pre_ok for o in report.outcomes if o.pre_ok is not None)


def test_gbk_bytes_declared_utf8_are_read(real_dir: Path) -> None:
    r = read_screen((real_dir / "normal_zh_weibo_gbk_bytes.xml").read_bytes())
    assert r.language == "zh"
    assert any("gb18030" in x for x in r.reasons)
    assert r.kind == "other"
