"""The gains published as open data: one row per gain, only the tenant's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from territoire.core.datasources import get_source
from territoire.twin.models import Gain

pytestmark = pytest.mark.django_db


def test_gains_source_is_registered_and_yields_only_the_tenant_gains(
    tenant: Any, other_tenant: Any
) -> None:
    now = timezone.now()
    Gain.objects.create(
        tenant=tenant,
        twin="water",
        label="Fuite réparée",
        quantity=1200.0,
        unit="m³",
        eur_per_year=4200.5,
        co2_kg_per_year=0,
        measured=True,
        computed_at=now,
    )
    Gain.objects.create(
        tenant=other_tenant,
        twin="water",
        label="Autre commune",
        quantity=1.0,
        unit="m³",
        eur_per_year=1.0,
        computed_at=now,
    )
    source = get_source("twin.gains")
    assert source is not None
    rows = list(source.rows(tenant))
    assert [r["gain"] for r in rows] == ["Fuite réparée"]
    assert rows[0]["euros_par_an"] == 4200.5 and rows[0]["mesure"] is True
    assert set(rows[0]) == {c.name for c in source.columns}
    assert not any(c.personal or c.quasi_identifier for c in source.columns)
