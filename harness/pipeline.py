"""The glue between record, judge and report, shared by the CLI, the demo, batch runs and the
pytest plugin: resolve an app, run scenarios, analyse a run folder, build its reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import yamlio
from harness.devices.base import Driver
from harness.errors import InputError
from harness.findings import SEVERITIES, Finding
from harness.instrumentation.base import Instrumentation
from harness.rundir import RunDir
from harness.runner import AppConfig, AppFeature
from harness.static import apk_facts, facts_from_manifest
from harness.timeline import Timeline

__all__ = ["instrumentation_for", "resolve_app", "load_app_config", "analyze_run", "read_findings", "worst_severity", "fails"]

FAIL_ON = (*SEVERITIES, "never")


def _features_from(data: Any, file: str) -> tuple[AppFeature, ...]:
    if data is None:
        return ()
    if not isinstance(data, dict):
        raise InputError(f"{file}: 'features' must be a mapping of feature name to its path")
    out = []
    for name, f in data.items():
        if not isinstance(f, dict) or not isinstance(f.get("taps"), list) or not f["taps"]:
            raise InputError(f"{file}:{yamlio.line_of(data, name)}: feature '{name}' needs a non-empty 'taps' list")
        out.append(AppFeature(str(name), tuple(str(t) for t in f["taps"]), str(f.get("intent", "")), bool(f.get("basic", False)), str(f.get("expect", ""))))
    return tuple(out)


def load_app_config(path: str | Path, package: str) -> AppConfig:
    """An app config file for real apps: label, profile and features (same shape as in the
    reference-device models)."""
    data = yamlio.load_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: an app config is a mapping (label, profile, features)")
    return AppConfig(package=package, label=str(data.get("label", package)), profile=str(data.get("profile", "")), features=_features_from(data.get("features"), str(path)))


def resolve_app(driver: Driver, app: str, app_config: str | None = None) -> AppConfig:
    """Install or identify the app under test and say what the harness knows about it,
    including its manifest facts for the static check (from the APK, or from a reference
    app's ``manifest:`` block)."""
    if driver.backend == "sim":
        from harness.devices.sim.model import load_bundled

        model = load_bundled(app)
        package = driver.install(app)
        feats = tuple(AppFeature(f.name, f.taps, f.intent, f.basic, f.expect) for f in model.features.values())
        manifest = facts_from_manifest(model.manifest, "model").to_dict() if model.manifest is not None else None
        cfg = AppConfig(package=package, label=model.label, profile=model.profile, features=feats, manifest=manifest)
    else:
        from harness.devices.adb import validate_package

        manifest = None
        if app.endswith(".apk") or app.endswith(".apks") or Path(app).is_dir():
            package = driver.install(app)
            if not app.endswith(".apks"):
                manifest = apk_facts(app).to_dict()
        else:
            package = validate_package(app)
        cfg = AppConfig(package=package, label=package, manifest=manifest)
    if app_config:
        extra = load_app_config(app_config, cfg.package)
        cfg = AppConfig(cfg.package, extra.label or cfg.label, extra.profile or cfg.profile, extra.features or cfg.features, cfg.manifest)
    return cfg


def instrumentation_for(driver: Driver, *, frida: str = "spawn", frida_device: str = "auto") -> tuple[Instrumentation | None, str]:
    """The instrumentation for a driver and the hook-pack id for run.json: the reference
    device's own feed on ``sim``; otherwise the Frida agent (``frida`` = spawn | attach), or
    none when ``frida`` is 'off'. ``frida_device`` 'auto' is the device the driver's adb talks to
    (its serial), so Frida instruments the device the scenario drives; 'usb' would be Frida's
    first USB device, whichever that is."""
    from harness.devices.sim import SimDriver, SimInstrumentation

    if isinstance(driver, SimDriver):
        return SimInstrumentation(driver), "sim"
    if frida == "off":
        return None, ""
    from harness.instrumentation.frida import FridaInstrumentation, hook_pack_hash

    if frida_device == "auto":
        serial = getattr(getattr(driver, "adb", None), "serial", "")
        frida_device = serial if isinstance(serial, str) and serial else "usb"
    return FridaInstrumentation(device=frida_device, mode=frida), hook_pack_hash()


def analyze_run(run_dir: str | Path, *, jurisdiction: str = "cn", app_type: str | None = None) -> list[Finding]:
    """Judge a recorded run: write findings.jsonl and analysis.json; return the findings.
    ``app_type`` overrides the app-type profile recorded in run.json."""
    from harness.catalog.profiles import app_profile
    from harness.detectors import analyze

    rd = RunDir(run_dir)
    if not rd.timeline.is_file():
        raise InputError(f"{rd.path}: no timeline.jsonl (is this a run folder?)")
    if not rd.run_json.is_file():
        raise InputError(f"{rd.path}: no run.json (is this a run folder?)")
    info = rd.read_info()
    timeline = Timeline.read(rd.timeline)
    profile = app_profile(app_type) if app_type else None
    result = analyze(timeline, info, jurisdiction=jurisdiction, profile=profile)
    tmp = rd.findings.with_suffix(".jsonl.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for f in result.findings:
            fh.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
    tmp.replace(rd.findings)
    analysis = result.to_dict() if hasattr(result, "to_dict") else {}
    analysis.pop("findings", None)
    analysis.setdefault("jurisdiction", jurisdiction)
    rd.analysis.write_text(json.dumps(analysis, ensure_ascii=False, indent=2), encoding="utf-8")
    return list(result.findings)


def read_findings(run_dir: str | Path) -> list[Finding]:
    rd = RunDir(run_dir)
    if not rd.findings.is_file():
        return []
    out = []
    for line in rd.findings.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(Finding.from_dict(json.loads(line)))
    return out


def worst_severity(findings: Sequence[Finding]) -> str:
    ranks = [f.rank() for f in findings if f.verdict != "info"]
    return SEVERITIES[max(ranks)] if ranks else ""


def fails(findings: Sequence[Finding], fail_on: str) -> bool:
    """True when a finding that is not merely informational reaches ``fail_on``."""
    if fail_on == "never":
        return False
    bar = SEVERITIES.index(fail_on)
    return any(f.verdict != "info" and f.rank() >= bar for f in findings)
