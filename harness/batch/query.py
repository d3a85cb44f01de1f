"""SQL over a batch store with DuckDB: ``consent-harness batch query <results> "SQL"``.

The store's Parquet files (harness/batch/store.py) appear as the views ``findings``,
``runs``, ``api_calls``, ``flows``, ``matches`` and ``tasks``; DuckDB reads only the columns and
row groups a query needs, so questions over thousands of runs stay quick. When the store does
not exist yet, or was written by an older version of the harness, it is exported (again) first.

The connection is confined: it can read the store files and nothing else on the machine,
cannot write any file, install or load extensions, or change its own settings, and it runs one
read-only statement (checked with DuckDB's own parser). ``--unsafe`` gives an unrestricted
connection for an operator who needs more (other files, several statements); it is off by
default and says so in ``--help``.

Canned questions (``--canned NAME``), for regulators' usual asks:

====================  ==========================================================================
r09-apps              apps with R09 violations (personal information collected before consent):
                      scenarios, categories and SDKs involved
sdk-before-consent    third-party SDKs seen calling personal-information APIs before consent
                      (phases pre_prompt, prompt, dismissed, declined), across apps
rule-counts           per rule: violations, needs-review, info findings, apps and runs affected
worst-apps            apps ranked by high-severity violations
device-ids-sent       apps whose requests carried a device identifier (DEVICE_ID, AD_ID, NET_ID)
                      to a third party before consent (phases pre_prompt, prompt, dismissed,
                      declined): host, SDK, data kind, encodings, first time, scenarios
network-coverage      per run: requests decrypted and in cleartext, TLS handshakes refused (by
                      which hosts), QUIC attempts blocked (or "not measured")
batch-status          tasks by status, with attempts
failures              tasks that failed (infrastructure or input) and why
====================  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.batch.store import STORE_FILES, STORE_VERSION, export_store, store_paths, store_version
from harness.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CannedQuery", "CANNED", "connect", "check_statement", "query", "canned", "PRE_CONSENT_PHASES", "DEVICE_ID_CATEGORIES"]

PRE_CONSENT_PHASES = ("pre_prompt", "prompt", "dismissed", "declined")
_PRE = ", ".join(f"'{p}'" for p in PRE_CONSENT_PHASES)
#: Catalogue categories that identify the device (hardware and telephony ids, advertising id,
#: network ids such as the MAC address)
DEVICE_ID_CATEGORIES = ("DEVICE_ID", "AD_ID", "NET_ID")
_IDS = ", ".join(f"'{c}'" for c in DEVICE_ID_CATEGORIES)


@dataclass(frozen=True, slots=True)
class CannedQuery:
    title: str
    sql: str


CANNED: dict[str, CannedQuery] = {
    "r09-apps": CannedQuery(
        "Apps with R09 violations (personal information collected before consent)",
        """
        SELECT r.app, f.package, any_value(r.label) AS label,
               string_agg(DISTINCT f.scenario, ',' ORDER BY f.scenario) AS scenarios,
               string_agg(DISTINCT NULLIF(f.category, ''), ',' ORDER BY NULLIF(f.category, '')) AS categories,
               string_agg(DISTINCT NULLIF(f.sdk, ''), ',' ORDER BY NULLIF(f.sdk, '')) AS sdks,
               count(*) AS findings
        FROM findings f JOIN runs r USING (run_id)
        WHERE f.rule_id = 'R09' AND f.verdict = 'violation'
        GROUP BY r.app, f.package
        ORDER BY findings DESC, f.package
        """,
    ),
    "sdk-before-consent": CannedQuery(
        "Third-party SDKs calling personal-information APIs before consent, across apps",
        f"""
        SELECT a.sdk, count(DISTINCT a.package) AS apps, count(*) AS call_events, CAST(sum(a.count) AS BIGINT) AS calls,
               string_agg(DISTINCT a.category, ',' ORDER BY a.category) AS categories,
               string_agg(DISTINCT a.phase, ',' ORDER BY a.phase) AS phases,
               string_agg(DISTINCT a.package, ',' ORDER BY a.package) AS packages
        FROM api_calls a
        WHERE a.sdk NOT IN ('', 'app') AND coalesce(a.pi, true) AND a.phase IN ({_PRE})
        GROUP BY a.sdk
        ORDER BY apps DESC, calls DESC, a.sdk
        """,
    ),
    "rule-counts": CannedQuery(
        "Findings per rule",
        """
        SELECT f.rule_id, any_value(f.title) AS title,
               arg_max(f.severity, CASE f.severity WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) AS severity,
               count(*) FILTER (WHERE f.verdict = 'violation') AS violations,
               count(*) FILTER (WHERE f.verdict = 'needs-review') AS needs_review,
               count(*) FILTER (WHERE f.verdict = 'info') AS info,
               count(DISTINCT f.package) AS apps, count(DISTINCT f.run_id) AS runs
        FROM findings f
        GROUP BY f.rule_id
        ORDER BY violations DESC, f.rule_id
        """,
    ),
    "worst-apps": CannedQuery(
        "Apps ranked by high-severity violations",
        """
        SELECT r.app, r.package, any_value(r.label) AS label,
               count(*) FILTER (WHERE f.severity = 'high' AND f.verdict = 'violation') AS high_violations,
               count(*) FILTER (WHERE f.verdict = 'violation') AS violations,
               count(DISTINCT f.rule_id) FILTER (WHERE f.verdict = 'violation') AS rules
        FROM runs r LEFT JOIN findings f USING (run_id)
        GROUP BY r.app, r.package
        ORDER BY high_violations DESC, violations DESC, r.package
        """,
    ),
    "device-ids-sent": CannedQuery(
        "Apps sending device identifiers to third parties before consent",
        f"""
        SELECT r.app, m.package, any_value(r.label) AS label, m.host, NULLIF(m.sdk, '') AS sdk, m.category,
               string_agg(DISTINCT m.plant, ',' ORDER BY m.plant) AS plants,
               string_agg(DISTINCT m.form || ' in ' || m.location || CASE WHEN m.layers <> '' THEN ' via ' || m.layers ELSE '' END, '; '
                          ORDER BY m.form || ' in ' || m.location || CASE WHEN m.layers <> '' THEN ' via ' || m.layers ELSE '' END) AS encodings,
               round(min(m.t), 3) AS first_t, arg_min(m.phase, m.t) AS first_phase,
               string_agg(DISTINCT m.phase, ',' ORDER BY m.phase) AS phases,
               string_agg(DISTINCT m.scenario, ',' ORDER BY m.scenario) AS scenarios,
               count(DISTINCT m.run_id) AS runs, count(DISTINCT (m.run_id, m.seq)) AS requests,
               bool_or(m.tls_state = 'cleartext') AS cleartext
        FROM matches m JOIN runs r USING (run_id)
        WHERE m.party = 'third' AND m.phase IN ({_PRE}) AND m.category IN ({_IDS})
        GROUP BY r.app, m.package, m.host, m.sdk, m.category
        ORDER BY m.package, first_t, m.host, m.category
        """,
    ),
    "network-coverage": CannedQuery(
        "Network coverage per run: what was read and what stayed unreadable",
        """
        SELECT app, package, scenario, NULLIF(network_ca, '') AS ca, NULLIF(network_scope, '') AS scope, n_flows AS requests, n_flows_decrypted AS decrypted, n_flows_cleartext AS cleartext,
               n_tls_refused AS tls_refused, NULLIF(tls_refused_hosts, '') AS refused_hosts,
               CASE WHEN quic_measured THEN CAST(n_quic_blocked AS VARCHAR) ELSE 'not measured' END AS quic_blocked,
               n_planted AS planted, n_flows_matched AS requests_with_planted_values,
               CASE WHEN network_matched THEN 'yes' ELSE 'no (analyze again)' END AS matches_stored
        FROM runs
        ORDER BY package, scenario
        """,
    ),
    "batch-status": CannedQuery(
        "Tasks by status",
        """
        SELECT status, count(*) AS tasks, CAST(sum(attempts) AS BIGINT) AS attempts, round(sum(duration_s), 1) AS seconds
        FROM tasks GROUP BY status ORDER BY status
        """,
    ),
    "failures": CannedQuery(
        "Tasks that failed, and why",
        """
        SELECT app, scenario, status, attempts, device, error
        FROM tasks WHERE status IN ('infra_failed', 'error')
        ORDER BY app, scenario
        """,
    ),
}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


#: Statement types a query may be (DuckDB's own parse); ``--unsafe`` lifts the restriction.
_READ_ONLY = ("SELECT",)


def connect(results: str | Path, *, export_if_missing: bool = True, unsafe: bool = False) -> Any:
    """A DuckDB connection with the store's views (``findings``, ``runs``, ``api_calls``,
    ``flows``, ``matches``, ``tasks``). Exports the store first when it is missing or older than
    this harness's ``STORE_VERSION`` and ``export_if_missing``; a newer store is refused.

    Confined (the default): the views are the only files the connection can read
    (``allowed_paths`` = the store files), every other file-system access is off
    (``enable_external_access = false``: no ``read_text('/etc/passwd')``, no ``COPY ... TO``,
    no ``ATTACH``), extensions are neither installed nor loaded automatically, and the
    configuration is locked so a query cannot switch any of that back on. ``unsafe`` gives an
    ordinary DuckDB connection (the operator's own responsibility)."""
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError("DuckDB is not installed: pip install duckdb (see README)") from exc
    root = Path(results)
    paths = store_paths(root)
    version = store_version(root)
    if version > STORE_VERSION:
        raise InputError(f"the batch store in {root / 'store'} has version {version}, newer than this harness understands ({STORE_VERSION}); upgrade consent-harness")
    if version < STORE_VERSION or not all(p.is_file() for p in paths.values()):
        if not export_if_missing:
            what = "no batch store" if version == 0 else f"the batch store (version {version}) is older than this harness's ({STORE_VERSION})"
            raise InputError(f"{what} in {root / 'store'}: run 'consent-harness batch export {root}'")
        export_store(root)
    files = {name: paths[name].resolve() for name in STORE_FILES}
    if unsafe:
        con = duckdb.connect(":memory:")
    else:
        con = duckdb.connect(
            ":memory:",
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, "allow_community_extensions": False},
        )
        con.execute("SET allowed_paths = [" + ", ".join(_quote(p) for p in files.values()) + "]")
    for name, path in files.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_quote(path)})")
    if not unsafe:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    return con


