"""Forms of the sensors back-office."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from territoire.core.models import District, Service
from territoire.sensors.catalog import KIND_CHOICES, QUANTITY_CHOICES
from territoire.sensors.models import Condition, DeviceProfile, Sensor


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class SensorForm(forms.Form):
    ref = forms.CharField(label=_("Référence"), max_length=64)
    name = forms.CharField(label=_("Nom"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=KIND_CHOICES)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    district = forms.ModelChoiceField(
        label=_("Quartier"), queryset=District.objects.none(), required=False
    )
    operator = forms.CharField(
        label=_("Délégataire"),
        max_length=120,
        required=False,
        help_text=_("Laissez vide si le capteur appartient à la collectivité."),
    )
    expected_interval = forms.IntegerField(
        label=_("Intervalle attendu entre deux mesures (minutes)"), min_value=1, initial=60
    )
    dev_eui = forms.CharField(
        label=_("DevEUI LoRaWAN"),
        max_length=16,
        required=False,
        help_text=_("16 chiffres hexadécimaux, pour les appareils LoRaWAN."),
    )
    profile = forms.ModelChoiceField(
        label=_("Profil d'appareil (décodeur)"),
        queryset=DeviceProfile.objects.none(),
        required=False,
    )
    service = forms.ModelChoiceField(
        label=_("Équipe responsable"), queryset=Service.objects.none(), required=False
    )
    is_public = forms.BooleanField(label=_("Données publiques"), required=False)

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "district").queryset = District.objects.for_tenant(tenant)
        _choices(self, "profile").queryset = DeviceProfile.objects.for_tenant(tenant)
        _choices(self, "service").queryset = Service.objects.for_tenant(tenant)


class AlertRuleForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    kind = forms.ChoiceField(
        label=_("Pour tous les capteurs du type"),
        choices=[("", "—"), *KIND_CHOICES],
        required=False,
    )
    sensor = forms.ModelChoiceField(
        label=_("Ou pour le capteur"), queryset=Sensor.objects.none(), required=False
    )
    quantity = forms.ChoiceField(
        label=_("Grandeur"), choices=[("", "—"), *QUANTITY_CHOICES], required=False
    )
    threshold = forms.FloatField(
        label=_("Seuil"),
        required=False,
        help_text=_("Pour une variation : écart maximal par heure."),
    )
    minutes = forms.IntegerField(
        label=_("Minutes sans données"),
        required=False,
        min_value=1,
        help_text=_("Pour « pas de données » ; vide : trois fois l'intervalle attendu."),
    )
    service = forms.ModelChoiceField(
        label=_("Équipe à prévenir"), queryset=Service.objects.none(), required=False
    )

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "sensor").queryset = Sensor.objects.for_tenant(tenant)
        _choices(self, "service").queryset = Service.objects.for_tenant(tenant)


class AlertActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Commentaire"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class QuarantineAssignForm(forms.Form):
    sensor = forms.ModelChoiceField(label=_("Capteur"), queryset=Sensor.objects.none())

    def __init__(self, *args: Any, tenant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "sensor").queryset = Sensor.objects.for_tenant(tenant).active()
