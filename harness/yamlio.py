"""YAML loading that remembers line numbers, so input errors can name file, line and field.

``load(text, file)`` returns plain Python data in which every mapping is a :class:`MarkedDict`
(a dict that also knows the line of each key) and every list a :class:`MarkedList`. Only the
safe YAML subset is accepted (no tags that build objects). Documents over ``MAX_BYTES`` and
alias bombs are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError

__all__ = ["MarkedDict", "MarkedList", "load", "load_file", "line_of", "MAX_BYTES"]

MAX_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000


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


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes the document has once every alias is expanded (memoised, so cheap to compute)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once; PyYAML refuses real recursion later
    size = 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo) + _expanded_size(v, memo)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            size += _expanded_size(v, memo)
    memo[key] = size
    return size


def load(text: str, file: str = "<string>") -> Any:
    """Parse YAML text; raise InputError naming file and line on any syntax problem."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise InputError(f"{file}: larger than {MAX_BYTES} bytes")
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
                raise InputError(f"{file}: too many YAML aliases: the document expands past {MAX_EXPANDED_NODES} nodes")
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
