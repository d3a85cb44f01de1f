"""The app list of a batch: which apps to test, read from a CSV or a plain-text file.

Two shapes are accepted:

* **plain text** -- one app per line; blank lines and lines starting with ``#`` are skipped.
* **CSV** (a ``.csv`` file, or any file whose first non-comment line is a header naming an
  ``app`` column) -- columns ``app`` (required), ``label``, ``profile``, ``app_config``.
  ``apk``, ``package`` and ``model`` are accepted as names of the ``app`` column.

What an *app* is depends on the devices: on the reference device (``sim``) a bundled model
name or a model YAML path; on real devices an APK path (``.apk``/``.apks``/split folder) or an
installed package name. Relative paths are resolved against the list file's folder, so a list
can travel with its APKs.

Lists come from regulators' spreadsheets and scrapers, so everything is bounded and checked:
file size, line length, number of entries, control characters, package-name syntax, duplicate
apps. Every problem is an :class:`~harness.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, InputError

__all__ = ["AppEntry", "read_app_list", "parse_app_list", "MAX_LIST_BYTES", "MAX_ENTRIES", "MAX_FIELD_CHARS"]

MAX_LIST_BYTES = 32 * 1024 * 1024
MAX_ENTRIES = 200_000
MAX_FIELD_CHARS = 4096
COLUMNS = ("app", "label", "profile", "app_config")
APP_ALIASES = ("app", "apk", "package", "model")


@dataclass(frozen=True, slots=True)
class AppEntry:
    """One app of a batch. ``app`` is what the worker hands to ``resolve_app``; ``label`` and
    ``profile`` override what the app (or its config) says; ``app_config`` is a YAML path with
    the app's features. ``line`` is where the entry sits in its list (for messages)."""

    app: str
    label: str = ""
    profile: str = ""
    app_config: str = ""
    line: int = 0


def _bad_chars(text: str) -> bool:
    return any((ord(c) < 32 and c != "\t") or c == "\x7f" for c in text)


def _field(value: str, where: str, name: str) -> str:
    value = value.strip()
    if len(value) > MAX_FIELD_CHARS:
        raise InputError(f"{where}: '{name}' is longer than {MAX_FIELD_CHARS} characters")
    if _bad_chars(value):
        raise InputError(f"{where}: '{name}' contains control characters")
    return value


def _resolve_path(value: str, base: Path | None) -> str:
    p = Path(value).expanduser()
    if not p.is_absolute() and base is not None:
        p = base / p
    return str(p.resolve())


def _check_app(app: str, where: str, backend: str | None, base: Path | None) -> str:
    """Validate (and, for paths, absolutise) one app reference for the device kind that claims
    the device name ``backend``; None checks the syntax of an APK path or package name only."""
    if backend is not None:
        from harness.devices.kinds import kind_for

        return kind_for(backend).check_app(app, where, base)
    looks_like_path = app.endswith((".apk", ".apks", ".yaml", ".yml")) or "/" in app or app.startswith(".")
    if looks_like_path:
        path = _resolve_path(app, base)
        if not (path.endswith((".apk", ".apks")) or Path(path).is_dir()):
            raise InputError(f"{where}: expected an APK (.apk, .apks, split folder) or a package name, not {app[:120]!r}")
        return path
    from harness.devices.adb import validate_package

    try:
        return validate_package(app)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _check_profile(profile: str, where: str) -> str:
    if not profile:
        return ""
    from harness.catalog.profiles import load_profiles

    try:
        load_profiles().get(profile)
    except HarnessError as exc:
        raise InputError(f"{where}: {exc}") from None
    return profile


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower() in APP_ALIASES and (len(cells) > 1 or cells[0].strip().lower() == "app")


