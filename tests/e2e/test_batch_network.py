"""End to end: a batch over reference apps that send personal data (net-precollect) and clean
controls (clean-net sends only after consent, first party or salted; demo-precollect reads device
ids before consent but sends nothing; a model written here sends the IMEI to a third party only
after consent, which is lawful). The store's flows and matches tables come from the run
folders and the detectors' own matching, and the canned query ``device-ids-sent`` lists exactly
the offenders the apps' ground truth names, and nothing from the clean controls; the confined
DuckDB still refuses anything but one SELECT."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from harness.batch.index import RunIndex
from harness.batch.query import DEVICE_ID_CATEGORIES, PRE_CONSENT_PHASES
from harness.devices.sim.model import load_bundled
from harness.events import NetworkFlow, TlsFailure
from harness.pipeline import read_findings
from harness.rundir import RunDir
from harness.timeline import Timeline

REPO = Path(__file__).resolve().parents[2]
APPS = ("net-precollect", "clean-net", "demo-precollect")
SCENARIOS = ("S1", "S2", "S3")

#: A clean control: the app's own server gets the IMEI at start (first party), the analytics SDK
#: only after the user accepted the policy.
AFTER_CONSENT = """
model: after-consent-sender
package: com.example.lawfulsend
label: Lawful sender
on_start:
  - call: {api: TelephonyManager.getImei, ret: "861234567890777", thread: main}
  - send: {host: api.example.com, path: /v1/hello, data: {imei: "861234567890777"}, encode: plain}
on_launch:
  - if: {consent: accepted}
    then: [goto: home]
    else: [goto: home, goto: privacy]
on_consent:
  accept:
    - call: {api: TelephonyManager.getImei, sdk: com.umeng.commonsdk, ret: "861234567890777", thread: umeng-init}
    - send: {host: ulogs.umeng.com, path: /unify_logs, sdk: com.umeng.commonsdk, data: {di: "861234567890777"}, encode: md5+base64, gzip: true}
screens:
  home:
    title: Home
    body: Hello
  privacy:
    layout: dialog
    title: 隐私政策
    body: 请您阅读《隐私政策》，点击“同意”即表示您已阅读并同意。
    elements:
      - {id: btn_disagree, type: button, text: 不同意, style: secondary, on_tap: [consent: decline, close: true]}
      - {id: btn_agree, type: button, text: 同意, style: primary, on_tap: [consent: accept, close: true]}
