"""Lossless, idempotent storage of readings, shared by HTTP, MQTT, the port and the demo.

One path for every source: items are validated (each refusal carries a reason code and
a message), de-duplicated within the batch, then written with one
``INSERT … ON CONFLICT DO NOTHING RETURNING`` per chunk (through a ``COPY`` into a
staging table on PostgreSQL), so a reading sent twice is stored once and we learn
exactly which rows are new. Only those new rows then update the hourly and daily
aggregates (additively, so aggregates stay exact after raw readings are purged), the
latest value of each quantity, and the alert rules. Callers wrap a batch in one
transaction: either all of it is stored, or none and the message can be redelivered.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.sensors.catalog import QUANTITIES

# code -> (minimum, maximum): the physical range, looked up once per value.
RANGES = {code: (q.minimum, q.maximum) for code, q in QUANTITIES.items()}
FUTURE_TOLERANCE = timedelta(minutes=5)

REASONS = {
    "invalid_item": _("Élément illisible : un objet JSON est attendu."),
    "missing_sensor": _("Champ « sensor » manquant."),
    "unknown_sensor": _("Capteur inconnu dans cette collectivité."),
    "inactive_sensor": _("Capteur désactivé."),
    "missing_values": _("Il faut « quantity » et « value », ou « values »."),
    "unknown_quantity": _("Grandeur inconnue."),
    "quantity_not_measured": _("Ce capteur ne mesure pas cette grandeur."),
    "invalid_time": _("Horodatage illisible : ISO 8601 attendu."),
    "missing_timezone": _("Horodatage sans fuseau horaire (ajoutez « Z » ou « +01:00 »)."),
    "future_time": _("Horodatage dans le futur."),
    "too_old": _("Horodatage trop ancien."),
    "invalid_value": _("Valeur non numérique."),
    "out_of_range": _("Valeur hors de la plage physique de la grandeur."),
}


@dataclass(frozen=True)
class Rejection:
    index: int
    reason: str
    quantity: str = ""

    @property
    def message(self) -> str:
        return str(REASONS[self.reason])


class Candidate(NamedTuple):
    """One valid reading about to be stored (a tuple: cheap to build, hash and sort)."""

    sensor_id: int
    quantity: str
    time: datetime  # aware, UTC
    value: float
    tenant_id: int  # always the sensor's own (copied from its row, never from input)

    @classmethod
    def of(cls, sensor: Any, quantity: str, time: datetime, value: float) -> Candidate:
        """A reading of ``sensor`` (a ``Sensor`` or a :class:`SensorRef`)."""
        return cls(sensor.pk, quantity, time, value, sensor.tenant_id)


class SensorRef(NamedTuple):
    """What validation needs to know of a sensor (lighter than a model instance)."""

    pk: int
    tenant_id: int
    is_active: bool
    quantities: frozenset[str]


@dataclass
class IngestResult:
    items: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[Rejection] = field(default_factory=list)
    # The new readings, only when alert rules needed them (otherwise they are not
    # brought back from the database at all).
    inserted: list[Candidate] = field(default_factory=list)

    def reject(self, index: int, reason: str, quantity: str = "") -> None:
        self.rejected += 1
        self.errors.append(Rejection(index, reason, quantity))


# --- Validation ----------------------------------------------------------------------


class TimeParser:
    """Reads the timestamps of one batch: bounds computed once, each string parsed once.

    Returns an aware UTC datetime, or the reason code why the value is refused.
    """

    def __init__(self, now: datetime | None = None) -> None:
        now = now or timezone.now()
        self.newest = now + FUTURE_TOLERANCE
        # Nothing older than the raw retention either: a purged reading sent again would
        # not be recognised as a duplicate and would be counted twice in its aggregates.
        max_age = min(settings.SENSORS_MAX_BACKFILL_DAYS, settings.SENSORS_RAW_RETENTION_DAYS)
        self.oldest = now - timedelta(days=max_age)
        # Raw string -> parsed value (or reason): a batch repeats its timestamps a lot.
        self.cache: dict[str, datetime | str] = {}

    def __call__(self, raw: Any) -> datetime | str:
        if not isinstance(raw, str) or len(raw) > 40:
            return "invalid_time"
        hit = self.cache.get(raw)
        if hit is None:
            hit = self.cache[raw] = self._parse(raw)
        return hit

    def _parse(self, raw: str) -> datetime | str:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return "invalid_time"
        if value.tzinfo is None:
            return "missing_timezone"
        if value > self.newest:
            return "future_time"
        if value < self.oldest:
            return "too_old"
        return value.astimezone(UTC)


def check_value(quantity: str, raw: Any) -> float | str:
    """A float within the physical range of ``quantity``, or a reason code."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return "invalid_value"
    value = float(raw)
    if not math.isfinite(value):
        return "invalid_value"
    spec = QUANTITIES[quantity]
    if not spec.minimum <= value <= spec.maximum:
        return "out_of_range"
    return value