def parse_app_list(text: str, *, name: str = "<app list>", backend: str | None = None, base: Path | None = None, csv_format: bool | None = None) -> list[AppEntry]:
    """Parse the text of an app list (see the module docstring).

    ``backend``: a device name of the pool; the device kind that claims it checks each app
    (model names on the reference device, package names / APK paths on Android devices);
    None checks only the syntax. ``csv_format``: force CSV (True) or plain text (False);
    None decides from the first non-comment line.
    """
    if "\x00" in text:
        raise InputError(f"{name}: contains NUL bytes (is this a binary file?)")
    lines = text.splitlines()
    content = [(i, ln) for i, ln in enumerate(lines, 1) if ln.strip() and not ln.lstrip().startswith("#")]
    if not content:
        raise InputError(f"{name}: the app list is empty")
    for lineno, ln in content:
        if len(ln) > 4 * MAX_FIELD_CHARS:
            raise InputError(f"{name}:{lineno}: line longer than {4 * MAX_FIELD_CHARS} characters")
    first_cells = next(csv.reader([content[0][1]]))
    if csv_format is None:
        csv_format = _is_header(first_cells)
    entries: list[AppEntry] = []
    seen: dict[str, int] = {}

    def add(entry: AppEntry) -> None:
        if entry.app in seen:
            raise InputError(f"{name}:{entry.line}: app {entry.app[:120]!r} is already listed at line {seen[entry.app]}")
        if len(entries) >= MAX_ENTRIES:
            raise InputError(f"{name}:{entry.line}: more than {MAX_ENTRIES} apps in one list; split the batch")
        seen[entry.app] = entry.line
        entries.append(entry)

    if not csv_format:
        for lineno, ln in content:
            where = f"{name}:{lineno}"
            app = _field(ln, where, "app")
            add(AppEntry(_check_app(app, where, backend, base), line=lineno))
        return entries

    header_line, header_text = content[0]
    header = [h.strip().lower() for h in next(csv.reader([header_text]))]
    if not header or header[0] not in APP_ALIASES and "app" not in header:
        raise InputError(f"{name}:{header_line}: a CSV app list needs a header row with an 'app' column (and optional {', '.join(COLUMNS[1:])})")
    header = ["app" if h in APP_ALIASES else h for h in header]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(f"{name}:{header_line}: unknown column(s) {', '.join(repr(u[:40]) for u in unknown)}; known: {', '.join(COLUMNS)}")
    if header.count("app") != 1 or len(set(header)) != len(header):
        raise InputError(f"{name}:{header_line}: each column may appear once, and exactly one names the app")
    # csv needs the original line structure for quoted fields; feed it the text after the header.
    body = "\n".join(lines[header_line:])
    reader = csv.reader(io.StringIO(body))
    for row in reader:
        lineno = header_line + reader.line_num
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        where = f"{name}:{lineno}"
        if len(row) > len(header):
            raise InputError(f"{where}: {len(row)} fields, but the header names {len(header)} columns")
        values = {h: _field(row[i] if i < len(row) else "", where, h) for i, h in enumerate(header)}
        if not values["app"]:
            raise InputError(f"{where}: the 'app' column is empty")
        app_config = values.get("app_config", "")
        if app_config:
            app_config = _resolve_path(app_config, base)
            if backend is not None and not Path(app_config).is_file():
                raise InputError(f"{where}: app config not found: {app_config[:300]}")
        add(
            AppEntry(
                app=_check_app(values["app"], where, backend, base),
                label=values.get("label", ""),
                profile=_check_profile(values.get("profile", ""), where),
                app_config=app_config,
                line=lineno,
            )
        )
    return entries


def read_app_list(path: str | Path, *, backend: str | None = None) -> list[AppEntry]:
    """Read an app list file (see the module docstring). ``backend`` as in :func:`parse_app_list`."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read app list {str(p)[:300]}: {exc.strerror or exc}") from None
    if not p.is_file():
        raise InputError(f"app list {str(p)[:300]} is not a file")
    if size > MAX_LIST_BYTES:
        raise InputError(f"{p}: app list larger than {MAX_LIST_BYTES // (1024 * 1024)} MiB")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{p}:{line}: not UTF-8 text (save the list as UTF-8)") from None
    force = True if p.suffix.lower() == ".csv" else None
    return parse_app_list(text, name=str(p), backend=backend, base=p.parent.resolve(), csv_format=force)
