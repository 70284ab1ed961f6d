"""Benchmark: the procedures module on its demo data (statistics, form engine, pages).

Usage: .venv/bin/python bench/procedures.py [--runs 7]
Builds a fresh demo database (procedures module only) in a temporary folder, then prints
medians over runs: the statistics of each procedure, validating the school registration
form, and the server time of the inbox, statistics and dossier pages (Django test client).
Figures, not assertions: compare them between commits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-procedures-"))
    os.environ.update(
        TERRITOIRE_VAR_DIR=str(tmp),
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        TERRITOIRE_MODULES=os.environ.get("TERRITOIRE_MODULES", "procedures"),
        STATIC_MANIFEST="false",
        LOG_LEVEL="WARNING",
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "territoire", "demo", "--reset"], check=True, capture_output=True
    )
    print(f"demo build (core + procedures): {time.perf_counter() - start:.1f} s (one run)")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from territoire.core.models import User
    from territoire.procedures import formbuilder, selectors
    from territoire.procedures.models import Dossier, Procedure

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    for procedure in Procedure.objects.filter(tenant__slug="valmont-sur-mer").exclude(
        slug__startswith="concours"
    ):
        n = procedure.dossiers.count()
        ms = median_ms(lambda p=procedure: selectors.procedure_stats(p), args.runs)
        print(f"procedure_stats {procedure.slug} ({n} dossiers): median {ms:.1f} ms")
    school = Procedure.objects.get(tenant__slug="valmont-sur-mer", slug="inscription-scolaire")
    fields = formbuilder.parse_fields(school.current_version().fields)  # type: ignore[union-attr]
    answers = [d.answers for d in school.dossiers.exclude(submitted_at=None)[:200]]
    ms = median_ms(lambda: [formbuilder.validate(fields, a) for a in answers], args.runs)
    print(f"validate {len(answers)} school registrations: median {ms:.1f} ms")
    agent = Client()
    agent.force_login(User.objects.get(email="agent@valmont.example"))
    public = Client()
    ref = Dossier.objects.filter(procedure=school, state="accepted").first().reference  # type: ignore[union-attr]
    for client, url in [
        (public, "/valmont-sur-mer/demarches/"),
        (public, "/valmont-sur-mer/demarches/inscription-scolaire/statistiques/"),
        (agent, "/valmont-sur-mer/gestion/demarches/"),
        (agent, "/valmont-sur-mer/gestion/demarches/?format=xlsx"),
        (agent, f"/valmont-sur-mer/gestion/demarches/dossiers/{ref}/"),
        (agent, f"/valmont-sur-mer/gestion/demarches/dossiers/{ref}/decision.pdf"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        ms = median_ms(lambda c=client, u=url: c.get(u), args.runs)
        print(f"GET {url}: median {ms:.1f} ms, {len(response.content) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
