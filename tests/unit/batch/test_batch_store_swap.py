"""The store's files are swapped in as one set (issue 12, low item): whatever fails while a new
export is put in place, and whenever a reader looks, the four Parquet files and export.json
come from one export; a killed export's staging folder is removed by the next."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from harness.batch.coordinator import BatchReport
from harness.batch.index import RunIndex
from harness.batch.store import export_store, store_paths


def _copy(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> Path:
    source, _ = small_batch
    dest = tmp_path / "batch"
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("store", "*.lock"))
    return dest


def _one_set(results: Path) -> tuple[int, int]:
    """(runs, findings) of the store, after checking every file belongs to the same export."""
    paths = store_paths(results)
    meta = json.loads((paths["runs"].parent / "export.json").read_text(encoding="utf-8"))
    runs = pq.read_table(paths["runs"]).column("run_id").to_pylist()
    finds = pq.read_table(paths["findings"]).column("run_id").to_pylist()
    calls = pq.read_table(paths["api_calls"]).column("run_id").to_pylist()
    assert meta["runs"] == len(runs) and meta["findings"] == len(finds) and meta["api_calls"] == len(calls)
    assert set(finds) <= set(runs) and set(calls) <= set(runs)
    return len(runs), len(finds)


def _drop_one_run(results: Path) -> None:
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        victim = idx.tasks()[0]
    shutil.rmtree(results / victim.run_dir)


def test_a_failure_while_putting_the_set_in_place_never_mixes_two_exports(small_batch: tuple[Path, BatchReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = _copy(small_batch, tmp_path)
    export_store(results)
    assert _one_set(results)[0] == 3
    _drop_one_run(results)  # the next export differs: 2 runs
    calls = {"n": 0}
    real_replace, real_rename = os.replace, os.rename

    def flaky(real: Any) -> Any:
        def move(src: Any, dst: Any, *a: Any, **k: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(28, "No space left on device")
            real(src, dst, *a, **k)

        return move

    monkeypatch.setattr(os, "replace", flaky(real_replace))
    monkeypatch.setattr(os, "rename", flaky(real_rename))
    try:
        export_store(results)
    except OSError:
        pass
    monkeypatch.undo()
    assert _one_set(results)[0] in (2, 3)  # the old set or the new one, whole
    assert not list(results.glob(".store.*.tmp"))


def test_old_readers_keep_the_old_set_and_new_readers_get_the_new_one(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    export_store(results)
    store = store_paths(results)["runs"].parent
    before = store.stat().st_ino
    with open(store_paths(results)["runs"], "rb") as old_runs:
        _drop_one_run(results)
        export_store(results)
        assert pq.read_table(old_runs).num_rows == 3  # an open reader still sees the old set
    assert store.stat().st_ino != before  # the folder was exchanged, not its files one by one
    assert _one_set(results)[0] == 2


def test_a_killed_exports_staging_folder_is_removed(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    stale = results / ".store.999999999.0badc0de.tmp"
    stale.mkdir()
    (stale / "runs.parquet").write_bytes(b"half")
    alive = results / f".store.{os.getpid()}.0123abcd.tmp"  # a live export's folder stays
    alive.mkdir()
    export_store(results)
    assert not stale.exists() and alive.exists()
    _one_set(results)
