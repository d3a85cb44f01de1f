"""End to end: the calibration corpus through the real runner, consent-UI recogniser and
detectors on the reference device, scored against each app's ground truth (bench/accuracy.py).

The benchmark itself is strict: it exits non-zero on any missed planted behaviour, flagged
clean control or unexplained finding. This test runs the same corpus and fails on anything
*new*: every miss and every false positive must be one of the known gaps below, each of which is
a reported issue outside the corpus (a detector not written yet, a detector or attribution
false positive). When a gap is fixed its entry becomes dead and should be removed; when a
change breaks the corpus, the test names the run folder to look at.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.events import ConsentDecision
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline

if TYPE_CHECKING:
    from conftest import Corpora, CorpusRun

REPO = Path(__file__).resolve().parents[2]

# Every gap found while building the corpus has been fixed (sim stacks now start at the caller,
# as the agent's do; a booking form is no login gate; demo-precollect's truth completed).
# A new entry needs a reason and a note in docs/corpus.md.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {}


def _known(kind: str, app: str, rule: str) -> bool:
    return (kind, app, rule) in KNOWN_GAPS or (kind, "*", rule) in KNOWN_GAPS


@pytest.fixture(scope="module")
def corpus(corpora: Corpora, tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    return corpora.run("calibration", tmp_path_factory.mktemp("corpus"))


def test_every_run_completes_and_the_prompt_is_decided_as_the_scenario_says(corpus: CorpusRun, corpora: Corpora) -> None:
    assert len(corpus.outcomes) == 6 * len(corpus.models)  # S1..S5 and the untrusted-CA run of S3
    for o in corpus.outcomes:
        assert o.status == "completed" and not o.infrastructure_error, f"{o.app} {o.scenario}: {o.status} {o.infrastructure_error} ({o.run_dir})"
        assert not o.detector_errors, f"{o.app} {o.scenario}: {o.detector_errors} ({o.run_dir})"
        # an app that asks for consent through a CMP (and no privacy prompt) is decided on its CMP
        m = corpus.models[o.app]
        subject = "cmp" if any(s.id.startswith(("consent_form", "home_banner")) for s in m.screens.values()) else "privacy_policy"
        choices = [e.choice for e in Timeline.read(o.run_dir / "timeline.jsonl") if isinstance(e, ConsentDecision) and e.subject == subject]
        ambiguous_only = subject == "privacy_policy" and any(t.get("rule") == "R12" for t in m.truth)
        expected = {"S1": [], "S2": ["dismiss" if ambiguous_only else "decline"], "S3": ["accept"], "S4": ["accept"], "S5": ["accept"]}[o.scenario.removesuffix(corpora.bench.CA_RUN_SUFFIX)]
        assert choices[:1] == expected, f"{o.app} {o.scenario}: privacy decisions {choices} ({o.run_dir})"


def test_clean_controls_are_not_flagged_beyond_known_detector_gaps(corpus: CorpusRun) -> None:
    flagged = [u for u in corpus.score.control_flags if not _known("fp", u.app, u.rule)]
    assert not flagged, "\n".join(f"{u.label()}: {u.message} ({u.run_dir})" for u in flagged)


def test_every_planted_behaviour_is_found_except_known_gaps(corpus: CorpusRun) -> None:
    sc = corpus.score
    missed = [(t, d) for t, d in sc.misses if not _known("miss", t.app, t.rule)]
    assert not missed, "\n".join(f"{t.label()}: {t.why} ({d})" for t, d in missed)
    assert sc.planted >= 100 and sc.found >= sc.planted - sum(1 for t, _ in sc.misses if _known("miss", t.app, t.rule))


def test_no_false_positive_beyond_known_gaps(corpus: CorpusRun) -> None:
    extra = [u for u in corpus.score.false_positives if not _known("fp", u.app, u.rule)]
    assert not extra, "\n".join(f"{u.label()}: {u.message} ({u.run_dir})" for u in extra)
    if not KNOWN_GAPS:
        assert corpus.score.precision == 1.0 and corpus.score.recall == 1.0


def test_every_run_ends_within_its_scenario_on_virtual_time(corpus: CorpusRun) -> None:
    # Virtual (device) time, deterministic: the longest standard scenario lasts about two
    # minutes of device time. A run far beyond that means a model kept the device busy (a
    # runaway timer or loop). Wall-clock speed is the benchmark's business, not a test's.
    for o in corpus.outcomes:
        info = json.loads((o.run_dir / "run.json").read_text(encoding="utf-8"))
        # S2 and S4 watch the background for rules.md's 10 minutes (virtual time)
        assert 0 < info["extra"]["duration_s"] < 1200, f"{o.app} {o.scenario}: {info['extra']['duration_s']} s ({o.run_dir})"


# The second corpus (written independently, docs/corpus.md): misses / false positives that are
# known and owned elsewhere. Each entry names why; remove it when the gap closes.
# (empty: the last one, job-hunt's three-tap refusal, closed when S2 began to walk every
# confirmation)
KNOWN_GAPS_SECOND: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def second(corpora: Corpora, tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    return corpora.run("second", tmp_path_factory.mktemp("second"))


def _no_flag_miss_or_false_positive(run: CorpusRun, known: dict[tuple[str, str, str], str]) -> None:
    """A later corpus's bar: no clean control flagged, and every miss and false positive a known gap."""
    sc = run.score
    assert not sc.control_flags, "\n".join(f"{u.label()}: {u.message} ({u.run_dir})" for u in sc.control_flags)
    missed = [(t, d) for t, d in sc.misses if ("miss", t.app, t.rule) not in known]
    assert not missed, "\n".join(f"{t.label()}: {t.why} ({d})" for t, d in missed)
    extra = [u for u in sc.false_positives if ("fp", u.app, u.rule) not in known]
    assert not extra, "\n".join(f"{u.label()}: {u.message} ({u.run_dir})" for u in extra)