def candidates_for(
    sensor: Any,
    index: int,
    raw_time: Any,
    values: dict[str, Any],
    parse: TimeParser,
    result: IngestResult,
) -> list[Candidate]:
    """Validate the values of one item of ``sensor``; refusals go to ``result``.

    ``sensor`` is a :class:`SensorRef` or a ``Sensor`` (``pk``, ``tenant_id``,
    ``is_active``, ``quantities``).
    """
    if not sensor.is_active:
        result.reject(index, "inactive_sensor")
        return []
    when = parse(raw_time)
    if isinstance(when, str):
        for quantity in values or {"": None}:
            result.reject(index, when, str(quantity)[:16])
        return []
    out = []
    measured = sensor.quantities
    sensor_id, tenant_id = sensor.pk, sensor.tenant_id
    for quantity, raw in values.items():
        if quantity not in QUANTITIES:
            result.reject(index, "unknown_quantity", str(quantity)[:16])
            continue
        if quantity not in measured:
            result.reject(index, "quantity_not_measured", quantity)
            continue
        value = check_value(quantity, raw)
        if isinstance(value, str):
            result.reject(index, value, quantity)
            continue
        out.append(Candidate(sensor_id, quantity, when, value, tenant_id))
    return out


def item_values(item: dict[str, Any]) -> dict[str, Any] | None:
    """``{"quantity": q, "value": v}`` or ``{"values": {...}}`` as one mapping."""
    if "values" in item:
        values = item["values"]
        return values if isinstance(values, dict) and values else None
    if "quantity" in item and "value" in item and isinstance(item["quantity"], str):
        return {item["quantity"]: item["value"]}
    return None


def ingest_items(*, tenant: Any, items: Sequence[Any], now: datetime | None = None) -> IngestResult:
    """Validate and store the HTTP bulk items of ``tenant`` (see the API contract).

    Counts are per reading: an item with ``values`` holding three quantities counts
    three. Validation runs before the transaction, the storage in one: with SQLite's
    single writer, a second request validates while the first one writes.
    """
    parse = TimeParser(now)
    result = IngestResult(items=len(items))
    # Only strings: a list or an object as "sensor" is refused below, not hashed here.
    refs = {ref for item in items if type(item) is dict and type(ref := item.get("sensor")) is str}
    sensors = sensor_refs(tenant.pk, sorted(refs))
    candidates: list[Candidate] = []
    append = candidates.append
    times = parse.cache
    for index, item in enumerate(items):
        # Fast path: a valid item in one of the two contract forms, checked inline with
        # no call per value (10,000 items a request). Anything else — including every
        # invalid item — takes the general path below, which finds and records why.
        if type(item) is dict:
            ref = item.get("sensor")
            sensor = sensors.get(ref) if type(ref) is str else None
            raw_time = item.get("time")
            if sensor is not None and sensor.is_active and type(raw_time) is str:
                when = times.get(raw_time) or parse(raw_time)
                if type(when) is datetime:
                    if "values" in item:
                        values = item["values"]
                        if type(values) is dict and values:
                            fresh = _fast_values(sensor, when, values)
                            if fresh is not None:
                                candidates.extend(fresh)
                                continue
                    elif "quantity" in item and "value" in item:
                        # The single-value form, inline (the same checks as
                        # _fast_values): it is most of the traffic.
                        quantity, raw = item["quantity"], item["value"]
                        bounds = RANGES.get(quantity) if type(quantity) is str else None
                        kind = type(raw)
                        if (
                            bounds is not None
                            and quantity in sensor.quantities
                            and (kind is float or kind is int)
                            and bounds[0] <= raw <= bounds[1]
                        ):
                            append(
                                Candidate(sensor.pk, quantity, when, float(raw), sensor.tenant_id)
                            )
                            continue
        _general_item(index, item, sensors, parse, result, append)
    with transaction.atomic():
        store(candidates, result)
    return result


