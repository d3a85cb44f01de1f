"""The agent-message decoder never raises (issue 12, Medium 7) and device times outside the run
window are clamped and flagged (Medium 8). The fuzzer is a seeded random generator, so a
failure names a seed that reproduces it."""

from __future__ import annotations

import json
import random
from typing import Any

from harness.events import ApiCall, AppState, ErrorRecord, Event
from harness.instrumentation.protocol import CLOCK_SLACK_S, CLOCK_WHERE, MAX_ERRORS_PER_BATCH, AgentDecoder

NOW = 100.0


def _decoder() -> AgentDecoder:
    return AgentDecoder(lambda: NOW, source="frida", attribute=lambda frames, caller: "app", package="com.example")


def _good(ts: float = 50_000.0) -> dict[str, Any]:
    return {"k": "api", "id": "TelephonyManager.getImei", "cat": "DEVICE_ID", "m": "TelephonyManager.getImei", "ts": ts, "th": "main", "sid": "s1", "stack": ["com.example.A.b(A.java:1)"]}


def test_one_bad_field_loses_only_its_event() -> None:
    """The cases from the adversarial pass: a non-string state and a huge integer timestamp
    used to raise out of the decoder and lose the whole message."""
    d = _decoder()
    d.decode_safe({"type": "agent:ready", "now": 50_000, "hooks": 1})
    bad = [
        {"k": "life", "ts": 50_000, "state": ["started"]},  # unhashable state
        {"k": "life", "ts": 50_000, "state": {"a": 1}},
        {"k": "api", "id": "x", "cat": "y", "ts": 10**400},  # float() overflows
        {"k": "api", "id": "x", "cat": "y", "ts": 50_000, "n": 10**5000},  # beyond int->str limits
        {"k": "api", "id": "x", "cat": "y", "ts": 50_000, "tid": "7"},
        {"k": "perm", "ts": 50_000, "perms": "android.permission.CAMERA"},
    ]
    msg = {"type": "events:add", "events": [_good(), *bad, _good(50_001)] + [_good(50_002 + i) for i in range(500)]}
    out = d.decode_safe(msg)
    calls = [e for e in out if isinstance(e, ApiCall)]
    errors = [e for e in out if isinstance(e, ErrorRecord)]
    assert len(calls) == 502 + 1  # every good event, plus the huge-n one (count is bounded)
    assert len(errors) == 5 and all(e.where == "agent-event" for e in errors)  # one per bad event
    assert all(len(e.message) <= 500 for e in errors)
    assert d.rejected == 5
    flood = d.decode_safe({"type": "events:add", "events": bad * 20 + [_good()]})
    assert len([e for e in flood if isinstance(e, ErrorRecord)]) == MAX_ERRORS_PER_BATCH + 1  # bounded
    assert flood[-1].message.startswith(f"{len(bad) * 20 - 20 - MAX_ERRORS_PER_BATCH} more malformed")


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12 if depth < 3 else 8)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 2**31, -(2**63), 10 ** rng.randrange(1, 500), rng.randrange(-(10**6), 10**6)])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e308, float("inf"), float("-inf"), float("nan"), 1e-320])
    if kind in (4, 5):
        alphabet = "ab\u2028\u0085\x00\ud83d\ude00\u202e\"\\{}[]:,😀中"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
    if kind == 6:
        return rng.choice(["api", "perm", "life", "started", "events:add", "agent:ready", "send", "error"])
    if kind == 7:
        return "x" * rng.choice([0, 1, 5000, 100_000])
    if kind in (8, 9):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {rng.choice(["k", "ts", "id", "cat", "state", "th", "stack", "sid", "perms", "n", "x"]): _random_value(rng, depth + 1) for _ in range(rng.randrange(0, 8))}


def _random_event(rng: random.Random) -> Any:
    if rng.random() < 0.3:
        return _random_value(rng)
    ev: dict[str, Any] = dict(_good(rng.choice([50_000, -1e12, 1e15, 0])))
    ev["k"] = rng.choice(["api", "perm", "life", ev["k"]])
    for key in rng.sample(["k", "ts", "id", "cat", "state", "th", "stack", "sid", "perms", "n", "tid", "caller", "args", "ret", "pid"], rng.randrange(0, 5)):
        ev[key] = _random_value(rng)
    return ev


