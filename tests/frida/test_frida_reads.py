"""Reads that modern apps make without a query or a concrete client class, on a real HotSpot JVM
with Android-named stub classes, under the real agent and the real catalogue:

* fused location through play-services-location 21+, where FusedLocationProviderClient is an
  interface: the agent hooks the class LocationServices.getFusedLocationProviderClient returns;
* media read through ContentResolver file descriptors and thumbnails, and ImageDecoder sources;
* direct reads of files in shared storage (FileInputStream with a path filter);
* SensorManager.registerListener told apart by the Sensor's type;
* hooks chosen by the device's API level (the stub Build.VERSION.SDK_INT is 33).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import APP_PACKAGE
from frida_support import Run, start_spawned

from harness.catalog.apis import ArgFilter, api_by_id, select_apis
from harness.events import ApiCall, ErrorRecord

pytestmark = pytest.mark.frida

EXPECTED = [
    ("LocationServices.getFusedLocationProviderClient", "DEVICE_INFO"),
    ("FusedLocationProviderClient.getLastLocation", "LOCATION"),
    ("FusedLocationProviderClient.getCurrentLocation", "LOCATION"),
    ("ContentResolver.openFileDescriptor#media", "MEDIA"),
    ("ContentResolver.openAssetFileDescriptor#media", "MEDIA"),
    ("ContentResolver.openTypedAssetFileDescriptor#media", "MEDIA"),
    ("ContentResolver.loadThumbnail#media", "MEDIA"),
    ("ImageDecoder.createSource#media", "MEDIA"),
    ("FileInputStream.<init>#shared_storage", "MEDIA"),
    ("SensorManager.registerListener#health", "SENSOR"),
    ("SensorManager.registerListener#motion", "SENSOR"),
    ("SensorManager.registerListener", "SENSOR"),
    ("TelephonyManager.getNai", "DEVICE_ID"),
]


def _rooted(root: Path) -> list:  # type: ignore[type-arg]
    """The enabled catalogue, with the shared-storage globs of FileInputStream moved under ``root``
    (the test machine has no /storage/emulated; the filter mechanism and the globs' shape stay)."""
    out = []
    for a in select_apis():
        if a.id == "FileInputStream.<init>#shared_storage":
            assert a.arg_filter is not None
            moved = tuple(str(root) + v for v in a.arg_filter.values)
            a = dataclasses.replace(a, arg_filter=ArgFilter(arg=a.arg_filter.arg, op=a.arg_filter.op, values=moved))
        out.append(a)
    return out


@pytest.fixture(scope="module")
def reads_run(java_exe: str, java_classes: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, Path]]:
    root = tmp_path_factory.mktemp("device")
    photo = root / "storage" / "emulated" / "0" / "DCIM" / "Camera" / "IMG_0001.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0jpeg")
    (root / "data").mkdir()
    (root / "data" / "own.txt").write_text("private")
    run = start_spawned((java_exe, "-cp", str(java_classes), "com.example.app.Main"), APP_PACKAGE, apis=_rooted(root))
    yield run, root
    run.close()


def test_fused_location_media_fds_files_and_sensors_are_recorded(reads_run: tuple[Run, Path]) -> None:
    run, root = reads_run
    mark = run.mark()
    assert run.command(f"reads {root}") == len(EXPECTED)
    events = run.since(mark)
    assert not [e for e in events if isinstance(e, ErrorRecord)], [e for e in events if isinstance(e, ErrorRecord)]
    calls = [e for e in events if isinstance(e, ApiCall)]
    assert [(c.api_id, c.category) for c in calls] == EXPECTED
    by = {c.api_id: c for c in calls}
    for c in calls:
        assert c.category == api_by_id(c.api_id).category
        assert c.caller.startswith("com.example.app.Main.reads("), (c.api_id, c.caller)
    # the interface's entries fire on the obfuscated implementation class found at run time
    assert by["FusedLocationProviderClient.getLastLocation"].method == "com.google.android.gms.internal.location.zzbp.getLastLocation"
    assert by["FusedLocationProviderClient.getCurrentLocation"].args.startswith("100")
    assert by["ContentResolver.openFileDescriptor#media"].args.startswith("content://media/external/images/media/42")
    assert by["ImageDecoder.createSource#media"].method == "android.graphics.ImageDecoder.createSource"
    assert "DCIM/Camera/IMG_0001.jpg" in by["FileInputStream.<init>#shared_storage"].args
    # the variant (by the Sensor's type: 19 step counter, 1 accelerometer, 99 unknown) names the event
    assert by["SensorManager.registerListener#health"].args == "null, <Sensor>, 0"
    assert by["SensorManager.registerListener"].args == "null, <Sensor>, 0, 0"
    assert by["TelephonyManager.getNai"].ret == "user@nai.example"
    # filtered out: the app's own provider, the app-private file; not hooked: removed in API 29
    text = " ".join(c.args for c in calls)
    assert "com.example.app.files" not in text and "own.txt" not in text
    assert "TelephonyManager.getNeighboringCellInfo" not in {c.api_id for c in calls}
    assert run.inst.stats()["lateHooks"] >= 3  # getLastLocation, getCurrentLocation, requestLocationUpdates on zzbp


def test_hooks_are_chosen_by_the_device_api_level(reads_run: tuple[Run, Path]) -> None:
    run, _ = reads_run
    status = run.inst.ready_status
    assert status is not None
    skipped = {s.split(": ", 1)[0]: s.split(": ", 1)[1] for s in status.skipped}
    assert skipped["TelephonyManager.getNeighboringCellInfo"] == "not on API 33 (exists in 3-28)"
    assert "abstract" in skipped["FusedLocationProviderClient.getLastLocation"]
    ids = {a.id for a in select_apis()}
    assert status.hooks + len(skipped) == len(ids)
    stats = run.inst.stats()  # (this test may run on its own xdist worker: no "reads" before it)
    assert stats["sdk"] == 33 and stats["installMs"] >= 0


def test_a_level_known_to_the_host_overrides_the_device_value(java_exe: str, java_classes: Path, tmp_path: Path) -> None:
    """sdk_level=28 from the host: entries of API 29+ are not sent, and the agent (whose stub device
    says 33) hooks what exists on 28, such as getNeighboringCellInfo (removed in 29)."""
    photo = tmp_path / "storage" / "emulated" / "0" / "DCIM" / "Camera" / "IMG_0001.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"jpeg")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "own.txt").write_text("private")
    apis = [a for a in _rooted(tmp_path) if a.available_on(28)]
    run = start_spawned((java_exe, "-cp", str(java_classes), "com.example.app.Main"), APP_PACKAGE, apis=apis, sdk_level=28)
    try:
        mark = run.mark()
        run.command(f"reads {tmp_path}")
        ids = [e.api_id for e in run.since(mark) if isinstance(e, ApiCall)]
        assert "TelephonyManager.getNeighboringCellInfo" in ids
        assert "ContentResolver.loadThumbnail#media" not in ids  # API 29+
        assert "ContentResolver.openFileDescriptor#media" in ids
        assert run.inst.stats()["sdk"] == 28
    finally:
        run.close()
