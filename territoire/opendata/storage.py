"""Where the rows of a published resource live, and how the tabular API reads them.

Two backends behind one interface, chosen from the default database:

* **PostgreSQL** (production): one typed table per resource version in the schema
  ``opendata_rows``, loaded with ``COPY`` (psycopg 3), a B-tree index per column on
  ``(column NULLS FIRST, _id)`` so that any single-column sort with keyset pagination is
  an index range scan, and ``ANALYZE`` so the planner's estimates back fast totals.
* **SQLite** (the embedded default): one SQLite file per resource version under
  ``var/opendata/tables/``, the same typed table and indexes. A separate file keeps the
  platform database small and lets a 5-million-row resource be replaced atomically (a new
  file, then the pointer moves; the old file is deleted afterwards).

Physical column names are ``c0, c1, …``: user-supplied headers never reach SQL text.
A row's ``_id`` is its position in the file, which is also the tie-breaker of every sort.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection

PG_SCHEMA = "opendata_rows"
COUNT_BOUND = 10_000  # totals are exact up to this many rows, then estimated
ESTIMATE_SAMPLE = 20_000  # rows read to estimate a larger filtered total (SQLite)
SQLITE_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
PG_TYPES = {
    "integer": "bigint",
    "number": "double precision",
    "boolean": "boolean",
    "date": "date",
}
OPERATORS = ("eq", "ne", "lt", "gt", "lte", "gte", "in", "contains")
_SQL_OPS = {"eq": "=", "ne": "<>", "lt": "<", "gt": ">", "lte": "<=", "gte": ">="}


@dataclass(frozen=True)
class Filter:
    column: str  # physical name
    op: str
    value: Any  # typed; a list for "in"


@dataclass(frozen=True)
class Page:
    rows: list[tuple[Any, ...]]  # selected columns, in order
    next_cursor: str | None


def cursor_signature(sort: str | None, descending: bool) -> str:
    """Which ordering a cursor belongs to: a cursor is refused under another one."""
    return f"{sort or '_id'}:{'d' if descending else 'a'}"


def encode_cursor(region: str, value: Any, row_id: int, signature: str) -> str:
    raw = json.dumps([region, value, row_id, signature], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[str, Any, int, str]:
    """Raises ValueError on anything that is not a cursor we made."""
    padded = token + "=" * (-len(token) % 4)
    try:
        region, value, row_id, signature = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except Exception as exc:
        raise ValueError("bad cursor") from exc
    if region not in ("null", "value", "id") or not isinstance(row_id, int):
        raise ValueError("bad cursor")
    if isinstance(row_id, bool) or not isinstance(signature, str):
        raise ValueError("bad cursor")
    if value is not None and not isinstance(value, str | int | float | bool):
        raise ValueError("bad cursor")
    return region, value, row_id, signature


class Writer(Protocol):
    def write(self, rows: Iterable[Sequence[Any]]) -> None: ...


class Store(Protocol):
    """One backend. ``name`` identifies a version's table (a table name or a file)."""

    def create(self, name: str, types: Sequence[str]) -> Writer: ...
    def finish(self, name: str, types: Sequence[str]) -> None: ...
    def drop(self, name: str) -> None: ...
    def page(
        self,
        name: str,
        *,
        select: Sequence[str],
        filters: Sequence[Filter],
        sort: str | None,
        descending: bool,
        cursor: str | None,
        limit: int,
        broad: bool = False,
    ) -> Page: ...
    def count(self, name: str, filters: Sequence[Filter], total_rows: int) -> tuple[int, bool]: ...
    def aggregate(
        self, name: str, *, group: str, measure: str | None, filters: Sequence[Filter], limit: int
    ) -> list[tuple[Any, float]]: ...


def _aggregate_sql(
    table: str,
    group: str,
    measure: str | None,
    filters: Sequence[Filter],
    limit: int,
    ph: str,
    *,
    ilike: bool,
) -> tuple[str, list[Any]]:
    """Rows per value of ``group`` (or the sum of ``measure``), largest first."""
    assert re.fullmatch(r"c\d+", group) and (measure is None or re.fullmatch(r"c\d+", measure))
    clauses, params = _where(filters, ph, ilike=ilike)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    value = f"SUM({measure})" if measure else "COUNT(*)"
    sql = (
        f"SELECT {group}, {value} AS v FROM {table}{where} GROUP BY {group} "  # noqa: S608
        f"ORDER BY v DESC LIMIT {int(limit)}"
    )
    return sql, params


def physical(index: int) -> str:
    return f"c{index}"


