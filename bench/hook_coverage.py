"""Coverage of the hook catalogue (harness/catalog/apis.yaml) against external data.

Measures, from committed data distilled by tools/catalog/distil_yardstick.py (provenance inside
bench/data/sdk_yardstick.json):

  coverage    the methods that read data (Axplorer API->permission maps of androguard 4.1.4,
              public SDK methods only, read verbs; see the distil script for the exact rule):
              how many an on-by-default catalogue entry hooks, per permission group and overall;
  existence   every entry of origin "sdk" must be a method declared in the public API 35/36
              stubs (chaquopy-stubs-android) on its class or a base class, or be marked as removed
              (api max below 35) and then absent from them; every "hidden" entry must NOT be in
              the public stubs (else it is mislabelled);
  ranges      an entry's [min, max] must not contradict the API levels where the Axplorer or
              PScout maps list the method, nor the 35/36 stubs;
  camille     camille's Java hook points covered by on-by-default entries and by all entries.

Run: python bench/hook_coverage.py [--floor 0.8] [--group-floor 0.6]. Exits 1 when coverage is
below a floor or any entry does not exist / has a contradicted range. The last line is JSON.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from harness.catalog.apis import Api, load_apis  # noqa: E402

__all__ = ["public_api", "yardstick", "method_exists", "coverage", "existence_problems", "range_problems", "camille", "Report", "measure", "main"]


@lru_cache(maxsize=1)
def public_api() -> dict[str, dict[str, Any]]:
    """{class: {"b": bases, "m": in 35 and 36, "m35": only 35, "m36": only 36}} from the stubs."""
    data: dict[str, dict[str, Any]] = json.loads(gzip.decompress((DATA / "sdk_public_api.json.gz").read_bytes()))
    return data


@lru_cache(maxsize=1)
def yardstick() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "sdk_yardstick.json").read_text(encoding="utf-8"))
    return data


def method_levels(cls: str, method: str) -> set[int] | None:
    """The stub levels (35, 36) declaring ``method`` on ``cls`` or a base; None if the class is not public."""
    pub = public_api()
    if cls not in pub:
        return None
    seen: set[int] = set()
    todo, done = [cls], set()
    while todo:
        c = todo.pop()
        if c in done or c not in pub:
            continue
        done.add(c)
        e = pub[c]
        if method in e["m"]:
            seen |= {35, 36}
        if method in e["m35"]:
            seen.add(35)
        if method in e["m36"]:
            seen.add(36)
        todo.extend(e["b"])
    return seen


def method_exists(cls: str, method: str) -> bool:
    return bool(method_levels(cls, method))


def _hooks(apis: list[Api]) -> set[tuple[str, str]]:
    return {(c, a.method) for a in apis if a.kind == "java" for c in {a.cls, *a.hook_classes}}


def coverage(apis: list[Api]) -> dict[str, tuple[int, int, list[str]]]:
    """{group: (hooked, total, missing ids)} plus "overall" (each method counted once)."""
    hooked = _hooks([a for a in apis if a.enabled])
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missing: dict[str, list[str]] = defaultdict(list)
    tot = [0, 0]
    all_missing: list[str] = []
    for e in yardstick()["reads"]:
        ok = (e["class"], e["method"]) in hooked
        name = f"{e['class']}.{e['method']}"
        tot[1] += 1
        tot[0] += ok
        if not ok:
            all_missing.append(name)
        for g in e["groups"]:
            per[g][1] += 1
            per[g][0] += ok
            if not ok:
                missing[g].append(name)
    out = {g: (v[0], v[1], missing[g]) for g, v in sorted(per.items())}
    out["overall"] = (tot[0], tot[1], all_missing)
    return out


def existence_problems(apis: list[Api]) -> list[str]:
    """Entries that do not exist where the catalogue says they do (empty = all fine)."""
    out: list[str] = []
    for a in apis:
        if a.kind == "native":
            continue
        method = "__init__" if a.method == "$init" else a.method
        levels = method_levels(a.cls, method)
        if a.origin == "sdk":
            if levels is None:
                out.append(f"{a.id}: class {a.cls} is not in the public SDK (mark origin: hidden/library/vendor)")
            elif method == "__init__":
                continue  # constructors are not listed by the stubs
            elif a.api_max is None and not levels:
                out.append(f"{a.id}: {a.cls}.{a.method} is not a public method of API 35/36")
            elif a.api_max is not None and a.api_max < 35 and levels:
                out.append(f"{a.id}: marked removed after API {a.api_max} but public in API {min(levels)}")
        elif a.origin == "hidden" and levels:
            out.append(f"{a.id}: marked hidden but {a.cls}.{a.method} is public in API {min(levels)}")
    return out


def range_problems(apis: list[Api]) -> list[str]:
    """Ranges contradicted by the maps (method listed below min or above max) or the stubs."""
    seen = yardstick()["seen_at"]
    out: list[str] = []
    for a in apis:
        if a.kind == "native" or a.origin != "sdk":
            continue
        method = "__init__" if a.method == "$init" else a.method
        levels = set(seen.get(f"{a.cls}.{method}", []))
        levels |= method_levels(a.cls, method) or set()
        if not levels:
            continue
        low, high = min(levels), max(levels)
        if low < a.api_min:
            out.append(f"{a.id}: api min {a.api_min} but the method is listed at API {low}")
        if a.api_max is not None and high > a.api_max:
            out.append(f"{a.id}: api max {a.api_max} but the method is listed at API {high}")
    return out


def camille(apis: list[Api]) -> dict[str, int]:
    points = [tuple(p) for p in json.loads((DATA / "camille_points.json").read_text(encoding="utf-8"))["points"]]

    def have(sel: list[Api]) -> set[tuple[str, str]]:
        return {(c.rsplit(".", 1)[-1], a.method) for a in sel for c in (a.cls, *a.hook_classes)}

    on, every = have([a for a in apis if a.enabled]), have(apis)
    return {"points": len(points), "on_by_default": sum(p in on for p in points), "in_catalogue": sum(p in every for p in points)}


@dataclass
class Report:
    coverage: dict[str, tuple[int, int, list[str]]]
    nonexistent: list[str]
    ranges: list[str]
    camille: dict[str, int]
    origins: dict[str, int] = field(default_factory=dict)

    def ratio(self, group: str) -> float:
        h, t, _ = self.coverage[group]
        return h / t if t else 1.0

    def failures(self, floor: float, group_floor: float) -> list[str]:
        out: list[str] = []
        if self.ratio("overall") < floor:
            out.append(f"overall coverage {self.ratio('overall'):.2f} < {floor}")
        for g in self.coverage:
            if g != "overall" and self.ratio(g) < group_floor:
                out.append(f"group {g} coverage {self.ratio(g):.2f} < {group_floor}")
        out += [f"does not exist: {p}" for p in self.nonexistent]
        out += [f"range: {p}" for p in self.ranges]
        return out


def measure(apis: list[Api] | None = None) -> Report:
    apis = list(apis) if apis is not None else list(load_apis())
    origins: dict[str, int] = defaultdict(int)
    for a in apis:
        origins[a.origin] += 1
    return Report(coverage(apis), existence_problems(apis), range_problems(apis), camille(apis), dict(sorted(origins.items())))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="hook catalogue coverage against Axplorer maps and the public SDK")
    ap.add_argument("--floor", type=float, default=0.8)
    ap.add_argument("--group-floor", type=float, default=0.6)
    ap.add_argument("--show-missing", action="store_true")
    a = ap.parse_args(argv)
    r = measure()
    prov = yardstick()["provenance"]
    print(f"yardstick: {', '.join(v['pypi'] for v in prov['inputs'].values())}; Axplorer levels {prov['axplorer_levels'][0]}-{prov['axplorer_levels'][-1]}")
    print(f"{'group':<14}{'hooked':>8}{'methods':>9}{'ratio':>8}")
    for g, (h, t, miss) in r.coverage.items():
        print(f"{g:<14}{h:>8}{t:>9}{r.ratio(g):>8.2f}")
        if a.show_missing and miss:
            for m in miss:
                print(f"{'':<16}missing {m}")
    print("groups with no external yardstick (not in the Axplorer maps): camera, microphone, contacts, calendar, sms, call_log, storage, sensors")
    print(f"entries by origin: {r.origins}")
    print(f"entries that do not exist: {len(r.nonexistent)}; contradicted API ranges: {len(r.ranges)}")
    for p in r.nonexistent + r.ranges:
        print(f"  {p}")
    print(f"camille points: {r.camille['on_by_default']}/{r.camille['points']} on by default, {r.camille['in_catalogue']}/{r.camille['points']} in the catalogue")
    fails = r.failures(a.floor, a.group_floor)
    for f in fails:
        print(f"FAIL {f}")
    print(json.dumps({
        "overall": round(r.ratio("overall"), 3),
        "groups": {g: round(r.ratio(g), 3) for g in r.coverage if g != "overall"},
        "hooked": r.coverage["overall"][0], "methods": r.coverage["overall"][1],
        "nonexistent": len(r.nonexistent), "ranges_contradicted": len(r.ranges),
        "camille_on_by_default": r.camille["on_by_default"], "camille_points": r.camille["points"],
        "floor": a.floor, "group_floor": a.group_floor, "ok": not fails,
    }))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