# One parameter whatever the number of refs (a request names up to thousands): the
# ORM's ``ref__in`` costs more to build than the query costs to run.
SENSOR_REFS = {
    "postgresql": "SELECT ref, id, tenant_id, is_active, quantities FROM sensors_sensor"
    " WHERE tenant_id = %s AND ref = ANY(%s)",
    "sqlite": "SELECT ref, id, tenant_id, is_active, quantities FROM sensors_sensor"
    " WHERE tenant_id = ? AND ref IN (SELECT value FROM json_each(?))",
}


def sensor_refs(tenant_id: int, refs: list[str]) -> dict[str, SensorRef]:
    """What validation needs of the sensors of ``tenant_id`` named ``refs``, by ref."""
    if not refs:
        return {}
    vendor = connection.vendor
    if vendor == "postgresql":
        params: list[Any] = [tenant_id, refs]
    else:
        params = [tenant_id, orjson.dumps(refs).decode()]
    with closing(_cursor()) as cursor:
        cursor.execute(SENSOR_REFS[vendor], params)
        rows = cursor.fetchall()
    return {
        ref: SensorRef(pk, tid, bool(active), frozenset(orjson.loads(qs)))
        for ref, pk, tid, active, qs in rows
    }


def _fast_values(
    sensor: SensorRef, when: datetime, values: dict[Any, Any]
) -> list[Candidate] | None:
    """The candidates of ``values`` if every one is valid, else None (general path)."""
    out = []
    measured = sensor.quantities
    for quantity, raw in values.items():
        bounds = RANGES.get(quantity) if type(quantity) is str else None
        kind = type(raw)
        # NaN and infinities fail the range test, booleans the type test.
        if (
            bounds is None
            or quantity not in measured
            or (kind is not float and kind is not int)
            or not bounds[0] <= raw <= bounds[1]
        ):
            return None
        out.append(Candidate(sensor.pk, quantity, when, float(raw), sensor.tenant_id))
    return out


def _general_item(
    index: int,
    item: Any,
    sensors: dict[str, SensorRef],
    parse: TimeParser,
    result: IngestResult,
    append: Any,
) -> None:
    if not isinstance(item, dict):
        result.reject(index, "invalid_item")
        return
    ref = item.get("sensor")
    if not isinstance(ref, str) or not ref:
        result.reject(index, "missing_sensor")
        return
    values = item_values(item)
    if values is None:
        result.reject(index, "missing_values")
        return
    sensor = sensors.get(ref)
    if sensor is None:
        for quantity in values:
            result.reject(index, "unknown_sensor", str(quantity)[:16])
        return
    for c in candidates_for(sensor, index, item.get("time"), values, parse, result):
        append(c)


# --- Storage -------------------------------------------------------------------------


def store(
    candidates: Iterable[Candidate], result: IngestResult | None = None, rules: Any = None
) -> IngestResult:
    """Insert the new readings among ``candidates`` and update what derives from them.

    Set-based on both databases: the batch goes into a temporary staging table in one
    statement (``COPY`` on PostgreSQL), then a few ``INSERT … SELECT`` move the new rows
    into the readings (duplicates skipped by the primary key) and add them to the
    hourly and daily aggregates and the latest values. The new rows come back to Python
    only when an alert rule may need them.

    ``rules`` (an ``alerts.RuleSet``) spares reloading the alert rules for each batch.
    """
    from territoire.sensors import alerts

    result = result or IngestResult()
    unique: dict[tuple[int, str, datetime], Candidate] = {}
    for c in candidates:
        unique.setdefault((c[0], c[1], c[2]), c)  # the first of in-batch duplicates wins
        result.duplicates += 1
    result.duplicates -= len(unique)
    if not unique:
        return result
    rows = list(unique.values())
    rules = rules or alerts.RuleSet.load()
    want = rules.watches_anything
    if connection.vendor == "postgresql":
        count, inserted = _store_postgresql(rows, want)
    else:
        count, inserted = _store_sqlite(rows, want)
    result.accepted += count
    result.duplicates += len(rows) - count
    if inserted:
        result.inserted.extend(inserted)
        alerts.evaluate_readings(inserted, rules)
    return result


