"""Files of a run folder (issue 12: High 2, High 3, Low): one JSON Lines reader split on "\\n"
only, unique temporaries, stale temporaries removed after kill -9, run folders created
atomically, symlinks never followed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harness import fsio
from harness.errors import InputError, RecordError
from harness.rundir import RunDir, RunInfo

SEPARATORS = "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e\r"


def test_read_jsonl_splits_on_newline_only(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    raw = "\u2028\u2029\u0085"  # json.dumps leaves these unescaped; str.splitlines breaks on them
    rows = [{"m": f"a{raw}b"}, {"m": "second"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert raw in path.read_text(encoding="utf-8")
    got = list(fsio.read_jsonl(path))
    assert [(g.lineno, g.ok, g.last) for g in got] == [(1, True, False), (2, True, True)]
    assert [g.value for g in got] == rows


def test_write_jsonl_round_trips_every_separator(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    rows = [{"m": f"x{ch}y"} for ch in SEPARATORS] + [{"m": "end"}]
    fsio.write_jsonl(path, rows)
    assert [line.value for line in fsio.read_jsonl(path)] == rows


def test_torn_last_line_is_marked(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text('{"a":1}\n\n{"a":2}\n{"a":', encoding="utf-8")
    got = list(fsio.read_jsonl(path))
    assert [(g.lineno, g.ok, g.last) for g in got] == [(1, True, False), (3, True, False), (4, False, True)]


def test_temp_names_are_unique_and_parallel_writers_never_clash(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    names = {fsio.temp_path(target) for _ in range(50)}
    assert len(names) == 50 and all(n.parent == tmp_path and n.name.startswith(".run.json.") for n in names)
    for n in names:
        n.unlink()
    rd = RunDir(tmp_path)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            for j in range(30):
                rd.write_info(RunInfo(run_id=f"{i}-{j}", package="p", app="a", scenario="S1", device={}, simulated=True, harness_version="x"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert json.loads(rd.run_json.read_text(encoding="utf-8"))["package"] == "p"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_run_dir_create_takes_the_next_free_name(tmp_path: Path) -> None:
    a = RunDir.create(tmp_path, "run")
    b = RunDir.create(tmp_path, "run")
    (tmp_path / "run-3").symlink_to(tmp_path / "nowhere")  # a dangling symlink at the next name
    c = RunDir.create(tmp_path, "run")
    assert [a.path.name, b.path.name, c.path.name] == ["run", "run-2", "run-4"]
    assert c.path.is_dir() and not c.path.is_symlink()
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(RecordError, match="cannot create"):
        RunDir.create(blocker, "run")


CHILD = r"""
import sys, time
from harness import fsio
tmp = fsio.temp_path(sys.argv[1])
tmp.write_text("half a report", encoding="utf-8")
print(tmp, flush=True)
time.sleep(60)
"""


def test_temporaries_of_a_killed_writer_are_removed_on_next_open(tmp_path: Path) -> None:
    from harness.reporting.build import load_run

    rd = RunDir(tmp_path / "run")
    rd.path.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(rd.path / "report.html")], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    stale = Path(proc.stdout.readline().strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    mine = fsio.temp_path(rd.path / "findings.jsonl")  # a live writer's temporary stays
    other = rd.path / ".notes.txt.tmp"  # not ours: never touched
    other.write_text("x", encoding="utf-8")
    assert stale.exists()
    load_run(rd.path)  # opening the folder again
    assert not stale.exists() and mine.exists() and other.exists()
    old = fsio.temp_path(rd.path / "analysis.json")
    os.utime(old, (1, 1))  # older than a day: stale whoever wrote it
    assert fsio.remove_stale_temps(rd.path) == [old]


def _run_folder(tmp_path: Path) -> RunDir:
    from harness.events import ApiCall, RunMarker
    from harness.timeline import Timeline

    rd = RunDir.create(tmp_path, "run")
    rd.write_info(RunInfo(run_id="run", package="com.example", app="a", scenario="S1", device={}, simulated=True, harness_version="x"))
    with Timeline(rd.timeline) as tl:
        tl.append(RunMarker(t=0.0, phase="start", package="com.example"))
        tl.append(ApiCall(t=1.0, api_id="TelephonyManager.getImei", category="DEVICE_ID"))
    return rd


def test_symlinks_inside_a_run_folder_are_not_followed(tmp_path: Path) -> None:
    from harness.pipeline import read_findings
    from harness.reporting.build import load_run

    rd = _run_folder(tmp_path)
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "findings.jsonl").write_text(json.dumps({"rule_id": "R99", "severity": "high", "verdict": "violation", "title": "planted", "message": "from outside"}) + "\n", encoding="utf-8")
    (outside / "passwd.json").write_text(json.dumps({"run_id": "x", "package": "leaked", "app": "a", "scenario": "S", "device": {}, "simulated": False, "harness_version": "h"}), encoding="utf-8")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    (outside / "shot.png").write_bytes(png)
    rd.findings.symlink_to(outside / "findings.jsonl")
    with pytest.raises(InputError, match="symlink"):
        read_findings(rd.path)
    data = load_run(rd.path)
    assert data.findings == [] and any("could not be read" in n.message for n in data.notes)

    rd.run_json.unlink()
    rd.run_json.symlink_to(outside / "passwd.json")
    with pytest.raises(InputError, match="symlink"):
        rd.read_info()
    data = load_run(rd.path)
    assert data.info.package != "leaked"

    rd.screens.mkdir()
    (rd.screens / "0.png").symlink_to(outside / "shot.png")
    assert data._resolve("screens/0.png", 0, ".png") is None
    (rd.screens / "1.png").write_bytes(png)
    assert data._resolve("screens/1.png", 1, ".png") == (rd.screens / "1.png").resolve()
