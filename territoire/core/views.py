"""Core pages: the list of collectivités, a commune's home, legal pages, profile, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from territoire.core import modules, selectors, services
from territoire.core.forms import ProfileForm
from territoire.core.models.people import STAFF_ROLES, roles_of
from territoire.core.permissions import staff_required


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    host_tenant = getattr(request, "host_tenant", None)
    if host_tenant is not None:
        return redirect("core:home", tenant=host_tenant.slug)
    return render(request, "core/index.html", {"tenants": selectors.tenants_public()})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    members = tenant.members.active().defer("logo") if tenant.is_epci else None
    return render(
        request,
        "core/home.html",
        {
            "districts": selectors.districts(tenant),
            "members": members,
            "module_links": modules.nav_links(tenant, staff=False),
        },
    )


@require_GET
@cache_control(max_age=3600, public=True)
def logo(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    if not tenant.logo:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(tenant.logo), content_type=tenant.logo_type or "image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@login_required
def after_login(request: HttpRequest) -> HttpResponse:
    """Send each person where they work: staff to their back-office, residents home."""
    memberships = list(selectors.memberships_of(request.user))  # type: ignore[arg-type]
    staff = [m for m in memberships if m.role in STAFF_ROLES]
    if staff:
        return redirect("core:staff_home", tenant=staff[0].tenant.slug)
    if memberships:
        return redirect("core:home", tenant=memberships[0].tenant.slug)
    return redirect("site:profile")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": user.display_name, "language": user.language},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Vos préférences sont enregistrées."))
        response = redirect("site:profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.cleaned_data["language"],
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        return response
    return render(
        request,
        "core/profile.html",
        {"form": form, "memberships": selectors.memberships_of(user)},  # type: ignore[arg-type]
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Language switch: a plain form POST, works without JavaScript."""
    lang = request.POST.get("language", "")
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/"
    response = redirect(nxt)
    if lang in dict(settings.LANGUAGES):
        translation.activate(lang)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        if request.user.is_authenticated:
            services.user_update_profile(
                user=request.user,  # type: ignore[arg-type]
                display_name=request.user.display_name,  # type: ignore[union-attr]
                language=lang,
            )
    return response


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    roles = roles_of(request.user, tenant)
    return render(
        request,
        "core/staff/home.html",
        {"staff_links": modules.nav_links(tenant, staff=True, roles=roles)},
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # the point is to report, not to crash
        checks["database"] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Page introuvable"), exception)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Accès refusé"), exception)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Requête incorrecte"), exception)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Erreur du serveur"), None)


def _error(request: HttpRequest, status: int, title: str, exc: Exception | None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"message": title}, status=status)
    message = str(exc) if exc is not None and exc.args and isinstance(exc.args[0], str) else ""
    # Django's own 404 messages are technical ("No X matches the given query"): hide them.
    if message.startswith(("No ", "Resolver404")) or "{" in message:
        message = ""
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )
