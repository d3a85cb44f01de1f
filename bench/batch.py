"""Batch figures on the reference device (SIMULATED apps).

1. Throughput of the local pool with 1 and 2 device slots: 10 bundled app models x the
   standard suite S1..S4 = 40 app tests, each in its own worker process (apps per minute
   counts app tests, i.e. (app, scenario) runs), with warm workers (forked from the zygote,
   the default) and cold ones (a new interpreter per test). Store export and summary are off.
2. The Parquet export and DuckDB queries over a synthetic store of 1,000 runs, made by copying
   the 40 real run folders of step 1 under new run ids (timelines and findings as recorded),
   each timeline given 300 more API events (copies of recorded ones spread over the run, as a
   chatty app under Frida would produce).
   Export time and the export process's peak memory (ru_maxrss of a child process), file
   sizes, and the time of each canned query.

Usage: python bench/batch.py [--runs-store 1000] [--api-per-run 300] [--keep DIR]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.batch.applist import AppEntry  # noqa: E402
from harness.batch.coordinator import BatchConfig, run_batch  # noqa: E402
from harness.batch.index import RunIndex, TaskRow  # noqa: E402
from harness.batch.leases import parse_devices  # noqa: E402
from harness.batch.query import CANNED, connect  # noqa: E402
from harness.batch.zygote import shutdown_zygote  # noqa: E402
from harness.devices.sim.model import available_models  # noqa: E402
from harness.rundir import RunDir  # noqa: E402

MODELS = 10


def throughput(root: Path, devices: str, *, warm: bool) -> dict[str, float]:
    results = root / f"pool-{devices.count(',') + 1}-{'warm' if warm else 'cold'}"
    models = available_models()[:MODELS]
    config = BatchConfig(results=results, devices=parse_devices(devices), export=False, summary=False, warm=warm)
    shutdown_zygote()  # each figure pays for its own zygote start
    t0 = time.perf_counter()
    report = run_batch(config, [AppEntry(m) for m in models], "all")
    wall = time.perf_counter() - t0
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        tasks = idx.tasks()
    n = len(tasks)
    assert report.counts["done"] == n, report
    per_task = [t.duration_s for t in tasks]
    return {
        "runs": n,
        "wall_s": round(wall, 2),
        "apps_per_min": round(n / wall * 60, 1),
        "task_mean_s": round(statistics.mean(per_task), 3),
        "task_p95_s": round(sorted(per_task)[int(0.95 * (n - 1))], 3),
    }


def _api_templates(source: Path, templates: list[TaskRow]) -> list[dict[str, object]]:
    seen: dict[tuple[str, str], dict[str, object]] = {}
    for t in templates:
        for line in (source / t.run_dir / "timeline.jsonl").read_text(encoding="utf-8").splitlines():
            d = json.loads(line) if line.strip() else {}
            if d.get("kind") == "api":
                seen.setdefault((str(d["api_id"]), str(d["sdk"])), d)
    return list(seen.values())


def _extra_api_lines(timeline: Path, pool: list[dict[str, object]], n: int, salt: int) -> str:
    """``n`` more ApiCall events (copies of recorded ones) spread over the run, as a Frida
    run of a chatty app would record."""
    lines = [json.loads(x) for x in timeline.read_text(encoding="utf-8").splitlines() if x.strip()]
    if not lines or not pool:
        return ""
    seq = max(int(d["seq"]) for d in lines) + 1
    t_end = max(float(d["t"]) for d in lines)
    out = []
    for i in range(n):
        d = dict(pool[(i * 7 + salt) % len(pool)])
        d["seq"] = seq + i
        d["t"] = round(t_end * i / max(1, n), 6)
        out.append(json.dumps(d, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(out) + "\n"


def synthetic_store(source: Path, target: Path, runs: int, api_per_run: int) -> None:
    """``runs`` done tasks whose run folders are copies of ``source``'s, under new ids, each
    timeline with ``api_per_run`` extra API events."""
    with RunIndex.open(source / "batch.sqlite", create=False) as idx:
        templates = idx.tasks()
    pool = _api_templates(source, templates)
    scenarios = sorted({t.scenario for t in templates})
    apps = -(-runs // len(scenarios))
    with RunIndex.open(target / "batch.sqlite") as idx:
        ids = idx.add_tasks([AppEntry(f"app-{i:05d}") for i in range(apps)], [(s, s) for s in scenarios])[:runs]
        idx.conn.execute("BEGIN")
        for n, tid in enumerate(ids):
            tpl = templates[n % len(templates)]
            run_id = f"synthetic-{n:05d}-{tpl.scenario}"
            dest = target / "runs" / run_id
            dest.mkdir(parents=True)
            src = RunDir(source / tpl.run_dir)
            for name in ("timeline.jsonl", "findings.jsonl"):
                if (src.path / name).exists():
                    shutil.copyfile(src.path / name, dest / name)
            with open(dest / "timeline.jsonl", "a", encoding="utf-8") as fh:
                fh.write(_extra_api_lines(src.timeline, pool, api_per_run, n))
            info = json.loads(src.run_json.read_text(encoding="utf-8"))
            info["run_id"] = run_id
            info["package"] = f"com.synthetic.app{n // len(scenarios):05d}"
            (dest / "run.json").write_text(json.dumps(info), encoding="utf-8")
            idx.set_result(tid, "done", {"run_id": run_id, "run_dir": f"runs/{run_id}", "device": "sim", "package": info["package"], "duration_s": tpl.duration_s})
        idx.conn.execute("COMMIT")


def export_in_child(results: Path) -> dict[str, float]:
    code = (
        "import json, sys, time; from harness.batch.store import export_store; "
        f"t=time.perf_counter(); r=export_store({str(results)!r}); "
        "print(json.dumps({'s': time.perf_counter()-t, 'runs': r.runs, 'findings': r.findings, 'api_calls': r.api_calls}))"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "export_s": round(got["s"], 2),
        "export_peak_rss_mib": round(max(peak_kib, before) / 1024, 1),
        "rows_runs": got["runs"],
        "rows_findings": got["findings"],
        "rows_api_calls": got["api_calls"],
    }


def queries(results: Path) -> dict[str, float]:
    con = connect(results, export_if_missing=False)
    out: dict[str, float] = {}
    try:
        for name, cq in CANNED.items():
            t0 = time.perf_counter()
            con.execute(cq.sql).fetchall()
            out[name] = round((time.perf_counter() - t0) * 1000, 1)
    finally:
        con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs-store", type=int, default=1000)
    ap.add_argument("--api-per-run", type=int, default=300, help="extra API events per synthetic run (default 300)")
    ap.add_argument("--keep", help="keep the work folder here")
    a = ap.parse_args()
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="bench-batch-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        print(f"reference device (SIMULATED): {MODELS} app models x S1..S4 = {MODELS * 4} app tests per pool size")
        pools: dict[str, dict[str, float]] = {}
        for warm in (True, False):
            for devices in ("sim", "sim,sim"):
                n = devices.count(",") + 1
                fig = throughput(root, devices, warm=warm)
                pools[f"{'warm' if warm else 'cold'}_workers_{n}"] = fig
                print(
                    f"  local pool, {n} worker(s), {'warm (forked from the zygote)' if warm else 'cold (new interpreter per test)'}: "
                    f"{fig['runs']} runs in {fig['wall_s']} s = {fig['apps_per_min']} app tests/min (task mean {fig['task_mean_s']} s, p95 {fig['task_p95_s']} s)"
                )
        store_root = root / "store-bench"
        synthetic_store(root / "pool-1-warm", store_root, a.runs_store, a.api_per_run)
        exp = export_in_child(store_root)
        sizes = {p.name: round(p.stat().st_size / 1024, 1) for p in sorted((store_root / "store").glob("*.parquet"))}
        print(
            f"Parquet export of {exp['rows_runs']} runs ({exp['rows_findings']} findings, {exp['rows_api_calls']} API events): "
            f"{exp['export_s']} s, peak RSS {exp['export_peak_rss_mib']} MiB; files (KiB): {sizes}"
        )
        q = queries(store_root)
        for name, ms in q.items():
            print(f"  DuckDB canned query {name}: {ms} ms")
        figures = {
            "pool": pools,
            "speedup_2_vs_1_warm": round(pools["warm_workers_2"]["apps_per_min"] / pools["warm_workers_1"]["apps_per_min"], 2),
            "speedup_warm_vs_cold_1": round(pools["warm_workers_1"]["apps_per_min"] / pools["cold_workers_1"]["apps_per_min"], 2),
            "store": {**exp, "file_kib": sizes},
            "query_ms": q,
            "simulated": True,
        }
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
