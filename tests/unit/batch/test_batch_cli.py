"""The batch command line: wiring into a parent parser, argument checks, exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from harness.batch.cli import add_parser, cmd_batch, main


def test_add_parser_wires_batch_into_a_parent_cli() -> None:
    root = argparse.ArgumentParser(prog="consent-harness")
    sub = root.add_subparsers(dest="command", required=True)
    add_parser(sub)
    a = root.parse_args(["batch", "run", "apps.txt", "--devices", "sim,sim", "--scenario", "S2", "--retries", "1"])
    assert (a.command, a.batch_command, a.app_list, a.devices, a.scenario, a.retries) == ("batch", "run", "apps.txt", "sim,sim", "S2", 1)
    q = root.parse_args(["batch", "query", "res", "--canned", "rule-counts"])
    assert (q.batch_command, q.canned, q.sql) == ("query", "rule-counts", None)


def test_bad_arguments_exit_2_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lst = tmp_path / "apps.txt"
    lst.write_text("com.example.app\n", encoding="utf-8")
    assert main(["run", str(lst), "--devices", "sim,emulator-5554", "--results", str(tmp_path / "r")]) == 2
    assert "cannot mix the reference device" in capsys.readouterr().err
    assert main(["run", str(lst), "--devices", "sim", "--results", str(tmp_path / "r"), "--driver-option", "novalue"]) == 2
    assert main(["resume", str(tmp_path / "nothing-here")]) == 2
    assert "nothing to resume" in capsys.readouterr().err
    assert main(["query", str(tmp_path), "SELECT 1", "--canned", "rule-counts"]) == 2
    assert main(["frobnicate"]) == 2


def test_list_of_canned_queries(capsys: pytest.CaptureFixture[str]) -> None:
    a = argparse.Namespace(batch_command="query", results=".", sql=None, canned=None, list=True, format="table", max_rows=10)
    assert cmd_batch(a) == 0
    out = capsys.readouterr().out
    assert "r09-apps" in out and "sdk-before-consent" in out and "rule-counts" in out
