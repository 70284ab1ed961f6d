from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


class ParticipationConfig(AppConfig):
    name = "territoire.participation"
    label = "participation"
    verbose_name = _("Participation citoyenne")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from territoire.core.modules import Module, NavEntry, register

        register(
            Module(
                label="participation",
                name=_("Participation citoyenne"),
                prefix="participer",
                public_urls="territoire.participation.urls",
                staff_urls="territoire.participation.staff_urls",
                api_router="territoire.participation.api.router",
                api_prefix="/participation",
                nav=(
                    NavEntry(label=_("Participer"), url_name="participation:processes"),
                    NavEntry(
                        label=_("Participation citoyenne"),
                        url_name="participation_staff:home",
                        staff=True,
                        description=_(
                            "Budgets participatifs : idées, étude, vote, résultats, suivi"
                        ),
                    ),
                ),
                public_pages=public_pages,
                demo_seed="territoire.participation.demo.seed",
                demo_order=60,
            )
        )
        from territoire.participation import datasources

        datasources.register()


def public_pages(tenant: LocalAuthority) -> list[str]:
    """Every public page of the module for one tenant (browser tests: axe and EcoIndex)."""
    from django.urls import reverse

    from territoire.participation.models import Idea, Process, Project

    slug = tenant.slug
    from territoire.participation.models import Consultation

    pages = [
        reverse("participation:processes", kwargs={"tenant": slug}),
        reverse("participation:consultations", kwargs={"tenant": slug}),
    ]
    for consultation in Consultation.objects.for_tenant(tenant)[:2]:
        pages.append(
            reverse(
                "participation:consultation", kwargs={"tenant": slug, "slug": consultation.slug}
            )
        )
    for process in Process.objects.for_tenant(tenant).published():
        kw = {"tenant": slug, "slug": process.slug}
        pages += [
            reverse(f"participation:{name}", kwargs=kw)
            for name in ("process", "ideas", "results", "projects", "stats")
        ]
        district_budget = process.budgets.exclude(district=None).order_by("pk").first()
        if district_budget is not None:
            results = reverse("participation:results", kwargs=kw)
            pages.append(f"{results}?enveloppe={district_budget.pk}")
        idea = (
            Idea.objects.filter(process=process, hidden=False).order_by("-supports_count").first()
        )
        if idea is not None:
            pages.append(reverse("participation:idea", kwargs={**kw, "pk": idea.pk}))
        project = (
            Project.objects.filter(process=process)
            .exclude(status="candidate")
            .order_by("-progress")
            .first()
        )
        if project is not None:
            pages.append(reverse("participation:project", kwargs={**kw, "pk": project.pk}))
    return pages
