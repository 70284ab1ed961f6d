"""Who reaches the administrators' back-office: admins only (the audit log: admin and DPO)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from territoire.core.models import ApiKey
from territoire.core.tests.factories import DistrictFactory, ServiceFactory, member

ADMIN_PAGES = [
    ("core:admin_index", {}),
    ("core:admin_people", {}),
    ("core:admin_person_invite", {}),
    ("core:admin_services", {}),
    ("core:admin_districts", {}),
    ("core:admin_district_create", {}),
    ("core:admin_theme", {}),
    ("core:admin_apikeys", {}),
    ("core:admin_apikey_create", {}),
]


def url(tenant: Any, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant": tenant.slug, **kwargs})


@pytest.mark.parametrize(("name", "kwargs"), ADMIN_PAGES)
def test_admin_pages_open_for_admin(
    admin_client_tenant: Client, tenant: Any, name: str, kwargs: Any
) -> None:
    response = admin_client_tenant.get(url(tenant, name, **kwargs))
    assert response.status_code == 200
    assert b'lang="fr"' in response.content


@pytest.mark.parametrize(("name", "kwargs"), [*ADMIN_PAGES, ("core:admin_audit", {})])
def test_agent_gets_403(agent_client: Client, tenant: Any, name: str, kwargs: Any) -> None:
    assert agent_client.get(url(tenant, name, **kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), [*ADMIN_PAGES, ("core:admin_audit", {})])
def test_resident_gets_403(resident_client: Client, tenant: Any, name: str, kwargs: Any) -> None:
    assert resident_client.get(url(tenant, name, **kwargs)).status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), [*ADMIN_PAGES, ("core:admin_audit", {})])
def test_anonymous_goes_to_login(client: Client, tenant: Any, name: str, kwargs: Any) -> None:
    target = url(tenant, name, **kwargs)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_admin_of_other_tenant_is_refused(other_tenant: Any, tenant: Any) -> None:
    """Being admin somewhere gives nothing in another collectivité."""
    elsewhere = member(other_tenant, "admin")
    client = Client()
    client.force_login(elsewhere)
    for name, kwargs in ADMIN_PAGES:
        assert client.get(url(tenant, name, **kwargs)).status_code == 403


def test_dpo_reads_audit_but_not_admin_pages(tenant: Any) -> None:
    dpo = member(tenant, "dpo")
    client = Client()
    client.force_login(dpo)
    assert client.get(url(tenant, "core:admin_audit")).status_code == 200
    assert client.get(url(tenant, "core:admin_people")).status_code == 403


def test_staff_without_totp_is_sent_to_enrolment(tenant: Any) -> None:
    from territoire.core.models import Membership
    from territoire.core.tests.factories import UserFactory

    user = UserFactory()
    Membership.objects.create(tenant=tenant, user=user, role="admin")
    client = Client()
    client.force_login(user)
    response = client.get(url(tenant, "core:admin_people"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_agent_cannot_post_writes(agent_client: Client, tenant: Any, agent: Any) -> None:
    district = DistrictFactory(tenant=tenant)
    key = ApiKey.objects.create(tenant=tenant, name="k", prefix="abcd1234", key_hash="x" * 64)
    service = ServiceFactory(tenant=tenant)
    posts = [
        (url(tenant, "core:admin_district_delete", district_id=district.pk), {}),
        (url(tenant, "core:admin_apikey_revoke", key_id=key.pk), {}),
        (url(tenant, "core:admin_service_edit", service_id=service.pk), {"name": "X"}),
        (url(tenant, "core:admin_person_invite"), {"email": "a@b.fr", "role": "admin"}),
        (
            url(tenant, "core:admin_theme"),
            {"colour_primary": "#000000", "colour_accent": "#000000"},
        ),
    ]
    for target, data in posts:
        assert agent_client.post(target, data).status_code == 403
    district.refresh_from_db()
    key.refresh_from_db()
    service.refresh_from_db()
    assert key.revoked is None
    assert service.name != "X"
    assert not ApiKey.objects.filter(tenant=tenant).exclude(pk=key.pk).exists()


def test_staff_home_shows_admin_links_to_admins_only(
    admin_client_tenant: Client, agent_client: Client, tenant: Any
) -> None:
    people = url(tenant, "core:admin_people")
    home = url(tenant, "core:staff_home")
    assert people in admin_client_tenant.get(home).content.decode()
    assert people not in agent_client.get(home).content.decode()


def test_geojson_export_is_for_staff(agent_client: Client, client: Client, tenant: Any) -> None:
    DistrictFactory(tenant=tenant, name="Le Port")
    target = url(tenant, "core:admin_districts_geojson")
    data = agent_client.get(target).json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["label"] for f in data["features"]] == ["Le Port"]
    assert client.get(target).status_code == 302


def test_csrf_is_enforced_on_writes(admin_user: Any, tenant: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    district = DistrictFactory(tenant=tenant)
    response = client.post(url(tenant, "core:admin_district_delete", district_id=district.pk))
    assert response.status_code == 403
    district.refresh_from_db()  # still there
