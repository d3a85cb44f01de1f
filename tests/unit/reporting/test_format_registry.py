"""Report formats register themselves (harness.reporting.formats): build_reports and build_summary
ask the registry, a new format is one module with a registered writer, and the build module
imports no format module (no build <-> format import cycle)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from reportkit import make_run

from harness.errors import InputError
from harness.reporting import formats as registry
from harness.reporting.build import RunData, build_reports, build_summary
from harness.reporting.formats import FORMAT_MODULES, ReportOptions, formats, report_format

REPORTING = Path(registry.__file__).resolve().parent


@pytest.fixture
def clean_registry() -> Iterator[None]:
    before = dict(registry._REGISTRY)
    yield
    registry._REGISTRY.clear()
    registry._REGISTRY.update(before)


def test_built_in_formats_are_registered() -> None:
    run = formats("run")
    assert list(run) == ["html", "xlsx", "json", "junit", "terminal"]
    assert [n for n, f in run.items() if f.default] == ["html", "xlsx", "json", "junit"]
    assert {n: f.filename for n, f in run.items()} == {
        "html": "report.html",
        "xlsx": "report.xlsx",
        "json": "findings.json",
        "junit": "junit.xml",
        "terminal": "findings.txt",
    }
    assert {n: f.filename for n, f in formats("summary").items()} == {"html": "summary.html", "xlsx": "summary.xlsx", "checklist": "checklists.json"}
    assert [n for n, f in formats("summary").items() if f.default] == ["html", "xlsx"]
    assert all(f.doc for f in run.values())


def test_default_build_writes_the_default_formats_and_terminal_on_request(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    assert set(build_reports(run)) == {"html", "xlsx", "json", "junit"}
    assert not (run / "findings.txt").exists()
    text = build_reports(run, ("terminal",))["terminal"].read_text(encoding="utf-8")
    assert "R09" in text and "\x1b[" not in text  # plain text: the CLI table without colour


def test_a_new_format_is_one_registered_writer(tmp_path: Path, clean_registry: None) -> None:
    seen: list[ReportOptions] = []

    @report_format("rules-csv", "rules.csv", default=False, doc="rule ids, one per line")
    def write_csv(data: RunData, target: Path, options: ReportOptions) -> None:
        seen.append(options)
        target.write_text("\n".join(f.rule_id for f in data.findings), encoding="utf-8")

    @report_format("count", "count.txt", scope="summary", doc="how many runs")
    def write_count(runs: Sequence[RunData], target: Path, options: ReportOptions) -> None:
        target.write_text(f"{len(runs)} runs, {len(options.missing)} missing", encoding="utf-8")

    run = make_run(tmp_path / "a")
    out = build_reports(run, ("rules-csv",), fail_on="low")
    assert out["rules-csv"].read_text(encoding="utf-8").splitlines()[:2] == ["R09", "R10"]
    assert seen[0].fail_on == "low"
    summary = build_summary([run, tmp_path / "gone"], tmp_path / "sum", formats=("count",))
    assert summary["count"].read_text(encoding="utf-8") == "1 runs, 1 missing"
    # a second writer cannot take a name that is already registered
    with pytest.raises(ValueError, match="already registered"):

        @report_format("html", "other.html")
        def other(data: RunData, target: Path, options: ReportOptions) -> None:
            pass


def test_unknown_formats_name_the_registered_ones(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    with pytest.raises(InputError, match="terminal"):
        build_reports(run, ("pdfx",))
    with pytest.raises(InputError, match="unknown summary format"):
        build_summary([run], tmp_path / "s", formats=("junit",))


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_no_import_cycle_between_build_and_the_formats() -> None:
    format_modules = set(FORMAT_MODULES)
    build = _imports(REPORTING / "build.py")
    assert not build & format_modules, "build.py must not import a format module (formats register themselves)"
    assert not {m for m in _imports(REPORTING / "formats.py") if m.startswith("harness.")} - {"harness.reporting.build"}
    for mod in FORMAT_MODULES:
        deps = _imports(REPORTING / (mod.rsplit(".", 1)[1] + ".py"))
        assert "harness.reporting.formats" in deps, f"{mod} does not register through the registry"
