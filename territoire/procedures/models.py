"""Online procedures: what a resident can file, the dossiers filed and their instruction.

A :class:`Procedure` is built by agents without code; publishing it freezes its field
definitions into an immutable :class:`ProcedureVersion`, and every :class:`Dossier`
keeps the version it was started with, so a later change never alters what a resident
answered. The dossier's states form a state machine (``TRANSITIONS``); the services in
``services.py`` are the only code that moves a dossier and each move is written to its
timeline (:class:`DossierEvent`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models import Service
from territoire.core.models.tenancy import TenantOwned, TenantQuerySet


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")
    CLOSED = "closed", _("Fermée")


class ProcedureQuerySet(TenantQuerySet["Procedure"]):
    def published(self) -> Self:
        return self.filter(status=ProcedureStatus.PUBLISHED)

    def visible(self) -> Self:
        """Shown in the public catalogue: published, or closed (with a notice)."""
        return self.exclude(status=ProcedureStatus.DRAFT)


class Procedure(TenantOwned):
    """A démarche: its presentation, its service and its working copy of fields."""

    slug = models.SlugField(_("identifiant"), max_length=120)
    title = models.CharField(_("titre"), max_length=200)
    theme = models.CharField(_("thème"), max_length=80)
    description = models.TextField(_("présentation"))
    requirements = models.TextField(_("pièces et informations à préparer"), blank=True)
    delay = models.CharField(_("délai de traitement annoncé"), max_length=120, blank=True)
    cost = models.CharField(_("coût"), max_length=120, blank=True, default="Gratuit")
    status = models.CharField(
        _("état"), max_length=10, choices=ProcedureStatus.choices, default=ProcedureStatus.DRAFT
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service instructeur"), on_delete=models.PROTECT, related_name="+"
    )
    silence_days = models.PositiveIntegerField(
        _("silence vaut accord après (jours)"),
        null=True,
        blank=True,
        help_text=_("Laisser vide si le silence de l'administration ne vaut pas accord."),
    )
    # The builder's working copy; published versions are frozen copies of it.
    fields = models.JSONField(_("champs (brouillon)"), default=list, blank=True)
    # Annotation fields only agents see and fill (not versioned: they are the service's).
    private_fields = models.JSONField(_("annotations privées"), default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProcedureQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["theme", "title"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="procedure_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ProcedureStatus.PUBLISHED

    def current_version(self) -> ProcedureVersion | None:
        return self.versions.order_by("-number").first()


class ProcedureVersion(TenantOwned):
    """An immutable snapshot of a procedure's fields, taken when it is published."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("champs"))
    published_at = models.DateTimeField(_("publiée le"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("version de démarche")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.procedure} v{self.number}"


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    CORRECTIONS = "corrections", _("À corriger")
    IN_INSTRUCTION = "in_instruction", _("En instruction")
    ACCEPTED = "accepted", _("Accepté")
    REFUSED = "refused", _("Refusé")
    CLOSED = "closed", _("Classé sans suite")
    WITHDRAWN = "withdrawn", _("Retiré")


DECIDED = frozenset({DossierState.ACCEPTED, DossierState.REFUSED, DossierState.CLOSED})
ACTIVE = frozenset({DossierState.SUBMITTED, DossierState.CORRECTIONS, DossierState.IN_INSTRUCTION})
EDITABLE = frozenset({DossierState.DRAFT, DossierState.CORRECTIONS})

# The state machine: allowed moves and who may make them ("resident", "agent", "system").
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (DossierState.DRAFT, DossierState.SUBMITTED): frozenset({"resident"}),
    (DossierState.SUBMITTED, DossierState.IN_INSTRUCTION): frozenset({"agent"}),
    (DossierState.SUBMITTED, DossierState.CORRECTIONS): frozenset({"agent"}),
    (DossierState.IN_INSTRUCTION, DossierState.CORRECTIONS): frozenset({"agent"}),
    (DossierState.IN_INSTRUCTION, DossierState.SUBMITTED): frozenset({"agent"}),
    (DossierState.CORRECTIONS, DossierState.SUBMITTED): frozenset({"resident"}),
    (DossierState.SUBMITTED, DossierState.ACCEPTED): frozenset({"agent", "system"}),
    (DossierState.SUBMITTED, DossierState.REFUSED): frozenset({"agent"}),
    (DossierState.SUBMITTED, DossierState.CLOSED): frozenset({"agent"}),
    (DossierState.IN_INSTRUCTION, DossierState.ACCEPTED): frozenset({"agent", "system"}),
    (DossierState.IN_INSTRUCTION, DossierState.REFUSED): frozenset({"agent"}),
    (DossierState.IN_INSTRUCTION, DossierState.CLOSED): frozenset({"agent"}),
    (DossierState.ACCEPTED, DossierState.IN_INSTRUCTION): frozenset({"agent"}),
    (DossierState.REFUSED, DossierState.IN_INSTRUCTION): frozenset({"agent"}),
    (DossierState.CLOSED, DossierState.IN_INSTRUCTION): frozenset({"agent"}),
    (DossierState.DRAFT, DossierState.WITHDRAWN): frozenset({"resident"}),
    (DossierState.SUBMITTED, DossierState.WITHDRAWN): frozenset({"resident"}),
    (DossierState.CORRECTIONS, DossierState.WITHDRAWN): frozenset({"resident"}),
    (DossierState.IN_INSTRUCTION, DossierState.WITHDRAWN): frozenset({"resident"}),
}