def check_statement(con: Any, sql: str) -> str:
    """``sql`` if it is exactly one read-only statement (SELECT, WITH ... SELECT, FROM ...,
    DESCRIBE, SUMMARIZE), by DuckDB's own parser; InputError otherwise."""
    import duckdb

    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise InputError(f"query failed: the SQL does not parse: {str(exc)[:1000]}") from None
    if len(statements) != 1:
        raise InputError(f"give exactly one SQL statement, not {len(statements)} (batch query is read-only: one SELECT over the store's views)")
    kind = str(statements[0].type).rsplit(".", 1)[-1]
    if kind not in _READ_ONLY:
        raise InputError(f"{kind} statements are not allowed: batch query runs one read-only SELECT over the views {', '.join(STORE_FILES)} (--unsafe lifts this)")
    return sql


def query(results: str | Path, sql: str, *, export_if_missing: bool = True, unsafe: bool = False) -> pd.DataFrame:
    """Run one read-only SQL statement over the store on a confined connection (see
    :func:`connect`); return the result as a DataFrame. A refused or failing statement is an
    InputError carrying the reason (DuckDB's message when DuckDB refused it)."""
    import duckdb

    if not sql.strip():
        raise InputError("empty SQL query")
    con = connect(results, export_if_missing=export_if_missing, unsafe=unsafe)
    try:
        if not unsafe:
            check_statement(con, sql)
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise InputError(f"query failed: {str(exc)[:1000]}") from None
    finally:
        con.close()


def canned(results: str | Path, name: str) -> pd.DataFrame:
    """Run a canned query by name (see CANNED)."""
    if name not in CANNED:
        raise InputError(f"unknown canned query {name[:60]!r}; known: {', '.join(CANNED)}")
    return query(results, CANNED[name].sql)
