"""Template context shared by every page: tenant identity, theme, navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from territoire.core import modules
from territoire.core.models.people import STAFF_ROLES, roles_of
from territoire.core.theme import tint


def territoire(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    context: dict[str, Any] = {
        "instance_name": settings.TERRITOIRE_INSTANCE_NAME,
        "tenant": tenant,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    if tenant is not None:
        roles = roles_of(request.user, tenant)
        context.update(
            theme={
                "primary": tenant.colour_primary,
                "accent": tenant.colour_accent,
                "primary_light": tint(tenant.colour_primary, 0.92),
            },
            tenant_roles=roles,
            is_tenant_staff=bool(roles & STAFF_ROLES),
            public_nav=modules.nav_links(tenant, staff=False),
        )
    return context
