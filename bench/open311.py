"""Open311 GeoReport v2 with 100,000 reports: GET latency and throughput, POST throughput.

    .venv/bin/python bench/open311.py [--db sqlite|postgres|both] [--runs 5] [--reports 100000]

For each database (a fresh one: var/bench-open311.sqlite3, or the PostgreSQL database
``h_reports_bench``, or the one ``BENCH_PG_DATABASE`` names: it is dropped and created
again), it creates one collectivité with four quartiers, seven categories and 100,000
reports spread over a year (so the default 90-day window holds about 25,000 of them, of
which the endpoint returns the newest 1,000, the spec's default cap), then, in one
process and one thread (one worker, Django's test client: the whole request/response
cycle with middleware, without the network), prints medians over ``--runs`` runs of:

- ``GET /open311/v2/requests.json`` with the default window, *uncached*: the cache is
  cleared before every request, so each one queries and serialises 1,000 rows;
  p50/p95 latency and requests per second;
- the same in XML (``requests.xml``), uncached;
- the JSON request *cached*: repeated requests reuse the body cached per tenant and
  data version (invalidated by every write, 60 s at most), which is what a polling
  client mostly gets;
- the same with ``If-None-Match`` and the body's ETag: a 304 without a body;
- ``GET /open311/v2/requests.json?page_size=50`` uncached (a typical mobile app page);
- ``POST /open311/v2/requests.json`` (form-encoded, a point checked against the
  quartiers, an attribute): requests per second.

Each GET line also gives the CPU time of this process per request: on a shared machine
the wall-clock figures follow the neighbours' load, the CPU time much less (with
PostgreSQL it leaves out the server's own work).

Figures of 2026-12-04, full size (100,000 reports, 1,000 rows per answer), medians of
three invocations of 5 runs each, on a machine of 2 cores *shared with other engineers'
jobs* (load average 4-6 throughout, so wall-clock times are about twice the CPU time):

    request (default window)   SQLite: p50 / p95, req/s, CPU    PostgreSQL: same
    requests.json uncached     30.9 / 37.5 ms,  33/s, 14.9 ms   21.4 / 28.5 ms,  44/s, 12.3 ms
    requests.xml uncached      39.3 / 45.2 ms,  27/s, 19.5 ms   32.5 / 48.2 ms,  30/s, 15.7 ms
    requests.json cached        0.7 /  4.9 ms, 659/s,  0.8 ms    0.8 /  4.6 ms, 655/s,  0.8 ms
    If-None-Match (304)         0.7 /  4.9 ms, 695/s,  0.7 ms    0.9 /  4.9 ms, 636/s,  0.8 ms
    ?page_size=50 uncached      6.7 /  7.4 ms, 177/s,  2.8 ms    4.1 /  8.3 ms, 193/s,  2.9 ms
    POST requests.json          130/s                            79/s

In a quieter moment (load about 3) the uncached JSON list took 12.6 / 21.2 ms on SQLite
(73/s) and the cached one 0.6 / 0.8 ms (1,420/s). Before the fast path (commit
c0964f9; both versions measured in turn on the same 100,000 reports, same hour) the
uncached JSON list cost about 22 ms of CPU per request on SQLite and 18 ms on
PostgreSQL (now 12-15 and 11-13), and this bench's p50 was 30-50 ms on either.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The PostgreSQL database is dropped and created again: BENCH_PG_DATABASE names another.
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "h_reports_bench")
DATABASES = {
    "sqlite": f"sqlite:///{ROOT / 'var' / 'bench-open311.sqlite3'}",
    "postgres": f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
}


def fresh_database(name: str) -> None:
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{ROOT / 'var' / 'bench-open311.sqlite3'}{suffix}").unlink(missing_ok=True)
        (ROOT / "var").mkdir(exist_ok=True)
    else:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            c.execute(f'CREATE DATABASE "{PG_DATABASE}"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def worker(db: str, runs: int, count: int) -> None:
    os.environ["DATABASE_URL"] = DATABASES[db]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    import django

    django.setup()
    import random
    import secrets
    from datetime import timedelta

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from territoire.core.models import District, LocalAuthority
    from territoire.core.services import apikey_create
    from territoire.reports import services
    from territoire.reports.models import Report, Status

    settings.OPEN311_POST_RATE_KEY = "10000000/min"
    settings.OPEN311_POST_RATE_IP = "10000000/min"
    settings.OPEN311_GET_RATE_IP = "10000000/min"
    call_command("migrate", interactive=False, verbosity=0)
    tenant = LocalAuthority.objects.create(name="Banc", slug="banc", kind="commune")
    boxes = []
    for i, name in enumerate(["Port", "Plage", "Centre", "Les Hauts"]):
        x0, y0 = -1.175 + 0.02 * (i % 2), 46.14 + 0.015 * (i // 2)
        x1, y1 = x0 + 0.02, y0 + 0.015
        geometry = {
            "type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
        }
        boxes.append(
            (
                District.objects.create(
                    tenant=tenant, name=name, slug=name.lower(), geometry=geometry
                ),
                (x0, y0, x1, y1),
            )
        )
    cats = [
        services.category_save(actor="bench", tenant=tenant, service_code=f"c{i}", name=f"Cat {i}")
        for i in range(6)
    ]
    cats.append(
        services.category_save(
            actor="bench",
            tenant=tenant,
            service_code="depots",
            name="Dépôts",
            attributes=[
                {
                    "code": "volume",
                    "datatype": "singlevaluelist",
                    "required": True,
                    "values": [{"key": "sac", "name": "Sac"}],
                }
            ],
        )
    )
    rng = random.Random(1)
    now = timezone.now()
    statuses = [Status.NEW, Status.ASSIGNED, Status.PLANNED, Status.FIXED, Status.FIXED]
    t = time.perf_counter()
    batch = []
    for i in range(count):
        district, (x0, y0, x1, y1) = rng.choice(boxes)
        requested = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        batch.append(
            Report(
                tenant=tenant,
                category=rng.choice(cats),
                status=rng.choice(statuses),
                description="Nid-de-poule profond au milieu de la chaussée " * 2,
                lon=rng.uniform(x0, x1),
                lat=rng.uniform(y0, y1),
                address=f"{i} rue du Banc",
                district=district,
                token=secrets.token_hex(16),
                requested_at=requested,
                updated_at=requested,
                expected_at=requested + timedelta(days=10),
            )
        )
        if len(batch) == 5000:
            Report.objects.bulk_create(batch)
            batch = []
    Report.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE reports_report")
    print(f"[{db}] {count:,} reports created in {time.perf_counter() - t:.1f} s", flush=True)
    key = apikey_create(actor="bench", tenant=tenant, name="bench", scopes=["open311"]).secret
    client = Client()
    url = "/open311/v2/requests.json"
    # Warm up connections and caches of code paths.
    assert client.get(url).status_code == 200
    n_rows = len(client.get(url).json())

    etag = client.get(url)["ETag"]

    def measure(
        path: str, n: int, clear: bool, status: int = 200, **headers: str
    ) -> tuple[float, float, float, float]:
        times = []
        cpu = 0.0
        for _ in range(n):
            if clear:
                cache.clear()
            c0 = time.process_time()
            t0 = time.perf_counter()
            response = client.get(path, **headers)
            times.append(time.perf_counter() - t0)
            cpu += time.process_time() - c0
            assert response.status_code == status
        return (
            percentile(times, 0.5) * 1000,
            percentile(times, 0.95) * 1000,
            n / sum(times),
            cpu / n * 1000,
        )

    results: dict[str, list[tuple[float, float, float, float]]] = {
        "GET requests.json default window, uncached": [],
        "GET requests.xml default window, uncached": [],
        "GET requests.json default window, cached": [],
        "GET requests.json default window, If-None-Match (304)": [],
        "GET requests.json?page_size=50, uncached": [],
    }
    for _ in range(runs):
        results["GET requests.json default window, uncached"].append(measure(url, 40, True))
        results["GET requests.xml default window, uncached"].append(
            measure(url.replace(".json", ".xml"), 40, True)
        )
        results["GET requests.json default window, cached"].append(measure(url, 400, False))
        results["GET requests.json default window, If-None-Match (304)"].append(
            measure(url, 400, False, 304, HTTP_IF_NONE_MATCH=etag)
        )
        results["GET requests.json?page_size=50, uncached"].append(
            measure(url + "?page_size=50", 100, True)
        )
    print(f"[{db}] default window returns {n_rows} requests (cap 1,000)")
    for label, rows in results.items():
        p50 = statistics.median(r[0] for r in rows)
        p95 = statistics.median(r[1] for r in rows)
        rps = statistics.median(r[2] for r in rows)
        cpu = statistics.median(r[3] for r in rows)
        print(
            f"[{db}] {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {rps:,.0f} requests/s "
            f"(CPU of this process {cpu:.1f} ms/request)"
        )
    post_rates = []
    for _ in range(runs):
        n = 200
        t0 = time.perf_counter()
        for i in range(n):
            district, (x0, y0, x1, y1) = boxes[i % 4]
            response = client.post(
                url,
                {
                    "api_key": key,
                    "service_code": "depots",
                    "lat": (y0 + y1) / 2,
                    "long": (x0 + x1) / 2,
                    "description": "Sacs abandonnés",
                    "attribute[volume]": "sac",
                },
            )
            assert response.status_code == 200, response.content
        post_rates.append(n / (time.perf_counter() - t0))
    print(f"[{db}] POST requests.json: {statistics.median(post_rates):,.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.runs, args.reports)
        return
    import subprocess

    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        fresh_database(db)
        # One process per database: Django settings are read once per process.
        subprocess.run(  # noqa: S603 - our own script
            [
                sys.executable,
                __file__,
                "--worker",
                db,
                "--runs",
                str(args.runs),
                "--reports",
                str(args.reports),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
