"""Re-running a batch under another jurisdiction is refused: the recorded profile never flips
while the findings stay judged under the first (reference device, SIMULATED)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.batch.index import INDEX_NAME, RunIndex
from harness.cli import main


def test_other_jurisdiction_is_refused_and_nothing_flips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "batch"
    lst = tmp_path / "apps.txt"
    lst.write_text("demo-precollect\n", encoding="utf-8")
    assert main(["batch", "run", str(lst), "--results", str(results), "--scenario", "S1", "--no-export", "--no-summary", "-q", "--cold"]) in (0, 1)
    capsys.readouterr()
    assert main(["batch", "run", str(lst), "--results", str(results), "--scenario", "S1", "--jurisdiction", "eu", "--no-export", "--no-summary", "-q", "--cold"]) == 2
    assert "judged under --jurisdiction cn" in capsys.readouterr().err
    with RunIndex.open(results / INDEX_NAME, create=False) as idx:
        assert idx.meta()["jurisdiction"] == "cn"
        (task,) = idx.tasks()
    analysis = json.loads((results / task.run_dir / "analysis.json").read_text("utf-8"))
    assert analysis["jurisdiction"] == "cn"
    # the same profile again is a plain resume
    assert main(["batch", "run", str(lst), "--results", str(results), "--scenario", "S1", "--no-export", "--no-summary", "-q", "--cold"]) in (0, 1)
