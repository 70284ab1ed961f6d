"""The tabular API: filters, sort, columns, keyset pagination, formats, totals, errors."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from territoire.core.services import apikey_create
from territoire.opendata import storage, tabular
from territoire.opendata.tests.conftest import publish_csv

QUARTIERS = ["Port", "Plage", "Centre", "Les Hauts"]


def _content() -> str:
    lines = ["nom,quartier,places,tarif,ouvert,mise_en_service,longitude,latitude"]
    for i in range(1, 131):
        places = "" if i % 10 == 0 else str(i * 3 % 97)
        lines.append(
            f"Équipement {i:03d},{QUARTIERS[i % 4]},{places},{i % 7 * 1.5},"
            f"{'oui' if i % 3 else 'non'},2024-{1 + i % 12:02d}-{1 + i % 28:02d},"
            f"{-1.17 + i / 10000:.5f},{46.14 + i / 10000:.5f}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def published(tenant: Any) -> Any:
    dataset, resource, version = publish_csv(
        tenant,
        _content(),
        title="Équipements publics",
        lon_column="longitude",
        lat_column="latitude",
    )
    assert version.status == "ready", version.errors
    return dataset, resource


def _url(published: Any, tenant: Any, query: str = "") -> str:
    dataset, resource = published
    return (
        f"/api/v1/datasets/{dataset.slug}/resources/{resource.pk}/rows?tenant={tenant.slug}{query}"
    )


def _get(client: Any, published: Any, tenant: Any, query: str = "") -> Any:
    return client.get(_url(published, tenant, query))


def test_types_are_inferred(published: Any) -> None:
    _dataset, resource = published
    types = {c["name"]: c["type"] for c in resource.current.columns}
    assert types == {
        "nom": "string",
        "quartier": "string",
        "places": "integer",
        "tarif": "number",
        "ouvert": "boolean",
        "mise_en_service": "date",
        "longitude": "number",
        "latitude": "number",
    }


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("&quartier=Port", lambda r: r["quartier"] == "Port"),
        ("&quartier__eq=Port", lambda r: r["quartier"] == "Port"),
        ("&quartier__ne=Port", lambda r: r["quartier"] != "Port"),
        ("&places__lt=10", lambda r: r["places"] is not None and r["places"] < 10),
        ("&places__gt=90", lambda r: r["places"] > 90),
        ("&places__lte=10", lambda r: r["places"] <= 10),
        ("&places__gte=90", lambda r: r["places"] >= 90),
        ("&tarif__gte=7.5", lambda r: r["tarif"] >= 7.5),
        ("&quartier__in=Port,Plage", lambda r: r["quartier"] in ("Port", "Plage")),
        ("&nom__contains=012", lambda r: "012" in r["nom"]),
        ("&nom__contains=%C3%89quipement%20012", lambda r: r["nom"] == "Équipement 012"),
        ("&ouvert=non", lambda r: r["ouvert"] is False),
        ("&mise_en_service__lt=2024-03-01", lambda r: r["mise_en_service"] < "2024-03-01"),
        ("&quartier=Port&places__gt=50", lambda r: r["quartier"] == "Port" and r["places"] > 50),
    ],
)
def test_filters(client: Any, published: Any, tenant: Any, query: str, check: Any) -> None:
    response = _get(client, published, tenant, query + "&page_size=1000")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"], query
    assert all(check(r) for r in body["data"]), query
    assert body["total"] == len(body["data"]) and body["total_exact"] is True
    # The filter really filters: fewer rows than the whole table.
    assert body["total"] < 130 or query == ""


def test_contains_is_case_insensitive_for_ascii(client: Any, published: Any, tenant: Any) -> None:
    body = _get(client, published, tenant, "&quartier__contains=hauts").json()
    assert body["total"] == 32


def test_sort_and_keyset_pagination_walks_every_row_once(
    client: Any, published: Any, tenant: Any
) -> None:
    for sort in ("places", "-places", "nom", "-tarif", ""):
        url = _url(published, tenant, f"&page_size=17&sort={sort}")
        seen: list[dict[str, Any]] = []
        pages = 0
        while url:
            body = client.get(url).json()
            seen += body["data"]
            url = body["next"]
            pages += 1
            assert pages < 20
        assert len(seen) == 130 and len({r["nom"] for r in seen}) == 130, sort
        if sort:
            key = sort.lstrip("-")
            values = [r[key] for r in seen]
            nulls = [v for v in values if v is None]
            present = [v for v in values if v is not None]
            if sort.startswith("-"):
                assert present == sorted(present, reverse=True)
                assert values[len(present) :] == nulls  # NULLs last descending
            else:
                assert present == sorted(present)
                assert values[: len(nulls)] == nulls  # NULLs first ascending
    assert pages == 8


def test_next_link_keeps_filters(client: Any, published: Any, tenant: Any) -> None:
    body = _get(client, published, tenant, "&quartier=Port&page_size=5&sort=-places").json()
    assert "quartier=Port" in body["next"] and "sort=-places" in body["next"]
    second = client.get(body["next"]).json()
    assert all(r["quartier"] == "Port" for r in second["data"])
    assert second["data"][0]["places"] <= body["data"][-1]["places"]


def test_column_selection(client: Any, published: Any, tenant: Any) -> None:
    body = _get(client, published, tenant, "&columns=nom,places").json()
    assert [c["name"] for c in body["columns"]] == ["nom", "places"]
    assert set(body["data"][0]) == {"nom", "places"}


def test_csv_and_geojson_formats(client: Any, published: Any, tenant: Any) -> None:
    response = _get(client, published, tenant, "&format=csv&quartier=Plage&columns=nom,places")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["nom", "places"] and len(rows) == 1 + 33
    geo = _get(client, published, tenant, "&format=geojson&page_size=3&columns=nom").json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 3
    feature = geo["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == [pytest.approx(-1.1699), pytest.approx(46.1401)]
    assert feature["properties"]["nom"] == "Équipement 001"


def test_full_download(client: Any, published: Any, tenant: Any) -> None:
    dataset, resource = published
    url = f"/api/v1/datasets/{dataset.slug}/resources/{resource.pk}/download?tenant={tenant.slug}"
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 131 and rows[0][0] == "nom"
    geo = client.get(url + "&format=geojson")
    assert b'"FeatureCollection"' in b"".join(geo.streaming_content)


def test_totals_become_estimates_past_the_bound(
    client: Any, published: Any, tenant: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(storage, "COUNT_BOUND", 20)
    monkeypatch.setattr(storage, "ESTIMATE_SAMPLE", 50)
    body = _get(client, published, tenant, "&places__gte=0").json()
    assert body["total_exact"] is False
    assert body["total"] > 20
    exact = _get(client, published, tenant, "&quartier=Port&places__gt=80").json()
    assert exact["total_exact"] is True
    assert _get(client, published, tenant).json()["total"] == 130  # unfiltered: exact


def test_broad_filters_walk_the_sort_index_with_the_same_result(
    client: Any, published: Any, tenant: Any, monkeypatch: Any
) -> None:
    query = "&quartier__in=Port,Plage,Centre&sort=-places&page_size=7"
    narrow = _get(client, published, tenant, query).json()
    monkeypatch.setattr(tabular, "BROAD", 0)  # every filter counts as broad
    broad = _get(client, published, tenant, query).json()
    assert broad["data"] == narrow["data"]
    assert client.get(broad["next"]).json()["data"] == client.get(narrow["next"]).json()["data"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("&inconnue=1", "colonne inconnue"),
        ("&places__like=3", "Opérateur inconnu"),
        ("&places__gt=beaucoup", "invalide pour la colonne places"),
        ("&page_size=100000", "page_size"),
        ("&page_size=0", "page_size"),
        ("&page_size=dix", "page_size"),
        ("&sort=-nimporte", "Tri sur une colonne inconnue"),
        ("&columns=nom,xx", "Colonne inconnue"),
        ("&cursor=pas-un-curseur", "Curseur"),
        ("&format=xml", "Format inconnu"),
        ("&mise_en_service__gt=2024-13-45", "invalide"),
    ],
)
def test_bad_queries_get_a_clear_400(
    client: Any, published: Any, tenant: Any, query: str, fragment: str
) -> None:
    response = _get(client, published, tenant, query)
    assert response.status_code == 400, response.content
    assert fragment.lower() in response.json()["message"].lower()


def test_geojson_of_a_non_geographic_resource_is_refused(client: Any, tenant: Any) -> None:
    dataset, resource, _v = publish_csv(tenant, "a,b\n1,2\n", title="Plat")
    response = client.get(
        f"/api/v1/datasets/{dataset.slug}/resources/{resource.pk}/rows?tenant={tenant.slug}&format=geojson"
    )
    assert response.status_code == 400


def test_catalogue_search_api(client: Any, published: Any, tenant: Any) -> None:
    body = client.get(f"/api/v1/datasets?tenant={tenant.slug}&q=quipements").json()
    assert body["count"] == 1
    assert body["datasets"][0]["resources"][0]["rows"] == 130
    assert ["csv", 1] in [list(f) for f in body["facets"]["format"]]
    assert client.get(f"/api/v1/datasets?tenant={tenant.slug}&format=xlsx").json()["count"] == 0
    one = client.get(f"/api/v1/datasets/{published[0].slug}?tenant={tenant.slug}").json()
    assert one["quality_max"] == 9


def test_no_cross_tenant_access(
    client: Any, published: Any, tenant: Any, other_tenant: Any
) -> None:
    dataset, resource = published
    base = f"/api/v1/datasets/{dataset.slug}"
    rows = f"{base}/resources/{resource.pk}/rows"
    assert client.get(f"{rows}?tenant={other_tenant.slug}").status_code == 404
    assert (
        client.get(
            f"{base}/resources/{resource.pk}/download?tenant={other_tenant.slug}"
        ).status_code
        == 404
    )
    assert client.get(f"{base}?tenant={other_tenant.slug}").status_code == 404
    assert client.get(f"/api/v1/datasets?tenant={other_tenant.slug}").json()["count"] == 0
    assert (
        "quipements"
        not in client.get(f"/api/v1/catalog.ttl?tenant={other_tenant.slug}").content.decode()
    )
    raw = apikey_create(tenant=other_tenant, actor="test", name="voisin", scopes=["read"]).secret
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"{rows}?tenant={tenant.slug}", **auth).status_code == 403
    assert client.get(rows, **auth).status_code == 404
    # Public pages too.
    assert client.get(f"/{other_tenant.slug}/donnees/{dataset.slug}/").status_code == 404
    assert (
        client.get(
            f"/{other_tenant.slug}/donnees/{dataset.slug}/ressources/{resource.pk}/"
        ).status_code
        == 404
    )
    assert "quipements" not in client.get(f"/{other_tenant.slug}/donnees/").content.decode()


def test_unpublished_dataset_is_invisible(client: Any, published: Any, tenant: Any) -> None:
    dataset, _resource = published
    dataset.published = False
    dataset.save()
    assert _get(client, published, tenant).status_code == 404
    assert client.get(f"/{tenant.slug}/donnees/{dataset.slug}/").status_code == 404


def test_preview_page_filters_sorts_and_survives_bad_parameters(
    client: Any, published: Any, tenant: Any
) -> None:
    dataset, resource = published
    page = f"/{tenant.slug}/donnees/{dataset.slug}/ressources/{resource.pk}/"
    response = client.get(page + "?fc=quartier&fo=eq&fv=Port")
    assert response.status_code == 302 and response["Location"] == "?quartier=Port"
    body = client.get(page + "?quartier=Port&sort=-places").content.decode()
    assert "32 lignes" in body and 'aria-sort="descending"' in body
    assert "Équipement 092" in body  # the most places in Port comes first
    assert "<svg" in body and 'id="od-geojson"' in body
    assert "Afficher aussi" not in body  # 8 columns: all shown
    for bad in (
        "?inconnue=1",
        "?places__gt=abc",
        "?sort=-nope",
        "?cursor=zz",
        "?graphique=x&mesure=y",
    ):
        response = client.get(page + bad)
        assert response.status_code == 200, bad
    assert "colonne inconnue" in client.get(page + "?inconnue=1").content.decode().lower()


def test_cursor_of_another_ordering_or_forged_is_refused(
    client: Any, published: Any, tenant: Any
) -> None:
    body = _get(client, published, tenant, "&sort=-places&page_size=5").json()
    cursor = body["next"].split("cursor=")[1]
    response = _get(client, published, tenant, f"&sort=nom&cursor={cursor}")
    assert response.status_code == 400 and "autre tri" in response.json()["message"]
    forged = storage.encode_cursor(
        "value", "pas un nombre", 3, storage.cursor_signature("c2", True)
    )
    response = _get(client, published, tenant, f"&sort=-places&cursor={forged}")
    assert response.status_code == 400
    # The genuine cursor still works with its own ordering.
    assert (
        _get(client, published, tenant, f"&sort=-places&page_size=5&cursor={cursor}").status_code
        == 200
    )
