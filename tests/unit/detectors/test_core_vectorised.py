"""The vectorised API core against a plain-Python reference, and its input handling."""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict

import numpy as np
import pyarrow as pa
import pytest

from harness.catalog.profiles import app_profile
from harness.catalog.rules import load_rules
from harness.detectors.core import ApiColumns, JudgeParams, RunTables, judge_api, target_package
from harness.detectors.phases import ACCEPTED, DECLINED, DISMISSED, VIS_BG, Phases, build_phases
from harness.errors import InputError
from harness.events import ApiCall, AppState, ConsentDecision, Event, UiAction, UiSnapshot

CAT = load_rules()
PARAMS = JudgeParams.from_catalog(CAT, "cn")
CATS = ["DEVICE_ID", "LOCATION", "CAMERA", "CONTACTS", "DEVICE_INFO", "APP_LIST", "MIC"]
SDKS = ["app", "", "com.umeng.analytics", "com.baidu.location"]


def random_run(rng: random.Random, n_api: int) -> list[Event]:
    """A random but well-formed run: consent choices, feature taps, trips to the background."""
    events: list[Event] = [UiAction(t=0.0, action="launch"), AppState(t=0.1, state="started", cause="activity")]
    t = 0.2
    while t < 200:
        t += rng.uniform(2, 25)
        r = rng.random()
        if r < 0.15:
            events.append(UiSnapshot(t=t, screen_kind="privacy_dialog", package="com.x"))
        elif r < 0.3:
            events.append(ConsentDecision(t=t, subject="privacy_policy", choice=rng.choice(["accept", "decline", "dismiss"])))
        elif r < 0.55:
            events.append(UiAction(t=t, action="tap", user_intent=rng.choice(["camera", "location", "contacts", "mic", ""])))
        elif r < 0.7:
            events.append(UiAction(t=t, action="home"))
        elif r < 0.8:
            events.append(UiAction(t=t, action="relaunch"))
            events.append(AppState(t=t + 0.05, state="started", cause="activity"))
    for _ in range(n_api):
        events.append(
            ApiCall(t=rng.uniform(0, 220), category=rng.choice(CATS), sdk=rng.choice(SDKS), api_id=rng.choice(["a.b", "LocationManager.requestLocationUpdates"]), count=rng.choice([1, 1, 2]))
        )
    events.sort(key=lambda e: e.t)
    return [e.stamped(i) for i, e in enumerate(events)]


def reference(events: list[Event], ph: Phases, rule: str) -> dict[tuple[str, str, str], list[int]]:
    """Plain-Python judgement of a few API rules: {(kind, category, sdk): evidence seqs}."""
    w = PARAMS.trigger_us / 1e6
    out: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    calls = sorted((e for e in events if isinstance(e, ApiCall)), key=lambda e: (e.t, e.seq))
    for e in calls:
        triggered = any(0 <= e.t - m.t <= w and e.category in CAT.intent_categories(str(m.value)) for m in ph.triggers)
        pi = CAT.is_pi(e.category)
        phase = ph.phase_at(e.t)
        vis, since = ph.visibility_at(e.t)
        key = None
        if rule == "R09" and pi and not triggered and phase <= DISMISSED:
            key = "before_consent"
        elif rule == "R10" and pi and not triggered and phase == DECLINED:
            key = "after_decline"
        elif rule == "R27" and pi and not triggered and vis == VIS_BG:
            key = "background" if e.t - since > PARAMS.grace_us / 1e6 else "grace"
        elif rule == "R28" and e.category in ("CAMERA", "MIC"):
            key = "background" if vis == VIS_BG else ("untriggered" if not triggered else None)
        if key:
            out[(key, e.category, e.sdk)].append(e.seq)
    return out


