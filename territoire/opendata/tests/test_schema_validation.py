"""Table Schema validation (frictionless) with the SCDL schemas: errors by row and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from territoire.opendata import services
from territoire.opendata.models import VersionStatus
from territoire.opendata.tests.conftest import make_dataset, upload

FIXTURES = Path(__file__).parent / "fixtures"


def _deliberations(tenant: Any) -> Any:
    d = make_dataset(tenant, "Délibérations", schema="scdl-deliberations")
    return services.resource_create(dataset=d, actor="test", title="Délibérations 2025")


def test_scdl_deliberations_sample_validates_and_is_published(tenant: Any, client: Any) -> None:
    resource = _deliberations(tenant)
    version = upload(resource, (FIXTURES / "deliberations.csv").read_bytes())
    assert version.status == VersionStatus.READY, version.errors
    assert version.row_count == 5
    types = {c["name"]: c["type"] for c in version.columns}
    assert types["DELIB_DATE"] == "date" and types["VOTE_POUR"] == "integer"
    # SIRET stays text (leading zeros and 14 digits), as the schema says
    assert types["COLL_SIRET"] == "string"
    rows = client.get(
        f"/api/v1/datasets/{resource.dataset.slug}/resources/{resource.pk}/rows"
        f"?tenant={tenant.slug}&DELIB_MATIERE_CODE=7.1"
    ).json()
    assert [r["DELIB_ID"] for r in rows["data"]] == ["2025-DEL-001", "2025-DEL-002"]


def test_broken_deliberations_get_row_and_column_errors_and_are_not_published(
    tenant: Any, client: Any
) -> None:
    resource = _deliberations(tenant)
    good = upload(resource, (FIXTURES / "deliberations.csv").read_bytes())
    bad = upload(resource, (FIXTURES / "deliberations-broken.csv").read_bytes())
    assert bad.status == VersionStatus.INVALID
    found = {(e["row"], e["column"]) for e in bad.errors}
    assert (3, "COLL_SIRET") in found
    assert (3, "DELIB_DATE") in found
    assert (3, "DELIB_MATIERE_CODE") in found
    assert (3, "VOTE_REEL") in found
    assert (4, "DELIB_OBJET") in found  # required value missing
    assert all(e["message"] for e in bad.errors)
    assert any("contrainte" in e["message"] for e in bad.errors)
    # The previous version stays published, untouched.
    resource.refresh_from_db()
    assert resource.current_id == good.pk
    rows = client.get(
        f"/api/v1/datasets/{resource.dataset.slug}/resources/{resource.pk}/rows?tenant={tenant.slug}"
    ).json()
    assert rows["total"] == 5


def test_missing_required_column_is_reported_on_the_header(tenant: Any) -> None:
    resource = _deliberations(tenant)
    content = (FIXTURES / "deliberations.csv").read_text().replace("DELIB_OBJET", "OBJET")
    version = upload(resource, content.encode())
    assert version.status == VersionStatus.INVALID
    messages = {(e["row"], e["column"]): e["message"] for e in version.errors}
    assert "absente" in messages[(1, "DELIB_OBJET")]
    assert "inconnue" in messages[(1, "OBJET")]
    resource.refresh_from_db()
    assert resource.current is None
