"""Scenario loading: the standard suite loads; bad input names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError, ScenarioError
from harness.scenarios import load_scenario_file, resolve_scenarios, standard_suite
from harness.scenarios.registry import step_names


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sc.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_standard_suite_loads() -> None:
    suite = standard_suite()
    assert [s.id for s in suite] == ["S1", "S2", "S3", "S4", "S5"]
    s2 = next(s for s in suite if s.id == "S2")
    names = [st.name for st in s2.steps]
    assert names[:3] == ["launch", "wait_idle", "decide_privacy"]
    assert s2.steps[2].params == {"choice": "decline", "wait": 10.0, "standing": True, "cmp": "reject"}
    assert "assert_functional" in names and "relaunch" in names


def test_required_steps_are_registered() -> None:
    need = {"launch", "wait_idle", "observe", "decide_privacy", "decide_permissions", "exercise", "back", "home", "relaunch", "assert_functional"}
    assert need <= set(step_names())


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("id: X\nsteps:\n  - launch\n  - fly_to_moon\n", 4, "unknown step 'fly_to_moon'"),
        ("id: X\nsteps:\n  - observe: {seconds: soon}\n", 3, "expected float, got str"),
        ("id: X\nsteps:\n  - decide_privacy: {choice: maybe}\n", 3, "must be one of accept, decline, dismiss"),
        ("id: X\nsteps:\n  - launch: {clear: true, colour: red}\n", 3, "unknown parameter 'colour'"),
        ("id: X\nsteps:\n  - tap: {intent: camera}\n", 3, "missing required parameter 'target'"),
        ("id: X\nsteps:\n  - observe: -5\n", 3, "must be >= 0"),
        ("steps:\n  - launch\n", 1, "missing required field 'id'"),
        ("id: X\nsteps: []\n", 2, "non-empty list"),
        ("id: X\nsteps:\n  - {launch: {}, home: {}}\n", 3, "one key"),
        ("id: X\nwho: me\nsteps: [launch]\n", 2, "unknown field 'who'"),
        ("id: X\nsteps:\n  - launch: [1, 2\n", 4, "invalid YAML"),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario_file(p)
    msg = str(exc.value)
    assert fragment in msg
    assert f"{p}:{line}" in msg
    assert exc.value.exit_code == 2


def test_field_path_is_named(tmp_path: Path) -> None:
    p = write(tmp_path, "id: X\nsteps:\n  - launch\n  - observe: {seconds: x}\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario_file(p)
    assert exc.value.field == "steps[1].observe.seconds" and exc.value.line == 4


def test_shorthand_and_bare_steps(tmp_path: Path) -> None:
    s = load_scenario_file(write(tmp_path, "id: mine\nsteps:\n  - launch: {clear: true}\n  - observe: 12\n  - home\n"))
    assert [(st.name, st.params.get("seconds")) for st in s.steps] == [("launch", None), ("observe", 12.0), ("home", None)]


def test_resolve_scenarios(tmp_path: Path) -> None:
    assert [s.id for s in resolve_scenarios("all")] == ["S1", "S2", "S3", "S4", "S5"]
    assert [s.id for s in resolve_scenarios("S3,S1")] == ["S3", "S1"]
    with pytest.raises(InputError, match="unknown scenario 'S9'"):
        resolve_scenarios("S9")
    with pytest.raises(InputError, match="not found"):
        resolve_scenarios(str(tmp_path / "missing.yaml"))


def test_hostile_yaml_is_refused(tmp_path: Path) -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    with pytest.raises(InputError, match="aliases"):
        load_scenario_file(write(tmp_path, bomb))
    with pytest.raises(InputError, match="invalid YAML"):
        load_scenario_file(write(tmp_path, "id: !!python/object/apply:os.system ['touch /tmp/pwned']\nsteps: [launch]\n"))
    p = tmp_path / "gbk.yaml"
    p.write_bytes("id: X\nsteps: [launch]\n# 中文".encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_scenario_file(p)
