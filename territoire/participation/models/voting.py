"""Who may vote (voter records, census), ballots, and computed results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, TenantOwned, TenantQuerySet
from territoire.participation.models.process import Budget, Process
from territoire.participation.models.projects import Project


class Verification(models.TextChoices):
    SELF = "self", _("Déclaration sur l'honneur")
    CENSUS = "census", _("Liste de recensement")
    COUNTER = "counter", _("Vérifié au guichet")


class Relation(models.TextChoices):
    LIVES = "lives", _("J'y habite")
    WORKS = "works", _("J'y travaille")
    STUDIES = "studies", _("J'y étudie")


class AgeBand(models.TextChoices):
    UNDER_18 = "u18", _("Moins de 18 ans")
    A18_29 = "18-29", _("18 à 29 ans")
    A30_44 = "30-44", _("30 à 44 ans")
    A45_59 = "45-59", _("45 à 59 ans")
    A60_74 = "60-74", _("60 à 74 ans")
    A75 = "75+", _("75 ans et plus")


class Sex(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")
    UNDISCLOSED = "", _("Ne souhaite pas répondre")


class CensusEntry(TenantOwned):
    """One person on the list imported by agents; only a keyed hash of the identity is kept."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="census")
    identity_hash = models.CharField(max_length=64)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["process", "identity_hash"], name="census_once")
        ]


class VoterRecord(TenantOwned):
    """A person's eligibility for one process: declared, matched on the census, or checked.

    ``identity_hash`` (keyed hash of name and birth date, never the data itself) is set
    when the identity was checked (census match or counter): it stops the same person
    from voting twice, once online and once on paper.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="voters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity_hash = models.CharField(max_length=64, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("quartier"), null=True, blank=True, on_delete=models.PROTECT
    )
    relation = models.CharField(_("lien avec la commune"), max_length=8, choices=Relation.choices)
    age_band = models.CharField(_("tranche d'âge"), max_length=6, choices=AgeBand.choices)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex.choices, blank=True)
    verification = models.CharField(max_length=8, choices=Verification.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["process", "user"],
                condition=models.Q(user__isnull=False),
                name="one_record_per_user",
            ),
            models.UniqueConstraint(
                fields=["process", "identity_hash"],
                condition=~models.Q(identity_hash=""),
                name="one_record_per_identity",
            ),
        ]


class Channel(models.TextChoices):
    ONLINE = "online", _("En ligne")
    PAPER = "paper", _("Bulletin papier saisi par un agent")
    ASSISTED = "assisted", _("Vote accompagné au guichet")


class Ballot(TenantOwned):
    """One person's ballot in one envelope; changeable until the vote closes."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ballots")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(VoterRecord, on_delete=models.CASCADE, related_name="ballots")
    projects = models.ManyToManyField(Project, related_name="ballots")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt = models.CharField(max_length=16, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["budget", "voter"], name="one_ballot_per_budget")
        ]


class ResultRun(TenantOwned):
    """Winners of one envelope computed by the process's rule, with the explanation."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="results")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="results")
    rule = models.CharField(max_length=40)
    ballots = models.PositiveIntegerField(default=0)
    outcome = models.JSONField(default=dict)  # see services_results.outcome_as_json
    greedy = models.JSONField(default=dict)  # the greedy outcome, shown side by side
    computed_at = models.DateTimeField(auto_now_add=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(default=False)

    objects = TenantQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-computed_at"]
