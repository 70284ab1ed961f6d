"""Projects on the ballot, and the follow-up of those that won."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models import Service, TenantOwned, TenantQuerySet
from territoire.participation.models.process import Budget, Process


class ProjectStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Soumis au vote")
    SELECTED = "selected", _("Retenu")
    NOT_SELECTED = "not_selected", _("Non retenu")
    IN_PROGRESS = "in_progress", _("En cours de réalisation")
    DONE = "done", _("Réalisé")
    ABANDONED = "abandoned", _("Abandonné")


# Realisation follow-up: what can follow what once results are published.
PROJECT_TRANSITIONS: dict[str, set[str]] = {
    ProjectStatus.CANDIDATE: {ProjectStatus.SELECTED, ProjectStatus.NOT_SELECTED},
    ProjectStatus.SELECTED: {ProjectStatus.IN_PROGRESS, ProjectStatus.ABANDONED},
    ProjectStatus.NOT_SELECTED: set(),
    ProjectStatus.IN_PROGRESS: {ProjectStatus.DONE, ProjectStatus.ABANDONED},
    ProjectStatus.DONE: set(),
    ProjectStatus.ABANDONED: set(),
}
WINNING = (ProjectStatus.SELECTED, ProjectStatus.IN_PROGRESS, ProjectStatus.DONE)


class Project(TenantOwned):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="projects")
    budget = models.ForeignKey(
        Budget, verbose_name=_("enveloppe"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("titre"), max_length=160)
    description = models.TextField(_("description"))
    cost = models.DecimalField(_("coût (€)"), max_digits=12, decimal_places=2)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    category = models.CharField(_("thème"), max_length=60, blank=True)
    service = models.ForeignKey(
        Service, verbose_name=_("service chargé"), null=True, blank=True, on_delete=models.SET_NULL
    )
    on_ballot = models.BooleanField(_("soumis au vote"), default=True)
    status = models.CharField(
        _("statut"), max_length=14, choices=ProjectStatus.choices, default=ProjectStatus.CANDIDATE
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Milestone(TenantOwned):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    title = models.CharField(_("étape"), max_length=160)
    description = models.TextField(_("détails"), blank=True)
    done = models.BooleanField(_("franchie"), default=False)
    photo = models.BinaryField(blank=True, default=b"", editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("étape")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.title


class ProjectFollow(TenantOwned):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_follow")]
