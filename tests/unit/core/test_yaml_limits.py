"""YAML limits (issue 12, item 14 and the low item on aliases): a large document without aliases
loads; alias bombs, deep nesting and 100,000-digit integers are one InputError naming file and
line; the catalogue reader refuses them too."""

from __future__ import annotations

import pytest

from harness import yamlio
from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError, InputError


def test_large_document_without_aliases_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    # a budget of 1,000 alias-added nodes (200,000 in use) keeps the test quick: a document of
    # ~12,000 nodes and no alias at all is far past it in size and must still load
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 1000)
    text = "screens:\n" + "".join(f"  s{i}: {{title: T{i}, body: b, buttons: [ok, cancel]}}\n" for i in range(1500))
    data = yamlio.load(text, "big.yaml")
    assert len(data["screens"]) == 1500
    # the same budget still stops aliases that add more than it
    bomb = "a: &a [" + ", ".join(["x"] * 50) + "]\nb: [" + ", ".join(["*a"] * 30) + "]\n"
    with pytest.raises(InputError, match="too many YAML aliases"):
        yamlio.load(bomb, "bomb.yaml")


def test_alias_bomb_is_still_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    with pytest.raises(InputError, match="too many YAML aliases"):
        yamlio.load("\n".join(lines) + "\n", "bomb.yaml")


def test_a_few_aliases_are_fine() -> None:
    assert yamlio.load("base: &b {x: 1}\nother: *b\n", "ok.yaml")["other"] == {"x": 1}


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000, "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1"], ids=["flow", "block"])
def test_deep_nesting_is_one_clear_error(text: str) -> None:
    with pytest.raises(InputError, match=r"deep.yaml:\d+: YAML nested deeper than 64 levels"):
        yamlio.load(text + "\n", "deep.yaml")


def test_nesting_at_the_limit_loads() -> None:
    assert yamlio.load("a: " + "[" * 60 + "]" * 60 + "\n", "ok.yaml")["a"] is not None


@pytest.mark.parametrize("number", ["9" * 100_000, "-" + "9" * 5000, "0x" + "f" * 5000, "1_000_" + "0" * 5000], ids=["100k-digits", "negative", "hex", "underscores"])
def test_huge_integers_are_one_clear_error(number: str) -> None:
    with pytest.raises(InputError, match=r"n.yaml:2: invalid YAML: integer of \d+ digits"):
        yamlio.load(f"id: x\nn: {number}\n", "n.yaml")


def test_ordinary_integers_still_load() -> None:
    assert yamlio.load("a: 42\nb: -7\nc: 0x1f\nd: 1_000\n", "ok.yaml") == {"a": 42, "b": -7, "c": 31, "d": 1000}


def test_catalogue_reader_refuses_them_too() -> None:
    try:  # libyaml's loader copes with deep nesting; the pure-Python one recurses
        parse_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "apis.yaml")
    except CatalogError as exc:
        assert "nested too deeply" in str(exc)
    with pytest.raises(CatalogError, match="apis.yaml"):
        parse_yaml("a: " + "9" * 100_000 + "\n", "apis.yaml")
