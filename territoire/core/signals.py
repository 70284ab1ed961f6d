"""Reactions to allauth's account events: resident roles and audit of staff log-ins."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from territoire.core.audit import audit_record
from territoire.core.models import Membership
from territoire.core.models.people import STAFF_ROLES


@receiver(user_signed_up)
def remember_language(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    lang = getattr(request, "LANGUAGE_CODE", None)
    if lang and lang != user.language:
        user.language = lang
        user.save(update_fields=["language"])


@receiver(user_logged_in)
def audit_staff_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    staff = Membership.objects.active().filter(user=user, role__in=STAFF_ROLES)
    for tenant in {m.tenant for m in staff.select_related("tenant")}:
        audit_record(actor=user, action="staff.login", tenant=tenant)
