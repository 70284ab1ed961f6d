"""Quartiers: a data table, a map preview (progressive enhancement), GeoJSON in and out."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from territoire.core.backoffice import selectors
from territoire.core.backoffice.forms import DistrictForm, apply_service_errors
from territoire.core.listing import Column, Listing
from territoire.core.models import District
from territoire.core.permissions import admin_required, staff_required
from territoire.core.services import district_delete, district_save


def _edit_url(tenant_slug: str, district: District) -> str:
    return reverse(
        "core:admin_district_edit", kwargs={"tenant": tenant_slug, "district_id": district.pk}
    )


@admin_required
def districts(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=District.objects.for_tenant(tenant),
        columns=[
            Column(gettext_lazy("Nom"), lambda d: d.name, "name"),
            Column(gettext_lazy("Identifiant"), lambda d: d.slug, "slug"),
            Column(gettext_lazy("Population"), lambda d: d.population, "population"),
            Column(gettext_lazy("Type de contour"), lambda d: d.geometry.get("type", "")),
        ],
        search_fields=["name", "slug"],
        default_sort="name",
        filename="quartiers",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    _page, ctx = listing.page(request)
    ctx["geojson"] = selectors.districts_feature_collection(
        tenant, url_of=lambda d: _edit_url(tenant.slug, d)
    )
    return render(request, "core/staff/admin/districts.html", ctx)


@admin_required
def district_edit(request: HttpRequest, district_id: int | None = None) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    district = (
        selectors.get_for_tenant(District.objects.all(), tenant, district_id)
        if district_id is not None
        else None
    )
    initial = {}
    if district is not None:
        initial = {
            "name": district.name,
            "population": district.population,
            "geometry": json.dumps(district.geometry, ensure_ascii=False),
        }
    form = DistrictForm(
        request.POST or None,
        request.FILES or None,
        tenant=tenant,
        district=district,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = district_save(
                actor=request.user,
                tenant=tenant,
                name=form.cleaned_data["name"],
                geometry=form.cleaned_data["parsed_geometry"],
                district=district,
                population=form.cleaned_data["population"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Quartier « %(d)s » enregistré.") % {"d": saved.name})
            return redirect("core:admin_districts", tenant=tenant.slug)
    preview = None
    if district is not None:
        preview = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"label": district.name},
                    "geometry": district.geometry,
                }
            ],
        }
    return render(
        request,
        "core/staff/admin/district_edit.html",
        {"form": form, "district": district, "preview": preview},
    )


@admin_required
def district_remove(request: HttpRequest, district_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    tenant = request.tenant  # type: ignore[attr-defined]
    district = selectors.get_for_tenant(District.objects.all(), tenant, district_id)
    if request.method == "POST":
        name = district.name
        district_delete(actor=request.user, district=district)
        messages.success(request, _("Quartier « %(d)s » supprimé.") % {"d": name})
        return redirect("core:admin_districts", tenant=tenant.slug)
    return render(request, "core/staff/admin/district_delete.html", {"district": district})


@staff_required
@require_GET
def districts_geojson(request: HttpRequest) -> JsonResponse:
    """All quartiers of the collectivité as one GeoJSON FeatureCollection (download)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    response = JsonResponse(
        selectors.districts_feature_collection(tenant),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="quartiers-{tenant.slug}.geojson"'
    return response
