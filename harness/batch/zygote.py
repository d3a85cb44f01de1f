"""Warm workers: start app tests by forking a process that has already loaded the harness.

A fresh ``python -m harness.batch.worker`` spends about a second importing the harness and
parsing its catalogues before it touches a device. That is nothing next to a real device's
minutes, but it is most of the cost on the reference device. The *zygote* (named after
Android's own) pays it once per executing process: it imports the harness, runs one
throw-away reference-device test in a temporary folder to fill every cache, and then forks a
worker per task.

Each task keeps the guarantees of a spawned worker:

* its own session and process group: the zygote forks a *supervisor*, which calls
  ``setsid()`` and forks the worker; the task's owner kills the whole group on a timeout;
* the device lease: its descriptor travels to the supervisor with the request (SCM_RIGHTS)
  and is inherited by the worker, so the lock lives exactly as long as the test; the zygote
  closes its copy at once;
* death of the owner: the request's socket is the supervisor's lifeline. When the process that
  asked for the task dies, the socket closes and the supervisor kills its process group;
* the exit status: the supervisor reports ``exit N`` (negative: killed by signal -N).

Protocol on a per-task ``AF_UNIX``/``SOCK_SEQPACKET`` connection to an abstract socket:
request = the worker's JSON payload with two descriptors (lease, log file); replies =
``pid <supervisor pid>`` then ``exit <code>``, or ``error <why>``. A request is served only
when the kernel's peer credentials (SO_PEERCRED) name the zygote's owner process: an abstract
socket has no file permissions, and a spec names files to write and a driver factory to load.
The credentials are checked as soon as a connection is accepted, before anything is read (a
stranger is answered and dropped at once), and the owner's request must arrive within
``REQUEST_TIMEOUT_S``: a client that connects and sends nothing cannot hold up the loop that
serves every warm task. The zygote exits when its owner's pipe (its stdin) closes. Linux only; elsewhere, or when the zygote cannot start, tasks are spawned.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

__all__ = ["ZygoteClient", "WarmTask", "get_zygote", "shutdown_zygote", "serve_forever", "MAX_PAYLOAD", "REQUEST_TIMEOUT_S", "supported"]

MAX_PAYLOAD = 1024 * 1024
REQUEST_TIMEOUT_S = 2.0  # the owner sends its request right after connecting
START_TIMEOUT_S = 120.0

_LOCK = threading.Lock()
_CLIENT: ZygoteClient | None = None
_FAILED_AT = 0.0


def supported() -> bool:
    return sys.platform.startswith("linux") and hasattr(socket, "send_fds") and hasattr(os, "fork")


class WarmTask:
    """One task started by the zygote: its process group id and the connection that reports
    its exit."""

    def __init__(self, conn: socket.socket, pgid: int) -> None:
        self.conn = conn
        self.pgid = pgid
        self.returncode: int | None = None

    def poll(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds; True once the task has ended (``returncode`` set:
        the worker's exit code, or -9 when its supervisor vanished without a word)."""
        if self.returncode is not None:
            return True
        ready, _, _ = select.select([self.conn], [], [], timeout)
        if not ready:
            return False
        try:
            data = self.conn.recv(256)
        except OSError:
            data = b""
        if data.startswith(b"exit "):
            try:
                self.returncode = int(data[5:].strip())
            except ValueError:
                self.returncode = -9
        elif not data:
            self.returncode = -9
        return self.returncode is not None

    def kill(self) -> None:
        try:
            os.killpg(self.pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.returncode = -9 if self.returncode is None else self.returncode

    def close(self) -> None:
        self.conn.close()


class ZygoteClient:
    """The owner's handle on its zygote process."""

    def __init__(self) -> None:
        from harness.batch.spec import child_env

        self.address = f"\0consent-harness-zygote-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "harness.batch.zygote", self.address.encode("utf-8").hex()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=child_env(),
            cwd=tempfile.gettempdir(),
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT_S)
        line = self.proc.stdout.readline().strip() if ready else b""
        if line != b"ready":
            self.close()
            raise OSError(f"the warm-worker zygote did not start ({line[:200]!r})")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def start(self, payload: bytes, lease_fd: int, log_fd: int) -> WarmTask:
        if len(payload) > MAX_PAYLOAD:
            raise OSError("task payload too large")
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            conn.settimeout(30)
            conn.connect(self.address)
            socket.send_fds(conn, [payload], [lease_fd, log_fd])
            first = conn.recv(256)
            conn.settimeout(None)
        except OSError:
            conn.close()
            raise
        if not first.startswith(b"pid "):
            conn.close()
            raise OSError(f"the zygote did not start the task ({first[:100]!r})")
        return WarmTask(conn, int(first[4:].strip()))

    def close(self) -> None:
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def get_zygote() -> ZygoteClient | None:
    """This process's zygote, started on first use; None when warm workers are not available
    here (then tasks are spawned). A zygote that failed to start is retried after a minute."""
    global _CLIENT, _FAILED_AT
    if not supported():
        return None
    with _LOCK:
        if _CLIENT is not None and _CLIENT.alive():
            return _CLIENT
        if _CLIENT is not None:
            _CLIENT.close()
            _CLIENT = None
        if time.monotonic() - _FAILED_AT < 60 and _FAILED_AT:
            return None
        try:
            _CLIENT = ZygoteClient()
            atexit.register(shutdown_zygote)
        except OSError:
            _FAILED_AT = time.monotonic()
            return None
        return _CLIENT


