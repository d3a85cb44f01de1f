"""Who receives a flow: the party (first party, cloud, third party) and the SDK, by host.

- The registrable domain comes from the public-suffix list (the ``publicsuffixlist`` package,
  which ships the list: nothing is fetched at run time).
- First party: the app's own registrable domains, given by the app config (``domains:``) and
  guessed from the package name (``com.example.shop`` -> ``example.com``).
- Cloud: hosting and CDN domains that serve any customer (object storage, CDNs); a flow there
  says nothing about a third party by itself.
- SDK: ``harness/catalog/sdk_hosts.yaml``, longest host-suffix match; an SDK host is always a
  third party, even inside a cloud domain.
- SDK by stack: a flow whose connection the Frida agent redirected carries a correlation token
  (``NetworkFlow.conn``) that names a :class:`~harness.events.NetworkConnect` with the Java stack
  at connect time; when the host names no SDK, the SDK attributed from that stack (the same
  package-prefix machinery as for API calls) names the sender (:func:`attribute_flow`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from harness.catalog.yamldata import parse_yaml
from harness.errors import CatalogError
from harness.events import NetworkConnect, NetworkFlow

__all__ = ["Attribution", "registrable", "sdk_hosts", "attribute_host", "attribute_flow", "connects_by_token", "first_party_domains", "CLOUD_DOMAINS"]

#: Hosting, object-storage and CDN domains that serve anyone (public service documentation).
CLOUD_DOMAINS = frozenset(
    {
        "aliyuncs.com", "alicdn.com", "aliyun.com", "myqcloud.com", "qcloud.com", "tencentcos.cn", "bcebos.com",
        "bdstatic.com", "qiniucdn.com", "qiniu.com", "clouddn.com", "ksyuncs.com", "huaweicloud.com",
        "myhuaweicloud.com", "volccdn.com", "bytecdn.cn", "amazonaws.com", "cloudfront.net", "akamaized.net",
        "akamai.net", "akamaihd.net", "edgesuite.net", "fastly.net", "cloudflare.com", "cloudflare.net",
        "azureedge.net", "windows.net", "googleusercontent.com", "gstatic.com", "appspot.com", "wangsu.com",
        "chinanetcenter.com", "kunlunar.com", "cdn20.com", "jsdelivr.net",
    }
)


@dataclass(frozen=True, slots=True)
class Attribution:
    host: str
    domain: str
    party: str  # first | cloud | third | local
    sdk: str = ""
    via: str = ""  # how the SDK was named: host | stack ('' when no SDK)
    connect: NetworkConnect | None = None  # the redirected connect the flow came through


@lru_cache(maxsize=1)
def _psl() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable(host: str) -> str:
    """The registrable domain of ``host`` ('' for an IP address or a bare name)."""
    h = host.strip().rstrip(".").lower()
    if not h:
        return ""
    try:
        ipaddress.ip_address(h.strip("[]"))
        return ""
    except ValueError:
        pass
    got = _psl().privatesuffix(h)
    return str(got) if got else ""


@lru_cache(maxsize=1)
def sdk_hosts() -> tuple[tuple[str, str], ...]:
    """(host pattern, sdk id), longest pattern first; ids are checked against sdks.yaml."""
    from harness.catalog.sdks import load_sdks

    text = resources.files("harness.catalog").joinpath("sdk_hosts.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text, "sdk_hosts.yaml")
    if not isinstance(data, dict) or data.get("schema") != 1 or not isinstance(data.get("hosts"), dict):
        raise CatalogError("sdk_hosts.yaml: expected schema 1 and a 'hosts' mapping")
    known = {s.id for s in load_sdks()}
    out: list[tuple[str, str]] = []
    for sdk, patterns in data["hosts"].items():
        if sdk not in known:
            raise CatalogError(f"sdk_hosts.yaml: unknown sdk id {sdk!r} (not in sdks.yaml)")
        if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
            raise CatalogError(f"sdk_hosts.yaml: {sdk}: hosts must be a list of names")
        out.extend((p.lower().rstrip("."), sdk) for p in patterns)
    out.sort(key=lambda x: -len(x[0]))
    return tuple(out)


def first_party_domains(package: str, declared: Iterable[str] = ()) -> frozenset[str]:
    """The app's own registrable domains: declared ones, plus the package name read backwards
    (``com.example.shop`` -> ``example.com``, ``cn.etingche.pay`` -> ``etingche.cn``)."""
    out = {registrable(d) or d.lower() for d in declared if d}
    parts = [p for p in package.lower().split(".") if p]
    if len(parts) >= 2:
        guess = registrable(f"{parts[1]}.{parts[0]}")
        if guess:
            out.add(guess)
    return frozenset(x for x in out if x)


def attribute_host(host: str, first_party: frozenset[str] = frozenset()) -> Attribution:
    h = host.strip().rstrip(".").lower()
    if h in ("localhost",) or h.endswith(".localhost"):
        return Attribution(h, "", "local")
    try:
        ip = ipaddress.ip_address(h.strip("[]"))
        return Attribution(h, "", "local" if ip.is_loopback or ip.is_private else "third")
    except ValueError:
        pass
    domain = registrable(h)
    sdk = next((s for pat, s in sdk_hosts() if h == pat or h.endswith("." + pat)), "")
    if sdk:
        return Attribution(h, domain, "third", sdk, "host")
    if domain in first_party:
        return Attribution(h, domain, "first")
    if domain in CLOUD_DOMAINS:
        return Attribution(h, domain, "cloud")
    return Attribution(h, domain, "third")


def connects_by_token(events: Iterable[object]) -> dict[str, NetworkConnect]:
    """The agent's redirected connects of a run, by correlation token (the first one wins)."""
    out: dict[str, NetworkConnect] = {}
    for e in events:
        if isinstance(e, NetworkConnect) and e.token and e.token not in out:
            out[e.token] = e
    return out


def attribute_flow(flow: NetworkFlow, first_party: frozenset[str] = frozenset(), connects: dict[str, NetworkConnect] | None = None) -> Attribution:
    """:func:`attribute_host`, plus the connect-time stack: a flow whose token names a redirected
    connect gets that connect, and its SDK when the host names none (``via='stack'``)."""
    who = attribute_host(flow.host, first_party)
    conn = connects.get(flow.conn) if connects and flow.conn else None
    if conn is None:
        return who
    if not who.sdk and conn.sdk and conn.sdk != "app":
        return Attribution(who.host, who.domain, who.party, conn.sdk, "stack", conn)
    return Attribution(who.host, who.domain, who.party, who.sdk, who.via, conn)
