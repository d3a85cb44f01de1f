"""The web device's browser chrome in a real Chromium, over loopback only: permission prompts
answered on screen (never in advance), planted positions on allow, a hostile page that tries to
forge or answer the prompt, the simulated WeChat JS-SDK and the OAuth authorisation screen.

Most tests share one WebDriver (one Chromium); each starts from a fresh browser profile."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.consent_ui import read_hierarchy
from harness.consent_ui.parse import page_texts, parse_hierarchy

pytestmark = pytest.mark.chromium
pytest.importorskip("playwright")
if shutil.which("chromium") is None:
    pytest.skip("needs Debian's chromium", allow_module_level=True)

from webpages import serve  # noqa: E402

from harness.devices.web.driver import WebDriver  # noqa: E402


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    d = WebDriver(browser="wechat")
    yield d
    d.close()


@pytest.fixture()
def web(browser: WebDriver) -> WebDriver:
    browser.clear_data(browser.package)  # a fresh profile: no remembered answers
    return browser


def _open(d: WebDriver, url: str) -> None:
    d.launch(d.install(url))
    d.sleep(1.0)


def _read(d: WebDriver) -> Any:
    return read_hierarchy(parse_hierarchy(d.hierarchy()))


def _texts(d: WebDriver) -> tuple[str, ...]:
    return tuple(page_texts(parse_hierarchy(d.hierarchy())).texts)


def _text(d: WebDriver, sel: str = "#out") -> str:
    return str(d.page.evaluate(f"document.querySelector({json.dumps(sel)}).textContent"))


def _text_once_set(d: WebDriver, sel: str = "#out", *, within: float = 10.0) -> str:
    """The element's text once the page wrote an answer there (a loaded machine may take
    seconds to start the fake camera)."""
    deadline = time.monotonic() + within
    while (got := _text(d, sel)) == "waiting" and time.monotonic() < deadline:
        d.sleep(0.2)
    return got


def _tap(d: WebDriver, control: Any) -> None:
    x, y = control.center
    d.tap(x, y)
    d.sleep(0.5)


def test_prompt_on_screen_and_denied_like_a_user(web: WebDriver, base: str) -> None:
    asked: list[tuple[str, str, str, bool]] = []
    web.prompt_hooks.append(lambda what, p, shown: asked.append((what, p.kind, p.state, shown)))
    try:
        _open(web, f"{base}/geo.html")
        r = _read(web)
        assert r.kind == "permission_dialog" and r.permission_group == "LOCATION"
        assert any("127.0.0.1" in t for t in _texts(web))  # the prompt names the site's origin
        assert _text(web) == "waiting"  # the call is held: nothing was granted in advance
        deny = r.control("deny")
        assert deny is not None and deny.text == "拒绝"
        _tap(web, deny)
        assert _text(web) == "err 1 true"  # PERMISSION_DENIED
        assert web.permission_state(web.package) == {"LOCATION": "denied"}
        assert _read(web).kind != "permission_dialog"
        # a second call: the browser remembers "Block": no prompt, the page is told at once
        web.page.click("#again")
        web.sleep(0.5)
        assert _read(web).kind != "permission_dialog" and _text(web) == "err 1 true"
        assert [a[:2] for a in asked] == [("request", "geolocation"), ("answer", "geolocation"), ("request", "geolocation")]
        assert asked[0][3] is True and asked[2][3] is False  # shown, then settled without a prompt
        state = web.page.evaluate("navigator.permissions.query({name: 'geolocation'}).then(s => s.state)")
        assert state == "denied"
    finally:
        web.prompt_hooks.clear()


def test_allow_hands_over_the_planted_position(web: WebDriver, base: str) -> None:
    _open(web, f"{base}/geo.html")
    allow = _read(web).control("allow_always")
    assert allow is not None and allow.text == "允许"
    _tap(web, allow)
    pos = web.chrome.position
    assert _text(web) == f"pos {pos['lat']},{pos['lon']}"
    assert web.permission_state(web.package) == {"LOCATION": "granted"}


def test_back_dismisses_without_remembering(web: WebDriver, base: str) -> None:
    _open(web, f"{base}/geo.html")
    assert _read(web).kind == "permission_dialog"
    web.back()
    web.sleep(0.3)
    assert _text(web) == "err 1 true"
    web.page.click("#again")
    web.sleep(0.5)
    assert _read(web).kind == "permission_dialog"  # asked again: a dismissal is not a block


def test_camera_denied_then_allowed(web: WebDriver, base: str) -> None:
    _open(web, f"{base}/camera.html")
    r = _read(web)
    assert r.kind == "permission_dialog" and r.permission_group == "CAMERA"
    _tap(web, r.control("deny"))
    assert _text_once_set(web) == "error NotAllowedError"
    web.clear_data(web.package)
    _open(web, f"{base}/camera.html")
    _tap(web, _read(web).control("allow_always"))
    assert _text_once_set(web) == "stream 1"  # granted by the tap, only then: the fake camera answers


def test_hostile_page_cannot_forge_or_answer_the_prompt(web: WebDriver, base: str) -> None:
    _open(web, f"{base}/hostile.html")
    web.sleep(0.5)
    assert web.page.evaluate("window.__hostile") == "undefined,undefined,undefined"  # the answer channel is out of reach
    tree = parse_hierarchy(web.hierarchy())
    allow_nodes = [n for n in tree.nodes if n.local_id == "permission_allow_button"]
    assert [n.package for n in allow_nodes] == ["com.tencent.mm"]  # only the browser's own prompt
    assert not [n for n in tree.nodes if n.package == "com.android.permissioncontroller"]  # markup in text stayed text
    assert any(n.rid == "web:id/page_permission_allow_button" for n in tree.nodes)
    assert web.chrome.showing is not None and web.page.title() not in ("FAKE-ALLOW",) and not web.page.title().startswith("GOT")
    r = read_hierarchy(tree)
    assert r.kind == "permission_dialog"
    _tap(web, r.control("deny"))  # the harness answers the real prompt
    assert web.page.title() == "ERR 1"


def test_page_drawn_prompt_is_not_a_browser_prompt(web: WebDriver, base: str) -> None:
    _open(web, f"{base}/fake.html")
    assert web.chrome.showing is None
    assert _read(web).kind != "permission_dialog"


def test_wechat_js_sdk_location_goes_through_the_prompt(web: WebDriver, base: str) -> None:
    reports: list[dict[str, Any]] = []
    web.report_hooks.append(lambda m: reports.append(json.loads(m)))
    try:
        _open(web, f"{base}/wx.html")
        assert _text(web, "#ready") == "bridge"
        r = _read(web)
        assert r.kind == "permission_dialog" and r.permission_group == "LOCATION"
        assert {n.package for n in parse_hierarchy(web.hierarchy()).nodes if n.local_id == "permission_message"} == {"com.tencent.mm"}
        _tap(web, r.control("deny"))
        assert _text(web) == "fail getLocation:fail auth deny"
        ids = {(e["id"], e["caller"].rsplit("/", 1)[-1]) for e in reports}
        assert ("WeChat.wx.config", "wxuse.js") in ids and ("WeChat.wx.getLocation", "wxuse.js") in ids
        # allowed in a fresh profile: the GCJ-02 form of the planted position
        web.clear_data(web.package)
        _open(web, f"{base}/wx.html")
        _tap(web, _read(web).control("allow_always"))
        pos = web.chrome.position
        assert _text(web) == f"loc {pos['glat']},{pos['glon']}" and (pos["glat"], pos["glon"]) != (pos["lat"], pos["lon"])
    finally:
        web.report_hooks.clear()


@pytest.mark.parametrize("answer", ["deny", "allow_always"])
def test_oauth_userinfo_screen_answered(web: WebDriver, base: str, answer: str) -> None:
    asked: list[Any] = []
    web.prompt_hooks.append(lambda what, p, shown: asked.append((what, p)))
    try:
        _open(web, f"{base}/oauth-userinfo.html")
        r = _read(web)
        assert r.kind == "permission_dialog"
        assert any("公开信息" in t for t in _texts(web))
        req = next(p for what, p in asked if what == "request")
        assert req.extra["scope"] == "snsapi_userinfo" and req.extra["redirect_uri"].endswith("/oauth-userinfo.html?from=auth")
        _tap(web, r.control(answer))
        web.sleep(0.5)
        out = _text(web)
        assert out.startswith("back ?from=auth")
        assert ("code=" in out) is (answer != "deny") and "state=s1" in out
    finally:
        web.prompt_hooks.clear()


def test_oauth_base_is_silent_but_recorded(web: WebDriver, base: str) -> None:
    asked: list[Any] = []
    web.prompt_hooks.append(lambda what, p, shown: asked.append((what, p, shown)))
    try:
        _open(web, f"{base}/oauth-base.html")
        assert web.chrome.showing is None
        assert "code=" in _text(web)
        assert [(w, p.extra.get("scope"), s) for w, p, s in asked] == [("request", "snsapi_base", False)]
    finally:
        web.prompt_hooks.clear()


def test_clipboard_read_is_prompted_and_denied(web: WebDriver, base: str) -> None:
    _open(web, f"{base}/clipboard.html")
    r = _read(web)
    assert r.kind == "permission_dialog" and web.prompt_group() == "CLIPBOARD"  # Android has no such group: the browser names it
    _tap(web, r.control("deny"))
    assert _text_once_set(web) == "error NotAllowedError"


def _pixel(d: WebDriver, png: Path, x: int, y: int) -> list[int]:
    """The colour of one pixel of a saved picture, read back by the browser (its own context)."""
    import base64

    ctx = d._browser.new_context()
    try:
        page = ctx.new_page()
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        page.set_content(f'<img id="i" src="data:image/png;base64,{data}">')
        got = page.evaluate(
            """([x, y]) => { const i = document.getElementById('i'); const c = document.createElement('canvas');
            c.width = i.naturalWidth; c.height = i.naturalHeight; const g = c.getContext('2d'); g.drawImage(i, 0, 0);
            return [c.width, c.height, ...g.getImageData(x, y, 1, 1).data.slice(0, 3)]; }""",
            [x, y],
        )
        return list(got)
    finally:
        ctx.close()


def test_the_screenshot_shows_the_prompt_the_harness_read(web: WebDriver, base: str, tmp_path: Path) -> None:
    """Headless Chromium draws no permission prompt; the screenshot saved with a screen shows
    the drawn one where the hierarchy says it is (white box, the page dimmed around it), and the
    plain page once it is answered."""
    _open(web, f"{base}/geo.html")
    assert _read(web).kind == "permission_dialog"
    shot = tmp_path / "prompt.png"
    assert web.screenshot(str(shot))
    w, h, *box = _pixel(web, shot, 30, 570)  # inside the prompt's box, off its text
    assert (w, h) == (390, 844) and box == [255, 255, 255]
    *_, r, g, b = _pixel(web, shot, 195, 300)  # the page above it: dimmed
    assert max(r, g, b) < 200
    _tap(web, _read(web).control("deny"))
    plain = tmp_path / "plain.png"
    assert web.screenshot(str(plain))
    *_, r, g, b = _pixel(web, plain, 195, 300)
    assert min(r, g, b) > 240  # the page's white background, nothing over it


def test_a_control_below_the_first_screen_is_scrolled_to_and_tapped(web: WebDriver, base: str) -> None:
    """The screen reading places a long page's controls where they are (below the viewport);
    a tap on one scrolls the page first, as a user does, and lands on it."""
    _open(web, f"{base}/long.html")
    nodes = parse_hierarchy(web.hierarchy()).nodes
    (box,) = [n for n in nodes if n.cls == "android.widget.CheckBox"]
    (order,) = [n for n in nodes if n.text == "提交订单"]
    assert box.bounds[1] > 844 and order.bounds[1] > 844  # below the first screen
    web.tap((box.bounds[0] + box.bounds[2]) // 2, (box.bounds[1] + box.bounds[3]) // 2)
    # the page moved: what was read before is stale, as on a phone after a swipe; read again
    (order,) = [n for n in parse_hierarchy(web.hierarchy()).nodes if n.text == "提交订单"]
    assert 0 <= order.bounds[1] < 844
    web.tap((order.bounds[0] + order.bounds[2]) // 2, (order.bounds[1] + order.bounds[3]) // 2)
    assert _text_once_set(web) == "ordered true"
    assert web.page.evaluate("window.scrollY") > 0