def shutdown_zygote() -> None:
    """Stop this process's zygote (it also stops by itself when this process exits)."""
    global _CLIENT
    with _LOCK:
        if _CLIENT is not None:
            _CLIENT.close()
            _CLIENT = None


# -- the zygote process ------------------------------------------------------------------------
def _warm() -> None:
    """Import the harness and fill its caches with one throw-away test on the reference device
    kind (which needs no hardware)."""
    from harness.batch.leases import DeviceSlot
    from harness.batch.spec import TaskSpec
    from harness.batch.worker import run_cycle
    from harness.devices.kinds import reference_kind
    from harness.scenarios import resolve_scenarios

    kind = reference_kind()
    if kind.preload is not None:
        kind.preload()
    resolve_scenarios("all")
    if not kind.warm_app:
        return
    with tempfile.TemporaryDirectory(prefix="consent-harness-warm-") as d:
        spec = TaskSpec(
            batch="warm-up",
            task_id=0,
            attempt=0,
            app=kind.warm_app,
            scenario="S2",
            scenario_ref="S2",
            results=d,
            runs_dir=str(Path(d) / "runs"),
            result_path=str(Path(d) / "r.json"),
            log_path=str(Path(d) / "log"),
            devices=((kind.name, kind.name),),
        )
        run_cycle(spec, DeviceSlot(kind.name, kind.name))


def _supervise(conn: socket.socket, payload: bytes, lease_fd: int, log_fd: int) -> None:
    """In the forked supervisor: new session, fork the worker, report its exit; kill the
    group when the owner's connection closes. Never returns."""
    code = 70
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        conn.send(f"pid {os.getpid()}".encode())
        worker = os.fork()
        if worker == 0:
            conn.close()
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            rc = 70
            try:
                from harness.batch.worker import serve

                rc = serve(payload)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(rc)
        os.close(log_fd)
        while True:
            done, status = os.waitpid(worker, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                conn.send(f"exit {code}".encode())
                code = 0
                break
            ready, _, _ = select.select([conn], [], [], 0.05)
            if ready and not conn.recv(64):
                os.killpg(0, signal.SIGKILL)
    except BaseException:  # noqa: BLE001 - a supervisor never returns into the zygote's loop
        code = 70
    finally:
        os._exit(code)


def _drain(conn: socket.socket) -> None:
    """Discard what a refused client already sent (descriptors closed), without waiting."""
    try:
        conn.setblocking(False)
        for _ in range(4):
            data, fds, _, _ = socket.recv_fds(conn, MAX_PAYLOAD, 4)
            for fd in fds:
                os.close(fd)
            if not data:
                break
    except OSError:
        pass


def serve_forever(address: str) -> int:
    """The zygote's main loop (``python -m harness.batch.zygote HEX_ADDRESS``)."""
    try:
        _warm()
    except Exception as exc:  # noqa: BLE001 - a failed warm-up only makes tasks slower
        print(f"warm-up failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    if threading.active_count() != 1:
        print("not-ready: threads are running; forking would be unsafe", flush=True)
        return 1
    owner = os.getppid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(address)
    srv.listen(64)
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([srv, 0], [], [])
        if 0 in ready and not os.read(0, 4096):
            return 0
        if srv not in ready:
            continue
        conn, _ = srv.accept()
        fds: list[int] = []
        try:
            # who is calling, before reading a byte: a stranger never gets to make us wait
            peer_pid, peer_uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
            if peer_pid != owner or peer_uid != os.getuid():
                raise OSError(f"refused: only the owner process (pid {owner}) may start tasks, not pid {peer_pid}")
            conn.settimeout(REQUEST_TIMEOUT_S)
            payload, fds, _, _ = socket.recv_fds(conn, MAX_PAYLOAD, 2)
            conn.settimeout(None)
            if len(fds) != 2 or not payload:
                raise OSError("a request carries a payload and two descriptors")
            pid = os.fork()
            if pid == 0:
                srv.close()
                _supervise(conn, payload, fds[0], fds[1])
        except OSError as exc:
            try:
                conn.send(f"error {exc}".encode()[:200])
            except OSError:
                pass
            _drain(conn)  # closing over unread data would reset the answer away
        finally:
            for fd in fds:
                os.close(fd)  # the lease lives in the supervisor, never in the zygote
            conn.close()


if __name__ == "__main__":
    sys.exit(serve_forever(bytes.fromhex(sys.argv[1]).decode("utf-8")))
