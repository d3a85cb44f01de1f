"""The compiled agent shipped in the package matches the TypeScript sources in hooks/."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from harness.instrumentation.agent import agent_manifest, agent_source, bundle_hash, hook_pack_hash

REPO = Path(__file__).resolve().parents[2]


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_agent", REPO / "tools" / "frida" / "build_agent.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bundle_was_built_from_the_current_sources() -> None:
    manifest = agent_manifest()
    assert manifest["sources_sha256"] == _builder().sources_hash(), (
        "harness/instrumentation/agent/_agent.js is stale: run `python tools/frida/build_agent.py`"
    )
    assert manifest["bundle_sha256"] == bundle_hash()
    assert manifest["frida_java_bridge"] == "7.0.13"
    pkg = json.loads((REPO / "hooks" / "package.json").read_text(encoding="utf-8"))
    assert pkg["dependencies"]["frida-java-bridge"] == "7.0.13"  # pinned exactly, no range


def test_sources_hash_sees_every_change(tmp_path: Path) -> None:
    b = _builder()
    hooks = tmp_path / "hooks"
    (hooks / "src").mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        (hooks / name).write_text((REPO / "hooks" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (hooks / "src" / "index.ts").write_text("export const a = 1;\n", encoding="utf-8")
    first = b.sources_hash(hooks)
    (hooks / "src" / "index.ts").write_text("export const a = 2;\n", encoding="utf-8")
    assert b.sources_hash(hooks) != first


def test_bundle_is_a_frida_bundle_and_the_hook_pack_hash_is_stable() -> None:
    src = agent_source()
    assert src.startswith("\U0001f4e6\n") and "/src/index.js" in src.splitlines()[1]
    assert len(hook_pack_hash()) == 16 and hook_pack_hash() == hook_pack_hash()


@pytest.mark.frida
def test_rebuilding_reproduces_the_committed_bundle() -> None:
    if not (REPO / "hooks" / "node_modules" / "frida-java-bridge").is_dir():
        pytest.skip("hooks/node_modules is missing: run `npm ci` in hooks/ (tools/frida/setup.sh)")
    assert _builder().build() == agent_source()
