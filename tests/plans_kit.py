"""Capture every statement an engine runs, EXPLAIN each one, and say which
table accesses read a growing table without an index.

SQLite: `EXPLAIN QUERY PLAN`; a "SCAN <table>" with no index on a growing table
is a full scan. PostgreSQL: `EXPLAIN (FORMAT JSON)` under `enable_seqscan =
off`, so a Seq Scan that survives means no usable index; an index walked whole
(no Index Cond) with a Filter, or outside a LIMIT, is a scan too."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# Tables that grow with the station's use: with voters, tickets, messages and
# pushes, or with voters times deputies or broadcasts. At 100,000 voters and
# 1,000,000 tickets any full read of one of these is the latency cliff.
GROWING = frozenset({
    "voters",  # every follower (100,000 in the big-data bench)
    "tickets", "ticket_events", "ticket_terms",  # per opinion, several events and dozens of terms each
    "labelled_examples",  # per staff correction, unbounded over the years
    "inbound_messages", "outbound_pushes", "contact_windows",  # per message, per push, per person who wrote
    "audit_events",  # per action, append-only
    "broadcast_deliveries",  # per broadcast times recipients
    "reception_bookings",  # per voter booking, every month
    "duty_activities",  # per deputy action, including every ticket handled
    "duty_poll_receipts", "duty_poll_ballots", "duty_poll_pending",  # per voter and deputy, every year
})
# Every other table is bounded by the roster's shape, not by use, and stays
# small (tens to a few thousand rows) at any station size:
#   townships, sites, constituencies, villages, natural_villages, activity_groups: the township's geography
#   deputies, mandates, contact_links, voter_groups: a few hundred deputies and their links and groups
#   deputy_bindings, issued_qr_codes, qr_codes: a few per deputy, site and group
#   users: the staff and deputies with console logins
#   ticket_counters: one row per year; holiday_days: a few dozen a year
#   reception_rules, receptions, reception_duties: per site, per month, a few deputies each
#   broadcasts: staff notices, a few a week; duty_evaluations, duty_polls: per deputy per year, per year
#   alembic_version: one row

# True/false columns whose usual value covers most of the table: an index condition on
# these alone (confidential IS false, subscribed IS true) still reads half the table or more.
# So does an IS NULL test (duplicate_of_id IS NULL: nearly every ticket).
UNSELECTIVE = frozenset({("tickets", "confidential"), ("tickets", "urgent"), ("tickets", "needs_triage"),
                         ("voters", "subscribed"), ("inbound_messages", "throttled")})


def _weak(table: str, conds: dict[str, str]) -> bool:
    """Whether an index condition of these (column -> test) alone leaves most of the table."""
    return bool(conds) and all((table, c) in UNSELECTIVE or test == "IS NULL" for c, test in conds.items())


@dataclass
class Statement:
    label: str  # what the test was doing when it ran
    sql: str
    params: Any


@dataclass
class Recorder:
    engine: Engine
    label: str = ""
    seen: list[Statement] = field(default_factory=list)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if executemany and isinstance(parameters, (list, tuple)) and parameters \
                and isinstance(parameters[0], (list, tuple, dict)):
            parameters = parameters[0]  # one row is enough to plan the statement
        self.seen.append(Statement(self.label, statement, parameters))

    @contextmanager
    def doing(self, label: str) -> Iterator[None]:
        self.label = label
        try:
            yield
        finally:
            self.label = ""

    def distinct(self) -> list[Statement]:
        """Each planned statement once (the first parameters it ran with), in order."""
        out: dict[str, Statement] = {}
        for s in self.seen:
            if _PLANNED.match(s.sql) and s.sql not in out:
                out[s.sql] = s
        return list(out.values())


_PLANNED = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.I)


@contextmanager
def recording(engine: Engine) -> Iterator[Recorder]:
    recorder = Recorder(engine)
    event.listen(engine, "before_cursor_execute", recorder)
    try:
        yield recorder
    finally:
        event.remove(engine, "before_cursor_execute", recorder)


@dataclass
class Finding:
    statement: Statement
    plan: str
    scans: list[str]  # the offending table accesses

    def __str__(self) -> str:
        return (f"[{self.statement.label}] unindexed read of {', '.join(self.scans)}\n"
                f"statement: {self.statement.sql}\nparameters: {self.statement.params!r}\nplan:\n{self.plan}")


def explain(conn: Connection, statement: Statement) -> Finding:
    """The statement's plan and the growing tables it reads without an index."""
    if conn.dialect.name == "postgresql":
        return _explain_postgres(conn, statement)
    return _explain_sqlite(conn, statement)


# -- SQLite ------------------------------------------------------------------------------------------------------
_ACCESS = re.compile(r"^(SCAN|SEARCH) (\w+)(.*)$")


