"""Sealed bundles: written with a SHA-256 manifest, verified, and any tampering detected."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from harness.cli import main
from harness.handover.bundle import MANIFEST, META, verify_bundle, write_bundle


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    results = tmp_path_factory.mktemp("runs")
    assert main(["run", "--app", "demo-precollect", "--scenario", "S1,S2", "--results", str(results), "--fail-on", "never"]) == 0
    return sorted(p for p in results.iterdir() if p.is_dir())


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in change:
                new = change[info.filename]
                if new is not None:
                    zout.writestr(info.filename, new)
                continue
            zout.writestr(info, zin.read(info))
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def test_bundle_verifies_and_records_identity(runs: list[Path], tmp_path: Path) -> None:
    res = write_bundle(runs, tmp_path / "b.zip")
    v = verify_bundle(res.path, expect=res.digest)
    assert v.ok and v.digest == res.digest and v.files == res.files
    with zipfile.ZipFile(res.path) as zf:
        names = set(zf.namelist())
        meta = json.loads(zf.read(META))
        manifest = zf.read(MANIFEST).decode()
    assert {f"{r.name}/run.json" for r in runs} <= names and {f"{r.name}/timeline.jsonl" for r in runs} <= names
    assert len(manifest.splitlines()) == len(names) - 1  # every file but the manifest itself
    ident = meta["runs"][0]["identity"]
    assert ident["device"]["api_level"] and ident["harness"]["catalogues"]["rules.yaml"]
    assert meta["runs"][0]["jurisdiction"] == "cn"
    # the manifest is sha256sum's format: the standard tool agrees after unzipping
    out = tmp_path / "x"
    with zipfile.ZipFile(res.path) as zf:
        zf.extractall(out)
    check = subprocess.run(["sha256sum", "--quiet", "-c", MANIFEST], cwd=out, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_tampering_with_any_file_fails(runs: list[Path], tmp_path: Path) -> None:
    res = write_bundle(runs[:1], tmp_path / "b.zip")
    with zipfile.ZipFile(res.path) as zf:
        names = [i.filename for i in zf.infolist()]
        originals = {n: zf.read(n) for n in names}
    assert len(names) > 5
    for i, name in enumerate(names):
        bad = tmp_path / f"t{i}.zip"
        data = originals[name]
        _rewrite(res.path, bad, {name: data[:-1] + bytes([data[-1] ^ 1]) if data else b"x"})
        v = verify_bundle(bad, expect=res.digest)
        assert not v.ok, f"changing {name} was not detected"
    # a removed file, an added file, and a consistently re-sealed manifest (caught by --expect)
    victim = next(n for n in names if n.endswith("timeline.jsonl"))
    _rewrite(res.path, tmp_path / "del.zip", {victim: None})
    assert any("missing from the bundle" in p for p in verify_bundle(tmp_path / "del.zip").problems)
    _rewrite(res.path, tmp_path / "add.zip", {}, add={"extra/evil.txt": b"x"})
    assert any("not in the manifest" in p for p in verify_bundle(tmp_path / "add.zip").problems)
    import hashlib

    forged = originals[MANIFEST].decode().replace(hashlib.sha256(originals[victim]).hexdigest(), hashlib.sha256(b"forged").hexdigest()).encode()
    _rewrite(res.path, tmp_path / "forged.zip", {victim: b"forged", MANIFEST: forged})
    assert verify_bundle(tmp_path / "forged.zip").ok  # self-consistent ...
    assert not verify_bundle(tmp_path / "forged.zip", expect=res.digest).ok  # ... but not the digest the sender stated


def test_cli_bundle_and_verify(runs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    z = tmp_path / "lab.zip"
    assert main(["bundle", *map(str, runs), "-o", str(z)]) == 0
    out = capsys.readouterr().out
    digest = out.split("--expect): ")[1].split()[0]
    assert main(["bundle", "--verify", str(z), "--expect", digest]) == 0
    assert "OK" in capsys.readouterr().out
    _rewrite(z, tmp_path / "bad.zip", {f"{runs[0].name}/findings.jsonl": b"{}\n"})
    assert main(["bundle", "--verify", str(tmp_path / "bad.zip")]) == 1
    assert "content changed" in capsys.readouterr().out
    assert main(["bundle", str(tmp_path / "nope"), "-o", str(z)]) == 2
    assert main(["bundle", "--verify", str(runs[0] / "run.json")]) == 2
    assert "not a readable zip" in capsys.readouterr().err
    assert main(["bundle", *map(str, runs)]) == 2
