"""API keys of the collectivité: list, create (the key is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from territoire.core.backoffice import selectors
from territoire.core.backoffice.forms import ApiKeyForm, apply_service_errors
from territoire.core.listing import Column, Filter, Listing
from territoire.core.models import ApiKey
from territoire.core.permissions import admin_required
from territoire.core.services import apikey_create, apikey_revoke


@admin_required
def apikeys(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=selectors.api_keys(tenant),
        columns=[
            Column(gettext_lazy("Nom"), lambda k: k.name, "name"),
            Column(gettext_lazy("Préfixe"), lambda k: f"trt_{k.prefix}_…"),
            Column(gettext_lazy("Droits"), lambda k: ", ".join(k.scopes)),
            Column(gettext_lazy("Créée le"), lambda k: k.created, "created"),
            Column(gettext_lazy("Dernière utilisation"), lambda k: k.last_used, "last_used"),
            Column(gettext_lazy("Révoquée le"), lambda k: k.revoked, "revoked"),
        ],
        filters=[
            Filter(
                "state",
                gettext_lazy("État"),
                "is_revoked",
                [("0", gettext_lazy("active")), ("1", gettext_lazy("révoquée"))],
            ),
        ],
        search_fields=["name", "prefix"],
        default_sort="-created",
        filename="cles-api",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    _page, ctx = listing.page(request)
    return render(request, "core/staff/admin/apikeys.html", ctx)


@admin_required
@never_cache
def apikey_new(request: HttpRequest) -> HttpResponse:
    """On success the clear key is rendered in this very response and nowhere else:
    not stored, not put in the session, not redirected to (``never_cache``)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = apikey_create(
                actor=request.user,
                tenant=tenant,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return render(
                request,
                "core/staff/admin/apikey_created.html",
                {"key": new.key, "secret": new.secret},
            )
    return render(request, "core/staff/admin/apikey_new.html", {"form": form})


@admin_required
def apikey_remove(request: HttpRequest, key_id: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes (the key stops working at once)."""
    tenant = request.tenant  # type: ignore[attr-defined]
    key = selectors.get_for_tenant(ApiKey.objects.all(), tenant, key_id)
    if request.method == "POST":
        apikey_revoke(actor=request.user, key=key)
        messages.success(request, _("La clé « %(k)s » est révoquée.") % {"k": key.name})
        return redirect("core:admin_apikeys", tenant=tenant.slug)
    return render(request, "core/staff/admin/apikey_revoke.html", {"key": key})
