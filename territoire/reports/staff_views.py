"""Back office: triage inbox, a report's actions, the day's round, statistics, categories."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territoire.core.geo import centroid
from territoire.core.listing import Column, Filter, Listing
from territoire.core.models import District, Service
from territoire.core.permissions import role_required
from territoire.reports import selectors, services
from territoire.reports.forms import (
    AssignForm,
    CategoryChoiceForm,
    CategoryForm,
    CloseForm,
    MergeForm,
    PlanForm,
    TextForm,
)
from territoire.reports.models import CLOSED_STATUSES, Category, Report, Source, Status
from territoire.reports.routing import plan_route
from territoire.reports.views import with_site_url

staff_read = role_required({"agent", "admin", "elected"})
staff_write = role_required({"agent", "admin"})


def _reports(request: HttpRequest) -> Any:
    return (
        Report.objects.for_tenant(request.tenant)  # type: ignore[attr-defined]
        .exclude(status=Status.UNCONFIRMED)
        .select_related("category", "district", "assigned_service")
    )


def _listing(request: HttpRequest) -> Listing:
    tenant = request.tenant  # type: ignore[attr-defined]
    state = Case(
        When(status__in=list(CLOSED_STATUSES), then=Value("closed")),
        default=Value("open"),
        output_field=CharField(),
    )
    return Listing(
        queryset=_reports(request).annotate(state=state),
        columns=[
            Column(gettext_lazy("N°"), lambda r: r.pk, sort="pk"),
            Column(
                gettext_lazy("Catégorie"),
                lambda r: r.category.name if r.category else "—",
                sort="category__name",
            ),
            Column(gettext_lazy("Lieu"), lambda r: r.place),
            Column(gettext_lazy("Quartier"), lambda r: r.district.name if r.district else ""),
            Column(gettext_lazy("Statut"), lambda r: r.get_status_display(), sort="status"),
            Column(
                gettext_lazy("Équipe"),
                lambda r: r.assigned_service.name if r.assigned_service else "",
            ),
            Column(gettext_lazy("Prévu le"), lambda r: r.planned_for or "", sort="planned_for"),
            Column(
                gettext_lazy("Signalé le"),
                lambda r: timezone.localtime(r.requested_at).strftime("%d/%m/%Y %H:%M"),
                sort="requested_at",
            ),
            Column(gettext_lazy("Origine"), lambda r: r.get_source_display()),
        ],
        filters=[
            Filter(
                "etat",
                gettext_lazy("État"),
                "state",
                choices=[("open", gettext_lazy("Ouverts")), ("closed", gettext_lazy("Clos"))],
            ),
            Filter(
                "statut",
                gettext_lazy("Statut"),
                "status",
                choices=[(s.value, s.label) for s in Status if s != Status.UNCONFIRMED],
            ),
            Filter(
                "categorie",
                gettext_lazy("Catégorie"),
                "category_id",
                choices=[
                    (str(c.pk), c.name) for c in selectors.categories(tenant, active_only=False)
                ],
            ),
            Filter(
                "quartier",
                gettext_lazy("Quartier"),
                "district_id",
                choices=[(str(d.pk), d.name) for d in District.objects.for_tenant(tenant)],
            ),
            Filter(
                "equipe",
                gettext_lazy("Équipe"),
                "assigned_service_id",
                choices=[(str(s.pk), s.name) for s in Service.objects.for_tenant(tenant)],
            ),
            Filter("origine", gettext_lazy("Origine"), "source", choices=list(Source.choices)),
        ],
        search_fields=["description", "address"],
        default_sort="-requested_at",
        filename="signalements",
    )


@staff_read
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    listing = _listing(request)
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    page, context = listing.page(request)
    tenant = request.tenant  # type: ignore[attr-defined]
    context["geojson"] = selectors.geojson(page.object_list, tenant_slug=tenant.slug, staff=True)
    return render(request, "reports/staff/inbox.html", context)


def _report(request: HttpRequest, pk: int) -> Report:
    report = _reports(request).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


@staff_read
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    tenant = request.tenant  # type: ignore[attr-defined]
    similar = []
    if report.category and report.lon is not None and report.lat is not None and report.is_open:
        similar = [
            (r, d)
            for r, d in selectors.similar_nearby(
                tenant, report.category, report.lon, report.lat, services.similar_radius_m()
            )
            if r.pk != report.pk
        ]
    return render(
        request,
        "reports/staff/detail.html",
        {
            "report": report,
            "history": report.updates.select_related("author").order_by("created", "pk"),
            # Built here: in templates "reports:" resolves to the staff instance (same app).
            "photos": [
                (reverse("reports:photo", kwargs={"tenant": tenant.slug, "pk": pk}), w, h)
                for pk, w, h in report.photos.values_list("pk", "width", "height")
            ],
            "public_url": reverse(
                "reports:detail", kwargs={"tenant": tenant.slug, "pk": report.pk}
            ),
            "followers": report.followers.count(),
            "similar": similar,
            "forms": {
                "requalify": CategoryChoiceForm(
                    tenant=tenant, initial={"category": report.category_id}, auto_id="requalify_%s"
                ),
                "merge": MergeForm(auto_id="merge_%s"),
                "assign": AssignForm(
                    tenant=tenant,
                    initial={"service": report.assigned_service_id},
                    auto_id="assign_%s",
                ),
                "plan": PlanForm(initial={"day": report.planned_for}, auto_id="plan_%s"),
                "close": CloseForm(auto_id="close_%s"),
                "text": TextForm(auto_id="text_%s"),
            },
            "geojson": selectors.geojson([report], tenant_slug=tenant.slug, staff=True),
            "reporter_known": bool(report.reporter_id or report.reporter_email),
        },
    )


def _act(request: HttpRequest, report: Report, action: str) -> None:
    tenant = request.tenant  # type: ignore[attr-defined]
    actor = request.user
    post = request.POST
    handlers: dict[str, Callable[[], Any]] = {}

    def text() -> str:
        form = TextForm(post)
        form.is_valid()
        return str(form.cleaned_data.get("text", ""))

    def requalify() -> Any:
        form = CategoryChoiceForm(post, tenant=tenant)
        if not form.is_valid():
            raise ValidationError(_("Choisissez une catégorie."))
        return services.report_requalify(
            actor=actor, report=report, category=form.cleaned_data["category"]
        )

    def merge() -> Any:
        form = MergeForm(post)
        if not form.is_valid():
            raise ValidationError(_("Indiquez le numéro du signalement à garder."))
        into = _reports(request).filter(pk=form.cleaned_data["into"]).first()
        if into is None:
            raise ValidationError(_("Signalement introuvable."))
        return services.report_merge(actor=actor, report=report, into=into)

    def assign() -> Any:
        form = AssignForm(post, tenant=tenant)
        if not form.is_valid():
            raise ValidationError(_("Choisissez une équipe."))
        return services.report_assign(
            actor=actor, report=report, service=form.cleaned_data["service"]
        )

    def plan() -> Any:
        form = PlanForm(post)
        if not form.is_valid():
            raise ValidationError(_("Donnez une date valide."))
        d = form.cleaned_data
        return services.report_plan(
            actor=actor, report=report, day=d["day"], text=d.get("text", "")
        )

    def close() -> Any:
        form = CloseForm(post)
        if not form.is_valid():
            raise ValidationError(_("Choisissez une issue."))
        d = form.cleaned_data
        return services.report_close(
            actor=actor, report=report, resolution=d["resolution"], reason=d.get("text", "")
        )

    handlers = {
        "acknowledge": lambda: services.report_acknowledge(actor=actor, report=report, text=text()),
        "start": lambda: services.report_start(actor=actor, report=report, text=text()),
        "reject": lambda: services.report_reject(actor=actor, report=report, reason=text()),
        "message": lambda: services.report_comment(
            actor=actor, report=report, text=text(), internal=False
        ),
        "note": lambda: services.report_comment(
            actor=actor, report=report, text=text(), internal=True
        ),
        "requalify": requalify,
        "merge": merge,
        "assign": assign,
        "plan": plan,
        "close": close,
    }  # fmt: skip
    if action not in handlers:
        raise Http404
    handlers[action]()


@with_site_url
@staff_write
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _report(request, pk)
    try:
        _act(request, report, action)
        messages.success(request, _("C'est fait."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    tenant = request.tenant  # type: ignore[attr-defined]
    return redirect("reports_staff:detail", tenant=tenant.slug, pk=report.pk)


def _depot(tenant: Any, stops: list[Report]) -> tuple[float, float]:
    districts = list(District.objects.for_tenant(tenant))
    if districts:
        points = [centroid(d.geometry) for d in districts]
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    located = [r for r in stops if r.lon is not None]
    if located and located[0].lon is not None and located[0].lat is not None:
        return (located[0].lon, located[0].lat)
    return (0.0, 0.0)


@staff_read
@require_GET
def round_view(request: HttpRequest) -> HttpResponse:
    """The day's round of a team: its planned/assigned open reports ordered into a route."""
    tenant = request.tenant  # type: ignore[attr-defined]
    teams = Service.objects.for_tenant(tenant)
    team = (
        teams.filter(pk=int(request.GET["equipe"])).first()
        if request.GET.get("equipe", "").isdigit()
        else None
    )
    try:
        day = (
            date.fromisoformat(request.GET.get("jour", ""))
            if request.GET.get("jour")
            else timezone.localdate()
        )
    except ValueError:
        day = timezone.localdate()
    stops: list[Report] = []
    order: list[Report] = []
    length = 0
    method = ""
    if team is not None:
        qs = (
            _reports(request)
            .filter(assigned_service=team)
            .filter(status__in=[Status.ASSIGNED, Status.PLANNED, Status.IN_PROGRESS])
        )
        stops = [r for r in qs if r.planned_for in (None, day) or r.planned_for <= day]
        located = [r for r in stops if r.lon is not None and r.lat is not None]
        unlocated = [r for r in stops if r.lon is None or r.lat is None]
        idx, length, method = plan_route(_depot(tenant, stops), [(r.lon, r.lat) for r in located])  # type: ignore[misc]
        order = [located[i] for i in idx] + unlocated
    if request.GET.get("format") == "csv" and team is not None:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="tournee-{team.slug}-{day.isoformat()}.csv"'
        )
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow(
            [
                "ordre",
                "numero",
                "categorie",
                "lieu",
                "longitude",
                "latitude",
                "statut",
                "description",
            ]
        )
        for i, r in enumerate(order, start=1):
            category = r.category.name if r.category else ""
            text = r.description[:200].replace("\n", " ")
            writer.writerow(
                [i, r.pk, category, r.place, r.lon or "", r.lat or "", r.get_status_display(), text]
            )
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "reports/staff/round.html",
        {
            "teams": teams,
            "team": team,
            "day": day,
            "order": order,
            "length_km": round(length / 1000, 1),
            "method": method,
            "csv_query": query.urlencode(),
            "geojson": selectors.geojson(order, tenant_slug=tenant.slug, staff=True),
        },
    )


@staff_read
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    return render(
        request,
        "reports/staff/stats.html",
        {"stats": selectors.statistics_for(tenant, include_internal=True), "staff": True},
    )


@role_required({"admin"})
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    return render(
        request,
        "reports/staff/categories.html",
        {"categories": selectors.categories(tenant, active_only=False)},
    )


@role_required({"admin"})
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    category = None
    if pk is not None:
        category = Category.objects.for_tenant(tenant).filter(pk=pk).first()
        if category is None:
            raise Http404
    form = CategoryForm(request.POST or None, instance=category, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        attributes = d.pop("attributes_json")
        try:
            services.category_save(
                actor=request.user,
                tenant=tenant,
                category=Category.objects.get(pk=category.pk) if category else None,
                attributes=attributes,
                **d,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Catégorie enregistrée."))
            return redirect("reports_staff:categories", tenant=tenant.slug)
    return render(request, "reports/staff/category_form.html", {"form": form, "category": category})
