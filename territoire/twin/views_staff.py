"""Back-office pages of the twins: one page per twin, runs with progress, leaks."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from territoire.core.listing import Column, Filter, Listing
from territoire.core.models.people import roles_of
from territoire.core.permissions import role_required
from territoire.twin import drawing, selectors, services
from territoire.twin.forms import LeakTransitionForm, NetworkImportForm, RunParamsForm
from territoire.twin.models import LeakStatus, RunKind, RunStatus

VIEW_ROLES = {"agent", "elected", "admin"}
ACT_ROLES = {"agent", "admin"}
PAGES = {
    RunKind.WATER: "twin_staff:water",
    RunKind.WASTE: "twin_staff:waste",
    RunKind.LIGHTING: "twin_staff:lighting",
    RunKind.HEATING: "twin_staff:heating",
    RunKind.ATTENDANCE: "twin_staff:pools",
}
WEEKDAYS = [
    gettext_lazy("lundi"),
    gettext_lazy("mardi"),
    gettext_lazy("mercredi"),
    gettext_lazy("jeudi"),
    gettext_lazy("vendredi"),
    gettext_lazy("samedi"),
    gettext_lazy("dimanche"),
]


def _twin_context(request: HttpRequest, kind: str) -> dict[str, Any]:
    tenant = request.tenant  # type: ignore[attr-defined]
    return {
        "kind": kind,
        "run": selectors.latest_run(tenant, kind),
        "last": selectors.last_runs_by_kind(tenant).get(kind),
        "gains": selectors.gains(tenant).filter(twin=kind),
        "params_form": RunParamsForm(),
    }


@role_required(VIEW_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    last = selectors.last_runs_by_kind(tenant)
    gains = list(selectors.gains(tenant))
    twins = [
        {
            "kind": k.value,
            "label": k.label,
            "url_name": PAGES[k],
            "run": last.get(k.value),
            "gains": [g for g in gains if g.twin == k.value],
        }
        for k in RunKind
    ]
    return render(request, "twin/staff/index.html", {"twins": twins})


@require_POST
@role_required(ACT_ROLES)
def run_start(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in RunKind.values:
        raise Http404
    form = RunParamsForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(PAGES[RunKind(kind)], tenant=request.tenant.slug)  # type: ignore[attr-defined]
    tenant = request.tenant  # type: ignore[attr-defined]
    run = services.run_request(
        actor=request.user, tenant=tenant, kind=kind, params=form.params(kind)
    )
    return redirect("twin_staff:run", tenant=request.tenant.slug, pk=run.pk)  # type: ignore[attr-defined]


@role_required(VIEW_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs(request.tenant), pk=pk)  # type: ignore[attr-defined]
    pending = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    return render(
        request,
        "twin/staff/run.html",
        {"run": run, "pending": pending, "page_url_name": PAGES[RunKind(run.kind)]},
    )


@role_required(VIEW_ROLES)
def run_list(request: HttpRequest) -> HttpResponse:
    listing = Listing(
        queryset=selectors.runs(request.tenant),  # type: ignore[attr-defined]
        columns=[
            Column(_("Calcul"), lambda r: r.pk, sort="pk"),
            Column(_("Jumeau"), lambda r: r.get_kind_display(), sort="kind"),
            Column(_("État"), lambda r: r.get_status_display(), sort="status"),
            Column(_("Avancement (%)"), lambda r: r.progress),
            Column(_("Demandé le"), lambda r: r.created, sort="created"),
            Column(_("Terminé le"), lambda r: r.finished_at or "", sort="finished_at"),
            Column(_("Erreur"), lambda r: r.error),
        ],
        filters=[
            Filter("kind", _("Jumeau"), "kind", choices=[(k.value, k.label) for k in RunKind]),
            Filter("status", _("État"), "status", choices=[(s.value, s.label) for s in RunStatus]),
        ],
        default_sort="-created",
        filename="calculs-jumeaux",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]  # streamed CSV
    _page, context = listing.page(request)
    return render(request, "twin/staff/runs.html", context)


@role_required(VIEW_ROLES)
def water(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    network = selectors.networks(tenant).first()
    context = _twin_context(request, RunKind.WATER)
    listing = Listing(
        queryset=selectors.leaks(tenant),
        columns=[
            Column(_("Secteur"), lambda lk: lk.dma.name, sort="dma__name"),
            Column(_("Depuis la nuit du"), lambda lk: lk.first_night, sort="first_night"),
            Column(_("Excès (m³/h)"), lambda lk: lk.excess_m3h, sort="excess_m3h"),
            Column(_("Perte (m³/jour)"), lambda lk: lk.volume_m3_day, sort="volume_m3_day"),
            Column(_("Coût (€/jour)"), lambda lk: lk.cost_eur_day, sort="cost_eur_day"),
            Column(_("État"), lambda lk: lk.get_status_display(), sort="status"),
            Column(
                _("Nœud le plus probable"),
                lambda lk: lk.candidates[0]["node"] if lk.candidates else "",
            ),
        ],
        filters=[
            Filter("status", _("État"), "status", choices=[(s.value, s.label) for s in LeakStatus])
        ],
        default_sort="-first_night",
        per_page=20,
        filename="fuites",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]  # streamed CSV
    _page, leaks_context = listing.page(request)
    context.update({"network": network, "leaks": leaks_context})
    if network is not None:
        open_leaks = selectors.leaks(tenant).open().filter(dma__network=network)
        marks = [c for lk in open_leaks for c in lk.candidates[:3]]
        context["drawing"] = selectors.network_drawing(
            network, highlight=marks, sensor_nodes=selectors.pressure_sensor_nodes(tenant, network)
        )
        context["dmas"] = list(network.dmas.all())
    run = context["run"]
    if run is not None:
        charts = []
        for net in run.result.get("networks", []):
            for row in net.get("dmas", []):
                nights = list((row.get("nights") or {}).items())[-14:]
                if not nights:
                    continue
                floor = min([v for _d, v in nights] + [row["legitimate"]]) * 0.95
                chart = drawing.bars(
                    [(d[8:10] + "/" + d[5:7], v) for d, v in nights],
                    reference=row["legitimate"],
                    floor=floor,
                    height=160,
                )
                charts.append({"row": row, "chart": chart, "nights": nights})
        context["charts"] = charts
    return render(request, "twin/staff/water.html", context)


@role_required(ACT_ROLES)
def network_import(request: HttpRequest) -> HttpResponse:
    form = NetworkImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.network_import(
                actor=request.user,
                tenant=request.tenant,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"],
                inp_text=form.cleaned_data["inp_file"],
                centre_lon=form.cleaned_data["centre_lon"],
                centre_lat=form.cleaned_data["centre_lat"],
                extent_m=form.cleaned_data["extent_m"],
                source_name=str(getattr(request.FILES.get("inp_file"), "name", "")),
            )
        except services.TwinInputError as exc:
            form.add_error("inp_file", str(exc))
        else:
            messages.success(
                request,
                _("Réseau « %(n)s » importé : %(c)s nœuds.")
                % {"n": network.name, "c": network.nodes.count()},
            )
            return redirect("twin_staff:water", tenant=request.tenant.slug)  # type: ignore[attr-defined]
    status = 400 if request.method == "POST" else 200
    return render(request, "twin/staff/network_import.html", {"form": form}, status=status)


@role_required(VIEW_ROLES)
def leak_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    leak = get_object_or_404(selectors.leaks(tenant), pk=pk)
    form = LeakTransitionForm(request.POST or None, status=leak.status)
    status = 200
    if request.method == "POST":
        if not ACT_ROLES & roles_of(request.user, tenant):
            raise PermissionDenied(
                _("Seuls les agents et administrateurs changent l'état d'une fuite.")
            )
        if form.is_valid():
            try:
                services.leak_transition(
                    actor=request.user,
                    leak=leak,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                )
            except services.TwinInputError as exc:
                form.add_error("to", str(exc))
            else:
                messages.success(request, _("État de la fuite mis à jour."))
                return redirect("twin_staff:leak", tenant=tenant.slug, pk=leak.pk)
        status = 400
    drawing_ = selectors.network_drawing(
        leak.dma.network,
        highlight=leak.candidates[:3],
        sensor_nodes=selectors.pressure_sensor_nodes(tenant, leak.dma.network),
    )
    return render(
        request,
        "twin/staff/leak.html",
        {"leak": leak, "form": form, "drawing": drawing_},
        status=status,
    )


def _csv_response(header: list[str], rows: list[list[Any]], filename: str) -> HttpResponse:
    """A small CSV download (rows of a computation result, not a queryset)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        # Sensor names come from operators: neutralise spreadsheet formulas.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return response


