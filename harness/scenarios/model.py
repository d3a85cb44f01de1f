"""Scenario model: an ordered list of steps with validated parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Step", "Scenario"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step: its registered name, validated parameters, and where it was written."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    line: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    name: str
    title: str
    description: str
    steps: tuple[Step, ...]
    source: str = ""
