"""Benchmark: the open data portal's loads and tabular API on large resources.

Usage: .venv/bin/python bench/opendata.py [--rows 5000000] [--load-rows 1000000]
                                          [--queries 300] [--backends sqlite,postgresql]
                                          [--pg-url postgres://postgres@127.0.0.1:5432/postgres]

For each storage backend (the embedded SQLite files and the PostgreSQL schema), in a
fresh database: loads a ``--load-rows`` CSV through the whole pipeline (encoding and
delimiter detection, typing, privacy gate, table, indexes) and prints the time; loads a
``--rows`` CSV the same way; then runs ``--queries`` filtered, sorted pages of 100 rows
with their total (the API's work, ``tabular.fetch``) and as many full HTTP requests to
``/api/v1/datasets/…/rows`` (Django test client), and prints medians and p95.
PostgreSQL is skipped when unreachable. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUARTIERS = ["Centre", "Port", "Les Hauts", "Plage"]
CATEGORIES = [f"C{i:02d}" for i in range(20)]


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id;quartier;categorie;date;montant;compteur;libelle\n")
        chunk = []
        for i in range(1, rows + 1):
            day = 1 + rng.randrange(365 * 3)
            year, doy = 2023 + (day - 1) // 365, (day - 1) % 365
            month, dom = 1 + doy // 31 % 12, 1 + doy % 28
            chunk.append(
                f"{i};{QUARTIERS[rng.randrange(4)]};{CATEGORIES[rng.randrange(20)]};"
                f"{year}-{month:02d}-{dom:02d};{rng.random() * 1000:.2f};"
                f"{rng.randrange(100000)};Relevé {rng.randrange(50000)}\n"
            )
            if len(chunk) == 50000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


KINDS = [
    "quartier=… sort=-montant",
    "categorie=… montant__gte=… sort=date",
    "compteur__lt=… sort=-compteur",
    "quartier__in=…,… date__gte=… sort=-date",
]


def queries(rng: random.Random, kind: int) -> dict[str, str]:
    """One random filtered and sorted query of this kind, as API parameters."""
    if kind == 0:
        return {"quartier": rng.choice(QUARTIERS), "sort": "-montant"}
    if kind == 1:
        return {
            "categorie": rng.choice(CATEGORIES),
            "montant__gte": str(rng.randrange(900)),
            "sort": "date",
        }
    if kind == 2:
        return {"compteur__lt": str(rng.randrange(1000, 90000)), "sort": "-compteur"}
    return {
        "quartier__in": ",".join(rng.sample(QUARTIERS, 2)),
        "date__gte": f"202{rng.randrange(3, 6)}-0{rng.randrange(1, 10)}-01",
        "sort": "-date",
    }


def child(backend: str, args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-opendata-{backend}-"))
    env = {
        "TERRITOIRE_VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
        "STATIC_MANIFEST": "false",
        "API_RATE_ANON": "1000000/min",  # the bench measures latency, not the rate limit
        # Persistent connections, as a production server should have them: otherwise
        # every HTTP request pays a new PostgreSQL connection (about 10 ms).
        "DATABASE_CONN_MAX_AGE": "600",
    }
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS territoire_bench_opendata")
            conn.execute("CREATE DATABASE territoire_bench_opendata")
        base = args.pg_url.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/territoire_bench_opendata"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update(env)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from territoire.core.models import LocalAuthority
    from territoire.opendata import rowquery, services, tabular
    from territoire.opendata.models import Resource

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    tenant = LocalAuthority.objects.create(name="Bench", slug="bench", kind="commune")

    def load(rows: int, title: str) -> tuple[Resource, float]:
        path = tmp / f"{rows}.csv"
        write_csv(path, rows)
        dataset = services.dataset_create(tenant=tenant, actor="bench", title=title, published=True)
        resource = services.resource_create(dataset=dataset, actor="bench", title=title)
        with path.open("rb") as fh:
            version = services.version_upload(
                resource=resource,
                actor="bench",
                chunks=iter(lambda: fh.read(1 << 20), b""),
                filename=path.name,
                fmt="csv",
                run=False,
            )
        start = time.perf_counter()
        version = services.version_load(version.pk)
        elapsed = time.perf_counter() - start
        assert version.status == "ready", (version.status, version.errors)
        path.unlink()
        resource.refresh_from_db()
        return resource, elapsed

    out: dict[str, object] = {"backend": backend}
    _r, load_small = load(args.load_rows, "Chargement")
    out["load_rows"] = args.load_rows
    out["load_s"] = load_small
    resource, load_big = load(args.rows, "Grande ressource")
    out["rows"] = args.rows
    out["load_big_s"] = load_big
    version = resource.current
    assert version is not None
    rng = random.Random(7)
    fetch_ms: list[float] = []
    by_kind: dict[int, list[float]] = {k: [] for k in range(len(KINDS))}
    exact = 0
    for i in range(args.queries):
        kind = i % len(KINDS)
        params = {**queries(rng, kind), "page_size": "100"}
        query = rowquery.parse(version.columns, params)
        start = time.perf_counter()
        result = tabular.fetch(resource, query)
        fetch_ms.append((time.perf_counter() - start) * 1000)
        by_kind[kind].append(fetch_ms[-1])
        exact += result.total_exact
        assert len(result.rows) == 100 or result.next_cursor is None
    client = Client()
    url = f"/api/v1/datasets/{resource.dataset.slug}/resources/{resource.pk}/rows"
    http_ms: list[float] = []
    next_ms: list[float] = []
    for i in range(args.queries):
        params = {**queries(rng, i % len(KINDS)), "page_size": "100", "tenant": "bench"}
        start = time.perf_counter()
        response = client.get(url, params)
        http_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        following = response.json()["next"]
        if following:
            start = time.perf_counter()
            assert client.get(following).status_code == 200
            next_ms.append((time.perf_counter() - start) * 1000)
    contains = []
    for word in ("Relevé 4242", "Relevé 17"):
        query = rowquery.parse(version.columns, {"libelle__contains": word, "page_size": "100"})
        start = time.perf_counter()
        tabular.fetch(resource, query)
        contains.append((time.perf_counter() - start) * 1000)
    out.update(
        fetch_median=statistics.median(fetch_ms),
        fetch_p95=pct(fetch_ms, 95),
        http_median=statistics.median(http_ms),
        http_p95=pct(http_ms, 95),
        next_median=statistics.median(next_ms) if next_ms else None,
        next_p95=pct(next_ms, 95) if next_ms else None,
        exact_share=exact / args.queries,
        kinds=[(KINDS[k], statistics.median(v), pct(v, 95)) for k, v in by_kind.items() if v],
        contains_ms=contains,
    )
    print("RESULT " + json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--load-rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        child(args.child, args)
        return
    for backend in args.backends.split(","):
        if backend == "postgresql":
            try:
                import psycopg

                psycopg.connect(args.pg_url, connect_timeout=3).close()
            except Exception as exc:
                print(f"postgresql: skipped ({exc})")
                continue
        cmd = [sys.executable, __file__, "--child", backend, *sys.argv[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - this script
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), "")
        if not line:
            print(f"{backend}: failed\n{proc.stderr[-3000:]}")
            continue
        r = json.loads(line[7:])
        print(f"== {backend} ==")
        print(
            f"load {r['load_rows']:,} rows CSV: {r['load_s']:.1f} s "
            f"({r['load_rows'] / r['load_s']:,.0f} rows/s; one run)"
        )
        print(f"load {r['rows']:,} rows CSV: {r['load_big_s']:.1f} s (one run)")
        print(
            f"filtered sorted page of 100 + total, {r['rows']:,} rows "
            f"(storage): median {r['fetch_median']:.1f} ms, p95 {r['fetch_p95']:.1f} ms "
            f"(totals exact for {r['exact_share']:.0%} of queries)"
        )
        for label, median, p95 in r["kinds"]:
            print(f"    {label}: median {median:.1f} ms, p95 {p95:.1f} ms")
        print(
            f"same through HTTP /api/v1/…/rows: median {r['http_median']:.1f} ms, "
            f"p95 {r['http_p95']:.1f} ms"
        )
        if r["next_median"] is not None:
            print(
                f"next page (keyset cursor) through HTTP: median {r['next_median']:.1f} ms, "
                f"p95 {r['next_p95']:.1f} ms"
            )
        print("contains (full scan): " + ", ".join(f"{v:.0f} ms" for v in r["contains_ms"]))


if __name__ == "__main__":
    main()
