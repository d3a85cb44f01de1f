"""The batch store is versioned: a store written before the flows and matches tables existed (no
``store_version`` in export.json, no flows.parquet) is exported again from the run folders before
a query reads it; a store from a newer harness is refused with a clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.batch.coordinator import BatchReport
from harness.batch.query import connect, query
from harness.batch.store import STORE_VERSION, export_store, store_paths, store_version
from harness.errors import InputError


def _copy(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> Path:
    source, _ = small_batch
    dest = tmp_path / "batch"
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("store", "*.lock"))
    export_store(dest)
    return dest


def _make_v1(results: Path) -> None:
    """What an export of the previous version left: four tables, no version recorded."""
    paths = store_paths(results)
    paths["flows"].unlink()
    paths["matches"].unlink()
    meta = paths["runs"].parent / "export.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    del data["store_version"], data["flows"], data["matches"]
    meta.write_text(json.dumps(data), encoding="utf-8")


def test_an_export_records_its_version(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    assert store_version(results) == STORE_VERSION == 3
    assert store_version(tmp_path / "nowhere") == 0


def test_an_old_store_is_exported_again_before_a_query(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    _make_v1(results)
    assert store_version(results) == 1
    with pytest.raises(InputError, match=r"older than this harness's \(3\).*batch export"):
        connect(results, export_if_missing=False)
    frame = query(results, "SELECT count(*) AS n FROM flows")
    assert int(frame["n"][0]) == 0  # the small batch's apps make no requests; the table exists
    assert store_version(results) == STORE_VERSION
    assert store_paths(results)["matches"].is_file()
    assert int(query(results, "SELECT count(*) AS n FROM runs WHERE network_matched")["n"][0]) == 3


def test_a_store_with_a_missing_table_is_exported_again(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    store_paths(results)["matches"].unlink()
    assert int(query(results, "SELECT count(*) AS n FROM matches")["n"][0]) == 0
    assert store_paths(results)["matches"].is_file()


def test_a_newer_store_is_refused(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    meta = store_paths(results)["runs"].parent / "export.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["store_version"] = STORE_VERSION + 1
    meta.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="newer than this harness understands"):
        query(results, "SELECT 1")


def test_a_run_analysed_before_matches_were_stored_says_so(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    results = _copy(small_batch, tmp_path)
    for analysis in results.rglob("analysis.json"):
        data = json.loads(analysis.read_text(encoding="utf-8"))
        data.pop("network_matches")
        analysis.write_text(json.dumps(data), encoding="utf-8")
    export_store(results)
    got = query(results, "SELECT count(*) FILTER (WHERE NOT network_matched) AS old FROM runs")
    assert int(got["old"][0]) == 3
