"""Reading catalogue files: one bounded reader and one YAML parser for every catalogue.

Catalogues are trusted package data or a user's own copy; either way they are read with a size
limit and parsed with the safe loader (libyaml's C loader when present, it is several times
faster), and every problem is a :class:`harness.errors.CatalogError` naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.errors import CatalogError

__all__ = ["parse_yaml", "read_bounded"]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, where: str) -> Any:
    """Parse catalogue YAML text; CatalogError '<where>: not valid YAML: ...' on a syntax error."""
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CatalogError(f"{where}: not valid YAML: {exc}") from exc
    except RecursionError:
        raise CatalogError(f"{where}: YAML nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of 4,300+ digits
        raise CatalogError(f"{where}: not valid YAML: {' '.join(str(exc).split())[:200]}") from None


def read_bounded(path: Path, what: str, max_bytes: int) -> str:
    """The UTF-8 text of a user-supplied catalogue file of at most ``max_bytes``."""
    try:
        if path.stat().st_size > max_bytes:
            raise CatalogError(f"{path}: {what} larger than {max_bytes} bytes")
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read {what}: {exc}") from exc
