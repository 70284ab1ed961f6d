"""Benchmark: server time and weight of core pages and API endpoints on the demo data.

Usage: .venv/bin/python bench/core_pages.py [--runs 7] [--requests 50]
Builds a fresh demo database in a temporary folder, then prints, for each URL, the
median over runs of the median request time (Django test client, no network), and the
response size. Figures, not assertions: compare them between commits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

URLS = [
    "/",
    "/valmont-sur-mer/",
    "/compte/login/",
    "/api/v1/tenants",
    "/api/v1/districts?tenant=valmont-sur-mer",
    "/healthz",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-core-"))
    os.environ.update(
        TERRITOIRE_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        STATIC_MANIFEST="false",
        API_RATE_ANON="1000000/min",
        LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "-m", "territoire", "demo", "--reset"], check=True, capture_output=True
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    import django

    django.setup()
    from django.test import Client

    client = Client()
    print(f"{'URL':<45} {'median ms':>10} {'p90 ms':>8} {'bytes':>8}")
    for url in URLS:
        medians, p90s, size = [], [], 0
        for _ in range(args.runs):
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                size = len(response.content)
            medians.append(statistics.median(times))
            p90s.append(statistics.quantiles(times, n=10)[-1])
        median, p90 = statistics.median(medians), statistics.median(p90s)
        print(f"{url:<45} {median:>10.2f} {p90:>8.2f} {size:>8}")


if __name__ == "__main__":
    main()
