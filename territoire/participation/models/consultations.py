"""Consultations outside budgets: questionnaires, and the elected officials' answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.core.models import TenantOwned, TenantQuerySet


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Choix unique")
    MULTIPLE = "multiple", _("Choix multiples")
    RANKING = "ranking", _("Classement")
    SCALE = "scale", _("Échelle de 1 à 5")
    TEXT = "text", _("Texte libre")


class Consultation(TenantOwned):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80)
    description = models.TextField(_("présentation"), blank=True)
    opens = models.DateTimeField(_("ouverture"))
    closes = models.DateTimeField(_("clôture"))
    official_answer = models.TextField(_("réponse officielle"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("consultation")
        ordering = ["-opens"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="consultation_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self) -> bool:
        return self.opens <= timezone.now() < self.closes


class Question(TenantOwned):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    choices = models.JSONField(_("choix proposés"), default=list, blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Response(TenantOwned):
    """One person's answers: {question id: answer}; changeable until the consultation closes."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers: Any = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "user"], name="one_response_per_person")
        ]
