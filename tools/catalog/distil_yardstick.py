"""Distil the external yardstick for the hook catalogue into bench/data/ (run once, commit the output).

Inputs, fetched from PyPI with pip (pinned versions, their sha256 recorded in the output):
  * androguard 4.1.4 (wheel): the Axplorer API->permission maps for API 16-25
    (androguard/core/api_specific_resources/api_permission_mappings/permissions_<N>.json);
  * androguard 3.0 (sdist): the PScout API->permission maps for API 9-22
    (.../api_permission_mappings/api_permission_mappings_api<N>.py), used only as evidence that a
    method existed at a level (PScout over-approximates permissions, see below);
  * chaquopy-stubs-android 35.20260406 and 36.20260406 (wheels): type stubs generated from the
    public android.jar of API 35 and 36, i.e. the public SDK classes and their declared methods.

Outputs:
  * bench/data/sdk_public_api.json.gz: {class: {"b": [base classes], "m": [methods in 35 and 36],
    "m35": [only in 35], "m36": [only in 36]}} for every public class of the two stubs.
  * bench/data/sdk_yardstick.json: provenance, the definition below, the data-reading methods
    per permission group, and for every public method seen in either map the API levels where
    the map lists it (evidence of existence at that level).

Definition of "a method that reads data" (the yardstick), fully mechanical:
  1. Axplorer (androguard 4.1.4) maps the method, at some level 16-25, to at least one permission
     of a data-reading group (GROUPS below);
  2. the class is a public SDK class and the method is declared in it in the API 35 or 36 stubs
     (hidden methods, system services and binder stubs drop out);
  3. the method name starts with a read verb (READ_VERBS: getters, queries, is/has checks,
     listener/callback registrations, location and cell-info requests, scans).
  Unit: class + method name (all overloads together, as the catalogue hooks them).
PScout's maps are not used for the yardstick: its transitive analysis gives, for example,
Settings$Secure.getString, DevicePolicyManager password getters and TextToSpeech getters
READ_CONTACTS/READ_PROFILE. Axplorer has no entries for camera, microphone, contacts, calendar,
SMS, call log, storage or body sensors (those are enforced by app-ops, native services and content
providers, which its analysis does not map): those groups have no external yardstick.

Usage: python tools/catalog/distil_yardstick.py [--cache DIR]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "bench" / "data"

PACKAGES = {
    "axplorer": ("androguard", "4.1.4"),
    "pscout": ("androguard", "3.0"),
    "stubs35": ("chaquopy-stubs-android", "35.20260406"),
    "stubs36": ("chaquopy-stubs-android", "36.20260406"),
}

GROUPS: dict[str, tuple[str, ...]] = {
    "phone_state": ("READ_PHONE_STATE", "READ_PRIVILEGED_PHONE_STATE", "READ_PHONE_NUMBERS", "READ_PRECISE_PHONE_STATE"),
    "location": ("ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION"),
    "contacts": ("READ_CONTACTS", "READ_PROFILE"),
    "calendar": ("READ_CALENDAR",),
    "sms": ("READ_SMS", "RECEIVE_SMS", "RECEIVE_MMS", "RECEIVE_WAP_PUSH", "READ_CELL_BROADCASTS"),
    "call_log": ("READ_CALL_LOG", "PROCESS_OUTGOING_CALLS"),
    "camera": ("CAMERA",),
    "microphone": ("RECORD_AUDIO",),
    "wifi": ("ACCESS_WIFI_STATE",),
    "network": ("ACCESS_NETWORK_STATE",),
    "bluetooth": ("BLUETOOTH", "BLUETOOTH_ADMIN", "BLUETOOTH_CONNECT", "BLUETOOTH_SCAN"),
    "accounts": ("GET_ACCOUNTS", "USE_CREDENTIALS", "AUTHENTICATE_ACCOUNTS"),
    "storage": ("READ_EXTERNAL_STORAGE", "ACCESS_MEDIA_LOCATION", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO", "READ_MEDIA_AUDIO"),
    "usage": ("PACKAGE_USAGE_STATS", "GET_TASKS", "REAL_GET_TASKS", "QUERY_ALL_PACKAGES"),
    "sensors": ("BODY_SENSORS", "ACTIVITY_RECOGNITION"),
}
READ_VERBS = (
    r"^(get|query|is|has|list[A-Z]|read|peek|blockingGet|register|add\w*(Listener|Callback)$"
    r"|request(LocationUpdates|SingleUpdate|CellInfoUpdate|Location)$|listen$|start\w*(Scan|Discovery)$)"
)
_KEY = re.compile(r"^L([^;]+);-([^-]+)-\(")


def download(name: str, version: str, dest: Path) -> Path:
    """pip download of one pinned distribution (wheel when there is one, else the sdist)."""
    have = [p for p in dest.iterdir() if p.name.lower().replace("-", "_").startswith(f"{name}-{version}".replace("-", "_"))]
    if not have:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), f"{name}=={version}"]
        if version == "3.0":
            cmd[5:5] = ["--no-binary", ":all:"]
        subprocess.run(cmd, check=True)
        have = [p for p in dest.iterdir() if p.name.lower().replace("-", "_").startswith(f"{name}-{version}".replace("-", "_"))]
    if len(have) != 1:
        raise SystemExit(f"expected one file for {name}=={version} in {dest}, found {[p.name for p in have]}")
    return have[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def axplorer_maps(wheel: Path) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = {}
    with zipfile.ZipFile(wheel) as z:
        for n in z.namelist():
            m = re.search(r"api_permission_mappings/permissions_(\d+)\.json$", n)
            if m:
                out[int(m.group(1))] = json.loads(z.read(n))
    return out


def pscout_maps(sdist: Path) -> dict[int, dict[str, list[str]]]:
    """The dict literal AOSP_PERMISSIONS_BY_METHODS of each module, read with ast (never executed)."""
    out: dict[int, dict[str, list[str]]] = {}
    with tarfile.open(sdist) as t:
        for member in t.getmembers():
            m = re.search(r"api_permission_mappings_api(\d+)\.py$", member.name)
            if not m:
                continue
            f = t.extractfile(member)
            assert f is not None
            tree = ast.parse(f.read().decode("utf-8"))
            for node in tree.body:
                if isinstance(node, ast.Assign) and any(isinstance(t_, ast.Name) and t_.id == "AOSP_PERMISSIONS_BY_METHODS" for t_ in node.targets):
                    out[int(m.group(1))] = ast.literal_eval(node.value)
    return out


def parse_stubs(wheel: Path) -> dict[str, dict[str, Any]]:
    """Public classes (nested ones as Outer$Inner) with their bases and declared method names."""
    classes: dict[str, dict[str, Any]] = {}
    with zipfile.ZipFile(wheel) as z:
        for n in sorted(z.namelist()):
            if not n.endswith(".pyi"):
                continue
            parts = n.split("/")
            if not parts[0].endswith("-stubs"):
                continue
            pkg = ".".join([parts[0][: -len("-stubs")], *parts[1:-1]])
            stack: list[str] = []
            for line in io.TextIOWrapper(z.open(n), encoding="utf-8"):
                m = re.match(r"^(\s*)class (\w+)(?:\((.*)\))?:", line)
                if m:
                    depth = len(m.group(1)) // 4
                    stack = [*stack[:depth], m.group(2)]
                    bases = [b.strip() for b in re.split(r",\s*(?![^\[]*\])", m.group(3) or "") if b.strip()]
                    classes[f"{pkg}.{'$'.join(stack)}"] = {"b": [re.sub(r"\[.*$", "", b) for b in bases], "m": set()}
                    continue
                m = re.match(r"^(\s*)def (\w+)\(", line)
                if m:
                    depth = len(m.group(1)) // 4
                    owner = f"{pkg}.{'$'.join(stack[:depth])}"
                    if depth > 0 and owner in classes and m.group(2) != "__init__":
                        classes[owner]["m"].add(m.group(2))
    return classes


def resolve_base(name: str, owner: str, classes: dict[str, Any]) -> str:
    """A base as written in a stub (``Settings.NameValueTable``, ``java.lang.Object``) to a class key."""
    dotted = name.replace(".", "$")
    pkg = owner.rsplit(".", 1)[0] if "$" not in owner.rsplit(".", 1)[-1] else owner.rsplit(".", 1)[0]
    for cand in (name, f"{pkg}.{dotted}", re.sub(r"\.([A-Z]\w*)\.", r".\1$", name)):
        if cand in classes:
            return cand
    # package.Outer.Inner -> package.Outer$Inner
    bits = name.split(".")
    for i in range(len(bits) - 1, 0, -1):
        cand = ".".join(bits[:i]) + "." + "$".join(bits[i:])
        if cand in classes:
            return cand
    return name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="folder for the downloaded distributions (default: a temp dir)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = a.cache or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        files = {k: download(n, v, cache) for k, (n, v) in PACKAGES.items()}
        ax = axplorer_maps(files["axplorer"])
        ps = pscout_maps(files["pscout"])
        s35 = parse_stubs(files["stubs35"])
        s36 = parse_stubs(files["stubs36"])

    public: dict[str, dict[str, Any]] = {}
    for cls in sorted(set(s35) | set(s36)):
        m35 = s35.get(cls, {}).get("m", set())
        m36 = s36.get(cls, {}).get("m", set())
        bases = (s36.get(cls) or s35[cls])["b"]
        public[cls] = {
            "b": sorted({resolve_base(b, cls, s36 if cls in s36 else s35) for b in bases} - {"java.lang.Object"}),
            "m": sorted(m35 & m36),
            "m35": sorted(m35 - m36),
            "m36": sorted(m36 - m35),
        }

    def is_public(cls: str, meth: str) -> bool:
        c = public.get(cls)
        return c is not None and (meth in c["m"] or meth in c["m35"] or meth in c["m36"])

    perm_group = {f"android.permission.{p}": g for g, ps_ in GROUPS.items() for p in ps_}
    verbs = re.compile(READ_VERBS)
    reads: dict[str, dict[str, Any]] = {}
    seen: dict[str, set[int]] = defaultdict(set)
    for source in (ax, ps):
        for level, mapping in source.items():
            for key in mapping:
                m = _KEY.match(key)
                if m and is_public(m.group(1).replace("/", "."), m.group(2)):
                    seen[f"{m.group(1).replace('/', '.')}.{m.group(2)}"].add(level)
    for level, mapping in ax.items():
        for key, perms in mapping.items():
            m = _KEY.match(key)
            if not m:
                continue
            cls, meth = m.group(1).replace("/", "."), m.group(2)
            groups = {perm_group[p] for p in perms if p in perm_group}
            if not groups or not is_public(cls, meth) or not verbs.match(meth):
                continue
            entry = reads.setdefault(f"{cls}.{meth}", {"class": cls, "method": meth, "groups": set(), "permissions": set(), "levels": set()})
            entry["groups"] |= groups
            entry["permissions"] |= {p.rsplit(".", 1)[-1] for p in perms if p in perm_group}
            entry["levels"].add(level)

    yard = {
        "provenance": {
            "made_by": "tools/catalog/distil_yardstick.py",
            "inputs": {k: {"pypi": f"{n}=={v}", "file": files[k].name, "sha256": sha256(files[k])} for k, (n, v) in PACKAGES.items()},
            "axplorer_levels": sorted(ax),
            "pscout_levels": sorted(ps),
            "stub_levels": [35, 36],
        },
        "definition": {
            "groups": {g: list(p) for g, p in GROUPS.items()},
            "read_verbs": READ_VERBS,
            "rule": "Axplorer maps the method to a permission of the group at some level 16-25; the class and method are "
            "public in the API 35 or 36 stubs; the method name starts with a read verb. Unit: class + method name.",
        },
        "reads": [
            {**e, "groups": sorted(e["groups"]), "permissions": sorted(e["permissions"]), "levels": sorted(e["levels"])}
            for _, e in sorted(reads.items())
        ],
        "seen_at": {k: sorted(v) for k, v in sorted(seen.items())},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sdk_yardstick.json").write_text(json.dumps(yard, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    raw = json.dumps(public, separators=(",", ":"), sort_keys=True).encode("utf-8")
    (OUT / "sdk_public_api.json.gz").write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    per_group: dict[str, int] = defaultdict(int)
    for e in yard["reads"]:
        for g in e["groups"]:
            per_group[g] += 1
    print(f"{len(public)} public classes; {len(yard['reads'])} data-reading methods; per group {dict(sorted(per_group.items()))}")


if __name__ == "__main__":
    main()
