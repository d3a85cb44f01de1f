"""Every sub-command with bad input: exit 2 for input problems (3 for infrastructure), one line
on stderr naming what is wrong, never a traceback (issue 12, item 14).

The table below must hold at least one case for every sub-command the parser knows (the batch
ones included): a new sub-command fails ``test_every_subcommand_has_a_bad_input_case`` until a
case is added here.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import os
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "devices"))
from apk_builder import Element, write_apk  # noqa: E402

from harness.cli import build_parser, main  # noqa: E402

Setup = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Case:
    name: str
    setup: Setup
    code: int | tuple[int, ...] = 2
    names_file: bool = True  # the error line names the file or folder given
    needs: str = ""  # a module whose fix the case depends on (skipped, with the reason, until it exists)


def _file(tmp: Path, name: str, text: str | bytes) -> Path:
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _a_file(tmp: Path) -> Path:
    return _file(tmp, "plain.txt", "x")


def _runs_folder(tmp: Path) -> Path:
    runs = tmp / "runs"
    for n in ("r1", "r2"):
        (runs / n).mkdir(parents=True)
        (runs / n / "run.json").write_text("{}", encoding="utf-8")
        (runs / n / "timeline.jsonl").write_text("", encoding="utf-8")
    return runs


def _batch_folder(tmp: Path) -> Path:
    b = tmp / "batch"
    b.mkdir()
    (b / "batch.sqlite").write_bytes(b"")
    return b


def _apk(tmp: Path, **sdk: object) -> Path:
    tree = Element("manifest", {"package": "com.example.bad", "android:versionCode": 1}, [Element("uses-sdk", {f"android:{k}": v for k, v in sdk.items()}), Element("application", {}, [])])
    return write_apk(tmp / "bad.apk", tree)


def _lzma_apk(tmp: Path) -> Path:
    good = _apk(tmp, minSdkVersion=21)
    with zipfile.ZipFile(good) as zf:
        data = zf.read("AndroidManifest.xml")
    out = tmp / "lzma.apk"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_LZMA) as zf:
        zf.writestr("AndroidManifest.xml", data)
    return out


SURROGATE_MODEL = 'model: m\npackage: com.example.surrogate\nlabel: "Shop \\ud83d app"\nscreens:\n  home: {title: Home, body: hello}\non_launch:\n  - goto: home\n'


def _dangling_next_run_id(tmp: Path) -> list[str]:
    from harness.runner import _slug

    results = tmp / "res"
    results.mkdir()
    now = dt.datetime.now()
    for s in range(0, 8):
        stamp = (now + dt.timedelta(seconds=s)).strftime("%Y%m%d-%H%M%S")
        os.symlink(tmp / "nowhere", results / f"{stamp}-{_slug('com.example.cleanshop')}-{_slug('S1')}")
    return ["run", "--app", "demo-clean", "--scenario", "S1", "--results", str(results), "--no-report"]


CASES: list[Case] = [
    # run
    Case("run: unknown app model", lambda t: ["run", "--app", "no-such-model", "--results", str(t / "r")], names_file=False),
    Case("run: --results under a file", lambda t: ["run", "--app", "demo-clean", "--scenario", "S1", "--results", str(_a_file(t) / "sub")]),
    Case("run: --results nowhere", lambda t: ["run", "--app", "demo-clean", "--scenario", "S1", "--results", "/proc/no-such-dir"], names_file=False),
    Case("run: surrogate in a model label", lambda t: ["run", "--app", str(_file(t, "m.yaml", SURROGATE_MODEL)), "--scenario", "S1", "--results", str(t / "r"), "--no-report"], code=(0, 1), needs="harness.sanitize"),
    Case("run: dangling symlink at the next run id", _dangling_next_run_id, code=(0, 1)),
    Case("run: bad scenario", lambda t: ["run", "--app", "demo-clean", "--scenario", str(_file(t, "s.yaml", "id: [")), "--results", str(t / "r")]),
    # analyze / report
    Case("analyze: missing folder", lambda t: ["analyze", str(t / "missing")]),
    Case("analyze: folder of runs", lambda t: ["analyze", str(_runs_folder(t))]),
    Case("analyze: batch folder", lambda t: ["analyze", str(_batch_folder(t))]),
    Case("report: missing folder", lambda t: ["report", str(t / "missing")]),
    Case("report: folder of runs", lambda t: ["report", str(_runs_folder(t))]),
    Case("report: batch folder", lambda t: ["report", str(_batch_folder(t))]),
    Case("report: a file", lambda t: ["report", str(_a_file(t))]),
    # demo
    Case("demo: unknown app", lambda t: ["demo", "--apps", "no-such-model", "--results", str(t / "d")], names_file=False),
    Case("demo: --results under a file", lambda t: ["demo", "--apps", "demo-clean", "--scenario", "S1", "--results", str(_a_file(t) / "sub")]),
    # screen
    Case("screen: missing file", lambda t: ["screen", str(t / "missing.xml")]),
    Case("screen: binary file", lambda t: ["screen", str(_file(t, "bin.xml", bytes(range(256))))]),
    # doctor
    Case("doctor: malformed serial", lambda t: ["doctor", "--device", "bad serial;rm -rf"], names_file=False),
    Case("doctor: malformed Appium URL", lambda t: ["doctor", "--appium", "ftp:/x"], names_file=False),
    # static
    Case("static: missing app", lambda t: ["static", str(t / "x.apk")]),
    Case("static: superscript SDK", lambda t: ["static", str(_apk(t, minSdkVersion="²³"))]),
    Case("static: 5000-digit SDK", lambda t: ["static", str(_apk(t, targetSdkVersion="9" * 5000))]),
    Case("static: LZMA manifest entry", lambda t: ["static", str(_lzma_apk(t))]),
    Case("static: not a zip", lambda t: ["static", str(_file(t, "junk.apk", b"PK\x03\x04junk"))]),
    # frida-server
    Case("frida-server: missing binary", lambda t: ["frida-server", "push", str(t / "frida-server-nope"), "--device", "emulator-5554"]),
    Case("frida-server: unknown action", lambda t: ["frida-server", "frobnicate"], names_file=False),
    # list
    Case("list: unknown kind", lambda t: ["list", "nothing"], names_file=False),
    # validate
    Case("validate: deeply nested YAML", lambda t: ["validate", "scenario", str(_file(t, "deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n"))]),
    Case("validate: 100,000-digit integer", lambda t: ["validate", "scenario", str(_file(t, "int.yaml", "id: S9\nname: x\nsteps:\n  - wait: {seconds: " + "9" * 100_000 + "}\n"))]),
    Case("validate: model with a huge integer", lambda t: ["validate", "model", str(_file(t, "im.yaml", "model: m\npackage: com.x.y\nversion_code: " + "9" * 100_000 + "\nscreens: {}\n"))]),
    Case("validate: escape codes in the file name", lambda t: ["validate", "scenario", str(_file(t, "e\x1b[2Jx.yaml", "{"))], names_file=False),
    Case("validate: a folder", lambda t: ["validate", "model", str(t)]),
    # checklist
    Case("checklist: missing folder", lambda t: ["checklist", str(t / "missing")]),
    Case("checklist: folder of runs", lambda t: ["checklist", str(_runs_folder(t)), "--formats", "json"]),
    Case("checklist: batch folder", lambda t: ["checklist", str(_batch_folder(t)), "--formats", "json"]),
    # explain
    Case("explain: unknown rule", lambda t: ["explain", "R99"], names_file=False),
    # bundle
    Case("bundle: missing folder", lambda t: ["bundle", str(t / "missing"), "-o", str(t / "b.zip")]),
    Case("bundle: verify a file that is no zip", lambda t: ["bundle", "--verify", str(_file(t, "x.zip", b"PK\x03\x04junk"))]),
    # compare
    Case("compare: missing folder", lambda t: ["compare", str(t / "missing"), str(t)]),
    Case("compare: folder without analysed runs", lambda t: ["compare", str(_runs_folder(t)), str(_runs_folder(t / "b") if (t / "b").mkdir() is None else t)]),
    # batch
    Case("batch run: missing list", lambda t: ["batch", "run", str(t / "no-list.txt"), "--results", str(t / "b")]),
    Case("batch run: --results under a file", lambda t: ["batch", "run", str(_file(t, "apps.txt", "demo-clean\n")), "--results", str(_a_file(t) / "b"), "-q"]),
    Case("batch resume: not a batch", lambda t: ["batch", "resume", str(t / "nob")]),
    Case("batch status: not a batch", lambda t: ["batch", "status", str(t / "nob")]),
    Case("batch status: empty index", lambda t: ["batch", "status", str(_batch_folder(t))]),
    Case("batch export: not a batch", lambda t: ["batch", "export", str(t / "nob")]),
    Case("batch query: not a batch", lambda t: ["batch", "query", str(t / "nob"), "SELECT 1"]),
    Case("batch query: unknown canned", lambda t: ["batch", "query", str(t), "--canned", "nope"], names_file=False),
]


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    out: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.add(prefix + name)
                out |= _subcommands(sub, prefix + name + " ")
    return out


def test_every_subcommand_has_a_bad_input_case() -> None:
    build_parser()
    from harness.cli import _handover_commands

    _handover_commands()
    known = _subcommands(build_parser())
    covered = {c.name.split(":")[0] for c in CASES}
    leaves = {k for k in known if not any(o.startswith(k + " ") for o in known)}
    assert leaves - covered == set(), "add a bad-input case to CASES for each of these sub-commands"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_one_clear_line(case: Case, tmp_path: Path) -> None:
    if case.needs and importlib.util.find_spec(case.needs) is None:
        pytest.skip(f"needs {case.needs} (the input sanitiser of issue 12 High 1)")
    argv = case.setup(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    text = err.getvalue()
    want = case.code if isinstance(case.code, tuple) else (case.code,)
    assert code in want, (code, text)
    for stream in (text, out.getvalue()):
        assert "Traceback" not in stream and "internal error" not in stream, stream
        assert "\x1b" not in stream, stream
    if code in (0, 1):
        return
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines, "no message on stderr"
    if not text.startswith("usage:"):  # argparse's own usage message has two lines
        assert len(lines) == 1, text
    if case.names_file:
        given = next(a for a in reversed(argv) if os.sep in a)
        named = {given, str(Path(given).parent), Path(given).name}
        assert any(n in text for n in named), (given, text)
