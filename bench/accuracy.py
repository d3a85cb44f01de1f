"""Calibration-corpus accuracy: how often the harness is right, per rule.

Runs the standard suite (S1..S4) over every reference app bundled with harness (the
calibration corpus in ``harness/devices/sim/apps/``, see docs/corpus.md) on the reference
device, judges each run with the detectors exactly as ``consent-harness analyze`` does, and
compares the findings with the ground truth each app ships next to it (its ``truth:`` list;
clean controls say ``clean: true`` and ``truth: []``)::

    python bench/accuracy.py [--corpus all|calibration|second|third|web] [--apps a,b] [--scenarios S1,S2]
                             [--results DIR] [--keep] [--jurisdiction cn] [--ca-run S3]

Three corpora are bundled (``harness.devices.sim.model.CORPORA``): ``calibration`` (the first,
written with the detectors), ``second`` (written independently afterwards, before any detector
was changed for it) and ``third`` (adversarial: lawful but unusual clean apps in other languages
and with other SDKs, plants in forms the first two did not use; also written before any detector
change). Each is scored and printed on its own, with per-rule precision and recall; the JSON
line carries the figures of the whole selection plus ``corpora`` (one figure set per corpus). A
clean control flagged in any corpus fails the benchmark.

``--corpus web`` runs the web corpus instead: the reference H5 pages of
``harness/devices/web/pages/`` (each page model carries its truth in the same shape) through the
web device's own suite (W1, W2, W3: whichever exist) in a real Chromium, served on loopback. The
pages are simulated targets (written to be tested), the browser is real; the JSON line says
``"device": "web"`` and ``"reference_pages": true``.

Scoring (documented in docs/corpus.md):

* A finding counts when its verdict is "violation" or "needs-review" ("above info").
* A truth entry ``{rule, scenario: [...], category?, sdk?, verdict?, why}`` is *found* in a
  scenario when that scenario's run has a counted finding with that rule id and, where the
  entry gives them, the same data category, the same SDK (a package prefix, resolved through
  the SDK catalogue, or ``app``) and the same verdict. Recall = found / planted.
* Each distinct counted finding (app, scenario, rule, category, SDK, verdict) is *explained*
  when a truth entry of its app, scenario and rule accepts it; anything else is a false
  positive. Precision = explained / all counted findings.
* Any counted finding on a clean control is a false positive on a control.
* The untrusted-CA run (``--ca-run``, default S3): each app runs that scenario once more while
  the modelled proxy presents a CA nothing trusts; only its untrusted-CA R37 findings count
  (cleartext R37 is judged in the ordinary runs), and truth entries name it ``S3-untrusted-ca``. A refused handshake there is the right behaviour.

Exit status: 0 when every planted behaviour is found, nothing is flagged on the controls and
there is no false positive; 1 (with a loud list naming the run folders, which are kept) when
not; 2 when a truth list is malformed; 3 when a run or a detector broke.

Everything here runs on the reference device: SIMULATED apps. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.devices.sim.model import (  # noqa: E402
    CORPORA,
    available_models,
    corpus_of,
    load_bundled,
)
from harness.errors import EXIT_INFRA, EXIT_INPUT, HarnessError, InputError  # noqa: E402
from harness.findings import Finding  # noqa: E402

__all__ = [
    "COUNTED_VERDICTS",
    "CA_RUN_SUFFIX",
    "CA_RUN_RULES",
    "TruthItem",
    "FindingUnit",
    "RunOutcome",
    "RuleScore",
    "Score",
    "SdkResolver",
    "truth_of",
    "run_corpus",
    "run_web_corpus",
    "score",
    "render",
    "figures",
    "main",
]

COUNTED_VERDICTS = ("violation", "needs-review")
#: The untrusted-CA run: one more run of a scenario (``--ca-run``, default S3) per app, in which
#: the modelled interception proxy presents a CA that nothing trusts (``network_ca=untrusted``).
#: It exists for R37's untrusted-CA part, so only those findings (subject ``untrusted-ca|<host>``)
#: are scored in it; truth entries name it as the scenario ``<scenario>-untrusted-ca``.
CA_RUN_SUFFIX = "-untrusted-ca"
CA_RUN_RULES = ("R37",)
TRUTH_KEYS = ("rule", "scenario", "category", "sdk", "verdict", "why")
_RULE_ID = re.compile(r"^R\d{2}$")
_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
EXIT_ACCURACY = 1

SdkResolver = Callable[[str], frozenset[str]]
"""Truth ``sdk`` value (a package prefix, or a short name) -> the SDK ids a finding may carry."""


@dataclass(frozen=True, slots=True)
class TruthItem:
    """One planted behaviour in one scenario: what a finding must say to count as finding it."""

    app: str
    rule: str
    scenario: str
    category: str = ""
    sdk: str = ""
    verdict: str = ""
    why: str = ""

    def accepts(self, f: FindingUnit, resolve: SdkResolver) -> bool:
        """Whether the finding unit is this planted behaviour being found."""
        if f.app != self.app or f.scenario != self.scenario or f.rule != self.rule:
            return False
        if self.category and f.category != self.category:
            return False
        if self.verdict and f.verdict != self.verdict:
            return False
        if self.sdk:
            if self.sdk == "app":
                return f.sdk == "app"
            return f.sdk.lower() in resolve(self.sdk)
        return True

    def label(self) -> str:
        extra = "/".join(x for x in (self.category, self.sdk, self.verdict) if x)
        return f"{self.app} {self.scenario} {self.rule}" + (f" [{extra}]" if extra else "")


@dataclass(frozen=True, slots=True)
class FindingUnit:
    """A distinct counted finding of one run (several findings that differ only in message or
    evidence are one unit)."""

    app: str
    scenario: str
    rule: str
    category: str
    sdk: str
    verdict: str
    severity: str = field(default="", compare=False)
    message: str = field(default="", compare=False)
    run_dir: str = field(default="", compare=False)

    def label(self) -> str:
        extra = "/".join(x for x in (self.category, self.sdk, self.verdict) if x)
        return f"{self.app} {self.scenario} {self.rule} [{extra}]"


@dataclass(slots=True)
class RunOutcome:
    """One scenario run of one app, judged."""

    app: str
    scenario: str
    run_dir: Path
    findings: list[Finding]
    status: str
    step_failures: int
    infrastructure_error: str = ""
    detector_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def units(self) -> list[FindingUnit]:
        seen: dict[FindingUnit, None] = {}
        for f in self.findings:
            if f.verdict not in COUNTED_VERDICTS:
                continue
            u = FindingUnit(self.app, self.scenario, f.rule_id, f.category, f.sdk, f.verdict, f.severity, f.message, str(self.run_dir))
            seen.setdefault(u, None)
        return list(seen)


@dataclass(slots=True)
class RuleScore:
    planted: int = 0
    found: int = 0
    units: int = 0
    explained: int = 0

    @property
    def missed(self) -> int:
        return self.planted - self.found

    @property
    def false_positives(self) -> int:
        return self.units - self.explained

    @property
    def precision(self) -> float | None:
        return self.explained / self.units if self.units else None

    @property
    def recall(self) -> float | None:
        return self.found / self.planted if self.planted else None


@dataclass(slots=True)
class Score:
    per_rule: dict[str, RuleScore]
    misses: list[tuple[TruthItem, str]]
    false_positives: list[FindingUnit]
    control_flags: list[FindingUnit]
    planted: int
    found: int
    units: int
    explained: int

    @property
    def precision(self) -> float:
        return self.explained / self.units if self.units else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def perfect(self) -> bool:
        return not self.misses and not self.false_positives and not self.control_flags


# -- ground truth ------------------------------------------------------------------------------


class Modelled(Protocol):
    """What scoring reads of a reference app or page: its name, where it came from, whether it
    is a clean control and its truth list (an AppModel and a PageModel both fit)."""

    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def clean(self) -> bool: ...
    @property
    def truth(self) -> tuple[dict[str, Any], ...]: ...


def truth_of(model: Modelled, *, scenarios: Sequence[str], rules: Iterable[str]) -> list[TruthItem]:
    """The model's truth list, validated and expanded to one item per scenario.

    Raises InputError naming the model file and the entry when an entry is malformed, names an
    unknown rule, scenario or category, or when a clean control plants something (or a model
    that is not a control plants nothing)."""
    from harness.catalog.apis import CATEGORIES

    known_rules = set(rules)
    from harness.catalog.rules import load_rules

    # the API catalogue's categories and the rule catalogue's (ONLINE_ID: web identifiers)
    known_categories = set(load_rules().categories)
    known_scenarios = set(scenarios)
    where = model.source or model.name
    if model.clean and model.truth:
        raise InputError(f"{where}: a clean control ('clean: true') must have an empty truth list")
    if not model.clean and not model.truth:
        raise InputError(f"{where}: no truth list; a reference app either plants behaviours or says 'clean: true'")
    out: list[TruthItem] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for i, raw in enumerate(model.truth):
        at = f"{where}: truth[{i}]"
        unknown = sorted(set(raw) - set(TRUTH_KEYS))
        if unknown:
            raise InputError(f"{at}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(TRUTH_KEYS)})")
        rule = raw.get("rule")
        if not isinstance(rule, str) or not _RULE_ID.match(rule) or rule not in known_rules:
            raise InputError(f"{at}: 'rule' must be a rule id of the catalogue (R01..R46), got {rule!r}")
        scen = raw.get("scenario")
        scen_list = [scen] if isinstance(scen, str) else scen
        if not isinstance(scen_list, list) or not scen_list or not all(isinstance(s, str) for s in scen_list):
            raise InputError(f"{at}: 'scenario' must be a scenario id or a non-empty list of them")
        category = raw.get("category", "") or ""
        if category and category not in CATEGORIES and category not in known_categories:
            raise InputError(f"{at}: unknown data category {category!r}")
        sdk = raw.get("sdk", "") or ""
        if sdk and sdk != "app" and not (isinstance(sdk, str) and (_PACKAGE.match(sdk) or sdk.isidentifier())):
            raise InputError(f"{at}: 'sdk' must be 'app', an SDK package prefix or an SDK name, got {sdk!r}")
        verdict = raw.get("verdict", "") or ""
        if verdict and verdict not in COUNTED_VERDICTS:
            raise InputError(f"{at}: 'verdict' must be one of {', '.join(COUNTED_VERDICTS)}, got {verdict!r}")
        why = raw.get("why")
        if not isinstance(why, str) or not why.strip():
            raise InputError(f"{at}: 'why' must say what was planted")
        for s in scen_list:
            if s not in known_scenarios:
                raise InputError(f"{at}: unknown scenario {s!r} (known: {', '.join(sorted(known_scenarios))})")
            if s.endswith(CA_RUN_SUFFIX) and rule not in CA_RUN_RULES:
                raise InputError(f"{at}: the untrusted-CA run {s!r} is scored for {', '.join(CA_RUN_RULES)} only, not {rule}")
            key = (rule, s, category, str(sdk), verdict)
            if key in seen:
                raise InputError(f"{at}: duplicate truth entry {rule} {s}")
            seen.add(key)
            out.append(TruthItem(model.name, rule, s, category, str(sdk), verdict, why.strip()))
    return out


def default_sdk_resolver() -> SdkResolver:
    """Maps a truth ``sdk`` value to the SDK ids attribution may give it: the value itself and,
    when the SDK catalogue is present, the id it attributes a frame of that package to."""
    attribute: Callable[[Sequence[str], str], str] | None = None
    try:
        from harness.catalog.sdks import attributor_for

        attribute = attributor_for("com.refapp.accuracy.probe")
    except ImportError:  # the SDK catalogue is optional for scoring
        attribute = None
    cache: dict[str, frozenset[str]] = {}

    def resolve(value: str) -> frozenset[str]:
        hit = cache.get(value)
        if hit is not None:
            return hit
        ids = {value.lower()}
        if attribute is not None and _PACKAGE.match(value):
            frame = f"{value}.internal.c.a(SourceFile:1)"
            sdk_id = attribute(("java.lang.Object.wait(Native Method)", frame), frame)
            if sdk_id and sdk_id != "app":
                ids.add(sdk_id.lower())
        cache[value] = frozenset(ids)
        return cache[value]

    return resolve


# -- running -----------------------------------------------------------------------------------


def run_corpus(
    apps: Sequence[str], scenario_spec: str, root: Path, *, jurisdiction: str = "cn", progress: Callable[[str], None] | None = None, ca_run: str = ""
) -> tuple[list[RunOutcome], dict[str, float]]:
    """Run and judge every (app, scenario) pair on a fresh reference device per app; with
    ``ca_run`` (a scenario id), one more run of that scenario per app with an untrusted CA
    (scenario ``<id>-untrusted-ca``, only its R37 findings kept). Returns the outcomes and the
    wall seconds spent per app."""
    from harness.assemble import resolve_app
    from harness.devices.sim import SimDriver, SimInstrumentation
    from harness.pipeline import analyze_run
    from harness.runner import Runner
    from harness.scenarios import resolve_scenarios

    scenarios = resolve_scenarios(scenario_spec)
    ca_scenario = resolve_scenarios(ca_run)[0] if ca_run else None
    outcomes: list[RunOutcome] = []
    per_app: dict[str, float] = {}
    for ref in apps:
        started = time.perf_counter()
        name = load_bundled(ref).name  # a bundled name, or a model YAML given by path
        driver = SimDriver()
        app = resolve_app(driver, ref)
        runner = Runner(driver, SimInstrumentation(driver), root, hook_pack="sim")
        for sc in scenarios:
            t0 = time.perf_counter()
            res = runner.run(app, sc, app_ref=name)
            findings = analyze_run(res.run_dir, jurisdiction=jurisdiction)
            errors: list[str] = []
            analysis = res.run_dir / "analysis.json"
            if analysis.is_file():
                data = json.loads(analysis.read_text(encoding="utf-8"))
                errors = [json.dumps(e, ensure_ascii=False)[:300] for e in data.get("errors", []) or []]
            outcomes.append(RunOutcome(name, sc.id, res.run_dir, findings, res.info.status, res.step_failures, res.infrastructure_error, errors, time.perf_counter() - t0))
            if progress is not None:
                progress(f"{name} {sc.id}: {sum(1 for f in findings if f.verdict in COUNTED_VERDICTS)} findings")
        if ca_scenario is not None:
            t0 = time.perf_counter()
            ca_runner = Runner(driver, SimInstrumentation(driver, ca="untrusted"), root, hook_pack="sim")
            res = ca_runner.run(app, ca_scenario, app_ref=name)
            # only the untrusted-CA part of R37 (cleartext R37 is judged in the ordinary runs)
            findings = [f for f in analyze_run(res.run_dir, jurisdiction=jurisdiction) if f.rule_id in CA_RUN_RULES and f.subject.startswith("untrusted-ca|")]
            outcomes.append(RunOutcome(name, ca_scenario.id + CA_RUN_SUFFIX, res.run_dir, findings, res.info.status, res.step_failures, res.infrastructure_error, [], time.perf_counter() - t0))
        per_app[name] = time.perf_counter() - started
    return outcomes, per_app


def run_web_corpus(pages: Sequence[str], scenario_spec: str, root: Path, *, jurisdiction: str = "cn", progress: Callable[[str], None] | None = None) -> tuple[list[RunOutcome], dict[str, float]]:
    """Run and judge every (page, scenario) pair in a real Chromium, a fresh browser for each:
    a page's scenarios run at once, as ``consent-harness run --device web`` runs them, one
    browser per scenario. Returns the outcomes and the seconds per page."""
    from harness.assemble import MAX_PARALLEL, AppRequest, run_app

    outcomes: list[RunOutcome] = []
    per_page: dict[str, float] = {}
    wanted = [s for s in scenario_spec.split(",") if s]
    lanes = str(max(1, min(len(wanted), MAX_PARALLEL)))
    for name in pages:
        started = time.perf_counter()
        # no run starts from another's state: each scenario has a browser of its own
        request = AppRequest(app=name, device="web", scenario=",".join(wanted), results=str(root), jurisdiction=jurisdiction, reports=(), device_options={"parallel": lanes})
        for out in run_app(request):
            errors: list[str] = []
            analysis = out.run_dir / "analysis.json"
            if analysis.is_file():
                data = json.loads(analysis.read_text(encoding="utf-8"))
                errors = [json.dumps(e, ensure_ascii=False)[:300] for e in data.get("errors", []) or []]
            info = out.result.info
            outcomes.append(RunOutcome(name, info.scenario, out.run_dir, out.findings, info.status, out.result.step_failures, out.result.infrastructure_error, errors, float(info.extra.get("duration_s", 0.0))))
            if progress is not None:
                progress(f"{name} {info.scenario}: {sum(1 for f in out.findings if f.verdict in COUNTED_VERDICTS)} findings")
        per_page[name] = time.perf_counter() - started
    return outcomes, per_page


# -- scoring -----------------------------------------------------------------------------------


def score(outcomes: Sequence[RunOutcome], truth: Sequence[TruthItem], clean: Iterable[str], resolve: SdkResolver) -> Score:
    """Compare the judged runs with the truth (see the module docstring for the definitions)."""
    clean_apps = set(clean)
    runs = {(o.app, o.scenario): o for o in outcomes}
    units = [u for o in outcomes for u in o.units()]
    per_rule: dict[str, RuleScore] = {}
    misses: list[tuple[TruthItem, str]] = []
    by_run: dict[tuple[str, str], list[FindingUnit]] = {}
    for u in units:
        by_run.setdefault((u.app, u.scenario), []).append(u)
    found = 0
    evaluated = 0
    for t in truth:
        if (t.app, t.scenario) not in runs:
            continue  # scenario not part of this benchmark invocation
        evaluated += 1
        rs = per_rule.setdefault(t.rule, RuleScore())
        rs.planted += 1
        if any(t.accepts(u, resolve) for u in by_run.get((t.app, t.scenario), ())):
            rs.found += 1
            found += 1
        else:
            misses.append((t, str(runs[(t.app, t.scenario)].run_dir)))
    explained = 0
    false_positives: list[FindingUnit] = []
    control_flags: list[FindingUnit] = []
    truth_by_run: dict[tuple[str, str], list[TruthItem]] = {}
    for t in truth:
        truth_by_run.setdefault((t.app, t.scenario), []).append(t)
    for u in units:
        rs = per_rule.setdefault(u.rule, RuleScore())
        rs.units += 1
        if any(t.accepts(u, resolve) for t in truth_by_run.get((u.app, u.scenario), ())):
            rs.explained += 1
            explained += 1
        elif u.app in clean_apps:
            control_flags.append(u)
        else:
            false_positives.append(u)
    return Score(per_rule, misses, false_positives, control_flags, evaluated, found, len(units), explained)


# -- output ------------------------------------------------------------------------------------


def _pct(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.3f}"


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def figures(sc: Score, outcomes: Sequence[RunOutcome], per_app: dict[str, float], *, clean: Sequence[str], seconds: float, jurisdiction: str) -> dict[str, Any]:
    """The JSON figures (the benchmark's last line)."""
    apps = sorted(per_app)
    return {
        "benchmark": "accuracy",
        "simulated": True,
        "jurisdiction": jurisdiction,
        "precision": round(sc.precision, 4),
        "recall": round(sc.recall, 4),
        "apps": len(apps),
        "planted_apps": len([a for a in apps if a not in clean]),
        "clean_controls": len([a for a in apps if a in clean]),
        "runs": len(outcomes),
        "planted": sc.planted,
        "found": sc.found,
        "missed": len(sc.misses),
        "findings_counted": sc.units,
        "false_positives": len(sc.false_positives) + len(sc.control_flags),
        "false_positives_on_controls": len(sc.control_flags),
        "per_rule": {
            r: {"planted": s.planted, "found": s.found, "findings": s.units, "false_positives": s.false_positives, "precision": _round(s.precision), "recall": _round(s.recall)}
            for r, s in sorted(sc.per_rule.items())
        },
        "seconds": round(seconds, 3),
        "seconds_per_app": round(seconds / len(apps), 4) if apps else 0.0,
        "max_seconds_per_app": round(max(per_app.values()), 4) if per_app else 0.0,
    }


def render(sc: Score, outcomes: Sequence[RunOutcome], per_app: dict[str, float], *, clean: Sequence[str], out: Any = sys.stdout) -> None:
    """The human-readable report: per-rule table, overall figures, time per app, problems."""
    def p(line: str = "") -> None:
        print(line, file=out)

    p(f"{'rule':<6}{'planted':>8}{'found':>7}{'missed':>8}{'findings':>10}{'false+':>8}{'precision':>11}{'recall':>8}")
    for rule, rs in sorted(sc.per_rule.items()):
        p(f"{rule:<6}{rs.planted:>8}{rs.found:>7}{rs.missed:>8}{rs.units:>10}{rs.false_positives:>8}{_pct(rs.precision):>11}{_pct(rs.recall):>8}")
    p(f"{'all':<6}{sc.planted:>8}{sc.found:>7}{len(sc.misses):>8}{sc.units:>10}{sc.units - sc.explained:>8}{_pct(sc.precision):>11}{_pct(sc.recall):>8}")
    p()
    p(f"{'app':<22}{'kind':<9}{'runs':>5}{'findings':>10}{'seconds':>9}")
    for app, secs in per_app.items():
        mine = [o for o in outcomes if o.app == app]
        n = sum(len(o.units()) for o in mine)
        p(f"{app:<22}{'control' if app in clean else 'planted':<9}{len(mine):>5}{n:>10}{secs:>9.3f}")
    if sc.misses:
        p()
        p(f"MISSED: {len(sc.misses)} planted behaviour(s) not found")
        for t, run_dir in sc.misses:
            p(f"  {t.label()}: {t.why}")
            p(f"      run folder: {run_dir}")
    if sc.control_flags:
        p()
        p(f"CLEAN CONTROL FLAGGED: {len(sc.control_flags)} finding(s) above info on clean controls")
        for u in sc.control_flags:
            p(f"  {u.label()} {u.severity}: {u.message[:160]}")
            p(f"      run folder: {u.run_dir}")
    if sc.false_positives:
        p()
        p(f"FALSE POSITIVE: {len(sc.false_positives)} finding(s) not in any truth list")
        for u in sc.false_positives:
            p(f"  {u.label()} {u.severity}: {u.message[:160]}")
            p(f"      run folder: {u.run_dir}")


def _broken(outcomes: Sequence[RunOutcome], *, steps_may_fail: bool = False) -> list[str]:
    """Runs that broke, and detector errors. On pages (``steps_may_fail``) a scenario step that
    could not be done (no refusal control to tap, a gated function) is a result, not a break."""
    out = []
    ok = ("completed", "steps-failed") if steps_may_fail else ("completed",)
    for o in outcomes:
        if o.status not in ok or o.infrastructure_error:
            out.append(f"{o.app} {o.scenario}: run {o.status} {o.infrastructure_error}".strip())
        for e in o.detector_errors:
            out.append(f"{o.app} {o.scenario}: detector error {e}")
    return out


def main_web(args: argparse.Namespace) -> int:
    """``--corpus web``: the reference H5 pages in a real Chromium, scored like the app corpora."""
    from harness.catalog.rules import load_rules
    from harness.devices.web.kind import KIND as WEB_KIND
    from harness.devices.web.pages import PageModel, page_model, page_names
    from harness.scenarios import resolve_scenarios

    try:
        from harness.devices.web.driver import chromium_path

        chromium_path()
        import playwright  # noqa: F401
    except (HarnessError, ImportError) as exc:
        print(f"accuracy: the web corpus needs Chromium and Playwright: {exc}", file=sys.stderr)
        return EXIT_INFRA
    try:
        pages = [a.strip() for a in args.apps.split(",") if a.strip()] or page_names()
        suite = [s.id for s in resolve_scenarios("all", WEB_KIND.scenarios)]
        scenario_ids = suite if args.scenarios == "all" else [s.id for s in resolve_scenarios(args.scenarios, WEB_KIND.scenarios)]
        # W1..W3 are the web suite the issue defines; a truth list may name one this checkout
        # does not ship yet (it is then not scored, like a scenario left out with --scenarios)
        known_ids = sorted(set(suite) | set(scenario_ids) | {"W1", "W2", "W3"})
        rule_ids = list(load_rules().rules)
        models: dict[str, PageModel] = {p: page_model(p) for p in pages}
        truth = [t for p in pages for t in truth_of(models[p], scenarios=known_ids, rules=rule_ids) if t.scenario in scenario_ids]
    except HarnessError as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return EXIT_INPUT
    clean = sorted(m.name for m in models.values() if m.clean)
    root = Path(args.results) if args.results else Path(tempfile.mkdtemp(prefix="accuracy-web-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"web corpus: {len(pages)} reference pages ({len(pages) - len(clean)} planted, {len(clean)} clean controls) x {len(scenario_ids)} scenarios ({', '.join(scenario_ids)}), "
          f"jurisdiction {args.jurisdiction}, in a real Chromium; the pages are reference pages (simulated targets) served on loopback")
    started = time.perf_counter()
    outcomes, per_page = run_web_corpus(pages, ",".join(scenario_ids), root, jurisdiction=args.jurisdiction, progress=lambda line: print(f"  {line}", flush=True))
    seconds = time.perf_counter() - started
    sc = score(outcomes, truth, clean, default_sdk_resolver())
    print()
    render(sc, outcomes, per_page, clean=clean)
    failed_steps = [f"{o.app} {o.scenario}: {o.step_failures} step(s) could not be done" for o in outcomes if o.status == "steps-failed"]
    if failed_steps:
        print()
        print("steps not done (a result on these pages, not a break; see each run's run.json):")
        for line in failed_steps:
            print(f"  {line}")
    broken = _broken(outcomes, steps_may_fail=True)
    if broken:
        print()
        print(f"BROKEN: {len(broken)} run or detector problem(s)")
        for b in broken:
            print(f"  {b}")
    print()
    print(f"precision {sc.precision:.3f}  recall {sc.recall:.3f}  on {len(pages)} pages, {len(outcomes)} runs in {seconds:.2f} s ({seconds / max(1, len(pages)):.2f} s per page)")
    if sc.perfect and not broken and not args.keep and not args.results:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"run folders: {root}")
    if not sc.perfect:
        print("ACCURACY CHECK FAILED: a planted behaviour was missed, a clean control was flagged or a finding is in no truth list (see above)")
    out = figures(sc, outcomes, per_page, clean=clean, seconds=seconds, jurisdiction=args.jurisdiction)
    out |= {"benchmark": "accuracy-web", "corpus": "web", "simulated": True, "device": "web", "reference_pages": True, "scenarios": scenario_ids}
    out["pages"] = out.pop("apps")
    out["planted_pages"] = out.pop("planted_apps")
    out["seconds_per_page"] = out.pop("seconds_per_app")
    out["max_seconds_per_page"] = out.pop("max_seconds_per_app")
    out["clean_pages_flagged"] = sorted({u.app for u in sc.control_flags})
    print(json.dumps(out, ensure_ascii=False))
    if broken:
        return EXIT_INFRA
    return 0 if sc.perfect else EXIT_ACCURACY


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--corpus", default="all", help=f"which bundled corpus to run when --apps is not given: all, {', '.join(CORPORA)}, or web (the reference H5 pages in a real Chromium; default: all)")
    ap.add_argument("--apps", default="", help="comma-separated model names or model YAML paths (default: every model of --corpus); with --corpus web, reference page names")
    ap.add_argument("--scenarios", default="all", help="scenario ids, or 'all' (default: the standard suite S1..S5)")
    ap.add_argument("--results", default="", help="write the run folders here (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the run folders even when everything matches")
    ap.add_argument("--jurisdiction", default="cn", help="jurisdiction profile (the truth lists are written for cn)")
    ap.add_argument("--ca-run", default="S3", help="scenario run once more per app with an untrusted CA, scored for R37 only ('' for none; default S3, when S3 is selected)")
    args = ap.parse_args(argv)
    if args.corpus == "web":
        return main_web(args)

    from harness.catalog.rules import load_rules
    from harness.scenarios import resolve_scenarios

    try:
        if args.corpus != "all" and args.corpus not in CORPORA:
            raise InputError(f"unknown corpus {args.corpus!r} (known: all, {', '.join(CORPORA)})")
        apps = [a.strip() for a in args.apps.split(",") if a.strip()] or available_models(args.corpus)
        scenario_ids = [s.id for s in resolve_scenarios(args.scenarios)]
        ca_run = args.ca_run if args.ca_run in scenario_ids else ""
        all_ids = {s.id for s in resolve_scenarios("all")} | set(scenario_ids)
        known_ids = sorted(all_ids | {i + CA_RUN_SUFFIX for i in all_ids})
        if ca_run:
            scenario_ids.append(ca_run + CA_RUN_SUFFIX)
        rule_ids = list(load_rules().rules)
        models = {a: load_bundled(a) for a in apps}
        truth = [t for a in apps for t in truth_of(models[a], scenarios=known_ids, rules=rule_ids) if t.scenario in scenario_ids]
    except HarnessError as exc:
        print(f"accuracy: {exc}", file=sys.stderr)
        return EXIT_INPUT
    names = [m.name for m in models.values()]
    if len(set(names)) != len(names):
        print("accuracy: two models share a name; names key the results", file=sys.stderr)
        return EXIT_INPUT
    clean = sorted(m.name for m in models.values() if m.clean)

    root = Path(args.results) if args.results else Path(tempfile.mkdtemp(prefix="accuracy-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"reference-app corpora ({', '.join(sorted({corpus_of(m.name) or 'given' for m in models.values()}))}): {len(apps)} reference apps ({len(apps) - len(clean)} planted, {len(clean)} clean controls) x {len(scenario_ids)} scenarios, jurisdiction {args.jurisdiction}, on the reference device (SIMULATED)")
    started = time.perf_counter()
    outcomes, per_app = run_corpus(apps, ",".join(i for i in scenario_ids if not i.endswith(CA_RUN_SUFFIX)), root, jurisdiction=args.jurisdiction, ca_run=ca_run)
    seconds = time.perf_counter() - started
    resolver = default_sdk_resolver()
    sc = score(outcomes, truth, clean, resolver)
    corpus_names = {m.name: (corpus_of(m.name) or "given") for m in models.values()}
    per_corpus: dict[str, dict[str, Any]] = {}
    corpus_perfect = True
    for corpus in sorted(set(corpus_names.values()), key=lambda c: (c not in CORPORA, list(CORPORA).index(c) if c in CORPORA else 0, c)):
        members = {n for n, c in corpus_names.items() if c == corpus}
        c_out = [o for o in outcomes if o.app in members]
        c_sc = score(c_out, [t for t in truth if t.app in members], [c for c in clean if c in members], resolver)
        c_apps = {a: v for a, v in per_app.items() if a in members}
        corpus_perfect = corpus_perfect and c_sc.perfect
        print()
        print(f"== corpus {corpus}: {len(members)} apps ({len([n for n in members if n in clean])} clean), precision {c_sc.precision:.3f}  recall {c_sc.recall:.3f}, "
              f"{len(c_sc.control_flags)} finding(s) above info on clean apps")
        render(c_sc, c_out, c_apps, clean=clean)
        per_corpus[corpus] = figures(c_sc, c_out, c_apps, clean=[c for c in clean if c in members], seconds=sum(c_apps.values()), jurisdiction=args.jurisdiction)
        per_corpus[corpus]["clean_apps_flagged"] = sorted({u.app for u in c_sc.control_flags})
    broken = _broken(outcomes)
    if broken:
        print()
        print(f"BROKEN: {len(broken)} run or detector problem(s)")
        for b in broken:
            print(f"  {b}")
    print()
    print(f"precision {sc.precision:.3f}  recall {sc.recall:.3f}  on {len(apps)} apps, {len(outcomes)} runs in {seconds:.2f} s ({seconds / max(1, len(apps)):.3f} s per app)")
    ok = sc.perfect and corpus_perfect and not broken
    if ok and not args.keep and not args.results:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"run folders: {root}")
    if not sc.perfect:
        print("ACCURACY CHECK FAILED: a planted behaviour was missed, a clean control was flagged or a finding is in no truth list (see above)")
    out = figures(sc, outcomes, per_app, clean=clean, seconds=seconds, jurisdiction=args.jurisdiction)
    out["clean_apps_flagged"] = sorted({u.app for u in sc.control_flags})
    out["corpora"] = per_corpus
    print(json.dumps(out, ensure_ascii=False))
    if broken:
        return EXIT_INFRA
    return 0 if sc.perfect and corpus_perfect else EXIT_ACCURACY


if __name__ == "__main__":
    sys.exit(main())
