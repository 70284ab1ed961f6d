"""Writes of the administrators' back-office that core/services.py does not already hold.

Same rules as core/services.py: keyword-only, typed, one transaction, one audit entry.
Kept beside the back-office because only it calls them; they change core models only.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core import services as core_services
from territoire.core.audit import audit_record
from territoire.core.models import LocalAuthority, Membership, Notification, Service, User
from territoire.core.models.people import STAFF_ROLES


@transaction.atomic
def service_update(*, actor: Any, service: Service, name: str, email: str = "") -> Service:
    """Rename a service or change its address. The slug stays: other modules and
    bookmarks refer to it."""
    before = {"name": service.name, "email": service.email}
    service.name = name.strip()
    service.email = email.strip()
    service.full_clean()
    service.save(update_fields=["name", "email"])
    audit_record(
        actor=actor,
        action="service.update",
        tenant=service.tenant,
        obj=service,
        details={"before": before},
    )
    return service


@transaction.atomic
def membership_set_roles(
    *,
    actor: Any,
    tenant: LocalAuthority,
    user: User,
    roles: list[str],
    services: list[Service],
) -> list[Membership]:
    """Make ``user``'s staff roles in ``tenant`` exactly ``roles``, in ``services``.

    Roles ticked are granted (or reactivated), roles unticked are withdrawn through
    :func:`membership_revoke` (which refuses to let an administrator withdraw their
    own admin role). The services are set on every active staff role of the person,
    so that "the services of an agent" reads the same whichever role is looked at.
    Any refusal rolls the whole change back.
    """
    wanted = {r for r in roles if r in STAFF_ROLES}
    if len(wanted) != len(set(roles)):
        raise ValidationError(_("Rôle inconnu ou non modifiable ici."))
    if any(s.tenant_id != tenant.pk for s in services):
        raise ValidationError(_("Un service d'une autre collectivité ne peut pas être choisi."))
    current = {
        m.role: m
        for m in Membership.objects.for_tenant(tenant).filter(user=user, role__in=STAFF_ROLES)
    }
    for role, held in current.items():
        if held.is_active and role not in wanted:
            core_services.membership_revoke(actor=actor, membership=held)
    kept = []
    for role in sorted(wanted):
        membership = current.get(role)
        unchanged = (
            membership is not None
            and membership.is_active
            and set(membership.services.values_list("pk", flat=True)) == {s.pk for s in services}
        )
        if unchanged and membership is not None:
            kept.append(membership)
            continue
        kept.append(
            core_services.membership_grant(
                actor=actor, tenant=tenant, user=user, role=role, services=services
            )
        )
    return kept


@transaction.atomic
def staff_invite_account(
    *,
    actor: Any,
    tenant: LocalAuthority,
    email: str,
    role: str,
    display_name: str = "",
    services: list[Service] | None = None,
    base_url: str = "",
) -> tuple[User, Membership, bool]:
    """Invite a staff member: :func:`staff_invite`, plus the e-mail address record
    allauth needs to let the person log in, plus the invitation e-mail (sent once the
    transaction commits) when the person has no password yet.

    The address is recorded as verified: the only way to give this new account a
    password is the link sent to that very address, so using it proves the mailbox.
    ``base_url`` (scheme and host) builds the link in the e-mail.
    """
    if role not in STAFF_ROLES:
        raise ValidationError(_("Choisissez un rôle d'agent, d'élu, de DPO ou d'administrateur."))
    user, membership, created = core_services.staff_invite(
        actor=actor,
        tenant=tenant,
        email=email,
        role=role,
        display_name=display_name,
        services=services,
    )
    if created:
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    if not user.has_usable_password():
        _send_invitation_on_commit(user=user, tenant=tenant, role=role, base_url=base_url)
    return user, membership, created


@transaction.atomic
def staff_invitation_resend(
    *, actor: Any, tenant: LocalAuthority, user: User, base_url: str
) -> None:
    """Send the invitation again to a staff member who has not chosen a password yet
    (the first link expired or was lost)."""
    if user.has_usable_password():
        raise ValidationError(_("Cette personne a déjà choisi son mot de passe."))
    membership = (
        Membership.objects.for_tenant(tenant)
        .filter(user=user, role__in=STAFF_ROLES, is_active=True)
        .order_by("role")
        .first()
    )
    if membership is None:
        raise ValidationError(_("Cette personne n'a plus de rôle actif dans la collectivité."))
    _send_invitation_on_commit(user=user, tenant=tenant, role=membership.role, base_url=base_url)
    audit_record(
        actor=actor,
        action="membership.invitation_resend",
        tenant=tenant,
        obj=membership,
        details={"user": user.email},
    )


def _send_invitation_on_commit(
    *, user: User, tenant: LocalAuthority, role: str, base_url: str
) -> None:
    from territoire.core.backoffice.mail import send_staff_invitation

    transaction.on_commit(lambda: send_staff_invitation.enqueue(user.pk, tenant.pk, role, base_url))


@transaction.atomic
def tenant_update_settings(
    *,
    actor: Any,
    tenant: LocalAuthority,
    colour_primary: str,
    colour_accent: str,
    legal_notice: str,
    contact_email: str,
    address: str,
    logo: bytes | None = None,
) -> LocalAuthority:
    """Theme (through :func:`tenant_update_theme`, which checks contrast and the logo)
    and the identity shown in the footer and legal notice, in one transaction."""
    before = {
        "contact_email": tenant.contact_email,
        "address": tenant.address,
        "legal_notice_changed": False,
    }
    changed_notice = tenant.legal_notice != legal_notice.strip()
    core_services.tenant_update_theme(
        actor=actor,
        tenant=tenant,
        colour_primary=colour_primary,
        colour_accent=colour_accent,
        logo=logo,
    )
    tenant.legal_notice = legal_notice.strip()
    tenant.contact_email = contact_email.strip().lower()
    tenant.address = address.strip()
    tenant.full_clean(exclude=["logo", "logo_type", "logo_updated", "parent"])
    tenant.save(update_fields=["legal_notice", "contact_email", "address"])
    before["legal_notice_changed"] = changed_notice
    audit_record(actor=actor, action="tenant.identity", tenant=tenant, obj=tenant, details=before)
    return tenant


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the person's own notifications as read (all unread ones when ``ids`` is None).

    Personal, not a staff action on the collectivité's data: no audit entry. Ids of
    other people's notifications are silently ignored by the ``user`` filter.
    """
    qs = Notification.objects.filter(user=user, read__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read=timezone.now())
