"""Resident accounts end to end (server side), staff MFA, lockout, language."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from territoire.core.models import Membership, User
from territoire.core.tests.factories import PASSWORD, member

STRONG = "Maree-Haute-2026!"


def _link(body: str) -> str:
    match = re.search(r"https?://testserver(/\S+)", body)
    assert match, body
    return match.group(1)


@pytest.mark.django_db
def test_resident_signup_confirm_login_logout_reset(tenant) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(
        f"/compte/signup/?commune={tenant.slug}",
        {
            "email": "Camille@Example.org",
            "password1": STRONG,
            "password2": STRONG,
            "commune": tenant.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="camille@example.org")
    assert Membership.objects.filter(user=user, tenant=tenant, role="resident").exists()
    # Not confirmed yet: logging in sends back to the confirmation page.
    assert len(mail.outbox) == 1
    confirm_path = _link(mail.outbox[0].body)
    client.post("/compte/logout/")
    response = client.post("/compte/login/", {"login": "camille@example.org", "password": STRONG})
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    # Confirm (GET shows a button, POST confirms), then log in.
    assert client.get(confirm_path).status_code == 200
    client.post(confirm_path)
    response = client.post("/compte/login/", {"login": "camille@example.org", "password": STRONG})
    assert response.status_code == 302
    home = client.get(response["Location"], follow=True)
    assert home.wsgi_request.path == f"/{tenant.slug}/"
    assert tenant.name in home.content.decode()
    client.post("/compte/logout/")
    assert "_auth_user_id" not in client.session
    # Forgotten password.
    mail.outbox.clear()
    client.post("/compte/password/reset/", {"email": "camille@example.org"})
    reset_path = _link(mail.outbox[0].body)
    form = client.get(reset_path, follow=True)
    new = "Phare-Rouge-2027!"
    response = client.post(form.wsgi_request.path, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(new)


@pytest.mark.django_db
def test_signup_refuses_weak_password_and_keeps_input(tenant) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(
        "/compte/signup/",
        {
            "email": "a@example.org",
            "password1": "court",
            "password2": "court",
            "commune": tenant.pk,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "12 caractères" in html
    assert 'value="a@example.org"' in html
    assert not User.objects.filter(email="a@example.org").exists()


@pytest.mark.django_db
def test_expired_or_forged_confirmation_link_is_a_clear_message() -> None:
    response = Client().get("/compte/confirm-email/forged-key/")
    assert response.status_code in (200, 404)
    assert "expiré" in response.content.decode() or "invalide" in response.content.decode()


@pytest.mark.django_db
def test_staff_without_totp_is_sent_to_enrolment(tenant) -> None:  # type: ignore[no-untyped-def]
    from territoire.core.tests.factories import UserFactory

    user = UserFactory()
    Membership.objects.create(tenant=tenant, user=user, role="agent")
    client = Client()
    login = client.post("/compte/login/", {"login": user.email, "password": PASSWORD})
    assert login.status_code == 302
    response = client.get(f"/{tenant.slug}/")
    assert response.status_code == 302 and response["Location"] == "/compte/2fa/totp/activate/"
    # Changing second factors asks for the password again (fresh proof), then shows the QR.
    page = client.get("/compte/2fa/totp/activate/")
    assert page.status_code == 302 and page["Location"].startswith("/compte/reauthenticate/")
    client.post(page["Location"], {"password": PASSWORD})
    page = client.get("/compte/2fa/totp/activate/")
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content  # the QR code
    assert client.get(f"/{tenant.slug}/gestion/").status_code == 302


@pytest.mark.django_db
def test_staff_login_requires_totp_code(tenant) -> None:  # type: ignore[no-untyped-def]
    agent = member(tenant, "agent")
    client = Client()
    response = client.post("/compte/login/", {"login": agent.email, "password": PASSWORD})
    assert response["Location"] == "/compte/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    bad = client.post("/compte/2fa/authenticate/", {"code": "000000"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    code = pyotp.TOTP(agent.totp_secret).now()
    ok = client.post("/compte/2fa/authenticate/", {"code": code})
    assert ok.status_code == 302
    assert client.get(f"/{tenant.slug}/gestion/").status_code == 200


@pytest.mark.django_db
def test_lockout_after_repeated_failures(tenant) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    resident = member(tenant, "resident")
    client = Client()
    for _ in range(5):
        client.post("/compte/login/", {"login": resident.email, "password": "wrong-password"})
    response = client.post("/compte/login/", {"login": resident.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Trop" in response.content.decode() or "tentatives" in response.content.decode()
    cache.clear()


@pytest.mark.django_db
def test_language_switch_without_javascript(tenant) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.get(f"/{tenant.slug}/").content.decode().count('lang="fr"') >= 1
    response = client.post("/i18n/langue/", {"language": "en", "next": f"/{tenant.slug}/"})
    assert response.status_code == 302 and response["Location"] == f"/{tenant.slug}/"
    page = client.get(f"/{tenant.slug}/").content.decode()
    assert '<html lang="en">' in page and "Skip to content" in page
    # An open redirect is refused.
    evil = client.post("/i18n/langue/", {"language": "fr", "next": "https://evil.example/"})
    assert evil["Location"] == "/"
