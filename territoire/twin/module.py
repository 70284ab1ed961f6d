"""How the twin module plugs into core (URLs, API, navigation, demo, public pages)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from territoire.core.modules import Module, NavEntry, register


def _public_pages(tenant):  # type: ignore[no-untyped-def]
    return [reverse("twin:gains", kwargs={"tenant": tenant.slug})]


register(
    Module(
        label="twin",
        name=_("Jumeaux numériques"),
        prefix="jumeaux",
        public_urls="territoire.twin.urls",
        staff_urls="territoire.twin.staff_urls",
        api_router="territoire.twin.api.router",
        api_prefix="/jumeaux",
        nav=(
            NavEntry(label=_("Économies réalisées"), url_name="twin:gains"),
            NavEntry(
                label=_("Jumeaux numériques"),
                url_name="twin_staff:index",
                staff=True,
                roles=frozenset({"agent", "elected", "admin"}),
                description=_("Fuites d'eau, tournées de collecte, éclairage, chauffage, piscines"),
            ),
        ),
        public_pages=_public_pages,
        demo_seed="territoire.twin.demo.seed",
        demo_order=200,
    )
)
