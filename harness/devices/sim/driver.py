"""SimDriver and SimInstrumentation: the reference device behind the Driver and
Instrumentation protocols. Always labelled simulated."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.devices.adb import validate_package
from harness.devices.base import DeviceInfo
from harness.devices.sim.engine import SimDevice
from harness.devices.sim.model import load_bundled
from harness.devices.sim.render import LAUNCHER_PACKAGE
from harness.errors import InputError
from harness.events import CipherCall, Event, HoneyPlant, NetworkCapture, NetworkFlow, TlsFailure
from harness.instrumentation.base import Emit, Target
from harness.instrumentation.protocol import AgentDecoder, EmitGuard
from harness.network.cipher import MAX_CT_HEAD, MAX_PLAINTEXT, CipherStore

__all__ = ["SimDriver", "SimInstrumentation"]


class SimDriver:
    """The reference device (``--device sim``): deterministic, virtual time, simulated."""

    backend = "sim"
    simulated = True

    def __init__(self, device: SimDevice | None = None) -> None:
        self.device = device or SimDevice()
        self._closed = False

    def info(self) -> DeviceInfo:
        levels = {a.model.api_level for a in self.device.apps.values()} or {33}
        locales = {a.model.locale for a in self.device.apps.values()} or {"zh"}
        return DeviceInfo(
            serial="sim",
            backend="sim",
            simulated=True,
            api_level=max(levels),
            abi="sim",
            locale=",".join(sorted(locales)),
            model="consent-harness reference device (simulated)",
            emulator=True,
            rooted=True,
        )

    def now(self) -> float:
        return self.device.clock

    def sleep(self, seconds: float) -> None:
        self.device.advance(seconds)

    def install(self, app: str) -> str:
        return self.device.install(load_bundled(app))

    def launch(self, package: str) -> None:
        self.device.launch(validate_package(package))

    def stop(self, package: str) -> None:
        self.device.stop(validate_package(package))

    def clear_data(self, package: str) -> None:
        self.device.clear(validate_package(package))

    def hierarchy(self) -> str:
        return self.device.hierarchy()

    def tap(self, x: int, y: int) -> None:
        self.device.tap(x, y)

    def back(self) -> None:
        self.device.back()

    def home(self) -> None:
        self.device.home()

    def screenshot(self, path: str) -> bool:
        return False

    def foreground_package(self) -> str:
        return self.device.foreground_package()

    def is_running(self, package: str) -> bool:
        app = self.device.apps.get(validate_package(package))
        return bool(app and app.alive)

    def permission_state(self, package: str) -> dict[str, str]:
        return self.device.permission_state(validate_package(package))

    def close(self) -> None:
        self._closed = True

    @property
    def launcher_package(self) -> str:
        return LAUNCHER_PACKAGE


class SimInstrumentation:
    """Feeds the reference device's API events through the agent wire protocol decoder."""

    name = "sim"

    def __init__(self, driver: SimDriver, attribute: Callable[[str], Any] | None = None, *, ca: str = "") -> None:
        if ca not in ("", "trusted", "untrusted"):
            raise InputError(f"network_ca must be 'trusted' or 'untrusted', got {ca[:40]!r}")
        self.driver = driver
        #: what the modelled interception proxy presents: '' (not modelled: every request is
        #: seen, as before), 'trusted' (the lab CA the device trusts) or 'untrusted' (a CA no one
        #: trusts: https requests of clients that check certificates become refused handshakes)
        self.ca = ca
        self._attribute_for = attribute
        self._decoder: AgentDecoder | None = None
        self._emit: EmitGuard | None = None
        self._clock: Callable[[], float] = lambda: 0.0
        #: where request bodies of the models' ``send`` actions are kept (see use_run_dir)
        self.run_dir: Path | None = None
        self._bodies = 0
        self._ciphers: CipherStore | None = None

    def start(self, target: Target, emit: Emit, clock: Callable[[], float]) -> None:
        attribute = None
        if self._attribute_for is not None:
            attribute = self._attribute_for(target.package)
        else:
            from harness.catalog.sdks import attributor_for

            attribute = attributor_for(target.package)
        self._decoder = AgentDecoder(clock, source="sim", attribute=attribute, package=target.package)
        self._emit = EmitGuard(emit, clock, "sim")
        self._clock = clock
        if self.ca:
            # the reference device models the capture: only this app's traffic, on virtual time
            self._emit([NetworkCapture(t=clock(), source="sim", ca=self.ca, ca_sha256=hashlib.sha256(f"sim {self.ca} CA".encode()).hexdigest(), scope="app", proxy="sim")])
        self.driver.device.subscribe(self._on_message)

    def use_run_dir(self, run_dir: Path | None) -> None:
        """Where request bodies of the models' ``send`` actions are kept (``network/bodies/``)."""
        self.run_dir = run_dir

    def _on_message(self, message: dict[str, Any]) -> None:
        if self._decoder is None or self._emit is None:
            return
        events = self._decoder.decode_safe(message)
        if events:
            self._emit(events)
        self._drain_network()

    def _drain_network(self) -> None:
        """Honey plants and requests of the models, as HoneyPlant and NetworkFlow events; the
        request bodies go to ``<run>/network/bodies/`` like the network source keeps them."""
        dev = self.driver.device
        if self._emit is None or not (dev.net_out or dev.honey_out or dev.cipher_out):
            return
        lag = dev.clock - self._clock()  # device seconds ahead of run seconds
        out: list[Event] = []
        for h in dev.honey_out:
            out.append(HoneyPlant(t=max(0.0, h["ts"] / 1000.0 - lag), source="sim", name=h["name"], category=h["category"], value=h["value"], api_id=h["api"]))
        for c in dev.cipher_out:
            if self._ciphers is None or self._ciphers.folder != (self.run_dir / "cipher" if self.run_dir is not None else None):
                self._ciphers = CipherStore(self.run_dir)
            pt: bytes = c["plaintext"]
            ct: bytes = c["ct"]
            out.append(
                CipherCall(
                    t=max(0.0, c["ts"] / 1000.0 - lag),
                    source="sim",
                    algorithm=c["alg"],
                    plaintext=self._ciphers.keep(pt),
                    plaintext_len=len(pt),
                    plaintext_cut=len(pt) > MAX_PLAINTEXT,
                    plaintext_sha256=hashlib.sha256(pt[:MAX_PLAINTEXT]).hexdigest(),
                    ct_head=ct[:MAX_CT_HEAD].hex(),
                    ct_len=len(ct),
                    caller=f"{c['sdk']}.net.Uploader.send(SourceFile:88)" if c["sdk"] else "",
                    sdk=c["sdk"] or "app",
                )
            )
        for f in dev.net_out:
            if self.ca == "untrusted" and f["scheme"] == "https" and f.get("trust", "system") != "any":
                # the client checks the proxy's certificate against the system's trust store and
                # refuses the untrusted CA: the handshake fails and nothing is read
                out.append(TlsFailure(t=max(0.0, f["ts"] / 1000.0 - lag), source="sim", host=f["host"], port=443, sni=f["host"], error="client refused the certificate (unknown CA)"))
                continue
            name = ""
            self._bodies += 1
            if self.run_dir is not None:
                folder = self.run_dir / "network" / "bodies"
                folder.mkdir(parents=True, exist_ok=True)
                name = f"sim-{self._bodies}.req"
                (folder / name).write_bytes(f["body"])
            out.append(
                NetworkFlow(
                    t=max(0.0, f["ts"] / 1000.0 - lag),
                    source="sim",
                    flow_id=f"sim-{self._bodies}",
                    method=f["method"],
                    scheme=f["scheme"],
                    host=f["host"],
                    port=443 if f["scheme"] == "https" else 80,
                    path=f["path"],
                    http_version="HTTP/1.1",
                    tls=f["scheme"] == "https",
                    sni=f["host"] if f["scheme"] == "https" else "",
                    headers=tuple(f"{k}: {v}" for k, v in f["headers"]),
                    req_bytes=len(f["body"]),
                    body_sha256=hashlib.sha256(f["body"]).hexdigest(),
                    body=name,
                    status=200,
                )
            )
        dev.net_out.clear()
        dev.honey_out.clear()
        dev.cipher_out.clear()
        self._emit(out)

    def stop(self) -> None:
        try:
            self.driver.device.flush()
            self._drain_network()
        except Exception:  # noqa: BLE001 - stop never raises
            pass
        if self._on_message in self.driver.device.listeners:
            self.driver.device.listeners.remove(self._on_message)
        if isinstance(self._emit, EmitGuard):
            self._emit.finish()
        self._decoder = None

