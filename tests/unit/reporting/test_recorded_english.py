"""Texts the harness records in English and a report prints: the recogniser's reasons and the
harness's own error records. A cn report prints them in Chinese (known wordings, values and app
texts kept as recorded), an en report as recorded; every reason the recogniser can write is a
known wording, so a new one fails here until it has a Chinese wording (catalog/report_ui.yaml,
harness/i18n.py REASON_TEMPLATES)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from harness.events import ErrorRecord, UiSnapshot
from harness.i18n import ERROR_TEMPLATES, REASON_TEMPLATES, error_text, load_messages, reason_text
from harness.instrumentation.protocol import EmitGuard
from harness.observations import ScreenObservation
from harness.rundir import RunDir
from harness.timeline import Timeline

ROOT = Path(__file__).resolve().parents[3]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_template_has_a_chinese_wording() -> None:
    ui = load_messages().ui
    composite = ("{kind}: {points} for {why}", "control '{label}' -> {role} ({why})", "runner-up {kind} scored {a} vs {b}")
    missing = [t for t in (*REASON_TEMPLATES, *ERROR_TEMPLATES, *composite) if t not in ui or not CJK.search(ui[t])]
    assert not missing, missing


def _samples(node: ast.expr) -> list[str]:
    """The texts an expression can make, each formatted value standing as '7' (a count or a value)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                out = [o + str(part.value) for o in out]
            else:
                out = [o + "7" for o in out]
        return out
    if isinstance(node, ast.IfExp):
        return _samples(node.body) + _samples(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _samples(node.left) for b in _samples(node.right)]
    return []


def _recogniser_wordings() -> tuple[list[str], list[str]]:
    """(score reasons: the second argument of every ``.add(points, why)``; other reasons and
    notes: strings appended to ``reasons`` / ``notes`` / ``why`` and given to ``why``)."""
    tree = ast.parse((ROOT / "harness" / "consent_ui" / "reader.py").read_text("utf-8"))
    scores: list[str] = []
    others: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
            if node.func.attr == "add" and len(node.args) == 2 and _samples(node.args[1]):
                scores += _samples(node.args[1])
            elif node.func.attr == "append" and owner_name in ("reasons", "notes", "why") and node.args:
                got = _samples(node.args[0])
                (scores if owner_name == "why" else others).extend(got)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names = [target] if isinstance(target, ast.Name) else list(target.elts) if isinstance(target, ast.Tuple) else []
                values = [node.value] if isinstance(target, ast.Name) else list(node.value.elts) if isinstance(node.value, ast.Tuple) else []
                for n, v in zip(names, values, strict=False):
                    if isinstance(n, ast.Name) and n.id == "why":
                        others += [f"control 'x' -> decline ({s})" for s in _samples(v) if s]
    return scores, others


def test_every_reason_the_recogniser_writes_has_a_chinese_wording() -> None:
    scores, others = _recogniser_wordings()
    # the score line and the control line themselves are composites read by reason_text (their
    # parts are what is checked); a sample with no word of its own is one of them
    scores = [s for s in scores if re.search(r"[A-Za-z]{3,}", s)]
    others = [s for s in others if re.search(r"[A-Za-z]{3,}", s) and not s.startswith("control '7' -> 7")]
    assert len(scores) >= 50 and len(others) >= 8, (len(scores), len(others))
    untranslated = [s for s in scores if not CJK.search(reason_text(f"privacy_dialog +1 {s}", "zh"))]
    untranslated += [s for s in others if "runner-up" not in s and reason_text(s, "zh") == s]
    # a control's why goes through the same templates: its text must not stay English
    untranslated += [s for s in others if s.startswith("control") and re.search(r"\((?:[^()]*[a-z]{4,} [a-z]{3,})", reason_text(s, "zh"))]
    assert not untranslated, f"recogniser reasons without a Chinese wording (add them to harness/i18n.py REASON_TEMPLATES and catalog/report_ui.yaml): {untranslated}"