def _where(filters: Sequence[Filter], ph: str, *, ilike: bool) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for f in filters:
        col = f.column
        assert re.fullmatch(r"c\d+", col)  # physical names only, never user text
        if f.op in _SQL_OPS:
            clauses.append(f"{col} {_SQL_OPS[f.op]} {ph}")
            params.append(f.value)
        elif f.op == "in":
            clauses.append(f"{col} IN ({', '.join([ph] * len(f.value))})")
            params.extend(f.value)
        elif f.op == "contains":
            escaped = str(f.value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = "ILIKE" if ilike else "LIKE"
            cast = f"CAST({col} AS TEXT)"
            clauses.append(f"{cast} {like} {ph} ESCAPE '\\'")
            params.append(f"%{escaped}%")
    return clauses, params


def _keyset_queries(
    *,
    table: str,
    select: Sequence[str],
    filters: Sequence[Filter],
    sort: str | None,
    descending: bool,
    cursor: str | None,
    limit: int,
    ph: str,
    ilike: bool,
    sort_table: str | None = None,
    force_null_index: bool = False,
    force_value_index: bool = False,
) -> Iterator[tuple[str, str, list[Any]]]:
    """(region, sql, params) of the queries that fill one page, in order.

    Keyset pagination on one sort column plus ``_id``. NULLs are treated as the smallest
    values (first ascending, last descending). The page is read region by region (the
    NULL rows and the valued rows) so that each query is one range of the
    ``(column NULLS FIRST, _id)`` index, which row-value comparisons use directly.
    """
    base_clauses, base_params = _where(filters, ph, ilike=ilike)
    cols = ", ".join(["_id", *(f"{c}" for c in select)])
    if sort is not None:
        assert re.fullmatch(r"c\d+", sort)
    region_c, value_c, id_c, _sig = decode_cursor(cursor) if cursor else (None, None, None, "")
    direction = "DESC" if descending else "ASC"
    cmp = "<" if descending else ">"
    if sort is None:
        clauses, params = list(base_clauses), list(base_params)
        if id_c is not None:
            clauses.append(f"_id {cmp} {ph}")
            params.append(id_c)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        yield (
            "id",
            f"SELECT {cols}, NULL FROM {table}{where} ORDER BY _id {direction} LIMIT {limit}",  # noqa: S608
            params,
        )
        return
    regions = ["value", "null"] if descending else ["null", "value"]
    if region_c in regions:
        regions = regions[regions.index(region_c) :]
    for region in regions:
        clauses, params = list(base_clauses), list(base_params)
        if region == "null":
            clauses.append(f"{sort} IS NULL")
            if region_c == "null" and id_c is not None:
                clauses.append(f"_id {cmp} {ph}")
                params.append(id_c)
            order = f"_id {direction}"
        else:
            clauses.append(f"{sort} IS NOT NULL")
            if region_c == "value" and id_c is not None:
                clauses.append(f"({sort}, _id) {cmp} ({ph}, {ph})")
                params += [value_c, id_c]
            nulls = "NULLS LAST" if descending else "NULLS FIRST"
            order = f"{sort} {direction} {nulls}, _id {direction}"
        where = f" WHERE {' AND '.join(clauses)}"
        forced = force_value_index if region == "value" else force_null_index
        source = sort_table if sort_table and forced else table
        # Identifiers are c0…cN and a checked table name; values are bound parameters.
        sql = f"SELECT {cols}, {sort} FROM {source}{where} ORDER BY {order} LIMIT {limit}"  # noqa: S608
        yield region, sql, params


def _run_page(
    run: Any,
    queries: Iterator[tuple[str, str, list[Any]]],
    limit: int,
    n_select: int,
    signature: str,
) -> Page:
    """Runs the region queries until ``limit + 1`` rows are found (the extra one says
    there is a next page)."""
    found: list[tuple[str, tuple[Any, ...]]] = []
    for region, sql, params in queries:
        need = limit + 1 - len(found)
        sql = sql.rsplit(" LIMIT ", 1)[0] + f" LIMIT {need}"
        for row in run(sql, params):
            found.append((region, tuple(row)))
        if len(found) > limit:
            break
    next_cursor = None
    if len(found) > limit:
        region, last = found[limit - 1]
        value = last[-1]
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        next_cursor = encode_cursor(region, value, int(last[0]), signature)
        found = found[:limit]
    return Page(rows=[r[1 : 1 + n_select] for _, r in found], next_cursor=next_cursor)


# --- SQLite ------------------------------------------------------------------------


def tables_dir() -> Path:
    base = Path(getattr(settings, "OPENDATA_DIR", settings.VAR_DIR / "opendata"))
    path = base / "tables"
    path.mkdir(parents=True, exist_ok=True)
    return path


_local = threading.local()


class _SqliteWriter:
    def __init__(self, conn: sqlite3.Connection, n: int) -> None:
        self.conn = conn
        cols = ", ".join(physical(i) for i in range(n))
        marks = ", ".join("?" * n)
        # _id (the rowid) is assigned 1, 2, 3… in insertion order: the file's row order.
        self.sql = f"INSERT INTO t ({cols}) VALUES ({marks})"  # noqa: S608 - c0…cN

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(self.sql, rows)


class SqliteStore:
    """One SQLite file per version; read-only connections cached per thread."""

    def _path(self, name: str) -> Path:
        assert re.fullmatch(r"[a-z0-9_]+", name)
        return tables_dir() / f"{name}.sqlite3"

    def create(self, name: str, types: Sequence[str]) -> _SqliteWriter:
        path = self._path(name)
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # A new file that is deleted if the load fails: no journal needed while loading.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA threads=2")  # index sorts may use a helper thread
        cols = ", ".join(
            f"{physical(i)} {SQLITE_TYPES.get(t, 'TEXT')}" for i, t in enumerate(types)
        )
        conn.execute(f"CREATE TABLE t (_id INTEGER PRIMARY KEY, {cols})")
        conn.execute("BEGIN")
        writer = _SqliteWriter(conn, len(types))
        _local.__dict__.setdefault("writers", {})[name] = conn
        return writer

    def finish(self, name: str, types: Sequence[str]) -> None:
        conn: sqlite3.Connection = _local.writers.pop(name)
        for i in range(len(types)):
            col = physical(i)
            # rowid (_id) is implicitly the last key of every SQLite index.
            conn.execute(f"CREATE INDEX ix_{col} ON t ({col})")
        conn.execute("COMMIT")
        # Approximate statistics (a sample of each index) are enough for the planner and
        # keep ANALYZE from reading millions of entries.
        conn.execute("PRAGMA analysis_limit=1000")
        conn.execute("ANALYZE")
        conn.close()

    def drop(self, name: str) -> None:
        writers = getattr(_local, "writers", {})
        if name in writers:
            writers.pop(name).close()
        cache = getattr(_local, "readers", {})
        prefix = f"{self._path(name)}:"
        for key in [k for k in cache if k.startswith(prefix)]:
            cache.pop(key).close()
        self._path(name).unlink(missing_ok=True)

    def _reader(self, name: str) -> sqlite3.Connection:
        # Keyed by path and inode: a file replaced under the same name (a rebuilt demo,
        # a test database) is never read through a stale connection.
        path = self._path(name)
        try:
            inode = path.stat().st_ino
        except OSError:
            raise FileNotFoundError(name) from None
        key = f"{path}:{inode}"
        cache: dict[str, sqlite3.Connection] = _local.__dict__.setdefault("readers", {})
        conn = cache.get(key)
        if conn is None:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            if len(cache) > 64:
                cache.pop(next(iter(cache))).close()
            cache[key] = conn
        return conn

    def page(
        self,
        name: str,
        *,
        select: Sequence[str],
        filters: Sequence[Filter],
        sort: str | None,
        descending: bool,
        cursor: str | None,
        limit: int,
        broad: bool = False,
    ) -> Page:
        """``broad``: the filters match many rows (known from the count). SQLite's planner
        would then pick the filter's index and sort every match; walking the sort
        column's index and skipping non-matching rows finds a page much sooner."""
        conn = self._reader(name)
        queries = _keyset_queries(
            table="t",
            select=select,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            ph="?",
            ilike=False,
            sort_table=f"t INDEXED BY ix_{sort}" if sort else None,
            # The NULL rows of the sort column are one range of its index, already in
            # _id order; SQLite would otherwise prefer an equality filter's index and
            # check every match. The valued rows walk that index only when the filters
            # are broad (else the planner's choice, then a small sort, is better).
            force_null_index=True,
            force_value_index=bool(broad and filters),
        )
        signature = cursor_signature(sort, descending)
        return _run_page(
            lambda sql, p: conn.execute(sql, p), queries, limit, len(select), signature
        )

    def count(self, name: str, filters: Sequence[Filter], total_rows: int) -> tuple[int, bool]:
        if not filters:
            return total_rows, True
        conn = self._reader(name)
        clauses, params = _where(filters, "?", ilike=False)
        where = " AND ".join(clauses)
        # First an estimate from the first rows (a rowid range: a bounded read). SQLite
        # keeps no statistics that would give a filtered count without scanning.
        sample = min(total_rows, ESTIMATE_SAMPLE)
        # NOT INDEXED: read the sample through the rowid, whatever the filters.
        sql = f"SELECT count(*) FROM t NOT INDEXED WHERE _id <= ? AND {where}"  # noqa: S608
        hits = conn.execute(sql, [sample, *params]).fetchone()[0]
        if sample == total_rows:
            return hits, True
        estimate = round(hits * total_rows / sample) if sample else 0
        if estimate > 2 * COUNT_BOUND:
            return estimate, False
        sql = f"SELECT count(*) FROM (SELECT 1 FROM t WHERE {where} LIMIT {COUNT_BOUND + 1})"  # noqa: S608
        n = conn.execute(sql, params).fetchone()[0]
        if n <= COUNT_BOUND:
            return n, True
        return max(estimate, COUNT_BOUND + 1), False

    def aggregate(
        self, name: str, *, group: str, measure: str | None, filters: Sequence[Filter], limit: int
    ) -> list[tuple[Any, float]]:
        sql, params = _aggregate_sql("t", group, measure, filters, limit, "?", ilike=False)
        return [(g, v or 0) for g, v in self._reader(name).execute(sql, params)]


# --- PostgreSQL --------------------------------------------------------------------


class _PgWriter:
    def __init__(self, table: str, n: int) -> None:
        self.table = table
        self.cols = ", ".join(physical(i) for i in range(n))

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        # _id comes from the identity column, in COPY order: the file's row order.
        with connection.cursor() as cur:
            sql = f"COPY {PG_SCHEMA}.{self.table} ({self.cols}) FROM STDIN"
            with cur.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)


