"""Reports in public space (signalements): categories, reports, photos, history, followers.

Personal data is minimised: a report keeps the reporter's account (or, for an anonymous
report, only the e-mail address needed to confirm it and to tell them it was fixed).
Open311's first_name, last_name, phone, device_id and account_id are never stored.
No public page nor API ever shows the reporter.
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, Service, TenantOwned, TenantQuerySet

MAX_DESCRIPTION = 4000


class Category(TenantOwned):
    """A kind of problem (an Open311 *service*), routed to a team or an external operator."""

    service_code = models.SlugField(_("code Open311"), max_length=60)
    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("groupe"), max_length=80, blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=255, blank=True)
    service = models.ForeignKey(
        Service,
        verbose_name=_("équipe destinataire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    operator_name = models.CharField(_("opérateur externe"), max_length=120, blank=True)
    operator_email = models.EmailField(_("adresse de l'opérateur"), blank=True)
    operator_webhook = models.URLField(_("webhook de l'opérateur"), blank=True)
    # Open311 attribute definitions: a list of {"code", "datatype", "required",
    # "description", "datatype_description", "order", "variable", "values": [{key, name}]}.
    attributes = models.JSONField(_("questions complémentaires"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "service_code"], name="report_category_code_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def agency_responsible(self) -> str:
        if self.operator_name:
            return self.operator_name
        return self.service.name if self.service_id and self.service else ""


class Status(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("En attente de confirmation")
    NEW = "new", _("Nouveau")
    ACKNOWLEDGED = "acknowledged", _("Pris en compte")
    ASSIGNED = "assigned", _("Confié à une équipe")
    PLANNED = "planned", _("Intervention planifiée")
    IN_PROGRESS = "in_progress", _("En cours")
    FIXED = "fixed", _("Résolu")
    NOT_OURS = "not_our_responsibility", _("Hors compétence")
    DUPLICATE = "duplicate", _("Doublon")
    REJECTED = "rejected", _("Rejeté")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.PLANNED, Status.IN_PROGRESS}
)
CLOSED_STATUSES = frozenset({Status.FIXED, Status.NOT_OURS, Status.DUPLICATE, Status.REJECTED})
PUBLIC_STATUSES = OPEN_STATUSES | CLOSED_STATUSES

_CLOSE = {Status.FIXED, Status.NOT_OURS, Status.DUPLICATE, Status.REJECTED}
# The state machine: which status may follow which (services check it).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.UNCONFIRMED: frozenset({Status.NEW, Status.REJECTED}),
    Status.NEW: frozenset(
        {Status.ACKNOWLEDGED, Status.ASSIGNED, Status.PLANNED, Status.IN_PROGRESS} | _CLOSE
    ),
    Status.ACKNOWLEDGED: frozenset({Status.ASSIGNED, Status.PLANNED, Status.IN_PROGRESS} | _CLOSE),
    Status.ASSIGNED: frozenset(
        {Status.ACKNOWLEDGED, Status.ASSIGNED, Status.PLANNED, Status.IN_PROGRESS} | _CLOSE
    ),
    Status.PLANNED: frozenset({Status.ASSIGNED, Status.PLANNED, Status.IN_PROGRESS} | _CLOSE),
    Status.IN_PROGRESS: frozenset({Status.PLANNED} | _CLOSE),
    # Reopening (the problem is still there) sends a closed report back to the inbox.
    Status.FIXED: frozenset({Status.NEW}),
    Status.NOT_OURS: frozenset({Status.NEW}),
    Status.REJECTED: frozenset({Status.NEW}),
    Status.DUPLICATE: frozenset(),
}


class Source(models.TextChoices):
    WEB = "web", _("Site")
    OPEN311 = "open311", _("API Open311")
    SENSOR = "sensor", _("Alerte de capteur")
    AGENT = "agent", _("Agent")


class ReportQuerySet(TenantQuerySet["Report"]):
    def public(self) -> Self:
        """Visible to everyone: confirmed, not internal, not hidden."""
        return self.filter(status__in=PUBLIC_STATUSES, internal=False)

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self) -> Self:
        return self.filter(status__in=CLOSED_STATUSES)


class Report(TenantOwned):
    category = models.ForeignKey(
        Category,
        verbose_name=_("catégorie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    status = models.CharField(
        _("statut"), max_length=24, choices=Status.choices, default=Status.NEW
    )
    status_notes = models.TextField(_("explication publique du statut"), blank=True)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("adresse ou lieu"), max_length=255, blank=True)
    address_id = models.CharField(_("identifiant d'adresse"), max_length=80, blank=True)
    zipcode = models.CharField(_("code postal"), max_length=10, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("quartier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attributes = models.JSONField(_("réponses aux questions"), default=dict, blank=True)
    media_url = models.URLField(_("lien vers une photo (Open311)"), max_length=500, blank=True)
    # Reporter: an account, or an e-mail address (anonymous report). Never exposed.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_email = models.EmailField(blank=True)
    confirmation_token = models.CharField(max_length=64, blank=True, db_index=True)
    token = models.CharField(_("jeton Open311"), max_length=40, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    source_ref = models.CharField(max_length=80, blank=True)
    api_key = models.ForeignKey(
        "core.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    internal = models.BooleanField(_("interne (non publié)"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("doublon de"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    assigned_service = models.ForeignKey(
        Service,
        verbose_name=_("équipe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    planned_for = models.DateField(_("intervention prévue le"), null=True, blank=True)
    requested_at = models.DateTimeField(_("signalé le"))
    updated_at = models.DateTimeField(_("mis à jour le"))
    expected_at = models.DateTimeField(_("résolution attendue le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    objects = ReportQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-requested_at"]
        indexes = [
            # Open311 GET requests: tenant + window on requested_at, newest first; the id
            # completes the order so that the index alone yields the page (no sort).
            models.Index(fields=["tenant", "requested_at", "id"], name="report_tenant_requested"),
            models.Index(fields=["tenant", "status"], name="report_tenant_status"),
            models.Index(fields=["tenant", "category", "status"], name="report_tenant_cat_status"),
            models.Index(fields=["tenant", "source", "source_ref"], name="report_tenant_source"),
        ]

    def __str__(self) -> str:
        name = self.category.name if self.category_id and self.category else _("Signalement")
        return f"{name} n° {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES and not self.internal

    @property
    def open311_status(self) -> str:
        return "closed" if self.is_closed else "open"

    @property
    def place(self) -> str:
        if self.address:
            return self.address
        if self.lat is not None and self.lon is not None:
            return f"{self.lat:.5f}, {self.lon:.5f}"
        return ""


class ReportPhoto(TenantOwned):
    """A photo re-encoded as JPEG (resized, every metadata dropped), kept in the database."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField(editable=False)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        ordering = ["pk"]


class UpdateKind(models.TextChoices):
    PUBLIC = "public", _("Message public")
    INTERNAL = "internal", _("Note interne")
    STATUS = "status", _("Changement de statut")


class ReportUpdate(TenantOwned):
    """One line of a report's history: a status change, a public message or an internal note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=UpdateKind.choices)
    status_from = models.CharField(max_length=24, blank=True)
    status_to = models.CharField(max_length=24, blank=True)
    text = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField()

    class Meta:
        verbose_name = _("suivi")
        ordering = ["created", "pk"]

    @property
    def is_public(self) -> bool:
        return self.kind != UpdateKind.INTERNAL

    def status_to_label(self) -> str:
        return str(Status(self.status_to).label) if self.status_to in Status.values else ""


class Follower(TenantOwned):
    """A person told of every status change of a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonné")
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="one_follow_per_report")
        ]
