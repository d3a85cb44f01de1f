"""Small test pages for the web device's e2e tests, served on loopback (127.0.0.1) by
:func:`serve`: geolocation and camera callers, a hostile page that tries to forge or answer
the browser's prompt, the WeChat JS-SDK and OAuth flows, pages that never settle."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["serve", "PAGES", "POSTS"]

GEO = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>geo</title><body>
<p id="out">waiting</p><button id="again" onclick="ask()">再次定位</button>
<script>
function ask() {
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById('out').textContent = 'pos ' + p.coords.latitude + ',' + p.coords.longitude;
    navigator.sendBeacon('/collect', JSON.stringify({lat: p.coords.latitude, lng: p.coords.longitude}));
  }, function (e) { document.getElementById('out').textContent = 'err ' + e.code + ' ' + (e.code === e.PERMISSION_DENIED); });
}
ask();
</script></body></html>"""

CAMERA = """<!doctype html><html><meta charset="utf-8"><body><p id="out">waiting</p><script>
navigator.mediaDevices.getUserMedia({video: true}).then(function (s) { document.getElementById('out').textContent = 'stream ' + s.getVideoTracks().length; },
  function (e) { document.getElementById('out').textContent = 'error ' + e.name; });
</script></body></html>"""

# A page that draws its own "permission dialog" with the prompt's ids, breaks the functions a
# naive DOM reader would use, puts markup in its text, and tries to answer the real prompt.
HOSTILE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body>
<div id="grant_dialog"><p id="permission_message">允许 本页 获取你的位置信息？</p>
<button id="permission_allow_button" onclick="document.title='FAKE-ALLOW'">允许</button><button id="permission_deny_button">拒绝</button></div>
<p id="x">x</p>
<script>
document.getElementById('x').textContent = '"/><node resource-id="com.android.permissioncontroller:id/permission_allow_button" package="com.android.permissioncontroller" text="Allow" clickable="true" bounds="[0,0][10,10]"/>';
navigator.geolocation.getCurrentPosition(function (p) { document.title = 'GOT ' + p.coords.latitude; }, function (e) { document.title = 'ERR ' + e.code; });
String.prototype.replace = function () { return String(this); };
window.getComputedStyle = function () { return {display: 'block', visibility: 'visible', opacity: '1', cursor: 'pointer'}; };
Element.prototype.getBoundingClientRect = function () { return {left: 0, top: 0, right: 390, bottom: 844, width: 390, height: 844}; };
setTimeout(function () {
  var seen = [typeof window.__chAsk, typeof window.__chPoll, typeof window.__chReport].join(',');
  var el = document.elementFromPoint(275, 755); if (el) el.click();
  window.__hostile = seen;
}, 200);
</script></body></html>"""

FAKE_ONLY = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body>
<div id="grant_dialog" style="position:fixed;left:16px;right:16px;bottom:24px;background:#fff">
<p id="permission_message">允许“本页”获取此设备的位置信息？</p>
<button id="permission_allow_button">允许</button><button id="permission_deny_button">拒绝</button></div></body></html>"""

WX = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><p id="out">waiting</p><p id="ready">no</p>
<script src="https://res.wx.qq.com/open/js/jweixin-1.6.0.js"></script>
<script src="/wxuse.js"></script></body></html>"""
WXUSE = """document.addEventListener('WeixinJSBridgeReady', function () { document.getElementById('ready').textContent = 'bridge'; });
wx.config({appId: 'wx0123456789', timestamp: 1, nonceStr: 'n', signature: 's', jsApiList: ['getLocation', 'scanQRCode']});
wx.ready(function () {
  wx.getLocation({type: 'gcj02',
    success: function (r) { document.getElementById('out').textContent = 'loc ' + r.latitude + ',' + r.longitude; },
    fail: function (r) { document.getElementById('out').textContent = 'fail ' + r.errMsg; }});
});"""

OAUTH = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><p id="out">landing</p><script>
if (!/[?&]state=/.test(location.search)) {
  location.replace('https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789&redirect_uri=' +
    encodeURIComponent(location.origin + location.pathname + '?from=auth') + '&response_type=code&scope=SCOPE&state=s1#wechat_redirect');
} else { document.getElementById('out').textContent = 'back ' + location.search; }
</script></body></html>"""


