"""Everyone's notifications page (/compte/notifications/), across collectivités."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoire.core.backoffice import selectors
from territoire.core.backoffice.services import notifications_mark_read


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    qs = selectors.user_notifications(request.user)  # type: ignore[arg-type]
    unread_only = request.GET.get("non-lues") == "1"
    if unread_only:
        qs = qs.filter(read__isnull=True)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    unread = selectors.user_notifications(request.user).filter(read__isnull=True).count()  # type: ignore[arg-type]
    for n in page.object_list:
        # Only links inside the platform are followed from here.
        safe = url_has_allowed_host_and_scheme(n.url, {request.get_host()})
        n.safe_url = n.url if safe else ""  # type: ignore[attr-defined]
    return render(
        request,
        "core/notifications.html",
        {
            "page": page,
            "unread": unread,
            "unread_only": unread_only,
            "query": "non-lues=1" if unread_only else "",
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all") == "1":
        count = notifications_mark_read(user=request.user)  # type: ignore[arg-type]
    else:
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()][:100]
        count = notifications_mark_read(user=request.user, ids=ids)  # type: ignore[arg-type]
    messages.success(
        request,
        _("%(n)s notification(s) marquée(s) comme lue(s).") % {"n": count},
    )
    return redirect("site:notifications")