@role_required(VIEW_ROLES)
def waste(request: HttpRequest) -> HttpResponse:
    context = _twin_context(request, RunKind.WASTE)
    run = context["run"]
    if run is not None and request.GET.get("format") == "csv":
        return _csv_response(
            [
                _("Conteneur"),
                _("Référence"),
                _("Niveau mesuré (%)"),
                _("Remplissage (%/jour)"),
                _("Prévu demain (%)"),
                _("À collecter"),
            ],
            [
                [
                    f["name"],
                    f["ref"],
                    f["level"],
                    f["rate"],
                    f["tomorrow"],
                    _("oui") if f["collect"] else _("non"),
                ]
                for f in run.result["forecast"]
            ],
            "previsions-remplissage",
        )
    if run is not None:
        result = run.result
        points = [(f["lon"], f["lat"]) for f in result["forecast"]] + [
            tuple(r["depot"]) for r in result["routes"]
        ]
        projector = drawing.Projector.around(points)
        routes = []
        for i, route in enumerate(result["routes"]):
            path = (
                [tuple(route["depot"])]
                + [(s["lon"], s["lat"]) for s in route["stops"]]
                + [tuple(route["depot"])]
            )
            xy = [projector.xy(lon, lat) for lon, lat in path]
            routes.append(
                {
                    **route,
                    "colour": drawing.PALETTE[i % len(drawing.PALETTE)],
                    "polyline": " ".join(f"{x},{y}" for x, y in xy),
                }
            )
        dots = [
            {**dict(zip(("x", "y"), projector.xy(f["lon"], f["lat"]), strict=True)), **f}
            for f in result["forecast"]
        ]
        depot = None
        if result["routes"]:
            x, y = projector.xy(*result["routes"][0]["depot"])
            depot = (x - 7, y - 7)  # top-left corner of the depot's square
        context.update(
            {
                "routes": routes,
                "dots": dots,
                "depot": depot,
                "map": {"width": projector.width, "height": projector.height},
                "due": [f for f in result["forecast"] if f["collect"]],
                "week": result["week"],
            }
        )
    return render(request, "twin/staff/waste.html", context)


