"""The demo seed: every dataset published, sources through the gate, public pages render."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.utils.module_loading import import_string

from territoire.core import modules
from territoire.core.demo import VALMONT, new_context, seed_core
from territoire.opendata import demo
from territoire.opendata.apps import public_pages
from territoire.opendata.models import Dataset, VersionStatus

pytestmark = pytest.mark.django_db


def test_demo_seed_and_pages(client: Client) -> None:
    ctx = new_context()
    seed_core(ctx)
    # The reports and participation seeders, through the registry (opendata never
    # imports another business app, even in tests).
    for label in ("reports", "participation"):
        module = modules.get(label)
        assert module is not None and module.demo_seed
        import_string(module.demo_seed)(ctx)
    started = time.perf_counter()
    demo.seed(ctx)
    print(f"opendata demo seed: {time.perf_counter() - started:.2f} s")
    valmont = ctx.tenants[VALMONT]
    datasets = {d.title: d for d in Dataset.objects.for_tenant(valmont)}
    for title in (
        "Délibérations du conseil municipal",
        "Subventions aux associations",
        "Équipements publics",
        "Consommation d'eau potable par quartier",
        "Qualité de l'air",
        "Signalements dans l'espace public",
        "Résultats des budgets participatifs",
    ):
        d = datasets[title]
        for r in d.resources.all():
            assert r.current is not None, (
                title,
                [v.errors or v.gate_report for v in r.versions.all()],
            )
            assert r.current.status == VersionStatus.READY
            assert r.current.row_count > 0, title
    reports = datasets["Signalements dans l'espace public"].resources.get().current
    names = {c["name"] for c in reports.columns}
    assert "description" not in names  # personal free text never published
    assert reports.gate_report["dropped_columns"] == ["description"]
    pages = public_pages(valmont)
    assert len(pages) >= 8
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
    # The chart and the map are on the geographic resource's page.
    geo = next(p for p in pages if "ressources" in p and client.get(p).content.count(b"od-geojson"))
    body = client.get(geo).content.decode()
    assert "<svg" in body and 'class="map"' in body
