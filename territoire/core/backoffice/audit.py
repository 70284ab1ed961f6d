"""The audit log, read-only (the table is append-only at the database level)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from territoire.core.backoffice import selectors
from territoire.core.listing import Column, Filter, Listing
from territoire.core.permissions import role_required


def _details(entry: object) -> str:
    details = getattr(entry, "details", None)
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else ""


@role_required({"admin", "dpo"})
def audit(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    actions = [(a, a) for a in selectors.audit_actions(tenant)]
    listing = Listing(
        queryset=selectors.audit_entries(tenant),
        columns=[
            Column(gettext_lazy("Date"), lambda e: e.time, "time"),
            Column(gettext_lazy("Auteur"), lambda e: e.actor_label, "actor_label"),
            Column(gettext_lazy("Action"), lambda e: e.action, "action"),
            Column(gettext_lazy("Objet"), lambda e: e.object_label),
            Column(gettext_lazy("Type d'objet"), lambda e: e.object_type),
            Column(gettext_lazy("Détails"), _details),
            Column(gettext_lazy("Adresse IP"), lambda e: e.ip or ""),
        ],
        filters=[
            Filter("action", gettext_lazy("Action"), "action", actions),
            Filter("actor", gettext_lazy("Auteur (adresse)"), "actor_label__icontains"),
            Filter("from", gettext_lazy("Du"), "time__date__gte", input_type="date"),
            Filter("to", gettext_lazy("Au"), "time__date__lte", input_type="date"),
        ],
        search_fields=["object_label", "action"],
        default_sort="-time",
        per_page=50,
        filename="journal-audit",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    _page, ctx = listing.page(request)
    return render(request, "core/staff/admin/audit.html", ctx)