truth: []
clean: true
"""


def _batch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.batch", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("netbatch")
    app_list = tmp / "apps.txt"
    model = tmp / "after-consent-sender.yaml"
    model.write_text(AFTER_CONSENT, encoding="utf-8")
    app_list.write_text("\n".join([*APPS, str(model)]) + "\n", encoding="utf-8")
    results = tmp / "results"
    done = _batch("run", str(app_list), "--scenario", ",".join(SCENARIOS), "--devices", "sim,sim", "--results", str(results), "--no-summary", "--quiet")
    assert done.returncode in (0, 1), done.stderr
    return results


def _runs(results: Path) -> list[tuple[str, RunDir]]:
    with RunIndex.open(results / "batch.sqlite", create=False) as idx:
        tasks = idx.tasks()
    assert {t.status for t in tasks} == {"done"} and len(tasks) == (len(APPS) + 1) * len(SCENARIOS)
    return [(t.app, RunDir(results / t.run_dir)) for t in tasks]


def _canned(results: Path, name: str) -> list[dict[str, object]]:
    q = _batch("query", str(results), "--canned", name, "--format", "json")
    assert q.returncode == 0, q.stderr
    rows = json.loads(q.stdout)
    assert isinstance(rows, list)
    return rows


def test_the_canned_query_lists_exactly_the_offenders(batch: Path) -> None:
    rows = _canned(batch, "device-ids-sent")
    got = {(r["app"], r["sdk"], r["category"]): set(str(r["scenarios"]).split(",")) for r in rows}
    # what the apps' ground truth says: R34 for a device identifier, in the scenarios run here
    want: dict[tuple[str, str, str], set[str]] = {}
    for app in APPS:
        for t in load_bundled(app).truth:
            cat = str(t.get("category", "")).upper()
            sc = set(t["scenario"]) & set(SCENARIOS)
            if t["rule"] == "R34" and cat in DEVICE_ID_CATEGORIES and sc:
                want.setdefault((app, str(t.get("sdk", "")), cat), set()).update(sc)
    assert want, "the corpus must plant device ids sent before consent"
    assert got == want
    assert not any(r["app"] in ("clean-net", "demo-precollect") or "after-consent" in str(r["app"]) for r in rows)
    for r in rows:
        assert r["first_phase"] in PRE_CONSENT_PHASES
        assert set(str(r["phases"]).split(",")) <= set(PRE_CONSENT_PHASES)
    umeng = next(r for r in rows if r["sdk"] == "umeng")
    # the model sends the IMEI as MD5 in base64 inside gzip JSON
    assert umeng["host"] == "ulogs.umeng.com" and "md5-b64 in body via gzip" in str(umeng["encodings"])
    assert umeng["first_phase"] == "pre_prompt"


def test_first_time_and_hosts_agree_with_the_run_folders_and_r34(batch: Path) -> None:
    rows = _canned(batch, "device-ids-sent")
    by_host_first: dict[tuple[str, str], float] = {}
    r34_hosts: set[tuple[str, str]] = set()
    for app, rd in _runs(batch):
        events = Timeline.read(rd.timeline).snapshot()
        for f in read_findings(rd.path):
            if f.rule_id == "R34" and f.category.upper() in DEVICE_ID_CATEGORIES:
                flow = next(e for e in events if e.seq == f.evidence[0])
                assert isinstance(flow, NetworkFlow)
                r34_hosts.add((app, flow.host))
                k = (app, flow.host)
                by_host_first[k] = min(by_host_first.get(k, flow.t), flow.t)
    assert {(r["app"], r["host"]) for r in rows} == r34_hosts
    for r in rows:
        assert r["first_t"] == pytest.approx(by_host_first[(str(r["app"]), str(r["host"]))], abs=1e-3)


def test_flows_and_matches_tables_mirror_the_runs(batch: Path) -> None:
    flows = pq.read_table(batch / "store" / "flows.parquet").to_pylist()
    # the lawful sender's request after consent is recorded and matched: left out by the query
    # because of its phase, not because it was not seen
    lawful = [(f["phase"], f["party"]) for f in flows if f["package"] == "com.example.lawfulsend" and f["n_matches"]]
    assert {("pre_prompt", "first"), ("accepted", "third")} <= set(lawful)
    assert {party for phase, party in lawful if phase != "accepted"} == {"first"}
    matches = pq.read_table(batch / "store" / "matches.parquet").to_pylist()
    runs = {r["run_id"]: r for r in pq.read_table(batch / "store" / "runs.parquet").to_pylist()}
    n_flows = 0
    for _app, rd in _runs(batch):
        info = rd.read_info()
        events = Timeline.read(rd.timeline).snapshot()
        net = [e for e in events if isinstance(e, (NetworkFlow, TlsFailure))]
        n_flows += len(net)
        mine = sorted((f["seq"], f["host"], f["tls_state"]) for f in flows if f["run_id"] == info.run_id)
        assert mine == sorted((e.seq, e.host, "decrypted" if getattr(e, "tls", False) else "cleartext") for e in net if isinstance(e, NetworkFlow))
        stored = json.loads(rd.analysis.read_text(encoding="utf-8"))["network_matches"]
        assert sorted((m["seq"], x["plant"], x["form"]) for m in stored for x in m["matches"]) == sorted(
            (m["seq"], m["plant"], m["form"]) for m in matches if m["run_id"] == info.run_id
        )
        run = runs[info.run_id]
        assert run["n_flows"] == sum(isinstance(e, NetworkFlow) for e in net)
        assert run["n_flows_decrypted"] + run["n_flows_cleartext"] == run["n_flows"]
        assert run["network_matched"] is True and run["quic_measured"] is False and run["n_quic_blocked"] == 0
    assert len(flows) == n_flows > 0
    assert all(len(f["path"]) <= 512 for f in flows)


def test_network_coverage_query_says_what_was_not_measured(batch: Path) -> None:
    rows = _canned(batch, "network-coverage")
    assert len(rows) == (len(APPS) + 1) * len(SCENARIOS)
    assert {r["quic_blocked"] for r in rows} == {"not measured"}
    assert any(int(str(r["requests"])) > 0 for r in rows)


@pytest.mark.parametrize(
    "sql",
    [
        "COPY flows TO '/tmp/ch-netbatch-leak.csv'",
        "CREATE TABLE x AS SELECT * FROM matches",
        "SELECT 1; SELECT 2",
        "ATTACH '/tmp/ch-netbatch.db'",
        "INSTALL httpfs",
    ],
)
def test_the_confined_query_still_refuses_anything_but_one_select(batch: Path, sql: str) -> None:
    q = _batch("query", str(batch), sql)
    assert q.returncode == 2
    assert "not allowed" in q.stderr or "exactly one SQL statement" in q.stderr
    assert not Path("/tmp/ch-netbatch-leak.csv").exists()


def test_a_select_cannot_read_run_folders_through_the_new_views(batch: Path) -> None:
    any_body = next(batch.rglob("*.req"))
    q = _batch("query", str(batch), f"SELECT * FROM read_blob('{any_body}')")
    assert q.returncode == 2 and "disabled by configuration" in q.stderr