def test_reasons_keep_their_values_and_app_texts() -> None:
    assert reason_text("privacy_dialog +2.5 privacy title '隐私政策'", "zh") == "隐私政策弹窗：+2.5 分，因为隐私标题「隐私政策」"
    zh = reason_text("control '{who}<b>' -> decline (label class decline)", "zh")
    assert "「{who}<b>」" in zh and "拒绝" in zh and "decline" in zh  # the lexicon class stays a code
    assert reason_text("2 consent box(es) pre-ticked", "zh") == "2 个同意勾选框已预先勾选"
    assert reason_text("something a plug-in says", "zh") == "something a plug-in says"
    assert reason_text("privacy_dialog +2.5 privacy title 'x'", "en") == "privacy_dialog +2.5 privacy title 'x'"


def test_error_records_of_the_harness_are_translated_and_others_kept() -> None:
    sink: list[object] = []
    guard = EmitGuard(lambda evs: (_ for _ in ()).throw(OSError(28, "No space left on device")) if any(not isinstance(e, ErrorRecord) for e in evs) else sink.extend(evs), lambda: 1.0, "logcat")
    guard([UiSnapshot(t=0.0, source="runner")])
    guard.finish()
    messages = [e.message for e in sink if isinstance(e, ErrorRecord)]
    assert len(messages) == 2
    zh = [error_text(m, "zh") for m in messages]
    assert zh[0] == "1 条事件未能记录：OSError: [Errno 28] No space left on device"
    assert zh[1].startswith("运行中 1 次写入失败，丢失 1 条事件")
    assert error_text("Traceback: KeyError 'x'", "zh") == "Traceback: KeyError 'x'"
    assert error_text(messages[0], "en") == messages[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_prints_reasons_and_error_records_in_its_language(tmp_path: Path, lang: str) -> None:
    from reportkit import make_run

    from harness.reporting.build import build_reports

    run = make_run(tmp_path)  # analysed under cn
    reading = ScreenObservation.from_mapping(
        {"kind": "privacy_dialog", "confidence": 0.9, "reasons": ["privacy_dialog +2.5 privacy title '用户协议与隐私政策'", "control '不同意' -> decline (label class decline)", "1 consent box(es) pre-ticked"]}
    )
    extra = [
        UiSnapshot(t=40.0, source="runner", screen_id="p2", hierarchy_hash="h-recorded-english", screen_kind="privacy_dialog", confidence=0.9, reading=reading),
        ErrorRecord(t=41.0, source="timeline", where="event-budget", message="event budget reached (2000 events or 10000 bytes): later instrumentation events are counted, not stored"),
    ]
    rd = RunDir(run)
    n = len(rd.timeline.read_text("utf-8").splitlines())
    with open(rd.timeline, "a", encoding="utf-8") as fh:
        for i, ev in enumerate(extra):
            fh.write(json.dumps(ev.stamped(n + i).to_dict(), ensure_ascii=False) + "\n")
    assert len(list(Timeline.read(rd.timeline))) == n + 2
    html = build_reports(run, ("html",), lang=lang)["html"].read_text("utf-8")
    if lang == "zh":
        assert "隐私标题「用户协议与隐私政策」" in html and "控件「不同意」→ 拒绝" in html and "1 个同意勾选框已预先勾选" in html
        assert "已达到事件上限（2000 条事件或 10000 字节）" in html
        assert "privacy title" not in html and "event budget reached" not in html
    else:
        assert "privacy_dialog +2.5 privacy title" in html and "event budget reached (2000 events" in html


def test_every_role_and_screen_kind_has_a_chinese_name() -> None:
    """The consent-screens section and the reasons name roles and screen kinds by the glossary;
    a code without a zh name would print in English in a cn report."""
    from harness.consent_ui.model import KINDS, ROLES

    terms = load_messages().terms
    assert not [r for r in ROLES if r not in terms["role"]]
    assert not [k for k in KINDS if k not in terms["screen_kind"]]
