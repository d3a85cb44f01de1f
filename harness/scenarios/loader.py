"""Scenario loader: YAML in, validated :class:`Scenario` out; errors name file, line, field.

Format::

    id: S2
    name: decline-policy
    title: Decline the privacy policy
    description: ...
    steps:
      - launch: {clear: true}     # a step with parameters
      - observe: 30               # a scalar sets the step's shorthand parameter
      - home                      # a step without parameters
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from harness import yamlio
from harness.errors import InputError, ScenarioError
from harness.scenarios.model import Scenario, Step
from harness.scenarios.registry import Param, get_step, step_names

__all__ = ["load_scenario", "load_scenario_file", "standard_suite", "resolve_scenarios", "scenarios_dir", "suite_in"]

_TOP = ("id", "name", "title", "description", "steps")


def _coerce(value: Any, p: Param, file: str, line: int | None, fld: str) -> Any:
    if p.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if p.type is list and isinstance(value, str):
        value = [value]
    ok = isinstance(value, p.type) and not (p.type in (int, float) and isinstance(value, bool))
    if not ok:
        raise ScenarioError(f"expected {p.type.__name__}, got {type(value).__name__} ({value!r})", file=file, line=line, field=fld)
    if p.choices and value not in p.choices:
        raise ScenarioError(f"must be one of {', '.join(map(str, p.choices))}, got {value!r}", file=file, line=line, field=fld)
    if p.minimum is not None and value < p.minimum:
        raise ScenarioError(f"must be >= {p.minimum}, got {value!r}", file=file, line=line, field=fld)
    if p.maximum is not None and value > p.maximum:
        raise ScenarioError(f"must be <= {p.maximum}, got {value!r}", file=file, line=line, field=fld)
    if p.type is list:
        value = [str(x) for x in value]
    return value


def _step(item: Any, idx: int, steps: Any, file: str) -> Step:
    line = yamlio.line_of(steps, idx)
    if isinstance(item, str):
        name, raw = item, None
    elif isinstance(item, dict) and len(item) == 1:
        name, raw = next(iter(item.items()))
    else:
        raise ScenarioError("a step is a name or a mapping with one key (the step name)", file=file, line=line, field=f"steps[{idx}]")
    fld = f"steps[{idx}].{name}"
    try:
        spec = get_step(str(name))
    except KeyError:
        raise ScenarioError(f"unknown step '{name}' (known: {', '.join(step_names())})", file=file, line=line, field=fld) from None
    params: dict[str, Any] = {}
    if raw is None:
        raw = {}
    elif not isinstance(raw, dict):
        if not spec.shorthand:
            raise ScenarioError(f"step '{name}' takes a mapping of parameters, not {type(raw).__name__}", file=file, line=line, field=fld)
        raw = {spec.shorthand: raw}
    for key, value in raw.items():
        if key not in spec.params:
            allowed = ", ".join(spec.params) or "none"
            raise ScenarioError(f"unknown parameter '{key}' (allowed: {allowed})", file=file, line=yamlio.line_of(raw, key) or line, field=f"{fld}.{key}")
        params[key] = _coerce(value, spec.params[key], file, yamlio.line_of(raw, key) or line, f"{fld}.{key}")
    for key, p in spec.params.items():
        if key not in params:
            if p.required:
                raise ScenarioError(f"missing required parameter '{key}'", file=file, line=line, field=f"{fld}.{key}")
            params[key] = p.default
    return Step(str(name), params, line or 0)


def load_scenario(data: Any, file: str = "<scenario>") -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError("a scenario file is a mapping with id, name and steps", file=file, line=1)
    for key in data:
        if key not in _TOP:
            raise ScenarioError(f"unknown field '{key}' (allowed: {', '.join(_TOP)})", file=file, line=yamlio.line_of(data, key), field=str(key))
    for key in ("id", "steps"):
        if key not in data:
            raise ScenarioError(f"missing required field '{key}'", file=file, line=yamlio.line_of(data), field=key)
    sid = data["id"]
    if not isinstance(sid, str) or not sid or len(sid) > 40 or not all(c.isalnum() or c in "-_" for c in sid):
        raise ScenarioError("must be a short id of letters, digits, '-' or '_'", file=file, line=yamlio.line_of(data, "id"), field="id")
    for key in ("name", "title", "description"):
        if key in data and not isinstance(data[key], str):
            raise ScenarioError(f"expected a string, got {type(data[key]).__name__}", file=file, line=yamlio.line_of(data, key), field=key)
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise ScenarioError("must be a non-empty list of steps", file=file, line=yamlio.line_of(data, "steps"), field="steps")
    return Scenario(
        id=sid,
        name=str(data.get("name", sid)),
        title=str(data.get("title", data.get("name", sid))),
        description=str(data.get("description", "")),
        steps=tuple(_step(item, i, steps, file) for i, item in enumerate(steps)),
        source=file,
    )


def load_scenario_file(path: str | Path) -> Scenario:
    return load_scenario(yamlio.load_file(path), str(path))


def scenarios_dir() -> Path:
    """The standard suite: scenarios/ at the repo root when run from a checkout, else the copy
    packaged in harness/scenarios/standard/."""
    return Path(str(resources.files("harness.scenarios").joinpath("standard")))


def standard_suite() -> list[Scenario]:
    return [load_scenario_file(p) for p in sorted(scenarios_dir().glob("S*.yaml"))]


def suite_in(folder: Path) -> list[Scenario]:
    """Every scenario YAML of a folder (a device kind's own suite), in name order."""
    return [load_scenario_file(p) for p in sorted(folder.glob("*.yaml"))]


def resolve_scenarios(spec: str, suite: Path | None = None) -> list[Scenario]:
    """'all' -> the suite (the standard suite, or the device kind's own ``suite`` folder, e.g.
    W1..W3 on the web device); 'S2' / 'W1' -> that scenario of either; a path -> that file; a
    comma-separated list of any of these."""
    out: list[Scenario] = []
    own = suite_in(suite) if suite is not None else []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        if part == "all":
            out.extend(own or standard_suite())
            continue
        mine = [s for s in own if s.id == part or s.name == part]
        if mine:
            out.extend(mine)
            continue
        path = Path(part)
        if path.suffix in (".yaml", ".yml"):
            if not path.is_file():
                raise InputError(f"scenario file not found: {part}")
            out.append(load_scenario_file(path))
            continue
        found = [s for s in standard_suite() if s.id == part or s.name == part]
        if not found:
            ids = ", ".join(s.id for s in [*own, *standard_suite()])
            raise InputError(f"unknown scenario '{part}' (known: {ids}, or 'all', or a YAML path)")
        out.extend(found)
    if not out:
        raise InputError("no scenario given")
    return out