def _cursor() -> Any:
    """A DB-API cursor on Django's connection (same transaction).

    On SQLite, the raw cursor takes "?" placeholders directly: Django's wrapper would
    rewrite every "%s" of these statements with a regular expression, and its
    ``executemany`` goes through Python for every row.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.cursor()
    return connection.cursor()


@lru_cache(maxsize=65_536)
def sqlite_time(value: datetime) -> str:
    """How Django stores an aware datetime in SQLite (naive UTC text), memoised."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


# SQLite. Times are Django's naive UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]"), so the
# hour is a prefix; the local day of each hour is computed in Python (SQLite knows no
# time zones) into a small table. SQLite has one writer at a time (transactions are
# IMMEDIATE), so nothing can insert between the duplicate check and the insert.
SQLITE_SETUP = (
    "CREATE TEMP TABLE IF NOT EXISTS sensors_staging (sensor_id INTEGER, quantity TEXT,"
    " time TEXT, value REAL, tenant_id INTEGER)",
    "CREATE TEMP TABLE IF NOT EXISTS sensors_days (hour TEXT PRIMARY KEY, day TEXT)",
    "DELETE FROM temp.sensors_staging",
    "DELETE FROM temp.sensors_days",
)
SQLITE_STAGE = "INSERT INTO temp.sensors_staging VALUES (?, ?, ?, ?, ?)"
SQLITE_DROP_DUPLICATES = (
    "DELETE FROM temp.sensors_staging WHERE EXISTS (SELECT 1 FROM sensors_reading r"
    " WHERE r.sensor_id = sensors_staging.sensor_id AND r.quantity = sensors_staging.quantity"
    " AND r.time = sensors_staging.time)"
)
SQLITE_INSERT = (
    "INSERT INTO sensors_reading (sensor_id, quantity, time, value, tenant_id)"
    " SELECT sensor_id, quantity, time, value, tenant_id FROM temp.sensors_staging"
    " ORDER BY sensor_id, quantity, time"
)
# "WHERE true": SQLite's documented way to tell an upsert's ON from a join's.
SQLITE_AGGREGATES = """
INSERT INTO sensors_aggregate
    (sensor_id, quantity, period, start, count, total, minimum, maximum, tenant_id)
SELECT * FROM (
    SELECT sensor_id, quantity, 'h', substr(time, 1, 13) || ':00:00', count(*), sum(value),
           min(value), max(value), min(tenant_id)
    FROM temp.sensors_staging GROUP BY sensor_id, quantity, substr(time, 1, 13)
    UNION ALL
    SELECT s.sensor_id, s.quantity, 'd', d.day, count(*), sum(s.value), min(s.value),
           max(s.value), min(s.tenant_id)
    FROM temp.sensors_staging s JOIN temp.sensors_days d ON d.hour = substr(s.time, 1, 13)
    GROUP BY s.sensor_id, s.quantity, d.day
) WHERE true
ON CONFLICT (sensor_id, quantity, period, start) DO UPDATE SET
    count = sensors_aggregate.count + excluded.count,
    total = sensors_aggregate.total + excluded.total,
    minimum = min(sensors_aggregate.minimum, excluded.minimum),
    maximum = max(sensors_aggregate.maximum, excluded.maximum)
"""
# With max(), SQLite takes the other (bare) columns from the row holding the maximum.
SQLITE_LATEST = """
INSERT INTO sensors_latestvalue (sensor_id, quantity, time, value, tenant_id)
SELECT * FROM (
    SELECT sensor_id, quantity, max(time), value, tenant_id
    FROM temp.sensors_staging GROUP BY sensor_id, quantity
) WHERE true
ON CONFLICT (sensor_id, quantity) DO UPDATE SET time = excluded.time, value = excluded.value
WHERE excluded.time > sensors_latestvalue.time
"""


def _store_sqlite(rows: list[Candidate], want: bool) -> tuple[int, list[Candidate]]:
    stamp = sqlite_time
    with closing(_cursor()) as cursor:
        for statement in SQLITE_SETUP:
            cursor.execute(statement)
        cursor.executemany(SQLITE_STAGE, [(c[0], c[1], stamp(c[2]), c[3], c[4]) for c in rows])
        cursor.execute(SQLITE_DROP_DUPLICATES)
        cursor.execute(SQLITE_INSERT)
        count = cursor.rowcount
        if not count:
            return 0, []
        cursor.execute("SELECT DISTINCT substr(time, 1, 13) FROM temp.sensors_staging")
        hours = [h for (h,) in cursor.fetchall()]
        cursor.executemany(
            "INSERT INTO temp.sensors_days VALUES (?, ?)",
            [(h, stamp(day_start(datetime.fromisoformat(f"{h}:00:00+00:00")))) for h in hours],
        )
        cursor.execute(SQLITE_AGGREGATES)
        cursor.execute(SQLITE_LATEST)
        if not want:
            return count, []
        by_key = {(c[0], c[1], stamp(c[2])): c for c in rows}
        cursor.execute("SELECT sensor_id, quantity, time FROM temp.sensors_staging")
        return count, [by_key[key] for key in cursor.fetchall()]


