"""Tenants (collectivités) and what every tenant-owned row inherits."""

from __future__ import annotations

from typing import Any, Self

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoire.core.theme import validate_hex_colour


class LocalAuthorityKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité (EPCI)")


class LocalAuthorityQuerySet(models.QuerySet["LocalAuthority"]):
    def active(self) -> Self:
        return self.filter(is_active=True)


class LocalAuthority(models.Model):
    """A collectivité: the tenant. Every tenant-owned row points to one."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=LocalAuthorityKind.choices)
    insee_code = models.CharField(
        _("code INSEE"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", _("Un code INSEE a 5 caractères."))],
    )
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("Un SIREN a 9 chiffres."))],
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("intercommunalité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": LocalAuthorityKind.EPCI},
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    host = models.CharField(
        _("nom d'hôte"),
        max_length=200,
        blank=True,
        help_text=_("Nom de domaine propre à la collectivité, facultatif."),
    )
    contact_email = models.EmailField(_("adresse de contact"), blank=True)
    address = models.TextField(_("adresse postale"), blank=True)
    # Theme: two colours checked for contrast with white text (WCAG AA), and a logo
    # kept in the database so that backups carry it and no media server is needed.
    colour_primary = models.CharField(
        _("couleur principale"), max_length=7, default="#1f4e79", validators=[validate_hex_colour]
    )
    colour_accent = models.CharField(
        _("couleur d'accent"), max_length=7, default="#8a3b12", validators=[validate_hex_colour]
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=40, blank=True, editable=False)
    logo_updated = models.DateTimeField(null=True, blank=True, editable=False)
    legal_notice = models.TextField(_("mentions légales"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = LocalAuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_epci(self) -> bool:
        return self.kind == LocalAuthorityKind.EPCI


class TenantQuerySet[M: models.Model](models.QuerySet[M]):
    """Base queryset of tenant-owned rows: every read starts with ``for_tenant``."""

    def for_tenant(self, tenant: LocalAuthority) -> Self:
        return self.filter(tenant=tenant)


class TenantOwned(models.Model):
    """Abstract base of every tenant-owned model: the row carries its collectivité."""

    tenant = models.ForeignKey(
        LocalAuthority, verbose_name=_("collectivité"), on_delete=models.CASCADE, related_name="+"
    )

    objects: Any = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class District(TenantOwned):
    """A quartier, drawn as a GeoJSON Polygon or MultiPolygon (WGS 84)."""

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120)
    geometry = models.JSONField(_("contour (GeoJSON)"))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="district_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return self.name
