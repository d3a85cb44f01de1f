"""Build the Frida agent (hooks/src, TypeScript) into harness/instrumentation/agent/_agent.js.

Uses the compiler inside the Python ``frida`` package (no Node toolchain beyond ``npm ci`` in
hooks/ once, to fetch the pinned frida-java-bridge). TypeScript is type-checked; a type error
fails the build. Writes ``_agent.json`` beside the bundle with the hash of the sources.

    python tools/frida/build_agent.py           # build
    python tools/frida/build_agent.py --check   # exit 1 if the committed bundle is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

__all__ = ["sources_hash", "build", "main"]

REPO = Path(__file__).resolve().parents[2]
HOOKS = REPO / "hooks"
OUT_DIR = REPO / "harness" / "instrumentation" / "agent"


def source_files(hooks: Path = HOOKS) -> list[Path]:
    """The files whose content defines the bundle."""
    files = sorted((hooks / "src").rglob("*.ts"))
    files += [hooks / "package.json", hooks / "package-lock.json"]
    return files


def sources_hash(hooks: Path = HOOKS) -> str:
    """sha256 over (relative path, content) of every source file, in a stable order."""
    h = hashlib.sha256()
    for f in source_files(hooks):
        h.update(f.relative_to(hooks).as_posix().encode("utf-8") + b"\0")
        h.update(f.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return h.hexdigest()


def build(hooks: Path = HOOKS) -> str:
    """Compile the agent and return the bundle text."""
    import frida

    if not (hooks / "node_modules" / "frida-java-bridge").is_dir():
        raise SystemExit(f"frida-java-bridge is not installed: run `npm ci` in {hooks}")
    diagnostics: list[str] = []
    compiler = frida.Compiler()  # type: ignore[no-untyped-call]
    compiler.on("diagnostics", lambda d: diagnostics.append(str(d)))
    try:
        bundle = compiler.build("src/index.ts", project_root=str(hooks), source_maps="omitted", compression="none")
    except frida.InvalidArgumentError as exc:  # compilation failed
        raise SystemExit(f"agent build failed: {exc}\n" + "\n".join(diagnostics)) from None
    if diagnostics:
        raise SystemExit("agent build produced diagnostics:\n" + "\n".join(diagnostics))
    return str(bundle)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that the committed bundle matches the sources")
    args = ap.parse_args(argv)
    manifest_path = OUT_DIR / "_agent.json"
    current = sources_hash()
    if args.check:
        recorded = json.loads(manifest_path.read_text(encoding="utf-8")).get("sources_sha256") if manifest_path.exists() else None
        if recorded != current:
            print(f"stale agent bundle: sources {current[:12]}, bundle built from {str(recorded)[:12]}", file=sys.stderr)
            return 1
        print("agent bundle is up to date")
        return 0
    import frida

    bundle = build()
    (OUT_DIR / "_agent.js").write_text(bundle, encoding="utf-8", newline="\n")
    lock = json.loads((HOOKS / "package-lock.json").read_text(encoding="utf-8"))
    bridge = lock.get("packages", {}).get("node_modules/frida-java-bridge", {}).get("version", "")
    manifest = {
        "sources_sha256": current,
        "bundle_sha256": hashlib.sha256(bundle.encode("utf-8")).hexdigest(),
        "frida": frida.__version__,
        "frida_java_bridge": bridge,
        "bytes": len(bundle.encode("utf-8")),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"built {OUT_DIR / '_agent.js'}: {manifest['bytes']} bytes, sources {current[:12]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
