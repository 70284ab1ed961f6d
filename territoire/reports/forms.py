"""Forms of the reports module (residents and agents)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from territoire.core.models import LocalAuthority, Service
from territoire.reports.models import MAX_DESCRIPTION, Category
from territoire.reports.services import validate_attribute_definitions


def _category_choices(tenant: LocalAuthority) -> list[tuple[str, Any]]:
    qs = Category.objects.for_tenant(tenant).filter(is_active=True).order_by("order", "name")
    return [("", _("Choisissez…"))] + [(c.service_code, c.name) for c in qs]


class PlaceForm(forms.Form):
    """Step 1: what and where (read from the query string)."""

    categorie = forms.ChoiceField(label=_("Catégorie"))
    adresse = forms.CharField(
        label=_("Adresse ou description du lieu"),
        max_length=255,
        required=False,
        help_text=_("Par exemple : 12 rue des Mouettes, ou « devant l'école du Port »."),
    )
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["categorie"].choices = _category_choices(tenant)  # type: ignore[attr-defined]
        self.fields["lon"].widget.attrs["step"] = "any"
        self.fields["lat"].widget.attrs["step"] = "any"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            raise ValidationError(_("Donnez la longitude et la latitude, ou aucune des deux."))
        if lon is None and not (data.get("adresse") or "").strip() and not self.errors:
            self.add_error("adresse", _("Indiquez une adresse, un lieu ou un point sur la carte."))
        return data

    def category(self) -> Category | None:
        code = self.cleaned_data.get("categorie")
        return Category.objects.for_tenant(self.tenant).filter(service_code=code).first()


class ReportForm(PlaceForm):
    """Step 2: the description, photos, the category's questions and, if anonymous, an e-mail."""

    description = forms.CharField(
        label=_("Description du problème"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_DESCRIPTION,
    )
    photo1 = forms.FileField(label=_("Photo 1"), required=False)
    photo2 = forms.FileField(label=_("Photo 2"), required=False)
    photo3 = forms.FileField(label=_("Photo 3"), required=False)
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        required=False,
        help_text=_(
            "Nous vous enverrons un lien pour confirmer le signalement, puis les nouvelles de "
            "son traitement. Elle n'est jamais publiée."
        ),
    )

    def __init__(
        self, *args: Any, tenant: LocalAuthority, anonymous: bool, category: Category | None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, tenant=tenant, **kwargs)
        for name in ("photo1", "photo2", "photo3"):
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        if anonymous:
            self.fields["email"].required = True
        else:
            del self.fields["email"]
        self.attribute_codes: list[str] = []
        for attr in (category.attributes if category else None) or []:
            if not attr.get("variable", True):
                continue
            name = f"attr_{attr['code']}"
            label = attr.get("description") or attr["code"]
            required = bool(attr.get("required"))
            choices = [(v["key"], v["name"]) for v in attr.get("values", [])]
            if attr.get("datatype") == "singlevaluelist":
                field: forms.Field = forms.ChoiceField(
                    label=label, required=required, choices=[("", _("Choisissez…")), *choices]
                )
            elif attr.get("datatype") == "multivaluelist":
                field = forms.MultipleChoiceField(
                    label=label, required=required, choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                )  # fmt: skip
            elif attr.get("datatype") == "number":
                field = forms.FloatField(label=label, required=required)
            elif attr.get("datatype") == "text":
                field = forms.CharField(label=label, required=required, widget=forms.Textarea)
            else:
                field = forms.CharField(label=label, required=required, max_length=1000)
            self.fields[name] = field
            self.attribute_codes.append(attr["code"])

    def photos(self) -> list[bytes]:
        return [f.read() for name in ("photo1", "photo2", "photo3") if (f := self.files.get(name))]

    def attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for code in self.attribute_codes:
            value = self.cleaned_data.get(f"attr_{code}")
            if value not in (None, "", []):
                out[code] = value if isinstance(value, list) else str(value)
        return out


class ReopenForm(forms.Form):
    text = forms.CharField(
        label=_("Ce que vous constatez"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


# --- Agents -------------------------------------------------------------------------


class TextForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=4000, required=False)  # fmt: skip


class CategoryChoiceForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Nouvelle catégorie"), queryset=Category.objects.none()
    )

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.for_tenant(tenant)  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Numéro du signalement à garder"), min_value=1)


class AssignForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Équipe"), queryset=Service.objects.none())

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.for_tenant(tenant)  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    day = forms.DateField(
        label=_("Date d'intervention"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("Message public"), required=False, max_length=1000)


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Issue"),
        choices=[("fixed", _("Résolu")), ("not_our_responsibility", _("Hors compétence"))],
    )
    text = forms.CharField(label=_("Explication publique"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class CategoryForm(forms.ModelForm):
    attributes_json = forms.CharField(
        label=_("Questions complémentaires (JSON Open311)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('Liste d\'objets : [{"code": "taille", "datatype": "singlevaluelist", '
                    '"required": true, "description": "Taille", "values": [{"key": "p", '
                    '"name": "Petit"}]}]'),
    )  # fmt: skip

    class Meta:
        model = Category
        fields = [
            "service_code", "name", "description", "group", "keywords", "service",
            "operator_name", "operator_email", "operator_webhook", "is_active", "order",
        ]  # fmt: skip

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.for_tenant(tenant)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["attributes_json"].initial = json.dumps(
                self.instance.attributes, ensure_ascii=False
            )

    def clean_attributes_json(self) -> list[dict[str, Any]]:
        raw = (self.cleaned_data.get("attributes_json") or "").strip()
        if not raw:
            return []
        try:
            return validate_attribute_definitions(json.loads(raw))
        except json.JSONDecodeError as exc:
            raise ValidationError(_("JSON invalide : %(m)s") % {"m": exc.msg}) from exc
