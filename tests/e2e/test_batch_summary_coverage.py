"""The batch summary links to each run's report by default and covers every run the batch
folder holds, not only the list of the last invocation (reference device, SIMULATED)."""

from __future__ import annotations

import re
from pathlib import Path

from harness.cli import main


def test_summary_links_reports_and_covers_the_store(tmp_path: Path) -> None:
    results = tmp_path / "batch"
    first = tmp_path / "first.txt"
    first.write_text("demo-clean\n", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("demo-precollect\n", encoding="utf-8")
    for lst in (first, second):
        rc = main(["batch", "run", str(lst), "--results", str(results), "--scenario", "S1", "--no-export", "-q", "--cold"])
        assert rc in (0, 1)
    html = (results / "summary" / "summary.html").read_text("utf-8")
    assert "com.example.cleanshop" in html and "com.example.precollect" in html  # both lists' apps
    links = re.findall(r'href="([^"]*report\.html)"', html)
    assert len(links) >= 2
    for link in links:
        assert (results / "summary" / link).resolve().is_file()


def test_an_orphaned_half_run_stays_out_of_the_summary(tmp_path: Path) -> None:
    import json
    import shutil

    from harness.batch.index import INDEX_NAME, RunIndex

    results = tmp_path / "batch"
    lst = tmp_path / "apps.txt"
    lst.write_text("demo-clean\n", encoding="utf-8")
    assert main(["batch", "run", str(lst), "--results", str(results), "--scenario", "S1", "--no-export", "-q", "--cold"]) in (0, 1)
    with RunIndex.open(results / INDEX_NAME, create=False) as idx:
        (task,) = idx.tasks()
    done = results / task.run_dir
    # a worker killed half-way left a run folder no task owns: no findings, status running
    orphan = done.parent / "20000101-000000-com.example.orphan-S1"
    shutil.copytree(done, orphan)
    (orphan / "findings.jsonl").unlink()
    info = json.loads((orphan / "run.json").read_text("utf-8"))
    info.update(run_id=orphan.name, package="com.example.orphan", status="running")
    (orphan / "run.json").write_text(json.dumps(info), encoding="utf-8")
    assert main(["batch", "run", str(lst), "--results", str(results), "--scenario", "S1", "--no-export", "-q", "--cold"]) in (0, 1)
    html = (results / "summary" / "summary.html").read_text("utf-8")
    assert task.run_dir.split("/")[-1] in html
    assert "com.example.orphan" not in html and orphan.name not in html
