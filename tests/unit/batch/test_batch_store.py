"""The Parquet store and DuckDB queries agree with the run folders they come from."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from harness.batch.applist import AppEntry
from harness.batch.coordinator import BatchReport
from harness.batch.index import RunIndex, TaskRow
from harness.batch.query import CANNED, canned, query
from harness.batch.store import export_store, store_paths
from harness.catalog.rules import load_rules
from harness.detectors.phases import PHASE_NAMES
from harness.errors import InputError
from harness.pipeline import read_findings
from harness.reporting.frames import FINDING_COLUMNS, finding_row
from harness.rundir import RunDir

SmallBatch = tuple[Path, BatchReport]


def _tasks(results: Path) -> list[TaskRow]:
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        return idx.tasks()


def _api_lines(results: Path, task: TaskRow) -> list[dict[str, object]]:
    lines = RunDir(results / task.run_dir).timeline.read_text(encoding="utf-8").splitlines()
    return [d for d in (json.loads(x) for x in lines if x.strip()) if d["kind"] == "api"]


def test_runs_table_has_one_row_per_done_task(small_batch: SmallBatch) -> None:
    results, _ = small_batch
    tasks = _tasks(results)
    runs = pq.read_table(store_paths(results)["runs"]).to_pylist()
    assert sorted(r["run_id"] for r in runs) == sorted(t.run_id for t in tasks)
    by_id = {t.run_id: t for t in tasks}
    for r in runs:
        t = by_id[r["run_id"]]
        assert (r["app"], r["scenario"], r["device"], r["status"]) == (t.app, t.scenario, t.device, "completed")
        assert (r["n_findings"], r["n_high"], r["n_violations"]) == (t.n_findings, t.n_high, t.n_violations)
        assert r["simulated"] is True
        assert r["n_api_events"] == len(_api_lines(results, t))


def test_findings_table_uses_the_shared_columns_and_matches_findings_files(small_batch: SmallBatch) -> None:
    results, _ = small_batch
    table = pq.read_table(store_paths(results)["findings"])
    assert table.column_names == list(FINDING_COLUMNS)
    expected = []
    for t in _tasks(results):
        info = RunDir(results / t.run_dir).read_info()
        expected += [finding_row(f, run_id=info.run_id, package=info.package, scenario=info.scenario, simulated=info.simulated) for f in read_findings(results / t.run_dir)]
    assert expected, "the small batch must produce findings"

    def key(r: dict[str, object]) -> tuple[str, ...]:
        return tuple(str(r[c]) for c in FINDING_COLUMNS)

    assert sorted(table.to_pylist(), key=key) == sorted(expected, key=key)


def test_api_calls_table_matches_timelines_with_a_consent_phase(small_batch: SmallBatch) -> None:
    results, _ = small_batch
    rows = pq.read_table(store_paths(results)["api_calls"]).to_pylist()
    for t in _tasks(results):
        mine = sorted((r for r in rows if r["run_id"] == t.run_id), key=lambda r: int(str(r["seq"])))
        lines = _api_lines(results, t)
        assert [(r["seq"], r["api_id"], r["sdk"], r["category"]) for r in mine] == [(d["seq"], d["api_id"], d["sdk"], d["category"]) for d in lines]
    assert {r["phase"] for r in rows} <= set(PHASE_NAMES)
    # S2 declines the policy: nothing the apps do happens after an acceptance
    assert "accepted" not in {r["phase"] for r in rows}
    assert any(r["phase"] == "pre_prompt" for r in rows if r["package"] == "com.example.precollect")


def test_canned_queries_agree_with_the_run_folders(small_batch: SmallBatch) -> None:
    results, _ = small_batch
    tasks = _tasks(results)
    findings = [(t, f) for t in tasks for f in read_findings(results / t.run_dir)]
    per_rule = Counter(f.rule_id for _, f in findings if f.verdict == "violation")
    got = canned(results, "rule-counts")
    assert {r: int(v) for r, v in zip(got.rule_id, got.violations, strict=True) if v} == dict(per_rule)

    r09 = canned(results, "r09-apps")
    assert set(r09.package) == {t.package for t, f in findings if f.rule_id == "R09" and f.verdict == "violation"}
    assert set(r09.package), "demo-precollect collects before consent"

    pi = {name for name, info in load_rules().categories.items() if info.pi}
    expected_sdks = {str(d["sdk"]) for t in tasks for d in _api_lines(results, t) if d["sdk"] not in ("", "app") and d["category"] in pi}
    assert set(canned(results, "sdk-before-consent").sdk) == expected_sdks

    status = canned(results, "batch-status")
    assert dict(zip(status.status, status.tasks, strict=True)) == {"done": len(tasks)}
    assert len(canned(results, "failures")) == 0
    assert set(CANNED) >= {"r09-apps", "sdk-before-consent", "rule-counts"}


def test_free_sql_and_its_errors(small_batch: SmallBatch) -> None:
    results, _ = small_batch
    n = sum(len(_api_lines(results, t)) for t in _tasks(results))
    assert int(query(results, "SELECT count(*) AS n FROM api_calls").n[0]) == n
    with pytest.raises(InputError, match="query failed"):
        query(results, "SELECT * FROM no_such_table")
    with pytest.raises(InputError, match="empty SQL"):
        query(results, "  ")
    with pytest.raises(InputError, match="unknown canned query"):
        canned(results, "nope")


def test_unreadable_run_folders_are_left_out_with_a_note(tmp_path: Path, small_batch: SmallBatch) -> None:
    source, _ = small_batch
    good, torn = _tasks(source)[:2]
    for t in (good, torn):
        shutil.copytree(source / t.run_dir, tmp_path / t.run_dir)
    timeline = RunDir(tmp_path / torn.run_dir).timeline
    lines = timeline.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][: len(lines[1]) // 2]  # damaged in the middle, not just a torn last line
    timeline.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with RunIndex.open(tmp_path / "batch.sqlite") as idx:
        ids = idx.add_tasks([AppEntry(good.app), AppEntry(torn.app), AppEntry("gone")], [("S2", "S2")])
        targets: list[tuple[str, str]] = [(good.run_dir, good.run_id), (torn.run_dir, torn.run_id), ("runs/gone", "gone")]
        for tid, (run_dir, run_id) in zip(ids, targets, strict=True):
            idx.set_result(tid, "done", {"run_dir": run_dir, "run_id": run_id})
    assert not store_paths(tmp_path)["runs"].exists()
    # a query on a batch without a store exports it first
    assert int(query(tmp_path, "SELECT count(*) AS n FROM runs").n[0]) == 1
    res = export_store(tmp_path)
    assert (res.runs, res.tasks) == (1, 3)
    assert len(res.notes) == 2
    assert any("gone" in n for n in res.notes) and any(torn.run_dir in n for n in res.notes)
    assert json.loads((tmp_path / "store" / "export.json").read_text())["runs"] == 1
