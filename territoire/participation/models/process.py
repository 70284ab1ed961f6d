"""A participatory process (budget), its dated phases and its budgets."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, TenantOwned, TenantQuerySet


class Phase(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    IDEAS = "ideas", _("Dépôt des idées")
    STUDY = "study", _("Étude de faisabilité")
    VOTE = "vote", _("Vote")
    RESULTS = "results", _("Résultats")
    REALISATION = "realisation", _("Réalisation")


PHASE_ORDER = [p.value for p in Phase]

# Hand transitions agents may make (dates also move the phase forward on their own).
PHASE_TRANSITIONS: dict[str, set[str]] = {
    Phase.DRAFT: {Phase.IDEAS},
    Phase.IDEAS: {Phase.STUDY},
    Phase.STUDY: {Phase.IDEAS, Phase.VOTE},
    Phase.VOTE: {Phase.RESULTS},
    Phase.RESULTS: {Phase.REALISATION},
    Phase.REALISATION: set(),
}


class Rule(models.TextChoices):
    EQUAL_SHARES = "equal-shares", _("Méthode des parts égales")
    GREEDY = "greedy", _("Les plus votés d'abord")


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approbation (entre un minimum et un maximum de projets)")
    KNAPSACK = "knapsack", _("Panier (coût total dans l'enveloppe)")


class VerificationPolicy(models.TextChoices):
    SELF = "self", _("Déclaration sur l'honneur")
    CENSUS = "census", _("Liste de recensement ou vérification au guichet")
    COUNTER = "counter", _("Vérification au guichet uniquement")


class ProcessQuerySet(TenantQuerySet["Process"]):
    def published(self) -> Self:
        return self.exclude(phase=Phase.DRAFT)


class Process(TenantOwned):
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80)
    description = models.TextField(_("présentation"), blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.DRAFT)
    # Each phase starts on its date (or earlier, by hand); the vote closes at vote_end.
    ideas_start = models.DateTimeField(_("début du dépôt des idées"), null=True, blank=True)
    study_start = models.DateTimeField(_("début de l'étude"), null=True, blank=True)
    vote_start = models.DateTimeField(_("ouverture du vote"), null=True, blank=True)
    vote_end = models.DateTimeField(_("clôture du vote"), null=True, blank=True)
    realisation_start = models.DateTimeField(_("début de la réalisation"), null=True, blank=True)
    supports_per_person = models.PositiveSmallIntegerField(
        _("soutiens par personne"), default=10, validators=[MaxValueValidator(100)]
    )
    # Who may vote.
    min_age = models.PositiveSmallIntegerField(
        _("âge minimum"), default=11, validators=[MaxValueValidator(99)]
    )
    open_to_workers_students = models.BooleanField(
        _("ouvert aux personnes qui travaillent ou étudient sur le territoire"), default=True
    )
    verification = models.CharField(
        _("vérification des votants"),
        max_length=10,
        choices=VerificationPolicy.choices,
        default=VerificationPolicy.SELF,
    )
    # How.
    ballot_kind = models.CharField(
        _("type de bulletin"),
        max_length=10,
        choices=BallotKind.choices,
        default=BallotKind.APPROVAL,
    )
    min_choices = models.PositiveSmallIntegerField(_("projets au minimum"), default=1)
    max_choices = models.PositiveSmallIntegerField(_("projets au maximum"), default=5)
    rule = models.CharField(
        _("règle de calcul"), max_length=15, choices=Rule.choices, default=Rule.EQUAL_SHARES
    )
    cardinality_utility = models.BooleanField(
        _("compter chaque projet pour 1 (au lieu de son coût)"), default=False
    )
    flag_threshold = models.PositiveSmallIntegerField(
        _("signalements avant masquage"), default=3, validators=[MinValueValidator(1)]
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ProcessQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("budget participatif")
        verbose_name_plural = _("budgets participatifs")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="process_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.title

    def phase_by_date(self, now: datetime | None = None) -> str | None:
        now = now or timezone.now()
        reached = None
        for phase, start in (
            (Phase.IDEAS, self.ideas_start),
            (Phase.STUDY, self.study_start),
            (Phase.VOTE, self.vote_start),
            (Phase.RESULTS, self.vote_end),
            (Phase.REALISATION, self.realisation_start),
        ):
            if start is not None and start <= now:
                reached = phase
        return reached

    def current_phase(self, now: datetime | None = None) -> str:
        """The later of the phase set by hand and the phase its dates have reached."""
        by_date = self.phase_by_date(now)
        if self.phase == Phase.DRAFT or by_date is None:
            return self.phase
        return max(self.phase, by_date, key=PHASE_ORDER.index)

    def vote_is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.vote_end is not None and now >= self.vote_end:
            return False
        return self.current_phase(now) == Phase.VOTE


class Budget(TenantOwned):
    """An envelope: a quartier's, or the whole territory's when ``district`` is empty."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="budgets")
    district = models.ForeignKey(
        District, verbose_name=_("quartier"), null=True, blank=True, on_delete=models.PROTECT
    )
    amount = models.DecimalField(_("montant (€)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("enveloppe")
        verbose_name_plural = _("enveloppes")
        ordering = ["district__name"]
        constraints = [
            models.UniqueConstraint(fields=["process", "district"], name="one_budget_per_district"),
            models.UniqueConstraint(
                fields=["process"],
                condition=models.Q(district__isnull=True),
                name="one_territory_budget",
            ),
        ]

    def __str__(self) -> str:
        return self.district.name if self.district is not None else str(_("Toute la commune"))
