"""Statistics (selectors, open-data source) and the API, with tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from territoire.core import datasources
from territoire.core import services as core_services
from territoire.core.tests.factories import member
from territoire.procedures import selectors
from territoire.procedures.models import Dossier, DossierState
from territoire.procedures.tests.factories import make_procedure, submitted_dossier

pytestmark = pytest.mark.django_db


def test_percentile_nearest_rank() -> None:
    assert selectors.percentile([], 50) is None
    assert selectors.percentile([5.0], 90) == 5.0
    values = [float(v) for v in range(1, 11)]
    assert selectors.percentile(values, 50) == 5.0
    assert selectors.percentile(values, 90) == 9.0
    assert selectors.percentile(values, 100) == 10.0


def _decided(
    procedure: Any, user: Any, *, days: float, ago: float, state: str = "accepted"
) -> Dossier:
    dossier = submitted_dossier(procedure, user)
    now = timezone.now()
    decided = now - timedelta(days=ago)
    Dossier.objects.filter(pk=dossier.pk).update(
        state=state, submitted_at=decided - timedelta(days=days), decided_at=decided
    )
    return dossier


def test_procedure_stats(tenant: Any, resident: Any) -> None:
    procedure = make_procedure(tenant)
    for days in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10):
        _decided(procedure, resident, days=days, ago=5)
    _decided(procedure, resident, days=50, ago=60, state="refused")  # outside the 30 days
    _decided(procedure, resident, days=3, ago=10, state="closed")
    old_draft = Dossier.objects.create(
        tenant=tenant,
        reference="2026-OLDRFT",
        procedure=procedure,
        version=procedure.current_version(),
        applicant=resident,
        created=timezone.now() - timedelta(days=20),
        updated=timezone.now() - timedelta(days=20),
    )
    Dossier.objects.exclude(pk=old_draft.pk).update(created=timezone.now() - timedelta(days=90))
    stats = selectors.procedure_stats(procedure)
    assert stats.decided == 12
    assert (stats.accepted, stats.refused, stats.closed) == (10, 1, 1)
    assert stats.accepted_share == round(100 * 10 / 12, 1)
    assert stats.decided_30d == 11
    assert stats.p50_days == 5.0  # of 1..10 and 3: sorted 1,2,3,3,4,5,...
    assert stats.p90_days == 9.0
    assert stats.started == 13 and stats.abandoned == 1
    assert stats.abandonment_rate == round(100 / 13, 1)
    assert sum(w["count"] for w in stats.weeks) == 12  # all submitted within 52 weeks
    assert len(selectors.chart_bars(stats)) == 52


def test_open_data_source_has_no_personal_columns(tenant: Any, resident: Any) -> None:
    source = datasources.get_source("procedures.statistics")
    assert source is not None
    assert not any(c.personal or c.quasi_identifier for c in source.columns)
    procedure = make_procedure(tenant)
    _decided(procedure, resident, days=2, ago=1)
    rows = list(source.rows(tenant))
    assert rows[0]["demarche"] == procedure.title and rows[0]["delai_median_jours"] == 2.0
    assert {c.name for c in source.columns} == set(rows[0])


def test_api_catalogue_and_stats(
    client: Client, tenant: Any, other_tenant: Any, resident: Any
) -> None:
    procedure = make_procedure(tenant, title="Inscription scolaire")
    make_procedure(other_tenant, title="Démarche voisine")
    make_procedure(tenant, title="Brouillon", publish=False)
    body = client.get("/api/v1/procedures/procedures", {"tenant": tenant.slug}).json()
    titles = [p["title"] for p in body["results"]]
    assert titles == ["Inscription scolaire"]
    assert body["results"][0]["version"] == 1
    _decided(procedure, resident, days=4, ago=2)
    stats = client.get(
        f"/api/v1/procedures/procedures/{procedure.slug}/stats", {"tenant": tenant.slug}
    ).json()
    assert stats["p50_days"] == 4.0 and stats["decided_last_30_days"] == 1
    missing = client.get(
        f"/api/v1/procedures/procedures/{procedure.slug}/stats", {"tenant": other_tenant.slug}
    )
    assert missing.status_code == 404


def test_api_dossiers_need_a_scoped_key_of_the_tenant(
    client: Client, tenant: Any, other_tenant: Any, resident: Any, admin_user: Any
) -> None:
    mine = submitted_dossier(make_procedure(tenant), resident)
    theirs = submitted_dossier(make_procedure(other_tenant), member(other_tenant, "resident"))
    assert client.get("/api/v1/procedures/dossiers").status_code == 401
    weak = core_services.apikey_create(
        actor=admin_user, tenant=tenant, name="lecture", scopes=["read"]
    )
    response = client.get("/api/v1/procedures/dossiers", HTTP_AUTHORIZATION=f"Bearer {weak.secret}")
    assert response.status_code == 403
    key = core_services.apikey_create(
        actor=admin_user, tenant=tenant, name="dossiers", scopes=["procedures:read"]
    )
    body = client.get(
        "/api/v1/procedures/dossiers", HTTP_AUTHORIZATION=f"Bearer {key.secret}"
    ).json()
    refs = [d["reference"] for d in body["results"]]
    assert refs == [mine.reference] and theirs.reference not in refs
    assert body["results"][0]["state"] == DossierState.SUBMITTED
    assert "answers" not in body["results"][0]


def test_api_my_dossiers_only_mine(client: Client, tenant: Any, resident: Any) -> None:
    procedure = make_procedure(tenant)
    mine = submitted_dossier(procedure, resident)
    other = submitted_dossier(procedure, member(tenant, "resident"))
    url = "/api/v1/procedures/my-dossiers"
    assert client.get(url, {"tenant": tenant.slug}).status_code == 401
    client.force_login(resident)
    body = client.get(url, {"tenant": tenant.slug}).json()
    refs = [d["reference"] for d in body["results"]]
    assert refs == [mine.reference] and other.reference not in refs
    assert client.get(url, {"tenant": "inconnue"}).status_code == 404
