"""Participation offered to the open-data portal (core/datasources.py port).

Two sources: the published results of the participatory budgets (one row per project)
and the turnout (participants per budget and quartier, and per consultation). Counts of
people are flagged ``counts_people`` so that the portal's gate suppresses those under
its threshold; no voter, ballot or answer ever leaves the module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from territoire.core.datasources import Column, DataSource, register_source
from territoire.core.models import LocalAuthority


def budget_results(tenant: LocalAuthority) -> Iterator[dict[str, Any]]:
    from territoire.participation.models import Project, ResultRun

    runs: dict[int, ResultRun] = {}
    published = (
        ResultRun.objects.for_tenant(tenant)
        .filter(published=True)
        .select_related("process", "budget__district")
        .order_by("computed_at", "pk")
    )
    for run in published:
        runs[run.budget_id] = run  # the latest published run of each envelope
    projects = {
        p.pk: p for p in Project.objects.for_tenant(tenant).filter(budget_id__in=list(runs))
    }
    for run in runs.values():
        district = run.budget.district.name if run.budget.district else "Toute la commune"
        for pid, result in run.outcome.get("projects", {}).items():
            project = projects.get(int(pid))
            if project is None:
                continue
            yield {
                "budget_participatif": run.process.title,
                "enveloppe": district,
                "projet": project.title,
                "theme": project.category,
                "cout_euros": float(project.cost),
                "votes": result.get("votes", 0),
                "retenu": bool(result.get("selected")),
                "regle": run.rule,
                "avancement_pourcent": project.progress,
                "longitude": project.lon,
                "latitude": project.lat,
            }


def turnout(tenant: LocalAuthority) -> Iterator[dict[str, Any]]:
    from territoire.participation.models import Ballot, Consultation, Process, VoterRecord

    for process in Process.objects.for_tenant(tenant).order_by("pk"):
        voted = Ballot.objects.filter(process=process).values("voter_id")
        voters = VoterRecord.objects.for_tenant(tenant).filter(process=process, pk__in=voted)
        counts = Counter(voters.values_list("district__name", flat=True))
        for district, n in sorted(counts.items(), key=lambda kv: kv[0] or ""):
            yield {
                "demarche": "Budget participatif",
                "titre": process.title,
                "quartier": district or "Non renseigné",
                "participants": n,
            }
    for consultation in Consultation.objects.for_tenant(tenant).order_by("pk"):
        yield {
            "demarche": "Consultation",
            "titre": consultation.title,
            "quartier": "Toute la commune",
            "participants": consultation.responses.count(),
        }


def register() -> None:
    register_source(
        DataSource(
            code="participation.budget_results",
            module="participation",
            title="Résultats des budgets participatifs",
            description=(
                "Pour chaque projet soumis au vote d'un budget participatif : enveloppe "
                "(commune ou quartier), coût, nombre de voix, projet retenu ou non selon la "
                "règle de décompte publiée, avancement de la réalisation."
            ),
            columns=(
                Column(name="budget_participatif", title="Budget participatif"),
                Column(name="enveloppe", title="Enveloppe"),
                Column(name="projet", title="Projet"),
                Column(name="theme", title="Thème"),
                Column(name="cout_euros", title="Coût (€)", type="number"),
                Column(name="votes", title="Voix", type="integer", counts_people=True),
                Column(name="retenu", title="Retenu", type="boolean"),
                Column(name="regle", title="Règle de décompte"),
                Column(name="avancement_pourcent", title="Avancement (%)", type="integer"),
                Column(name="longitude", title="Longitude", type="number"),
                Column(name="latitude", title="Latitude", type="number"),
            ),
            rows=budget_results,
            keywords=("budget participatif", "démocratie participative", "vote"),
            themes=("GOVE", "REGI"),
            frequency="weekly",
            lon_column="longitude",
            lat_column="latitude",
        )
    )
    register_source(
        DataSource(
            code="participation.turnout",
            module="participation",
            title="Participation aux budgets participatifs et consultations",
            description=(
                "Nombre de participants par budget participatif et par quartier, et par "
                "consultation. Les effectifs de moins de 11 personnes sont masqués."
            ),
            columns=(
                Column(name="demarche", title="Démarche"),
                Column(name="titre", title="Titre"),
                # Aggregates, not one row per person: small counts are the risk, and the
                # gate suppresses them; the quartier is not a quasi-identifier here.
                Column(name="quartier", title="Quartier"),
                Column(
                    name="participants", title="Participants", type="integer", counts_people=True
                ),
            ),
            rows=turnout,
            keywords=("participation citoyenne", "consultation", "budget participatif"),
            themes=("GOVE", "SOCI"),
            frequency="weekly",
        )
    )
