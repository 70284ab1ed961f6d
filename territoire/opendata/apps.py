from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


class OpendataConfig(AppConfig):
    name = "territoire.opendata"
    label = "opendata"
    verbose_name = _("Données ouvertes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from territoire.core.modules import Module, NavEntry, register
        from territoire.opendata import services  # noqa: F401 - subscribes to DatasetSourceChanged

        register(
            Module(
                label="opendata",
                name=_("Données ouvertes"),
                prefix="donnees",
                public_urls="territoire.opendata.urls",
                staff_urls="territoire.opendata.staff_urls",
                api_router="territoire.opendata.api.router",
                api_prefix="/",
                nav=(
                    NavEntry(label=_("Données ouvertes"), url_name="opendata:catalogue"),
                    NavEntry(
                        label=_("Données ouvertes"),
                        url_name="opendata_staff:home",
                        staff=True,
                        roles=frozenset({"agent", "admin", "dpo"}),
                        description=_(
                            "Catalogue, dépôt et validation de fichiers, contrôle de "
                            "confidentialité, publication des données de la plateforme"
                        ),
                    ),
                ),
                public_pages=public_pages,
                demo_seed="territoire.opendata.demo.seed",
                demo_order=90,
            )
        )


def public_pages(tenant: LocalAuthority) -> list[str]:
    """Every public page of the module for one tenant (browser tests: axe and EcoIndex)."""
    from django.urls import reverse

    from territoire.opendata.models import Dataset

    slug = tenant.slug
    pages = [reverse("opendata:catalogue", kwargs={"tenant": slug})]
    geo_done = plain_done = False
    for d in Dataset.objects.for_tenant(tenant).published().order_by("pk"):
        pages.append(reverse("opendata:dataset", kwargs={"tenant": slug, "slug": d.slug}))
        for r in d.resources.filter(current__status="ready"):
            geo = bool(r.lon_column)
            if (geo and geo_done) or (not geo and plain_done):
                continue
            pages.append(
                reverse("opendata:resource", kwargs={"tenant": slug, "slug": d.slug, "pk": r.pk})
            )
            geo_done, plain_done = geo_done or geo, plain_done or not geo
    return pages
