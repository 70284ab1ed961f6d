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

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.sensors.catalog import QUANTITIES

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
        self._seen: dict[str, datetime | str] = {}

    def __call__(self, raw: Any) -> datetime | str:
        if not isinstance(raw, str) or len(raw) > 40:
            return "invalid_time"
        hit = self._seen.get(raw)
        if hit is None:
            hit = self._seen[raw] = self._parse(raw)
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
    three. Must run in a transaction (the caller's).
    """
    from territoire.sensors.models import Sensor

    parse = TimeParser(now)
    result = IngestResult(items=len(items))
    refs = {item.get("sensor") for item in items if isinstance(item, dict)}
    refs = {r for r in refs if isinstance(r, str)}
    rows = (
        Sensor.objects.for_tenant(tenant)
        .filter(ref__in=refs)
        .values_list("ref", "pk", "tenant_id", "is_active", "quantities")
    )
    sensors = {
        ref: SensorRef(pk, tenant_id, active, frozenset(qs))
        for ref, pk, tenant_id, active, qs in rows
    }
    candidates: list[Candidate] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            result.reject(index, "invalid_item")
            continue
        ref = item.get("sensor")
        if not isinstance(ref, str) or not ref:
            result.reject(index, "missing_sensor")
            continue
        values = item_values(item)
        if values is None:
            result.reject(index, "missing_values")
            continue
        sensor = sensors.get(ref)
        if sensor is None:
            for quantity in values:
                result.reject(index, "unknown_sensor", str(quantity)[:16])
            continue
        candidates.extend(candidates_for(sensor, index, item.get("time"), values, parse, result))
    store(candidates, result)
    return result


# --- Storage -------------------------------------------------------------------------


def store(
    candidates: Iterable[Candidate], result: IngestResult | None = None, rules: Any = None
) -> IngestResult:
    """Insert the new readings among ``candidates`` and update what derives from them.

    ``rules`` (an ``alerts.RuleSet``) spares reloading the alert rules for each batch.
    """
    result = result or IngestResult()
    unique: dict[tuple[int, str, datetime], Candidate] = {}
    for c in candidates:
        key = (c.sensor_id, c.quantity, c.time)
        if key in unique:
            result.duplicates += 1
        else:
            unique[key] = c
    if not unique:
        return result
    rows = sorted(unique.values())  # index order: faster inserts, and no deadlocks
    if connection.vendor == "postgresql":
        inserted = _store_postgresql(rows)  # aggregates and latest values included
    else:
        inserted = _insert_sqlite(rows)
        if inserted:
            _update_aggregates(inserted)
            _update_latest(inserted)
    result.accepted += len(inserted)
    result.duplicates += len(rows) - len(inserted)
    result.inserted.extend(inserted)
    if inserted:
        from territoire.sensors import alerts

        alerts.evaluate_readings(inserted, rules)
    return result


# SQL templates: only placeholders ("(%s,%s,…)" groups) and function names chosen from
# the database vendor are ever formatted into them, never data.
INSERT_READINGS_SQLITE = (
    "INSERT INTO sensors_reading (sensor_id, quantity, time, value, tenant_id) VALUES {rows}"
    " ON CONFLICT (sensor_id, quantity, time) DO NOTHING"
    " RETURNING sensor_id, quantity, CAST(time AS TEXT)"
)
UPSERT_AGGREGATES = (
    "INSERT INTO sensors_aggregate"
    " (sensor_id, quantity, period, start, count, total, minimum, maximum, tenant_id)"
    " VALUES {rows}"
    " ON CONFLICT (sensor_id, quantity, period, start) DO UPDATE SET"
    " count = sensors_aggregate.count + excluded.count,"
    " total = sensors_aggregate.total + excluded.total,"
    " minimum = {least}(sensors_aggregate.minimum, excluded.minimum),"
    " maximum = {greatest}(sensors_aggregate.maximum, excluded.maximum)"
)
UPSERT_LATEST = (
    "INSERT INTO sensors_latestvalue (sensor_id, quantity, time, value, tenant_id)"
    " VALUES {rows}"
    " ON CONFLICT (sensor_id, quantity) DO UPDATE SET"
    " time = excluded.time, value = excluded.value"
    " WHERE excluded.time > sensors_latestvalue.time"
)


def _rows(width: int, count: int) -> str:
    mark = "?" if connection.vendor == "sqlite" else "%s"
    return ",".join(["(" + ",".join([mark] * width) + ")"] * count)


def _cursor() -> Any:
    """A DB-API cursor on Django's connection (same transaction).

    On SQLite, the raw cursor takes "?" placeholders directly: Django's wrapper would
    rewrite every "%s" of these long statements with a regular expression, which
    cost more than the insert itself.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.cursor()
    return connection.cursor()


SQLITE_CHUNK = 2000  # 5 parameters a row, well under SQLite's 32,766 limit


def _insert_sqlite(rows: list[Candidate]) -> list[Candidate]:
    inserted: list[Candidate] = []
    with closing(_cursor()) as cursor:
        for start in range(0, len(rows), SQLITE_CHUNK):
            chunk = rows[start : start + SQLITE_CHUNK]
            by_key = {}
            params: list[Any] = []
            for c in chunk:
                stamp = sqlite_time(c.time)
                by_key[(c.sensor_id, c.quantity, stamp)] = c
                params.extend((c.sensor_id, c.quantity, stamp, c.value, c.tenant_id))
            cursor.execute(INSERT_READINGS_SQLITE.format(rows=_rows(5, len(chunk))), params)
            # Match the returned rows back to the candidates (SQLite does not promise any
            # order for RETURNING rows), on the stored text of the time.
            for key in cursor.fetchall():
                inserted.append(by_key[key])
    return inserted


@lru_cache(maxsize=65_536)
def sqlite_time(value: datetime) -> str:
    """How Django stores an aware datetime in SQLite (naive UTC text), memoised."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


# One statement, one round trip: the staged rows go into the readings, and only the
# rows actually inserted (RETURNING) feed the hourly and daily aggregates and the
# latest values, in data-modifying CTEs. Same rules as the SQLite path below (hours in
# UTC, days from local midnight in the collectivité's time zone).
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
SELECT sensor_id, quantity, time FROM ins
"""


def _store_postgresql(rows: list[Candidate]) -> list[Candidate]:
    by_key = {(c.sensor_id, c.quantity, c.time): c for c in rows}
    with connection.cursor() as cursor:
        # COPY is the fastest way in; it cannot skip duplicates, so it fills a staging
        # table that one INSERT … SELECT … ON CONFLICT moves into the readings.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sensors_staging (sensor_id bigint, quantity text,"
            " time timestamptz, value double precision, tenant_id bigint)"
            " ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE sensors_staging")
        with cursor.copy(
            "COPY sensors_staging (sensor_id, quantity, time, value, tenant_id) FROM STDIN"
        ) as copy:
            for c in rows:
                copy.write_row(c)
        cursor.execute(STORE_POSTGRESQL, [settings.TIME_ZONE, settings.TIME_ZONE])
        return [by_key[(sid, q, t)] for sid, q, t in cursor.fetchall()]


