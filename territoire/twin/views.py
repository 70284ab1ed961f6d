"""Public pages of the twins: the gains achieved."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from territoire.twin import selectors


def gains(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    gains_ = list(selectors.gains(tenant))
    return render(
        request,
        "twin/gains.html",
        {
            "gains": gains_,
            "total_eur": sum(g.eur_per_year for g in gains_),
            "total_co2": sum(g.co2_kg_per_year for g in gains_),
        },
    )
