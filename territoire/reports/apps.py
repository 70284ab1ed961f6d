from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from territoire.core.models import LocalAuthority


class ReportsConfig(AppConfig):
    name = "territoire.reports"
    label = "reports"
    verbose_name = _("Signalements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from territoire.core.modules import Module, NavEntry, register
        from territoire.reports import services  # noqa: F401 - subscribes to sensor alerts
        from territoire.reports.datasource import register_datasource

        register(
            Module(
                label="reports",
                name=_("Signalements"),
                prefix="signalements",
                public_urls="territoire.reports.urls",
                staff_urls="territoire.reports.staff_urls",
                root_urls="territoire.reports.open311_urls",
                nav=(
                    NavEntry(label=_("Signaler un problème"), url_name="reports:list"),
                    NavEntry(
                        label=_("Signalements"),
                        url_name="reports_staff:inbox",
                        staff=True,
                        roles=frozenset({"agent", "admin", "elected"}),
                        description=_(
                            "Tri des signalements, équipes, tournées, statistiques, Open311"
                        ),
                    ),
                ),
                public_pages=public_pages,
                demo_seed="territoire.reports.demo.seed",
                demo_order=50,
            )
        )
        register_datasource()


def public_pages(tenant: LocalAuthority) -> list[str]:
    """Every public page of the module for one tenant (browser tests: axe and EcoIndex)."""
    from django.urls import reverse

    from territoire.reports.models import Report

    kw = {"tenant": tenant.slug}
    pages = [
        reverse("reports:list", kwargs=kw),
        reverse("reports:new", kwargs=kw),
        reverse("reports:stats", kwargs=kw),
    ]
    report = Report.objects.for_tenant(tenant).public().filter(photos__isnull=False).first()
    report = report or Report.objects.for_tenant(tenant).public().first()
    if report is not None:
        pages.append(reverse("reports:detail", kwargs={**kw, "pk": report.pk}))
    category = report.category if report is not None else None
    if category is not None and report is not None and report.lon is not None:
        pages.append(
            reverse("reports:new", kwargs=kw)
            + f"?categorie={category.service_code}&lon={report.lon}&lat={report.lat}"
        )
    return pages
