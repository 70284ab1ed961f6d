"""The issue's "done means", in a real browser, without relying on any JavaScript.

A resident fills the school registration for two children with a document and submits;
the caseworker asks for a correction; the resident corrects and resubmits; the
caseworker accepts; the resident downloads the attestation; the statistics page shows
the processing time. The resident pages are audited with axe-core and EcoIndex.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from territoire.core.tests.browser import audit_page, label, log_in

pytestmark = pytest.mark.browser

VALMONT = "valmont-sur-mer"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def assert_clean(page: Any, url: str) -> None:
    audit = audit_page(page, url)
    assert audit.violations == [], audit.violation_summary()
    assert audit.grade == "A", (audit.ecoindex, audit.dom_nodes, audit.requests, audit.size_kb)


def see(page: Any, text: str) -> None:
    """Wait until ``text`` shows on the page (after a click, the next page may still load)."""
    page.get_by_text(text).first.wait_for()


def fill_child(page: Any, index: int, first_name: str, level: str) -> None:
    prefix = f"#f-enfants-{index}"
    page.fill(f"{prefix}-prenom", first_name)
    page.fill(f"{prefix}-nom", "Martin")
    page.fill(f"{prefix}-naissance", "2019-05-04")
    page.select_option(f"{prefix}-niveau", level)
    page.get_by_role("group", name=f"Enfant {index + 1}").get_by_label(
        "École élémentaire Jean-Bart"
    ).check()
    page.check(f"{prefix}-cantine")  # "Oui"


def test_school_registration_end_to_end(demo_server: Any, browser: Any, tmp_path: Path) -> None:
    base = demo_server.url
    resident = browser.new_context(locale="fr-FR").new_page()
    agent = browser.new_context(locale="fr-FR").new_page()
    for p in (resident, agent):
        p.set_default_timeout(20000)
    log_in(resident, base, demo_server.logins[f"{VALMONT}:resident"])
    log_in(agent, base, demo_server.logins[f"{VALMONT}:agent"])

    # 1. The resident finds the procedure and starts it.
    resident.goto(f"{base}/{VALMONT}/demarches/")
    resident.get_by_label("Rechercher une démarche").fill("inscription")
    resident.get_by_role("button", name="Chercher").click()
    resident.get_by_role("link", name="Inscription scolaire").click()
    see(resident, "Un justificatif de domicile")
    resident.get_by_role("button", name="Commencer la démarche").click()
    fill_url = resident.url
    assert_clean(resident, fill_url)

    # 2. First part of the form; the quartier reveals the schools once saved.
    resident.fill("#f-nom_responsable", "Camille Martin")
    resident.get_by_label("Mère").check()
    resident.fill("#f-telephone", "06 12 34 56 78")
    resident.fill("#f-adresse", "12 rue du Port, 99101 Valmont-sur-Mer")
    resident.get_by_role("group", name=re.compile("Quartier de résidence")).get_by_label(
        "Port", exact=True
    ).check()
    document = tmp_path / "justificatif-domicile.pdf"
    document.write_bytes(PDF)
    resident.set_input_files("#f-justificatif_domicile", str(document))
    resident.get_by_role("button", name="Ajouter : Enfant").click()
    resident.locator("#f-enfants-1-prenom").wait_for()  # a second block, no JS
    assert "Fichier joint : justificatif-domicile.pdf" in resident.content()

    # 3. Both children, then submit.
    fill_child(resident, 0, "Léa", "CP")
    fill_child(resident, 1, "Hugo", "CE2")
    resident.get_by_role("group", name=re.compile("dérogation")).get_by_label("Non").check()
    resident.check("#f-certification")
    resident.get_by_role("button", name="Déposer le dossier").click()
    see(resident, "Un accusé de réception vous est envoyé.")
    dossier_url = resident.url.split("#")[0]
    reference = re.search(r"/dossiers/([0-9A-Z-]+)/", dossier_url).group(1)  # type: ignore[union-attr]
    assert "Léa" in resident.content() and "Hugo" in resident.content()
    assert_clean(resident, dossier_url)

    # 4. The caseworker asks for a correction.
    staff_url = f"{base}/{VALMONT}/gestion/demarches/dossiers/{reference}/"
    agent.goto(f"{base}/{VALMONT}/gestion/demarches/?q={reference}")
    agent.get_by_role("link", name=reference).click()
    assert agent.url.split("#")[0] == staff_url
    agent.get_by_label(label("Nouvel état")).select_option("corrections")
    agent.get_by_label(re.compile("^Motif ou motivation")).fill(
        "Le numéro de téléphone est incomplet : merci de le vérifier."
    )
    agent.get_by_role("button", name="Valider").click()
    see(agent, f"Dossier {reference} : À corriger.")
    for url in (staff_url, f"{base}/{VALMONT}/gestion/demarches/"):
        staff_audit = audit_page(agent, url)
        assert staff_audit.violations == [], staff_audit.violation_summary()

    # 5. The resident corrects and resubmits.
    resident.goto(dossier_url)
    assert "Le numéro de téléphone est incomplet" in resident.content()
    resident.get_by_role("link", name="Corriger le dossier").click()
    resident.fill("#f-telephone", "06 98 76 54 32")
    resident.get_by_role("button", name="Déposer le dossier corrigé").click()
    see(resident, "Un accusé de réception vous est envoyé.")

    # 6. The caseworker accepts, with a motivation.
    agent.goto(staff_url)
    assert "06 98 76 54 32" in agent.content()
    agent.get_by_label(label("Nouvel état")).select_option("accepted")
    agent.get_by_label(re.compile("^Motif ou motivation")).fill("Inscription à l'école Jean-Bart.")
    agent.get_by_role("button", name="Valider").click()
    see(agent, f"Dossier {reference} : Accepté.")

    # 7. The resident downloads the attestation.
    resident.goto(dossier_url)
    with resident.expect_download() as info:
        resident.get_by_role("link", name="Télécharger la décision (PDF)").click()
    pdf = Path(info.value.path()).read_bytes()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 2000

    # 8. The statistics page shows the processing time.
    stats_url = f"{base}/{VALMONT}/demarches/inscription-scolaire/statistiques/"
    resident.goto(stats_url)
    p90 = resident.locator("#delai-90 strong").inner_text()
    assert re.match(r"^\d+(,\d)? jours$", p90), p90
    assert resident.locator("svg.chart rect").count() == 26
