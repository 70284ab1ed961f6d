"""Forms of the participation pages (public and back-office)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, LocalAuthority, Service
from territoire.participation.models import Budget, IdeaStatus, Phase, Process, Project
from territoire.participation.models.voting import Relation, Sex

MAX_IDEA_COST = 10_000_000


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Titre de l'idée"), max_length=160)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("Ce que vous proposez, où, et pour qui."),
    )
    district = forms.ModelChoiceField(
        label=_("Quartier"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Toute la commune"),
    )
    estimated_cost = forms.DecimalField(
        label=_("Coût estimé (€)"),
        required=False,
        min_value=0,
        max_value=MAX_IDEA_COST,
        decimal_places=2,
        help_text=_("Une estimation suffit : les services la préciseront."),
    )
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_tenant(tenant)  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Votre commentaire"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class FlagForm(forms.Form):
    reason = forms.CharField(label=_("Motif du signalement"), max_length=300, required=False)


class RegisterForm(forms.Form):
    relation = forms.ChoiceField(label=_("Votre lien avec la commune"), choices=Relation.choices)
    district = forms.ModelChoiceField(
        label=_("Votre quartier"),
        queryset=District.objects.none(),
        help_text=_("Celui où vous habitez, travaillez ou étudiez : vous y voterez."),
    )
    birth_year = forms.IntegerField(label=_("Année de naissance"), min_value=1900)
    sex = forms.ChoiceField(
        label=_("Sexe (pour les statistiques)"), choices=Sex.choices, required=False
    )
    last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Nom, prénom et date de naissance servent seulement à vous trouver sur la liste."
        ),
    )
    honour = forms.BooleanField(
        label=_("Je certifie sur l'honneur remplir les conditions pour voter.")
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_tenant(process.tenant)  # type: ignore[attr-defined]
        self.fields["birth_year"].max_value = timezone.localdate().year  # type: ignore[attr-defined]
        if process.verification != "census":
            for name in ("last_name", "first_name", "birth_date"):
                del self.fields[name]
        if not process.open_to_workers_students:
            self.fields["relation"].choices = [(Relation.LIVES, Relation.LIVES.label)]  # type: ignore[attr-defined]


class BallotForm(forms.Form):
    projects = forms.ModelMultipleChoiceField(
        label=_("Vos projets"),
        queryset=Project.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, budget: Budget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = (  # type: ignore[attr-defined]
            Project.objects.for_tenant(budget.tenant)
            .filter(budget=budget, on_ballot=True)
            .order_by("title")
        )


# --- Back-office ------------------------------------------------------------------------


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = [
            "title",
            "description",
            "ideas_start",
            "study_start",
            "vote_start",
            "vote_end",
            "realisation_start",
            "supports_per_person",
            "min_age",
            "open_to_workers_students",
            "verification",
            "ballot_kind",
            "min_choices",
            "max_choices",
            "rule",
            "cardinality_utility",
            "flag_threshold",
        ]
        widgets = {
            f: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for f in ("ideas_start", "study_start", "vote_start", "vote_end", "realisation_start")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_choices"), data.get("max_choices")
        if low is not None and high is not None and low > high:
            self.add_error("max_choices", _("Le maximum doit être au moins égal au minimum."))
        dates = [data.get(f) for f in ("ideas_start", "study_start", "vote_start", "vote_end")]
        known = [d for d in dates if d]
        if known != sorted(known):
            self.add_error(None, _("Les phases doivent se suivre dans l'ordre chronologique."))
        return data


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Nouvelle phase"), choices=Phase.choices)
    reason = forms.CharField(label=_("Motif"), max_length=300, required=False)


class BudgetForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("Quartier"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Toute la commune"),
    )
    amount = forms.DecimalField(
        label=_("Montant (€)"), min_value=1, max_digits=12, decimal_places=2
    )

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_tenant(tenant)  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Avis"),
        choices=[
            (IdeaStatus.FEASIBLE, IdeaStatus.FEASIBLE.label),
            (IdeaStatus.UNFEASIBLE, IdeaStatus.UNFEASIBLE.label),
        ],
    )
    answer = forms.CharField(
        label=_("Réponse argumentée (publique)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    study_cost = forms.DecimalField(
        label=_("Coût estimé par les services (€)"), required=False, min_value=0
    )
    service = forms.ModelChoiceField(
        label=_("Service chargé"), queryset=Service.objects.none(), required=False
    )

    def __init__(self, *args: Any, tenant: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.for_tenant(tenant)  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    """Merge the selected ideas into a new project on one envelope's ballot."""

    title = forms.CharField(label=_("Titre du projet"), max_length=160)
    description = forms.CharField(
        label=_("Description du projet"), widget=forms.Textarea(attrs={"rows": 4})
    )
    budget = forms.ModelChoiceField(label=_("Enveloppe"), queryset=Budget.objects.none())
    cost = forms.DecimalField(label=_("Coût (€)"), min_value=1, max_digits=12, decimal_places=2)
    category = forms.CharField(label=_("Thème"), max_length=60, required=False)
    service = forms.ModelChoiceField(
        label=_("Service chargé"), queryset=Service.objects.none(), required=False
    )
    answer = forms.CharField(
        label=_("Réponse argumentée aux auteurs (publique)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].queryset = process.budgets.select_related("district")  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.for_tenant(process.tenant)  # type: ignore[attr-defined]


class CensusForm(forms.Form):
    file = forms.FileField(
        label=_("Liste CSV"),
        help_text=_("Colonnes : nom;prenom;date_naissance;quartier. 5 Mo au plus."),
    )


class CounterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Canal"),
        choices=[("paper", _("Bulletin papier")), ("assisted", _("Vote accompagné"))],
    )
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    birth_date = forms.DateField(
        label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date"})
    )
    relation = forms.ChoiceField(label=_("Lien avec la commune"), choices=Relation.choices)
    district = forms.ModelChoiceField(label=_("Quartier"), queryset=District.objects.none())
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, required=False)
    budget = forms.ModelChoiceField(label=_("Enveloppe"), queryset=Budget.objects.none())
    projects = forms.ModelMultipleChoiceField(
        label=_("Projets choisis"),
        queryset=Project.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_tenant(process.tenant)  # type: ignore[attr-defined]
        self.fields["budget"].queryset = process.budgets.select_related("district")  # type: ignore[attr-defined]
        self.fields["projects"].queryset = (  # type: ignore[attr-defined]
            Project.objects.for_tenant(process.tenant)
            .filter(process=process, on_ballot=True)
            .select_related("budget__district")
            .order_by("budget__district__name", "title")
        )
        self.fields["projects"].label_from_instance = lambda p: f"{p.title} ({p.budget})"  # type: ignore[attr-defined]

    def clean_birth_date(self) -> date:
        value: date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Cette date est dans le futur."))
        return value


class VerifyForm(forms.Form):
    email = forms.EmailField(label=_("Adresse électronique du compte"))
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    birth_date = forms.DateField(
        label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date"})
    )
    relation = forms.ChoiceField(label=_("Lien avec la commune"), choices=Relation.choices)
    district = forms.ModelChoiceField(label=_("Quartier"), queryset=District.objects.none())
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, required=False)

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_tenant(process.tenant)  # type: ignore[attr-defined]


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Avancement (%)"), min_value=0, max_value=100)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"), choices=[])
    reason = forms.CharField(label=_("Explication publique"), max_length=500, required=False)


class MilestoneForm(forms.Form):
    when = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Étape"), max_length=160)
    description = forms.CharField(
        label=_("Détails"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    done = forms.BooleanField(label=_("Étape franchie"), required=False)


class ModerationForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), max_length=300)
