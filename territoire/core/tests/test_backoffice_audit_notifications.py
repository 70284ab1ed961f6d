"""The audit log viewer (admin and DPO, read-only) and everyone's notifications page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from territoire.core.audit import audit_record
from territoire.core.models import AuditEntry, Notification
from territoire.core.services import notify
from territoire.core.tests.factories import LocalAuthorityFactory, member

pytestmark = pytest.mark.django_db


def url(tenant: Any, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant": tenant.slug, **kwargs})


def entries(tenant: Any, other_tenant: Any, admin_user: Any) -> None:
    audit_record(actor=admin_user, action="district.create", tenant=tenant, obj=tenant)
    audit_record(actor=admin_user, action="apikey.revoke", tenant=tenant, obj=tenant)
    audit_record(actor=None, action="district.delete", tenant=other_tenant, obj=other_tenant)


def test_audit_list_filters_and_isolation(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any, admin_user: Any
) -> None:
    entries(tenant, other_tenant, admin_user)
    page = admin_client_tenant.get(url(tenant, "core:admin_audit")).content.decode()
    assert "district.create" in page and "apikey.revoke" in page
    assert "district.delete" not in page  # the other collectivité's log
    page = admin_client_tenant.get(
        url(tenant, "core:admin_audit"), {"action": "apikey.revoke"}
    ).content.decode()
    assert "<td>apikey.revoke</td>" in page and "<td>district.create</td>" not in page
    # Forged values are ignored, never a server error.
    response = admin_client_tenant.get(
        url(tenant, "core:admin_audit"),
        {"action": "district.delete", "from": "pas-une-date", "to": "2026-13-45", "sort": "ip"},
    )
    assert response.status_code == 200


def test_audit_date_range_and_actor(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any, admin_user: Any
) -> None:
    entries(tenant, other_tenant, admin_user)
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = admin_client_tenant.get(
        url(tenant, "core:admin_audit"), {"from": tomorrow, "format": "csv"}
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert len(rows) == 1  # header only
    response = admin_client_tenant.get(
        url(tenant, "core:admin_audit"),
        {
            "from": today.isoformat(),
            "to": today.isoformat(),
            "actor": admin_user.email[:6],
            "format": "csv",
        },
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert rows[0][:3] == ["Date", "Auteur", "Action"]
    assert sorted(r[2] for r in rows[1:] if r[2] != "staff.login") == [
        "apikey.revoke",
        "district.create",
    ]
    assert all(r[1] == admin_user.email for r in rows[1:])


def test_audit_page_is_read_only(admin_client_tenant: Client, tenant: Any, admin_user: Any) -> None:
    audit_record(actor=admin_user, action="district.create", tenant=tenant, obj=tenant)
    count = AuditEntry.objects.count()
    response = admin_client_tenant.post(url(tenant, "core:admin_audit"), {"action": "x"})
    # A POST renders the list again; nothing can be written from this page.
    assert response.status_code in (200, 405)
    assert AuditEntry.objects.count() == count


def test_notifications_page_lists_own_only_and_marks_read(
    tenant: Any, other_tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    me = member(tenant, "resident")
    member(other_tenant, "resident", user=me)
    someone = member(tenant, "resident")
    with django_capture_on_commit_callbacks(execute=False):
        mine = notify(
            tenant=tenant, user=me, subject="Votre dossier avance", body="Étape 2", url="/x/"
        )
        notify(tenant=other_tenant, user=me, subject="Consultation ouverte", body="Venez voter")
        theirs = notify(tenant=tenant, user=someone, subject="Secret d'autrui", body="...")
    client = Client()
    client.force_login(me)
    page = client.get(reverse("site:notifications")).content.decode()
    assert "Votre dossier avance" in page and "Consultation ouverte" in page
    assert tenant.name in page and other_tenant.name in page
    assert "Secret d" not in page
    assert "2 notifications non lues" in page

    # Marking someone else's notification does nothing; marking mine works.
    client.post(reverse("site:notifications_read"), {"id": [theirs.pk, mine.pk]})
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read is None and mine.read is not None
    unread = client.get(reverse("site:notifications"), {"non-lues": "1"}).content.decode()
    assert "Consultation ouverte" in unread and "Votre dossier avance" not in unread

    client.post(reverse("site:notifications_read"), {"all": "1"})
    assert not Notification.objects.filter(user=me, read__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read is None


def test_notifications_need_login_and_post(client: Client) -> None:
    response = client.get(reverse("site:notifications"))
    assert response.status_code == 302 and "login" in response["Location"]
    user = member(LocalAuthorityFactory(), "resident")
    client.force_login(user)
    assert client.get(reverse("site:notifications_read")).status_code == 405


def test_external_notification_links_are_not_rendered(tenant: Any) -> None:
    me = member(tenant, "resident")
    Notification.objects.create(
        tenant=tenant, user=me, subject="Piège", body="b", url="https://evil.example/phish"
    )
    client = Client()
    client.force_login(me)
    page = client.get(reverse("site:notifications")).content.decode()
    assert "Piège" in page and "evil.example" not in page


def test_back_office_speaks_english_when_chosen(admin_client_tenant: Client, tenant: Any) -> None:
    from django.conf import settings

    admin_client_tenant.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin_client_tenant.get(url(tenant, "core:admin_index")).content.decode()
    assert 'lang="en"' in page and "Staff and roles" in page
    response = admin_client_tenant.post(
        url(tenant, "core:admin_district_create"), {"name": "X", "geometry": ""}
    )
    assert "Paste the outline as GeoJSON" in response.content.decode()
