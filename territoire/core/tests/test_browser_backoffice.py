"""The administrators' back-office in a real browser: log-in with TOTP, every page
axe-clean (WCAG 2.1 AA), a quartier drawn from pasted GeoJSON, a key shown once."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from territoire.core.tests.browser import audit_page, totp_code

pytestmark = pytest.mark.browser

VALMONT = "valmont-sur-mer"
PAGES = [
    "",
    "personnes/",
    "personnes/inviter/",
    "services/",
    "quartiers/",
    "quartiers/nouveau/",
    "theme/",
    "cles-api/",
    "cles-api/nouvelle/",
    "journal/",
]


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(text)}\W*")


def test_admin_back_office_in_browser(demo_server: Any, page: Any) -> None:
    admin = demo_server.logins[f"{VALMONT}:admin"]
    base = demo_server.url
    page.goto(f"{base}/compte/login/")
    page.get_by_label(label("Courriel")).fill(admin["email"])
    page.get_by_label(label("Mot de passe")).fill(admin["password"])
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label(label("Code")).fill(totp_code(admin["totp"]))
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{base}/{VALMONT}/gestion/")
    assert page.get_by_role("link", name="Agents et rôles").count() == 1

    root = f"{base}/{VALMONT}/gestion/administration/"
    failures = []
    for path in [*PAGES, "/compte/notifications/"]:
        url = base + path if path.startswith("/") else root + path
        audit = audit_page(page, url)
        if audit.violations:
            failures.append(f"{path}: {audit.violation_summary()}")
    assert failures == [], "\n".join(failures)

    # A quartier from pasted GeoJSON, without relying on the map.
    page.goto(root + "quartiers/nouveau/")
    page.get_by_label(label("Nom du quartier")).fill("Les Salines")
    page.get_by_label(label("Contour (GeoJSON)")).fill(
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [[[-1.2, 46.1], [-1.19, 46.1], [-1.19, 46.11], [-1.2, 46.1]]],
            }
        )
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(root + "quartiers/")
    assert page.get_by_role("link", name="Les Salines").count() == 1

    # A key, shown once on the result page.
    page.goto(root + "cles-api/nouvelle/")
    page.get_by_label(label("Nom de la clé")).fill("Essai navigateur")
    page.get_by_role("checkbox", name=re.compile(r"read\b")).first.check()
    page.get_by_role("button", name="Créer la clé").click()
    secret = page.get_by_label("Clé d'API").input_value()
    assert secret.startswith("trt_")
    page.goto(root + "cles-api/")
    assert secret not in page.content()
