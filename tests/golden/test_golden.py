"""Replay every golden case through the detectors and compare with its expected findings.

Each case folder holds a recorded run (timeline.jsonl + run.json) and expected.json, written by
make_cases.py. The comparison is exact: the multiset of (rule, verdict, category, SDK, evidence)
must match, rules listed as negative must find nothing, and no finding may cite a seq listed as
allowed (calls the user had just started).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.catalog.rules import load_rules
from harness.detectors import ApiColumns, BatchRun, analyze, analyze_batch, registry
from harness.findings import Finding
from harness.rundir import RunDir
from harness.timeline import Timeline

HERE = Path(__file__).resolve().parent
CASE_DIRS = sorted(p for p in HERE.iterdir() if (p / "expected.json").is_file())


def _key(f: Finding | dict[str, Any]) -> tuple[str, str, str, str, tuple[int, ...]]:
    if isinstance(f, Finding):
        return (f.rule_id, f.verdict, f.category, f.sdk, tuple(f.evidence))
    return (f["rule_id"], f["verdict"], f["category"], f["sdk"], tuple(f["evidence"]))


def _load(case: Path) -> tuple[Timeline, Any, dict[str, Any]]:
    rd = RunDir(case)
    return Timeline.read(rd.timeline, strict=True), rd.read_info(), json.loads((case / "expected.json").read_text("utf-8"))


def _check(findings: list[Finding], expected: dict[str, Any], case: str) -> None:
    got = Counter(_key(f) for f in findings)
    want = Counter(_key(f) for f in expected["findings"])
    missing = want - got
    extra = got - want
    detail = "\n".join(
        [f"  missing: {k}" for k in missing.elements()]
        + [f"  unexpected: {k}  <- {next(f.message for f in findings if _key(f) == k)}" for k in extra.elements()]
    )
    assert not missing and not extra, f"{case}: findings differ from expected.json\n{detail}"
    for rid in expected["negative"]:
        assert not [f for f in findings if f.rule_id == rid], f"{case}: {rid} must find nothing"
    allowed = set(expected["allowed"])
    for f in findings:
        assert not allowed & set(f.evidence), f"{case}: {f.rule_id} cites a user-triggered call {allowed & set(f.evidence)}"


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_golden_case(case: Path) -> None:
    timeline, info, expected = _load(case)
    result = analyze(timeline, info, jurisdiction=expected["jurisdiction"])
    assert result.errors == []
    _check(result.findings, expected, case.name)
    for f in result.findings:
        # every finding is citable: a title, at least one citation, thresholds with provenance
        assert f.title and f.citations, f
        assert f.detector, f
        assert all(c.jurisdiction in ("cn",) if expected["jurisdiction"] == "cn" else c.jurisdiction in ("eu", "play") for c in f.citations)


def test_batch_path_matches_per_run_path() -> None:
    """analyze_batch over all golden cases at once (one columnar table) gives, run by run, the same
    findings as analyze on each case."""
    catalog = load_rules()
    for jurisdiction in ("cn", "eu"):
        loaded = [_load(c) for c in CASE_DIRS if json.loads((c / "expected.json").read_text("utf-8"))["jurisdiction"] == jurisdiction]
        runs = [BatchRun(info, [e for e in tl]) for tl, info, _ in loaded]
        parts = [ApiColumns.from_events(tl, catalog, run=i) for i, (tl, _, _) in enumerate(loaded)]
        # a tiny chunk size forces the multi-chunk path
        batch = analyze_batch(runs, ApiColumns.concat(parts), jurisdiction=jurisdiction, chunk_events=7)
        for (tl, info, _), got in zip(loaded, batch, strict=True):
            single = analyze(tl, info, jurisdiction=jurisdiction)
            assert [f.to_dict() for f in got.findings] == [f.to_dict() for f in single.findings], info.run_id
            assert got.errors == single.errors == []


def test_cli_analyze_reproduces_golden_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`consent-harness analyze --profile <jurisdiction> RUN...` writes the expected findings."""
    from harness.cli import main
    from harness.errors import EXIT_CLEAN, EXIT_FINDINGS

    by_jur: dict[str, list[Path]] = {}
    for case in CASE_DIRS:
        dst = tmp_path / case.name
        shutil.copytree(case, dst)
        by_jur.setdefault(json.loads((case / "expected.json").read_text("utf-8"))["jurisdiction"], []).append(dst)
    for jur, dirs in by_jur.items():
        code = main(["analyze", "--profile", jur, *map(str, dirs)])
        assert code in (EXIT_CLEAN, EXIT_FINDINGS)
        for d in dirs:
            expected = json.loads((d / "expected.json").read_text("utf-8"))
            lines = (d / "findings.jsonl").read_text("utf-8").splitlines()
            _check([Finding.from_dict(json.loads(line)) for line in lines if line.strip()], expected, d.name)
            analysis = json.loads((d / "analysis.json").read_text("utf-8"))
            assert analysis["jurisdiction"] == jur and analysis["errors"] == []
    capsys.readouterr()


def test_every_detector_has_positive_and_negative_cases() -> None:
    positive: set[str] = set()
    negative: set[str] = set()
    triggered_negative = 0
    for case in CASE_DIRS:
        exp = json.loads((case / "expected.json").read_text("utf-8"))
        positive |= {f["rule_id"] for f in exp["findings"]}
        negative |= set(exp["negative"])
        triggered_negative += bool(exp["allowed"])
    rules = set(registry())
    assert rules - positive == set(), "rules without a positive golden case"
    assert rules - negative == set(), "rules without a negative golden case"
    assert triggered_negative >= 5  # "user-triggered, so allowed" cases


def test_cases_are_in_sync_with_generator(tmp_path: Path) -> None:
    """The committed case files are exactly what make_cases.py writes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_cases", HERE / "make_cases.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_cases"] = mod  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop("make_cases", None)
    names = mod.write_cases(tmp_path)
    assert sorted(names) == [p.name for p in CASE_DIRS]
    for name in names:
        for fname in ("run.json", "expected.json"):
            assert (tmp_path / name / fname).read_bytes() == (HERE / name / fname).read_bytes(), f"{name}/{fname} is stale"
        # The committed timelines keep the form runs were recorded in before screen readings and
        # explore results became typed (JSON text inside UiSnapshot.reading and a StepMarker
        # message); the generator writes today's form. Both must read as the same events, so the
        # cases also prove that older run folders are still judged the same.
        assert list(Timeline.read(tmp_path / name / "timeline.jsonl", strict=True)) == list(
            Timeline.read(HERE / name / "timeline.jsonl", strict=True)
        ), f"{name}/timeline.jsonl is stale"
