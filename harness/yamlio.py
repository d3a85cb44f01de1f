"""YAML loading that remembers line numbers, so input errors can name file, line and field.

``load(text, file)`` returns plain Python data in which every mapping is a :class:`MarkedDict`
(a dict that also knows the line of each key) and every list a :class:`MarkedList`. Only the
safe YAML subset is accepted (no tags that build objects). Documents over ``MAX_BYTES``, alias
bombs (aliases adding more than ``MAX_EXPANDED_NODES`` nodes), nesting deeper than
``MAX_DEPTH`` and integers longer than ``MAX_INT_DIGITS`` digits are refused with an InputError
naming file and line; a large document without aliases is not an alias bomb. Every string
passes the input sanitiser (``harness.sanitize``): a ``"\\ud83d"`` escape (a lone UTF-16
surrogate) becomes U+FFFD, so a reference-device model cannot smuggle unencodable text in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError
from harness.sanitize import clean_text

__all__ = ["MarkedDict", "MarkedList", "load", "load_file", "line_of", "MAX_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS"]

MAX_BYTES = 4 * 1024 * 1024
#: Nodes that aliases may add to a document once expanded (the document's own nodes are bounded
#: by MAX_BYTES).
MAX_EXPANDED_NODES = 200_000
#: Deepest nesting of mappings and sequences (real scenario and model files use under 10).
MAX_DEPTH = 64
#: Longest integer accepted, in digits (Python refuses to convert 4,300+ digits at all).
MAX_INT_DIGITS = 100


class MarkedDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class MarkedList(list[Any]):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


def line_of(obj: Any, key: str | int | None = None) -> int | None:
    if isinstance(obj, MarkedDict):
        return obj.line_of(str(key)) if key is not None else obj.line
    if isinstance(obj, MarkedList):
        if isinstance(key, int) and 0 <= key < len(obj.item_lines):
            return obj.item_lines[key]
        return obj.line
    return None


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    out = MarkedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "mapping keys must be plain scalars", key_node.start_mark)
        skey = str(key)
        if skey in out:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{skey}'", key_node.start_mark)
        out[skey] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
        out.key_lines[skey] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> MarkedList:
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)  # type: ignore[no-untyped-call]
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    digits = sum(ch.isalnum() for ch in str(node.value))
    if digits > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(None, None, f"integer of {digits} digits (at most {MAX_INT_DIGITS})", node.start_mark)
    value: int = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    return value


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    return clean_text(str(loader.construct_scalar(node)))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def _check_shape(text: str, file: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before anything recursive (PyYAML's composer and
    constructor recurse once per level) sees the document. Reads parser events: no recursion.
    libyaml refuses a few escapes the Python parser accepts (a ``"\\ud83d"`` surrogate escape,
    which the sanitiser turns into U+FFFD): then the Python parser decides."""
    try:
        _check_depth(text, file, _EVENTS)
    except yaml.YAMLError:
        if _EVENTS is yaml.SafeLoader:
            raise
        _check_depth(text, file, yaml.SafeLoader)


def _check_depth(text: str, file: str, loader: Any) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(f"{file}:{event.start_mark.line + 1}: YAML nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


_EVENTS = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _alias_growth(root: yaml.Node) -> int:
    """Nodes that aliases add once expanded: the expanded size minus the distinct nodes.
    Iterative and memoised (a node's expanded size is computed once)."""
    size: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if done:
            size[key] = 1 + sum(size.get(id(c), 1) for c in children)
            continue
        if key in size:
            continue
        size[key] = 1  # a recursive alias counts once; PyYAML refuses real recursion later
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)
    return size[id(root)] - len(size)


def load(text: str, file: str = "<string>") -> Any:
    """Parse YAML text; raise InputError naming file and line on any syntax problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise InputError(f"{file}: larger than {MAX_BYTES} bytes")
    try:
        _check_shape(text, file)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _alias_growth(node) > MAX_EXPANDED_NODES:
                raise InputError(f"{file}: too many YAML aliases: they expand the document by more than {MAX_EXPANDED_NODES} nodes")
            return loader.construct_document(node)  # type: ignore[no-untyped-call]
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}" if mark is not None else file
        raise InputError(f"{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{file}: invalid YAML: {exc}") from None


def load_file(path: str | Path) -> Any:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"{p}: larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    return load(text, str(p))
