"""Fixtures for the real-Frida tests: the JVM stub program and the native C program are compiled
in the test session (javac / gcc into temp folders, nothing binary is committed), then run under
the project's own agent through FridaInstrumentation, in spawn and attach modes.

Tests skip with a clear reason only when java/javac (Debian: openjdk-17-jdk-headless) or gcc
(Debian: gcc) are missing. JDK 20+ is refused by frida-java-bridge 7.0.13, so it skips too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from frida_support import Run, start_attached, start_spawned

HERE = Path(__file__).resolve().parent
JAVA_SRC = HERE / "java"
C_SRC = HERE / "native" / "idreader.c"
APP_PACKAGE = "com.example.app"


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    m = re.search(r'version "(\d+)', out.stderr + out.stdout)
    return int(m.group(1)) if m else 0


@pytest.fixture(scope="session")
def java_exe() -> str:
    java, javac = shutil.which("java"), shutil.which("javac")
    if java is None or javac is None:
        pytest.skip("needs java and javac on PATH (Debian package openjdk-17-jdk-headless)")
    major = _java_major(java)
    if major >= 20:
        pytest.skip(f"java {major} found: frida-java-bridge 7.0.13 needs JDK 17 (or 11); install openjdk-17-jdk-headless")
    return os.path.realpath(java)


@pytest.fixture(scope="session")
def java_classes(java_exe: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    javac = shutil.which("javac")
    assert javac is not None
    out = tmp_path_factory.mktemp("jvm-classes")
    sources = sorted(str(p) for p in JAVA_SRC.rglob("*.java"))
    subprocess.run([javac, "--release", "17", "-d", str(out), *sources], check=True, timeout=300, capture_output=True)
    return out


@pytest.fixture(scope="session")
def native_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("needs gcc on PATH (Debian package gcc)")
    out = tmp_path_factory.mktemp("native") / "idreader"
    subprocess.run([gcc, "-O2", "-Wall", "-rdynamic", "-o", str(out), str(C_SRC)], check=True, timeout=120, capture_output=True)
    return out


@pytest.fixture(scope="module")
def jvm_spawned(java_exe: str, java_classes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    path = tmp_path_factory.mktemp("timeline") / "timeline.jsonl"
    run = start_spawned((java_exe, "-cp", str(java_classes), "com.example.app.Main"), APP_PACKAGE, path)
    yield run
    run.close()


@pytest.fixture(scope="module")
def jvm_attached(java_exe: str, java_classes: Path) -> Iterator[Run]:
    run = start_attached((java_exe, "-cp", str(java_classes), "com.example.app.Main"), APP_PACKAGE)
    yield run
    run.close()
