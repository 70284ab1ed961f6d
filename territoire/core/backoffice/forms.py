"""Forms of the administrators' back-office. They check input shape; services check rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from territoire.core.geo import parse_polygon
from territoire.core.models import District, LocalAuthority, Service
from territoire.core.models.people import STAFF_ROLES, Role
from territoire.core.services import KNOWN_SCOPES, MAX_LOGO_BYTES

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r.value in STAFF_ROLES]
MAX_GEOJSON_BYTES = 1024 * 1024


class _TenantForm(forms.Form):
    """A form whose choices come from one collectivité only."""

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        if "services" in self.fields:
            self.fields["services"].queryset = Service.objects.for_tenant(tenant).order_by("name")  # type: ignore[attr-defined]


class InviteForm(_TenantForm):
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("La personne reçoit un lien pour choisir son mot de passe."),
    )
    display_name = forms.CharField(label=_("Nom affiché"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=STAFF_ROLE_CHOICES)
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les équipes dont la personne traite les demandes."),
    )


class PersonRolesForm(_TenantForm):
    roles = forms.MultipleChoiceField(
        label=_("Rôles"),
        choices=STAFF_ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Décochez tous les rôles pour retirer l'accès à la gestion."),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Nom du service"), max_length=120)
    email = forms.EmailField(label=_("Adresse du service"), required=False)

    def __init__(
        self, *args: Any, tenant: LocalAuthority, service: Service | None = None, **kw: Any
    ) -> None:
        self.tenant = tenant
        self.service = service
        super().__init__(*args, **kw)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not slugify(name):
            raise ValidationError(_("Ce nom doit contenir au moins une lettre ou un chiffre."))
        if self.service is None:
            # The slug is made from the name at creation and never changes afterwards.
            taken = Service.objects.for_tenant(self.tenant).filter(slug=slugify(name)[:120])
            if taken.exists():
                raise ValidationError(_("Un service porte déjà ce nom."))
        return name


class DistrictForm(forms.Form):
    name = forms.CharField(label=_("Nom du quartier"), max_length=120)
    population = forms.IntegerField(label=_("Population"), min_value=0, required=False)
    geometry = forms.CharField(
        label=_("Contour (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "Un Polygon ou MultiPolygon en longitude, latitude (WGS 84), un Feature ou une "
            "collection d'un seul contour. Ou envoyez un fichier ci-dessous."
        ),
    )
    geometry_file = forms.FileField(
        label=_("Fichier .geojson"),
        required=False,
        help_text=_("1 Mo au plus. S'il est fourni, il remplace le texte ci-dessus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )

    def __init__(
        self, *args: Any, tenant: LocalAuthority, district: District | None = None, **kw: Any
    ) -> None:
        self.tenant = tenant
        self.district = district
        super().__init__(*args, **kw)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        slug = slugify(name)[:120]
        if not slug:
            raise ValidationError(_("Ce nom doit contenir au moins une lettre ou un chiffre."))
        if self.district is None:
            taken = District.objects.for_tenant(self.tenant).filter(slug=slug)
            if taken.exists():
                raise ValidationError(_("Un quartier porte déjà ce nom."))
        return name

    def clean_geometry_file(self) -> str | None:
        upload = self.cleaned_data.get("geometry_file")
        if not upload:
            return None
        if upload.size > MAX_GEOJSON_BYTES:
            raise ValidationError(_("Le fichier dépasse 1 Mo : simplifiez le contour."))
        raw = upload.read(MAX_GEOJSON_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("Ce fichier n'est pas un texte GeoJSON (encodage UTF-8 attendu).")
            ) from exc
        parse_polygon(text)  # raises a ValidationError a person can act on
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors.get("geometry_file"):
            return data
        text = data.get("geometry_file") or data.get("geometry") or ""
        if not text.strip():
            self.add_error(
                "geometry", _("Collez le contour en GeoJSON ou envoyez un fichier .geojson.")
            )
            return data
        try:
            data["parsed_geometry"] = parse_polygon(text)
        except ValidationError as exc:
            self.add_error("geometry", exc)
        return data


class ThemeForm(forms.Form):
    colour_primary = forms.CharField(
        label=_("Couleur principale"),
        max_length=7,
        help_text=_("Au format #RRVVBB ; fond de l'en-tête, sous du texte blanc."),
        widget=forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
    )
    colour_accent = forms.CharField(
        label=_("Couleur d'accent"),
        max_length=7,
        help_text=_("Au format #RRVVBB ; boutons et liens mis en avant, sous du texte blanc."),
        widget=forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
    )
    logo = forms.FileField(
        label=_("Nouveau logo"),
        required=False,
        help_text=_("PNG, JPEG ou WebP, 512 Ko au plus. Laissez vide pour garder le logo actuel."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    contact_email = forms.EmailField(label=_("Adresse de contact"), required=False)
    address = forms.CharField(
        label=_("Adresse postale"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_notice = forms.CharField(
        label=_("Mentions légales"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Éditeur, directeur de la publication, hébergeur."),
    )

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        if upload.size > MAX_LOGO_BYTES:
            raise ValidationError(_("Le logo dépasse 512 Ko : réduisez-le avant de l'envoyer."))
        return bytes(upload.read(MAX_LOGO_BYTES + 1))


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de la clé"),
        max_length=120,
        help_text=_("Qui l'utilise et pour quoi, par exemple « Passerelle LoRaWAN du port »."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=[(k, f"{k} — {v}") for k, v in KNOWN_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un droit pour cette clé.")},
    )


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if field == "slug":
                target = "name" if "name" in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)
