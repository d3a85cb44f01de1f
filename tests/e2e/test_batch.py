"""End to end: a batch coordinator killed with SIGKILL mid-batch, then run again, tests every app
exactly once; the batch command line reports, exports and queries the result."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from harness.batch.index import RunIndex
from harness.batch.leases import DeviceSlot, try_lease
from harness.pipeline import read_findings
from harness.rundir import RunDir

REPO = Path(__file__).resolve().parents[2]
APPS = ("demo-clean", "demo-precollect", "supermarket", "kids-edu")


def _counts(db: Path) -> dict[str, int]:
    if not db.exists():
        return {}
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return {str(s): int(n) for s, n in con.execute("SELECT status, COUNT(*) FROM tasks GROUP BY status")}
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.batch", *args], cwd=REPO, capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("sigkill")
    app_list = tmp / "apps.txt"
    app_list.write_text("\n".join(APPS) + "\n", encoding="utf-8")
    results = tmp / "results"
    args = ["run", str(app_list), "--scenario", "S2", "--devices", "sim", "--results", str(results), "--no-summary", "--quiet"]
    proc = subprocess.Popen([sys.executable, "-m", "harness.batch", *args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = results / "batch.sqlite"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            c = _counts(db)
            if c.get("done", 0) >= 1 and c.get("running", 0) >= 1:
                break
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail(f"the batch did not get going: {_counts(db)}")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    killed_at = _counts(db)
    assert killed_at.get("done", 0) < len(APPS)
    # the orphaned worker notices its parent is gone and kills its process group, which frees
    # the device lock it inherited
    deadline = time.monotonic() + 20
    lease = None
    while lease is None and time.monotonic() < deadline:
        lease = try_lease(results / ".locks", DeviceSlot("sim", "sim"))
        time.sleep(0.05)
    assert lease is not None, "the worker of the killed coordinator must die and free the device"
    lease.release()
    again = _batch(*args)
    assert again.returncode in (0, 1), again.stderr
    return results, again.stdout


def test_every_app_is_done_exactly_once_after_a_sigkill(resumed: tuple[Path, str]) -> None:
    results, stdout = resumed
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        tasks = idx.tasks()
        attempts = idx.attempts()
    assert sorted(t.app for t in tasks) == sorted(APPS)
    assert {t.status for t in tasks} == {"done"}
    assert len({(t.app, t.scenario) for t in tasks}) == len(APPS)
    assert len({t.run_dir for t in tasks}) == len(APPS)
    for t in tasks:
        info = RunDir(results / t.run_dir).read_info()
        assert (info.status, info.package, info.scenario) == ("completed", t.package, "S2")
        assert sum(1 for a in attempts if a.task_id == t.task_id and a.outcome == "done") == 1
    # the attempt in flight at the kill was either adopted from its result file or lost and redone
    assert any(a.outcome == "lost" for a in attempts) or "1 recovered" in stdout
    runs = pq.read_table(results / "store" / "runs.parquet").to_pylist()
    assert sorted((r["app"], r["scenario"]) for r in runs) == sorted((a, "S2") for a in APPS)


def test_cli_status_export_and_query(resumed: tuple[Path, str]) -> None:
    results, _ = resumed
    st = _batch("status", str(results), "--json")
    assert st.returncode == 0, st.stderr
    assert json.loads(st.stdout)["counts"]["done"] == len(APPS)

    ex = _batch("export", str(results))
    assert ex.returncode == 0 and f"store: {len(APPS)} runs" in ex.stdout

    q = _batch("query", str(results), "--canned", "rule-counts", "--format", "json")
    assert q.returncode == 0, q.stderr
    got = {r["rule_id"]: r["violations"] for r in json.loads(q.stdout) if r["violations"]}
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        want = Counter(f.rule_id for t in idx.tasks() for f in read_findings(results / t.run_dir) if f.verdict == "violation")
    assert got == dict(want)

    bad = _batch("query", str(results), "SELEC nonsense")
    assert bad.returncode == 2 and "query failed" in bad.stderr
    missing = _batch("run", str(results / "no-list.txt"), "--results", str(results))
    assert missing.returncode == 2 and "cannot read app list" in missing.stderr


def test_sigint_stops_the_batch_cleanly(tmp_path: Path) -> None:
    """Ctrl-C: the running worker is killed, its task goes back to pending, the device is free
    and the exit code says the batch is not finished."""
    app_list = tmp_path / "apps.txt"
    app_list.write_text("demo-clean\n", encoding="utf-8")
    results = tmp_path / "results"
    args = ["run", str(app_list), "--scenario", "S2", "--devices", "sim", "--results", str(results), "--timeout", "300", "--quiet"]
    args += ["--driver-factory", "harness.devices.sim.faults:faulty_sim", "--driver-option", "hang=sim"]
    proc = subprocess.Popen([sys.executable, "-m", "harness.batch", *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while _counts(results / "batch.sqlite").get("running", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3, err
    assert "interrupted" in err
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        (task,) = idx.tasks()
        (attempt,) = idx.attempts()
    assert task.status == "pending" and attempt.outcome == "interrupted"
    lease = try_lease(results / ".locks", DeviceSlot("sim", "sim"))
    assert lease is not None
    lease.release()
