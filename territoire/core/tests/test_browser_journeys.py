"""User journeys in a real browser: a resident's account, a staff log-in with TOTP."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from territoire.core.tests.browser import label, totp_code

pytestmark = pytest.mark.browser

VALMONT = "valmont-sur-mer"


def _last_link(demo_server: Any, needle: str, after: int) -> str:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        mails = demo_server.mails()[after:]
        for body in reversed(mails):
            m = re.search(r"(https?://\S*" + re.escape(needle) + r"\S*)", body)
            if m:
                return m.group(1).replace("http://testserver", demo_server.url)
        time.sleep(0.3)
    raise AssertionError(f"no e-mail with a {needle} link")


def test_resident_account_end_to_end(demo_server: Any, page: Any) -> None:
    base = demo_server.url
    email = f"nouvel.habitant.{int(time.time() * 1000)}@example.org"
    password = "Marée-Basse-2026!"
    before = len(demo_server.mails())
    # Sign up from the commune's page: the commune is preselected.
    page.goto(f"{base}/{VALMONT}/")
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label(label("Courriel")).fill(email)
    page.get_by_label(label("Mot de passe")).fill(password)
    page.get_by_label(label("Mot de passe (confirmation)")).fill(password)
    assert page.get_by_label(label("Votre commune")).input_value() != ""
    page.get_by_role("button", name="Création de compte").click()
    assert "confirm" in page.url or "Vérifiez" in page.content()
    # Confirm the address from the e-mail.
    page.goto(_last_link(demo_server, "confirm-email", before))
    page.get_by_role("button", name="Confirmer").click()
    # Log in; the resident lands on their commune's home with its identity and colours.
    page.goto(f"{base}/compte/login/")
    page.get_by_label(label("Courriel")).fill(email)
    page.get_by_label(label("Mot de passe")).fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{base}/{VALMONT}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Valmont-sur-Mer"
    brand = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert brand == "rgb(11, 90, 122)"  # #0b5a7a, Valmont's colour
    assert page.locator("header img").evaluate("img => img.naturalWidth") > 0  # the logo
    # Switch to English without JavaScript involvement (a plain form).
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    # Log out.
    page.get_by_role("button", name="Se déconnecter").click()
    assert page.get_by_role("link", name="Se connecter").count() == 1
    # Forgotten password.
    before = len(demo_server.mails())
    page.goto(f"{base}/compte/password/reset/")
    page.get_by_label(label("Courriel")).fill(email)
    page.get_by_role("button", name=re.compile("Réinitialiser")).click()
    page.goto(_last_link(demo_server, "password/reset/key", before))
    new_password = "Phare-Vert-2027!"
    page.get_by_label(label("Nouveau mot de passe")).fill(new_password)
    page.get_by_label(label("Nouveau mot de passe (confirmation)")).fill(new_password)
    page.get_by_role("button", name=re.compile("Modifier")).click()
    page.goto(f"{base}/compte/login/")
    page.get_by_label(label("Courriel")).fill(email)
    page.get_by_label(label("Mot de passe")).fill(new_password)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{base}/{VALMONT}/")


def test_staff_login_with_totp(demo_server: Any, page: Any) -> None:
    agent = demo_server.logins[f"{VALMONT}:agent"]
    base = demo_server.url
    page.goto(f"{base}/compte/login/")
    page.get_by_label(label("Courriel")).fill(agent["email"])
    page.get_by_label(label("Mot de passe")).fill(agent["password"])
    page.get_by_role("button", name="Connexion").click()
    # Second factor: a wrong code is refused with a message, the right one lets in.
    page.get_by_label(label("Code")).fill("000000")
    page.get_by_role("button", name="Connexion").click()
    assert "Code incorrect" in page.content()
    page.get_by_label(label("Code")).fill(totp_code(agent["totp"]))
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{base}/{VALMONT}/gestion/")
    assert "Gestion" in page.get_by_role("heading", level=1).inner_text()
