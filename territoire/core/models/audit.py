"""The audit log of staff actions: append-only, enforced by the database itself."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models.tenancy import LocalAuthority, TenantQuerySet


class AuditEntry(models.Model):
    """Who did what, when, on which object, from where. Never updated nor deleted.

    ``tenant`` is nullable only for actions on the instance itself (creating a
    collectivité); everything a collectivité's staff does carries its tenant.
    """

    tenant = models.ForeignKey(
        LocalAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    time = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the entry stays readable after the account is deleted.
    actor_label = models.CharField(_("auteur"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=80, blank=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    object_label = models.CharField(_("objet"), max_length=254, blank=True)
    details = models.JSONField(_("détails"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    objects: Any = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["tenant", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be modified.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit entries cannot be deleted.")
