"""A hostile or malformed screen dump does not break a run: it is recorded as an error, read as
an unknown screen, and nothing in it is expanded, fetched or executed."""

from __future__ import annotations

from pathlib import Path

from harness.assemble import resolve_app
from harness.devices.sim import SimDriver, SimInstrumentation
from harness.events import ErrorRecord, RunMarker, UiSnapshot
from harness.pipeline import analyze_run
from harness.rundir import RunDir
from harness.runner import Runner
from harness.scenarios import resolve_scenarios
from harness.timeline import Timeline

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<hierarchy><node text="&lol2;&xxe;" class="android.widget.TextView" bounds="[0,0][10,10]"/></hierarchy>"""


class HostileDriver(SimDriver):
    """The reference device, except that after launch its screen dump is hostile."""

    def __init__(self) -> None:
        super().__init__()
        self.launched = False

    def launch(self, package: str) -> None:
        super().launch(package)
        self.launched = True

    def hierarchy(self) -> str:
        return BOMB if self.launched else super().hierarchy()


def test_hostile_dump_is_recorded_not_obeyed(tmp_path: Path) -> None:
    driver = HostileDriver()
    app = resolve_app(driver, "demo-precollect")
    (s2,) = resolve_scenarios("S2")
    res = Runner(driver, SimInstrumentation(driver), tmp_path).run(app, s2)
    events = list(Timeline.read(RunDir(res.run_dir).timeline))
    assert isinstance(events[-1], RunMarker) and events[-1].status == "completed"
    errors = [e for e in events if isinstance(e, ErrorRecord) and e.where == "consent_ui"]
    assert errors
    assert any(word in errors[0].message for word in ("DOCTYPE", "DTD", "entit"))
    snaps = [e for e in events if isinstance(e, UiSnapshot)]
    assert snaps and all(s.screen_kind == "other" for s in snaps)
    for s in snaps:
        saved = (res.run_dir / s.hierarchy_path).read_text(encoding="utf-8")
        assert "root:" not in saved  # /etc/passwd was never read into the record
    # no decision could be taken on an unreadable screen; the step says so and the run is judged
    assert analyze_run(res.run_dir) is not None
