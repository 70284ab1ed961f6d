"""Reads of the administrators' back-office. Every query starts from the tenant."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Model, Q, QuerySet
from django.http import Http404

from territoire.core import selectors as core_selectors
from territoire.core.models import (
    ApiKey,
    AuditEntry,
    District,
    LocalAuthority,
    Membership,
    Notification,
    Service,
    User,
)
from territoire.core.models.people import STAFF_ROLES, Role


def staff_memberships(tenant: LocalAuthority) -> QuerySet[Membership]:
    """One row per (person, staff role), active or withdrawn, for the people list."""
    return core_selectors.staff_memberships(tenant)


def resident_count(tenant: LocalAuthority) -> int:
    # Residents are counted, never listed: the administrators do not need to see who
    # they are to run the collectivité's back-office (data minimisation).
    return Membership.objects.for_tenant(tenant).active().filter(role=Role.RESIDENT).count()


def staff_person(tenant: LocalAuthority, user_id: int) -> User:
    """A person holding (or having held) a staff role in ``tenant``; 404 otherwise,
    so that ids of residents or of other collectivités' staff reveal nothing."""
    user = (
        User.objects.filter(
            pk=user_id,
            memberships__tenant=tenant,
            memberships__role__in=STAFF_ROLES,
        )
        .distinct()
        .first()
    )
    if user is None:
        raise Http404
    return user


def person_memberships(tenant: LocalAuthority, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.for_tenant(tenant)
        .filter(user=user, role__in=STAFF_ROLES)
        .prefetch_related("services")
        .order_by("role")
    )


def services_with_counts(tenant: LocalAuthority) -> QuerySet[Service]:
    return core_selectors.services(tenant).annotate(
        member_count=Count("membership", filter=Q(membership__is_active=True), distinct=True)
    )


def api_keys(tenant: LocalAuthority) -> QuerySet[ApiKey]:
    return core_selectors.api_keys(tenant).annotate(
        is_revoked=ExpressionWrapper(Q(revoked__isnull=False), output_field=BooleanField())
    )


def audit_entries(tenant: LocalAuthority) -> QuerySet[AuditEntry]:
    return core_selectors.audit_entries(tenant)


def audit_actions(tenant: LocalAuthority) -> list[str]:
    return list(
        AuditEntry.objects.for_tenant(tenant)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


def get_for_tenant[M: Model](qs: QuerySet[M], tenant: LocalAuthority, pk: Any) -> M:
    """The row ``pk`` of ``tenant``, or 404 (a forged id of another tenant included)."""
    obj = qs.for_tenant(tenant).filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def districts_feature_collection(tenant: LocalAuthority, url_of: Any = None) -> dict[str, Any]:
    """The quartiers as a GeoJSON FeatureCollection (properties: label, slug, population)."""
    features = []
    for d in District.objects.for_tenant(tenant).order_by("name"):
        props: dict[str, Any] = {
            "label": d.name,
            "slug": d.slug,
            "population": d.population,
        }
        if url_of is not None:
            props["url"] = url_of(d)
        features.append({"type": "Feature", "properties": props, "geometry": d.geometry})
    return {"type": "FeatureCollection", "features": features}


def user_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("tenant").order_by("-created")
