"""The administration dashboard: one entry per section, a few counts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from territoire.core.backoffice import selectors
from territoire.core.models import ApiKey, District, Service
from territoire.core.permissions import admin_required


@admin_required
def index(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    counts = {
        "staff": selectors.staff_memberships(tenant)
        .filter(is_active=True, user__is_active=True)
        .values("user")
        .distinct()
        .count(),
        "residents": selectors.resident_count(tenant),
        "services": Service.objects.for_tenant(tenant).count(),
        "districts": District.objects.for_tenant(tenant).count(),
        "keys": ApiKey.objects.for_tenant(tenant).filter(revoked__isnull=True).count(),
    }
    return render(request, "core/staff/admin/index.html", {"counts": counts})
