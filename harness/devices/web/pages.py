"""Reference H5 pages, written for consent-harness and served on loopback during a run.

Each page is ``pages/<name>.html`` with a ``<meta name="ch-profile">`` naming its app-type
profile. Third-party scripts and beacons of a page use host names under ``.test`` (reserved,
never real): the browser maps them to the local server, so a page's "trackers" are other
parties by name while every byte stays on this machine.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["PagesServer", "page_names", "page_profile", "server"]

HOST_RULES = "MAP *.test 127.0.0.1"


def _dir() -> Path:
    return Path(str(resources.files("harness.devices.web").joinpath("pages")))


def page_names() -> list[str]:
    return sorted(p.stem for p in _dir().glob("*.html"))


def page_profile(name: str) -> str:
    text = (_dir() / f"{name}.html").read_text(encoding="utf-8")
    m = re.search(r'<meta name="ch-profile" content="([a-z_]+)"', text)
    return m.group(1) if m else ""


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(_dir()), **kwargs)

    def do_POST(self) -> None:  # noqa: N802 - beacons and form posts: read and answer 204
        n = min(int(self.headers.get("content-length") or 0), 1 << 20)
        self.rfile.read(n)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class PagesServer:
    """The reference pages on 127.0.0.1, on a free port, in a daemon thread."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.port = int(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="ch-pages", daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://shop.example.test:{self.port}/{name}.html"


@lru_cache(maxsize=1)
def server() -> PagesServer:
    return PagesServer()
