"""Benchmark: building the reports of a large run, and the summary of a batch.

Run: ``python bench/report.py [--calls N] [--findings N] [--runs N]``

1. One run with ``--calls`` sensitive API calls (default 200,000 over 30 minutes of run time,
   16 categories, 12 SDKs, 12-frame stacks), ``--findings`` findings (default 400, each citing
   40 events) and 30 consent screens. Each format (JSON, JUnit, HTML, Excel, then all four at
   once) is built in a fresh process, which reports its time (loading the run included), its
   peak memory and the bytes written.
2. A batch of ``--runs`` small runs (default 300, 10 findings each): time of ``build_summary``.

Data is synthetic and generated here. Prints readable figures, then one JSON object as the
last line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.events import ApiCall, AppState, ConsentDecision, Event, RunMarker, UiSnapshot  # noqa: E402
from harness.findings import Citation, Finding, Threshold  # noqa: E402
from harness.reporting.build import build_reports, build_summary  # noqa: E402
from harness.rundir import RunDir, RunInfo  # noqa: E402
from harness.timeline import Timeline  # noqa: E402

CATS = ["DEVICE_ID", "AD_ID", "NET_ID", "APP_LIST", "LOCATION", "CONTACTS", "CALL_LOG", "SMS", "CALENDAR", "MEDIA", "CLIPBOARD", "CAMERA", "MIC", "SENSOR", "ACCOUNTS", "PHONE_NUMBER"]
SDKS = ["app", "umeng", "jpush", "getui", "baidu_location", "amap", "tencent_bugly", "bytedance_pangle", "alipay", "wechat", "sensorsdata", ""]


def _peak_mb() -> float:
    """Peak resident memory of this process. VmHWM belongs to this process image only;
    ru_maxrss would also count the parent that generated the data (Linux keeps it across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_big_run(root: Path, name: str, calls: int, findings: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    rd = RunDir(root / name)
    rd.write_info(RunInfo(run_id=name, package="com.bench.app", app="com.bench.app", app_label="基准应用", scenario="S2", device={"serial": "sim-1", "api_level": 34}, simulated=True, harness_version="0.1.0", hook_pack="sha256:bench", status="completed"))
    duration = 1800.0
    events: list[Event] = [RunMarker(t=0.0, phase="start")]
    for i in range(30):
        events.append(UiSnapshot(t=1.0 + i * 50, screen_id=f"s{i}", hierarchy_hash=f"h{i}", screen_kind="privacy_dialog" if i == 0 else "permission_dialog", confidence=0.9, reading=json.dumps({"kind": "privacy_dialog", "controls": [{"role": "accept", "text": "同意"}, {"role": "decline", "text": "不同意"}]}, ensure_ascii=False)))
    events.append(ConsentDecision(t=5.0, subject="privacy_policy", choice="decline", how="tap:不同意", taps=2))
    events.append(AppState(t=900.0, state="background"))
    events.append(AppState(t=1200.0, state="foreground"))
    frames = tuple(f"com.sdk{k}.Collector.run(Collector.java:{k})" for k in range(12))
    for _ in range(calls):
        cat = rng.choice(CATS)
        events.append(ApiCall(t=rng.uniform(0, duration), api_id=f"{cat.lower()}.read", category=cat, method=f"android.x.{cat}.get", caller="com.sdk.Collector", stack=frames, sdk=rng.choice(SDKS), thread="bg", ret="value"))
    events.sort(key=lambda e: e.t)
    with Timeline(rd.timeline) as tl:
        tl.extend(events)
    n_events = len(events)
    with open(rd.findings, "w", encoding="utf-8") as fh:
        for i in range(findings):
            ev = tuple(sorted(rng.sample(range(n_events), min(40, n_events))))
            f = Finding(rule_id=f"R{(i % 44) + 1:02d}", title="合成发现 synthetic finding", severity=rng.choice(["info", "low", "medium", "high"]), verdict=rng.choice(["violation", "needs-review", "info"]), message="synthetic message " * 3, evidence=ev, problem_types=("T3", "T4"), citations=(Citation("cn", "认定方法", "三.1"),), thresholds=(Threshold("calls", 1, "call", "law", "认定方法"),), sdk=rng.choice(SDKS), category=rng.choice(CATS), t=rng.uniform(0, duration))
            fh.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
    rd.analysis.write_text(json.dumps({"jurisdiction": "cn", "errors": []}), encoding="utf-8")
    return rd.path


def _child(fmt: str, run: str) -> int:
    """Build one format (or 'all') in this fresh process; print seconds and peak RSS as JSON."""
    t = time.perf_counter()
    formats = ("html", "xlsx", "json", "junit") if fmt == "all" else (fmt,)
    out = build_reports(Path(run), formats)
    print(json.dumps({"s": round(time.perf_counter() - t, 2), "mb": round(sum(p.stat().st_size for p in out.values()) / 1e6, 2), "rss": round(_peak_mb(), 1)}))
    return 0


def _measure(fmt: str, run: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", fmt, str(run)], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--calls", type=int, default=200_000)
    ap.add_argument("--findings", type=int, default=400)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--child", nargs=2, metavar=("FORMAT", "RUN"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return _child(*args.child)
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        t = time.perf_counter()
        run = make_big_run(tmp, "big", args.calls, args.findings)
        gen_s = time.perf_counter() - t
        fig: dict[str, float | int] = {"api_calls": args.calls, "findings": args.findings, "generate_s": round(gen_s, 2)}
        print(f"one run: {args.calls:,} API calls, {args.findings} findings (generated in {gen_s:.1f} s)")
        print("  each line: a fresh process that loads the run folder and writes the report(s)")
        for fmt in ("json", "junit", "html", "xlsx", "all"):
            r = _measure(fmt, run)
            fig[f"{fmt}_s"], fig[f"{fmt}_mb"], fig[f"{fmt}_peak_rss_mb"] = r["s"], r["mb"], r["rss"]
            print(f"  {fmt:6s} {r['s']:7.2f} s  {r['mb']:8.2f} MB written  peak RSS {r['rss']:6.0f} MB")

        batch = tmp / "batch"
        runs = [make_big_run(batch, f"r{i:04d}", 200, 10, seed=i) for i in range(args.runs)]
        t = time.perf_counter()
        out = build_summary(runs, tmp / "summary")
        sum_s = time.perf_counter() - t
        fig |= {"summary_runs": args.runs, "summary_s": round(sum_s, 2), "summary_html_mb": round(out["html"].stat().st_size / 1e6, 2), "summary_xlsx_mb": round(out["xlsx"].stat().st_size / 1e6, 2)}
        print(f"summary of {args.runs} runs (200 calls, 10 findings each): {sum_s:.2f} s; html {fig['summary_html_mb']} MB, xlsx {fig['summary_xlsx_mb']} MB")
        print(json.dumps(fig))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
