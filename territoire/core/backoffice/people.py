"""Agents and their roles, and the services (équipes) they belong to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from territoire.core.backoffice import selectors
from territoire.core.backoffice import services as bo_services
from territoire.core.backoffice.forms import (
    STAFF_ROLE_CHOICES,
    InviteForm,
    PersonRolesForm,
    ServiceForm,
    apply_service_errors,
)
from territoire.core.listing import Column, Filter, Listing
from territoire.core.models import Membership, Service
from territoire.core.permissions import admin_required
from territoire.core.services import membership_revoke, service_create


def _people_listing(request: HttpRequest) -> Listing:
    tenant = request.tenant  # type: ignore[attr-defined]
    service_choices = [(str(s.pk), s.name) for s in Service.objects.for_tenant(tenant)]
    return Listing(
        queryset=selectors.staff_memberships(tenant),
        columns=[
            Column(gettext_lazy("Adresse électronique"), lambda m: m.user.email, "user__email"),
            Column(gettext_lazy("Nom"), lambda m: m.user.display_name, "user__display_name"),
            Column(gettext_lazy("Rôle"), lambda m: m.get_role_display(), "role"),
            Column(
                gettext_lazy("Services"),
                lambda m: ", ".join(s.name for s in m.services.all()),
            ),
            Column(
                gettext_lazy("État"),
                lambda m: _("actif") if m.is_active else _("retiré"),
                "is_active",
            ),
            Column(gettext_lazy("Depuis le"), lambda m: m.created.date(), "created"),
        ],
        filters=[
            Filter("role", gettext_lazy("Rôle"), "role", STAFF_ROLE_CHOICES),
            Filter("service", gettext_lazy("Service"), "services", service_choices),
            Filter(
                "active",
                gettext_lazy("État"),
                "is_active",
                [("1", gettext_lazy("actif")), ("0", gettext_lazy("retiré"))],
            ),
        ],
        search_fields=["user__email", "user__display_name"],
        default_sort="user__email",
        filename="agents",
    )


@admin_required
def people(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = _people_listing(request)
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    _page, ctx = listing.page(request)
    ctx.update(resident_count=selectors.resident_count(tenant))
    return render(request, "core/staff/admin/people.html", ctx)


@admin_required
def person_invite(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = InviteForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _membership, _created = bo_services.staff_invite_account(
                actor=request.user,
                tenant=tenant,
                email=data["email"],
                role=data["role"],
                display_name=data["display_name"],
                services=list(data["services"]),
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not user.has_usable_password():
                messages.success(
                    request,
                    _("Invitation envoyée à %(email)s.") % {"email": user.email},
                )
            else:
                messages.success(
                    request,
                    _("%(email)s a déjà un compte : le rôle lui est attribué.")
                    % {"email": user.email},
                )
            return redirect("core:admin_person", tenant=tenant.slug, user_id=user.pk)
    return render(request, "core/staff/admin/person_invite.html", {"form": form})


@admin_required
def person(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    target = selectors.staff_person(tenant, user_id)
    memberships = list(selectors.person_memberships(tenant, target))
    active = [m for m in memberships if m.is_active]
    current_services = {s.pk for m in active for s in m.services.all()}
    form = PersonRolesForm(
        request.POST or None,
        tenant=tenant,
        initial={"roles": [m.role for m in active], "services": sorted(current_services)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            bo_services.membership_set_roles(
                actor=request.user,
                tenant=tenant,
                user=target,
                roles=form.cleaned_data["roles"],
                services=list(form.cleaned_data["services"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Les rôles de %(p)s sont enregistrés.") % {"p": target})
            return redirect("core:admin_person", tenant=tenant.slug, user_id=target.pk)
    return render(
        request,
        "core/staff/admin/person.html",
        {"person": target, "memberships": memberships, "form": form},
    )


@admin_required
@require_POST
def membership_withdraw(request: HttpRequest, membership_id: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    membership = selectors.get_for_tenant(
        Membership.objects.staff().select_related("user"), tenant, membership_id
    )
    try:
        membership_revoke(actor=request.user, membership=membership)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Rôle « %(role)s » retiré à %(p)s.")
            % {"role": membership.get_role_display(), "p": membership.user},
        )
    return redirect("core:admin_person", tenant=tenant.slug, user_id=membership.user_id)


@admin_required
@require_POST
def person_reinvite(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    target = selectors.staff_person(tenant, user_id)
    try:
        bo_services.staff_invitation_resend(
            actor=request.user,
            tenant=tenant,
            user=target,
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Invitation renvoyée à %(email)s.") % {"email": target.email})
    return redirect("core:admin_person", tenant=tenant.slug, user_id=target.pk)


# --- Services (équipes) -----------------------------------------------------------------


@admin_required
def services(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    listing = Listing(
        queryset=selectors.services_with_counts(tenant),
        columns=[
            Column(gettext_lazy("Nom"), lambda s: s.name, "name"),
            Column(gettext_lazy("Identifiant"), lambda s: s.slug, "slug"),
            Column(gettext_lazy("Adresse"), lambda s: s.email, "email"),
            Column(gettext_lazy("Membres actifs"), lambda s: s.member_count, "member_count"),
        ],
        search_fields=["name", "email"],
        default_sort="name",
        filename="services",
    )
    if listing.wants_csv(request):
        return listing.csv_response(request)  # type: ignore[return-value]
    form = ServiceForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            service = service_create(actor=request.user, tenant=tenant, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Service « %(s)s » créé.") % {"s": service.name})
            return redirect("core:admin_services", tenant=tenant.slug)
    _page, ctx = listing.page(request)
    ctx["form"] = form
    return render(request, "core/staff/admin/services.html", ctx)


@admin_required
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    service = selectors.get_for_tenant(Service.objects.all(), tenant, service_id)
    form = ServiceForm(
        request.POST or None,
        tenant=tenant,
        service=service,
        initial={"name": service.name, "email": service.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            bo_services.service_update(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Service « %(s)s » enregistré.") % {"s": service.name})
            return redirect("core:admin_services", tenant=tenant.slug)
    return render(request, "core/staff/admin/service_edit.html", {"form": form, "service": service})
