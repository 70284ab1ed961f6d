"""The query "one sensor, one week, hourly" at fleet size, on PostgreSQL.

    .venv/bin/python bench/sensors_query.py [--sensors 10000] [--days 30] [--queries 200]

In a fresh database ``h_sensors_query``: 10,000 sensors of one collectivité reporting
one reading a minute for 30 days. The hourly query reads only the hourly aggregates
(kept up to date at ingestion), so those are generated in full, directly in SQL
(10,000 × 30 × 24 = 7.2 million rows, as ingestion would leave them); raw readings
(432 million rows at that size) are generated for 1 % of the sensors, for the raw
query "one sensor, one day" (1,440 points). Each query goes through the selector the
pages and the API use (``selectors.series``), for random sensors; prints the median
and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

DB = "h_sensors_query"
HOUR = timedelta(hours=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sensors", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB}")
        c.execute(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from territoire.core.models import LocalAuthority
    from territoire.sensors import selectors
    from territoire.sensors.models import Sensor

    call_command("migrate", interactive=False, verbosity=0)
    tenant = LocalAuthority.objects.create(name="Banc", slug="banc", kind="commune")
    Sensor.objects.bulk_create(
        (
            Sensor(
                tenant=tenant,
                ref=f"S{i:05d}",
                name=f"S{i}",
                kind="water_flow",
                quantities=["flow"],
            )
            for i in range(args.sensors)
        ),
        batch_size=5000,
    )
    end = datetime(2026, 11, 30, tzinfo=UTC)
    start = end - timedelta(days=args.days)
    raw_sensors = max(1, args.sensors // 100)
    t = time.perf_counter()
    with connection.cursor() as cursor:
        # Hourly aggregates of every sensor: 60 readings an hour, values around 10.
        cursor.execute(
            """
            INSERT INTO sensors_aggregate
                (sensor_id, quantity, period, start, count, total, minimum, maximum, tenant_id)
            SELECT s.id, 'flow', 'h', h, 60, 600 + (s.id %% 17), 8, 12, s.tenant_id
            FROM sensors_sensor s,
                 generate_series(%s::timestamptz, %s::timestamptz - interval '1 hour',
                                 interval '1 hour') h
            ORDER BY 1, 2, 3, 4
            """,
            [start, end],
        )
        cursor.execute(
            """
            INSERT INTO sensors_reading (sensor_id, quantity, time, value, tenant_id)
            SELECT s.id, 'flow', m, 10 + (extract(minute FROM m) / 60), s.tenant_id
            FROM (SELECT * FROM sensors_sensor ORDER BY id LIMIT %s) s,
                 generate_series(%s::timestamptz, %s::timestamptz - interval '1 minute',
                                 interval '1 minute') m
            ORDER BY 1, 2, 3
            """,
            [raw_sensors, start, end],
        )
        cursor.execute("ANALYZE sensors_aggregate")
        cursor.execute("ANALYZE sensors_reading")
        cursor.execute("SELECT count(*) FROM sensors_aggregate")
        aggregates = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM sensors_reading")
        readings = cursor.fetchone()[0]
    print(
        f"generated {aggregates:,} hourly aggregates and {readings:,} raw readings"
        f" in {time.perf_counter() - t:.0f} s",
        flush=True,
    )

    rng = random.Random(1)
    sensors = list(Sensor.objects.for_tenant(tenant).order_by("pk"))

    def measure(label: str, pool: list[Sensor], span: timedelta, resolution: str) -> None:
        timings = []
        for _ in range(args.queries):
            sensor = rng.choice(pool)
            first = start + timedelta(hours=rng.randrange((end - start - span) // HOUR))
            t = time.perf_counter()
            points = selectors.series(tenant, sensor, "flow", first, first + span, resolution)
            timings.append((time.perf_counter() - t) * 1000)
            expected = (
                span // timedelta(hours=1) if resolution == "h" else span // timedelta(minutes=1)
            )
            assert len(points) == expected, (len(points), expected)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"{label:<34}: median {statistics.median(timings):6.1f} ms, p95 {p95:6.1f} ms"
            f" ({args.queries} queries)",
            flush=True,
        )

    measure("one sensor, one week, hourly", sensors, timedelta(days=7), "h")
    measure("one sensor, one day, raw", sensors[:raw_sensors], timedelta(days=1), "raw")


if __name__ == "__main__":
    main()
