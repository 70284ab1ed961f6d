from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "territoire.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self) -> None:
        from territoire.core import checks, signals  # noqa: F401  (registers handlers)
