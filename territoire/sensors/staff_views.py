"""Back-office pages: registry, sensor page, alerts inbox, rules, quarantine, dead letters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoire.core.listing import Column, Filter, Listing
from territoire.core.permissions import role_required, staff_required
from territoire.sensors import selectors, services
from territoire.sensors.catalog import KIND_CHOICES
from territoire.sensors.forms import (
    AlertActionForm,
    AlertRuleForm,
    QuarantineAssignForm,
    SensorForm,
)
from territoire.sensors.models import (
    Alert,
    AlertRule,
    AlertStatus,
    Condition,
    DeadLetter,
    Quarantined,
)
from territoire.sensors.views import (
    chart_context,
    latest_text,
    map_features,
    readings_csv,
    sensor_listing,
    with_links,
)

operators_required = role_required({"agent", "admin"})


def as_response(response: HttpResponseBase) -> HttpResponse:
    """A streamed CSV, typed as the permission decorators expect."""
    return cast(HttpResponse, response)


def _when(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required
def sensor_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = sensor_listing(selectors.sensors(tenant), tenant, staff=True)
    if listing.wants_csv(request):
        return as_response(listing.csv_response(request))
    _page, context = listing.page(request)
    with_links(
        context,
        lambda s: reverse("sensors_staff:detail", kwargs={"tenant": tenant.slug, "ref": s.ref}),
    )
    context["geojson"] = map_features(context["objects"], "sensors_staff:detail", tenant.slug)
    context["open_alerts"] = selectors.open_alert_count(tenant)
    context["quarantined"] = (
        Quarantined.objects.for_tenant(tenant).filter(resolved__isnull=True).count()
    )
    return render(request, "sensors/staff/list.html", context)


@staff_required
def sensor_detail(request: HttpRequest, ref: str) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    sensor = selectors.sensor_by_ref(tenant, ref)
    if sensor is None:
        raise Http404(_("Capteur introuvable."))
    if request.GET.get("format") == "csv":
        return as_response(readings_csv(tenant, sensor, request))
    context = {
        "sensor": sensor,
        "latest": latest_text(sensor),
        "alerts": selectors.alerts(tenant).filter(sensor=sensor)[:10],
        **chart_context(tenant, sensor, request, default="24h"),
    }
    return render(request, "sensors/staff/detail.html", context)


@operators_required
def sensor_create(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = SensorForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sensor = services.sensor_register(
                actor=request.user,
                tenant=tenant,
                ref=data["ref"],
                kind=data["kind"],
                name=data["name"],
                lon=data["lon"],
                lat=data["lat"],
                district=data["district"],
                operator=data["operator"],
                expected_interval=data["expected_interval"],
                dev_eui=data["dev_eui"],
                profile=data["profile"],
                service=data["service"],
                is_public=data["is_public"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Capteur enregistré."))
            return redirect("sensors_staff:detail", tenant=tenant.slug, ref=sensor.ref)
    return render(request, "sensors/staff/form.html", {"form": form, "title": _("Nouveau capteur")})


# --- Alerts -----------------------------------------------------------------------------


@staff_required
def alert_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    qs = selectors.alerts(tenant)
    if "etat" not in request.GET:
        qs = qs.unclosed()  # the inbox opens on what still needs someone
    listing = Listing(
        queryset=qs,
        columns=[
            Column(_("Ouverte le"), lambda a: _when(a.opened), "opened"),
            Column(_("Alerte"), lambda a: a.title, "title"),
            Column(_("Capteur"), lambda a: a.sensor.ref, "sensor__ref"),
            Column(_("Condition"), lambda a: a.get_condition_display(), "condition"),
            Column(_("État"), lambda a: a.get_status_display(), "status"),
        ],
        filters=[
            Filter("etat", _("État"), "status", list(AlertStatus.choices)),
            Filter("condition", _("Condition"), "condition", list(Condition.choices)),
            Filter("type", _("Type de capteur"), "sensor__kind", list(KIND_CHOICES)),
        ],
        search_fields=["title", "sensor__ref", "sensor__name"],
        default_sort="-opened",
        filename="alertes-capteurs",
    )
    if listing.wants_csv(request):
        return as_response(listing.csv_response(request))
    _page, context = listing.page(request)
    with_links(
        context,
        lambda a: reverse("sensors_staff:alert", kwargs={"tenant": tenant.slug, "pk": a.pk}),
    )
    return render(request, "sensors/staff/alerts.html", context)


@staff_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    alert = get_object_or_404(selectors.alerts(tenant), pk=pk)
    context = {
        "alert": alert,
        "transitions": alert.transitions.all(),
        "form": AlertActionForm(),
        "can_ack": AlertStatus.ACKNOWLEDGED in services.TRANSITIONS[alert.status],
        "can_close": AlertStatus.CLOSED in services.TRANSITIONS[alert.status],
    }
    return render(request, "sensors/staff/alert.html", context)


@require_POST
@operators_required
def alert_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    alert = get_object_or_404(Alert.objects.for_tenant(tenant), pk=pk)
    form = AlertActionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if action == "prendre":
            services.alert_acknowledge(actor=request.user, alert=alert, reason=reason)
            messages.success(request, _("Alerte prise en compte."))
        else:
            services.alert_close(actor=request.user, alert=alert, reason=reason)
            messages.success(request, _("Alerte close."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("sensors_staff:alert", tenant=tenant.slug, pk=alert.pk)


@staff_required
def rule_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=AlertRule.objects.for_tenant(tenant).select_related("sensor", "service"),
        columns=[
            Column(_("Nom"), lambda r: r.name, "name"),
            Column(_("Condition"), lambda r: r.get_condition_display(), "condition"),
            Column(_("Portée"), lambda r: r.sensor.ref if r.sensor else r.get_kind_display()),
            Column(_("Grandeur"), lambda r: r.get_quantity_display() if r.quantity else ""),
            Column(
                _("Seuil"),
                lambda r: "" if r.threshold is None else formats.number_format(r.threshold),
            ),
            Column(_("Équipe"), lambda r: r.service.name if r.service else ""),
        ],
        filters=[Filter("condition", _("Condition"), "condition", list(Condition.choices))],
        search_fields=["name"],
        default_sort="name",
        filename="regles-alerte",
    )
    if listing.wants_csv(request):
        return as_response(listing.csv_response(request))
    _page, context = listing.page(request)
    with_links(context, lambda o: None)
    return render(request, "sensors/staff/rules.html", context)


@operators_required
def rule_create(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = AlertRuleForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.alertrule_create(
                actor=request.user,
                tenant=tenant,
                name=data["name"],
                condition=data["condition"],
                kind=data["kind"],
                sensor=data["sensor"],
                quantity=data["quantity"],
                threshold=data["threshold"],
                minutes=data["minutes"],
                service=data["service"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Règle enregistrée."))
            return redirect("sensors_staff:rules", tenant=tenant.slug)
    return render(
        request, "sensors/staff/form.html", {"form": form, "title": _("Nouvelle règle d'alerte")}
    )


# --- Quarantine and dead letters -------------------------------------------------------------


@staff_required
def quarantine_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=Quarantined.objects.for_tenant(tenant).filter(resolved__isnull=True),
        columns=[
            Column(_("Reçu le"), lambda q: _when(q.received), "received"),
            Column(_("Source"), lambda q: q.source, "source"),
            Column(_("Appareil"), lambda q: q.device, "device"),
            Column(_("Motif"), lambda q: q.reason),
        ],
        filters=[
            Filter(
                "source", _("Source"), "source", [("mqtt", "MQTT"), ("chirpstack", "ChirpStack")]
            )
        ],
        search_fields=["device"],
        default_sort="-received",
        filename="quarantaine-capteurs",
    )
    if listing.wants_csv(request):
        return as_response(listing.csv_response(request))
    _page, context = listing.page(request)
    context["form"] = QuarantineAssignForm(tenant=tenant)
    with_links(context, lambda o: None)
    return render(request, "sensors/staff/quarantine.html", context)


@require_POST
@operators_required
def quarantine_assign(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    item = get_object_or_404(Quarantined.objects.for_tenant(tenant), pk=pk, resolved__isnull=True)
    form = QuarantineAssignForm(request.POST, tenant=tenant)
    if not form.is_valid():
        messages.error(request, _("Choisissez un capteur de la collectivité."))
    else:
        try:
            count = services.quarantine_assign(
                actor=request.user, item=item, sensor=form.cleaned_data["sensor"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(n)s mesure(s) enregistrée(s).") % {"n": count})
    return redirect("sensors_staff:quarantine", tenant=tenant.slug)


@staff_required
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=DeadLetter.objects.for_tenant(tenant),
        columns=[
            Column(_("Reçu le"), lambda d: _when(d.received), "received"),
            Column(_("Source"), lambda d: d.source, "source"),
            Column(_("Sujet"), lambda d: d.topic),
            Column(_("Erreur"), lambda d: d.error),
            Column(_("Contenu"), lambda d: d.payload[:200]),
        ],
        search_fields=["error", "topic"],
        default_sort="-received",
        filename="messages-rejetes",
    )
    if listing.wants_csv(request):
        return as_response(listing.csv_response(request))
    _page, context = listing.page(request)
    with_links(context, lambda o: None)
    return render(request, "sensors/staff/dead_letters.html", context)