@lru_cache(maxsize=65_536)
def hour_start(time: datetime) -> datetime:
    return time.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@lru_cache(maxsize=65_536)
def day_start(time: datetime) -> datetime:
    """Local midnight (the collectivité's day), as a UTC instant."""
    local = time.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _identity(value: datetime) -> datetime:
    return value


def _update_aggregates(inserted: list[Candidate]) -> None:
    # The tenant rides in the key: it is a function of the sensor, so it never splits
    # a bucket, and the sort order stays the index order.
    buckets: dict[tuple[int, str, str, datetime, int], list[float]] = {}
    for c in inserted:
        for period, start in (("h", hour_start(c.time)), ("d", day_start(c.time))):
            key = (c.sensor_id, c.quantity, period, start, c.tenant_id)
            b = buckets.get(key)
            if b is None:
                buckets[key] = [1, c.value, c.value, c.value]
            else:
                b[0] += 1
                b[1] += c.value
                b[2] = min(b[2], c.value)
                b[3] = max(b[3], c.value)
    postgres = connection.vendor == "postgresql"
    least, greatest = ("LEAST", "GREATEST") if postgres else ("min", "max")
    adapt = _identity if postgres else sqlite_time
    # Sorted keys: two ingestion machines lock aggregate rows in the same order, so
    # concurrent upserts wait for each other instead of deadlocking.
    items = sorted(buckets.items())
    chunk_size = 1000
    with closing(_cursor()) as cursor:
        for first in range(0, len(items), chunk_size):
            chunk = items[first : first + chunk_size]
            params: list[Any] = []
            for (sensor_id, quantity, period, bucket, tenant_id), (n, total, lo, hi) in chunk:
                params.extend(
                    (sensor_id, quantity, period, adapt(bucket), n, total, lo, hi, tenant_id)
                )
            sql = UPSERT_AGGREGATES.format(
                rows=_rows(9, len(chunk)), least=least, greatest=greatest
            )
            cursor.execute(sql, params)


def _update_latest(inserted: list[Candidate]) -> None:
    newest: dict[tuple[int, str], Candidate] = {}
    for c in inserted:
        key = (c.sensor_id, c.quantity)
        if key not in newest or c.time > newest[key].time:
            newest[key] = c
    adapt = _identity if connection.vendor == "postgresql" else sqlite_time
    rows = [newest[k] for k in sorted(newest)]
    with closing(_cursor()) as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            params: list[Any] = []
            for c in chunk:
                params.extend((c.sensor_id, c.quantity, adapt(c.time), c.value, c.tenant_id))
            cursor.execute(UPSERT_LATEST.format(rows=_rows(5, len(chunk))), params)