def reference_r26(events: list[Event], ph: Phases) -> dict[tuple[str, str], list[int]]:
    """Per (category, sdk): evidence of the process sessions whose untriggered reads are periodic
    or a burst."""
    w = PARAMS.trigger_us / 1e6
    starts = [m.t for m in ph.sessions]
    groups: dict[tuple[str, str, int], list[ApiCall]] = defaultdict(list)
    for e in sorted((e for e in events if isinstance(e, ApiCall)), key=lambda e: (e.t, e.seq)):
        triggered = any(0 <= e.t - m.t <= w and e.category in CAT.intent_categories(str(m.value)) for m in ph.triggers)
        if CAT.is_pi(e.category) and not triggered:
            groups[(e.category, e.sdk, bisect.bisect_right(starts, e.t) - 1)].append(e)
    flagged: dict[tuple[str, str], list[ApiCall]] = defaultdict(list)
    for (cat, sdk, _), calls in groups.items():
        ts = [c.t for c in calls]
        dts = [b - a for a, b in zip(ts, ts[1:], strict=False)]
        periodic = False
        if len(ts) >= PARAMS.periodic_min_calls:
            mean = sum(dts) / len(dts)
            sd = math.sqrt(max(sum(d * d for d in dts) / len(dts) - mean * mean, 0.0))
            cv = sd / mean if mean > 0 else 0.0
            periodic = max(dts) <= PARAMS.periodic_interval_s and cv <= PARAMS.periodic_max_cv and mean >= PARAMS.periodic_min_interval_s
        burst = cat in CAT.burst_categories and any(
            sum(c.count for c in calls if t0 <= c.t < t0 + PARAMS.burst_window_us / 1e6) >= PARAMS.burst_min_calls for t0 in ts
        )
        if periodic or burst:
            flagged[(cat, sdk)] += calls
    return {k: [c.seq for c in sorted(v, key=lambda c: (c.t, c.seq))][: PARAMS.evidence_max] for k, v in flagged.items()}


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_rules_match_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    runs = [random_run(rng, rng.choice([0, 5, 60, 200])) for _ in range(5)]
    phases = [build_phases(r, CAT, package="com.x") for r in runs]
    parts = [ApiColumns.from_events(r, CAT, run=i) for i, r in enumerate(runs)]
    tables = RunTables.build([(p, None) for p in phases], CAT, parts[0].cat_names)
    cols = ApiColumns.concat(parts)
    for chunk in (3, 50, 1_000_000):  # many chunks or one: same answer
        params = JudgeParams.from_catalog(CAT, "cn", chunk_events=chunk)
        result = judge_api(cols, tables, CAT, params, ["R09", "R10", "R26", "R27", "R28"])
        assert not result.errors
        for i, (run, ph) in enumerate(zip(runs, phases, strict=True)):
            for rule in ("R09", "R10", "R27", "R28"):
                got = {(h.kind, h.category, h.sdk): list(h.evidence) for h in result.rows(rule, i)}
                want = {k: v[: PARAMS.evidence_max] for k, v in reference(run, ph, rule).items()}
                assert got == want, (seed, chunk, i, rule)
            got26 = {(h.category, h.sdk): list(h.evidence) for h in result.rows("R26", i)}
            assert got26 == reference_r26(run, ph), (seed, chunk, i)


def test_hit_counts_and_evidence_cap() -> None:
    events: list[Event] = [UiAction(t=0.0, action="launch")]
    events += [ApiCall(t=1.0 + i * 0.5, category="DEVICE_ID", sdk="com.umeng.analytics", api_id="TelephonyManager.getImei", count=3) for i in range(30)]
    events = [e.stamped(i) for i, e in enumerate(events)]
    ph = build_phases(events, CAT)
    cols = ApiColumns.from_events(events, CAT)
    res = judge_api(cols, RunTables.build([(ph, None)], CAT, cols.cat_names), CAT, PARAMS, ["R09"])
    (row,) = res.rows("R09", 0)
    assert row.n == 30 and row.calls == 90
    assert row.evidence == tuple(range(1, 21))  # the first 20 seqs
    assert (row.t_first, row.t_last) == (1.0, 15.5)
    assert row.api == "TelephonyManager.getImei"


def test_r26_continuous_location_exempt_for_navigation_profiles() -> None:
    events: list[Event] = [ConsentDecision(t=0.5, choice="accept")]
    events += [ApiCall(t=1.0 + 5 * i, category="LOCATION", sdk="app", api_id="Location.getLatitude") for i in range(8)]
    events = [e.stamped(i) for i, e in enumerate(events)]
    ph = build_phases(events, CAT)
    cols = ApiColumns.from_events(events, CAT)
    for profile, flagged in (("map_navigation", False), ("online_shopping", True), (None, True)):
        prof = app_profile(profile) if profile else None
        res = judge_api(cols, RunTables.build([(ph, prof)], CAT, cols.cat_names), CAT, PARAMS, ["R26"])
        assert bool(res.rows("R26", 0)) is flagged, profile


def test_r26_reads_at_one_moment_are_no_timer() -> None:
    """Three reads that build one fingerprint (a few ms apart) are one act of collection; the
    same three reads two seconds apart are a timer."""
    for gap, flagged in ((0.004, False), (2.0, True)):
        events: list[Event] = [ConsentDecision(t=0.5, choice="accept")]
        events += [ApiCall(t=1.0 + gap * i, category="DEVICE_ID", sdk="adunion.test", api_id="Web.canvas.toDataURL#unseen") for i in range(3)]
        events = [e.stamped(i) for i, e in enumerate(events)]
        ph = build_phases(events, CAT)
        cols = ApiColumns.from_events(events, CAT)
        res = judge_api(cols, RunTables.build([(ph, None)], CAT, cols.cat_names), CAT, PARAMS, ["R26"])
        assert bool(res.rows("R26", 0)) is flagged, gap


