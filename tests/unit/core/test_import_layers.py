"""The recording side has no import cycles between the runner, the scenario steps and their
registry, the static check and the pipeline, or the batch task, zygote and worker: shared types
live below them (harness.app, harness.scenarios.context, harness.batch.spec, harness.findings).
Lazy imports inside functions count as imports here; ``if TYPE_CHECKING`` imports do not, and
neither does a registry loading its built-in plug-in modules by name (importlib), which is how
steps, device kinds and event sources register themselves."""

from __future__ import annotations

import ast
from pathlib import Path

HARNESS = Path(__file__).resolve().parents[3] / "harness"


def _graph() -> dict[str, set[str]]:
    mods: dict[str, Path] = {}
    for p in HARNESS.rglob("*.py"):
        parts = p.relative_to(HARNESS.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = p
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name] |= {t for t in targets if t in mods and t != name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        for n in graph.get(m, ()):
            if n == goal:
                return True
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return False


def test_no_cycles_among_the_recording_side_modules() -> None:
    graph = _graph()
    groups = [
        ("harness.runner", "harness.scenarios.steps", "harness.scenarios.registry", "harness.scenarios.context"),
        ("harness.static", "harness.pipeline", "harness.assemble", "harness.detectors.static", "harness.static_check"),
        ("harness.batch.task", "harness.batch.zygote", "harness.batch.worker", "harness.batch.spec"),
        ("harness.assemble", "harness.devices.kinds", "harness.instrumentation.sources", "harness.runner"),
    ]
    cycles = [(a, b) for group in groups for a in group for b in group if a < b and _reaches(graph, a, b) and _reaches(graph, b, a)]
    assert not cycles, cycles


def test_the_check_sees_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert _reaches(graph, "a", "c") and _reaches(graph, "c", "a")
