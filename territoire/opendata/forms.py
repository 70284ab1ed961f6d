from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territoire.opendata.models import Dataset, Frequency, Licence, Theme
from territoire.opendata.readers import FORMATS
from territoire.opendata.schemas import SCHEMAS


def _names(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class DatasetForm(forms.ModelForm):
    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Thèmes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    keywords_text = forms.CharField(
        label=gettext_lazy("Mots-clés"),
        required=False,
        help_text=gettext_lazy("Séparés par des virgules."),
        max_length=500,
    )
    schema = forms.ChoiceField(
        label=gettext_lazy("Schéma de données"),
        required=False,
        choices=[("", gettext_lazy("Aucun"))] + [(k, s.title) for k, s in SCHEMAS.items()],
    )

    class Meta:
        model = Dataset
        fields = [
            "title",
            "description",
            "licence",
            "themes",
            "frequency",
            "temporal_start",
            "temporal_end",
            "spatial",
            "contact_name",
            "contact_email",
            "schema",
            "documentation",
            "published",
        ]
        widgets = {
            "temporal_start": forms.DateInput(attrs={"type": "date"}),
            "temporal_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["licence"].choices = Licence.choices  # type: ignore[attr-defined]
        self.fields["frequency"].choices = Frequency.choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["keywords_text"].initial = ", ".join(self.instance.keywords)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("temporal_start"), data.get("temporal_end")
        if start and end and end < start:
            self.add_error("temporal_end", _("La fin de la période précède son début."))
        data["keywords"] = _names(data.get("keywords_text", ""))[:30]
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("keywords_text", None)
        return data


class UploadForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Titre de la ressource"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Pour une nouvelle ressource ; sinon choisissez-la ci-dessous."),
    )
    resource = forms.TypedChoiceField(
        label=gettext_lazy("Nouvelle version de"), coerce=int, required=False, empty_value=None
    )
    file = forms.FileField(label=gettext_lazy("Fichier (CSV, XLSX, JSON, GeoJSON, Parquet)"))
    mode = forms.ChoiceField(
        label=gettext_lazy("Que faire"),
        choices=[
            ("check", gettext_lazy("Seulement vérifier (schéma et confidentialité), sans publier")),
            ("publish", gettext_lazy("Vérifier puis publier si tout est conforme")),
        ],
        widget=forms.RadioSelect,
        initial="check",
    )

    def __init__(self, *args: Any, resources: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Nouvelle ressource"))] + [(r.pk, r.title) for r in resources]
        self.fields["resource"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("resource") and not data.get("title"):
            self.add_error("title", _("Donnez un titre à la nouvelle ressource."))
        upload = data.get("file")
        if upload is not None:
            ext = Path(upload.name).suffix.lower().lstrip(".")
            if ext not in FORMATS:
                self.add_error(
                    "file",
                    _(
                        "Extension « %(e)s » non prise en charge "
                        "(CSV, XLSX, JSON, GeoJSON, Parquet)."
                    )
                    % {"e": ext or "?"},
                )
            data["format"] = ext
        return data


class DeclareForm(forms.Form):
    personal_columns = forms.CharField(
        label=gettext_lazy("Colonnes personnelles à retirer"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Noms de colonnes séparés par des virgules."),
    )
    pseudonymise_columns = forms.CharField(
        label=gettext_lazy("Colonnes personnelles à pseudonymiser (empreinte à clé)"),
        required=False,
        max_length=1000,
    )
    quasi_identifiers = forms.CharField(
        label=gettext_lazy("Quasi-identifiants (contrôle de k-anonymat)"),
        required=False,
        max_length=1000,
    )
    count_columns = forms.CharField(
        label=gettext_lazy("Colonnes qui comptent des personnes (secret sous 11)"),
        required=False,
        max_length=1000,
    )
    lon_column = forms.CharField(
        label=gettext_lazy("Colonne longitude"), required=False, max_length=80
    )
    lat_column = forms.CharField(
        label=gettext_lazy("Colonne latitude"), required=False, max_length=80
    )

    def declarations(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "personal_columns": _names(d["personal_columns"]),
            "pseudonymise_columns": _names(d["pseudonymise_columns"]),
            "quasi_identifiers": _names(d["quasi_identifiers"]),
            "count_columns": _names(d["count_columns"]),
            "lon_column": d["lon_column"].strip(),
            "lat_column": d["lat_column"].strip(),
        }