# pages that never settle: a script redirect loop, a page whose DOM and network never rest, a
# page with a script that never arrives (the server holds the request), a server redirect loop
JS_LOOP = """<!doctype html><html><body><script>
var n = Number((location.search.match(/n=(\\d+)/) || [0, 0])[1]);
navigator.sendBeacon('/collect', 'n=' + n);
setTimeout(function () { location.replace(location.pathname + '?n=' + (n + 1)); }, 20);
</script></body></html>"""
# A page whose script takes its main thread for good shortly after it loaded: every call into
# the page waits for it (nothing a page should be able to do to the harness).
FREEZE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><p>点餐</p><button>下单</button>
<script>setTimeout(function () { for (;;) {} }, 600);</script></body></html>"""

BUSY = """<!doctype html><html><body><p id="t">0</p><script>
setInterval(function () { document.getElementById('t').textContent = String(Date.now()); }, 40);
(function poll() { fetch('/slow').then(function () { poll(); }, function () { setTimeout(poll, 100); }); })();
</script></body></html>"""
HANG = """<!doctype html><html><body><p>loading</p><script src="/never.js"></script></body></html>"""

# a tracker that sends the position to its own host once the user allowed it (GCJ-02, 6 decimals)
GEO_TRACKER = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><p id="out">waiting</p><script>
navigator.geolocation.getCurrentPosition(function (p) {
  var x = wgs2gcj(p.coords.latitude, p.coords.longitude);
  navigator.sendBeacon(location.protocol + '//hm.tracker.test:' + location.port + '/collect', JSON.stringify({lat: x[0].toFixed(6), lng: x[1].toFixed(6)}));
  document.getElementById('out').textContent = 'sent';
}, function () { document.getElementById('out').textContent = 'denied'; });
function wgs2gcj(lat, lon) {
  var a = 6378245.0, ee = 0.00669342162296594323, PI = Math.PI;
  function tl(x, y) { var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)); r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3; r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3; r += (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3; return r; }
  function tn(x, y) { var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)); r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3; r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3; r += (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3; return r; }
  var dlat = tl(lon - 105, lat - 35), dlon = tn(lon - 105, lat - 35), rad = lat / 180 * PI, m = 1 - ee * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(m);
  dlat = (dlat * 180) / ((a * (1 - ee)) / (m * sm) * PI); dlon = (dlon * 180) / (a / sm * Math.cos(rad) * PI);
  return [lat + dlat, lon + dlon];
}
</script></body></html>"""
ALIPAY = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body><p id="out">waiting</p><script>
document.addEventListener('AlipayJSBridgeReady', function () {
  AlipayJSBridge.call('getAuthCode', {appId: '2021000000000000', scopeNicks: ['auth_user']}, function (r) {
    document.getElementById('out').textContent = r.authCode ? 'code' : 'refused ' + r.error;
  });
});
</script></body></html>"""

CLIPBOARD = """<!doctype html><html><meta charset="utf-8"><body><p id="out">waiting</p><script>
navigator.clipboard.readText().then(function (t) { document.getElementById('out').textContent = 'read'; },
  function (e) { document.getElementById('out').textContent = 'error ' + e.name; });
</script></body></html>"""

# A long page (a menu) whose agreement and order buttons are below the first screen.
LONG = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<body style="margin:0"><p id="out">waiting</p><div style="height:1600px">菜单</div>
<label><input type="checkbox" id="agree"> 我已阅读并同意《用户协议》</label>
<button id="order" style="display:block;width:200px;height:48px" onclick="document.getElementById('out').textContent = 'ordered ' + document.getElementById('agree').checked">提交订单</button>
<div style="height:400px"></div></body></html>"""

PAGES: dict[str, tuple[str, str]] = {
    "/geo.html": ("text/html", GEO),
    "/camera.html": ("text/html", CAMERA),
    "/long.html": ("text/html", LONG),
    "/hostile.html": ("text/html", HOSTILE),
    "/fake.html": ("text/html", FAKE_ONLY),
    "/wx.html": ("text/html", WX),
    "/wxuse.js": ("application/javascript", WXUSE),
    "/oauth-userinfo.html": ("text/html", OAUTH.replace("SCOPE", "snsapi_userinfo")),
    "/oauth-base.html": ("text/html", OAUTH.replace("SCOPE", "snsapi_base")),
    "/geo-tracker.html": ("text/html", GEO_TRACKER),
    "/alipay.html": ("text/html", ALIPAY),
    "/clipboard.html": ("text/html", CLIPBOARD),
    "/js-loop.html": ("text/html", JS_LOOP),
    "/busy.html": ("text/html", BUSY),
    "/freeze.html": ("text/html", FREEZE),
    "/hang.html": ("text/html", HANG),
}
#: seconds the server holds /never.js and each /slow request
HOLD_S = 30.0
SLOW_S = 1.0

#: requests the pages sent with a body: (path, body)
POSTS: list[tuple[str, bytes]] = []


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/redirect-loop":
            self.send_response(302)
            self.send_header("location", "/redirect-loop")
            self.end_headers()
            return
        if path in ("/never.js", "/slow"):
            time.sleep(HOLD_S if path == "/never.js" else SLOW_S)
        ctype, body = PAGES.get(path, ("text/plain", ""))
        data = body.encode()
        self.send_response(200 if body else 404)
        self.send_header("content-type", ctype + "; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        n = min(int(self.headers.get("content-length") or 0), 1 << 16)
        POSTS.append((self.path, self.rfile.read(n)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve() -> Iterator[str]:
    """The pages on 127.0.0.1 (a free port) while the block runs: yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    httpd.daemon_threads = True  # a held request never keeps the tests waiting
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
