"""``consent-harness static`` (harness.static_check.main) and the end-to-end path: a reference-device
run whose run.json carries the manifest facts and whose analysis holds the static findings."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "devices"))
from apk_builder import Element, write_apk  # noqa: E402

from harness.assemble import resolve_app  # noqa: E402
from harness.devices.sim import SimDriver, SimInstrumentation  # noqa: E402
from harness.pipeline import analyze_run  # noqa: E402
from harness.rundir import RunDir  # noqa: E402
from harness.runner import Runner  # noqa: E402
from harness.scenarios import resolve_scenarios  # noqa: E402
from harness.static_check import main  # noqa: E402


def apk(tmp_path: Path, *perms: str, debuggable: bool = False) -> Path:
    tree = Element(
        "manifest",
        {"package": "com.example.lamp"},
        [
            Element("uses-sdk", {"android:minSdkVersion": 24, "android:targetSdkVersion": 34}),
            *(Element("uses-permission", {"android:name": p}) for p in perms),
            Element("application", {"android:debuggable": debuggable, "android:allowBackup": False}, []),
        ],
    )
    return write_apk(tmp_path / "lamp.apk", tree)


def run_main(*argv: str) -> tuple[int, str]:
    buf = io.StringIO()
    return main(list(argv), out=buf), buf.getvalue()


def test_json_output_and_exit_codes(tmp_path: Path) -> None:
    path = apk(tmp_path, "android.permission.QUERY_ALL_PACKAGES", "android.permission.READ_SMS", debuggable=True)
    rc, out = run_main(str(path), "--format", "json", "--app-type", "parking_payment", "--fail-on", "medium")
    doc = json.loads(out)
    assert rc == 1
    assert doc["manifest"]["package"] == "com.example.lamp" and doc["manifest"]["debuggable"] is True
    assert sorted((f["rule_id"], f["verdict"]) for f in doc["findings"]) == [("R25", "info"), ("R30", "violation"), ("R39", "info")]
    rc_high, _ = run_main(str(path), "--format", "json", "--app-type", "parking_payment")
    assert rc_high == 0  # R30 is medium; the default bar is high, like analyze


def test_table_output_for_a_clean_apk(tmp_path: Path) -> None:
    rc, out = run_main(str(apk(tmp_path, "android.permission.CAMERA")), "--fail-on", "low")
    assert rc == 0
    assert "com.example.lamp" in out and "CAMERA" in out and "findings       0" in out


def test_reference_app_by_name_uses_its_profile() -> None:
    rc, out = run_main("microloan", "--format", "json", "--fail-on", "medium")
    doc = json.loads(out)
    assert rc == 1 and doc["manifest"]["source"] == "model"
    assert ("R30", "violation") in {(f["rule_id"], f["verdict"]) for f in doc["findings"]}


@pytest.mark.parametrize("kind", ["not-zip", "no-manifest", "garbage-manifest", "missing"])
def test_bad_input_exits_2_naming_the_file(tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.apk"
    if kind == "not-zip":
        path.write_bytes(b"MZ\x90\x00 not an apk")
    elif kind == "no-manifest":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("classes.dex", b"dex")
    elif kind == "garbage-manifest":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00\xff\xff\xff\x7f" + b"\x02\x01" * 50)
    rc, out = run_main(str(path))
    err = capsys.readouterr().err
    assert rc == 2 and out == ""
    assert "bad.apk" in err


def test_unknown_profile_and_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _ = run_main(str(apk(tmp_path)), "--app-type", "no_such_type")
    assert rc == 2 and "no_such_type" in capsys.readouterr().err
    rc, _ = run_main("--format", "yaml", "x.apk")
    assert rc == 2


def test_sim_run_records_facts_and_analysis_has_static_findings(tmp_path: Path) -> None:
    driver = SimDriver()
    app = resolve_app(driver, "microloan")
    assert app.manifest is not None and "android.permission.QUERY_ALL_PACKAGES" in app.manifest["permissions"]
    (sc,) = resolve_scenarios("S1")
    res = Runner(driver, SimInstrumentation(driver), tmp_path, hook_pack="sim").run(app, sc, app_ref="microloan")
    info = RunDir(res.run_dir).read_info()
    assert info.extra["manifest"]["package"] == "com.refapp.suyijie.loan"
    assert info.extra["manifest"]["dangerous"]["android.permission.READ_SMS"] == "SMS"
    found = analyze_run(res.run_dir)
    static = {(f.rule_id, f.verdict, f.category) for f in found if f.detector.endswith("_manifest")}
    assert ("R30", "violation", "APP_LIST") in static
    assert ("R25", "info", "SMS") in static