def _random_message(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.6:
        msg: Any = {"type": "events:add", "events": [_random_event(rng) for _ in range(rng.randrange(0, 30))]}
    elif r < 0.7:
        msg = {"type": "agent:ready", "now": _random_value(rng), "hooks": _random_value(rng), "skipped": _random_value(rng), "pid": _random_value(rng), "version": _random_value(rng)}
    elif r < 0.8:
        msg = {"type": "agent:error", "where": _random_value(rng), "message": _random_value(rng)}
    else:
        msg = _random_value(rng)
    if rng.random() < 0.3:
        msg = {"type": "send", "payload": msg}
    if rng.random() < 0.2:
        try:
            msg = json.dumps(msg, ensure_ascii=rng.random() < 0.5)
        except (ValueError, TypeError):
            pass
        if isinstance(msg, str) and rng.random() < 0.3:
            msg = msg[: rng.randrange(0, len(msg) + 1)]  # torn JSON
    return msg


def test_fuzzed_messages_never_raise_and_every_event_is_writable() -> None:
    for seed in range(150):
        rng = random.Random(seed)
        d = _decoder()
        for _ in range(20):
            msg = _random_message(rng)
            out = d.decode_safe(msg)  # must not raise, whatever the message
            assert isinstance(out, list), seed
            for ev in out:
                assert isinstance(ev, Event), seed
                # every decoded event can be written (no lone surrogate, finite JSON)
                line = json.dumps(ev.to_dict(), ensure_ascii=False, allow_nan=False)
                line.encode("utf-8")
                if isinstance(ev, ApiCall):
                    assert -CLOCK_SLACK_S <= ev.t <= NOW + CLOCK_SLACK_S, seed
                if isinstance(ev, ErrorRecord):
                    assert len(ev.message) <= 500, seed
            n_err = sum(isinstance(e, ErrorRecord) and e.where == "agent-event" for e in out)
            assert n_err <= MAX_ERRORS_PER_BATCH + 1, seed


def test_device_times_outside_the_run_window_are_clamped_and_flagged() -> None:
    d = _decoder()
    d.decode_safe({"type": "agent:ready", "now": 50_000, "hooks": 1})  # device 50 s == run 100 s
    out = d.decode_safe(
        {
            "type": "events:add",
            "events": [
                _good(45_000),  # run 95 s: inside
                _good(50_000 + (CLOCK_SLACK_S - 1) * 1000),  # a little in the future: slack
                _good(-10**9),  # far before the run started
                _good(10**12),  # far after "now"
                {"k": "life", "ts": 10**12, "state": "background"},
            ],
        }
    )
    calls = [e for e in out if isinstance(e, ApiCall)]
    life = [e for e in out if isinstance(e, AppState)]
    assert [round(c.t, 3) for c in calls] == [95.0, round(NOW + CLOCK_SLACK_S - 1, 3), 0.0, NOW]
    assert calls[2].t_device == -1e9 and calls[3].t_device == 1e12  # the device's stamp is kept
    assert life[0].t == NOW
    (flag,) = [e for e in out if isinstance(e, ErrorRecord)]
    assert flag.where == CLOCK_WHERE and flag.message.startswith("3 event(s) stamped outside the run window")
    assert d.clamped == 3


def test_the_report_notes_clamped_times(tmp_path: Any) -> None:
    from harness.events import RunMarker
    from harness.reporting.build import load_run
    from harness.rundir import RunDir, RunInfo
    from harness.timeline import Timeline

    rd = RunDir.create(tmp_path, "run")
    rd.write_info(RunInfo(run_id="run", package="com.example", app="a", scenario="S1", device={}, simulated=True, harness_version="x", status="completed"))
    d = _decoder()
    with Timeline(rd.timeline) as tl:
        tl.append(RunMarker(t=0.0, phase="start"))
        tl.extend(d.decode_safe({"type": "events:add", "events": [_good(1000.0), _good(10**12)]}))
        tl.append(RunMarker(t=NOW, phase="end", status="completed"))
    data = load_run(rd.path)
    notes = [n.message for n in data.notes if "outside the run window" in n.message]
    assert notes and notes[0].startswith("1 instrumentation event(s)")
    assert any(e["where"] == CLOCK_WHERE for e in data.errors())
