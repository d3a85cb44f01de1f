"""The ONE bounded screen parser: a UI hierarchy dump becomes a node tree (:class:`Hierarchy`).

Every screen the harness reads goes through :func:`parse_hierarchy` exactly once per read (the
runner calls it; the consent-UI recogniser, :func:`page_texts` and the scenario steps, ``explore``
included, read the resulting tree and never parse XML themselves). Every hostile-input limit
lives in this module; a dump refused here is refused once and read by nothing else.

Two dialects are read the same way, by the ``class`` attribute (falling back to the tag name):

- ``uiautomator dump`` (and uiautomator2's ``dump_hierarchy``): ``<hierarchy rotation="0">`` with
  nested ``<node index text resource-id class package content-desc ... bounds="[x1,y1][x2,y2]">``;
- Appium UiAutomator2 page source: ``<hierarchy ... width height>`` whose elements are named after
  the class (``<android.widget.Button ... class="android.widget.Button">``).

A dump comes from the app under test, so it is treated as hostile:

- at most :data:`MAX_BYTES` (20 MiB) of input; larger dumps are refused before any parsing (a
  real dump of a busy screen is 5-300 kB; 20 MiB leaves room for WebView-heavy pages);
- no DTD at all: a ``<!DOCTYPE`` is refused as soon as the parser meets it, so internal entities
  ("billion laughs") are never expanded and external entities never read a file or a URL;
- at most :data:`MAX_NODES` elements and :data:`MAX_DEPTH` levels of nesting;
- attribute values longer than :data:`MAX_ATTR_CHARS` are cut (the reading keeps a prefix);
- bytes are decoded by their declaration when that works, otherwise as UTF-8, then GB18030 (a
  common mislabel: GBK bytes declared UTF-8); a UTF-8/16 byte-order mark wins over the
  declaration.  What was done is reported in :attr:`Hierarchy.notes`;
- control characters that XML forbids (raw or as ``&#N;`` references) are replaced by spaces,
  as some devices write them into text attributes;
- lone surrogates in a text dump (a driver that decoded UTF-16 halves) become U+FFFD.

The node tree
-------------
:class:`Hierarchy` holds :class:`RawNode` values in document order (parents before children);
each node knows its parent index, its children and its depth, so the tree can be walked without
recursion. A node is device-neutral: a class name, the visible text, a description, an id, the
owning package, the boolean states a user sees (checkable, checked, clickable, enabled, password,
displayed), a hint and on-screen bounds in pixels.

Every producer of a tree goes through :class:`TreeBuilder`, which enforces the node-count, depth
and attribute-length limits; the XML parser here is one producer. A future ``web`` device kind
(an H5 page in Chromium, read from its DOM or accessibility tree) is meant to be another: it opens
one node per accessibility node with ``TreeBuilder.open`` and uiautomator-style attribute names
(``class`` = the ARIA role mapped to the nearest widget class, e.g. ``button`` ->
``android.widget.Button``, ``checkbox`` -> ``android.widget.CheckBox``, links -> a clickable
``TextView``; ``text`` = the accessible name; ``content-desc`` = the description; ``resource-id``
= the DOM id; ``package`` = the page origin; ``checked``/``clickable``/``enabled`` from the
accessibility states; ``bounds`` = the layout box in device pixels), closes it with
``TreeBuilder.close`` and takes the tree from ``TreeBuilder.finish``. The recogniser, page texts
and ``explore`` then work on web pages unchanged.

Everything that cannot be read raises :class:`harness.errors.ScreenParseError` naming the cause.
The walk over nodes is iterative: deep nesting cannot exhaust the Python stack.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from harness.errors import ScreenParseError

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "MAX_DEPTH",
    "MAX_ATTR_CHARS",
    "MAX_PAGE_TEXTS",
    "MAX_PAGE_TEXT_CHARS",
    "MAX_PAGE_TEXTS_TOTAL",
    "RawNode",
    "Hierarchy",
    "PageTexts",
    "TreeBuilder",
    "parse_hierarchy",
    "decode_dump",
    "page_texts",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 512
MAX_ATTR_CHARS = 4096
#: Bounds of :func:`page_texts` (what a UiSnapshot keeps of a page's visible text).
MAX_PAGE_TEXTS = 200
MAX_PAGE_TEXT_CHARS = 400
MAX_PAGE_TEXTS_TOTAL = 30_000

_RE_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*['\"]([A-Za-z0-9._:-]{1,40})['\"]")
_RE_DECL_STR = re.compile(r"^\s*<\?xml[^>]*\?>")
_RE_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# only references that may name a character XML forbids: low control codes, or long numbers
# (surrogates, U+FFFE/U+FFFF, beyond U+10FFFF); ordinary ones such as &#10; are left to expat
_RE_CHAR_REF = re.compile(
    r"&#(?:[xX]0*([0-8bBcCeEfF]|1[0-9a-fA-F]|[0-9a-fA-F]{4,8})|0*([0-8]|1[1-24-9]|2[0-9]|3[01]|[0-9]{5,10}));"
)
_RE_BOUNDS = re.compile(r"\[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]\s*\[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]")


@dataclass(slots=True)
class RawNode:
    """One element of the dump, as read (no interpretation yet)."""

    idx: int
    parent: int
    depth: int
    cls: str
    text: str
    desc: str
    rid: str
    package: str
    checkable: bool
    checked: bool
    clickable: bool
    enabled: bool
    password: bool
    displayed: bool
    bounds: tuple[int, int, int, int]
    hint: str = ""
    selected: bool = False  # the view's selected state (apps draw custom ticks with it)
    local_id: str = ""  # the resource id without its package ('pkg:id/name' -> 'name'), lower case
    has_bounds: bool = True  # False when the dump gave no readable bounds (then bounds are zeros)
    children: list[int] = field(default_factory=list)

    @property
    def short_cls(self) -> str:
        """The class name without its package ('android.widget.Button' -> 'Button')."""
        return self.cls.rsplit(".", 1)[-1]

    @property
    def area(self) -> int:
        x1, y1, x2, y2 = self.bounds
        return max(0, x2 - x1) * max(0, y2 - y1)


@dataclass(slots=True)
class Hierarchy:
    """A parsed dump: nodes in document order (parents before children) and screen facts."""

    nodes: list[RawNode]
    width: int
    height: int
    rotation: int
    notes: list[str]


def _valid_char(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _fix_char_ref(m: re.Match[str]) -> str:
    hx, dec = m.group(1), m.group(2)
    try:
        code = int(hx, 16) if hx is not None else int(dec)
    except ValueError:
        return " "
    return m.group(0) if _valid_char(code) else " "


def decode_dump(data: bytes) -> tuple[str, list[str]]:
    """Bytes -> text, following the rules in the module docstring.  Returns (text, notes)."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), ["utf-8 byte-order mark"]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), ["utf-16 byte-order mark"]
    m = _RE_DECL.match(data[:400])
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    try:
        codecs.lookup(declared)
    except LookupError:
        notes.append(f"unknown encoding {declared!r} declared")
        declared = "utf-8"
    tried: list[str] = []
    for enc in dict.fromkeys((declared, "utf-8", "gb18030")):
        tried.append(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc != declared:
            notes.append(f"declared {declared} but the bytes are {enc}; decoded as {enc}")
        return text, notes
    notes.append(f"bytes are not valid in {', '.join(tried)}; undecodable bytes replaced")
    return data.decode("utf-8", errors="replace"), notes


def _cut(s: str | None) -> str:
    if not s:
        return ""
    return s if len(s) <= MAX_ATTR_CHARS else s[:MAX_ATTR_CHARS]


def _int(s: str | None) -> int:
    try:
        return int(s) if s else 0
    except ValueError:
        return 0


class TreeBuilder:
    """Builds a :class:`Hierarchy` node by node and enforces the limits (node count, depth,
    attribute lengths). The XML parser feeds it; any other producer of screens (see the module
    docstring) must too. ``open``/``close`` nest like elements; ``finish`` gives the tree."""

    def __init__(self) -> None:
        self.nodes: list[RawNode] = []
        self.stack: list[int] = []  # node index per open element (-1 for the hierarchy root)
        self.width = 0
        self.height = 0
        self.rotation = 0
        self.seen_root = False

    def open(self, attrs: Mapping[str, str], tag: str = "node") -> None:
        """Open one node (uiautomator attribute names, see the module docstring); a root
        ``hierarchy`` tag carries the screen's width, height and rotation instead."""
        depth = len(self.stack)
        if depth >= MAX_DEPTH:
            raise ScreenParseError(f"UI dump nests deeper than {MAX_DEPTH} levels; refused")
        if not self.seen_root:
            self.seen_root = True
            if tag == "hierarchy":
                self.width = _int(attrs.get("width"))
                self.height = _int(attrs.get("height"))
                self.rotation = _int(attrs.get("rotation"))
                self.stack.append(-1)
                return
            if tag != "node" and "class" not in attrs and "bounds" not in attrs:
                raise ScreenParseError(f"not a UI hierarchy dump: root element is <{tag[:40]}>, expected <hierarchy>")
        if len(self.nodes) >= MAX_NODES:
            raise ScreenParseError(f"UI dump has more than {MAX_NODES} nodes; refused")
        g = attrs.get
        cls = g("class") or ("" if tag == "node" else tag)
        b = _RE_BOUNDS.match(g("bounds", ""))
        bounds = (int(b.group(1)), int(b.group(2)), int(b.group(3)), int(b.group(4))) if b else (0, 0, 0, 0)
        parent = self.stack[-1] if self.stack else -1
        idx = len(self.nodes)
        rid = g("resource-id") or ""
        if len(rid) > 300:
            rid = rid[:300]
        cut = rid.rfind("/")
        node = RawNode(
            idx=idx,
            parent=parent,
            depth=depth,
            cls=cls[:200],
            text=_cut(g("text")),
            desc=_cut(g("content-desc")),
            rid=rid,
            package=(g("package") or "")[:200],
            checkable=g("checkable") == "true",
            checked=g("checked") == "true",
            clickable=g("clickable") == "true",
            enabled=g("enabled") != "false",
            password=g("password") == "true",
            displayed=g("displayed") != "false",
            bounds=bounds,
            hint=_cut(g("hint")),
            selected=g("selected") == "true",
            local_id=(rid[cut + 1 :] if cut >= 0 else rid).lower(),
            has_bounds=b is not None,
        )
        self.nodes.append(node)
        if parent >= 0:
            self.nodes[parent].children.append(idx)
        self.stack.append(idx)

    def close(self, tag: str = "node") -> None:
        """Close the node opened last."""
        if self.stack:
            self.stack.pop()

    def finish(self, notes: list[str] | None = None) -> Hierarchy:
        """The tree built so far (screen size from the root, else from the nodes' bounds)."""
        if not self.seen_root:
            raise ScreenParseError("UI dump has no elements")
        width, height = self.width, self.height
        if (width <= 0 or height <= 0) and self.nodes:
            width = max(n.bounds[2] for n in self.nodes)
            height = max(n.bounds[3] for n in self.nodes)
        return Hierarchy(nodes=self.nodes, width=max(width, 0), height=max(height, 0), rotation=self.rotation, notes=list(notes or []))

    # expat callbacks
    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        self.open(attrs, tag)

    def _end(self, tag: str) -> None:
        self.close(tag)


def _refuse_dtd(*_: Any) -> None:
    raise ScreenParseError("UI dump contains a DOCTYPE (DTD); refused: a hierarchy dump never needs one and it can declare entities")


def _refuse_entity(*_: Any) -> None:
    raise ScreenParseError("UI dump declares or references an entity; refused")


def _refuse_external(*_: Any) -> int:
    raise ScreenParseError("UI dump references an external entity; refused")


def parse_hierarchy(xml: str | bytes) -> Hierarchy:
    """Parse a dump (text or bytes) into a :class:`Hierarchy`; ScreenParseError on bad input."""
    notes: list[str] = []
    if isinstance(xml, (bytes, bytearray, memoryview)):
        data = bytes(xml)
        if len(data) > MAX_BYTES:
            raise ScreenParseError(f"UI dump is {len(data)} bytes, over the {MAX_BYTES}-byte limit; refused")
        text, notes = decode_dump(data)
    elif isinstance(xml, str):
        if len(xml) > MAX_BYTES:
            raise ScreenParseError(f"UI dump is {len(xml)} characters, over the {MAX_BYTES}-character limit; refused")
        text = xml
    else:
        raise ScreenParseError(f"UI dump must be str or bytes, not {type(xml).__name__}")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ScreenParseError("UI dump is empty")
    text = _RE_DECL_STR.sub("", text, count=1)
    if "<!" not in text and "<?" not in text:
        # without comments, CDATA, DTD or processing instructions every '<' that does not
        # close an element opens one: an over-long dump is refused before any node is built
        opened = text.count("<") - text.count("</")
        if opened > MAX_NODES + 1:  # + the <hierarchy> root
            raise ScreenParseError(f"UI dump has more than {MAX_NODES} nodes; refused")
    if _RE_BAD_CHARS.search(text):
        text = _RE_BAD_CHARS.sub(" ", text)
        notes.append("control characters replaced")
    if "&#" in text:
        text = _RE_CHAR_REF.sub(_fix_char_ref, text)
    try:
        payload = text.encode("utf-8")
    except UnicodeEncodeError:
        payload = _RE_SURROGATE.sub("\ufffd", text).encode("utf-8", errors="replace")
        notes.append("unpaired surrogates replaced by U+FFFD")

    b = TreeBuilder()
    p = expat.ParserCreate(encoding="utf-8")
    p.buffer_text = True
    p.StartElementHandler = b._start
    p.EndElementHandler = b._end
    p.StartDoctypeDeclHandler = _refuse_dtd
    p.EntityDeclHandler = _refuse_entity
    p.UnparsedEntityDeclHandler = _refuse_entity
    p.ExternalEntityRefHandler = _refuse_external
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        p.Parse(payload, True)
    except expat.ExpatError as e:
        code = expat.ErrorString(e.code) if isinstance(e.code, int) else str(e)
        if "undefined entity" in str(code):
            raise ScreenParseError(f"UI dump references an undefined entity at line {e.lineno}, column {e.offset}; refused") from None
        raise ScreenParseError(f"UI dump is not well-formed XML: {code} at line {e.lineno}, column {e.offset}") from None
    except RecursionError:  # pragma: no cover - expat does not recurse, kept as a guard
        raise ScreenParseError("UI dump nests too deeply; refused") from None
    return b.finish(notes)


@dataclass(frozen=True, slots=True)
class PageTexts:
    """The visible texts of a screen, bounded; ``omitted`` counts the texts left out by the
    bounds (never a silent cut)."""

    texts: tuple[str, ...] = ()
    omitted: int = 0


def page_texts(tree: Hierarchy | None) -> PageTexts:
    """The visible texts of a screen: text and content-desc of every node in document order,
    whitespace folded, de-duplicated; at most :data:`MAX_PAGE_TEXTS` texts, each cut to
    :data:`MAX_PAGE_TEXT_CHARS` characters, :data:`MAX_PAGE_TEXTS_TOTAL` in all. Texts beyond
    the bounds are counted in ``omitted``. An unreadable screen (``None``) has no text."""
    if tree is None:
        return PageTexts()
    out: list[str] = []
    seen: set[str] = set()
    total = 0
    omitted = 0
    for n in tree.nodes:
        for raw in (n.text, n.desc):
            if not raw:
                continue
            t = " ".join(raw.split())[:MAX_PAGE_TEXT_CHARS]
            if not t or t in seen:
                continue
            seen.add(t)
            if omitted or total + len(t) > MAX_PAGE_TEXTS_TOTAL or len(out) >= MAX_PAGE_TEXTS:
                omitted += 1
                continue
            out.append(t)
            total += len(t)
    return PageTexts(tuple(out), omitted)
