"""The demo seed: every status present, every public page of the module renders."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from territoire.core.demo import VALMONT, new_context, seed_core
from territoire.reports import demo
from territoire.reports.apps import public_pages
from territoire.reports.models import Report, ReportPhoto, Status

pytestmark = pytest.mark.django_db


def test_demo_seed_and_pages(client: Client) -> None:
    ctx = new_context()
    seed_core(ctx)
    demo.seed(ctx)
    valmont = ctx.tenants[VALMONT]
    statuses = set(Report.objects.for_tenant(valmont).values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert ReportPhoto.objects.filter(tenant=valmont).count() >= 20
    assert Report.objects.for_tenant(valmont).filter(duplicate_of__isnull=False).exists()
    pages = public_pages(valmont)
    assert len(pages) >= 5
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
    agent = ctx.person(VALMONT, "agent")
    staff = Client()
    staff.force_login(agent)
    voirie = ctx.services[f"{VALMONT}:voirie"]
    base = f"/{VALMONT}/gestion/signalements/"
    for path in (
        "",
        "?etat=open&sort=-requested_at",
        "statistiques/",
        f"tournee/?equipe={voirie.pk}",
    ):
        response = staff.get(base + path)
        assert response.status_code == 200, path
    round_page = staff.get(base + f"tournee/?equipe={voirie.pk}").content.decode()
    assert "8 arrêts" in round_page or "arrêts" in round_page
    report = Report.objects.for_tenant(valmont).filter(photos__isnull=False).first()
    assert staff.get(base + f"{report.pk}/").status_code == 200
    r = client.get(f"/open311/v2/requests.json?jurisdiction_id={VALMONT}")
    assert r.status_code == 200 and len(r.json()) > 50
    assert "courriel.example" not in r.content.decode()


def test_demo_is_deterministic_in_volume(db: Any) -> None:
    ctx = new_context()
    seed_core(ctx)
    demo.seed(ctx)
    assert Report.objects.for_tenant(ctx.tenants[VALMONT]).count() == 700
