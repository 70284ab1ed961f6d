"""The audit log records staff actions and cannot be changed, even bypassing the ORM."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from territoire.core.models import AuditEntry
from territoire.core.services import district_save


@pytest.mark.django_db
def test_service_writes_who_what_where(tenant, admin_user, rf) -> None:  # type: ignore[no-untyped-def]
    from territoire.core import requestcontext

    token = requestcontext.client_ip.set("203.0.113.7")
    try:
        district = district_save(
            actor=admin_user,
            tenant=tenant,
            name="Centre",
            geometry='{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}',
        )
    finally:
        requestcontext.client_ip.reset(token)
    entry = AuditEntry.objects.for_tenant(tenant).get(action="district.create")
    assert entry.actor == admin_user
    assert entry.actor_label == admin_user.email
    assert entry.object_id == str(district.pk)
    assert entry.object_type == "core.district"
    assert entry.ip == "203.0.113.7"


@pytest.mark.django_db
def test_entries_cannot_be_modified_through_the_model(tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    entry = AuditEntry.objects.create(tenant=tenant, actor=admin_user, action="x")
    entry.action = "y"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.django_db
def test_database_refuses_update_and_delete(tenant, admin_user) -> None:  # type: ignore[no-untyped-def]
    AuditEntry.objects.create(tenant=tenant, actor=admin_user, action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(tenant=tenant).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.filter(action="x").count() == 1
