"""``consent-harness screen FILE.xml``: JSON on stdout, exit 2 with a message on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.consent_ui.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_prints_the_reading_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CORPUS / "perm_api31_en_location_accuracy.xml")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "permission_dialog" and out["permission_group"] == "LOCATION"
    assert {"role", "text", "resource_id", "class", "bounds"} <= set(out["controls"][0])
    assert any(c["role"] == "deny" for c in out["controls"]) and out["reasons"]


def test_pretty_is_indented_and_keeps_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CORPUS / "privacy_zh_side_disagree_agree.xml"), "--pretty"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("{\n  ") and "不同意" in out
    assert json.loads(out)["kind"] == "privacy_dialog"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = (CORPUS / "second_zh_still_disagree.xml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["-"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "second_confirm"


@pytest.mark.parametrize("content", [None, b"not xml at all", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><hierarchy/>'])
def test_bad_input_exits_2_with_a_message(tmp_path: Path, content: bytes | None, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "screen.xml"
    if content is not None:
        f.write_bytes(content)
    assert main([str(f)]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and "screen.xml" in cap.err and cap.err.startswith("consent-harness screen:")


def test_runs_as_a_module() -> None:
    p = subprocess.run([sys.executable, "-m", "harness.consent_ui.cli", str(CORPUS / "cmp_didomi_notice.xml")],
                       capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["kind"] == "cmp_dialog"
