"""Ideas residents propose, their supports, comments, and moderation flags."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, Service, TenantOwned, TenantQuerySet
from territoire.participation.models.process import Process


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("En attente d'étude")
    FEASIBLE = "feasible", _("Réalisable")
    UNFEASIBLE = "unfeasible", _("Non réalisable")
    MERGED = "merged", _("Regroupée dans un projet")


ANSWERED = (IdeaStatus.FEASIBLE, IdeaStatus.UNFEASIBLE, IdeaStatus.MERGED)

# The study of an idea: which answers can follow which (an answer may be revised).
IDEA_TRANSITIONS: dict[str, set[str]] = {
    IdeaStatus.SUBMITTED: {IdeaStatus.FEASIBLE, IdeaStatus.UNFEASIBLE, IdeaStatus.MERGED},
    IdeaStatus.FEASIBLE: {IdeaStatus.UNFEASIBLE, IdeaStatus.MERGED},
    IdeaStatus.UNFEASIBLE: {IdeaStatus.FEASIBLE},
    IdeaStatus.MERGED: set(),
}


class IdeaQuerySet(TenantQuerySet["Idea"]):
    def visible(self) -> Self:
        return self.filter(hidden=False)

    def answered(self) -> Self:
        return self.filter(status__in=ANSWERED)


class Idea(TenantOwned):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("titre"), max_length=160)
    description = models.TextField(_("description"))
    district = models.ForeignKey(
        District,
        verbose_name=_("quartier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Laissez vide si l'idée concerne toute la commune."),
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    estimated_cost = models.DecimalField(
        _("coût estimé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    photo = models.BinaryField(blank=True, default=b"", editable=False)
    status = models.CharField(
        _("statut"), max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED
    )
    answer = models.TextField(_("réponse argumentée"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    study_cost = models.DecimalField(
        _("coût estimé par les services (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service chargé"), null=True, blank=True, on_delete=models.SET_NULL
    )
    project = models.ForeignKey(
        "participation.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    supports_count = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = IdeaQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("idée")
        verbose_name_plural = _("idées")
        ordering = ["-created"]
        indexes = [models.Index(fields=["process", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_answered(self) -> bool:
        return self.status in ANSWERED


class Support(TenantOwned):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_support")]


class Comment(TenantOwned):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("commentaire"), max_length=3000)
    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return self.body[:60]


class Flag(TenantOwned):
    """A resident's report that an idea or a comment breaks the rules."""

    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("motif"), max_length=300)
    reviewed = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_flag_per_idea"),
            models.UniqueConstraint(fields=["comment", "user"], name="one_flag_per_comment"),
        ]
