"""The ``network`` event source: a real mitmproxy (mitmdump) on the host, its flows as
NetworkFlow / TlsFailure events in the run's timeline, a HAR export at the end.

Record first: the addon's ``flows.jsonl`` and the request bodies stay in ``<run>/network/``
(bounded), so matching personal values in them is a pure step that ``analyze`` can re-run.

How traffic reaches the proxy (``network_route`` option):

- ``agent`` (default): the Frida agent redirects the app's TCP connects to the proxy (an HTTP
  CONNECT with a correlation token per connection, so every flow joins the Java stack that opened
  it), refuses UDP to port 443 so apps fall back from QUIC, and trusts the proxy's CA in-process
  (see ``hooks/src/net.ts`` and the ``frida`` source's ``redirect``, ``ca_trust``, ``unpin``,
  ``quic`` and ``redirect_direct`` options). This source publishes the proxy's address and CA to
  the other sources of the run (``SourceSession.shared["network"]``; this source starts first); on a
  device with adb, ``adb reverse`` makes the proxy's port reachable on the device's loopback. Needs
  the ``frida`` source (the agent gets the address when it is loaded); without it nothing reaches
  the proxy.
- ``global``: as ``agent``, plus Android's global HTTP proxy setting pointing at the proxy (apps
  that honour the system proxy but run without the agent); undone at stop, whatever happened.
- ``none``: only start the proxy (clients are pointed at it by other means: mitmproxy's WireGuard
  mode, a test client, a host-process app); the agent is not told.

``network_wireguard=PORT`` adds mitmproxy's WireGuard mode beside the HTTP proxy: a WireGuard
server on UDP ``PORT`` of the proxy's host (an emulator reaches the host's loopback at
``10.0.2.2``). A device whose WireGuard app uses the client configuration mitmdump prints at
start (``<run>/network/mitmdump.log``; the keys stay in ``<confdir>/wireguard.conf``, so it is
the same for every run) sends all of its traffic through the proxy, whatever the app's proxy
settings; the proxy's CA must still be trusted (system CA or the agent).

Certificate trust is the device's business (see README: network capture): the CA is
``<confdir>/mitmproxy-ca-cert.pem``, kept across runs in ``network_confdir`` so it is installed
once.

The untrusted-CA run (``network_ca=untrusted``): the proxy presents a CA made for this run only
(``<run>/network/untrusted-ca/``), which no device and no agent trusts. A client that checks
certificates refuses every handshake (TlsFailure: the correct behaviour); any request decrypted
in that run comes from a client that accepts any certificate (R37). The run starts with a
``NetworkCapture`` event saying which CA was presented (its SHA-256) and whose traffic reaches the
proxy (``network_scope``: ``app``, or ``device`` by default with the global proxy setting or WireGuard
mode; with WireGuard the run-made confdir also holds new WireGuard keys, so the client
configuration of that run changes).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import InfrastructureError, InputError
from harness.events import ErrorRecord, NetworkCapture, NetworkFlow
from harness.instrumentation.protocol import EmitGuard
from harness.instrumentation.sources import SourceBase, SourceSession, register_source
from harness.network.flows import FlowReader, write_har

if TYPE_CHECKING:
    from harness.devices.base import Driver

__all__ = ["MitmProxy", "NetworkSource", "default_confdir", "ca_fingerprint"]

ADDON = Path(__file__).with_name("mitm_addon.py")


#: bodies above this size are streamed by mitmdump rather than buffered (hostile 100 MB uploads)
STREAM_LARGE_BODIES = "8m"


def default_confdir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "consent-harness" / "mitmproxy"


def ca_fingerprint(pem_path: Path) -> str:
    """SHA-256 of the first certificate in a PEM file (its DER bytes), '' when unreadable."""
    import base64
    import hashlib

    try:
        text = pem_path.read_text(encoding="ascii", errors="replace")[:65536]
    except OSError:
        return ""
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    if begin not in text or end not in text:
        return ""
    body = text.split(begin, 1)[1].split(end, 1)[0]
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        return ""
    return hashlib.sha256(der).hexdigest()


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class MitmProxy:
    """One mitmdump process with the recording addon, listening on ``host:port`` (loopback by
    default). ``start`` returns when the port accepts connections or raises
    InfrastructureError with the proxy's own words; ``stop`` never raises."""

    def __init__(
        self,
        out_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        confdir: Path | None = None,
        extra: Mapping[str, str] | None = None,
        python: str = sys.executable,
        wireguard: int = 0,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.host = host
        self.port = port
        self.confdir = Path(confdir) if confdir is not None else default_confdir()
        self.extra = dict(extra or {})
        self.python = python
        #: UDP port of an added WireGuard server (0: none)
        self.wireguard = wireguard
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.out_dir / "mitmdump.log"

    @property
    def ca_cert(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"

    def argv(self) -> list[str]:
        args = [
            self.python,
            "-c",
            "from mitmproxy.tools.main import mitmdump; mitmdump()",
            "--listen-host",
            self.host,
            "--listen-port",
            str(self.port),
            "-s",
            str(ADDON),
            "--set",
            f"ch_out={self.out_dir}",
            "--set",
            f"confdir={self.confdir}",
            "--set",
            # info when WireGuard runs: mitmdump prints the client configuration at that level
            f"termlog_verbosity={'info' if self.wireguard else 'warn'}",
            "--set",
            "flow_detail=0",
            # a body larger than this is passed on as it arrives and never held in the proxy's
            # memory (the addon records its declared size; nothing of it is kept)
            "--set",
            f"stream_large_bodies={STREAM_LARGE_BODIES}",
        ]
        if self.wireguard:
            args += ["--mode", "regular", "--mode", f"wireguard@{self.wireguard}"]
        for k, v in sorted(self.extra.items()):
            args += ["--set", f"{k}={v}"]
        return args

    def start(self, timeout: float = 30.0) -> None:
        try:
            import mitmproxy  # noqa: F401
        except ImportError as exc:
            raise InfrastructureError("network capture needs mitmproxy: pip install 'consent-harness[network]' (mitmproxy 11.0.2)") from exc
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.confdir.mkdir(parents=True, exist_ok=True)
        if not self.port:
            self.port = _free_port(self.host)
        log = self.log_path.open("ab")
        try:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise InfrastructureError(f"mitmdump exited at start ({self.proc.returncode}): {self._log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    pass
                if self.proc.poll() is None:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise InfrastructureError(f"mitmdump did not listen on {self.host}:{self.port} within {timeout:.0f} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-600:].strip() or "(no output)"
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.terminate()  # mitmdump shuts down cleanly: the addon writes its stats line
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - stop never raises
            pass


class NetworkSource(SourceBase):
    """Runs a MitmProxy for the run and follows its flows into the timeline."""

    name = "network"
    hook_pack = ""
    #: started before the other sources of a run (SourceSet), so the agent of an app the frida
    #: source attaches to at its start already gets the proxy's address
    start_order = -10

    def __init__(self, driver: Driver | None, options: Mapping[str, str]) -> None:
        route = options.get("network_route", "")
        adb = getattr(driver, "adb", None) if driver is not None else None
        if route not in ("", "agent", "global", "none"):
            raise InputError(f"network_route must be 'agent', 'global' or 'none', got {route[:40]!r}")
        self.route = route or "agent"
        if self.route == "global" and adb is None:
            raise InputError("network_route=global needs a device reached through adb")
        self.adb = adb
        confdir = options.get("network_confdir", "")
        self.confdir = Path(confdir) if confdir else None
        port = options.get("network_port", "")
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise InputError(f"network_port must be 1-65535, got {port[:20]!r}")
        self.port = int(port) if port else 0
        wg = options.get("network_wireguard", "")
        if wg and not (wg.isdigit() and 0 < int(wg) < 65536):
            raise InputError(f"network_wireguard must be a UDP port 1-65535, got {wg[:20]!r}")
        self.wireguard = int(wg) if wg else 0
        self.ca_mode = options.get("network_ca", "") or "trusted"
        if self.ca_mode not in ("trusted", "untrusted"):
            raise InputError(f"network_ca must be 'trusted' or 'untrusted', got {self.ca_mode[:40]!r}")
        scope = options.get("network_scope", "")
        if scope not in ("", "app", "device"):
            raise InputError(f"network_scope must be 'app' or 'device', got {scope[:40]!r}")
        # the global proxy setting and WireGuard mode bring every app's traffic to the proxy
        self.scope = scope or ("device" if self.route == "global" or self.wireguard else "app")
        upstream = options.get("network_upstream_ca", "")
        self.extra = {"ssl_verify_upstream_trusted_ca": upstream} if upstream else {}
        self.proxy: MitmProxy | None = None
        self.reader: FlowReader | None = None
        self._session: SourceSession | None = None
        self._emit: EmitGuard | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._device_set = False
        self._reversed = False
        self.flows: list[NetworkFlow] = []

    def start(self, session: SourceSession) -> None:
        self._session = session
        # every event of this source goes through the guard: a failing emit is recorded, and
        # never kills the follower thread or makes stop raise
        self._emit = EmitGuard(session.emit, session.clock, "network")
        out = (session.run_dir / "network") if session.run_dir is not None else Path(os.environ.get("TMPDIR", "/tmp")) / f"ch-network-{os.getpid()}-{id(self)}"
        # the untrusted-CA run: a CA made for this run only (mitmproxy makes one in an empty
        # confdir), installed nowhere and never handed to the agent
        confdir = out / "untrusted-ca" if self.ca_mode == "untrusted" else self.confdir
        self.proxy = MitmProxy(out, port=self.port, confdir=confdir, extra=self.extra, wireguard=self.wireguard)
        self.proxy.start()
        self._emit([NetworkCapture(t=session.clock(), source="network", ca=self.ca_mode, ca_sha256=ca_fingerprint(self.proxy.ca_cert), scope=self.scope, proxy=f"{self.proxy.host}:{self.proxy.port}")])
        self.reader = FlowReader(out / "flows.jsonl", session.clock, time.time)
        if self.route in ("agent", "global"):
            if self.adb is not None:
                self._device_reverse()
            if self.route == "global":
                self._device_proxy_on()
            # "trust": may the agent trust this CA in-process (the untrusted-CA run publishes False
            # and no CA: the agent then neither trusts nor unpins, and the run asks what the app's
            # own certificate checks do)
            untrusted = self.ca_mode == "untrusted"
            session.shared["network"] = {"proxy": f"127.0.0.1:{self.proxy.port}", "ca": "" if untrusted else self._ca_text(), "trust": not untrusted}
        self._thread = threading.Thread(target=self._follow, name="network", daemon=True)
        self._thread.start()

    # -- the device's way to the proxy ------------------------------------------------------
    def _ca_text(self) -> str:
        """The proxy's CA certificate (PEM) for the agent's in-process trust; '' if unreadable."""
        assert self.proxy is not None
        try:
            text = self.proxy.ca_cert.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            self._emit_error(f"the proxy's CA certificate could not be read, in-process trust is off: {exc}")
            return ""
        return text if "BEGIN CERTIFICATE" in text and len(text) < 20000 else ""

    def _device_reverse(self) -> None:
        assert self.proxy is not None and self.adb is not None
        port = str(self.proxy.port)
        self.adb.adb(["reverse", f"tcp:{port}", f"tcp:{port}"], timeout=20)
        self._reversed = True

    def _device_proxy_on(self) -> None:
        assert self.proxy is not None and self.adb is not None
        port = str(self.proxy.port)
        self.adb.shell(["settings", "put", "global", "http_proxy", f"127.0.0.1:{port}"], timeout=20)
        self._device_set = True

    def _device_proxy_off(self) -> None:
        if self.adb is None or self.proxy is None:
            return
        undo: list[tuple[list[str], bool]] = []
        if self._device_set:
            undo.append((["settings", "put", "global", "http_proxy", ":0"], True))
        if self._reversed:
            undo.append((["reverse", "--remove", f"tcp:{self.proxy.port}"], False))
        self._device_set = self._reversed = False
        for argv, shell in undo:
            try:
                (self.adb.shell if shell else self.adb.adb)(argv, timeout=20, check=False)
            except Exception as exc:  # noqa: BLE001 - keep undoing
                self._emit_error(f"could not undo the device proxy setting ({' '.join(argv)}): {exc}")

    # -- events -----------------------------------------------------------------------------
    def _emit_error(self, message: str) -> None:
        if self._session is not None and self._emit is not None:
            self._emit([ErrorRecord(t=self._session.clock(), source="network", where="network", message=message[:500])])

    def _drain(self) -> None:
        if self.reader is None or self._emit is None:
            return
        events = self.reader.poll()
        if events:
            self.flows.extend(e for e in events if isinstance(e, NetworkFlow))
            self._emit(events)

    def _follow(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self._drain()
            except Exception as exc:  # noqa: BLE001 - the follower must not die silently
                self._emit_error(f"reading flows: {type(exc).__name__}: {exc}")

    def stop(self) -> None:
        try:
            self._device_proxy_off()
        finally:
            self._stop.set()
            if self._thread is not None:
                self._thread.join(timeout=5)
            if self.proxy is not None:
                self.proxy.stop()
            try:
                self._drain()
                if self.proxy is not None and self.flows:
                    write_har(self.flows, self.proxy.out_dir / "bodies", self.proxy.out_dir / "flows.har")
            except Exception as exc:  # noqa: BLE001 - stop never raises
                self._emit_error(f"finishing network capture: {type(exc).__name__}: {exc}")
            if self._emit is not None:
                self._emit.finish()


def _factory(driver: Driver, options: Mapping[str, str]) -> NetworkSource:
    return NetworkSource(driver, options)


register_source(
    "network",
    _factory,
    summary="a real mitmproxy on the host: every request as a NetworkFlow, refused TLS handshakes, bodies kept for matching, a HAR export",
    options=("network_route", "network_port", "network_confdir", "network_upstream_ca", "network_wireguard", "network_ca", "network_scope"),
)
