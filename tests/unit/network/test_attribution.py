from __future__ import annotations

from harness.network.attribution import attribute_host, first_party_domains, registrable, sdk_hosts


def test_registrable_domains() -> None:
    assert registrable("ulogs.umeng.com") == "umeng.com"
    assert registrable("a.b.example.co.uk") == "example.co.uk"
    assert registrable("127.0.0.1") == "" and registrable("[::1]") == ""


def test_sdk_by_longest_host_suffix() -> None:
    assert attribute_host("msg.umengcloud.com").sdk == "umeng_push"  # not umeng: the longer pattern wins
    assert attribute_host("ulogs.umengcloud.com").sdk == "umeng"
    assert attribute_host("api.jpush.cn").sdk == "jpush"
    assert attribute_host("notjpush.cn").sdk == ""  # dot boundaries


def test_parties() -> None:
    fp = first_party_domains("com.example.shop", ["shop-cdn.example.net"])
    assert fp == {"example.com", "example.net"}
    assert attribute_host("api.example.com", fp).party == "first"
    assert attribute_host("img.example.net", fp).party == "first"
    assert attribute_host("bucket.oss-cn-hangzhou.aliyuncs.com", fp).party == "cloud"
    assert attribute_host("tracker.example.org", fp).party == "third"
    assert attribute_host("localhost").party == "local"
    a = attribute_host("log.umeng.com", fp)
    assert (a.party, a.sdk, a.domain) == ("third", "umeng", "umeng.com")


def test_every_sdk_host_entry_names_a_catalogued_sdk() -> None:
    assert len(sdk_hosts()) > 50
