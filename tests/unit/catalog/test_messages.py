"""The message catalogue: both languages for every key, safe placeholders, every key a detector
uses present, and finding identity independent of the report language."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.catalog.rules import load_rules
from harness.detectors import analyze
from harness.errors import CatalogError
from harness.findings import Finding
from harness.i18n import LANGS, Msg, Term, lang_for, load_messages, parse_catalog, render, rule_title, ui
from harness.reporting.build import localise_finding
from harness.rundir import RunDir
from harness.timeline import Timeline

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "harness" / "catalog"
GOLDEN = ROOT / "tests" / "golden"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _raw() -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        yaml.safe_load((CATALOG / "messages.yaml").read_text("utf-8")),
        yaml.safe_load((CATALOG / "report_ui.yaml").read_text("utf-8")),
    )


def test_every_message_has_both_languages() -> None:
    cat = load_messages()
    assert len(cat.messages) > 100
    for key, entry in cat.messages.items():
        assert set(entry) == set(LANGS), key
        assert entry["zh"].strip() and entry["en"].strip(), key
        # every zh wording is Chinese unless the message is a bare code or a pure phrase of names
        if re.search(r"[A-Za-z]{4,} [a-z]{3,}", entry["en"]):
            assert CJK.search(entry["zh"]), f"{key}: zh wording looks untranslated: {entry['zh']!r}"


def test_a_message_without_zh_fails_to_load() -> None:
    data, ui_data = _raw()
    broken = copy.deepcopy(data)
    broken["messages"]["R99.new_message"] = {"en": "A new detector message about {thing}."}
    with pytest.raises(CatalogError, match=r"R99\.new_message.*zh and en"):
        parse_catalog(broken, ui_data)


def test_placeholders_are_plain_names_and_zh_adds_none() -> None:
    data, ui_data = _raw()
    for bad, why in (
        ({"en": "{x.__class__}", "zh": "{x.__class__}"}, "plain name"),
        ({"en": "{x[0]}", "zh": "{x[0]}"}, "plain name"),
        ({"en": "{x!r}", "zh": "{x!r}"}, "plain name"),
        ({"en": "text {a}", "zh": "文字 {a}{b}"}, "placeholders the en"),
    ):
        broken = copy.deepcopy(data)
        broken["messages"]["bad.one"] = bad
        with pytest.raises(CatalogError, match=why):
            parse_catalog(broken, ui_data)


def _keys_used(path: Path) -> set[str]:
    """Literal catalogue keys passed to Msg.of in a module (both branches of a conditional), and
    the values of module-level dicts mapping codes to message keys."""
    tree = ast.parse(path.read_text("utf-8"))
    keys: set[str] = set()

    def consts(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return consts(node.body) + consts(node.orelse)
        return []

    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "of" and isinstance(node.func.value, ast.Name) and node.func.value.id == "Msg":
            if node.args:
                keys.update(consts(node.args[0]))
        if isinstance(node, ast.Dict) and any(isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.startswith("when.") for v in node.values):
            keys.update(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return keys


def test_every_key_a_detector_uses_is_in_the_catalogue() -> None:
    cat = load_messages()
    used: dict[str, str] = {}
    for path in sorted((ROOT / "harness").rglob("*.py")):
        for k in _keys_used(path):
            used[k] = str(path.relative_to(ROOT))
    assert len(used) > 100
    missing = {k: where for k, where in used.items() if k not in cat.messages}
    assert not missing, f"message keys used but not in messages.yaml: {missing}"


def test_detectors_give_no_plain_text_messages() -> None:
    """Every finding message of the built-in detectors goes through the catalogue (a plain f-string
    message would stay English in a Chinese report)."""
    offenders = []
    for path in sorted((ROOT / "harness" / "detectors").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "message" and isinstance(node.value, (ast.JoinedStr, ast.Constant, ast.BinOp)):
                offenders.append(f"{path.name}:{node.value.lineno}")
    assert not offenders, f"plain-text finding messages (use Msg.of and messages.yaml): {offenders}"


def _golden_findings(jurisdiction: str) -> list[Finding]:
    out: list[Finding] = []
    for case in sorted(p for p in GOLDEN.iterdir() if (p / "expected.json").is_file()):
        rd = RunDir(case)
        result = analyze(Timeline.read(rd.timeline, strict=True), rd.read_info(), jurisdiction=jurisdiction)
        out += result.findings
    return out


@pytest.mark.parametrize("jurisdiction", ["cn", "eu"])
def test_identity_does_not_change_with_language(jurisdiction: str) -> None:
    findings = _golden_findings(jurisdiction)
    assert len(findings) > 30
    for f in findings:
        assert f.msg is not None, f"{f.rule_id} ({f.detector}) has no catalogue message"
        stored = Finding.from_dict(json.loads(json.dumps(f.to_dict(), ensure_ascii=False)))
        assert stored.msg == f.msg and stored.identity() == f.identity()
        zh, en = localise_finding(stored, "zh"), localise_finding(stored, "en")
        assert zh.identity() == en.identity() == f.identity()
        assert (zh.rule_id, zh.severity, zh.verdict, zh.evidence) == (en.rule_id, en.severity, en.verdict, en.evidence)
        assert CJK.search(zh.message) and CJK.search(zh.title), (f.rule_id, zh.message, zh.title)
        assert en.message == f.message  # the stored English text is the en rendering
        assert zh.message != en.message


def test_language_follows_the_jurisdiction_unless_asked() -> None:
    assert lang_for("cn") == "zh" and lang_for("eu") == "en"
    assert lang_for("cn", "en") == "en" and lang_for("eu", "zh") == "zh"
    with pytest.raises(Exception, match="zh or en"):
        lang_for("cn", "fr")


def test_hostile_arguments_are_inserted_as_text() -> None:
    hostile = "<script>alert(1)</script> {who} {0} {x.__class__} %s"
    msg = Msg.of("R12.ambiguous", subject=Msg.of("subject.privacy_policy"), texts=(hostile,))
    for lang in LANGS:
        out = render(msg, lang)
        assert hostile in out  # verbatim: no placeholder inside an argument is expanded
    # a nested message that is not in the catalogue renders as nothing, not as its key
    assert render(Msg.of("no.such.key"), "zh") == ""


def test_terms_and_titles() -> None:
    assert render(Msg.of("R15.state_changed", group=Term("group", "LOCATION"), t0=1.0, state="granted", t1=2.0), "zh").startswith("位置权限")
    assert render(Msg.of("R15.state_changed", group=Term("group", "LOCATION"), t0=1.0, state="granted", t1=2.0), "en").startswith("LOCATION was denied")
    rules = load_rules()
    assert rule_title("R09", "zh", rules.title("R09", "eu")) == rules.title("R09", "cn")
    assert rule_title("R09", "en", rules.title("R09", "cn")) == rules.title("R09", "eu")
    assert rule_title("R09", "zh", "An edited title") == "An edited title"  # not a catalogue wording: kept
    assert ui("Findings", "zh") != "Findings"


def test_recorded_step_failures_are_printed_in_the_report_language() -> None:
    from harness.i18n import step_text

    text = "basic function blocked: 'pay': expected '缴费成功' not on screen (screen reads as 'login_gate'); 'map': the app is no longer in front (com.android.launcher3); odd <b>app text</b>"
    zh = step_text(text, "zh")
    assert zh == "基本功能受阻：「pay」：界面上未出现预期的「缴费成功」（界面识别为登录界面）；「map」：应用已不在前台（com.android.launcher3）；odd <b>app text</b>"
    assert step_text(text, "en") == text
    msg = Msg.of("R23.function_failed", detail=Term("step_message", text), why=Msg.of("R23.no_profile"))
    assert render(msg, "en").startswith("After the policy was declined, a basic function failed: basic function blocked: 'pay'")
    assert "基本功能受阻" in render(msg, "zh")
