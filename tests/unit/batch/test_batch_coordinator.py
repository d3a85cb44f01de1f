"""The coordinator over the local pool: infrastructure failures are retried on another device,
app behaviour (a crash) and bad input are not; devices that keep failing leave the pool."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.batch.applist import AppEntry
from harness.batch.coordinator import BatchConfig, _CoordinatorLock, run_batch
from harness.batch.index import RunIndex
from harness.errors import EXIT_INFRA, EXIT_INPUT, InputError
from harness.rundir import RunDir


def test_infrastructure_failure_is_retried_on_another_device(tmp_path: Path, config_for: Callable[..., BatchConfig]) -> None:
    config = config_for(
        tmp_path,
        "sim,sim",
        driver_factory="harness.devices.sim.faults:faulty_sim",
        driver_options={"broken": "sim"},
        max_device_failures=1,
        summary=False,
        export=False,
    )
    report = run_batch(config, [AppEntry("demo-clean"), AppEntry("demo-precollect")], "S2")
    assert report.counts["done"] == 2
    assert report.quarantined == ["sim"]
    with RunIndex.open(tmp_path / "batch.sqlite") as idx:
        attempts = idx.attempts()
        tasks = idx.tasks()
    infra = [a for a in attempts if a.outcome == "infra"]
    assert len(infra) == 1 and infra[0].device == "sim" and "offline" in infra[0].error
    retried = [a for a in attempts if a.task_id == infra[0].task_id]
    assert [(a.outcome, a.device) for a in retried] == [("infra", "sim"), ("done", "sim.2")]
    assert {t.device for t in tasks} == {"sim.2"}
    assert report.retries == 1 and report.attempts == 3


def test_an_app_crash_is_a_result_and_bad_input_is_not_retried(tmp_path: Path, crashy_model: Path, config_for: Callable[..., BatchConfig]) -> None:
    report = run_batch(config_for(tmp_path, "sim", summary=False, export=False), [AppEntry(str(crashy_model)), AppEntry("no-such-model")], "S2")
    with RunIndex.open(tmp_path / "batch.sqlite") as idx:
        crash, bad = idx.tasks()
    # done after one attempt; the run itself says its basic-function check could not be carried
    # out (the crashy model configures no basic feature): steps-failed, not a plain "completed"
    assert (crash.status, crash.attempts, crash.run_status) == ("done", 1, "steps-failed")
    states = [json.loads(line).get("state") for line in RunDir(tmp_path / crash.run_dir).timeline.read_text().splitlines()]
    assert "crashed" in states
    assert (bad.status, bad.attempts) == ("error", 1)
    assert "unknown app model 'no-such-model'" in bad.error
    assert report.exit_code == EXIT_INPUT


def test_a_dying_worker_without_retries_leaves_the_task_infra_failed(tmp_path: Path, config_for: Callable[..., BatchConfig]) -> None:
    # a cold (spawned) worker here; the warm path is the default everywhere else
    config = config_for(tmp_path, "sim", retries=0, warm=False, driver_factory="harness.devices.sim.faults:faulty_sim", driver_options={"die": "sim"}, summary=False, export=False)
    report = run_batch(config, [AppEntry("demo-clean")], "S2")
    with RunIndex.open(tmp_path / "batch.sqlite") as idx:
        (task,) = idx.tasks()
    assert (task.status, task.attempts) == ("infra_failed", 1)
    assert "worker died without a result (exit code 17)" in task.error
    assert report.exit_code == EXIT_INFRA


def test_one_coordinator_per_results_folder(tmp_path: Path, config_for: Callable[..., BatchConfig]) -> None:
    held = _CoordinatorLock(tmp_path)
    try:
        with pytest.raises(InputError, match="another batch coordinator is running"):
            run_batch(config_for(tmp_path, "sim"), [AppEntry("demo-clean")], "S2")
    finally:
        held.release()


def test_config_is_validated(config_for: Callable[..., BatchConfig]) -> None:
    with pytest.raises(InputError, match="unknown report format"):
        config_for(Path("x"), reports=("pdf",))
    with pytest.raises(InputError, match="timeouts must be positive"):
        config_for(Path("x"), timeout_s=0)
