"""Back-office forms: procedure settings, the field editor of the builder, instruction."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from territoire.core.models import LocalAuthority, Service
from territoire.procedures import formbuilder
from territoire.procedures.models import DECIDED, DossierState, Procedure

RULES = 3


class ProcedureForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = [
            "title",
            "theme",
            "description",
            "requirements",
            "delay",
            "cost",
            "service",
            "silence_days",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.for_tenant(tenant)  # type: ignore[attr-defined]
        self.fields["silence_days"].validators.append(_max_days)


def _max_days(value: int | None) -> None:
    if value is not None and not 1 <= value <= 365:
        raise forms.ValidationError(_("Entre 1 et 365 jours."))


class FieldForm(forms.Form):
    """One field of the builder; conditions as up to three rules combined with and/or."""

    type = forms.ChoiceField(
        label=_("Type de champ"), choices=list(formbuilder.FIELD_TYPES.items())
    )
    label = forms.CharField(label=_("Libellé"), max_length=300)
    help = forms.CharField(
        label=_("Texte d'aide"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label=_("Réponse obligatoire"), required=False)
    options = forms.CharField(
        label=_("Choix proposés (un par ligne)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Listes de choix et choix multiples."),
    )
    min = forms.DecimalField(label=_("Valeur minimale"), required=False)
    max = forms.DecimalField(label=_("Valeur maximale"), required=False)
    max_length = forms.IntegerField(
        label=_("Longueur maximale"), required=False, min_value=1, max_value=5000
    )
    format = forms.ChoiceField(
        label=_("Format à vérifier"),
        required=False,
        choices=[("", _("Aucun"))] + [(k, v[0]) for k, v in formbuilder.FORMATS.items()],
    )
    item_label = forms.CharField(
        label=_("Nom d'un bloc (ex. : Enfant)"), required=False, max_length=60
    )
    min_items = forms.IntegerField(
        label=_("Nombre minimal de blocs"), required=False, min_value=0, max_value=20
    )
    max_items = forms.IntegerField(
        label=_("Nombre maximal de blocs"), required=False, min_value=1, max_value=20
    )
    accept = forms.MultipleChoiceField(
        label=_("Types de fichier acceptés"),
        required=False,
        choices=[("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG")],
        widget=forms.CheckboxSelectMultiple,
    )
    max_size_mb = forms.IntegerField(
        label=_("Taille maximale (Mo)"), required=False, min_value=1, max_value=20
    )
    combine = forms.ChoiceField(
        label=_("Afficher ce champ quand"),
        choices=[
            ("and", _("toutes les conditions sont remplies")),
            ("or", _("l'une des conditions est remplie")),
        ],
        required=False,
    )

    RELEVANT = {
        "options": {"choice", "multiple"},
        "min": {"number", "integer"},
        "max": {"number", "integer"},
        "max_length": {"text", "textarea"},
        "format": {"text"},
        "item_label": {"group"},
        "min_items": {"group"},
        "max_items": {"group"},
        "accept": {"file"},
        "max_size_mb": {"file"},
    }

    def __init__(
        self, *args: Any, other_fields: list[tuple[str, str]], ftype: str = "text", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, types in self.RELEVANT.items():
            if ftype not in types:
                del self.fields[name]
        if ftype in formbuilder.DISPLAY_TYPES:
            del self.fields["required"]
        for i in range(1, RULES + 1):
            self.fields[f"rule{i}_field"] = forms.ChoiceField(
                label=_("Condition %(n)s : champ") % {"n": i},
                required=False,
                choices=[("", "—"), *other_fields],
            )
            self.fields[f"rule{i}_op"] = forms.ChoiceField(
                label=_("Condition %(n)s : opérateur") % {"n": i},
                required=False,
                choices=[("", "—"), *formbuilder.OPERATORS.items()],
            )
            self.fields[f"rule{i}_value"] = forms.CharField(
                label=_("Condition %(n)s : valeur") % {"n": i},
                required=False,
                max_length=200,
                help_text=_("Pour « l'une des valeurs », séparez-les par ;"),
            )

    @staticmethod
    def initial_from(definition: dict[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in definition.items() if k not in ("options", "condition")}
        initial["options"] = "\n".join(definition.get("options", []))
        condition = definition.get("condition") or {}
        initial["combine"] = condition.get("combine", "and")
        for i, rule in enumerate(condition.get("rules", [])[:RULES], start=1):
            value = rule.get("value", "")
            initial[f"rule{i}_field"] = rule.get("field")
            initial[f"rule{i}_op"] = rule.get("op")
            initial[f"rule{i}_value"] = ";".join(value) if isinstance(value, list) else value
        return initial

    def definition(self, field_id: str) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {
            "id": field_id,
            "type": d["type"],
            "label": d["label"],
            "help": d.get("help", ""),
            "required": d.get("required", False),
        }
        options = [line.strip() for line in d.get("options", "").splitlines() if line.strip()]
        if options:
            out["options"] = options
        for name in ("min", "max", "max_length", "format", "item_label", "max_size_mb"):
            if d.get(name) not in (None, ""):
                out[name] = str(d[name]) if name in ("min", "max") else d[name]
        if d["type"] == "group":
            out["min_items"] = d.get("min_items") or 0
            out["max_items"] = d.get("max_items") or formbuilder.MAX_GROUP_ITEMS
        if d["type"] == "file" and d.get("accept"):
            out["accept"] = d["accept"]
        rules = []
        for i in range(1, RULES + 1):
            field, op = d.get(f"rule{i}_field"), d.get(f"rule{i}_op")
            if field and op:
                rules.append({"field": field, "op": op, "value": d.get(f"rule{i}_value", "")})
            elif field or op:
                self.add_error(f"rule{i}_op", _("Choisissez le champ et l'opérateur."))
        if rules:
            out["condition"] = {"combine": d.get("combine") or "and", "rules": rules}
        return out


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Titre du document"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Repères disponibles : {reference}, {demandeur}, {demarche}, {date_depot}, "
            "{date_decision}, {motivation}, {collectivite}, {reponse:identifiant_du_champ}."
        ),
    )


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("Nouvel état"), choices=DossierState.choices)
    reason = forms.CharField(
        label=_("Motif ou motivation (communiqué au demandeur)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args: Any, targets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_state"].choices = [  # type: ignore[attr-defined]
            (s, DossierState(s).label) for s in targets
        ]


class BatchForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"), choices=[(s.value, s.label) for s in DossierState if s in DECIDED]
    )
    motivation = forms.CharField(
        label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
