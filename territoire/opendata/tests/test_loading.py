"""Uploads: formats checked by content, encodings, delimiters, ragged rows, failed loads."""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from territoire.opendata import services
from territoire.opendata.models import VersionStatus
from territoire.opendata.tests.conftest import make_dataset, publish_csv, table_exists, upload


def _rows(client: Any, tenant: Any, resource: Any, query: str = "") -> Any:
    return client.get(
        f"/api/v1/datasets/{resource.dataset.slug}/resources/{resource.pk}/rows"
        f"?tenant={tenant.slug}&page_size=100{query}"
    ).json()


def test_cp1252_semicolon_csv_with_french_numbers(tenant: Any, client: Any) -> None:
    content = (
        "quartier;consommation_m3;relevé\nLes Hauts;1 234,5;31/12/2025\nPort;987,25;30/11/2025\n"
    )
    _d, resource, version = publish_csv(tenant, content.encode("cp1252"))
    assert version.status == VersionStatus.READY, version.errors
    assert version.encoding in ("cp1252", "windows-1252", "latin_1", "iso8859_1")
    assert version.delimiter == ";"
    types = {c["name"]: c["type"] for c in version.columns}
    assert types == {"quartier": "string", "consommation_m3": "number", "relevé": "date"}
    data = _rows(client, tenant, resource, "&sort=-consommation_m3")["data"]
    assert data[0] == {"quartier": "Les Hauts", "consommation_m3": 1234.5, "relevé": "2025-12-31"}


def test_tab_separated_utf8_with_bom(tenant: Any) -> None:
    content = "\ufeffa\tb\n1\tx\n2\ty\n"
    _d, _r, version = publish_csv(tenant, content.encode("utf-8"))
    assert version.status == VersionStatus.READY
    assert version.delimiter == "\t"
    assert [c["name"] for c in version.columns] == ["a", "b"]


def test_late_text_value_widens_the_column_instead_of_failing(tenant: Any, client: Any) -> None:
    lines = ["code,valeur"] + [f"{i},{i}" for i in range(6000)] + ["6000,non communiqué"]
    _d, _resource, version = publish_csv(tenant, "\n".join(lines) + "\n")
    assert version.status == VersionStatus.READY
    assert {c["name"]: c["type"] for c in version.columns} == {
        "code": "integer",
        "valeur": "string",
    }
    assert version.row_count == 6001


