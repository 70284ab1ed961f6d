"""Background tasks of core (Django's tasks API: inline by default, RQ on Redis in production)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.tasks import task
from django.utils import translation

from territoire.core.models import Notification


@task()
def send_notification_email(notification_id: int) -> bool:
    n = Notification.objects.select_related("user", "tenant").filter(pk=notification_id).first()
    if n is None or not n.user.is_active:
        return False
    with translation.override(n.user.language):
        body = n.body + (f"\n\n{n.url}" if n.url else "")
        send_mail(f"[{n.tenant.name}] {n.subject}", body, None, [n.user.email])
    return True


@task()
def ping(value: int) -> int:
    """A trivial task used by ``territoire worker --check`` and the Redis test."""
    return value * 2