def test_second_corpus_flags_no_clean_app_and_scores_above_the_bar(second: CorpusRun) -> None:
    sc = second.score
    _no_flag_miss_or_false_positive(second, KNOWN_GAPS_SECOND)
    assert sc.precision >= 0.97 and sc.recall >= 0.97, (sc.precision, sc.recall)
    if not KNOWN_GAPS_SECOND:
        assert sc.precision == 1.0 and sc.recall == 1.0


# The third corpus (adversarial, docs/corpus.md): clean apps doing lawful but unusual things in
# other languages, with other SDKs; plants in forms the other corpora did not use (a relocated
# SDK, an unlisted SDK, a DRM device id, a countdown that consents, permissions over two
# screens, another clipboard API). Same bar as the second corpus; no known gap.
KNOWN_GAPS_THIRD: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def third(corpora: Corpora, tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    return corpora.run("third", tmp_path_factory.mktemp("third"))


def test_third_corpus_flags_no_clean_app_and_scores_above_the_bar(third: CorpusRun) -> None:
    sc = third.score
    _no_flag_miss_or_false_positive(third, KNOWN_GAPS_THIRD)
    assert sc.planted >= 40 and len(third.clean) * 2 > len(third.models)
    if not KNOWN_GAPS_THIRD:
        assert sc.precision == 1.0 and sc.recall == 1.0


def test_third_corpus_prompts_are_decided_in_every_language(third: CorpusRun, corpora: Corpora) -> None:
    # a refusal in Korean, Japanese, German, Russian or Arabic, on an onboarding page or through a
    # guardian's box, is recorded as a refusal; nothing is decided in S1 (the countdown that
    # consents by itself is the app's doing, not a decision)
    for o in third.outcomes:
        assert o.status == "completed" and not o.infrastructure_error and not o.detector_errors, f"{o.app} {o.scenario} ({o.run_dir})"
        choices = [e.choice for e in Timeline.read(o.run_dir / "timeline.jsonl") if isinstance(e, ConsentDecision) and e.subject == "privacy_policy"]
        expected = {"S1": [], "S2": ["decline"], "S3": ["accept"], "S4": ["accept"], "S5": ["accept"]}[o.scenario.removesuffix(corpora.bench.CA_RUN_SUFFIX)]
        assert choices[:1] == expected, f"{o.app} {o.scenario}: privacy decisions {choices} ({o.run_dir})"


def _bench_cli(*args: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "accuracy.py"), *args], capture_output=True, text=True, timeout=120, cwd=REPO)
    return proc.returncode, proc.stdout + proc.stderr


def test_bench_passes_on_clean_controls_and_ends_with_the_json_figures() -> None:
    code, out = _bench_cli("--apps", "demo-clean,clean-parking")
    assert code == 0, out
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["precision"] == 1.0 and figures["recall"] == 1.0
    assert figures["apps"] == 2 and figures["clean_controls"] == 2 and figures["false_positives_on_controls"] == 0
    assert figures["runs"] == 2 * (len(resolve_scenarios("all")) + 1) and figures["simulated"] is True  # + the untrusted-CA run


BROKEN = """
model: {name}
package: com.refapp.broken.{name}
label: Broken {name}
profile: parking_payment
locale: zh
{clean}
on_start:
  - call: {{api: TelephonyManager.getImei, sdk: com.umeng.commonsdk}}
on_launch: [goto: home, goto: privacy]
screens:
  home: {{title: 停车缴费}}
  privacy:
    layout: dialog
    title: 用户协议与隐私政策
    body: 请阅读《隐私政策》。
    elements:
      - {{id: link_privacy, type: link, text: 《隐私政策》}}
      - {{id: btn_disagree, type: button, text: 不同意, style: secondary, on_tap: [consent: decline, close: true]}}
      - {{id: btn_agree, type: button, text: 同意, style: primary, on_tap: [consent: accept, close: true]}}
truth: {truth}
"""


def test_bench_fails_loudly_when_a_control_is_flagged_or_a_plant_is_missed(tmp_path: Path) -> None:
    flagged = tmp_path / "flagged.yaml"
    flagged.write_text(textwrap.dedent(BROKEN.format(name="flagged", clean="clean: true", truth="[]")), encoding="utf-8")
    code, out = _bench_cli("--apps", str(flagged), "--scenarios", "S1")
    assert code == 1, out
    assert "CLEAN CONTROL FLAGGED" in out and "R09" in out and "run folders:" in out
    assert json.loads(out.strip().splitlines()[-1])["false_positives_on_controls"] >= 1

    missed = tmp_path / "missed.yaml"
    truth = "\n  - {rule: R09, scenario: [S1], category: DEVICE_ID, sdk: com.umeng.commonsdk, why: read at start}\n  - {rule: R28, scenario: [S1], category: CAMERA, why: never happens}"
    missed.write_text(textwrap.dedent(BROKEN.format(name="missed", clean="", truth=truth)), encoding="utf-8")
    code, out = _bench_cli("--apps", str(missed), "--scenarios", "S1")
    assert code == 1, out
    assert "MISSED: 1 planted" in out and "R28" in out
    assert json.loads(out.strip().splitlines()[-1])["recall"] == 0.5


def test_bench_refuses_a_malformed_truth_list(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent(BROKEN.format(name="bad", clean="", truth="[{rule: R99, scenario: S1, why: x}]")), encoding="utf-8")
    code, out = _bench_cli("--apps", str(bad))
    assert code == 2 and "truth[0]" in out and "R99" in out
