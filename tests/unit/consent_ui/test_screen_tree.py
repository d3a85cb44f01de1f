"""The node tree of the one bounded screen parser: the node-count guard is exact, lone surrogates
become U+FFFD, and a producer other than the XML parser (a future web device kind) builds the same
tree through TreeBuilder under the same limits."""

from __future__ import annotations

import pytest

from harness.consent_ui import read_hierarchy, read_screen
from harness.consent_ui.parse import (
    MAX_ATTR_CHARS,
    MAX_DEPTH,
    MAX_NODES,
    TreeBuilder,
    page_texts,
    parse_hierarchy,
)
from harness.errors import ScreenParseError

SMALL = '<node class="a" bounds="[0,0][1,1]"/>'


def test_exactly_the_node_limit_is_read_one_more_is_refused() -> None:
    h = parse_hierarchy(f"<hierarchy>{SMALL * MAX_NODES}</hierarchy>")
    assert len(h.nodes) == MAX_NODES
    with pytest.raises(ScreenParseError, match=f"more than {MAX_NODES} nodes"):
        parse_hierarchy(f"<hierarchy>{SMALL * (MAX_NODES + 1)}</hierarchy>")
    # the Appium dialect has no <hierarchy> wrapper around a single root node
    assert len(parse_hierarchy(f"<node class='root'>{SMALL * (MAX_NODES - 1)}</node>").nodes) == MAX_NODES


def test_comments_full_of_angle_brackets_do_not_count_as_nodes() -> None:
    noise = "<!-- " + "&lt;" * 10 + "<" * (MAX_NODES + 10) + " -->"
    h = parse_hierarchy(f"<hierarchy>{noise}{SMALL}</hierarchy>")
    assert len(h.nodes) == 1


def test_lone_surrogates_become_replacement_characters() -> None:
    h = parse_hierarchy('<hierarchy><node text="a\ud800b\udfffc" class="x" bounds="[0,0][1,1]"/></hierarchy>')
    assert h.nodes[0].text == "a\ufffdb\ufffdc"
    assert any("U+FFFD" in n for n in h.notes)


def test_nodes_without_bounds_are_marked() -> None:
    h = parse_hierarchy('<hierarchy><node text="a" class="x"/><node text="b" bounds="[1,2][3,4]"/></hierarchy>')
    assert [n.has_bounds for n in h.nodes] == [False, True]
    assert h.nodes[1].bounds == (1, 2, 3, 4)


def _web_like(builder: TreeBuilder) -> None:
    """What a web device kind would do with a small accessibility tree."""
    builder.open({"width": "1080", "height": "2400"}, "hierarchy")
    builder.open({"class": "android.widget.FrameLayout", "package": "https://shop.example", "bounds": "[0,0][1080,2400]"})
    builder.open({"class": "android.widget.TextView", "text": "隐私政策提示", "bounds": "[100,400][980,500]"})
    builder.close()
    builder.open({"class": "android.widget.TextView", "text": "我们将收集您的设备信息和位置信息，用于提供服务。请阅读《隐私政策》。", "bounds": "[100,520][980,900]"})
    builder.close()
    builder.open({"class": "android.widget.Button", "text": "同意", "clickable": "true", "resource-id": "agree", "bounds": "[560,1000][980,1120]"})
    builder.close()
    builder.open({"class": "android.widget.Button", "text": "不同意", "clickable": "true", "resource-id": "disagree", "bounds": "[100,1000][520,1120]"})
    builder.close()
    builder.close()
    builder.close()


def test_a_tree_built_without_xml_reads_like_the_parsed_dump() -> None:
    b = TreeBuilder()
    _web_like(b)
    built = b.finish()
    xml = (
        '<hierarchy width="1080" height="2400"><node class="android.widget.FrameLayout" package="https://shop.example" bounds="[0,0][1080,2400]">'
        '<node class="android.widget.TextView" text="隐私政策提示" bounds="[100,400][980,500]"/>'
        '<node class="android.widget.TextView" text="我们将收集您的设备信息和位置信息，用于提供服务。请阅读《隐私政策》。" bounds="[100,520][980,900]"/>'
        '<node class="android.widget.Button" text="同意" clickable="true" resource-id="agree" bounds="[560,1000][980,1120]"/>'
        '<node class="android.widget.Button" text="不同意" clickable="true" resource-id="disagree" bounds="[100,1000][520,1120]"/>'
        "</node></hierarchy>"
    )
    parsed = parse_hierarchy(xml)
    assert built.nodes == parsed.nodes and (built.width, built.height) == (parsed.width, parsed.height)
    assert read_hierarchy(built) == read_screen(xml)
    assert page_texts(built) == page_texts(parsed)


def test_tree_builder_enforces_the_same_limits() -> None:
    b = TreeBuilder()
    b.open({}, "hierarchy")
    b.open({"text": "x" * (MAX_ATTR_CHARS * 3)})
    assert len(b.finish().nodes[0].text) == MAX_ATTR_CHARS
    deep = TreeBuilder()
    with pytest.raises(ScreenParseError, match="deeper"):
        for _ in range(MAX_DEPTH + 1):
            deep.open({"class": "a"})
    many = TreeBuilder()
    many.open({}, "hierarchy")
    with pytest.raises(ScreenParseError, match="nodes"):
        for _ in range(MAX_NODES + 1):
            many.open({"class": "a"})
            many.close()
    with pytest.raises(ScreenParseError, match="no elements"):
        TreeBuilder().finish()
