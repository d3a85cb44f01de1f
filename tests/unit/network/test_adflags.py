"""Personalisation flags read from ad requests, and which values identify anything."""

from __future__ import annotations

import gzip
import json

from harness.catalog.rules import load_rules
from harness.network.adflags import MAX_PARAMS, read_flags, request_params
from harness.network.honey import identifying

ON = load_rules().lexicon("ad_personalised_keys")
OFF = load_rules().lexicon("ad_non_personalised_keys")


def _flags(url: str, body: bytes = b"", ce: str = "", ct: str = "") -> list[tuple[str, str, bool, str]]:
    return [(f.key, f.value, f.personalised, f.where) for f in read_flags(request_params(url, body, ce, ct), ON, OFF)]


def test_flags_in_url_form_and_nested_json_gzip() -> None:
    assert _flags("https://g.example/ads?npa=1&rdid=x&Personalized-Ad=0") == [("npa", "1", False, "url"), ("Personalized-Ad", "0", False, "url")]
    assert _flags("https://g.example/ads?npa=0&lat=false") == [("npa", "0", True, "url"), ("lat", "false", True, "url")]
    body = gzip.compress(json.dumps({"app": {"ext": [{"is_personalized": True}, {"limit_ad_tracking": 1}]}}).encode())
    assert _flags("https://x/", body, "gzip", "application/json") == [("is_personalized", "true", True, "body"), ("limit_ad_tracking", "1", False, "body")]
    assert _flags("https://x/", b"personalized=yes&slot=3", ct="application/x-www-form-urlencoded") == [("personalized", "yes", True, "body")]


def test_values_that_say_nothing_and_unknown_keys_are_ignored() -> None:
    assert _flags("https://x/?personalized=2&npa=&mode=personalized&personalised_feed=1") == []
    assert _flags("https://x/", b"{not json", ct="application/json") == []


def test_parameters_are_bounded() -> None:
    url = "https://x/?" + "&".join(f"k{i}=1" for i in range(MAX_PARAMS * 3))
    assert len(list(request_params(url))) == MAX_PARAMS
    deep: object = {"personalized": 1}
    for _ in range(200):
        deep = {"a": deep}
    assert _flags("https://x/", json.dumps(deep).encode(), ct="application/json") == []  # deeper than read


def test_identifying_values() -> None:
    assert identifying("7c2d9e41-0b6a-4d35-a8f2-e51c3b96d07a") and identifying("861234567890123")
    assert not identifying("00000000-0000-0000-0000-000000000000")
    assert not identifying("ffffffff-ffff-ffff-ffff-ffffffffffff") and not identifying("12ab") and not identifying("")
