"""In-app notifications, also sent by e-mail through a background task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models.tenancy import TenantOwned


class Notification(TenantOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(_("lien"), max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.subject
