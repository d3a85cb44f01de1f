"""Distil harness/catalog/permission_classes.json from the Android platform's permission
definitions.

Source: the ``protectionLevel`` of every ``<permission>`` the platform declares in
frameworks/base/core/res/AndroidManifest.xml, per API level, as extracted by the androguard
project and shipped inside its PyPI package (``androguard/core/api_specific_resources/
aosp_permissions/permissions_<API>.json``, API 4-36 in androguard 4.1.4). Run:

    pip download --no-deps androguard==4.1.4 -d /tmp/ag
    python tools/catalog/make_permission_classes.py /tmp/ag/androguard-4.1.4-py3-none-any.whl

Every permission name the platform ever declared gets one class, from its newest definition:

  dangerous   runtime permission: the user grants it in a dialog
  special     "special app access" (an app-op): the user grants it in Settings
              (MANAGE_EXTERNAL_STORAGE, SYSTEM_ALERT_WINDOW, WRITE_SETTINGS, PACKAGE_USAGE_STATS ...)
  normal      granted at install without asking
  signature   only for apps signed with the platform key or preinstalled/privileged ones

Names the platform never declared (vendor or app permissions) are not in the table.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "harness" / "catalog" / "permission_classes.json"
_MEMBER = re.compile(r"androguard/core/api_specific_resources/aosp_permissions/permissions_(\d+)\.json$")


def classify(protection: str) -> str:
    tokens = [t.strip() for t in protection.split("|") if t.strip()]
    base, flags = (tokens[0] if tokens else "normal"), set(tokens[1:])
    if base == "dangerous":
        return "dangerous"
    if "appop" in flags:
        return "special"
    if base == "normal":
        return "normal"
    return "signature"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    wheel = Path(argv[0])
    levels: dict[int, dict[str, str]] = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            m = _MEMBER.search(name)
            if m:
                data = json.loads(zf.read(name))
                levels[int(m.group(1))] = {p: str(d.get("protectionLevel", "normal")) for p, d in data["permissions"].items()}
    if not levels:
        print(f"{wheel}: no aosp_permissions data inside", file=sys.stderr)
        return 2
    table: dict[str, dict[str, object]] = {}
    for api in sorted(levels):
        for perm, protection in levels[api].items():
            entry = table.setdefault(perm, {"since": api})
            entry["protection"] = protection
            entry["class"] = classify(protection)
            entry["last"] = api
    newest = max(levels)
    head = {
        "source": f"Android platform permission definitions (frameworks/base/core/res/AndroidManifest.xml), API {min(levels)}-{newest}, as shipped in {wheel.name}",
        "generated_by": "tools/catalog/make_permission_classes.py",
        "classes": {"dangerous": "runtime permission", "special": "special app access (app-op, granted in Settings)", "normal": "granted at install", "signature": "platform-signed or privileged apps only"},
        "columns": ["class", "protectionLevel", "first API", "last API"],
    }
    lines = [json.dumps(p) + ": " + json.dumps([e["class"], e["protection"], e["since"], e["last"]]) for p, e in sorted(table.items())]
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "permissions": {\n' + ",\n".join(lines) + "\n }\n}\n"
    json.loads(text)  # the file must stay valid JSON
    OUT.write_text(text, encoding="utf-8")
    counts: dict[str, int] = {}
    for e in table.values():
        counts[str(e["class"])] = counts.get(str(e["class"]), 0) + 1
    print(f"{OUT.name}: {len(table)} permissions {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
