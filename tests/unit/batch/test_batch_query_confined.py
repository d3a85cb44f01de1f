"""`batch query` is confined: one read-only statement over the store's views, no other file read
or written, no extension installed or loaded, settings locked; CSV cells cannot become formulas
and terminal escapes never reach the terminal (issue 12, items 4-6)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import duckdb
import pytest

from harness.batch.cli import main
from harness.batch.coordinator import BatchReport
from harness.batch.query import connect, query
from harness.batch.store import store_paths
from harness.errors import InputError


def _digest(results: Path) -> dict[str, str]:
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in store_paths(results).items()}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT count(*) FROM glob('/etc/*')",
        "SELECT * FROM read_parquet('/etc/*.parquet')",
    ],
)
def test_no_file_outside_the_store_is_read(small_batch: tuple[Path, BatchReport], sql: str) -> None:
    results, _ = small_batch
    with pytest.raises(InputError, match="disabled by configuration"):
        query(results, sql)


def test_the_connection_itself_is_confined(small_batch: tuple[Path, BatchReport], tmp_path: Path) -> None:
    """Below the statement check: the DuckDB connection cannot read, write or re-enable."""
    results, _ = small_batch
    con = connect(results)
    try:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/passwd')")
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"COPY runs TO '{tmp_path / 'out.csv'}'")
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error):
            con.execute("INSTALL httpfs")
    finally:
        con.close()
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "COPY findings TO '{tmp}/stolen.csv'",
        "COPY (SELECT 1 AS x) TO '{store}'",
        "SELECT 1; SELECT 2",
        "SELECT 1 AS a; COPY findings TO '{tmp}/stolen.csv'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "ATTACH '{tmp}/x.duckdb' AS x",
        "SET enable_external_access = true",
        "CREATE TABLE t AS SELECT * FROM findings",
        "PRAGMA version",
    ],
)
def test_only_one_read_only_statement_runs(small_batch: tuple[Path, BatchReport], tmp_path: Path, sql: str) -> None:
    results, _ = small_batch
    before = _digest(results)
    with pytest.raises(InputError):
        query(results, sql.format(tmp=tmp_path, store=store_paths(results)["findings"]))
    assert list(tmp_path.iterdir()) == []
    assert _digest(results) == before


def test_read_only_forms_still_work(small_batch: tuple[Path, BatchReport]) -> None:
    results, _ = small_batch
    assert int(query(results, "WITH r AS (SELECT * FROM runs) SELECT count(*) AS n FROM r").n[0]) == 3
    assert len(query(results, "FROM tasks")) == 3
    assert "column_name" in query(results, "DESCRIBE findings").columns


def test_unsafe_flag_gives_an_ordinary_connection(small_batch: tuple[Path, BatchReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results, _ = small_batch
    outside = tmp_path / "list.csv"
    outside.write_text("a\nx\ny\n", encoding="utf-8")
    sql = f"SELECT count(*) AS n FROM read_csv('{outside}')"
    assert main(["query", str(results), sql, "--format", "json"]) == 2
    assert "disabled" in capsys.readouterr().err
    assert main(["query", str(results), sql, "--format", "json", "--unsafe"]) == 0
    assert '"n":2' in capsys.readouterr().out


def test_csv_cells_cannot_become_formulas(small_batch: tuple[Path, BatchReport], capsys: pytest.CaptureFixture[str]) -> None:
    results, _ = small_batch
    sql = "SELECT '=cmd|'' /C calc''!A0' AS a, '@SUM(1,2)' AS b, '+1+2' AS c, '-2+3' AS d, chr(9) || '=1' AS e, chr(13) || '=1' AS f, 'plain' AS g, 42 AS n, -1 AS m"
    assert main(["query", str(results), sql, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["a", "b", "c", "d", "e", "f", "g", "n", "m"]
    row = rows[1]
    for cell in row[:6]:
        assert cell.startswith("'"), row
    assert row[0] == "'=cmd|' /C calc'!A0" and row[1] == "'@SUM(1,2)"
    assert row[6:] == ["plain", "42", "-1"]  # numbers stay numbers


def test_table_and_errors_carry_no_terminal_escapes(small_batch: tuple[Path, BatchReport], capsys: pytest.CaptureFixture[str]) -> None:
    results, _ = small_batch
    hostile = "chr(27) || '[2J' || chr(27) || ']0;owned' || chr(7) || chr(13) || 'CLEAN' || chr(8238) || 'gnp.exe'"
    for fmt in ("table", "csv", "json"):
        assert main(["query", str(results), f"SELECT {hostile} AS x", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\r" not in out and "\x07" not in out and "\u202e" not in out, (fmt, out)
        assert "CLEAN" in out
    assert main(["query", str(results), f"SELECT * FROM no_table_{'x' * 3} WHERE {hostile} = ''"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\u202e" not in err and len(err.strip().splitlines()) == 1
