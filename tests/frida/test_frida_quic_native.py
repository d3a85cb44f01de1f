"""The agent refuses UDP to port 443 from native code too (libc connect / sendto / sendmsg on a
datagram socket, hooks/src/net.ts), on a Linux C program under the real agent: each refused call
fails with EPERM and sends nothing, other UDP and all TCP pass, and the refusals are counted in
QuicBlocked events (without a stack: native code has none)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from frida_support import start_spawned

from harness.events import AgentStatus, QuicBlocked

pytestmark = pytest.mark.frida

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def udp_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("needs gcc on PATH (Debian package gcc)")
    out = tmp_path_factory.mktemp("native-udp") / "udp443"
    subprocess.run([gcc, "-O2", "-Wall", "-o", str(out), str(HERE / "native" / "udp443.c")], check=True, timeout=120, capture_output=True)
    return out


@pytest.mark.parametrize("quic", ["block", "allow"])
def test_native_udp_443_is_refused_and_counted(udp_exe: Path, quic: str) -> None:
    run = start_spawned((str(udp_exe),), "com.example.udpapp", agent_options={"net": {"quic": quic}})
    try:
        refused = run.command("run")
        events = run.since(0)
    finally:
        run.close()
    line = next(x for x in run.lines._lines if x.startswith("udp443 "))  # printed before "done run"
    fields = dict(kv.split("=") for kv in line.split()[1:])
    assert fields["other"].startswith("13/")  # UDP to another port goes out
    assert fields["tcp"] == "-1/111"  # TCP to 443 is never touched (ECONNREFUSED: nothing listens)
    quic_events = [e for e in events if isinstance(e, QuicBlocked)]
    ready = next(e for e in events if isinstance(e, AgentStatus) and e.status == "ready")
    if quic == "block":
        assert refused == 3, line
        assert fields["sendto"] == "-1/1" and fields["sendmsg"] == "-1/1" and fields["connect"] == "-1/1"
        assert sum(e.count for e in quic_events) == 3 and all(e.via == "libc (native code)" and e.port == 443 for e in quic_events)
        assert "net quic, " in ready.message
    else:
        assert refused == 0 and fields["sendto"] == "13/0" and fields["connect"] == "0/0", line
        assert not quic_events
