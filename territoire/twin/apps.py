from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwinConfig(AppConfig):
    name = "territoire.twin"
    label = "twin"
    verbose_name = _("Jumeaux numériques")

    def ready(self) -> None:
        from territoire.twin import datasources, module, subscribers  # noqa: F401  (registers)

        datasources.register()
