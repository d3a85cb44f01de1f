"""Reference H5 pages, written for consent-harness and served on loopback during a run.

Each page is ``pages/<name>.html`` next to its page model ``pages/<name>.yaml``:

- ``label``, ``profile`` (the app-type profile of ``harness/catalog/profiles.yaml``) and
  ``features`` (the user paths the scenarios tap: the same shape as an app config's features);
- ``seed``: the seed scenario the page stands for (``restaurant``, ``parking``, ``power_bank``);
- ``truth`` / ``clean``: the ground truth of its planted behaviours, in the shape the calibration
  corpus uses (``{rule, scenario, category?, sdk?, verdict?, why}``), or ``clean: true`` with an
  empty list for a clean control. Only the accuracy benchmark reads the truth.

Third-party scripts and beacons of a page use host names under ``.test`` (reserved, never real):
the browser maps them to the local server, so a page's "trackers" are other parties by name
while every byte stays on this machine. A run on a reference page is a run on a simulated target
(a page written to be tested), and its reports say so; see :func:`target_of`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from harness import yamlio
from harness.app import AppFeature, features_from
from harness.errors import InputError

__all__ = ["HOST_RULES", "PAGE_KEYS", "SEEDS", "PageModel", "PagesServer", "page_model", "page_names", "page_profile", "server", "SERVED_SUFFIXES"]

HOST_RULES = "MAP *.test 127.0.0.1"

#: Keys a page model may hold.
PAGE_KEYS = ("label", "profile", "seed", "description", "features", "truth", "clean")
#: The seed scenarios reference pages stand for.
SEEDS = ("restaurant", "parking", "power_bank")
#: What the loopback server hands out (the page models stay on this side).
SERVED_SUFFIXES = (".html", ".js", ".css", ".png", ".svg")


@dataclass(frozen=True, slots=True)
class PageModel:
    """One reference page: what the harness is told about it (label, profile, features) and what
    only the benchmark reads (truth, clean)."""

    name: str
    label: str
    profile: str
    seed: str
    description: str = ""
    features: tuple[AppFeature, ...] = ()
    truth: tuple[dict[str, Any], ...] = ()
    clean: bool = False
    source: str = ""


def _dir() -> Path:
    return Path(str(resources.files("harness.devices.web").joinpath("pages")))


def page_names() -> list[str]:
    """The reference pages shipped with the harness (an HTML file with its page model)."""
    d = _dir()
    return sorted(p.stem for p in d.glob("*.html") if (d / f"{p.stem}.yaml").is_file())


@lru_cache(maxsize=64)
def page_model(name: str) -> PageModel:
    """The page model of a reference page; InputError naming the file and field when malformed."""
    if name not in page_names():
        raise InputError(f"no reference page named {name[:80]!r} (known: {', '.join(page_names())})")
    path = _dir() / f"{name}.yaml"
    where = f"harness/devices/web/pages/{name}.yaml"
    data = yamlio.load_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{where}: a page model is a mapping ({', '.join(PAGE_KEYS)})")
    unknown = sorted(set(data) - set(PAGE_KEYS))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(map(str, unknown))} (allowed: {', '.join(PAGE_KEYS)})")
    for key in ("label", "profile", "seed"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(f"{where}: '{key}' must be a non-empty string")
    if data["seed"] not in SEEDS:
        raise InputError(f"{where}: 'seed' must be one of {', '.join(SEEDS)}, got {data['seed']!r}")
    truth = data.get("truth", [])
    if not isinstance(truth, list) or not all(isinstance(t, dict) for t in truth):
        raise InputError(f"{where}: 'truth' must be a list of mappings")
    clean = data.get("clean", False)
    if not isinstance(clean, bool):
        raise InputError(f"{where}: 'clean' must be true or false")
    return PageModel(
        name=name,
        label=str(data["label"]),
        profile=str(data["profile"]),
        seed=str(data["seed"]),
        description=str(data.get("description", "") or ""),
        features=features_from(data.get("features"), where),
        truth=tuple(dict(t) for t in truth),
        clean=clean,
        source=where,
    )


def page_profile(name: str) -> str:
    """The app-type profile of a reference page."""
    return page_model(name).profile


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(_dir()), **kwargs)

    def _servable(self) -> bool:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.endswith(SERVED_SUFFIXES):
            return True
        self.send_error(404)
        return False

    def do_GET(self) -> None:  # noqa: N802 - only the pages and their scripts are served
        if self._servable():
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802
        if self._servable():
            super().do_HEAD()

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
        """Each page on a host of its own (``<name>.example.test``), so each is its own target
        (its own package-like name in the reports) while all share the first-party domain."""
        return f"http://{name}.example.test:{self.port}/{name}.html"


_SERVER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _server() -> PagesServer:
    return PagesServer()


def server() -> PagesServer:
    """The one loopback server of this process (scenarios that run at once share it)."""
    with _SERVER_LOCK:
        return _server()
