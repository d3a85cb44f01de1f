"""The rule catalogue: completeness, provenance, jurisdictions, and schema errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.catalog.rules import load_rules, parse_rules
from harness.errors import CatalogError, InputError
from harness.findings import PROVENANCES

CAT = load_rules()
RAW = yaml.safe_load(Path(__file__).resolve().parents[3].joinpath("harness/catalog/rules.yaml").read_text("utf-8"))


def test_all_46_rules_with_both_wordings() -> None:
    assert sorted(CAT.rules) == [f"R{i:02d}" for i in range(1, 47)]
    for rule in CAT.rules.values():
        assert set(rule.titles) == {"cn", "eu"}, rule.id
        assert rule.check and rule.citations and rule.problem_types


def test_problem_type_mapping_follows_the_seed_types() -> None:
    assert CAT.rule("R01").problem_types == ("T1",)
    assert CAT.rule("R09").problem_types == ("T3",)
    assert "T4" in CAT.rule("R23").problem_types
    assert set(CAT.rule("R33").problem_types) == {"T5", "T3"}
    assert CAT.rule("R41").problem_types == ("T6",)
    assert CAT.rule("R39").problem_types == ("T7",)
    assert "T8" in CAT.rule("R34").problem_types  # indicator only


def test_every_threshold_has_provenance_and_source() -> None:
    for th in CAT.thresholds.values():
        assert th.provenance in PROVENANCES, th.name
        assert len(th.source) > 10, th.name
    # the numeric anchors of the 认定方法 are normative (「参考执行」), not law; nothing is labelled law
    assert CAT.thresholds["policy_max_taps"].provenance == "normative"
    assert CAT.thresholds["response_working_days"].provenance == "normative"
    assert not [th.name for th in CAT.thresholds.values() if th.provenance == "law"]
    assert CAT.thresholds["response_working_days"].value == 15
    # the 48 h re-request rule is app-store practice with unverified origin, never law
    assert CAT.thresholds["store_wait_h"].provenance == "app-store practice"
    assert "[U]" in CAT.thresholds["store_wait_h"].source
    assert CAT.thresholds["periodic_interval_s"].provenance == "test scenario"
    assert CAT.thresholds["trigger_window_s"].provenance == "heuristic"
    assert CAT.thresholds["android_hidden_after_denials"].provenance == "platform"


def test_unverified_wording_is_marked_in_citations() -> None:
    r20 = {c.document: c.article for c in CAT.citations("R20", "cn")}
    assert r20["认定方法(2019)"] == "四.6 [M]"  # wording of 四.6 not seen in a stored copy
    r10 = {c.document: c.article for c in CAT.citations("R10", "cn")}
    assert r10["认定方法(2019)"] == "三.2"  # verbatim in full-text copies and Xinhua
    r09 = {c.document: c.article for c in CAT.citations("R09", "cn")}
    assert r09["认定方法(2019)"] == "三.1"  # verified wording carries no mark
    r12 = {c.document: c.article for c in CAT.citations("R12", "cn")}
    assert r12["认定方法(2019)"] == "三.4"  # the default-consent item is quoted verbatim in notices
    r41 = {c.document: c.article for c in CAT.citations("R41", "cn")}
    assert r41["认定方法(2019)"] == "六.3, 六.5"
    r22 = {c.document: c.article for c in CAT.citations("R22", "cn")}
    assert r22["应用商店审核惯例"].endswith("[U]")


def test_jurisdictions_choose_rules_citations_and_wording() -> None:
    cn = {r.id for r in CAT.rules_for("cn")}
    eu = {r.id for r in CAT.rules_for("eu")}
    assert len(cn) == 44
    assert "R15" not in eu and "R32" not in eu and "R09" in eu
    assert all(c.jurisdiction == "cn" for c in CAT.citations("R09", "cn"))
    assert {c.jurisdiction for c in CAT.citations("R09", "eu")} == {"eu", "play"}
    assert CAT.title("R09", "cn") == "征得同意前收集个人信息"
    assert CAT.title("R09", "eu") == "Personal data accessed before consent"
    with pytest.raises(InputError, match="unknown jurisdiction profile 'us'"):
        CAT.jurisdiction("us")


def test_jurisdiction_overrides() -> None:
    assert CAT.threshold("R43", "refusal_extra_taps_tolerated", "cn").value == 1
    assert CAT.threshold("R43", "refusal_extra_taps_tolerated", "eu").value == 0
    assert CAT.cap_verdict("R23", "eu", "violation") == "needs-review"
    assert CAT.cap_verdict("R23", "cn", "violation") == "violation"
    assert CAT.cap_verdict("R23", "eu", "info") == "info"


def test_severity_follows_data_category_where_the_rule_says_so() -> None:
    assert CAT.severity("R09", "cn", "DEVICE_ID") == "high"
    assert CAT.severity("R09", "cn", "SENSOR") == "medium"
    assert CAT.severity("R09", "cn", "DEVICE_INFO") == "high"  # informational category: rule default
    assert CAT.severity("R19", "cn", "DEVICE_ID") == "medium"  # not a by-category rule


def test_intents_and_lexicons() -> None:
    assert CAT.intent_groups("scan") == ("CAMERA",)
    assert "CLIPBOARD" in CAT.intent_categories("paste")
    assert CAT.intent_categories("teleport") == ()
    assert "com.android.launcher3" in CAT.lexicon("launcher_packages")
    assert not CAT.is_pi("DEVICE_INFO") and CAT.is_pi("CLIPBOARD")


def _broken(path: list[str], value: object) -> Any:
    import copy

    data = copy.deepcopy(RAW)
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["rules", "R09", "severity"], "fatal", "rules.R09.severity"),
        (["thresholds", "trigger_window_s", "provenance"], "folklore", "thresholds.trigger_window_s.provenance"),
        (["rules", "R09", "citations"], [["no_such_doc", "1"]], "unknown document 'no_such_doc'"),
        (["rules", "R09", "thresholds"], ["no_such_threshold"], "unknown threshold"),
        (["rules", "R09", "problem_types"], ["T9"], "unknown problem type"),
        (["rules", "R09", "surprise"], 1, "unknown field(s) surprise"),
        (["rules", "R09", "citations"], [], "non-empty list"),
        (["jurisdictions", "eu", "overrides", "R99"], {}, "unknown rule"),
        (["schema"], 2, "unsupported schema"),
        (["categories", "DEVICE_ID", "pi"], "yes", "categories.DEVICE_ID.pi"),
        (["intent_words", "teleport"], ["beam"], "not an intent listed"),
    ],
)
def test_schema_errors_name_the_place(path: list[str], value: object, message: str) -> None:
    with pytest.raises(CatalogError) as exc:
        parse_rules(_broken(path, value))
    assert message in str(exc.value)


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_rules(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="expected a mapping"):
        load_rules(bad)
    with pytest.raises(CatalogError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2_000_001)
    with pytest.raises(CatalogError, match="larger than"):
        load_rules(big)


def test_settings_tap_limits_are_labelled_heuristic_not_law() -> None:
    # 认定方法 一.3's four taps are law only for reaching the policy (R02); withdrawal, deletion and
    # personalisation settings borrow the number as a heuristic (rules.md, R16: no legal click limit)
    from harness.catalog.rules import load_rules

    cat = load_rules()
    assert cat.thresholds["policy_max_taps"].provenance == "normative"
    assert cat.thresholds["settings_max_taps"].provenance == "heuristic"
    assert "policy_max_taps" in cat.rules["R02"].thresholds
    for rid in ("R16", "R36", "R40"):
        assert "settings_max_taps" in cat.rules[rid].thresholds and "policy_max_taps" not in cat.rules[rid].thresholds


def _arts(rule_id: str, jid: str = "cn") -> list[str]:
    return [f"{c.document} {c.article}" for c in CAT.citations(rule_id, jid)]


def test_corrected_citations_follow_the_verification() -> None:
    # R10: refusing the policy leaves no lawful basis (PIPL 13, 14), not withdrawal/refusal (15, 16)
    assert "个人信息保护法 13, 14" in _arts("R10") and not any("15, 16" in a for a in _arts("R10"))
    # R35: prior consent is PIPL 13, 14; Art. 24 only for the personalised-ads part
    r35 = _arts("R35")
    assert "个人信息保护法 13, 14" in r35 and "个人信息保护法 24" not in r35
    assert any(a.startswith("个人信息保护法 24 (personalised-ads part only)") for a in r35)
    # R34: GDPR Art. 44 only for recipients outside the EEA
    r34 = _arts("R34", "eu")
    assert "GDPR 6(1)(a), 13(1)(e)" in r34
    assert [a for a in r34 if " 44" in a] == ["GDPR 44 (only when the recipient is outside the EEA)"]
    # R18: the data-security regulation article is 22(五); R25 annex is 附录D
    assert "网络数据安全管理条例 22(五)" in _arts("R18")
    assert "TC260-PG-20204A 附录D" in _arts("R25")
    # 场景 numbers belong to the detection-scenario list, not to 164号 itself
    for rid in CAT.rules:
        for c in CAT.rule(rid).citations:
            if c.doc == "miit_164":
                assert "场景" not in c.article, rid
    assert CAT.documents["miit_164_scenarios"].kind == "guidance"


def test_48h_is_labelled_app_store_practice_not_law() -> None:
    r22 = [c for c in CAT.citations("R22", "cn") if c.document == "应用商店审核惯例"]
    assert len(r22) == 1 and "app-store review practice, not law" in r22[0].article and r22[0].article.endswith("[U]")
    th = CAT.thresholds["store_wait_h"]
    assert th.provenance == "app-store practice" and "not law" in th.source
    # 26号 item 4 concerns information windows: cited by analogy only, and marked
    r22_26 = [c.article for c in CAT.citations("R22", "cn") if c.document == "工信部26号"]
    assert r22_26 and "by analogy" in r22_26[0] and r22_26[0].endswith("[M]")


def test_every_rule_has_a_fix_in_both_wordings() -> None:
    for rule in CAT.rules.values():
        assert len(rule.fix("cn")) > 8 and len(rule.fix("en")) > 8, rule.id
        assert rule.fix("cn") != rule.fix("en")


def test_fix_wordings_are_checked(tmp_path: Path) -> None:
    import copy

    raw = copy.deepcopy(RAW)
    raw["rules"]["R09"]["fix"] = {"fr": "x"}
    with pytest.raises(CatalogError, match=r"rules.R09.fix.fr: fix wordings are cn and en"):
        parse_rules(raw)
