"""Where app tests run: the embedded local pool, or a Dask distributed cluster.

Both are ``concurrent.futures.Executor``: the coordinator submits
:func:`harness.batch.task.run_task` and waits on the futures, whichever it is.

* :func:`local_executor` -- a ``ThreadPoolExecutor`` with one thread per device slot on this
  host. Each thread leases a device and starts the app test in its own process group, so the
  threads only wait; Python's GIL never limits the batch.
* :func:`dask_executor` -- ``client.get_executor(resources={"emulator": 1}, pure=False)`` on a
  Dask distributed scheduler. Start one worker per host with ``--resources emulator=N`` (N =
  devices attached to that host) and, when each host has its own devices, set
  ``CONSENT_HARNESS_DEVICES=serial1,serial2`` in that worker's environment. The results folder
  must be on a file system every host sees (device locks and run folders live there), and
  consent-harness must be installed on every worker.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from harness.errors import InfrastructureError, InputError

__all__ = ["ExecutorHandle", "local_executor", "dask_executor", "RESOURCE"]

RESOURCE = "emulator"


@dataclass
class ExecutorHandle:
    """An executor, how many tasks it should hold at once, and whether closing it is ours."""

    executor: Executor
    capacity: int
    kind: str
    owned: bool = True
    client: Any = None

    def close(self) -> None:
        if not self.owned:
            return
        self.executor.shutdown(wait=True)
        if self.client is not None:
            self.client.close()


def local_executor(slots: int) -> ExecutorHandle:
    """One thread per device slot."""
    if slots < 1:
        raise InputError("the local pool needs at least one device")
    return ExecutorHandle(ThreadPoolExecutor(max_workers=slots, thread_name_prefix="batch-slot"), slots, "local")


def dask_executor(scheduler: Any, *, capacity: int | None = None, resource: str = RESOURCE) -> ExecutorHandle:
    """An executor on a Dask distributed cluster. ``scheduler``: a ``distributed.Client``
    (left open afterwards) or a scheduler address such as ``tcp://10.0.0.5:8786`` (a client is
    opened and closed with the handle). ``capacity`` defaults to the cluster's total
    ``emulator`` resources."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError("Dask is not installed: pip install 'dask[distributed]' (see README)") from exc
    owned_client = not isinstance(scheduler, Client)
    try:
        client = Client(scheduler, timeout="20s") if owned_client else scheduler  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise InfrastructureError(f"cannot reach the Dask scheduler at {str(scheduler)[:200]}: {exc}") from None
    if capacity is None:
        workers = client.scheduler_info(n_workers=-1).get("workers", {})
        capacity = int(sum(float(w.get("resources", {}).get(resource, 0)) for w in workers.values()))
        if capacity < 1:
            if owned_client:
                client.close()
            raise InputError(f"no Dask worker offers the '{resource}' resource: start workers with --resources {resource}=N")
    executor = client.get_executor(resources={resource: 1}, pure=False)
    return ExecutorHandle(executor, max(1, capacity), "dask", owned=True, client=client if owned_client else None)