def test_xlsx_json_geojson_and_parquet(tenant: Any, client: Any) -> None:
    dataset = make_dataset(tenant, "Formats")
    wb = Workbook()
    ws = wb.active
    ws.append(["piscine", "entrees", "jour"])
    ws.append(["Piscine des Dunes", 412, "2025-07-14"])
    ws.append(["Piscine Jean-Bart", 268, "2025-07-14"])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = services.resource_create(dataset=dataset, actor="t", title="xlsx")
    assert upload(xlsx, buf.getvalue(), "xlsx").status == VersionStatus.READY
    assert (
        _rows(client, tenant, xlsx, "&entrees__gt=300")["data"][0]["piscine"] == "Piscine des Dunes"
    )

    js = services.resource_create(dataset=dataset, actor="t", title="json")
    records = [
        {"ecole": "École du Port", "eleves": 212},
        {"ecole": "École des Hauts", "eleves": 187},
    ]
    assert upload(js, json.dumps(records).encode(), "json").status == VersionStatus.READY
    assert _rows(client, tenant, js, "&sort=eleves")["data"][0]["ecole"] == "École des Hauts"

    geo = services.resource_create(dataset=dataset, actor="t", title="geojson")
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-1.16, 46.15]},
                "properties": {"nom": "Borne 1"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-1.14, 46.16]},
                "properties": {"nom": "Borne 2"},
            },
        ],
    }
    assert upload(geo, json.dumps(fc).encode(), "geojson").status == VersionStatus.READY
    geo.refresh_from_db()
    assert geo.lon_column == "longitude"
    out = client.get(
        f"/api/v1/datasets/{dataset.slug}/resources/{geo.pk}/rows?tenant={tenant.slug}&format=geojson"
    ).json()
    assert out["features"][1]["geometry"]["coordinates"] == [-1.14, 46.16]

    pqr = services.resource_create(dataset=dataset, actor="t", title="parquet")
    table = pa.table({"capteur": ["A", "B", "C"], "pm25": [7.5, 12.0, None]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    assert upload(pqr, buf.getvalue(), "parquet").status == VersionStatus.READY
    assert _rows(client, tenant, pqr, "&pm25__gte=10")["data"] == [{"capteur": "B", "pm25": 12.0}]


@pytest.mark.parametrize(
    ("fmt", "content", "fragment"),
    [
        ("xlsx", b"a,b\n1,2\n", "XLSX"),
        ("parquet", b"a,b\n1,2\n", "Parquet"),
        ("csv", b"PK\x03\x04" + b"\x00" * 50, "binaire"),
        ("csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "(PDF)"),
        ("csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "(PNG)"),
        ("json", b"a,b\n1,2\n", "ne commence ni par"),
        ("json", b'{"pas": "une liste"}', "liste d'objets"),
        ("json", b'[{"a": 1}, ', "JSON invalide"),
        ("geojson", b'{"type": "Feature"}', "FeatureCollection"),
        ("csv", b"a,b\n1,2\n3\n4,5,6\n", "Ligne 3"),
        ("csv", b"a,a\n1,2\n", "deux fois"),
    ],
)
def test_bad_files_fail_with_a_message_and_keep_the_previous_version(
    tenant: Any, client: Any, fmt: str, content: bytes, fragment: str
) -> None:
    _d, resource, good = publish_csv(tenant, "a,b\n1,2\n")
    bad = upload(resource, content, fmt)
    assert bad.status == VersionStatus.FAILED
    assert any(fragment in e["message"] for e in bad.errors), bad.errors
    assert not table_exists(bad)
    resource.refresh_from_db()
    assert resource.current_id == good.pk
    assert _rows(client, tenant, resource)["data"] == [{"a": 1, "b": 2}]


def test_broken_encoding_midway(tenant: Any) -> None:
    # Valid UTF-8 for the first 300 KB (past the sample), then a Latin-1 byte.
    head = "nom,valeur\n" + "".join(f"ligne {i},{i}\n" for i in range(30000))
    content = head.encode() + "café,1\n".encode("latin-1")
    _d, resource, version = publish_csv(tenant, content)
    assert version.status == VersionStatus.FAILED
    assert "Encodage invalide" in version.errors[0]["message"]
    assert resource.current is None


def test_empty_and_oversized_uploads_are_refused(tenant: Any, settings: Any) -> None:
    dataset = make_dataset(tenant, "Vide")
    resource = services.resource_create(dataset=dataset, actor="t", title="r")
    with pytest.raises(ValidationError):
        services.version_upload(
            resource=resource, actor="t", chunks=[b""], filename="a.csv", fmt="csv", run=False
        )
    settings.OPENDATA_MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError, match="volumineux"):
        services.version_upload(
            resource=resource,
            actor="t",
            chunks=[b"x" * 700_000] * 2,
            filename="a.csv",
            fmt="csv",
            run=False,
        )
    assert not resource.versions.exists()


def test_versions_keep_date_and_checksum(tenant: Any) -> None:
    _d, resource, first = publish_csv(tenant, "a\n1\n")
    second = upload(resource, b"a\n1\n2\n")
    assert first.checksum != second.checksum and len(second.checksum) == 64
    first.refresh_from_db()
    assert first.status == VersionStatus.SUPERSEDED and first.created_at <= second.created_at
    assert [v.number for v in resource.versions.all()] == [2, 1]


def test_utf16_spreadsheet_export(tenant: Any, client: Any) -> None:
    content = "quartier\tabonnés\nPort\t2700\nPlage\t2900\n".encode("utf-16")
    _d, resource, version = publish_csv(tenant, content)
    assert version.status == VersionStatus.READY, version.errors
    assert _rows(client, tenant, resource, "&sort=-abonnés")["data"][0] == {
        "quartier": "Plage",
        "abonnés": 2900,
    }
