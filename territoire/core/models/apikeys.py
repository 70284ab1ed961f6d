"""API keys: shown once, stored hashed, scoped, bound to one collectivité."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models.tenancy import TenantOwned


class ApiKey(TenantOwned):
    """A key ``trt_<prefix>_<secret>``; only SHA-256 of the whole key is stored.

    The secret has 256 bits of entropy, so a fast hash is safe (no dictionary to
    attack) and lets every API request be checked in one indexed lookup.
    """

    name = models.CharField(_("nom"), max_length=120)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("droits"), default=list)
    created = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'API")
        verbose_name_plural = _("clés d'API")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} (trt_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