def allowed_targets(state: str, actor_kind: str) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == state and actor_kind in who]


class DossierQuerySet(TenantQuerySet["Dossier"]):
    def filed(self) -> Self:
        """Dossiers the service can see: everything but drafts never submitted."""
        return self.exclude(submitted_at=None)

    def awaiting_decision(self) -> Self:
        return self.filter(state__in=[DossierState.SUBMITTED, DossierState.IN_INSTRUCTION])

    def decided(self) -> Self:
        return self.filter(state__in=DECIDED)

    def of(self, user: Any) -> Self:
        return self.filter(applicant=user)


class Dossier(TenantOwned):
    """One resident's request under one version of a procedure."""

    reference = models.CharField(_("référence"), max_length=20, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="dossiers")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers"
    )
    state = models.CharField(
        _("état"), max_length=16, choices=DossierState.choices, default=DossierState.DRAFT
    )
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    created = models.DateTimeField(_("commencé le"))
    updated = models.DateTimeField(_("modifié le"))
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decision_motivation = models.TextField(_("motivation de la décision"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructeur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    labels = models.JSONField(_("étiquettes"), default=list, blank=True)
    # Fields only agents see (never shown to the resident, never in exports to them).
    annotations = models.TextField(_("notes privées"), blank=True)
    private_answers = models.JSONField(_("annotations privées"), default=dict, blank=True)
    silence_deadline = models.DateField(_("échéance du silence vaut accord"), null=True, blank=True)

    objects = DossierQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-updated"]
        indexes = [
            models.Index(fields=["tenant", "state"]),
            models.Index(fields=["procedure", "decided_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE

    @property
    def processing_time(self) -> timedelta | None:
        if self.submitted_at and self.decided_at:
            return self.decided_at - self.submitted_at
        return None


class DossierEvent(TenantOwned):
    """One line of a dossier's timeline: who moved it from what to what, when and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    from_state = models.CharField(max_length=16, choices=DossierState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=DossierState.choices)
    reason = models.TextField(_("motif"), blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.from_state}→{self.to_state}"


class Message(TenantOwned):
    """A message between the resident and the service about one dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_service = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.created:%d/%m/%Y}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name never reuses the uploaded one (no path tricks, no guessing).
    return f"demarches/{instance.tenant_id}/{instance.token}.{instance.extension}"


class Attachment(TenantOwned):
    """A document attached to a dossier (answer to a file field) or to a message."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    field_path = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=8)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.name


class OpinionRequest(TenantOwned):
    """A caseworker asks another agent for an opinion on a dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="opinions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.TextField(_("question"))
    answer = models.TextField(_("avis"), blank=True)
    created = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.expert}"


class AttestationKind(models.TextChoices):
    ACCEPTED = "accepted", _("Acceptation")
    REFUSED = "refused", _("Refus")


class AttestationTemplate(TenantOwned):
    """The text of a decision's PDF, with placeholders such as ``{reference}``."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="attestation_templates"
    )
    kind = models.CharField(_("décision"), max_length=10, choices=AttestationKind.choices)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["procedure", "kind"], name="one_template_per_kind")
        ]

    def __str__(self) -> str:
        return self.title
