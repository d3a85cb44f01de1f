"""The same batch on a real Dask distributed cluster (LocalCluster on 127.0.0.1) gives the same
results as the local pool: the coordinator only sees a concurrent.futures Executor."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import distributed  # noqa: E402  (a dependency: a missing install must fail, not skip)
import pytest

from harness.batch.applist import AppEntry
from harness.batch.coordinator import BatchConfig, BatchReport, run_batch
from harness.batch.executors import dask_executor
from harness.batch.index import RunIndex
from harness.errors import InputError
from harness.pipeline import read_findings

APPS = ("demo-clean", "demo-precollect", "supermarket")


def _outcomes(results: Path) -> dict[tuple[str, str], tuple[str, int, int, Counter[tuple[str, str]]]]:
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        tasks = idx.tasks()
    return {
        (t.app, t.scenario): (t.status, t.n_findings, t.n_high, Counter((f.rule_id, f.verdict) for f in read_findings(results / t.run_dir)))
        for t in tasks
    }


def test_dask_cluster_matches_the_local_pool(tmp_path: Path, small_batch: tuple[Path, BatchReport], config_for: Callable[..., BatchConfig]) -> None:
    local_results, _ = small_batch
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, resources={"emulator": 2}, protocol="tcp", host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        handle = dask_executor(client)
        assert (handle.kind, handle.capacity) == ("dask", 2)
        report = run_batch(config_for(tmp_path, "sim,sim", summary=False), [AppEntry(a) for a in APPS], "S2", executor=handle)
        handle.close()
    assert report.counts["done"] == len(APPS)
    got = _outcomes(tmp_path)
    want = _outcomes(local_results)
    assert got == want
    assert any(c for *_, c in got.values()), "the comparison must cover real findings"


def test_dask_without_the_emulator_resource_is_refused() -> None:
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
        pytest.raises(InputError, match="--resources emulator=N"),
    ):
        dask_executor(client)
