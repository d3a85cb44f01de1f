"""The logcat and network sources hand events to the timeline through an EmitGuard, as the
frida and sim sources do: a failing emit (a full disk, a consumer bug) is recorded as an error
record naming what was lost, and never raises into the source's reader thread, its start or its
stop. The network source runs here with a stand-in proxy and flow reader (the live proxy is
tests/unit/network/test_network_live.py)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from harness.events import AppState, ErrorRecord, Event, NetworkFlow
from harness.instrumentation.base import Target
from harness.instrumentation.logcat import LogcatSource
from harness.instrumentation.sources import SourceSet

PKG = "com.example.shop"


class Sink:
    """A timeline whose writes fail for batches holding ``fail_on`` events (all batches when
    ``always``)."""

    def __init__(self, fail_on: type[Event], *, always: bool = False) -> None:
        self.fail_on = fail_on
        self.always = always
        self.events: list[Event] = []

    def __call__(self, events: Sequence[Event]) -> None:
        if self.always or any(isinstance(e, self.fail_on) for e in events):
            raise OSError(28, "No space left on device")
        self.events.extend(events)

    def errors(self) -> list[ErrorRecord]:
        return [e for e in self.events if isinstance(e, ErrorRecord) and e.where == "emit"]


class FakeCapture:
    def start(self, emit: Any, clock: Any) -> None:
        emit([AppState(t=0.0, source="logcat", state="started", package=PKG, pid=31337)])

    def stop(self) -> None:
        pass


class FakeAdb:
    def logcat(self, package: str, *, raw_path: Any = None, include_subprocesses: bool = False) -> FakeCapture:
        return FakeCapture()


def test_logcat_records_a_failed_emit_instead_of_failing_the_run(tmp_path: Path) -> None:
    sink = Sink(AppState)
    sources = SourceSet([LogcatSource(FakeAdb())], sink, PKG)
    sources.start(Target(package=PKG), lambda: 1.5, tmp_path, None)  # raised OSError before
    sources.stop()
    msgs = [e.message for e in sink.errors()]
    assert len(msgs) == 2 and msgs[0].startswith("1 event(s) could not be recorded: OSError") and "1 event(s) lost" in msgs[1]
    assert all(e.source == "logcat" for e in sink.errors())


def test_logcat_stop_never_raises_when_nothing_can_be_recorded(tmp_path: Path) -> None:
    sources = SourceSet([LogcatSource(FakeAdb())], Sink(Event, always=True), PKG)
    sources.start(Target(package=PKG), lambda: 0.0, tmp_path, None)
    src = sources.sources[0]
    src.stop()  # directly, not through SourceSet's own catch-all


class FakeProxy:
    def __init__(self, out_dir: Path, **_: Any) -> None:
        self.out_dir = out_dir
        self.host, self.port = "127.0.0.1", 8080
        self.ca_cert = out_dir / "ca.pem"

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)

    def stop(self) -> None:
        pass


class FakeReader:
    """Hands out one flow per poll."""

    def __init__(self, *_: Any) -> None:
        self.n = 0

    def poll(self) -> list[Event]:
        self.n += 1
        return [NetworkFlow(t=float(self.n), source="network", method="GET", scheme="https", host="a.example.net", port=443, path="/", tls=True, status=200)]


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Any:
    import harness.network.source as netsrc

    monkeypatch.setattr(netsrc, "MitmProxy", FakeProxy)
    monkeypatch.setattr(netsrc, "FlowReader", FakeReader)
    monkeypatch.setattr(netsrc, "write_har", lambda *a, **k: None)
    return netsrc.NetworkSource(None, {"network_route": "none"})


def _thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    seen: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_value))
    return seen


def test_network_records_a_failed_emit_and_keeps_following(tmp_path: Path, network: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    died = _thread_errors(monkeypatch)
    sink = Sink(NetworkFlow)
    sources = SourceSet([network], sink, PKG)
    sources.start(Target(package=PKG), lambda: 2.0, tmp_path, None)
    deadline = threading.Event()
    for _ in range(50):  # the follower polls every 0.1 s
        if len(sink.errors()) >= 2:
            break
        deadline.wait(0.1)
    network.stop()
    errors = sink.errors()
    assert len(errors) >= 3 and all(e.source == "network" for e in errors)
    assert errors[0].message == "1 event(s) could not be recorded: OSError: [Errno 28] No space left on device"
    assert "emit(s) failed during the run" in errors[-1].message
    assert not died and network._thread is not None and not network._thread.is_alive()


def test_network_follower_and_stop_survive_a_timeline_that_takes_nothing(tmp_path: Path, network: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    died = _thread_errors(monkeypatch)
    sources = SourceSet([network], Sink(Event, always=True), PKG)
    sources.start(Target(package=PKG), lambda: 0.0, tmp_path, None)  # its NetworkCapture is lost, not raised
    threading.Event().wait(0.35)
    network.stop()  # directly: never raises
    assert not died  # the follower thread did not die of an exception


class FakePage:
    """What the web source reads of the browser: its driver's hooks and a page's events."""

    def __init__(self) -> None:
        self.report_hooks: list[Any] = []
        self.prompt_hooks: list[Any] = []
        self.page_hooks: list[Any] = []
        self.urls = {PKG: "https://shop.example.com/"}


def test_web_source_records_a_failed_emit_and_never_raises_into_the_browser(tmp_path: Path) -> None:
    """A failing timeline write under the web source (its agent's ready record, then a page's
    report) is recorded as an error record; the browser callback that delivered the report does
    not see the failure."""
    from harness.devices.web.source import WebSource
    from harness.events import AgentStatus

    driver = FakePage()
    sink = Sink(AgentStatus)
    sources = SourceSet([WebSource(driver)], sink, PKG)
    sources.start(Target(package=PKG), lambda: 0.5, tmp_path, None)  # the ready record cannot be written
    assert driver.report_hooks, "the source listens to the page"
    sink.always = True
    report = '{"k": "api", "ts": 1, "id": "Web.geolocation.getCurrentPosition", "cat": "LOCATION", "m": "getCurrentPosition", "args": "", "ret": "", "caller": "https://shop.example.com/app.js", "sid": "", "tid": 1, "th": "main"}'
    driver.report_hooks[0](report)  # raised OSError into the browser's callback before
    sink.always = False
    sources.stop()
    msgs = [e.message for e in sink.errors()]
    assert msgs[0].startswith("1 event(s) could not be recorded: OSError")
    # the report's batch failed, and so did its own error record (the write was still failing)
    assert msgs[-1].startswith("2 emit(s) failed during the run,") and "1 failure(s) could not be recorded when they happened" in msgs[-1], msgs
    assert all(e.source == "web" for e in sink.errors())
