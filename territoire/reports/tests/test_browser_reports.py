"""Reports end to end in a real browser, on the demo territory.

An anonymous resident reports a pothole with a photo, confirms it through the e-mailed
link, and it appears on the public map. The demo resident, logged in, files the same
problem again (a duplicate, which makes them its follower). An agent (TOTP) merges the
duplicate into the first report, assigns it to the roads team and closes it as fixed;
the resident, now following the kept report, is notified. The map page and the report
page are checked with axe-core and EcoIndex.
"""

from __future__ import annotations

import io
import re
import time
from typing import Any

import pytest
from PIL import Image

from territoire.core.tests.browser import audit_page, log_in

pytestmark = pytest.mark.browser

VALMONT = "valmont-sur-mer"
LON, LAT = "-1.142300", "46.147700"  # in the Centre quartier


def label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(text)}(\s*\(facultatif\))?\W*$")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 95)).save(out, format="JPEG")
    return out.getvalue()


def fill_place(page: Any, base: str, address: str) -> None:
    page.goto(f"{base}/{VALMONT}/signalements/nouveau/")
    page.get_by_label(label("Catégorie")).select_option(label="Voirie")
    page.get_by_label(label("Adresse ou description du lieu")).fill(address)
    page.get_by_label(label("Longitude")).fill(LON)
    page.get_by_label(label("Latitude")).fill(LAT)
    page.get_by_role("button", name="Continuer").click()