@role_required(VIEW_ROLES)
def lighting(request: HttpRequest) -> HttpResponse:
    context = _twin_context(request, RunKind.LIGHTING)
    return render(request, "twin/staff/lighting.html", context)


@role_required(VIEW_ROLES)
def heating(request: HttpRequest) -> HttpResponse:
    context = _twin_context(request, RunKind.HEATING)
    run = context["run"]
    if run is not None:
        for school in run.result["schools"]:
            school["days"] = [
                {"day": WEEKDAYS[d], "period": p, "occupied": dict(school["occupied"]).get(d) or []}
                for d, p in school["schedule"]
            ]
    return render(request, "twin/staff/heating.html", context)


@role_required(VIEW_ROLES)
def pools(request: HttpRequest) -> HttpResponse:
    context = _twin_context(request, RunKind.ATTENDANCE)
    run = context["run"]
    if run is not None:
        for pool in run.result["pools"]:
            if "forecast" not in pool:
                continue
            current = dict(pool["current"])
            proposed = dict(pool["proposed"])
            pool["days"] = [
                {"day": WEEKDAYS[d], "current": current.get(d), "proposed": proposed.get(d)}
                for d in range(7)
            ]
            daily: dict[int, float] = {}
            for slot, value in pool["forecast"]:
                daily[slot // 24] = daily.get(slot // 24, 0) + value
            pool["chart"] = drawing.bars(
                [(str(WEEKDAYS[d])[:3], round(v)) for d, v in sorted(daily.items())], height=160
            )
    return render(request, "twin/staff/pools.html", context)
