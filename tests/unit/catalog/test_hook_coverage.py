"""The hook catalogue measured against external data (bench/hook_coverage.py): the Axplorer maps'
data-reading methods, the public API 35/36 stubs and the maps' per-level listings."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from harness.catalog import apis as A

REPO = Path(__file__).resolve().parents[3]


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hook_coverage", REPO / "bench" / "hook_coverage.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["hook_coverage"] = mod  # dataclasses look their module up while defining
    spec.loader.exec_module(mod)
    return mod


HC = _bench()


def test_yardstick_data_has_provenance_and_a_real_size() -> None:
    y = HC.yardstick()
    inputs = y["provenance"]["inputs"]
    assert inputs["axplorer"]["pypi"] == "androguard==4.1.4" and len(inputs["axplorer"]["sha256"]) == 64
    assert {"stubs35", "stubs36", "pscout"} <= set(inputs)
    reads = y["reads"]
    assert len(reads) >= 100
    groups = {g for e in reads for g in e["groups"]}
    assert {"phone_state", "location", "wifi", "bluetooth", "network", "accounts", "usage"} <= groups
    # public SDK data: a known public method, a known hidden one, inherited lookup
    assert HC.method_exists("android.telephony.TelephonyManager", "getImei")
    assert not HC.method_exists("android.telephony.TelephonyManager", "getMsisdn")
    assert HC.method_exists("android.provider.Settings$Secure", "getString")
    assert HC.method_levels("android.os.SystemProperties", "get") is None


def test_catalogue_meets_the_floors_with_no_nonexistent_hook_point() -> None:
    r = HC.measure()
    assert r.ratio("overall") >= 0.8
    for g in r.coverage:
        assert r.ratio(g) >= 0.6, (g, r.coverage[g])
    assert r.nonexistent == []
    assert r.ranges == []
    assert r.failures(0.8, 0.6) == []


def test_a_made_up_hook_point_a_mislabelled_hidden_one_and_a_wrong_range_are_caught() -> None:
    base = list(A.load_apis())
    fake = dataclasses.replace(A.api_by_id("TelephonyManager.getLine1Number"), id="TelephonyManager.getLine2Number", method="getLine2Number")
    hidden_lie = dataclasses.replace(A.api_by_id("TelephonyManager.getImei"), origin="hidden")
    late_min = dataclasses.replace(A.api_by_id("TelephonyManager.getDeviceId"), api_min=26)
    removed_lie = dataclasses.replace(A.api_by_id("Camera.open"), api_max=20)
    r = HC.measure([*base, fake, hidden_lie, late_min, removed_lie])
    text = "\n".join(r.nonexistent + r.ranges)
    assert "getLine2Number is not a public method" in text
    assert "marked hidden but android.telephony.TelephonyManager.getImei is public" in text
    assert "TelephonyManager.getDeviceId: api min 26 but the method is listed at API" in text
    assert "Camera.open: marked removed after API 20" in text


def test_coverage_drops_when_entries_are_off_and_the_floor_fails() -> None:
    apis = [dataclasses.replace(a, enabled=False) if a.cls.startswith("android.bluetooth") else a for a in A.load_apis()]
    r = HC.measure(apis)
    assert r.ratio("bluetooth") == 0.0
    assert any("group bluetooth" in f for f in r.failures(0.8, 0.6))


@pytest.mark.parametrize("floor", ["0.8", "1.01"])
def test_bench_script_exit_code_and_last_line(floor: str) -> None:
    out = subprocess.run([sys.executable, str(REPO / "bench" / "hook_coverage.py"), "--floor", floor],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    last = json.loads(out.stdout.strip().splitlines()[-1])
    assert last["nonexistent"] == 0 and last["methods"] >= 100
    if floor == "0.8":
        assert out.returncode == 0 and last["ok"] is True and last["overall"] >= 0.8
    else:
        assert out.returncode == 1 and last["ok"] is False and "FAIL overall coverage" in out.stdout
