"""``consent-harness compare A B``: what changed between two sets of runs.

A and B are each a run folder, a folder of run folders (an app's suite, the demo's results) or a
batch results folder; every run folder found below them (run.json present, a few levels deep)
takes part. Runs are matched by app (package) and scenario; when A and B each hold exactly one
app under different packages, those two are compared as one app (a renamed build).

A finding is compared by what it says, not by when it happened: app, scenario, rule, data
category, SDK and subject (evidence numbers differ from run to run). For each key, the
findings of the latest run of that app and scenario on each side are counted:

* **new**: more in B than in A; **fixed**: fewer in B than in A; **unchanged**: in both;
* **not re-tested**: A's findings of an app and scenario that B did not run. These are never
  counted as fixed: no finding where nothing was tested is no evidence of a fix.

Informational findings are left out unless ``include_info``. Output: a terminal table, HTML
(self-contained) and JSON; the CLI exits 1 when B has new findings at or above ``--fail-on``
(for CI), 0 otherwise. The table and the page are in zh or en (``lang``; the CLI's ``--lang``,
by default zh when every run of both sides was judged under cn): their wording, the notes, rule
titles, verdicts, severities and data categories come from the report catalogues
(harness.i18n); JSON keeps codes and the English notes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import InputError
from harness.findings import SEVERITIES, Finding
from harness.i18n import category_label, rule_title, term, ui
from harness.textout import escape_html

__all__ = ["Side", "Change", "Comparison", "collect_runs", "compare", "compare_lang", "render_text", "render_html", "to_json", "write_outputs"]

MAX_DEPTH = 4
MAX_RUNS = 200_000


@dataclass(slots=True)
class _Run:
    path: Path
    run_id: str
    package: str
    scenario: str
    started: str
    jurisdiction: str
    version: str
    analysed: bool
    findings: list[Finding]


@dataclass(slots=True)
class Side:
    """The runs of one side, the latest per (package, scenario)."""

    root: str
    runs: dict[tuple[str, str], _Run] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # names of run folders left out (not analysed)

    def packages(self) -> set[str]:
        return {p for p, _ in self.runs}


@dataclass(frozen=True, slots=True)
class Change:
    """One finding key and how its count changed."""

    package: str
    scenario: str
    rule_id: str
    title: str
    category: str
    sdk: str
    subject: str
    severity: str
    verdict: str
    before: int
    after: int
    status: str  # new | fixed | unchanged | not-retested

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True)
class Comparison:
    a: Side
    b: Side
    changes: list[Change]
    notes: list[str]  # in English (JSON); note_texts(lang) gives them in a report language
    renamed: tuple[str, str] | None = None
    #: each note as its catalogue wording (English, catalog/report_ui.yaml) and its values
    note_src: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def note_texts(self, lang: str) -> list[str]:
        return [ui(template, lang, **args) for template, args in self.note_src] if self.note_src else list(self.notes)

    def count(self, status: str) -> int:
        """Findings counted as ``status`` (a key whose count rose from 1 to 3 is 2 new, 1 unchanged)."""
        if status == "unchanged":
            return sum(min(c.before, c.after) for c in self.changes if c.status != "not-retested")
        return sum(self.delta(c) for c in self.changes if c.status == status)

    @staticmethod
    def delta(c: Change) -> int:
        if c.status == "new":
            return c.after - c.before
        if c.status == "fixed":
            return c.before - c.after
        if c.status == "unchanged":
            return c.before
        return c.before

    def new_at_or_above(self, fail_on: str) -> list[Change]:
        if fail_on == "never":
            return []
        bar = SEVERITIES.index(fail_on)
        return [c for c in self.changes if c.status == "new" and SEVERITIES.index(c.severity) >= bar]

    def by_app_rule(self) -> dict[tuple[str, str], Counter[str]]:
        out: dict[tuple[str, str], Counter[str]] = {}
        for c in self.changes:
            n = out.setdefault((c.package, c.rule_id), Counter())
            if c.status == "not-retested":
                n["not-retested"] += c.before
                continue
            n["unchanged"] += min(c.before, c.after)
            if c.status in ("new", "fixed"):
                n[c.status] += self.delta(c)
        return out


def _run_dirs(root: Path) -> Iterator[Path]:
    if (root / "run.json").is_file():
        yield root
        return
    stack = [(root, 0)]
    seen = 0
    while stack:
        d, depth = stack.pop()
        try:
            children = sorted(p for p in d.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            continue
        for c in children:
            if (c / "run.json").is_file():
                seen += 1
                if seen > MAX_RUNS:
                    raise InputError(f"{root}: more than {MAX_RUNS} run folders")
                yield c
            elif depth + 1 < MAX_DEPTH:
                stack.append((c, depth + 1))


def _load(path: Path) -> _Run | None:
    from harness.reporting.build import load_run

    data = load_run(path, events_kinds=frozenset())
    info = data.info
    ident = info.extra.get("identity") if isinstance(info.extra, dict) else None
    version = ""
    if isinstance(ident, dict) and isinstance(ident.get("app"), dict):
        version = str(ident["app"].get("version_name", ""))
    return _Run(path, info.run_id, info.package, info.scenario, info.started_at or info.run_id, data.jurisdiction, version, data.has_findings, list(data.findings))


def collect_runs(root: Path) -> Side:
    """Every run folder below ``root``, the latest analysed one per (package, scenario)."""
    root = Path(root)
    if not root.exists():
        raise InputError(f"not found: {root}")
    side = Side(str(root))
    for d in _run_dirs(root):
        run = _load(d)
        if run is None:
            continue
        if not run.analysed:
            side.skipped.append(d.name)
            continue
        key = (run.package, run.scenario)
        prev = side.runs.get(key)
        if prev is None or (run.started, run.run_id) > (prev.started, prev.run_id):
            side.runs[key] = run
    if not side.runs:
        raise InputError(f"{root}: no analysed run folder found (run.json and findings.jsonl)")
    return side


def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.rule_id, f.category, f.sdk, f.subject)


def compare(a_root: Path, b_root: Path, *, include_info: bool = False) -> Comparison:
    """Compare the findings of the runs under ``a_root`` (before) and ``b_root`` (after)."""
    a, b = collect_runs(a_root), collect_runs(b_root)
    src: list[tuple[str, dict[str, str]]] = []
    src += [("{side}: {name}: not analysed (no findings.jsonl); left out", {"side": "A", "name": n}) for n in a.skipped]
    src += [("{side}: {name}: not analysed (no findings.jsonl); left out", {"side": "B", "name": n}) for n in b.skipped]
    renamed: tuple[str, str] | None = None
    pa, pb = a.packages(), b.packages()
    if len(pa) == 1 and len(pb) == 1 and pa != pb:
        renamed = (next(iter(pa)), next(iter(pb)))
        src.append(("one app on each side under different packages: {a} (A) is compared with {b} (B)", {"a": renamed[0], "b": renamed[1]}))
        b.runs = {(renamed[0], sc): r for (_p, sc), r in b.runs.items()}
    jur_a = {r.jurisdiction for r in a.runs.values()}
    jur_b = {r.jurisdiction for r in b.runs.values()}
    if jur_a != jur_b:
        src.append(
            (
                "the sides were judged under different profiles (A: {a}; B: {b}); re-run analyze with one --jurisdiction for a like-for-like comparison",
                {"a": ", ".join(sorted(jur_a)), "b": ", ".join(sorted(jur_b))},
            )
        )
    for (pkg, sc) in sorted(set(b.runs) - set(a.runs)):
        src.append(("{package} {scenario}: only in B (no earlier run to compare with; its findings count as new)", {"package": pkg, "scenario": sc}))
    notes = [ui(template, "en", **args) for template, args in src]
    changes: list[Change] = []
    for key in sorted(set(a.runs) | set(b.runs)):
        ra, rb = a.runs.get(key), b.runs.get(key)
        fa = [f for f in (ra.findings if ra else []) if include_info or f.verdict != "info"]
        fb = [f for f in (rb.findings if rb else []) if include_info or f.verdict != "info"]
        ca, cb = Counter(_key(f) for f in fa), Counter(_key(f) for f in fb)
        sample: dict[tuple[str, str, str, str], Finding] = {}
        for f in [*fb, *fa]:
            old = sample.get(_key(f))
            if old is None or f.rank() > old.rank():
                sample[_key(f)] = f
        for k in sorted(set(ca) | set(cb)):
            f = sample[k]
            before, after = ca.get(k, 0), cb.get(k, 0)
            if rb is None:
                status = "not-retested"
            elif after > before:
                status = "new"
            elif after < before:
                status = "fixed"
            else:
                status = "unchanged"
            changes.append(Change(key[0], key[1], f.rule_id, f.title, f.category, f.sdk, f.subject, f.severity, f.verdict, before, after, status))
    return Comparison(a, b, changes, notes, renamed, src)


def compare_lang(cmp: Comparison, lang: str = "") -> str:
    """The language to show a comparison in: ``lang`` when given, else zh when every run of both
    sides was judged under cn (as the batch summary decides), else en."""
    if lang:
        return lang
    jurs = {r.jurisdiction for side in (cmp.a, cmp.b) for r in side.runs.values()}
    return "zh" if jurs == {"cn"} else "en"


_ORDER = ("new", "fixed", "unchanged", "not-retested")


def _sorted(cmp: Comparison) -> list[Change]:
    return sorted(cmp.changes, key=lambda c: (c.package, _ORDER.index(c.status), c.rule_id, c.scenario, c.category, c.sdk))


def _status(status: str, lang: str) -> str:
    return ui({"new": "new", "fixed": "fixed", "unchanged": "unchanged", "not-retested": "not re-tested"}[status], lang)


def _code(status: str, lang: str) -> str:
    """A status where the English output shows its code (HTML cells, totals)."""
    return status if lang != "zh" else _status(status, lang)


def _subject(c: Change, lang: str, empty: str) -> str:
    return "/".join(x for x in (category_label(c.category, lang), c.sdk, c.subject) if x) or empty


def _finding_words(c: Change, lang: str) -> tuple[str, str, str]:
    """(verdict, severity, title) as the output prints them: the recorded codes and title in en,
    glossary names and the zh rule title in zh."""
    if lang != "zh":
        return c.verdict, c.severity, c.title
    return term("verdict", c.verdict, lang), term("severity", c.severity, lang), rule_title(c.rule_id, lang, c.title) or c.title


def render_text(cmp: Comparison, lang: str = "en") -> str:
    """The comparison as a terminal table, in ``lang`` (zh | en)."""
    n_a, n_b = len(cmp.a.runs), len(cmp.b.runs)
    lines = [
        ui("compare  A: {root}  ({n} runs)", lang, root=cmp.a.root, n=n_a),
        ui("         B: {root}  ({n} runs)", lang, root=cmp.b.root, n=n_b),
        "  ".join(f"{_status(st, lang)} {cmp.count(st)}" for st in _ORDER),
        "",
        f"{ui('app', lang):32} {ui('rule', lang):5} {_status('new', lang):>4} {_status('fixed', lang):>6} {ui('same', lang):>5} {_status('not-retested', lang):>14}",
    ]
    for (pkg, rule), n in sorted(cmp.by_app_rule().items()):
        lines.append(f"{pkg[:32]:32} {rule:5} {n['new']:>4} {n['fixed']:>6} {n['unchanged']:>5} {n['not-retested']:>14}")
    lines.append("")
    for c in _sorted(cmp):
        if c.status == "unchanged":
            continue
        status = c.status.upper() if lang == "en" else _status(c.status, lang)
        verdict, severity, title = _finding_words(c, lang)
        lines.append(f"{status:13} {c.package} {c.scenario} {c.rule_id} {verdict} {severity} {_subject(c, lang, '-')}  (A {c.before} -> B {c.after})  {title}")
    for note in cmp.note_texts(lang):
        lines.append(ui("note: {note}", lang, note=note))
    return "\n".join(lines) + "\n"


def to_json(cmp: Comparison) -> dict[str, Any]:
    return {
        "a": {"root": cmp.a.root, "runs": sorted(r.run_id for r in cmp.a.runs.values())},
        "b": {"root": cmp.b.root, "runs": sorted(r.run_id for r in cmp.b.runs.values())},
        "totals": {s: cmp.count(s) for s in _ORDER},
        "by_app_rule": [{"package": p, "rule_id": r, **dict(c)} for (p, r), c in sorted(cmp.by_app_rule().items())],
        "changes": [c.to_dict() for c in _sorted(cmp)],
        "notes": cmp.notes,
    }


def render_html(cmp: Comparison, lang: str = "en") -> str:
    """The comparison as one self-contained page, in ``lang`` (zh | en)."""
    e = escape_html  # escaped, bidi controls shown as [U+202E] markers

    def t(text: str, **args: Any) -> str:
        return e(ui(text, lang, **args))

    rows = []
    for c in _sorted(cmp):
        verdict, severity, title = _finding_words(c, lang)
        rows.append(
            f'<tr class="{e(c.status)}"><td>{e(_code(c.status, lang))}</td><td>{e(c.package)}</td><td>{e(c.scenario)}</td><td>{e(c.rule_id)}</td>'
            f"<td>{e(title)}</td><td>{e(verdict)} · {e(severity)}</td><td>{e(_subject(c, lang, '—'))}</td><td>{c.before}</td><td>{c.after}</td></tr>"
        )
    per = "".join(
        f"<tr><td>{e(p)}</td><td>{e(r)}</td><td>{c['new']}</td><td>{c['fixed']}</td><td>{c['unchanged']}</td><td>{c['not-retested']}</td></tr>"
        for (p, r), c in sorted(cmp.by_app_rule().items())
    )
    notes = "".join(f"<li>{e(n)}</li>" for n in cmp.note_texts(lang))
    totals = " · ".join(f"{_code(s, lang)} {cmp.count(s)}" for s in _ORDER)
    head = "".join(f"<th>{x}</th>" for x in (t("status"), t("app"), t("scenario"), t("rule"), t("title"), t("verdict"), t("subject"), "A", "B"))
    per_head = "".join(f"<th>{x}</th>" for x in (t("app"), t("rule"), e(_status("new", lang)), e(_status("fixed", lang)), e(_status("unchanged", lang)), e(_status("not-retested", lang))))
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>consent-harness {t("compare")}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 24px; color: #1d2733; font-size: 13px; }}
table {{ border-collapse: collapse; margin: 8px 0 18px; }} th, td {{ border: 1px solid #d3d9e0; padding: 4px 7px; text-align: left; }}
th {{ background: #14324f; color: #fff; }} tr.new td:first-child {{ background: #f4ccca; font-weight: 700; }}
tr.fixed td:first-child {{ background: #cfe9d8; font-weight: 700; }} tr.not-retested td:first-child {{ background: #e3e7ec; }}
</style></head><body>
<h1>{t("Findings compared")}</h1>
<p>{t("A (before): {root} — {n} runs", root=cmp.a.root, n=len(cmp.a.runs))}<br>{t("B (after): {root} — {n} runs", root=cmp.b.root, n=len(cmp.b.runs))}</p>
<p><b>{e(totals)}</b></p>
<p>{t('A finding is matched by app, scenario, rule, data category, SDK and subject. Findings of an app and scenario that B did not run are "not re-tested", never "fixed".')}</p>
<h2>{t("Per app and rule")}</h2>
<table><tr>{per_head}</tr>{per}</table>
<h2>{t("Findings")}</h2>
<table><tr>{head}</tr>{''.join(rows)}</table>
{f"<h2>{t('Notes')}</h2><ul>{notes}</ul>" if notes else ""}
</body></html>
"""


def write_outputs(cmp: Comparison, *, html_path: Path | None, json_path: Path | None, lang: str = "en") -> list[Path]:
    out: list[Path] = []
    if html_path is not None:
        html_path.write_text(render_html(cmp, lang), encoding="utf-8")
        out.append(html_path)
    if json_path is not None:
        json_path.write_text(json.dumps(to_json(cmp), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        out.append(json_path)
    return out
