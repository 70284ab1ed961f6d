"""Public pages: report a problem, the list and map, a report's history, statistics."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territoire.core.models import District
from territoire.core.requestcontext import client_ip
from territoire.reports import selectors, services
from territoire.reports.forms import PlaceForm, ReopenForm, ReportForm
from territoire.reports.models import Follower, ReportPhoto, Status
from territoire.reports.open311 import Open311Error, rate_limit

PER_PAGE = 20


def with_site_url(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Links in the e-mails this view may send point to the address the person used."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = services.site_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return view(request, *args, **kwargs)
        finally:
            services.site_url.reset(token)

    return wrapper


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    reports = selectors.filter_public(selectors.public_reports(tenant), request.GET)
    page = Paginator(reports.order_by("-requested_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    statuses = [("ouverts", _("Ouverts")), ("clos", _("Clos"))] + [
        (s.value, s.label) for s in Status if s != Status.UNCONFIRMED
    ]
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "params": request.GET,
            "categories": selectors.categories(tenant),
            "districts": District.objects.for_tenant(tenant),
            "statuses": statuses,
            "geojson": selectors.geojson(page.object_list, tenant_slug=tenant.slug),
        },
    )


@with_site_url
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Two steps, no JavaScript needed: (1) what and where, (2) similar reports + details."""
    tenant = request.tenant  # type: ignore[attr-defined]
    anonymous = not request.user.is_authenticated
    source = request.POST if request.method == "POST" else request.GET
    place = PlaceForm(source if "categorie" in source else None, tenant=tenant)
    if not place.is_bound or not place.is_valid():
        return render(request, "reports/new_place.html", {"form": place})
    category = place.category()
    similar: list[Any] = []
    lon, lat = place.cleaned_data.get("lon"), place.cleaned_data.get("lat")
    if category is not None and lon is not None and lat is not None:
        similar = selectors.similar_nearby(tenant, category, lon, lat, services.similar_radius_m())
    if request.method == "POST":
        form = ReportForm(
            request.POST, request.FILES, tenant=tenant, anonymous=anonymous, category=category
        )
        if form.is_valid() and category is not None:
            try:
                ip = client_ip.get() or request.META.get("REMOTE_ADDR", "")
                rate_limit(f"web-post-{ip}", "10/min")
            except Open311Error:
                form.add_error(None, _("Trop de signalements envoyés : réessayez dans une minute."))
            else:
                report = _submit(request, form, category, anonymous)
                if report is not None:
                    if anonymous:
                        return render(request, "reports/check_email.html", {"report": report})
                    messages.success(request, _("Merci : votre signalement est enregistré."))
                    return redirect("reports:detail", tenant=tenant.slug, pk=report.pk)
    else:
        form = ReportForm(
            initial=place.cleaned_data, tenant=tenant, anonymous=anonymous, category=category
        )
    return render(
        request,
        "reports/new.html",
        {
            "form": form,
            "category": category,
            "similar": similar,
            "radius": services.similar_radius_m(),
        },
    )


def _submit(request: HttpRequest, form: ReportForm, category: Any, anonymous: bool) -> Any:
    d = form.cleaned_data
    submission = services.Submission(
        category=category,
        description=d["description"],
        lon=d.get("lon"),
        lat=d.get("lat"),
        address=d.get("adresse") or "",
        attributes=form.attributes(),
    )
    try:
        return services.report_submit(
            tenant=request.tenant,  # type: ignore[attr-defined]
            submission=submission,
            reporter=None if anonymous else request.user,  # type: ignore[arg-type]
            email=d.get("email") or "",
            photos=form.photos(),
        )
    except ValidationError as exc:
        fields = {
            "location": "adresse",
            "attributes": None,
            "photos": "photo1",
            "category": "categorie",
        }
        for key, errors in exc.message_dict.items():
            target = fields.get(key, key if key in form.fields else None)
            for message in errors:
                form.add_error(target, message)
        return None


@with_site_url
@require_http_methods(["GET", "POST"])
def report_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link e-mailed to an anonymous reporter: a button publishes the report."""
    tenant = request.tenant  # type: ignore[attr-defined]
    if request.method == "POST":
        try:
            report = services.report_confirm(tenant=tenant, token=token)
        except ValidationError as exc:
            return render(request, "reports/confirm.html", {"error": exc.messages[0]}, status=400)
        messages.success(request, _("Merci : votre signalement est publié."))
        return redirect("reports:detail", tenant=tenant.slug, pk=report.pk)
    return render(request, "reports/confirm.html", {"token": token})


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    report = selectors.public_report(tenant, pk)
    if report is None:
        raise Http404
    following = (
        request.user.is_authenticated
        and Follower.objects.filter(report=report, user=request.user).exists()
    )
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "history": selectors.public_history(report),
            "photos": list(report.photos.values_list("pk", "width", "height")),
            "following": following,
            "can_reopen": following and services.can_reopen(report),
            "reopen_form": ReopenForm(),
            "reopen_days": services.reopen_days(),
            "geojson": selectors.geojson([report], tenant_slug=tenant.slug),
        },
    )


@login_required
@require_POST
def report_follow(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    report = selectors.public_report(tenant, pk)
    if report is None:
        raise Http404
    if request.POST.get("action") == "unfollow":
        services.report_unfollow(user=request.user, report=report)  # type: ignore[arg-type]
        messages.success(request, _("Vous ne suivez plus ce signalement."))
    else:
        try:
            services.report_follow(user=request.user, report=report)  # type: ignore[arg-type]
            messages.success(
                request, _("Vous suivez ce signalement : nous vous tiendrons informé.")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("reports:detail", tenant=tenant.slug, pk=report.pk)


@with_site_url
@login_required
@require_POST
def report_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    report = selectors.public_report(tenant, pk)
    if report is None:
        raise Http404
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.report_reopen(
                user=request.user,  # type: ignore[arg-type]
                report=report,
                text=form.cleaned_data["text"],
            )
            messages.success(request, _("Le signalement est rouvert."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Dites ce que vous constatez."))
    return redirect("reports:detail", tenant=tenant.slug, pk=report.pk)


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    item = ReportPhoto.objects.for_tenant(tenant).select_related("report").filter(pk=pk).first()
    if item is None:
        raise Http404
    staff = bool(getattr(request, "user", None) and request.user.is_authenticated) and bool(
        {"agent", "admin", "elected"} & _roles(request)
    )
    if not item.report.is_public and not staff:
        raise Http404
    response = HttpResponse(bytes(item.data), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400" if item.report.is_public else "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _roles(request: HttpRequest) -> set[str]:
    from territoire.core.models.people import roles_of

    return roles_of(request.user, request.tenant)  # type: ignore[attr-defined]


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    return render(
        request,
        "reports/stats.html",
        {"stats": selectors.statistics_for(tenant), "staff": False},
    )
