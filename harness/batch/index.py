"""The run index of a batch: ``<results>/batch.sqlite``, one row per (app, scenario).

::

    tasks     one row per (app, scenario): status, attempts, device, run folder, timings,
              finding counts by severity and verdict, last error
    attempts  one row per try of a task: device, outcome, run folder, error, result file
    meta      schema version, when the index was made, the jurisdiction last used

Task status:

==============  ================================================================================
pending         to do (new, or an infrastructure failure waiting for its retry)
running         handed to a worker; after a coordinator crash, resume adopts the worker's
                result file if it finished, otherwise sets the task back to pending
done            the app was tested: the run folder holds its timeline and findings. What the
                app did (crash, exit, violations) is a result, never a reason to retry
infra_failed    the harness's own tools failed on every try (device gone, adb error, timeout)
error           the task cannot work as given (unknown model, missing APK, bad app config)
==============  ================================================================================

The index is resumable: running a batch again skips ``done`` tasks and tries ``pending``,
``infra_failed`` and ``error`` ones again. SQLite runs in WAL mode so ``batch status`` and
``batch query`` can read while a batch writes; the coordinator is the only writer (workers
report through result files, never through the database).
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from harness.batch.applist import AppEntry
from harness.errors import InputError

__all__ = ["STATUSES", "SCHEMA_VERSION", "TaskRow", "AttemptRow", "RunIndex", "INDEX_NAME", "utc_now"]

INDEX_NAME = "batch.sqlite"
SCHEMA_VERSION = 1
STATUSES = ("pending", "running", "done", "infra_failed", "error")
COUNT_COLUMNS = ("n_findings", "n_info", "n_low", "n_medium", "n_high", "n_violations", "n_review")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    task_id      INTEGER PRIMARY KEY,
    app          TEXT NOT NULL,
    scenario     TEXT NOT NULL,
    scenario_ref TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    profile      TEXT NOT NULL DEFAULT '',
    app_config   TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ({", ".join(repr(s) for s in STATUSES)})),
    attempts     INTEGER NOT NULL DEFAULT 0,
    device       TEXT NOT NULL DEFAULT '',
    host         TEXT NOT NULL DEFAULT '',
    package      TEXT NOT NULL DEFAULT '',
    run_id       TEXT NOT NULL DEFAULT '',
    run_dir      TEXT NOT NULL DEFAULT '',
    run_status   TEXT NOT NULL DEFAULT '',
    simulated    INTEGER NOT NULL DEFAULT 0,
    queued_at    TEXT NOT NULL DEFAULT '',
    started_at   TEXT NOT NULL DEFAULT '',
    finished_at  TEXT NOT NULL DEFAULT '',
    duration_s   REAL NOT NULL DEFAULT 0,
    {", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNT_COLUMNS)},
    error        TEXT NOT NULL DEFAULT '',
    UNIQUE (app, scenario)
);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status);
CREATE TABLE IF NOT EXISTS attempts (
    task_id     INTEGER NOT NULL REFERENCES tasks (task_id),
    attempt     INTEGER NOT NULL,
    device      TEXT NOT NULL DEFAULT '',
    host        TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL DEFAULT '',
    finished_at TEXT NOT NULL DEFAULT '',
    duration_s  REAL NOT NULL DEFAULT 0,
    outcome     TEXT NOT NULL DEFAULT 'running',
    run_dir     TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    result_path TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (task_id, attempt)
);
"""

MAX_ERROR_CHARS = 4000


def utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One row of ``tasks`` (see the module docstring)."""

    task_id: int
    app: str
    scenario: str
    scenario_ref: str
    label: str
    profile: str
    app_config: str
    status: str
    attempts: int
    device: str
    host: str
    package: str
    run_id: str
    run_dir: str
    run_status: str
    simulated: int
    queued_at: str
    started_at: str
    finished_at: str
    duration_s: float
    n_findings: int
    n_info: int
    n_low: int
    n_medium: int
    n_high: int
    n_violations: int
    n_review: int
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One row of ``attempts``."""

    task_id: int
    attempt: int
    device: str
    host: str
    started_at: str
    finished_at: str
    duration_s: float
    outcome: str
    run_dir: str
    error: str
    result_path: str


TASK_COLUMNS = tuple(f.name for f in fields(TaskRow))
ATTEMPT_COLUMNS = tuple(f.name for f in fields(AttemptRow))


