"""The DCAT-AP 3 export is valid against the official SHACL shapes (pyshacl)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pyshacl import validate
from rdflib import Graph

from territoire.opendata import services
from territoire.opendata.tests.conftest import make_dataset, upload

SHAPES = Path(__file__).resolve().parents[3].parent / "shared" / "standards" / "dcat-ap"


def _shapes() -> Graph:
    if not SHAPES.exists():
        pytest.fail(f"{SHAPES} is missing (shared/standards must sit beside the repository)")
    g = Graph()
    g.parse(SHAPES / "dcat-ap-3.0.1-SHACL.ttl")
    return g


@pytest.fixture
def catalogue(tenant: Any, other_tenant: Any) -> Any:
    d = make_dataset(
        tenant,
        "Délibérations du conseil municipal",
        description="Les délibérations " * 20,
        themes=["GOVE"],
        keywords=["délibérations", "conseil municipal"],
        frequency="MONTHLY",
        temporal_start=date(2025, 1, 1),
        temporal_end=date(2025, 12, 31),
        spatial="Valmont-sur-Mer",
        contact_name="Service des assemblées",
        contact_email="assemblees@valmont.example",
    )
    r = services.resource_create(dataset=d, actor="test", title="Délibérations 2025")
    upload(r, b"id;objet\n1;Budget\n2;Voirie\n")
    make_dataset(tenant, "Brouillon", published=False)
    make_dataset(other_tenant, "Chez le voisin")
    return d


def _conforms(data: str, fmt: str) -> tuple[bool, str]:
    g = Graph()
    g.parse(data=data, format=fmt)
    conforms, _graph, text = validate(g, shacl_graph=_shapes(), inference="none")
    return conforms, text


def test_catalog_turtle_is_shacl_valid(client: Any, tenant: Any, catalogue: Any) -> None:
    response = client.get(f"/api/v1/catalog.ttl?tenant={tenant.slug}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/turtle")
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.content.decode()
    conforms, report = _conforms(body, "turtle")
    assert conforms, report
    assert "Délibérations du conseil municipal" in body
    assert "Brouillon" not in body  # unpublished
    assert "Chez le voisin" not in body  # another tenant
    assert "checksumValue" in body


def test_catalog_jsonld_is_shacl_valid(client: Any, tenant: Any, catalogue: Any) -> None:
    response = client.get(f"/api/v1/catalog.jsonld?tenant={tenant.slug}")
    assert response.status_code == 200
    conforms, report = _conforms(response.content.decode(), "json-ld")
    assert conforms, report


def test_instance_catalog_and_dataset_dcat(client: Any, tenant: Any, catalogue: Any) -> None:
    whole = client.get("/api/v1/catalog.ttl").content.decode()
    assert "Chez le voisin" in whole and "Délibérations du conseil municipal" in whole
    conforms, report = _conforms(whole, "turtle")
    assert conforms, report
    one = client.get(f"/api/v1/datasets/{catalogue.slug}/dcat.ttl?tenant={tenant.slug}")
    assert one.status_code == 200
    conforms, report = _conforms(one.content.decode(), "turtle")
    assert conforms, report
    assert (
        client.get(
            f"/api/v1/datasets/{catalogue.slug}/dcat.jsonld?tenant={tenant.slug}"
        ).status_code
        == 200
    )


def test_shapes_do_catch_a_broken_export(catalogue: Any, client: Any, tenant: Any) -> None:
    # The test would be worthless if the shapes accepted anything: a dataset without
    # its mandatory description must fail.
    body = client.get(f"/api/v1/catalog.ttl?tenant={tenant.slug}").content.decode()
    g = Graph()
    g.parse(data=body, format="turtle")
    from rdflib.namespace import DCAT, DCTERMS, RDF

    for ds in g.subjects(RDF.type, DCAT.Dataset):
        g.remove((ds, DCTERMS.description, None))
    conforms, _g, _t = validate(g, shacl_graph=_shapes(), inference="none")
    assert not conforms
