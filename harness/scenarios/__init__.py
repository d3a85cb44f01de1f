"""Scenarios: YAML-defined walkthroughs built from registered steps."""

from harness.scenarios.loader import load_scenario, load_scenario_file, resolve_scenarios, standard_suite
from harness.scenarios.model import Scenario, Step

__all__ = ["Scenario", "Step", "load_scenario", "load_scenario_file", "resolve_scenarios", "standard_suite"]
