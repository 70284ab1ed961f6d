"""Forms of the twin back-office (labels and help in French)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from territoire.twin.models import LEAK_TRANSITIONS, LeakStatus

MAX_INP_BYTES = 5 * 1024 * 1024


class NetworkImportForm(forms.Form):
    name = forms.CharField(label=_("Nom du réseau"), max_length=200)
    inp_file = forms.FileField(
        label=_("Fichier EPANET (.inp)"),
        help_text=_("Export texte d'EPANET, 5 Mo au plus, avec la section [COORDINATES]."),
    )
    centre_lon = forms.FloatField(
        label=_("Longitude du centre"), min_value=-180, max_value=180, initial=-1.153
    )
    centre_lat = forms.FloatField(
        label=_("Latitude du centre"), min_value=-90, max_value=90, initial=46.152
    )
    extent_m = forms.FloatField(
        label=_("Étendue du réseau (m)"),
        min_value=100,
        max_value=100_000,
        initial=3200,
        help_text=_("Longueur du plus grand côté du dessin, une fois placé sur la carte."),
    )

    def clean_inp_file(self) -> str:
        upload = self.cleaned_data["inp_file"]
        if upload.size > MAX_INP_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo."))
        raw = upload.read()
        if b"\x00" in raw[:4096]:
            raise forms.ValidationError(
                _("Ce fichier est binaire : un fichier EPANET .inp est du texte.")
            )
        for encoding in ("utf-8", "latin-1"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if "[JUNCTIONS]" not in text.upper():
            raise forms.ValidationError(
                _("Ce n'est pas un fichier EPANET : la section [JUNCTIONS] manque.")
            )
        return text


class LeakTransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Nouvel état"))
    reason = forms.CharField(
        label=_("Motif ou constat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = LEAK_TRANSITIONS.get(status, set())
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.value, s.label) for s in LeakStatus if s in allowed]


class RunParamsForm(forms.Form):
    threshold = forms.FloatField(
        label=_("Seuil de collecte (%)"), min_value=30, max_value=100, required=False, initial=85
    )
    share = forms.FloatField(
        label=_("Part des entrées à couvrir (%)"),
        min_value=50,
        max_value=100,
        required=False,
        initial=95,
    )

    def params(self, kind: str) -> dict[str, float]:
        data = self.cleaned_data
        if kind == "waste" and data.get("threshold") is not None:
            return {"threshold": data["threshold"]}
        if kind == "attendance" and data.get("share") is not None:
            return {"share": data["share"] / 100}
        return {}