# PostgreSQL: one COPY (binary) into a staging table, then one statement: the staged
# rows go into the readings, and only the rows actually inserted (RETURNING) feed the
# hourly and daily aggregates and the latest values, in data-modifying CTEs. Rows are
# sorted before each upsert so that two ingestion machines lock rows in the same order
# (they wait for each other instead of deadlocking). Hours in UTC, days from local
# midnight in the collectivité's time zone (as on SQLite).
STORE_POSTGRESQL = """
WITH ins AS (
    INSERT INTO sensors_reading (sensor_id, quantity, time, value, tenant_id)
    SELECT sensor_id, quantity, time, value, tenant_id FROM sensors_staging
    ORDER BY sensor_id, quantity, time
    ON CONFLICT (sensor_id, quantity, time) DO NOTHING
    RETURNING sensor_id, quantity, time, value, tenant_id
), buckets AS (
    SELECT sensor_id, quantity, 'h' AS period,
           date_trunc('hour', time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start, value,
           tenant_id
    FROM ins
    UNION ALL
    SELECT sensor_id, quantity, 'd',
           date_trunc('day', time AT TIME ZONE %s) AT TIME ZONE %s, value, tenant_id
    FROM ins
), aggregates AS (
    INSERT INTO sensors_aggregate AS a
        (sensor_id, quantity, period, start, count, total, minimum, maximum, tenant_id)
    SELECT sensor_id, quantity, period, start, count(*), sum(value), min(value), max(value),
           min(tenant_id)
    FROM buckets GROUP BY sensor_id, quantity, period, start
    ORDER BY sensor_id, quantity, period, start
    ON CONFLICT (sensor_id, quantity, period, start) DO UPDATE SET
        count = a.count + excluded.count,
        total = a.total + excluded.total,
        minimum = LEAST(a.minimum, excluded.minimum),
        maximum = GREATEST(a.maximum, excluded.maximum)
), latest AS (
    INSERT INTO sensors_latestvalue AS l (sensor_id, quantity, time, value, tenant_id)
    SELECT DISTINCT ON (sensor_id, quantity) sensor_id, quantity, time, value, tenant_id
    FROM ins ORDER BY sensor_id, quantity, time DESC
    ON CONFLICT (sensor_id, quantity) DO UPDATE SET time = excluded.time, value = excluded.value
    WHERE excluded.time > l.time
)
"""
PG_COPY_TYPES = ["int8", "text", "timestamptz", "float8", "int8"]


def _store_postgresql(rows: list[Candidate], want: bool) -> tuple[int, list[Candidate]]:
    with connection.cursor() as cursor:
        # COPY is the fastest way in; it cannot skip duplicates, so it fills a staging
        # table that one INSERT … SELECT … ON CONFLICT moves into the readings.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sensors_staging (sensor_id bigint, quantity text,"
            " time timestamptz, value double precision, tenant_id bigint)"
            " ON COMMIT DELETE ROWS"
        )
        cursor.execute("DELETE FROM sensors_staging")  # a second batch in one transaction
        with cursor.copy(
            "COPY sensors_staging (sensor_id, quantity, time, value, tenant_id)"
            " FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(PG_COPY_TYPES)
            write = copy.write_row
            for c in rows:
                write(c)
        tail = "SELECT sensor_id, quantity, time FROM ins" if want else "SELECT count(*) FROM ins"
        cursor.execute(STORE_POSTGRESQL + tail, [settings.TIME_ZONE, settings.TIME_ZONE])
        if not want:
            return cursor.fetchone()[0], []
        by_key = {(c[0], c[1], c[2]): c for c in rows}
        return len(found := cursor.fetchall()), [by_key[(s, q, t)] for s, q, t in found]


@lru_cache(maxsize=65_536)
def day_start(time: datetime) -> datetime:
    """Local midnight (the collectivité's day), as a UTC instant."""
    local = time.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
