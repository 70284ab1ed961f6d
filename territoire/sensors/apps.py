from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SensorsConfig(AppConfig):
    name = "territoire.sensors"
    label = "sensors"
    verbose_name = _("Capteurs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from territoire.core import modules, timeseries
        from territoire.core.modules import Module, NavEntry
        from territoire.sensors import datasources
        from territoire.sensors.provider import SensorsTimeSeries

        timeseries.register_provider(SensorsTimeSeries())
        datasources.register()
        modules.register(
            Module(
                label="sensors",
                name=_("Capteurs"),
                prefix="capteurs",
                public_urls="territoire.sensors.urls",
                staff_urls="territoire.sensors.staff_urls",
                api_router="territoire.sensors.api.router",
                api_prefix="/",
                nav=(
                    NavEntry(label=_("Capteurs"), url_name="sensors:list"),
                    NavEntry(
                        label=_("Capteurs"),
                        url_name="sensors_staff:list",
                        staff=True,
                        description=_("Registre, mesures, alertes, quarantaine"),
                    ),
                    NavEntry(
                        label=_("Alertes capteurs"),
                        url_name="sensors_staff:alerts",
                        staff=True,
                        description=_("Alertes ouvertes et prises en compte"),
                    ),
                ),
                public_pages=_public_pages,
                demo_seed="territoire.sensors.demo.seed",
                demo_order=40,
            )
        )


def _public_pages(tenant):  # type: ignore[no-untyped-def]
    from territoire.sensors.models import Sensor

    pages = [f"/{tenant.slug}/capteurs/"]
    # One page per public kind present (the sensor pages share one template).
    seen: set[str] = set()
    for ref, kind in Sensor.objects.for_tenant(tenant).public().values_list("ref", "kind"):
        if kind not in seen:
            seen.add(kind)
            pages.append(f"/{tenant.slug}/capteurs/{ref}/")
    return pages
