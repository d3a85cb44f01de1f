"""The compiled Frida agent shipped inside the package, so users need no Node toolchain.

``_agent.js`` is built from ``hooks/src`` by ``tools/frida/build_agent.py`` with the compiler in
the Python ``frida`` package; ``_agent.json`` beside it records the hash of the sources it was
built from (a test checks that it matches the sources in the repo) and of the bundle itself.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.errors import InstrumentationError

__all__ = ["agent_source", "agent_manifest", "bundle_hash", "hook_pack_hash"]


@lru_cache(maxsize=1)
def agent_source() -> str:
    """The compiled agent bundle (Frida's bundle format), read once."""
    try:
        return resources.files(__name__).joinpath("_agent.js").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise InstrumentationError(f"the compiled Frida agent is missing from the package: {exc}") from None


@lru_cache(maxsize=1)
def agent_manifest() -> dict[str, Any]:
    """What ``_agent.json`` says about the bundle: source hash, bundle hash, tool versions."""
    try:
        data = json.loads(resources.files(__name__).joinpath("_agent.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise InstrumentationError(f"the agent manifest _agent.json is missing or unreadable: {exc}") from None
    if not isinstance(data, dict):
        raise InstrumentationError("the agent manifest _agent.json must be an object")
    return data


def bundle_hash() -> str:
    """sha256 of the bundle as shipped."""
    return hashlib.sha256(agent_source().encode("utf-8")).hexdigest()


def hook_pack_hash() -> str:
    """One short id for "what was hooked": the agent bundle plus the API catalogue it is fed.

    Recorded in run.json so a result says exactly which hook pack observed it.
    """
    catalogue = resources.files("harness.catalog").joinpath("apis.yaml").read_bytes()
    h = hashlib.sha256()
    h.update(agent_source().encode("utf-8"))
    h.update(b"\0")
    h.update(catalogue)
    return h.hexdigest()[:16]