def test_anonymous_report_confirm_map_merge_assign_close_notify(
    demo_server: Any, browser: Any
) -> None:
    base = demo_server.url
    stamp = int(time.time())
    text = f"Nid-de-poule profond devant la pharmacie ({stamp})"

    # 1. Anonymous report with a photo.
    anon = browser.new_context(locale="fr-FR").new_page()
    fill_place(anon, base, "12 rue de la République")
    anon.get_by_label(label("Description du problème")).fill(text)
    anon.get_by_label(label("Photo 1")).set_input_files(
        {"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    anon.get_by_label(label("Votre adresse électronique")).fill(f"passant{stamp}@example.org")
    anon.get_by_role("button", name="Envoyer le signalement").click()
    assert anon.get_by_role("heading", level=1).inner_text() == "Confirmez votre signalement"

    # 2. The e-mailed link publishes it.
    links = []
    for _ in range(50):
        links = [
            m for m in re.findall(r"https?://\S+/confirmer/\S+/", "\n".join(demo_server.mails()))
        ]
        if links:
            break
        time.sleep(0.2)
    assert links, "no confirmation e-mail"
    anon.goto(links[-1])
    anon.get_by_role("button", name="Confirmer et publier").click()
    heading = anon.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Voirie — n°")
    kept = int(heading.rsplit(" ", 1)[-1])
    assert text in anon.content()
    assert anon.locator("img[src*='/photos/']").count() == 1

    # 3. It appears on the public map (Leaflet marker) and in the table beside it.
    anon.goto(f"{base}/{VALMONT}/signalements/?categorie=voirie")
    assert anon.locator(f"a[href='/{VALMONT}/signalements/{kept}/']").count() == 1
    anon.wait_for_selector(".leaflet-marker-icon")
    geojson = anon.locator("#reports-geojson").inner_text()
    assert f"/{VALMONT}/signalements/{kept}/" in geojson
    audit = audit_page(anon, anon.url)
    assert audit.violations == [], audit.violation_summary()
    assert audit.grade == "A", (audit.ecoindex, audit.dom_nodes, audit.requests, audit.size_kb)

    # 4. The demo resident files the same problem: offered to follow it, files anyway.
    resident = browser.new_context(locale="fr-FR").new_page()
    log_in(resident, base, demo_server.logins[f"{VALMONT}:resident"])
    fill_place(resident, base, "Devant la pharmacie, rue de la République")
    assert f"Suivre le n° {kept} plutôt" in resident.content()
    resident.get_by_label(label("Description du problème")).fill("Gros trou dans la rue")
    resident.get_by_role("button", name="Envoyer le signalement").click()
    dup_heading = resident.get_by_role("heading", level=1).inner_text()
    duplicate = int(dup_heading.rsplit(" ", 1)[-1])
    assert duplicate != kept

    # 5. The agent merges the duplicate, assigns the kept report and closes it.
    agent = browser.new_context(locale="fr-FR").new_page()
    log_in(agent, base, demo_server.logins[f"{VALMONT}:agent"])
    staff = f"{base}/{VALMONT}/gestion/signalements"
    agent.goto(f"{staff}/?etat=open&q=pharmacie")
    assert agent.locator(f"a[href='/{VALMONT}/gestion/signalements/{duplicate}/']").count() == 1
    agent.goto(f"{staff}/{duplicate}/")
    agent.get_by_text("Fusionner (doublon)").click()
    agent.get_by_label(label("Numéro du signalement à garder")).fill(str(kept))
    agent.get_by_role("button", name="Fusionner dans ce signalement").click()
    assert "Doublon" in agent.content()
    agent.goto(f"{staff}/{kept}/")
    agent.get_by_text("Confier à une équipe").click()
    agent.get_by_label(label("Équipe")).select_option(label="Voirie")
    agent.get_by_role("button", name="Confier", exact=True).click()
    assert "Confié à une équipe" in agent.content()
    agent.get_by_text("Clore", exact=True).click()
    agent.get_by_label(label("Issue")).select_option("fixed")
    agent.get_by_label(label("Explication publique")).fill("Trou rebouché ce matin.")
    agent.get_by_role("button", name="Clore le signalement").click()
    assert "Résolu" in agent.content()
    # The back-office pages used here are accessible too.
    for path in (f"{staff}/{kept}/", f"{staff}/?etat=open", f"{staff}/statistiques/"):
        audit = audit_page(agent, path)
        assert audit.violations == [], f"{path}: {audit.violation_summary()}"

    # 6. The resident, now following the kept report, is notified; the page shows it.
    resident.goto(f"{base}/compte/notifications/")
    assert f"Signalement n° {kept} : Résolu" in resident.content()
    resident.goto(f"{base}/{VALMONT}/signalements/{kept}/")
    assert "Trou rebouché ce matin." in resident.content()
    assert "Ne plus suivre" in resident.content()
    audit = audit_page(resident, resident.url)
    assert audit.violations == [], audit.violation_summary()
    assert audit.grade == "A", (audit.ecoindex, audit.dom_nodes, audit.requests, audit.size_kb)


def test_reports_public_pages_accessible_and_light(demo_server: Any, page: Any) -> None:
    """Every page ``public_pages`` registers (list + map, form, report, stats), per tenant.

    core's test_browser_public_pages checks them too, with every other module's; this one
    runs alone with ``pytest -m browser territoire/reports``.
    """
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json,django;django.setup();"
        "from territoire.core.models import LocalAuthority;"
        "from territoire.reports.apps import public_pages;"
        "print(json.dumps([p for t in LocalAuthority.objects.filter(slug__in="
        "['valmont-sur-mer','saint-aubin-des-vallons']) for p in public_pages(t)]))"
    )
    env = {
        **os.environ,
        "TERRITOIRE_VAR_DIR": str(demo_server.var_dir),
        "DATABASE_URL": f"sqlite:///{demo_server.var_dir}/browser.sqlite3",
        "DJANGO_SETTINGS_MODULE": "territoire.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
        timeout=120,
    )  # fmt: skip
    paths = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(paths) >= 8
    failures = []
    for path in paths:
        audit = audit_page(page, demo_server.url + path)
        print(f"{path} ecoindex={audit.ecoindex:.0f} {audit.grade} dom={audit.dom_nodes} "
              f"req={audit.requests} size={audit.size_kb}KB axe={len(audit.violations)}")  # fmt: skip
        if audit.violations:
            failures.append(f"{path}: axe: {audit.violation_summary()}")
        if audit.grade != "A":
            failures.append(f"{path}: EcoIndex {audit.grade} ({audit.ecoindex:.0f})")
    assert failures == [], "\n".join(failures)
