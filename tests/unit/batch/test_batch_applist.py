"""App lists: plain text and CSV, validated per backend, with file:line errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.batch.applist import MAX_FIELD_CHARS, AppEntry, parse_app_list, read_app_list
from harness.errors import InputError


def test_plain_list_skips_comments_and_blank_lines() -> None:
    text = "# regulators' list\n\ndemo-clean\n  supermarket  \n# end\n"
    got = parse_app_list(text, backend="sim")
    assert got == [AppEntry("demo-clean", line=3), AppEntry("supermarket", line=4)]


def test_csv_with_header_label_profile_and_config(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg" / "shop.yaml"
    cfg.parent.mkdir()
    cfg.write_text("label: Shop\n", encoding="utf-8")
    lst = tmp_path / "apps.csv"
    lst.write_text('app,label,profile,app_config\ncom.example.shop,"Shop, the app",online_shopping,cfg/shop.yaml\ncom.example.other,,,\n', encoding="utf-8")
    got = read_app_list(lst, backend="real")
    assert got[0] == AppEntry("com.example.shop", "Shop, the app", "online_shopping", str(cfg.resolve()), 2)
    assert got[1].app == "com.example.other" and got[1].profile == "" and got[1].line == 3


def test_csv_detected_without_csv_suffix_and_package_alias() -> None:
    got = parse_app_list("package,label\ncom.a.b,A\n", backend="real")
    assert [(e.app, e.label) for e in got] == [("com.a.b", "A")]


def test_apk_paths_resolve_against_the_list_folder(tmp_path: Path) -> None:
    (tmp_path / "apks").mkdir()
    apk = tmp_path / "apks" / "one.apk"
    apk.write_bytes(b"PK")
    lst = tmp_path / "apps.txt"
    lst.write_text("apks/one.apk\n", encoding="utf-8")
    assert read_app_list(lst, backend="real")[0].app == str(apk.resolve())


def test_missing_apk_names_the_line(tmp_path: Path) -> None:
    lst = tmp_path / "apps.txt"
    lst.write_text("com.ok.app\nmissing.apk\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"apps.txt:2: APK not found"):
        read_app_list(lst, backend="real")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("com.ok.app\n; rm -rf ~\n", r":2: invalid Android package name"),
        ("com.ok.app\n../../../../../../etc/passwd\n", r":2: expected an APK"),
        ("com.ok.app\ncom.ok.app\n", r":2: app 'com.ok.app' is already listed at line 1"),
        ("app,lable\ncom.a.b,x\n", r":1: unknown column\(s\) 'lable'"),
        ("app,label\ncom.a.b,x,extra\n", r":2: 3 fields, but the header names 2 columns"),
        ("app,label\n,x\n", r":2: the 'app' column is empty"),
        ("app,profile\ncom.a.b,no_such_profile\n", r":2: unknown app-type profile"),
        ("com.a.b\x1b[31m\n", r":1: 'app' contains control characters"),
        ("# only comments\n\n", r"the app list is empty"),
        ("com.a.b\x00\n", r"NUL bytes"),
    ],
)
def test_bad_lists_get_clear_errors(text: str, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        parse_app_list(text, name="apps", backend="real")


def test_overlong_field_is_refused() -> None:
    with pytest.raises(InputError, match="longer than"):
        parse_app_list("com.a." + "b" * (MAX_FIELD_CHARS + 10) + "\n", backend="real")


def test_sim_backend_checks_model_names(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r":1: unknown app model 'no-such-model'"):
        parse_app_list("no-such-model\n", name="apps", backend="sim")
    model = tmp_path / "m.yaml"
    model.write_text("model: m\n", encoding="utf-8")
    assert parse_app_list("m.yaml\n", backend="sim", base=tmp_path)[0].app == str(model.resolve())
    with pytest.raises(InputError, match="model name or a model YAML"):
        parse_app_list("x.apk\n", backend="sim", base=tmp_path)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    lst = tmp_path / "apps.txt"
    lst.write_bytes(b"com.a.b\ncom.\xff\xfe.c\n")
    with pytest.raises(InputError, match=r"apps.txt:2: not UTF-8"):
        read_app_list(lst)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read app list"):
        read_app_list(tmp_path / "nope.txt")


def test_utf8_bom_from_spreadsheets_is_accepted(tmp_path: Path) -> None:
    lst = tmp_path / "apps.csv"
    lst.write_bytes("app,label\ncom.a.b,甲\n".encode("utf-8-sig"))
    assert read_app_list(lst, backend="real") == [AppEntry("com.a.b", "甲", line=2)]
