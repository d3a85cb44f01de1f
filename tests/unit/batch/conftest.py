"""Fixtures for the batch tests: a small finished batch on the reference device (shared by the
store, query and Dask tests), and helpers to write app lists and crashing app models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from harness.batch.applist import AppEntry
from harness.batch.coordinator import BatchConfig, BatchReport, run_batch
from harness.batch.leases import parse_devices

SMALL_APPS = ("demo-clean", "demo-precollect", "supermarket")

CRASHY_MODEL = """
model: crashy
package: com.example.crashy
label: Crashy
on_launch:
  - goto: home
  - after: {seconds: 2, do: [crash: "java.lang.IllegalStateException: boom"]}
screens:
  home:
    title: Home
    body: Hello
"""


def make_config(results: Path, devices: str = "sim,sim", **kw: object) -> BatchConfig:
    return BatchConfig(results=results, devices=parse_devices(devices), **kw)  # type: ignore[arg-type]


@pytest.fixture
def config_for() -> Callable[..., BatchConfig]:
    """``config_for(results, devices="sim,sim", **BatchConfig fields)``."""
    return make_config


@pytest.fixture(scope="session")
def small_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BatchReport]:
    """3 bundled apps x S2 on two reference devices, exported, no summary."""
    results = tmp_path_factory.mktemp("small-batch")
    report = run_batch(make_config(results, summary=False), [AppEntry(a) for a in SMALL_APPS], "S2")
    assert report.counts["done"] == len(SMALL_APPS), report
    return results, report


@pytest.fixture
def crashy_model(tmp_path: Path) -> Path:
    p = tmp_path / "crashy.yaml"
    p.write_text(CRASHY_MODEL, encoding="utf-8")
    return p


@pytest.fixture
def write_list(tmp_path: Path) -> Callable[[Sequence[str], str], Path]:
    def write(lines: Sequence[str], name: str = "apps.txt") -> Path:
        p = tmp_path / name
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return p

    return write