def test_from_arrow_matches_from_events_and_drops_bad_times() -> None:
    events: list[Event] = [
        ApiCall(t=1.0, category="DEVICE_ID", sdk="app", api_id="x"),
        ApiCall(t=2.0, category="WEIRD", sdk="com.a", api_id="y"),
        ApiCall(t=3.0, category="APP_START", sdk="com.a", api_id="Context.startActivity", args="com.other/.Main"),
    ]
    events = [e.stamped(i) for i, e in enumerate(events)]
    a = ApiColumns.from_events(events, CAT)
    table = pa.table(
        {
            "run": [0, 0, 0, 0, 0],
            "seq": [0, 1, 2, 3, 4],
            "t": [1.0, 2.0, 3.0, float("nan"), -5.0],
            "category": ["DEVICE_ID", "WEIRD", "APP_START", "DEVICE_ID", None],
            "sdk": ["app", "com.a", "com.a", "app", "app"],
            "api_id": ["x", "y", "Context.startActivity", "x", "x"],
            "target": [None, None, "com.other", None, "not a package!"],
        }
    )
    b = ApiColumns.from_arrow(table, CAT)
    assert b.dropped == 2 and len(b) == 3
    assert [a.cat_names[c] for c in a.cat] == [b.cat_names[c] for c in b.cat] == ["DEVICE_ID", "OTHER", "APP_START"]
    assert list(a.t_us) == list(b.t_us) == [1_000_000, 2_000_000, 3_000_000]
    assert [b.target_names[x] if x >= 0 else "" for x in b.target] == ["", "", "com.other"]
    assert [a.target_names[x] if x >= 0 else "" for x in a.target] == ["", "", "com.other"]


def test_from_events_drops_unusable_times() -> None:
    events = [ApiCall(t=v, category="DEVICE_ID").stamped(i) for i, v in enumerate([1.0, float("inf"), float("nan"), -1.0, 1e9])]
    cols = ApiColumns.from_events(events, CAT)
    assert len(cols) == 1 and cols.dropped == 4


def test_column_validation() -> None:
    z = np.zeros(2, dtype=np.int64)
    with pytest.raises(InputError, match="column 'seq' has 1 rows"):
        ApiColumns(z, z[:1], z, z, z, z, z, z, ("A",), ("s",), ("a",), ())
    with pytest.raises(InputError, match="sdk codes outside"):
        ApiColumns(z, z, z, z, z + 5, z, z, z - 1, ("A",), ("s",), ("a",), ())
    with pytest.raises(InputError, match="times must be"):
        ApiColumns(z, z, z - 1, z, z, z, z, z - 1, ("A",), ("s",), ("a",), ())
    with pytest.raises(InputError, match="lacks column"):
        ApiColumns.from_arrow(pa.table({"run": [0]}), CAT)


def test_run_index_beyond_the_batch_is_refused() -> None:
    events = [ApiCall(t=1.0, category="DEVICE_ID").stamped(0)]
    cols = ApiColumns.from_events(events, CAT, run=3)
    tables = RunTables.build([(build_phases([], CAT), None)], CAT, cols.cat_names)
    with pytest.raises(InputError, match="only 1 runs"):
        judge_api(cols, tables, CAT, PARAMS)


def test_unsorted_batch_input_is_sorted_first() -> None:
    ev0 = [ApiCall(t=5.0, category="DEVICE_ID", sdk="app").stamped(0), ApiCall(t=1.0, category="DEVICE_ID", sdk="app").stamped(1)]
    ev1 = [ConsentDecision(t=0.0, choice="accept").stamped(0), ApiCall(t=2.0, category="DEVICE_ID").stamped(1)]
    cols = ApiColumns.concat([ApiColumns.from_events(ev1, CAT, run=1), ApiColumns.from_events(ev0, CAT, run=0)])
    tables = RunTables.build([(build_phases(ev0, CAT), None), (build_phases(ev1, CAT), None)], CAT, cols.cat_names)
    res = judge_api(cols, tables, CAT, PARAMS, ["R09"])
    (row,) = res.rows("R09", 0)
    assert row.evidence == (1, 0)  # time order within the group
    assert res.rows("R09", 1) == []  # run 1 had accepted


def test_phase_codes_cover_accept() -> None:
    ev = [ConsentDecision(t=1.0, choice="accept").stamped(0)]
    assert build_phases(ev, CAT).phase_at(2.0) == ACCEPTED


@pytest.mark.parametrize(
    ("args", "pkg"),
    [
        ("com.other.app/.Main", "com.other.app"),
        ("com.other.app", "com.other.app"),
        ('{"component": "com.x.y/com.x.y.S"}', "com.x.y"),
        ('{"package": "com.x.y"}', "com.x.y"),
        ("", ""),
        ("not a package", ""),
        ("rm -rf /", ""),
        ("{broken json", ""),
        ("[1, 2]", ""),
        ("a" * 5000 + ".b/c", ""),
    ],
)
def test_target_package(args: str, pkg: str) -> None:
    assert target_package(args) == pkg
