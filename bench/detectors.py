"""Benchmark: judge 10 million ApiCall events over 1,000 runs with the vectorised detectors.

Run as ``python bench/detectors.py [--runs N] [--events-per-run M] [--jurisdiction cn|eu]``.

The synthetic batch is generated here as columns (numpy, then an Arrow table with dictionary
columns, the form a Parquet run store hands over): per run, sorted call times over a 10-minute
window, a realistic mix of data categories, callers (the app, ~40 SDK ids, unattributed code)
and API ids; per run a small set of control events (launch, consent prompt and a decision that is
accept, decline or missing, feature taps, a permission denial, a trip to the background) built
as ordinary Event objects. Nothing is read from disk.

The timed part is what a batch re-judgement costs: Arrow -> ApiColumns, building every run's
phases, the vectorised API rules, and all 26 detectors producing findings. Peak RSS is the whole
process's high-water mark (generation included), read from the kernel.

Targets (issue 6): <= 10 s and <= 1 GB peak RSS on 2 cores. Human-readable figures first; the
LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.catalog.rules import load_rules  # noqa: E402
from harness.detectors import ApiColumns, BatchRun, analyze_batch  # noqa: E402
from harness.events import (  # noqa: E402
    AppState,
    ConsentDecision,
    Event,
    PermissionRequest,
    PermissionResult,
    RunMarker,
    UiAction,
    UiSnapshot,
)
from harness.rundir import RunInfo  # noqa: E402

__all__ = ["main"]

# category -> (share of calls, api ids)
MIX = {
    "DEVICE_ID": (0.16, ["TelephonyManager.getImei", "Settings.Secure.getString#android_id", "Build.getSerial"]),
    "AD_ID": (0.05, ["AdvertisingIdClient.getAdvertisingIdInfo", "MdidSdkHelper.InitSdk#oaid"]),
    "NET_ID": (0.10, ["WifiInfo.getMacAddress", "WifiInfo.getBSSID", "WifiManager.getScanResults"]),
    "APP_LIST": (0.04, ["PackageManager.getInstalledPackages", "PackageManager.getPackageInfo"]),
    "LOCATION": (0.10, ["LocationManager.getLastKnownLocation", "LocationManager.requestLocationUpdates"]),
    "CLIPBOARD": (0.02, ["ClipboardManager.getPrimaryClip", "ClipboardManager.hasPrimaryClip"]),
    "CAMERA": (0.01, ["CameraManager.openCamera"]),
    "MIC": (0.01, ["AudioRecord.startRecording"]),
    "SENSOR": (0.06, ["SensorManager.registerListener"]),
    "CONTACTS": (0.02, ["ContentResolver.query#contacts"]),
    "MEDIA": (0.03, ["ContentResolver.query#media"]),
    "DEVICE_INFO": (0.25, ["Build.MODEL", "Build.MANUFACTURER", "Settings.Global.getString"]),
    "LIFECYCLE": (0.14, ["Activity.onStart", "Activity.onStop"]),
    "APP_START": (0.01, ["Context.startActivity", "Context.startService"]),
}


def make_api_table(runs: int, per_run: int, seed: int) -> pa.Table:
    """The synthetic ApiCall columns as an Arrow table (dictionary-encoded text columns)."""
    rng = np.random.default_rng(seed)
    n = runs * per_run
    cats = list(MIX)
    probs = np.array([MIX[c][0] for c in cats])
    probs /= probs.sum()
    sdks = ["app", ""] + [f"com.sdk{i:02d}.analytics" for i in range(40)]
    # each run has 8 callers (the app, unattributed code, 6 SDKs); each caller reads 4 categories
    # (drawn by the mix above), so a run has a few dozen (category, caller) pairs, as real apps do
    run_sdks = np.concatenate(
        [np.zeros((runs, 1)), np.ones((runs, 1)), rng.integers(2, len(sdks), size=(runs, 6))], axis=1
    ).astype(np.int16)
    caller_cats = rng.choice(len(cats), size=(runs, 8, 4), p=probs).astype(np.int8)
    run = np.repeat(np.arange(runs, dtype=np.int32), per_run)
    slot = rng.integers(0, 8, size=n)
    pick = rng.integers(0, 4, size=n)
    sdk = run_sdks[run, slot]
    cat = caller_cats[run, slot, pick]
    del slot, pick
    apis: list[str] = []
    api_base = []
    for c in cats:
        api_base.append(len(apis))
        apis += MIX[c][1]
    api_n = np.array([len(MIX[c][1]) for c in cats])
    api = (np.array(api_base)[cat] + (rng.integers(0, 1 << 30, size=n) % api_n[cat])).astype(np.int16)
    t = rng.random((runs, per_run), dtype=np.float64) * 600.0
    t.sort(axis=1)
    t = t.reshape(-1)
    seq = np.tile(np.arange(1000, 1000 + per_run, dtype=np.int64), runs)
    targets = ["com.other.app", "com.partner.shop", "com.example.target"]
    target = np.where(cat == cats.index("APP_START"), rng.integers(0, len(targets), size=n), -1).astype(np.int8)
    tgt_arr = pa.DictionaryArray.from_arrays(
        pa.array(target, mask=target < 0, type=pa.int8()), pa.array(targets)
    )
    table = pa.table(
        {
            "run": pa.array(run),
            "seq": pa.array(seq),
            "t": pa.array(t),
            "category": pa.DictionaryArray.from_arrays(pa.array(cat), pa.array(cats)),
            "sdk": pa.DictionaryArray.from_arrays(pa.array(sdk), pa.array(sdks)),
            "api_id": pa.DictionaryArray.from_arrays(pa.array(api), pa.array(apis)),
            "target": tgt_arr,
        }
    )
    return table


def make_runs(runs: int, seed: int) -> list[BatchRun]:
    """Per-run control events: launch, prompt, decision, taps, a denial, background."""
    rng = np.random.default_rng(seed + 1)
    out = []
    profiles = ["", "parking_payment", "online_shopping", "news", "map_navigation"]
    for r in range(runs):
        pkg = f"com.bench.app{r:04d}"
        choice = ("accept", "decline", "")[int(rng.choice(3, p=[0.6, 0.3, 0.1]))]
        t_dec = float(rng.uniform(5, 40))
        evs: list[Event] = [
            RunMarker(seq=0, t=0.0, phase="start", scenario="S3", package=pkg),
            UiAction(seq=1, t=0.1, action="launch"),
            AppState(seq=2, t=0.2, state="started", package=pkg, cause="activity"),
            UiSnapshot(
                seq=3,
                t=1.0,
                package=pkg,
                screen_kind="privacy_dialog",
                screen_id="privacy",
                reading=json.dumps(
                    {"kind": "privacy_dialog", "controls": [{"role": "accept", "text": "同意"}, {"role": "decline", "text": "不同意"}]}
                ),
            ),
        ]
        seq = 4
        if choice:
            evs.append(ConsentDecision(seq=seq, t=t_dec, subject="privacy_policy", choice=choice, taps=1 if choice == "accept" else 2))
            seq += 1
        evs.append(UiSnapshot(seq=seq, t=t_dec + 1, package=pkg, screen_kind="other", screen_id="main"))
        seq += 1
        for k in range(int(rng.integers(2, 6))):
            tt = float(rng.uniform(t_dec, 500))
            evs.append(UiAction(seq=seq, t=tt, action="tap", text="定位", user_intent=("location", "camera", "paste")[k % 3]))
            seq += 1
        t_req = t_dec + 3
        evs.append(PermissionRequest(seq=seq, t=t_req, groups=("LOCATION", "PHONE"), via="hook"))
        evs.append(PermissionResult(seq=seq + 1, t=t_req + 1, group="LOCATION", state="denied"))
        evs.append(PermissionRequest(seq=seq + 2, t=t_req + 30, groups=("LOCATION",), via="hook"))
        seq += 3
        t_bg = float(rng.uniform(400, 550))
        evs.append(UiAction(seq=seq, t=t_bg, action="home"))
        evs.append(AppState(seq=seq + 1, t=t_bg + 0.2, state="background", package=pkg))
        evs.append(RunMarker(seq=seq + 2, t=600.0, phase="end", status="completed"))
        evs.sort(key=lambda e: e.seq)
        info = RunInfo(
            run_id=f"bench-{r:04d}",
            package=pkg,
            app=pkg,
            scenario="S3",
            device={},
            simulated=True,
            harness_version="bench",
            profile=profiles[r % len(profiles)],
        )
        out.append(BatchRun(info, evs))
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--events-per-run", type=int, default=10_000)
    ap.add_argument("--jurisdiction", default="cn")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    load_rules()  # warm the catalogue cache (parsing YAML is not judging)
    g0 = time.perf_counter()
    table = make_api_table(args.runs, args.events_per_run, args.seed)
    runs = make_runs(args.runs, args.seed)
    gen_s = time.perf_counter() - g0
    n_events = table.num_rows
    print(f"generated {n_events:,} ApiCall events over {args.runs:,} runs in {gen_s:.2f} s")

    t0 = time.perf_counter()
    cols = ApiColumns.from_arrow(table, load_rules())
    del table
    t1 = time.perf_counter()
    analyses = analyze_batch(runs, cols, jurisdiction=args.jurisdiction)
    t2 = time.perf_counter()
    seconds = t2 - t0
    findings = sum(len(a.findings) for a in analyses)
    errors = sum(len(a.errors) for a in analyses)
    violations = sum(len(a.violations()) for a in analyses)
    per_rule: dict[str, int] = {}
    for a in analyses:
        for f in a.findings:
            per_rule[f.rule_id] = per_rule.get(f.rule_id, 0) + 1
    peak = _peak_rss_mb()
    print(f"arrow -> columns:        {t1 - t0:6.2f} s")
    print(f"judge (all detectors):   {t2 - t1:6.2f} s")
    print(f"total timed:             {seconds:6.2f} s  ({n_events / seconds / 1e6:.2f} M events/s)")
    print(f"peak RSS (whole process): {peak:.0f} MB")
    print(f"findings: {findings:,} ({violations:,} violations) in {len(analyses):,} runs; detector errors: {errors}")
    print("findings per rule: " + ", ".join(f"{k}={v}" for k, v in sorted(per_rule.items())))
    print(f"cpu count: {os.cpu_count()}")
    ok = seconds <= 10.0 and peak <= 1024.0 and errors == 0
    print(
        json.dumps(
            {
                "events": int(n_events),
                "runs": args.runs,
                "seconds": round(seconds, 3),
                "judge_seconds": round(t2 - t1, 3),
                "convert_seconds": round(t1 - t0, 3),
                "generate_seconds": round(gen_s, 3),
                "peak_rss_mb": round(peak, 1),
                "findings": findings,
                "violations": violations,
                "detector_errors": errors,
                "jurisdiction": args.jurisdiction,
                "within_targets": ok,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
