"""Request plumbing: request id, language, tenant resolution, mandatory staff MFA."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from territoire.core import requestcontext
from territoire.core.selectors import tenant_by_slug, user_needs_mfa_enrolment

Response = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Gives each request an id (kept from X-Request-ID when sane) for logs and audit."""

    def __init__(self, get_response: Response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if 8 <= len(incoming) <= 64 and incoming.isalnum() else uuid.uuid4().hex
        t1 = requestcontext.request_id.set(rid)
        ip = request.META.get("REMOTE_ADDR")
        if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
            forwarded = request.headers.get("X-Forwarded-For", "")
            ip = forwarded.split(",")[0].strip() or ip
        t2 = requestcontext.client_ip.set(ip)
        try:
            response = self.get_response(request)
        finally:
            requestcontext.request_id.reset(t1)
            requestcontext.client_ip.reset(t2)
        response["X-Request-ID"] = rid
        return response


class NulCharacterMiddleware:
    """Refuses a URL whose path or parameters hold a NUL character, with a 400.

    No page or API takes one, PostgreSQL cannot store or even compare one, and letting it
    through would turn a typo or a fuzzer's probe into a server error.
    """

    def __init__(self, get_response: Response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = request.GET.lists()
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in params
        ):
            message = _("L'adresse contient un caractère nul, qui n'est accepté nulle part.")
            if request.path.startswith("/api/"):
                return JsonResponse({"message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class LanguageMiddleware:
    """French unless the person chose otherwise (account setting, then cookie).

    Browser Accept-Language is honoured only on the API, where clients ask for a
    language explicitly; public pages stay French by default, as PRODUCT.md requires.
    """

    def __init__(self, get_response: Response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supported = {code for code, _name in settings.LANGUAGES}
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path.startswith("/api/") or request.path.startswith("/open311/"):
            lang = lang or translation.get_language_from_request(request, check_path=False)
        if lang not in supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


class TenantMiddleware:
    """Finds the collectivité of the request from the ``<tenant>`` path segment.

    URL patterns of tenant pages start with ``<slug:tenant>/``; the slug is replaced by
    ``request.tenant`` (a LocalAuthority) before the view runs, so views never look a
    tenant up themselves and an unknown or inactive slug is a 404 for every page.
    ``request.host_tenant`` is the tenant bound to the host name, if any (used by "/").
    """

    def __init__(self, get_response: Response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        host = request.get_host().split(":")[0].lower() if request.META.get("HTTP_HOST") else ""
        slug = settings.TERRITOIRE_HOSTS.get(host)
        request.host_tenant = tenant_by_slug(slug) if slug else None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        slug = kwargs.pop("tenant", None)
        if slug is None:
            return None
        tenant = tenant_by_slug(slug)
        if tenant is None:
            raise Http404(_("Cette collectivité n'existe pas sur cette plateforme."))
        request.tenant = tenant  # type: ignore[attr-defined]
        return None


class StaffMfaMiddleware:
    """Staff (agent, elected, DPO, administrator) must enrol a TOTP second factor.

    Until they have, every page except account and MFA pages redirects to enrolment.
    Once a person has an authenticator, allauth asks for the code at each log-in.
    """

    ALLOWED_PREFIXES = ("/compte/", "/static/", "/i18n/", "/healthz", "/media/")

    def __init__(self, get_response: Response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not request.path.startswith("/api/")
            and not request.session.get("mfa_enrolled")
        ):
            if user_needs_mfa_enrolment(user):
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
            request.session["mfa_enrolled"] = True
        return self.get_response(request)
