"""The whole participatory cycle in a real browser, on the demo territory.

A resident proposes an idea; an agent (TOTP) studies it and turns it into a project,
opens the vote; the resident registers and votes (the ballot page is checked with
axe-core and EcoIndex); the agent closes the vote, computes and publishes the results;
the project goes into realisation with a milestone that the public page shows.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from territoire.core.tests.browser import audit_page, label, log_in

pytestmark = pytest.mark.browser

VALMONT = "valmont-sur-mer"
SLUG = "budget-participatif-2027"


def test_idea_answer_vote_results_realisation(demo_server: Any, browser: Any) -> None:
    base = demo_server.url
    public = f"{base}/{VALMONT}/participer/{SLUG}"
    staff = f"{base}/{VALMONT}/gestion/participer/{SLUG}"
    title = f"Une table de ping-pong au square {int(time.time())}"

    resident = browser.new_context(locale="fr-FR").new_page()
    agent = browser.new_context(locale="fr-FR").new_page()
    log_in(resident, base, demo_server.logins[f"{VALMONT}:resident"])
    log_in(agent, base, demo_server.logins[f"{VALMONT}:agent"])

    # 1. The resident proposes an idea and supports it.
    resident.goto(f"{public}/idees/nouvelle/")
    resident.get_by_label(label("Titre de l'idée")).fill(title)
    resident.get_by_label(label("Description")).fill("Une table en béton, près des bancs.")
    resident.get_by_role("button", name="Publier mon idée").click()
    assert resident.get_by_role("heading", level=1).inner_text() == title
    resident.get_by_role("button", name="Soutenir cette idée").click()
    assert "1 soutien" in resident.content()

    # 2. The agent moves to the study, merges the idea into a project, opens the vote.
    agent.goto(f"{staff}/")
    agent.get_by_label(label("Nouvelle phase")).select_option("study")
    agent.get_by_role("button", name="Appliquer").click()
    agent.goto(f"{staff}/idees/?q={title[:20]}")
    agent.get_by_label(f"Choisir {title}").check()
    agent.get_by_label(label("Titre du projet")).fill("Tables de ping-pong")
    agent.get_by_label(label("Description du projet")).fill("Deux tables en béton dans le square.")
    agent.get_by_label(label("Enveloppe")).select_option(label="Toute la commune")
    agent.get_by_label(label("Coût (€)")).fill("6000")
    agent.get_by_label(label("Réponse argumentée aux auteurs (publique)")).fill(
        "Idée réalisable : les services ont chiffré deux tables à 6 000 €, soumises au vote."
    )
    agent.get_by_role("button", name="Créer le projet").click()
    assert "regroupées" in agent.content()
    agent.goto(f"{staff}/")
    agent.get_by_label(label("Nouvelle phase")).select_option("vote")
    agent.get_by_role("button", name="Appliquer").click()

    # The public idea page shows the argued answer.
    resident.reload()
    assert "les services ont chiffré deux tables" in resident.content()

    # 3. The resident registers and votes; the ballot page is accessible and light.
    resident.goto(f"{public}/voter/")
    resident.get_by_label(label("Votre lien avec la commune")).select_option("lives")
    resident.get_by_label(label("Votre quartier")).select_option(label="Port")
    resident.get_by_label(label("Année de naissance")).fill("1984")
    resident.get_by_label(re.compile("Je certifie sur l'honneur")).check()
    resident.get_by_role("button", name="Continuer").click()
    resident.get_by_role("link", name=re.compile("^Voter — Toute la commune")).click()
    audit = audit_page(resident, resident.url)
    assert audit.violations == [], audit.violation_summary()
    assert audit.grade == "A", (audit.ecoindex, audit.dom_nodes, audit.size_kb)
    resident.get_by_label(re.compile("Tables de ping-pong")).check()
    resident.get_by_role("button", name="Enregistrer mon vote").click()
    assert "Récépissé de vote" in resident.content()
    assert "Tables de ping-pong" in resident.content()

    # 4. The agent closes the vote, computes and publishes the results.
    agent.goto(f"{staff}/")
    agent.get_by_label(label("Nouvelle phase")).select_option("results")
    agent.get_by_role("button", name="Appliquer").click()
    agent.get_by_role("button", name="Calculer les résultats").click()
    agent.get_by_role("button", name="Publier les résultats").click()
    assert "Résultats publiés" in agent.content()

    resident.goto(f"{public}/resultats/")
    row = resident.get_by_role("row", name=re.compile("Tables de ping-pong"))
    assert "Retenu" in row.inner_text()
    assert (
        "ses 1 soutiens ont payé sa part" in row.inner_text()
        or "Retenu au tour" in row.inner_text()
    )
    audit = audit_page(resident, resident.url)
    assert audit.violations == [], audit.violation_summary()

    # 5. Realisation: status, progress and a milestone, shown publicly.
    agent.goto(f"{staff}/projets/?q=ping-pong")
    agent.get_by_role("link", name="Tables de ping-pong").click()
    agent.get_by_label(label("Nouveau statut")).select_option("in_progress")
    agent.get_by_role("button", name="Changer le statut").click()
    agent.get_by_label(label("Avancement (%)")).fill("50")
    agent.get_by_role("button", name="Enregistrer").click()
    agent.get_by_label(label("Date")).fill("2027-06-01")
    agent.get_by_label(label("Étape")).fill("Pose des tables")
    agent.get_by_role("button", name="Ajouter l'étape").click()
    resident.get_by_role("link", name="Tables de ping-pong").click()
    assert "Pose des tables" in resident.content()
    assert "En cours de réalisation" in resident.content()
