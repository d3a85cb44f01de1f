"""The calibration corpus (harness/devices/sim/apps/, docs/corpus.md) without the detectors:
every model validates, covers the seed scenarios, ships a well-formed ground truth that the
model's own behaviour backs up, reads on screen as a real app would, and the clean controls
really collect nothing before consent. Also unit tests of the benchmark's scoring rules."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from harness import yamlio
from harness.catalog.apis import PI_CATEGORIES, api_by_id
from harness.catalog.profiles import app_profile
from harness.consent_ui import read_screen
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.devices.sim.engine import SimDevice
from harness.devices.sim.model import Action, AppModel, available_models, corpus_of, load_bundled, load_model
from harness.devices.sim.render import render_app
from harness.errors import InputError
from harness.events import ApiCall, Event
from harness.findings import Finding
from harness.instrumentation.base import Target

if TYPE_CHECKING:
    from conftest import Corpora

REPO = Path(__file__).resolve().parents[3]
SEEDS = ("restaurant", "parking", "education", "lending", "real_estate", "power_bank", "supermarket", "car_dealer")
SCENARIOS = ("S1", "S2", "S3", "S4", "S5")
MODELS = {n: load_bundled(n) for n in available_models("all")}  # every corpus (docs/corpus.md)
CMP_LAYERS = frozenset({"ad_choices"})  # page ids that are a CMP settings layer


def _walk(actions: tuple[Action, ...]) -> list[Action]:
    out: list[Action] = []
    for a in actions:
        out.append(a)
        out += _walk(a.then) + _walk(a.otherwise)
        if a.op == "request":
            out += _walk(a.arg["on_granted"]) + _walk(a.arg["on_denied"])
        if a.op in ("after", "every"):
            out += _walk(a.arg["do"])
    return out


def _all_actions(m: AppModel) -> list[Action]:
    groups = [m.on_start, m.on_launch, m.on_resume, m.on_background, m.on_consent_accept, m.on_consent_decline, tuple(m.self_start.get("do", ()))]
    for s in m.screens.values():
        groups += [s.on_show, s.on_outside, s.on_back or ()]
        groups += [e.on_tap for e in s.elements]
    return [a for g in groups for a in _walk(g)]


def _calls(m: AppModel) -> list[dict[str, Any]]:
    return [a.arg for a in _all_actions(m) if a.op == "call"]


# -- composition -------------------------------------------------------------------------------


def test_corpus_covers_every_seed_scenario_with_controls_and_english_variants() -> None:
    planted = [m for m in MODELS.values() if not m.clean]
    seeds = {app_profile(m.profile).seed for m in planted}
    seeds = {"lending" if s == "finance" else s for s in seeds}
    assert set(SEEDS) <= seeds, f"seed scenarios without a planted reference app: {set(SEEDS) - seeds}"
    assert len([m for m in MODELS.values() if m.clean]) >= 4
    english = [m for m in planted if m.locale == "en"]
    assert len({app_profile(m.profile).seed for m in english}) >= 3


def _runs(corpora: Corpora) -> list[str]:
    """The scenarios and the untrusted-CA runs of them (bench/accuracy.py --ca-run)."""
    return [*SCENARIOS, *(s + corpora.bench.CA_RUN_SUFFIX for s in SCENARIOS)]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_profile_and_truth_are_valid(name: str, corpora: Corpora) -> None:
    m = MODELS[name]
    assert app_profile(m.profile).id == m.profile
    runs = _runs(corpora)
    items = corpora.truth([m], runs)
    assert bool(items) != m.clean
    for t in items:
        assert t.scenario in runs and t.rule in corpora.rules and t.why
        # the untrusted-CA run is scored for R37 alone
        assert not t.scenario.endswith(corpora.bench.CA_RUN_SUFFIX) or t.rule in corpora.bench.CA_RUN_RULES


@pytest.mark.parametrize("name", sorted(n for n, m in MODELS.items() if m.truth))
def test_truth_is_backed_by_what_the_model_does(name: str, corpora: Corpora) -> None:
    """A truth entry that names a data category (and an SDK) must correspond to a call the
    model actually makes with that category (by that SDK, or by the app's own code)."""
    m = MODELS[name]
    calls = _calls(m)
    for t in corpora.truth([m], _runs(corpora)):
        if not t.category:
            continue
        same = [c for c in calls if api_by_id(c["api"]).category == t.category]
        assert same, f"{name}: truth {t.label()} but the model never reads {t.category}"
        if t.sdk == "app":
            assert any(not c["sdk"] for c in same), f"{name}: truth says the app reads {t.category}, only SDKs do"
        elif "." in t.sdk:
            # the SDK's package, or a copy of it relocated ("shaded") inside another package
            assert any(c["sdk"] == t.sdk or c["sdk"].startswith(t.sdk + ".") or f".{t.sdk}." in c["sdk"] + "." for c in same), f"{name}: no {t.category} call by {t.sdk}"


def test_truth_sdk_packages_are_known_to_the_sdk_catalogue(corpora: Corpora) -> None:
    resolve = corpora.bench.default_sdk_resolver()
    for m in MODELS.values():
        for raw in m.truth:
            sdk = str(raw.get("sdk", ""))
            if "." in sdk:
                # a catalogued SDK resolves to its id; one the catalogue lacks (third corpus) to
                # the organisation prefix attribution names unlisted third-party code by
                assert len(resolve(sdk)) == 2, f"{m.name}: SDK package {sdk} is neither in harness/catalog/sdks.yaml nor attributed as unlisted third-party code"


def test_pre_ticked_plant_is_a_ticked_checkbox_on_the_privacy_prompt() -> None:
    for m in MODELS.values():
        if any(t.get("rule") == "R13" for t in m.truth):
            # a consent box on the privacy prompt, or purpose switches on a CMP layer
            boxes = [e for s in m.screens.values() if s.layout == "dialog" for e in s.elements if e.type == "checkbox"]
            if not boxes:
                boxes = [e for s in m.screens.values() if s.id.startswith("consent_") for e in s.elements if e.type == "switch"]
            assert boxes and all(b.checked for b in boxes), m.name
        if m.clean:
            assert not any(e.checked for s in m.screens.values() for e in s.elements if e.type == "checkbox"), m.name


# -- screens read as a real app's would ---------------------------------------------------------


def _reading(m: AppModel, screen_id: str) -> Any:
    first = next(iter(m.screens.values()))
    s = m.screens[screen_id]
    xml, _ = render_app(first, s, m.package, {}) if s.layout == "dialog" else render_app(s, None, m.package, {})
    return read_screen(xml)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_consent_screens_read_as_intended(name: str) -> None:
    m = MODELS[name]
    cmp_layers = [s.id for s in m.screens.values() if s.id.startswith(("consent_form", "consent_manage", "home_banner", "cmp_settings"))]
    if cmp_layers:
        # an app that asks through a CMP: every layer reads as one, and none can refuse by accepting
        for sid in cmp_layers:
            r = _reading(m, sid)
            assert r.kind == "cmp_dialog", f"{name}.{sid} reads as {r.kind}"
            assert r.control("accept") is not None
        first = _reading(m, cmp_layers[0])
        assert (first.decline_control() is not None) != any(t.get("rule") == "R12" for t in m.truth), f"{name}: refusal on the first layer vs R12 truth"
        return
    # the prompt is a dialog, or (third corpus) a full-screen onboarding page
    prompts = [s.id for s in m.screens.values() if (s.layout == "dialog" and s.id in ("privacy", "notice")) or s.id == "onboarding"]
    assert prompts, f"{name}: no privacy prompt"
    for sid in prompts:
        r = _reading(m, sid)
        assert r.kind == "privacy_dialog", f"{name}.{sid} reads as {r.kind}"
        assert r.control("accept") is not None
        if not any(t.get("rule") == "R12" for t in m.truth):
            assert r.control("decline") is not None, f"{name}.{sid}: no decline control recognised"
    if "confirm" in m.screens:
        r = _reading(m, "confirm")
        assert r.kind == "second_confirm", f"{name}.confirm reads as {r.kind}"
        assert r.control("confirm_decline") is not None or r.control("browse_only") is not None
    for s in m.screens.values():
        if s.id.endswith("_why") and corpus_of(name) == "calibration":
            # the second corpus was written independently of the recogniser: how its rationale
            # dialogs read is a measurement (docs/corpus.md), not an invariant
            assert _reading(m, s.id).kind == "permission_rationale", f"{name}.{s.id}"
        if s.layout == "page" and s.id not in prompts:
            # a consent-management settings page (the CMP's second layer) is a CMP screen
            allowed = ("other", "login_gate", "cmp_dialog") if s.id in CMP_LAYERS else ("other", "login_gate")
            assert _reading(m, s.id).kind in allowed, f"{name}.{s.id}"


# -- behaviour without the detectors ------------------------------------------------------------


def _observe_first_launch(m: AppModel, seconds: float = 30.0) -> list[Event]:
    dev = SimDevice()
    pkg = dev.install(m)
    drv = SimDriver(dev)
    events: list[Event] = []
    SimInstrumentation(drv).start(Target(pkg), events.extend, drv.now)
    drv.launch(pkg)
    drv.sleep(seconds)
    return events


@pytest.mark.parametrize("name", sorted(MODELS))
def test_untouched_first_launch_collects_exactly_what_the_truth_says(name: str) -> None:
    """S1 by hand: launch and wait 30 s without a tap. Clean controls read no personal
    information; a model whose truth plants R09 in S1 reads that category."""
    m = MODELS[name]
    pi = [e for e in _observe_first_launch(m) if isinstance(e, ApiCall) and e.category in PI_CATEGORIES]
    expected = {str(t.get("category")) for t in m.truth if t.get("rule") == "R09" and "S1" in t.get("scenario", ())}
    assert {e.category for e in pi} == expected


# -- the benchmark's scoring rules ---------------------------------------------------------------

TOY = """
model: toy
package: com.example.toy
label: Toy
profile: parking_payment
screens:
  home: {title: Home}
truth:
  - {rule: R09, scenario: [S1, S2], category: DEVICE_ID, sdk: com.umeng.commonsdk, why: planted}
"""


def _toy(text: str = TOY) -> AppModel:
    return load_model(yamlio.load(textwrap.dedent(text), "toy.yaml"), "toy.yaml")


@pytest.mark.parametrize(
    "patch, message",
    [
        (("rule: R09", "rule: R99"), "rule id of the catalogue"),
        (("scenario: [S1, S2]", "scenario: [S1, S9]"), "unknown scenario 'S9'"),
        (("category: DEVICE_ID", "category: SOULS"), "unknown data category"),
        (("why: planted", "why: ''"), "'why'"),
        (("sdk: com.umeng.commonsdk", "sdk: 'rm -rf /'"), "'sdk' must be"),
        (("why: planted}", "why: planted, colour: red}"), "unknown field(s) colour"),
        (("  - {rule: R09", "  - {rule: R09, verdict: maybe"), "'verdict'"),
        (("truth:", "clean: true\ntruth:"), "clean control"),
    ],
)
def test_malformed_truth_is_refused_naming_the_file_and_entry(patch: tuple[str, str], message: str, corpora: Corpora) -> None:
    with pytest.raises(InputError) as exc:
        corpora.truth([_toy(textwrap.dedent(TOY).replace(*patch))], SCENARIOS)
    assert message in str(exc.value)
    assert "toy.yaml" in str(exc.value)


def test_a_planted_model_without_truth_is_refused(corpora: Corpora) -> None:
    text = textwrap.dedent(TOY).split("truth:")[0]
    with pytest.raises(InputError, match="no truth list"):
        corpora.truth([_toy(text)], SCENARIOS)


def _finding(rule: str, *, verdict: str = "violation", category: str = "", sdk: str = "") -> Finding:
    return Finding(rule_id=rule, title=rule, severity="high" if verdict != "info" else "info", verdict=verdict, message="m", category=category, sdk=sdk)


def _outcome(bench: ModuleType, app: str, scenario: str, findings: list[Finding]) -> Any:
    return bench.RunOutcome(app, scenario, Path(f"/runs/{app}-{scenario}"), findings, "completed", 0)


def test_scoring_finds_misses_false_positives_and_flagged_controls(corpora: Corpora) -> None:
    bench = corpora.bench
    truth = corpora.truth([_toy()], SCENARIOS)
    resolve = bench.default_sdk_resolver()
    umeng = next(iter(resolve("com.umeng.commonsdk") - {"com.umeng.commonsdk"}))
    outcomes = [
        _outcome(bench, "toy", "S1", [_finding("R09", category="DEVICE_ID", sdk=umeng), _finding("R09", category="DEVICE_ID", sdk=umeng), _finding("R43", verdict="info")]),
        _outcome(bench, "toy", "S2", [_finding("R09", category="DEVICE_ID", sdk="app"), _finding("R26", category="DEVICE_ID", sdk=umeng)]),
        _outcome(bench, "ctl", "S1", [_finding("R12", verdict="needs-review")]),
    ]
    sc = bench.score(outcomes, truth, ["ctl"], resolve)
    # S1 found (two identical findings are one unit; the info finding does not count); S2 is
    # missed because the SDK differs, and that finding and the R26 one are false positives.
    assert (sc.planted, sc.found) == (2, 1)
    assert [(t.app, t.scenario, t.rule) for t, _ in sc.misses] == [("toy", "S2", "R09")]
    assert sorted(u.rule for u in sc.false_positives) == ["R09", "R26"]
    assert [(u.app, u.rule) for u in sc.control_flags] == [("ctl", "R12")]
    assert sc.units == 4 and sc.explained == 1
    assert sc.precision == pytest.approx(0.25) and sc.recall == pytest.approx(0.5)
    assert not sc.perfect
    figs = bench.figures(sc, outcomes, {"toy": 0.2, "ctl": 0.1}, clean=["ctl"], seconds=0.3, jurisdiction="cn")
    assert figs["false_positives_on_controls"] == 1 and figs["apps"] == 2 and figs["per_rule"]["R09"]["recall"] == 0.5


def test_scoring_respects_the_verdict_a_truth_entry_asks_for(corpora: Corpora) -> None:
    bench = corpora.bench
    text = textwrap.dedent(TOY).replace("sdk: com.umeng.commonsdk, why", "verdict: needs-review, why")
    truth = [t for t in corpora.truth([_toy(text)], SCENARIOS) if t.scenario == "S1"]
    resolve = bench.default_sdk_resolver()
    wrong = bench.score([_outcome(bench, "toy", "S1", [_finding("R09", category="DEVICE_ID")])], truth, [], resolve)
    right = bench.score([_outcome(bench, "toy", "S1", [_finding("R09", verdict="needs-review", category="DEVICE_ID")])], truth, [], resolve)
    assert (wrong.found, len(wrong.false_positives)) == (0, 1)
    assert right.perfect and right.precision == 1.0 and right.recall == 1.0


# -- the second corpus ---------------------------------------------------------------------------


def test_second_corpus_is_separate_new_and_half_clean() -> None:
    """The second corpus (docs/corpus.md) lives in its own folder, shares no model name or
    package with the calibration corpus, has at least 12 apps of which half are clean, and
    covers app types the calibration corpus does not."""
    first = set(available_models())
    second = set(available_models("second"))
    assert len(second) >= 12 and not first & second
    assert set(available_models("all")) == first | second | set(available_models("third"))
    assert {corpus_of(n) for n in first} == {"calibration"} and {corpus_of(n) for n in second} == {"second"}
    models2 = [MODELS[n] for n in second]
    assert len([m for m in models2 if m.clean]) * 2 >= len(models2)
    assert not {m.package for m in models2} & {MODELS[n].package for n in first}
    new_types = {m.profile for m in models2} - {MODELS[n].profile for n in first}
    assert len(new_types) >= 8, new_types


def test_unknown_corpus_is_refused_by_name() -> None:
    from harness.errors import AppModelError

    with pytest.raises(AppModelError, match="unknown corpus 'thrid'"):
        available_models("thrid")


# -- the third corpus ----------------------------------------------------------------------------


def test_third_corpus_is_separate_new_and_mostly_clean() -> None:
    """The third corpus (docs/corpus.md) lives in its own folder, shares no model name or package
    with the other two, has at least 12 apps of which more than half are clean, covers app types
    and UI languages the other two do not, and every model's comment says what it does."""
    earlier = set(available_models()) | set(available_models("second"))
    third = set(available_models("third"))
    assert len(third) >= 12 and not earlier & third
    assert {corpus_of(n) for n in third} == {"third"}
    models3 = [MODELS[n] for n in third]
    assert len([m for m in models3 if m.clean]) * 2 > len(models3)
    assert not {m.package for m in models3} & {MODELS[n].package for n in earlier}
    new_types = {m.profile for m in models3} - {MODELS[n].profile for n in earlier}
    assert len(new_types) >= 8, new_types
    new_locales = {m.locale for m in models3} - {MODELS[n].locale for n in earlier}
    assert {"ja", "ko", "de", "ru", "ar"} <= new_locales, new_locales
