"""Tenant resolution and isolation over pages."""

from __future__ import annotations

import pytest
from django.test import Client

from territoire.core.services import tenant_update_theme
from territoire.core.tests.factories import DistrictFactory


@pytest.mark.django_db
def test_home_shows_tenant_identity_and_colours(client, tenant) -> None:  # type: ignore[no-untyped-def]
    tenant_update_theme(
        actor=None, tenant=tenant, colour_primary="#0b5a7a", colour_accent="#a4372b"
    )
    html = client.get(f"/{tenant.slug}/").content.decode()
    assert f"<h1>{tenant.name}</h1>" in html
    assert "--brand:#0b5a7a" in html


@pytest.mark.django_db
def test_unknown_or_inactive_tenant_is_404_page(client, tenant) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "Cette collectivité n" in response.content.decode()
    tenant.is_active = False
    tenant.save()
    assert client.get(f"/{tenant.slug}/").status_code == 404


@pytest.mark.django_db
def test_pages_show_only_their_tenant_data(client, tenant, other_tenant) -> None:  # type: ignore[no-untyped-def]
    DistrictFactory(tenant=tenant, name="Quartier-Du-Port")
    DistrictFactory(tenant=other_tenant, name="Quartier-Des-Autres")
    html = client.get(f"/{tenant.slug}/").content.decode()
    assert "Quartier-Du-Port" in html and "Quartier-Des-Autres" not in html


@pytest.mark.django_db
def test_staff_of_one_tenant_cannot_enter_another_back_office(tenant, other_tenant, agent) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(agent)
    assert client.get(f"/{tenant.slug}/gestion/").status_code == 200
    assert client.get(f"/{other_tenant.slug}/gestion/").status_code == 403


@pytest.mark.django_db
def test_resident_cannot_enter_back_office(tenant, resident_client) -> None:  # type: ignore[no-untyped-def]
    response = resident_client.get(f"/{tenant.slug}/gestion/")
    assert response.status_code == 403
    assert "accès" in response.content.decode()


@pytest.mark.django_db
def test_host_name_maps_to_tenant(client, settings, tenant) -> None:  # type: ignore[no-untyped-def]
    settings.TERRITOIRE_HOSTS = {"services.valmont.example": tenant.slug}
    settings.ALLOWED_HOSTS = ["services.valmont.example", "testserver"]
    response = client.get("/", HTTP_HOST="services.valmont.example")
    assert response.status_code == 302 and response["Location"] == f"/{tenant.slug}/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_logo_served_from_database(client, tenant) -> None:  # type: ignore[no-untyped-def]
    from territoire.core.demo_logo import render_logo

    assert client.get(f"/{tenant.slug}/logo.png").status_code == 404
    tenant_update_theme(
        actor=None,
        tenant=tenant,
        colour_primary="#0b5a7a",
        colour_accent="#a4372b",
        logo=render_logo("Valmont", "#0b5a7a"),
    )
    response = client.get(f"/{tenant.slug}/logo.png")
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
