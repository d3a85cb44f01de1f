"""Shared test fixtures and options.

``--device SERIAL`` opts into tests that need a real Android device (skipped by default).
Real-world evaluation data is read from ../shared/data beside the repo, never copied in. A
plain clone has no such folder: tests that need it skip, naming the folder. CI sets
``CONSENT_HARNESS_REQUIRE_SHARED=1`` so that a missing folder fails there instead of hiding tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--device", action="store", default=None, help="serial of a real Android device for device tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--device"):
        return
    skip = pytest.mark.skip(reason="needs a real device: pytest --device SERIAL")
    for item in items:
        if "device" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        why = f"needs the shared evaluation data at {SHARED} (a folder beside the repository; a plain clone has none)"
        if os.environ.get("CONSENT_HARNESS_REQUIRE_SHARED"):
            pytest.fail(why + "; CONSENT_HARNESS_REQUIRE_SHARED is set")
        pytest.skip(why)
    return SHARED


@pytest.fixture(scope="session")
def device_serial(request: pytest.FixtureRequest) -> str | None:
    value = request.config.getoption("--device")
    return str(value) if value else None
