"""Reads of core data. Views, API and commands all go through these."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet

from territoire.core.models import (
    ApiKey,
    AuditEntry,
    District,
    LocalAuthority,
    Membership,
    Service,
    User,
)
from territoire.core.models.people import STAFF_ROLES


def tenant_by_slug(slug: str) -> LocalAuthority | None:
    return LocalAuthority.objects.active().filter(slug=slug).select_related("parent").first()


def tenants_public() -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.active().defer("logo").order_by("kind", "name")


def is_staff_anywhere(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and Membership.objects.active().filter(user=user, role__in=STAFF_ROLES).exists()
    )


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_needs_mfa_enrolment(user: Any) -> bool:
    return is_staff_anywhere(user) and not has_totp(user)


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("tenant")
        .order_by("tenant__name", "role")
    )


def staff_memberships(tenant: LocalAuthority) -> QuerySet[Membership]:
    return (
        Membership.objects.for_tenant(tenant)
        .filter(role__in=STAFF_ROLES)
        .select_related("user")
        .prefetch_related("services")
    )


def districts(tenant: LocalAuthority) -> QuerySet[District]:
    return District.objects.for_tenant(tenant).order_by("name")


def district_at(tenant: LocalAuthority, lon: float, lat: float) -> District | None:
    """The quartier containing the point, if any (first match in name order)."""
    from territoire.core.geo import contains

    for d in districts(tenant):
        if contains(d.geometry, lon, lat):
            return d
    return None


def services(tenant: LocalAuthority) -> QuerySet[Service]:
    return Service.objects.for_tenant(tenant).order_by("name")


def api_keys(tenant: LocalAuthority) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_tenant(tenant).select_related("created_by")


def audit_entries(tenant: LocalAuthority) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.for_tenant(tenant).select_related("actor")