class RunIndex:
    """The SQLite run index. Open it with :meth:`open`; use it from one thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, journal_mode: str = "") -> None:
        self.conn = conn
        self.path = path
        self.journal_mode = journal_mode

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> RunIndex:
        p = Path(path)
        if not create and not p.is_file():
            raise InputError(f"no batch index at {p} (is this a batch results folder?)")
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(p), timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            if create:
                conn.executescript(_SCHEMA)
            found = conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='tasks'").fetchone()
            if found is None:
                raise InputError(f"{p}: not a batch index (no tasks table)")
            has_meta = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() if has_meta else None
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{p}: not a readable batch index: {exc}") from None
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise InputError(f"{p}: index schema {version} is newer than this harness understands ({SCHEMA_VERSION}); upgrade consent-harness")
        index = cls(conn, p, journal_mode=str(mode))
        if create and version == 0:
            index.set_meta("schema_version", str(SCHEMA_VERSION))
            index.set_meta("created_at", utc_now())
        return index

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> RunIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta ---------------------------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}

    # -- planning -----------------------------------------------------------------------------
    def add_tasks(self, entries: Sequence[AppEntry], scenarios: Sequence[tuple[str, str]]) -> list[int]:
        """Make sure a task exists for every (entry, scenario); return their task ids in plan
        order. ``scenarios`` holds (scenario id, reference the worker resolves). Existing tasks
        keep their status; a label/profile/app config given now replaces the stored one while
        the task is not done."""
        ids: list[int] = []
        now = utc_now()
        with self._tx():
            for e in entries:
                for sid, ref in scenarios:
                    self.conn.execute(
                        "INSERT INTO tasks (app, scenario, scenario_ref, label, profile, app_config, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (app, scenario) DO UPDATE SET label = excluded.label, profile = excluded.profile, "
                        "app_config = excluded.app_config, scenario_ref = excluded.scenario_ref WHERE tasks.status != 'done'",
                        (e.app, sid, ref, e.label, e.profile, e.app_config, now),
                    )
                    row = self.conn.execute("SELECT task_id FROM tasks WHERE app = ? AND scenario = ?", (e.app, sid)).fetchone()
                    ids.append(int(row[0]))
        return ids

    # -- reading ------------------------------------------------------------------------------
    def tasks(self, *, status: Iterable[str] | None = None, ids: Iterable[int] | None = None) -> list[TaskRow]:
        sql = f"SELECT {', '.join(TASK_COLUMNS)} FROM tasks"
        where: list[str] = []
        args: list[Any] = []
        if status is not None:
            st = list(status)
            where.append(f"status IN ({', '.join('?' for _ in st)})")
            args += st
        rows = [TaskRow(*r) for r in self.conn.execute(sql + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY task_id", args)]
        if ids is not None:
            wanted = set(ids)
            rows = [r for r in rows if r.task_id in wanted]
        return rows

    def task(self, task_id: int) -> TaskRow:
        row = self.conn.execute(f"SELECT {', '.join(TASK_COLUMNS)} FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
        if row is None:
            raise InputError(f"no task {task_id} in {self.path}")
        return TaskRow(*row)

    def attempts(self, task_id: int | None = None) -> list[AttemptRow]:
        sql = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts"
        args: tuple[Any, ...] = ()
        if task_id is not None:
            sql += " WHERE task_id = ?"
            args = (task_id,)
        return [AttemptRow(*r) for r in self.conn.execute(sql + " ORDER BY task_id, attempt", args)]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for st, n in self.conn.execute("SELECT status, COUNT(*) FROM tasks GROUP BY status"):
            out[str(st)] = int(n)
        return out

    # -- state changes (coordinator only) ------------------------------------------------------
    def start_attempt(self, task_id: int, result_path: Callable[[int], str]) -> int:
        """Mark the task running and open a new attempt; return its number. ``result_path``
        gives the attempt's result file from its number (recorded for crash recovery)."""
        now = utc_now()
        with self._tx():
            self.conn.execute("UPDATE tasks SET status = 'running', attempts = attempts + 1, started_at = ? WHERE task_id = ?", (now, task_id))
            row = self.conn.execute("SELECT attempts FROM tasks WHERE task_id = ?", (task_id,)).fetchone()
            if row is None:
                raise InputError(f"no task {task_id} in {self.path}")
            attempt = int(row[0])
            self.conn.execute(
                "INSERT OR REPLACE INTO attempts (task_id, attempt, started_at, result_path) VALUES (?, ?, ?, ?)",
                (task_id, attempt, now, result_path(attempt)),
            )
        return attempt

    def finish_attempt(self, task_id: int, attempt: int, *, outcome: str, device: str = "", host: str = "", run_dir: str = "", error: str = "", duration_s: float = 0.0) -> None:
        self.conn.execute(
            "UPDATE attempts SET outcome = ?, device = ?, host = ?, run_dir = ?, error = ?, duration_s = ?, finished_at = ? WHERE task_id = ? AND attempt = ?",
            (outcome, device, host, run_dir, error[:MAX_ERROR_CHARS], duration_s, utc_now(), task_id, attempt),
        )

    def set_result(self, task_id: int, status: str, values: Mapping[str, Any]) -> None:
        """Set the task's status and any of its result columns (device, run folder, counts...)."""
        if status not in STATUSES:
            raise ValueError(f"unknown task status {status!r}")
        allowed = set(TASK_COLUMNS) - {"task_id", "app", "scenario", "status", "attempts"}
        bad = set(values) - allowed
        if bad:
            raise ValueError(f"not task result columns: {sorted(bad)}")
        cols = ["status = ?"] + [f"{k} = ?" for k in values]
        args: list[Any] = [status] + [str(v)[:MAX_ERROR_CHARS] if k == "error" else v for k, v in values.items()]
        self.conn.execute(f"UPDATE tasks SET {', '.join(cols)} WHERE task_id = ?", (*args, task_id))

    def requeue(self, task_ids: Iterable[int], *, statuses: Sequence[str] = ("infra_failed", "error", "running")) -> int:
        """Set the given tasks back to pending if their status is one of ``statuses``."""
        n = 0
        with self._tx():
            for tid in task_ids:
                cur = self.conn.execute(
                    f"UPDATE tasks SET status = 'pending' WHERE task_id = ? AND status IN ({', '.join('?' for _ in statuses)})", (tid, *statuses)
                )
                n += cur.rowcount
        return n

    def running_attempts(self) -> list[tuple[int, int, str]]:
        """(task id, attempt, result file) of tasks left ``running`` (a coordinator that died)."""
        rows = self.conn.execute(
            "SELECT t.task_id, t.attempts, COALESCE(a.result_path, '') FROM tasks t LEFT JOIN attempts a ON a.task_id = t.task_id AND a.attempt = t.attempts WHERE t.status = 'running'"
        ).fetchall()
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows]

    def _tx(self) -> _Transaction:
        return _Transaction(self.conn)

    def dump(self) -> str:
        """The whole tasks table as JSON lines (for debugging and bug reports)."""
        return "\n".join(json.dumps(r.to_dict(), ensure_ascii=False) for r in self.tasks())


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
