"""``consent-harness run`` and ``consent-harness batch run`` assemble a run in one place
(harness.assemble), so every bundled app under S1-S3 gives the same findings either way, also
when the app list fills the ``label`` and ``profile`` columns (which once rebuilt the app config
without its manifest facts: R25, R30, R32 and R39 vanished in batches)."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from harness.cli import main
from harness.devices.sim.model import available_models, load_bundled
from harness.rundir import RunDir

SCENARIOS = "S1,S2,S3"
Key = tuple[str, str]  # (package, scenario)


def _findings_by_run(runs_root: Path) -> dict[Key, Counter[tuple[str, str, str]]]:
    out: dict[Key, Counter[tuple[str, str, str]]] = {}
    for run_json in sorted(runs_root.rglob("run.json")):
        rd = RunDir(run_json.parent)
        info = rd.read_info()
        key = (info.package, info.scenario)
        assert key not in out, f"two runs of {key} under {runs_root}"
        rows = [json.loads(x) for x in rd.findings.read_text(encoding="utf-8").splitlines() if x.strip()]
        out[key] = Counter((f["rule_id"], f["severity"], f["verdict"]) for f in rows)
    return out


def test_every_bundled_app_gives_the_same_findings_through_run_and_batch(tmp_path: Path) -> None:
    models = available_models()
    assert len(models) >= 10
    # through `run`, one app at a time
    run_root = tmp_path / "run"
    for name in models:
        code = main(["run", "--app", name, "--scenario", SCENARIOS, "--results", str(run_root), "--no-report", "--fail-on", "never"])
        assert code == 0, name
    by_run = _findings_by_run(run_root)
    # through `batch run`, with every optional column filled as the documentation shows
    lst = tmp_path / "apps.csv"
    with lst.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["app", "label", "profile"])
        for name in models:
            m = load_bundled(name)
            w.writerow([name, f"{m.label} (batch)", m.profile])
    batch_root = tmp_path / "batch"
    code = main(["batch", "run", str(lst), "--scenario", SCENARIOS, "--devices", "sim,sim", "--results", str(batch_root), "--no-export", "--no-summary", "--quiet"])
    assert code in (0, 1)  # 1: some high-severity violations, every task done
    by_batch = _findings_by_run(batch_root)
    assert set(by_run) == set(by_batch)
    assert len(by_run) == 3 * len(models)
    differences = {k: (by_run[k], by_batch[k]) for k in by_run if by_run[k] != by_batch[k]}
    assert not differences, differences
    # the comparison is not vacuous: the manifest rules and dynamic rules are both present
    rules = {r for c in by_run.values() for (r, _s, _v) in c}
    assert {"R30", "R39"} <= rules, rules
    assert len(rules) >= 10, rules
    # the batch label reached the run record (the override was applied, not ignored)
    labels = {RunDir(p.parent).read_info().app_label for p in batch_root.rglob("run.json")}
    assert all(label.endswith("(batch)") for label in labels), labels
