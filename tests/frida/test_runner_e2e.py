"""An end-to-end run whose API events come from real Frida: the runner drives the reference
device's UI (the privacy prompt is declined) while the project's agent, spawned into a live JVM
program, records what the stub SDKs collect. The detectors then judge that timeline: the stub
Umeng SDK's reads at process start come before the decision and are attributed from real stacks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from frida_support import APP_PACKAGE, Lines

from harness.assemble import resolve_app
from harness.devices.sim import SimDriver
from harness.events import AgentStatus, ApiCall, ConsentDecision
from harness.instrumentation.base import Emit, Target
from harness.instrumentation.frida import FridaInstrumentation, hook_pack_hash
from harness.pipeline import analyze_run
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline

pytestmark = pytest.mark.frida


class JvmProgram:
    """Instrumentation for a local program standing in for the app: spawns it under the agent
    and waits until the program's start-up work (its SDK initialisation) has been delivered."""

    name = "frida-local-program"

    def __init__(self, argv: tuple[str, ...]) -> None:
        self.argv = argv
        self.lines = Lines()
        self.inst = FridaInstrumentation("local", "spawn", stdio="pipe", on_output=self.lines.feed)

    def start(self, target: Target, emit: Emit, clock: Callable[[], float]) -> None:
        self.inst.start(Target(package=APP_PACKAGE, argv=self.argv), emit, clock)
        self.lines.wait("ready", 60)
        self.inst.flush()

    def stop(self) -> None:
        self.inst.stop()


def test_runner_records_real_frida_events_and_detectors_judge_them(java_exe: str, java_classes: Path, tmp_path: Path) -> None:
    driver = SimDriver()
    app = resolve_app(driver, "demo-clean")
    (s2,) = resolve_scenarios("S2")
    program = JvmProgram((java_exe, "-cp", str(java_classes), "com.example.app.Main"))
    res = Runner(driver, program, tmp_path, hook_pack=hook_pack_hash()).run(app, s2, app_ref="demo-clean")
    rd = RunDir(res.run_dir)
    assert rd.read_info().hook_pack == hook_pack_hash() != ""
    events = list(Timeline.read(rd.timeline))
    ready = [e for e in events if isinstance(e, AgentStatus) and e.status == "ready"]
    assert ready and ready[0].source == "frida" and ready[0].hooks > 20  # the stub JVM defines a subset of the framework
    assert ready[0].skipped  # the rest are reported as skipped, not silently missing
    frida_calls = [e for e in events if isinstance(e, ApiCall) and e.source == "frida"]
    assert {c.api_id for c in frida_calls} >= {"TelephonyManager.getDeviceId"}, sorted({c.api_id for c in frida_calls})
    umeng = [c for c in frida_calls if c.sdk.startswith("umeng")]
    assert umeng and all(any("com.umeng" in f for f in c.stack) for c in umeng)
    decline = next(e for e in events if isinstance(e, ConsentDecision) and e.subject == "privacy_policy")
    assert decline.choice == "decline"
    assert all(c.t < decline.t for c in umeng)
    findings = analyze_run(res.run_dir)
    r09 = [f for f in findings if f.rule_id == "R09" and f.verdict == "violation"]
    assert r09, [(f.rule_id, f.message) for f in findings]
    assert any(f.rule_id == "R33" and f.sdk.startswith("umeng") for f in findings), [(f.rule_id, f.sdk) for f in findings]
    evidence = {s for f in r09 for s in f.evidence}
    assert evidence & {c.seq for c in umeng}
