"""The one sanitiser for text that comes from the app under test.

Android and Java strings are UTF-16 and may hold a lone surrogate (half of a pair, e.g. an
emoji cut in the middle). Python keeps such a code point in a ``str``, but it cannot be
encoded as UTF-8: a lone surrogate reaching ``timeline.jsonl`` would make the write fail and
the evidence around it would be lost. So every boundary where app-controlled text enters the
harness passes it through :func:`clean_text` first:

- the agent-message decoder (``harness/instrumentation/protocol.py``), for every string field
  of every message from the Frida agent, the reference device or a replay;
- the YAML reader (``harness/yamlio.py``), for every scalar of a reference-device app model,
  scenario or catalogue;
- the binary-manifest reader (``harness/devices/apk.py``), for every string of an APK's pool;
- the screen reader in the runner, for the UI hierarchy dump and the foreground package.

A valid surrogate pair held as two code points is joined into the character it encodes; a
lone surrogate becomes U+FFFD (the replacement character), so the text stays readable and
says where something was lost. Output guards (terminal escapes, formulas, bidi controls) are
a different concern and live with the reports.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["clean_text", "clean_value", "has_lone_surrogate", "REPLACEMENT"]

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds a surrogate code point (it cannot be written as UTF-8)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def clean_text(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD.

    Returns the same object when there is nothing to clean (the common case costs one
    ``isascii`` or one regex search)."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_value(value: Any, *, _depth: int = 0) -> Any:
    """``value`` with :func:`clean_text` applied to every string inside dicts, lists and
    tuples (keys included). Containers are rebuilt only when something changed, keeping their
    type (so a line-numbered YAML mapping stays one). Nesting deeper than 200 is returned as is
    (the readers bound nesting long before that)."""
    if isinstance(value, str):
        return clean_text(value)
    if _depth > 200:
        return value
    if isinstance(value, dict):
        changed = False
        items: list[tuple[Any, Any]] = []
        for k, v in value.items():
            k2 = clean_value(k, _depth=_depth + 1)
            v2 = clean_value(v, _depth=_depth + 1)
            changed |= k2 is not k or v2 is not v
            items.append((k2, v2))
        if not changed:
            return value
        out = copy.copy(value)
        out.clear()
        out.update(items)
        return out
    if isinstance(value, list):
        new = [clean_value(v, _depth=_depth + 1) for v in value]
        if all(a is b for a, b in zip(new, value, strict=True)):
            return value
        out_list = copy.copy(value)
        out_list[:] = new
        return out_list
    if isinstance(value, tuple):
        new_t = tuple(clean_value(v, _depth=_depth + 1) for v in value)
        return value if all(a is b for a, b in zip(new_t, value, strict=True)) else new_t
    return value
