"""Quartiers in the back-office: GeoJSON text or file, clear errors, isolation, export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from territoire.core.models import AuditEntry, District
from territoire.core.tests.factories import DistrictFactory

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-1.2, 46.1], [-1.1, 46.1], [-1.1, 46.2], [-1.2, 46.2], [-1.2, 46.1]]],
}
BOWTIE = {  # self-intersecting: invalid
    "type": "Polygon",
    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
}


def url(tenant: Any, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant": tenant.slug, **kwargs})


def test_create_from_text(admin_client_tenant: Client, tenant: Any, admin_user: Any) -> None:
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_create"),
        {"name": "Le Port", "population": "1200", "geometry": json.dumps(SQUARE)},
    )
    assert response.status_code == 302
    district = District.objects.get(tenant=tenant, slug="le-port")
    assert district.population == 1200
    assert district.geometry == SQUARE
    assert AuditEntry.objects.filter(
        tenant=tenant, action="district.create", actor=admin_user, object_id=str(district.pk)
    ).exists()


def test_create_from_geojson_file_feature(admin_client_tenant: Client, tenant: Any) -> None:
    feature = {"type": "Feature", "properties": {"nom": "Centre"}, "geometry": SQUARE}
    upload = SimpleUploadedFile(
        "centre.geojson", json.dumps(feature).encode(), content_type="application/geo+json"
    )
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_create"),
        {"name": "Centre", "geometry": "", "geometry_file": upload},
    )
    assert response.status_code == 302
    assert District.objects.get(tenant=tenant, slug="centre").geometry == SQUARE


@pytest.mark.parametrize(
    ("geometry", "expected"),
    [
        ("{pas du json", "n'est pas du GeoJSON valide"),
        (json.dumps({"type": "Point", "coordinates": [0, 0]}), "Polygon ou un MultiPolygon"),
        (json.dumps(BOWTIE), "contour n'est pas valide"),
        ("", "Collez le contour"),
        (
            json.dumps(
                {"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]}
            ),
            "WGS 84",
        ),
    ],
)
def test_invalid_geojson_text_is_explained_and_kept(
    admin_client_tenant: Client, tenant: Any, geometry: str, expected: str
) -> None:
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_create"),
        {"name": "Les Dunes", "population": "300", "geometry": geometry},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert expected.replace("'", "&#x27;") in page
    assert 'value="Les Dunes"' in page and 'value="300"' in page  # nothing is lost
    if geometry:
        assert geometry.replace('"', "&quot;")[:20] in page
    assert not District.objects.filter(tenant=tenant).exists()


def test_file_checked_by_content_and_size(admin_client_tenant: Client, tenant: Any) -> None:
    target = url(tenant, "core:admin_district_create")
    png = SimpleUploadedFile("contour.geojson", b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 50)
    response = admin_client_tenant.post(target, {"name": "A", "geometry_file": png})
    assert "encodage UTF-8" in response.content.decode()
    big = SimpleUploadedFile("big.geojson", b" " * (1024 * 1024 + 1))
    response = admin_client_tenant.post(target, {"name": "A", "geometry_file": big})
    assert "dépasse 1 Mo" in response.content.decode()
    assert not District.objects.filter(tenant=tenant).exists()


def test_duplicate_name_is_refused(admin_client_tenant: Client, tenant: Any) -> None:
    DistrictFactory(tenant=tenant, name="Le Port", slug="le-port")
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_create"),
        {"name": "Le Port", "geometry": json.dumps(SQUARE)},
    )
    assert response.status_code == 200
    assert "Un quartier porte déjà ce nom" in response.content.decode()
    assert District.objects.filter(tenant=tenant).count() == 1


def test_edit_and_delete(admin_client_tenant: Client, tenant: Any, admin_user: Any) -> None:
    district = DistrictFactory(tenant=tenant, name="Nord", slug="nord")
    edit = url(tenant, "core:admin_district_edit", district_id=district.pk)
    page = admin_client_tenant.get(edit).content.decode()
    assert 'id="district-geojson"' in page  # map preview data beside the form
    response = admin_client_tenant.post(
        edit, {"name": "Nord-Est", "population": "", "geometry": json.dumps(SQUARE)}
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert (district.name, district.slug, district.geometry) == ("Nord-Est", "nord", SQUARE)

    delete = url(tenant, "core:admin_district_delete", district_id=district.pk)
    assert "Supprimer définitivement" in admin_client_tenant.get(delete).content.decode()
    assert District.objects.filter(pk=district.pk).exists()  # GET only asks
    assert admin_client_tenant.post(delete).status_code == 302
    assert not District.objects.filter(pk=district.pk).exists()
    actions = set(
        AuditEntry.objects.filter(actor=admin_user, object_id=str(district.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"district.update", "district.delete"}


def test_other_tenant_districts_out_of_reach(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any
) -> None:
    foreign = DistrictFactory(tenant=other_tenant, name="Chez eux")
    original = dict(foreign.geometry)
    assert (
        admin_client_tenant.get(
            url(tenant, "core:admin_district_edit", district_id=foreign.pk)
        ).status_code
        == 404
    )
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_edit", district_id=foreign.pk),
        {"name": "Piraté", "geometry": json.dumps(SQUARE)},
    )
    assert response.status_code == 404
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_delete", district_id=foreign.pk)
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.name, foreign.geometry) == ("Chez eux", original)
    listing = admin_client_tenant.get(url(tenant, "core:admin_districts")).content.decode()
    assert "Chez eux" not in listing
    export = admin_client_tenant.get(url(tenant, "core:admin_districts_geojson")).json()
    assert export["features"] == []


def test_list_map_data_csv_and_geojson_export(admin_client_tenant: Client, tenant: Any) -> None:
    DistrictFactory(tenant=tenant, name="Le Port", slug="le-port", population=1200)
    DistrictFactory(tenant=tenant, name="Les Hauts", slug="les-hauts")
    page = admin_client_tenant.get(url(tenant, "core:admin_districts")).content.decode()
    assert "<table" in page and "Le Port" in page and 'id="districts-geojson"' in page
    assert "leaflet.js" in page  # progressive enhancement, the table stays the reference

    response = admin_client_tenant.get(
        url(tenant, "core:admin_districts"), {"q": "port", "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][:3] == ["Le Port", "le-port", "1200"] and len(rows) == 2

    response = admin_client_tenant.get(url(tenant, "core:admin_districts_geojson"))
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["slug"] for f in data["features"]] == ["le-port", "les-hauts"]
    assert data["features"][0]["geometry"]["type"] == "Polygon"
