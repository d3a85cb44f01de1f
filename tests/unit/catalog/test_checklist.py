"""The 认定方法 checklist catalogue: all 31 items, rule mapping, and honest confidence marks."""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from harness.catalog.checklist import UNAVAILABLE, load_checklist, parse_checklist
from harness.catalog.rules import load_rules
from harness.errors import CatalogError

CL = load_checklist()
RAW = yaml.safe_load(Path(__file__).resolve().parents[3].joinpath("harness/catalog/checklist.yaml").read_text("utf-8"))


def test_all_31_items_in_six_sections() -> None:
    assert len(CL.items) == 31
    assert Counter(i.section for i in CL.items) == {"一": 4, "二": 4, "三": 9, "四": 6, "五": 3, "六": 5}
    assert len({i.id for i in CL.items}) == 31


def test_unconfirmed_wordings_are_the_seven_off_items() -> None:
    off = sorted(i.id for i in CL.items if not i.wording_confirmed)
    assert off == sorted(["四.3", "四.4", "四.5", "四.6", "五.2", "五.3", "六.4"])


def test_rule_citation_confidence_follows_the_item_wording() -> None:
    """A rule citing an 认定方法 item whose wording is OFF carries [M]; a confirmed one does not."""
    rules = load_rules()
    status = {i.id: i.wording_confirmed for i in CL.items}
    seen = 0
    for rule in rules.rules.values():
        for c in rule.citations:
            if c.doc != "identification_method":
                continue
            ids = re.findall(r"[一二三四五六]\.\d", c.article)
            assert ids, (rule.id, c.article)
            confirmed = {status[i] for i in ids}
            assert len(confirmed) == 1, f"{rule.id} mixes confirmed and unconfirmed items in one citation: {c.article}"
            assert c.confidence == ("V" if confirmed.pop() else "M"), (rule.id, c.article, c.confidence)
            seen += 1
    assert seen > 30


def test_items_without_automated_rules_cannot_be_met() -> None:
    # nothing tests 五.2 (server side) or 四.3 (needs an upgrade): their conditions are unavailable
    for iid in ("五.2", "四.3", "六.4"):
        it = CL.item(iid)
        assert it.coverage == "none" and set(it.requires) & UNAVAILABLE
    assert CL.item("三.1").coverage == "full" and "R09" in CL.item("三.1").rules
    assert [i.id for i in CL.items_for_rule("R41")] == ["六.3", "六.5", "EU.12"]


def test_schema_errors_name_the_place() -> None:
    bad = copy.deepcopy(RAW)
    bad["items"]["三.1"]["rules"] = ["R99"]
    with pytest.raises(CatalogError, match=r"items.三.1.rules\[0\]: unknown rule 'R99'"):
        parse_checklist(bad)
    bad = copy.deepcopy(RAW)
    bad["items"]["三.3"]["requires"] = ["wifi"]
    with pytest.raises(CatalogError, match=r"items.三.3.requires\[0\]: 'wifi' is not one of"):
        parse_checklist(bad)
    bad = copy.deepcopy(RAW)
    del bad["items"]["三.3"]["remaining"]
    with pytest.raises(CatalogError, match=r"items.三.3.remaining: a partly covered item says what is left"):
        parse_checklist(bad)
    bad = copy.deepcopy(RAW)
    bad["items"]["三.3"]["check"] = False  # YAML reads a bare OFF as false
    with pytest.raises(CatalogError, match=r"items.三.3.check: expected non-empty text"):
        parse_checklist(bad)
