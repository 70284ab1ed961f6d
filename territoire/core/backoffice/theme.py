"""The collectivité's theme (colours checked for contrast, logo) and public identity."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from territoire.core.backoffice.forms import ThemeForm, apply_service_errors
from territoire.core.backoffice.services import tenant_update_settings
from territoire.core.permissions import admin_required
from territoire.core.theme import MIN_CONTRAST, contrast_ratio

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _swatch(label: str, value: str) -> dict[str, Any] | None:
    """What the preview shows for one colour: the ratio against white text, if readable."""
    if not _HEX.match(value or ""):
        return None
    ratio = contrast_ratio(value, "#ffffff")
    return {"label": label, "value": value, "ratio": ratio, "ok": ratio >= MIN_CONTRAST}


@admin_required
def theme(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    initial = {
        "colour_primary": tenant.colour_primary,
        "colour_accent": tenant.colour_accent,
        "contact_email": tenant.contact_email,
        "address": tenant.address,
        "legal_notice": tenant.legal_notice,
    }
    form = ThemeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_update_settings(actor=request.user, tenant=tenant, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Le thème et les informations sont enregistrés."))
            return redirect("core:admin_theme", tenant=tenant.slug)
    values = form.data if form.is_bound else initial
    swatches = [
        s
        for s in (
            _swatch(_("Couleur principale"), values.get("colour_primary", "")),
            _swatch(_("Couleur d'accent"), values.get("colour_accent", "")),
        )
        if s is not None
    ]
    return render(
        request,
        "core/staff/admin/theme.html",
        {"form": form, "swatches": swatches, "min_contrast": MIN_CONTRAST},
    )
