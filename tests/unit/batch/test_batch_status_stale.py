"""batch status: tasks left 'running' by a coordinator that is gone are shown as stale, not running."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from harness.batch.applist import AppEntry
from harness.batch.cli import coordinator_alive
from harness.batch.index import INDEX_NAME, RunIndex
from harness.batch.leases import lock_dir
from harness.cli import main


def _batch_with_a_running_task(results: Path) -> None:
    results.mkdir(parents=True, exist_ok=True)
    with RunIndex.open(results / INDEX_NAME) as idx:
        tid, _other = idx.add_tasks([AppEntry("demo-clean")], [("S1", "S1"), ("S2", "S2")])
        idx.start_attempt(tid, lambda n: f"work/{tid}-{n}.json")


def test_dead_coordinator_tasks_are_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "batch"
    _batch_with_a_running_task(results)
    ldir = lock_dir(results)
    ldir.mkdir(parents=True, exist_ok=True)
    (ldir / "coordinator.lock").write_text("pid=999999\n", encoding="utf-8")  # left by a killed coordinator
    assert not coordinator_alive(results)
    assert main(["batch", "status", str(results), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["coordinator_running"] is False
    assert data["counts"]["running"] == 0 and data["counts"]["stale"] == 1
    assert [p["status"] for p in data["problems"]] == ["stale"]
    assert main(["batch", "status", str(results)]) == 0
    out = capsys.readouterr().out
    assert "coordinator: not running" in out and "stale" in out


def test_live_coordinator_tasks_stay_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "batch"
    _batch_with_a_running_task(results)
    ldir = lock_dir(results)
    ldir.mkdir(parents=True, exist_ok=True)
    fd = os.open(ldir / "coordinator.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a live coordinator holds it
        assert coordinator_alive(results)
        assert main(["batch", "status", str(results), "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["coordinator_running"] is True and data["counts"]["running"] == 1 and "stale" not in data["counts"]
    finally:
        os.close(fd)
