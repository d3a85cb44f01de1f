"""Issue 12, High 2: tasks of one package and scenario running in parallel (a regulator's
everyday case: two versions of one app) each get their own run folder. Real processes, started
in the same second so they race for the same run-folder name. (SIMULATED apps.)"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

from harness.events import RunMarker
from harness.rundir import RunDir
from harness.timeline import Timeline

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "harness" / "devices" / "sim" / "apps" / "demo-precollect.yaml"
RUNS = 6  # each process runs back to back, so the four keep racing for the next suffix

CHILD = r"""
import sys, time
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.pipeline import resolve_app
from harness.runner import Runner
from harness.scenarios import resolve_scenarios

model, results, RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3])
driver = SimDriver()
app = resolve_app(driver, model)
(sc,) = resolve_scenarios("S1")
runner = Runner(driver, SimInstrumentation(driver), results, hook_pack="sim")
print("ready", flush=True)
start = float(sys.stdin.readline())
time.sleep(max(0.0, start - time.time()))
for _ in range(RUNS):
    print(runner.run(app, sc, app_ref=model).run_dir, flush=True)
"""


def test_parallel_runs_of_one_package_and_scenario_never_share_a_folder(tmp_path: Path) -> None:
    text = MODEL.read_text(encoding="utf-8")
    models = []
    for i in range(4):
        # four "versions" of one package, told apart by their label
        m = tmp_path / f"v{i}.yaml"
        m.write_text(text.replace("label: 惠买商城", f"label: 惠买商城 v{i}"), encoding="utf-8")
        models.append(m)
    results = tmp_path / "results"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(m), str(results), str(RUNS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for m in models
    ]
    for p in procs:  # every child has imported everything and built its runner
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    start = math.floor(time.time()) + 1.05  # all four start together, early in one second
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(f"{start}\n")
        p.stdin.flush()
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    per_model = [[Path(x) for x in out.split()] for out, _ in outs]
    dirs = [d for ds in per_model for d in ds]
    assert len(dirs) == 4 * RUNS and len(set(dirs)) == 4 * RUNS
    firsts = {ds[0].name.rsplit("-S1", 1)[0] for ds in per_model}
    assert len(firsts) == 1, f"the race did not start in one second: {sorted(d.name for d in dirs)}"
    labels = set()
    for i, ds in enumerate(per_model):
        for d in ds:
            rd = RunDir(d)
            info = rd.read_info()
            assert info.status == "completed" and info.run_id == d.name
            assert info.app_label == f"惠买商城 v{i}"  # no other version's record in this folder
            labels.add(info.app_label)
            events = list(Timeline.read(rd.timeline, strict=True))
            assert [e.seq for e in events] == list(range(len(events)))
            starts = [e for e in events if isinstance(e, RunMarker) and e.phase == "start"]
            assert len(starts) == 1
            assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]
            json.loads(rd.run_json.read_text(encoding="utf-8"))
    assert labels == {f"惠买商城 v{i}" for i in range(4)}
