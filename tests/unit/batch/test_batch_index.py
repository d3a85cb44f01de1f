"""The SQLite run index: schema, WAL, planning, state changes, crash recovery."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import pytest

from harness.batch.applist import AppEntry
from harness.batch.coordinator import plan_scenarios, recover, work_paths
from harness.batch.index import SCHEMA_VERSION, RunIndex
from harness.batch.task import TaskOutcome, write_outcome
from harness.errors import InputError


def _index(tmp_path: Path) -> RunIndex:
    return RunIndex.open(tmp_path / "batch.sqlite")


def test_index_uses_wal_and_records_its_schema(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        assert idx.journal_mode == "wal"
        assert idx.meta()["schema_version"] == str(SCHEMA_VERSION)


def test_add_tasks_is_idempotent_and_keeps_status(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        ids = idx.add_tasks([AppEntry("a"), AppEntry("b")], [("S1", "S1"), ("S2", "S2")])
        assert len(ids) == 4 and len(set(ids)) == 4
        idx.set_result(ids[0], "done", {"run_dir": "runs/x"})
        again = idx.add_tasks([AppEntry("a", label="new label"), AppEntry("c")], [("S1", "S1"), ("S2", "S2")])
        assert again[:2] == ids[:2]
        assert idx.task(ids[0]).status == "done" and idx.task(ids[0]).label == ""  # done rows keep what they had
        assert idx.task(ids[1]).label == "new label"
        assert idx.counts() == {"pending": 5, "running": 0, "done": 1, "infra_failed": 0, "error": 0}


def test_status_values_are_checked_by_the_database(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        (tid,) = idx.add_tasks([AppEntry("a")], [("S1", "S1")])
        with pytest.raises(ValueError, match="unknown task status"):
            idx.set_result(tid, "finished", {})
        with pytest.raises(sqlite3.IntegrityError):
            idx.conn.execute("UPDATE tasks SET status = 'bogus' WHERE task_id = ?", (tid,))
        with pytest.raises(ValueError, match="not task result columns"):
            idx.set_result(tid, "done", {"app": "other"})


def test_attempts_are_numbered_and_requeue_only_touches_failures(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        a, b = idx.add_tasks([AppEntry("a"), AppEntry("b")], [("S1", "S1")])
        assert idx.start_attempt(a, lambda n: f"r{n}") == 1
        assert idx.start_attempt(a, lambda n: f"r{n}") == 2
        idx.finish_attempt(a, 2, outcome="infra", device="sim", error="x" * 10_000)
        rows = idx.attempts(a)
        assert [(r.attempt, r.result_path) for r in rows] == [(1, "r1"), (2, "r2")]
        assert rows[1].outcome == "infra" and len(rows[1].error) == 4000
        idx.set_result(a, "infra_failed", {})
        idx.set_result(b, "done", {})
        assert idx.requeue([a, b]) == 1
        assert idx.task(a).status == "pending" and idx.task(b).status == "done"


def test_recover_adopts_finished_results_and_requeues_lost_ones(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        a, b, c = idx.add_tasks([AppEntry("a"), AppEntry("b"), AppEntry("c")], [("S2", "S2")])
        for tid in (a, b, c):
            idx.start_attempt(tid, functools.partial(lambda t, n: work_paths(tmp_path, t, n)[0], tid))
        run_dir = tmp_path / "runs" / "r-a"
        write_outcome(
            work_paths(tmp_path, a, 1)[0],
            TaskOutcome(a, 1, "done", device="sim", run_id="r-a", run_dir=str(run_dir), package="com.a", counts={"n_findings": 3, "n_high": 2}),
        )
        write_outcome(work_paths(tmp_path, b, 1)[0], TaskOutcome(b, 1, "infra", phase="health", message="offline", device="sim.2"))
        Path(work_paths(tmp_path, c, 1)[0]).write_text('{"task_id": 3, "attem', encoding="utf-8")  # torn write
        assert recover(idx, tmp_path) == 1
        ta, tb, tc = idx.task(a), idx.task(b), idx.task(c)
        assert (ta.status, ta.run_dir, ta.n_findings, ta.n_high, ta.device) == ("done", "runs/r-a", 3, 2, "sim")
        assert tb.status == "pending" and idx.attempts(b)[0].outcome == "infra"
        assert tc.status == "pending" and idx.attempts(c)[0].outcome == "lost"


def test_a_result_file_of_another_attempt_is_not_adopted(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        (a,) = idx.add_tasks([AppEntry("a")], [("S2", "S2")])
        idx.start_attempt(a, lambda n: work_paths(tmp_path, a, n)[0])
        idx.start_attempt(a, lambda n: work_paths(tmp_path, a, n)[0])
        # the stale file of attempt 1 sits where attempt 2's should be
        write_outcome(work_paths(tmp_path, a, 2)[0], TaskOutcome(a, 1, "done"))
        assert recover(idx, tmp_path) == 0
        assert idx.task(a).status == "pending"


def test_not_an_index_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "batch.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a readable batch index"):
        RunIndex.open(bad)
    with pytest.raises(InputError, match="no batch index"):
        RunIndex.open(tmp_path / "missing.sqlite", create=False)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    with _index(tmp_path) as idx:
        idx.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    with pytest.raises(InputError, match="newer than this harness"):
        _index(tmp_path)


def test_plan_scenarios_expands_all_and_resolves_yaml_paths(tmp_path: Path) -> None:
    assert [s for s, _ in plan_scenarios("all")] == ["S1", "S2", "S3", "S4", "S5"]
    assert plan_scenarios("S2,S2") == [("S2", "S2")]
    with pytest.raises(InputError, match="unknown scenario"):
        plan_scenarios("S9")
    with pytest.raises(InputError, match="no scenario"):
        plan_scenarios(" , ")
