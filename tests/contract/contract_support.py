"""Shared pieces of the Driver contract suite (imported by conftest.py and the tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.devices.appium import AppiumConfig
from harness.devices.base import Driver

__all__ = ["APPIUM_HOME", "FAKEAPP", "FAKE_PACKAGE", "SKIP_APPIUM", "Case", "fake_config"]

REPO = Path(__file__).resolve().parents[2]
APPIUM_HOME = REPO / "tools" / "appium"
FAKEAPP = Path(__file__).resolve().parent / "fixtures" / "fakeapp"
FAKE_PACKAGE = "org.example.tinyshop"
SKIP_APPIUM = os.environ.get("CONSENT_HARNESS_SKIP_APPIUM") == "1"


@dataclass
class Case:
    """A driver under contract test and what the suite may do with it."""

    name: str
    driver: Driver
    package: str
    can_clear: bool = True  # False on a real device's system app (never wipe it)
    extra: dict[str, Any] = field(default_factory=dict)


def fake_config(first_screen: str = "privacy.xml", **kw: Any) -> AppiumConfig:
    """Capabilities for the fake driver: same backend code, platform/automation 'Fake'."""
    return AppiumConfig(platform_name="Fake", automation_name="Fake", app=str(FAKEAPP / first_screen), **kw)