def _explain_sqlite(conn: Connection, statement: Statement) -> Finding:
    rows = _run(conn, "EXPLAIN QUERY PLAN " + statement.sql, _sqlite_params(statement.params))
    aliases = _aliases(statement.sql)
    nulls = set(re.findall(r"\.(\w+) IS NULL", statement.sql))  # SQLite's plan shows "col=?" for these too
    scans = []
    for row in rows:
        m = _ACCESS.match(row[3])
        if m is None:
            continue
        how, name, rest = m.groups()
        table = aliases.get(name, name)
        if table not in GROWING:
            continue
        if how == "SCAN" and "INDEX" not in rest and "PRIMARY KEY" not in rest:
            scans.append(f"{table} ({row[3]})")
        elif how == "SEARCH" and _weak(table, {c: "IS NULL" if c in nulls else "=" for c in
                                                re.findall(r"(\w+)[=<>]", rest)}):
            scans.append(f"{table} ({row[3]}: the index's condition leaves most of the table)")
    plan = "\n".join(f"  {row[3]}" for row in rows) or "  (no table read)"
    return Finding(statement, plan, scans)


def _run(conn: Connection, sql: str, params: Any) -> list[tuple]:
    """Through the driver's own cursor: the statement and parameters exactly as the app sent them."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []
    finally:
        cursor.close()


def _sqlite_params(params: Any) -> Any:
    return tuple(params) if isinstance(params, (list, tuple)) else (params or ())


def _aliases(sql: str) -> dict[str, str]:
    """alias -> table for `table AS alias` (SQLite's plan names the alias only)."""
    return {alias: table for table, alias in re.findall(r'"?(\w+)"? AS "?(\w+)"?', sql)}


# -- PostgreSQL --------------------------------------------------------------------------------------------------
_INDEX_SCANS = ("Index Scan", "Index Only Scan")


def _explain_postgres(conn: Connection, statement: Statement) -> Finding:
    # In a transaction of its own, rolled back: EXPLAIN without ANALYZE runs nothing, and the
    # setting stays local to it.
    with conn.begin() as tx:
        _run(conn, "SET LOCAL enable_seqscan = off", None)
        raw = _run(conn, "EXPLAIN (FORMAT JSON) " + statement.sql, statement.params)[0][0]
        text = "\n".join("  " + r[0] for r in _run(conn, "EXPLAIN " + statement.sql, statement.params))
        leading = dict(_run(conn, _LEADING, None))
        tx.rollback()
    doc = raw if isinstance(raw, list) else json.loads(raw)
    scans: list[str] = []
    _walk(doc[0]["Plan"], leading, under_limit=False, scans=scans)
    return Finding(statement, text, scans)


# Each index's first column: a condition on a later column alone walks the whole index.
_LEADING = """SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
WHERE c.relnamespace = current_schema()::regnamespace"""
_TEST = re.compile(r"\(*(\w+)\)*(?:::\w+)?\s*(IS NULL|IS NOT NULL|IS FALSE|IS TRUE|IS NOT FALSE|IS NOT TRUE|"
                   r"= ANY|<>|<=|>=|=|<|>)")


def _index_scans(node: dict) -> list[tuple[str | None, dict[str, str]]]:
    """(index, column -> test) of a scan node, or of each bitmap index scan under it."""
    if node["Node Type"] != "Bitmap Heap Scan":
        return [(node.get("Index Name"), _tests(node.get("Index Cond", "")))]
    out, stack = [], list(node.get("Plans", ()))
    while stack:
        child = stack.pop()
        if child["Node Type"] == "Bitmap Index Scan":
            out.append((child.get("Index Name"), _tests(child.get("Index Cond", ""))))
        stack.extend(child.get("Plans", ()))
    return out


def _tests(cond: str) -> dict[str, str]:
    return {column: test for column, test in _TEST.findall(cond)}


def _walk(node: dict, leading: dict[str, str], under_limit: bool, scans: list[str]) -> None:
    kind, table = node["Node Type"], node.get("Relation Name")
    if table in GROWING:
        if kind == "Seq Scan":
            scans.append(f"{table} (Seq Scan)")
        elif kind in (*_INDEX_SCANS, "Bitmap Heap Scan"):
            for index, conds in _index_scans(node):
                if not conds:
                    if "Filter" in node or not under_limit:
                        scans.append(f"{table} ({kind} using {index} without a condition)")
                elif leading.get(index or "") not in conds:
                    scans.append(f"{table} ({kind} using {index}: no condition on its first column, "
                                 f"{leading.get(index or '')})")
                elif _weak(table, conds):
                    scans.append(f"{table} ({kind} using {index}: the condition leaves most of the table)")
    limit = kind == "Limit" or (under_limit and kind in ("Sort", "Incremental Sort", "Nested Loop", "Result"))
    for child in node.get("Plans", ()):
        _walk(child, leading, limit, scans)
