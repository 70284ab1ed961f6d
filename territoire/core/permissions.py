"""Who may open a page: role checks for tenant pages, shared by every module."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from territoire.core.models.people import STAFF_ROLES, roles_of
from territoire.core.selectors import has_totp

View = Callable[..., HttpResponse]


def role_required(roles: Iterable[str] = STAFF_ROLES) -> Callable[[View], View]:
    """Allow the view to people holding one of ``roles`` in ``request.tenant``.

    Staff roles also need an enrolled TOTP factor (mandatory MFA); anonymous people
    go to the log-in page, others get a 403 page in their language.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            held = roles_of(request.user, request.tenant)  # type: ignore[attr-defined]
            if not (held & allowed):
                raise PermissionDenied(_("Vous n'avez pas accès à cette page."))
            if held & STAFF_ROLES and not has_totp(request.user):
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(STAFF_ROLES)
admin_required = role_required({"admin"})
