"""consent-harness explain: a rule's checks, citations with confidence, numbers and fix."""

from __future__ import annotations

import json

import pytest

from harness.cli import main


def test_explain_prints_citations_confidence_thresholds_and_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "R09"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("R09  征得同意前收集个人信息")
    assert "认定方法(2019) 三.1  [V]" in out
    assert "164号检测场景 1.1-1 to 1.1-2" in out
    assert "min_calls = 1 call  (normative)" in out
    assert "How to fix:" in out and "同意" in out
    assert "Checklist items (认定方法 / EU points): 三.1, EU.3" in out
    assert "detector collection_before_consent" in out


def test_explain_json_and_lowercase_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "r20", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["rule_id"] == "R20"
    im = [c for c in d["citations"] if c["document"] == "认定方法(2019)"]
    assert im == [{"set": "cn", "document": "认定方法(2019)", "document_name": im[0]["document_name"], "kind": "normative", "article": "四.6", "confidence": "M", "note": im[0]["note"]}]
    assert d["fix"]["en"] and d["fix"]["cn"]


def test_explain_catalogue_only_rule_and_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "R38"]) == 0
    out = capsys.readouterr().out
    assert "catalogue only" in out and "needs network capture: no" in out
    assert main(["explain", "R34"]) == 0
    out = capsys.readouterr().out
    assert "detector personal_data_to_third_party" in out and "needs network capture: yes" in out
    assert "GDPR 44 (only when the recipient is outside the EEA)" in out
    assert main(["explain", "R99"]) == 2
    assert "unknown rule id 'R99'" in capsys.readouterr().err


def test_explain_in_chinese_under_cn_or_lang_zh(capsys: pytest.CaptureFixture[str]) -> None:
    from harness.i18n import load_messages

    assert main(["explain", "R09", "--lang", "zh"]) == 0
    zh = capsys.readouterr().out
    assert main(["explain", "R09", "--jurisdiction", "cn"]) == 0
    assert capsys.readouterr().out == zh
    assert "检测内容：" in zh and "引用文本" in zh and "整改建议：" in zh and "可信度标记：" in zh
    assert "违规" in zh and "高" in zh and "规范性文件" in zh  # verdict, severity and provenance by their glossary names
    assert "用户同意政策之前" in zh and "One call is enough" not in zh  # what the rule checks, in zh
    # no English wording of the catalogues is left
    english = [en for en, z in load_messages().ui.items() if en != z and len(en) >= 14 and " " in en]
    assert not [en for en in english if en in zh]
    assert main(["explain", "R09", "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert main(["explain", "R09"]) == 0
    assert capsys.readouterr().out == en and "What is checked:" in en and "检测内容" not in en
