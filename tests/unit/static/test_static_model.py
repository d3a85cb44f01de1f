"""The reference-device model's ``manifest:`` block: validated like the rest of the model
(AppModelError with file, line and field), turned into the same record an APK gives."""

from __future__ import annotations

from typing import Any

import pytest

from harness import yamlio
from harness.devices.sim.model import available_models, load_bundled, load_model
from harness.errors import AppModelError
from harness.static import facts_from_manifest

BASE = """\
model: lamp
package: com.example.lamp
api_level: 33
screens:
  home:
    elements:
      - {id: go, type: button, text: Go}
"""


def load(block: str) -> Any:
    return load_model(yamlio.load(BASE + block), "lamp.yaml")


def test_block_becomes_a_manifest_with_safe_defaults() -> None:
    m = load(
        """\
manifest:
  permissions: [CAMERA, android.permission.READ_SMS, com.vendor.permission.PUSH]
  components:
    - {kind: activity, name: .Main, exported: true, actions: [android.intent.action.MAIN]}
    - {kind: receiver, name: com.igexin.push.core.receiver.PushReceiver, actions: [android.intent.action.BOOT_COMPLETED]}
"""
    ).manifest
    assert m is not None
    assert m.permissions == ("android.permission.CAMERA", "android.permission.READ_SMS", "com.vendor.permission.PUSH")
    assert (m.min_sdk, m.target_sdk) == (24, 33)
    assert (m.debuggable, m.uses_cleartext_traffic, m.allow_backup, m.backup_rules) == (False, False, False, False)
    assert m.launcher_activity == "com.example.lamp.Main"
    assert m.components[1].has_filter and m.components[1].exported is None
    f = facts_from_manifest(m, "model")
    assert f.dangerous == {"android.permission.CAMERA": "CAMERA", "android.permission.READ_SMS": "SMS"}
    assert [(w.name, w.sdk) for w in f.wakeup_receivers] == [("com.igexin.push.core.receiver.PushReceiver", "getui")]
    assert f.cleartext == "blocked" and f.allow_backup is False


def test_model_without_block_has_no_manifest() -> None:
    assert load("").manifest is None


@pytest.mark.parametrize(
    ("block", "line", "match"),
    [
        ("manifest:\n  debuggable: yes please\n", 9, "manifest.debuggable.*true or false"),
        ("manifest:\n  target_sdk: 99\n", 9, "manifest.target_sdk.*from 1 to 40"),
        ("manifest:\n  colour: red\n", 9, "unknown field 'colour'"),
        ("manifest:\n  permissions: [CAMERA, 'rm -rf /']\n", 9, r"manifest.permissions\[1\].*not a permission name"),
        ("manifest:\n  components:\n    - {kind: widget, name: .W}\n", 10, "components\\[0\\].kind.*must be one of"),
        ("manifest:\n  components:\n    - {kind: service, name: '../../etc'}\n", 10, "not a class name"),
        ("manifest:\n  components:\n    - {kind: service}\n", 10, "missing required field 'name'"),
        ("manifest:\n  components:\n    - {kind: receiver, name: .R, exported: maybe}\n", 10, "exported.*true or false"),
        ("manifest:\n  components:\n    - {kind: receiver, name: .R, actions: ['<script>']}\n", 10, "not an intent action name"),
        ("manifest: [1, 2]\n", 8, "must be a mapping"),
    ],
)
def test_bad_blocks_name_file_line_and_field(block: str, line: int, match: str) -> None:
    with pytest.raises(AppModelError, match=match) as err:
        load(block)
    assert f"lamp.yaml:{line}:" in str(err.value)


def test_too_many_permissions_is_refused() -> None:
    perms = ", ".join(f"P{i}" for i in range(301))
    with pytest.raises(AppModelError, match="more than 300 permissions"):
        load(f"manifest:\n  permissions: [{perms}]\n")


def test_every_reference_app_has_a_manifest_and_controls_are_clean() -> None:
    for name in available_models():
        model = load_bundled(name)
        assert model.manifest is not None, name
        f = facts_from_manifest(model.manifest, "model")
        assert "android.permission.INTERNET" in f.permissions, name
        if model.clean:
            # clean controls declare only what their type needs and no leak-risk flag
            assert not f.debuggable and f.cleartext.startswith("blocked") and not f.special, name
            assert not f.wakeup_receivers and not [c for c in f.exported_unprotected if c.kind == "provider"], name
