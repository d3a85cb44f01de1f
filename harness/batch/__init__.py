"""Batch runs for regulators: an app list x scenarios over a device pool (or Dask), a
resumable SQLite run index, a Parquet store and DuckDB queries.

Modules: ``applist`` (reading app lists), ``leases`` (device slots, file locks), ``index``
(the run index), ``task`` (one attempt: lease, worker process, timeout), ``worker`` (the
process that tests one app), ``executors`` (local pool, Dask), ``coordinator``
(:func:`run_batch`), ``zygote`` (warm workers forked from a preloaded process), ``store``
(Parquet export), ``query`` (DuckDB), ``cli``, ``fakes``
(fault-injecting reference devices for tests).

Names are imported lazily so a worker process starts without loading the coordinator's
dependencies.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AppEntry",
    "read_app_list",
    "DeviceSlot",
    "parse_devices",
    "RunIndex",
    "BatchConfig",
    "BatchReport",
    "run_batch",
    "local_executor",
    "dask_executor",
    "export_store",
    "query",
    "canned",
    "CANNED",
]

_WHERE = {
    "AppEntry": "applist",
    "read_app_list": "applist",
    "DeviceSlot": "leases",
    "parse_devices": "leases",
    "RunIndex": "index",
    "BatchConfig": "coordinator",
    "BatchReport": "coordinator",
    "run_batch": "coordinator",
    "local_executor": "executors",
    "dask_executor": "executors",
    "export_store": "store",
    "query": "query",
    "canned": "query",
    "CANNED": "query",
}


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'harness.batch' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"harness.batch.{mod}"), name)
