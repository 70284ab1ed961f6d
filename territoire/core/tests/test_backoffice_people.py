"""Agents and roles, services: listing, CSV, invitation, role changes, tenant isolation."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from territoire.core.models import AuditEntry, Membership, Service, User
from territoire.core.tests.factories import ServiceFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def url(tenant: Any, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"tenant": tenant.slug, **kwargs})


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_list_shows_staff_counts_residents_and_filters(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any, admin_user: Any
) -> None:
    voirie = ServiceFactory(tenant=tenant, name="Voirie")
    agent = member(tenant, "agent", email="agent.voirie@example.org")
    Membership.objects.get(user=agent, tenant=tenant).services.add(voirie)
    member(tenant, "elected", email="elu@example.org")
    member(tenant, "resident", email="habitante@example.org")
    member(tenant, "resident", email="habitant2@example.org")
    member(other_tenant, "agent", email="ailleurs@example.org")

    page = admin_client_tenant.get(url(tenant, "core:admin_people")).content.decode()
    assert "agent.voirie@example.org" in page and "elu@example.org" in page
    assert "habitante@example.org" not in page  # residents are counted, not listed
    assert "2 habitants" in page
    assert "ailleurs@example.org" not in page

    filtered = admin_client_tenant.get(
        url(tenant, "core:admin_people"), {"role": "agent", "service": voirie.pk}
    ).content.decode()
    assert "agent.voirie@example.org" in filtered and "elu@example.org" not in filtered

    found = admin_client_tenant.get(url(tenant, "core:admin_people"), {"q": "ELU@"})
    assert "elu@example.org" in found.content.decode()
    assert "agent.voirie@example.org" not in found.content.decode()


def test_csv_export_contains_the_filtered_rows(admin_client_tenant: Client, tenant: Any) -> None:
    member(tenant, "agent", email="a1@example.org")
    member(tenant, "agent", email="a2@example.org")
    member(tenant, "elected", email="e1@example.org")
    response = admin_client_tenant.get(
        url(tenant, "core:admin_people"), {"role": "agent", "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][0] == "Adresse électronique"
    assert sorted(r[0] for r in rows[1:]) == ["a1@example.org", "a2@example.org"]


def test_forged_filter_values_do_not_break_the_list(
    admin_client_tenant: Client, tenant: Any
) -> None:
    response = admin_client_tenant.get(
        url(tenant, "core:admin_people"),
        {"role": "superuser", "service": "abc", "active": "maybe", "sort": "password", "page": "x"},
    )
    assert response.status_code == 200


def test_invite_new_person_sends_a_password_link_that_works(
    admin_client_tenant: Client,
    tenant: Any,
    admin_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    eau = ServiceFactory(tenant=tenant, name="Eau")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_tenant.post(
            url(tenant, "core:admin_person_invite"),
            {"email": "Nouvelle.Agente@Example.org", "role": "agent", "services": [eau.pk]},
        )
    user = User.objects.get(email="nouvelle.agente@example.org")
    assert response.status_code == 302
    assert response["Location"] == url(tenant, "core:admin_person", user_id=user.pk)
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, tenant=tenant, role="agent")
    assert list(membership.services.all()) == [eau]
    assert AuditEntry.objects.filter(
        tenant=tenant, action="membership.grant", actor=admin_user, object_id=str(membership.pk)
    ).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle.agente@example.org"]
    assert tenant.name in message.subject
    path = re.search(r"https?://testserver(/\S+)", message.body).group(1)  # type: ignore[union-attr]

    # The person follows the link, chooses a password and can log in with it.
    client = Client()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    new = "Phare-Vert-2027!x"
    response = client.post(form.wsgi_request.path, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(new)
    login = Client().post("/compte/login/", {"login": user.email, "password": new})
    assert login.status_code == 302 and "confirm-email" not in login["Location"]


def test_resend_invitation_to_pending_person_only(
    admin_client_tenant: Client,
    tenant: Any,
    admin_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_tenant.post(
            url(tenant, "core:admin_person_invite"), {"email": "lent@example.org", "role": "agent"}
        )
    pending = User.objects.get(email="lent@example.org")
    page = admin_client_tenant.get(url(tenant, "core:admin_person", user_id=pending.pk))
    assert "Invitation en attente" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_tenant.post(
            url(tenant, "core:admin_person_reinvite", user_id=pending.pk)
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["lent@example.org"]]
    assert AuditEntry.objects.filter(
        action="membership.invitation_resend", actor=admin_user
    ).exists()
    # Someone who already has a password gets no new link.
    active = member(tenant, "agent")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_tenant.post(
            url(tenant, "core:admin_person_reinvite", user_id=active.pk), follow=True
        )
    assert "déjà choisi son mot de passe" in response.content.decode()
    assert mail.outbox == []


def test_invite_existing_account_grants_role_without_password_mail(
    admin_client_tenant: Client, tenant: Any, django_capture_on_commit_callbacks: Any
) -> None:
    existing = member(tenant, "resident", email="deja@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_tenant.post(
            url(tenant, "core:admin_person_invite"),
            {"email": "deja@example.org", "role": "elected"},
        )
    assert Membership.objects.filter(user=existing, tenant=tenant, role="elected").exists()
    assert mail.outbox == []
    assert User.objects.get(pk=existing.pk).has_usable_password()


def test_invite_refuses_bad_input_and_keeps_it(admin_client_tenant: Client, tenant: Any) -> None:
    foreign = ServiceFactory()  # a service of another collectivité
    response = admin_client_tenant.post(
        url(tenant, "core:admin_person_invite"),
        {"email": "pas-une-adresse", "role": "resident", "services": [foreign.pk]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert 'value="pas-une-adresse"' in page
    assert "Sélectionnez un choix valide" in page  # role "resident" cannot be given here
    assert not User.objects.filter(email="pas-une-adresse").exists()


def test_change_roles_and_services(
    admin_client_tenant: Client, tenant: Any, admin_user: Any
) -> None:
    voirie = ServiceFactory(tenant=tenant, name="Voirie")
    eau = ServiceFactory(tenant=tenant, name="Eau")
    person = member(tenant, "agent")
    target = url(tenant, "core:admin_person", user_id=person.pk)
    response = admin_client_tenant.post(
        target, {"roles": ["agent", "dpo"], "services": [voirie.pk, eau.pk]}
    )
    assert response.status_code == 302
    active = Membership.objects.filter(user=person, tenant=tenant, is_active=True)
    assert sorted(active.values_list("role", flat=True)) == ["agent", "dpo"]
    agent_m = active.get(role="agent")
    assert set(agent_m.services.all()) == {voirie, eau}

    # Untick "agent": the role is withdrawn (kept as history), DPO stays.
    admin_client_tenant.post(target, {"roles": ["dpo"], "services": [eau.pk]})
    agent_m.refresh_from_db()
    assert agent_m.is_active is False
    assert Membership.objects.get(user=person, tenant=tenant, role="dpo").is_active
    actions = list(
        AuditEntry.objects.filter(tenant=tenant, actor=admin_user).values_list("action", flat=True)
    )
    assert "membership.revoke" in actions and actions.count("membership.grant") >= 2


def test_admin_cannot_remove_own_admin_role(
    admin_client_tenant: Client, tenant: Any, admin_user: Any
) -> None:
    own = Membership.objects.get(user=admin_user, tenant=tenant, role="admin")
    # Through the roles form: refused as a whole, nothing changes.
    response = admin_client_tenant.post(
        url(tenant, "core:admin_person", user_id=admin_user.pk), {"roles": ["agent"]}
    )
    assert response.status_code == 200
    assert "votre propre rôle" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active
    assert not Membership.objects.filter(user=admin_user, tenant=tenant, role="agent").exists()
    # Through the withdraw button.
    response = admin_client_tenant.post(
        url(tenant, "core:admin_membership_withdraw", membership_id=own.pk), follow=True
    )
    assert "votre propre rôle" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active


def test_withdraw_a_role(admin_client_tenant: Client, tenant: Any, admin_user: Any) -> None:
    person = member(tenant, "elected")
    membership = Membership.objects.get(user=person, tenant=tenant)
    response = admin_client_tenant.post(
        url(tenant, "core:admin_membership_withdraw", membership_id=membership.pk)
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active is False
    assert AuditEntry.objects.filter(action="membership.revoke", actor=admin_user).exists()
    # The person loses access at once.
    client = Client()
    client.force_login(person)
    assert client.get(url(tenant, "core:staff_home")).status_code == 403


def test_withdraw_is_post_only(admin_client_tenant: Client, tenant: Any) -> None:
    membership = Membership.objects.get(user=member(tenant, "agent"), tenant=tenant)
    response = admin_client_tenant.get(
        url(tenant, "core:admin_membership_withdraw", membership_id=membership.pk)
    )
    assert response.status_code == 405
    membership.refresh_from_db()
    assert membership.is_active


def test_other_tenant_people_are_out_of_reach(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any
) -> None:
    foreign = member(other_tenant, "agent")
    foreign_m = Membership.objects.get(user=foreign, tenant=other_tenant)
    resident = member(tenant, "resident")
    assert (
        admin_client_tenant.get(url(tenant, "core:admin_person", user_id=foreign.pk)).status_code
        == 404
    )
    # A resident of our own collectivité is not a staff person either.
    assert (
        admin_client_tenant.get(url(tenant, "core:admin_person", user_id=resident.pk)).status_code
        == 404
    )
    # Forged ids in POSTs: 404 and nothing changes.
    response = admin_client_tenant.post(
        url(tenant, "core:admin_person", user_id=foreign.pk), {"roles": ["admin"]}
    )
    assert response.status_code == 404
    response = admin_client_tenant.post(
        url(tenant, "core:admin_membership_withdraw", membership_id=foreign_m.pk)
    )
    assert response.status_code == 404
    foreign_m.refresh_from_db()
    assert foreign_m.is_active
    assert not Membership.objects.filter(user=foreign, tenant=tenant).exists()
    # The same ids through the other tenant's URL need that tenant's admin role.
    response = admin_client_tenant.get(url(other_tenant, "core:admin_person", user_id=foreign.pk))
    assert response.status_code == 403


def test_services_list_create_rename(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any, admin_user: Any
) -> None:
    ServiceFactory(tenant=other_tenant, name="Service étranger")
    response = admin_client_tenant.post(
        url(tenant, "core:admin_services"), {"name": "Espaces verts", "email": "verts@example.org"}
    )
    assert response.status_code == 302
    service = Service.objects.get(tenant=tenant, name="Espaces verts")
    assert service.slug == "espaces-verts"
    page = admin_client_tenant.get(url(tenant, "core:admin_services")).content.decode()
    assert "Espaces verts" in page and "Service étranger" not in page

    response = admin_client_tenant.post(
        url(tenant, "core:admin_service_edit", service_id=service.pk),
        {"name": "Parcs et jardins", "email": ""},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.slug) == ("Parcs et jardins", "espaces-verts")
    assert list(
        AuditEntry.objects.filter(tenant=tenant, actor=admin_user, object_id=str(service.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["service.create", "service.update"]

    rows = csv_rows(admin_client_tenant.get(url(tenant, "core:admin_services"), {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["Parcs et jardins"]


def test_service_errors_are_clear(admin_client_tenant: Client, tenant: Any) -> None:
    ServiceFactory(tenant=tenant, name="Voirie", slug="voirie")
    response = admin_client_tenant.post(url(tenant, "core:admin_services"), {"name": "Voirie"})
    assert response.status_code == 200
    assert "Un service porte déjà ce nom" in response.content.decode()
    response = admin_client_tenant.post(url(tenant, "core:admin_services"), {"name": "!!!"})
    assert "au moins une lettre" in response.content.decode()
    assert Service.objects.filter(tenant=tenant).count() == 1


def test_foreign_service_cannot_be_renamed(
    admin_client_tenant: Client, tenant: Any, other_tenant: Any
) -> None:
    foreign = ServiceFactory(tenant=other_tenant, name="Leur service")
    response = admin_client_tenant.post(
        url(tenant, "core:admin_service_edit", service_id=foreign.pk), {"name": "Piraté"}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Leur service"


def test_person_form_refuses_foreign_service(admin_client_tenant: Client, tenant: Any) -> None:
    person = member(tenant, "agent")
    foreign = ServiceFactory()
    response = admin_client_tenant.post(
        url(tenant, "core:admin_person", user_id=person.pk),
        {"roles": ["agent"], "services": [foreign.pk]},
    )
    assert response.status_code == 200
    assert not Membership.objects.get(user=person, tenant=tenant).services.exists()


def test_list_query_count_does_not_grow_with_rows(admin_client_tenant: Client, tenant: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    voirie = ServiceFactory(tenant=tenant)

    def add(n: int) -> None:
        for _ in range(n):
            user = UserFactory()
            Membership.objects.create(tenant=tenant, user=user, role="agent").services.add(voirie)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client_tenant.get(url(tenant, "core:admin_people")).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request of a session also writes the session
    add(2)
    few = count()
    add(15)
    assert count() == few
