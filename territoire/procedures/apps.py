from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


class ProceduresConfig(AppConfig):
    name = "territoire.procedures"
    label = "procedures"
    verbose_name = _("Démarches en ligne")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from territoire.core.modules import Module, NavEntry, register

        register(
            Module(
                label="procedures",
                name=_("Démarches en ligne"),
                prefix="demarches",
                public_urls="territoire.procedures.urls",
                staff_urls="territoire.procedures.staff_urls",
                api_router="territoire.procedures.api.router",
                api_prefix="/procedures",
                nav=(
                    NavEntry(label=_("Démarches"), url_name="procedures:catalogue"),
                    NavEntry(
                        label=_("Démarches en ligne"),
                        url_name="procedures_staff:inbox",
                        staff=True,
                        description=_(
                            "Instruction des dossiers, création des démarches, statistiques"
                        ),
                    ),
                ),
                public_pages=public_pages,
                demo_seed="territoire.procedures.demo.seed",
                demo_order=40,
            )
        )
        from territoire.procedures import opendata

        opendata.register()


def public_pages(tenant: LocalAuthority) -> list[str]:
    """Every public page of the module for one tenant (browser tests: axe and EcoIndex)."""
    from django.urls import reverse

    from territoire.procedures.models import Procedure

    slug = tenant.slug
    pages = [reverse("procedures:catalogue", kwargs={"tenant": slug})]
    for procedure in Procedure.objects.for_tenant(tenant).visible()[:6]:
        kw = {"tenant": slug, "slug": procedure.slug}
        pages += [
            reverse("procedures:procedure", kwargs=kw),
            reverse("procedures:stats", kwargs=kw),
        ]
    return pages