class PgStore:
    def _check(self, name: str) -> str:
        assert re.fullmatch(r"[a-z0-9_]+", name)
        return f"{PG_SCHEMA}.{name}"

    def create(self, name: str, types: Sequence[str]) -> _PgWriter:
        table = self._check(name)
        cols = ", ".join(f"{physical(i)} {PG_TYPES.get(t, 'text')}" for i, t in enumerate(types))
        with connection.cursor() as cur:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}")
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            # UNLOGGED while loading would be faster but would lose the table on a crash;
            # a published table must survive one.
            cur.execute(
                f"CREATE TABLE {table} "
                f"(_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, {cols})"
            )
        return _PgWriter(name, len(types))

    def finish(self, name: str, types: Sequence[str]) -> None:
        table = self._check(name)
        with connection.cursor() as cur:
            for i in range(len(types)):
                col = physical(i)
                cur.execute(f"CREATE INDEX ON {table} ({col} NULLS FIRST, _id)")
            cur.execute(f"ANALYZE {table}")

    def drop(self, name: str) -> None:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self._check(name)}")

    def page(
        self,
        name: str,
        *,
        select: Sequence[str],
        filters: Sequence[Filter],
        sort: str | None,
        descending: bool,
        cursor: str | None,
        limit: int,
        broad: bool = False,  # PostgreSQL's planner decides from its statistics
    ) -> Page:
        table = self._check(name)
        queries = _keyset_queries(
            table=table,
            select=select,
            filters=filters,
            sort=sort,
            descending=descending,
            cursor=cursor,
            limit=limit,
            ph="%s",
            ilike=True,
        )
        with connection.cursor() as cur:

            def run(sql: str, params: list[Any]) -> list[Any]:
                cur.execute(sql, params)
                return list(cur.fetchall())

            return _run_page(run, queries, limit, len(select), cursor_signature(sort, descending))

    def count(self, name: str, filters: Sequence[Filter], total_rows: int) -> tuple[int, bool]:
        if not filters:
            return total_rows, True
        table = self._check(name)
        clauses, params = _where(filters, "%s", ilike=True)
        where = " AND ".join(clauses)
        with connection.cursor() as cur:
            # The planner's estimate from the ANALYZE statistics first: no scan at all.
            cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE {where}", params)  # noqa: S608
            plan = cur.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            estimate = int(plan[0]["Plan"]["Plan Rows"])
            if estimate > 2 * COUNT_BOUND:
                return estimate, False
            cur.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} "  # noqa: S608
                f"LIMIT {COUNT_BOUND + 1}) s",
                params,
            )
            n = cur.fetchone()[0]
            if n <= COUNT_BOUND:
                return n, True
            return max(estimate, COUNT_BOUND + 1), False

    def aggregate(
        self, name: str, *, group: str, measure: str | None, filters: Sequence[Filter], limit: int
    ) -> list[tuple[Any, float]]:
        table = self._check(name)
        sql, params = _aggregate_sql(table, group, measure, filters, limit, "%s", ilike=True)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [(g, float(v or 0)) for g, v in cur.fetchall()]


def store() -> Store:
    """The backend of this installation (``OPENDATA_STORE``: auto, postgresql, sqlite)."""
    choice = getattr(settings, "OPENDATA_STORE", "auto")
    if choice == "auto":
        choice = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    return PgStore() if choice == "postgresql" else SqliteStore()
