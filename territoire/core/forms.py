"""Forms of core pages (sign-up, profile, back-office)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm
from allauth.core import context as allauth_context
from django import forms
from django.utils.translation import gettext_lazy as _

from territoire.core.models import LocalAuthority
from territoire.core.models.tenancy import LocalAuthorityKind


class ResidentSignupForm(SignupForm):
    """Sign-up of a resident: e-mail, password, and the commune they live in."""

    commune = forms.ModelChoiceField(
        label=_("Votre commune"),
        queryset=LocalAuthority.objects.none(),
        empty_label=_("Choisissez votre commune"),
        help_text=_("Vous pourrez vous rattacher à d'autres communes plus tard."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = LocalAuthority.objects.active().filter(
            kind=LocalAuthorityKind.COMMUNE
        )
        # allauth keeps the current request in a context variable (its views build the form).
        request = allauth_context.request
        initial = self.initial.get("commune") or (request.GET.get("commune") if request else None)
        if initial:
            match = self.fields["commune"].queryset.filter(slug=initial).first()
            if match:
                self.initial["commune"] = match.pk
        self.fields["email"].help_text = _(
            "Elle sert à vous connecter et à recevoir les suites de vos démarches."
        )

    def save(self, request: Any) -> Any:
        from territoire.core.services import membership_grant

        user = super().save(request)
        membership_grant(
            actor=None, tenant=self.cleaned_data["commune"], user=user, role="resident"
        )
        return user


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Nom affiché"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Langue"), choices=[("fr", "Français"), ("en", "English")])
