"""allauth adapter: sign-up of residents, e-mails in the person's language."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("site:after_login")

    def format_email_subject(self, subject: str) -> str:
        from django.conf import settings

        return f"[{settings.TERRITOIRE_INSTANCE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        from django.utils import translation

        user = context.get("user")
        lang = getattr(user, "language", None) or translation.get_language()
        with translation.override(lang):
            super().send_mail(template_prefix, email, context)
