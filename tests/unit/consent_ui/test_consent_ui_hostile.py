"""Malformed, huge and hostile dumps: refused with a clear ScreenParseError or read safely;
never a hang, never a file read, never an entity expansion."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.consent_ui import MAX_BYTES, MAX_DEPTH, read_screen
from harness.consent_ui.parse import MAX_ATTR_CHARS, MAX_NODES, decode_dump, parse_hierarchy
from harness.errors import InputError, ScreenParseError

NODE = '<node index="0" text="{t}" resource-id="" class="android.widget.TextView" package="p" content-desc="" checkable="false" checked="false" clickable="false" enabled="true" bounds="[0,0][100,100]" />'


def doc(inner: str, decl: str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>") -> str:
    return f'{decl}<hierarchy rotation="0">{inner}</hierarchy>'


def test_billion_laughs_is_refused_without_expansion() -> None:
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE h [{lol}]><hierarchy><node text="&l9;" class="x" bounds="[0,0][1,1]"/></hierarchy>'
    with pytest.raises(ScreenParseError, match="DOCTYPE"):
        read_screen(xml)


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-123", encoding="utf-8")
    xml = f'<?xml version="1.0"?><!DOCTYPE h [<!ENTITY x SYSTEM "file://{secret}">]><hierarchy><node text="&x;" class="a" bounds="[0,0][1,1]"/></hierarchy>'
    with pytest.raises(ScreenParseError) as e:
        read_screen(xml.encode())
    assert "TOP-SECRET" not in str(e.value)


def test_external_dtd_and_parameter_entities_are_refused(tmp_path: Path) -> None:
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "LEAKED">', encoding="utf-8")
    for xml in (
        f'<?xml version="1.0"?><!DOCTYPE hierarchy SYSTEM "file://{dtd}"><hierarchy><node text="&leak;"/></hierarchy>',
        f'<?xml version="1.0"?><!DOCTYPE h [<!ENTITY % p SYSTEM "file://{dtd}"> %p;]><hierarchy/>',
    ):
        with pytest.raises(ScreenParseError):
            read_screen(xml)


def test_undefined_entity_is_a_clear_error() -> None:
    with pytest.raises(ScreenParseError, match="entity"):
        read_screen(doc('<node text="&nope;" class="a" bounds="[0,0][1,1]"/>'))


@pytest.mark.timeout(30)
def test_fifty_megabytes_are_refused_before_parsing() -> None:
    big = doc(NODE.format(t="x" * 1000) * 52_000).encode()
    assert len(big) > 50 * 1024 * 1024
    with pytest.raises(ScreenParseError, match="limit"):
        read_screen(big)
    with pytest.raises(ScreenParseError, match="limit"):
        read_screen(big.decode())
    assert MAX_BYTES == 20 * 1024 * 1024


@pytest.mark.timeout(60)
def test_a_dump_just_under_the_limit_is_read() -> None:
    # ~19 MB: many nodes with long texts; read (not refused), text search stays bounded
    node = NODE.format(t="同意 " + "数据" * 2000)
    n = (MAX_BYTES - 2000) // len(node.encode())
    xml = doc(node * n).encode()
    assert len(xml) <= MAX_BYTES
    r = read_screen(xml)
    assert r.kind == "other"
    assert any("text budget" in x for x in r.reasons)


def test_too_many_nodes_is_refused() -> None:
    small = '<node class="a" bounds="[0,0][1,1]"/>'
    with pytest.raises(ScreenParseError, match="nodes"):
        parse_hierarchy(doc(small * (MAX_NODES + 1)))


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    depth = 100_000
    xml = doc('<node class="a" bounds="[0,0][1,1]">' * depth + "</node>" * depth)
    with pytest.raises(ScreenParseError, match="deeper"):
        read_screen(xml)


def test_nesting_within_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 5
    inner = '<node class="android.widget.Button" text="同意" clickable="true" bounds="[0,0][200,100]"/>'
    xml = doc('<node class="android.widget.FrameLayout" bounds="[0,0][1080,2400]">' * depth + inner + "</node>" * depth)
    r = read_screen(xml)
    assert r.kind == "other"


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "hello, not xml", '{"kind": "json"}', "<hierarchy><node class='a'>", "<hierarchy></node>", "<html><body>hi</body></html>", "\x00\x01\x02"],
)
def test_not_xml_or_not_a_hierarchy_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ScreenParseError) as e:
        read_screen(bad)
    assert str(e.value)
    assert isinstance(e.value, InputError) and e.value.exit_code == 2


def test_wrong_input_type_is_refused() -> None:
    with pytest.raises(ScreenParseError, match="str or bytes"):
        read_screen(12345)  # type: ignore[arg-type]


def test_malformed_error_names_line_and_column() -> None:
    with pytest.raises(ScreenParseError, match=r"line 2, column \d+"):
        read_screen("<hierarchy>\n<node class='a' bounds='[0,0][1,1]' <</hierarchy>")


def test_gbk_bytes_declared_utf8_are_decoded() -> None:
    xml = doc(NODE.format(t="用户协议与隐私政策")).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        xml.decode("utf-8")
    h = parse_hierarchy(xml)
    assert h.nodes[0].text == "用户协议与隐私政策"
    assert any("gb18030" in n for n in h.notes)


def test_declared_gbk_that_is_gbk_needs_no_note() -> None:
    xml = doc(NODE.format(t="同意"), decl='<?xml version="1.0" encoding="GBK"?>').encode("gbk")
    h = parse_hierarchy(xml)
    assert h.nodes[0].text == "同意" and h.notes == []


def test_unknown_declared_encoding_and_bom_and_utf16() -> None:
    h = parse_hierarchy(doc(NODE.format(t="ok"), decl='<?xml version="1.0" encoding="x-made-up"?>').encode())
    assert h.nodes[0].text == "ok" and any("unknown encoding" in n for n in h.notes)
    h = parse_hierarchy(b"\xef\xbb\xbf" + doc(NODE.format(t="é")).encode())
    assert h.nodes[0].text == "é"
    h = parse_hierarchy(doc(NODE.format(t="同意"), decl='<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    assert h.nodes[0].text == "同意"


def test_undecodable_bytes_are_replaced_and_reported() -> None:
    text, notes = decode_dump(b"<hierarchy>\xff\xfe\xfa\x80\x80</hierarchy>")
    assert "\ufffd" in text or text.startswith("<hierarchy>")
    assert notes


def test_control_characters_and_bad_char_refs_are_neutralised() -> None:
    xml = doc('<node class="a" text="a\x01b&#0;c&#x1F;d&#10;e" bounds="[0,0][1,1]"/>')
    h = parse_hierarchy(xml)
    assert h.nodes[0].text == "a b c d\ne"


def test_huge_attribute_is_cut_not_kept() -> None:
    h = parse_hierarchy(doc(NODE.format(t="a" * 2_000_000)))
    assert len(h.nodes[0].text) == MAX_ATTR_CHARS


def test_bounds_garbage_does_not_crash() -> None:
    xml = doc('<node class="android.widget.Button" text="同意" clickable="true" bounds="[a,b][c,d]"/><node class="x" bounds="[-5,-5][99999999999,3]"/>')
    r = read_screen(xml)
    assert r.kind == "other"


def test_hostile_ui_text_is_only_data() -> None:
    # text that looks like markup, a shell command or a format string is just text
    payload = "$(rm -rf ~); {0.__class__}; <script>alert(1)</script>; %s%n"
    button = f'<node class="android.widget.Button" text="{payload.replace("<", "&lt;").replace(">", "&gt;")}" clickable="true" bounds="[0,0][300,100]"/>'
    xml = doc(f'<node class="android.widget.FrameLayout" bounds="[0,0][1080,2400]">{button}</node>')
    r = read_screen(xml)
    assert r.controls[0].text == payload
