"""Eligibility, census, ballots (online, paper, assisted) and their refusals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from territoire.core.models import AuditEntry
from territoire.core.tests.factories import UserFactory
from territoire.participation import services
from territoire.participation.models import Ballot, CensusEntry, Phase, VoterRecord
from territoire.participation.tests.factories import (
    make_budgets,
    make_process,
    make_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tenant: Any) -> dict[str, Any]:
    process = make_process(tenant, max_choices=2, min_choices=1)
    town, local, district = make_budgets(process)
    return {
        "process": process,
        "town": town,
        "local": local,
        "district": district,
        "a": make_project(town, "Skatepark", 60),
        "b": make_project(town, "Navette", 30),
        "c": make_project(town, "Bancs", 10),
        "d": make_project(local, "Jeux", 40),
    }


def register(setup: dict[str, Any], user: Any, **kw: Any) -> VoterRecord:
    args = {"district": setup["district"], "relation": "lives", "birth_year": 1980}
    args.update(kw)
    return services.voter_register(user=user, process=setup["process"], **args)


def test_one_ballot_per_envelope_changeable_until_close(
    setup: dict[str, Any], resident: Any
) -> None:
    record = register(setup, resident)
    first = services.ballot_cast(voter=record, budget=setup["town"], project_ids=[setup["a"].pk])
    second = services.ballot_cast(
        voter=record, budget=setup["town"], project_ids=[setup["b"].pk, setup["c"].pk]
    )
    assert first.pk == second.pk and first.receipt == second.receipt
    assert Ballot.objects.filter(voter=record).count() == 1
    assert set(second.projects.values_list("title", flat=True)) == {"Navette", "Bancs"}
    # The quartier envelope is a separate ballot.
    services.ballot_cast(voter=record, budget=setup["local"], project_ids=[setup["d"].pk])
    assert Ballot.objects.filter(voter=record).count() == 2


@pytest.mark.parametrize(
    ("picks", "message"),
    [
        ([], "entre 1 et 2"),
        (["a", "b", "c"], "entre 1 et 2"),
        (["d"], "pas soumis au vote ici"),
    ],
)
def test_approval_limits_and_foreign_projects(
    setup: dict[str, Any], resident: Any, picks: list[str], message: str
) -> None:
    record = register(setup, resident)
    with pytest.raises(ValidationError, match=message):
        services.ballot_cast(
            voter=record, budget=setup["town"], project_ids=[setup[p].pk for p in picks]
        )
    assert not Ballot.objects.exists()


def test_knapsack_total_must_fit(setup: dict[str, Any], resident: Any) -> None:
    process = setup["process"]
    process.ballot_kind = "knapsack"
    process.save()
    record = register(setup, resident)
    extra = make_project(setup["town"], "Fontaine", 5)
    over = [setup["a"].pk, setup["b"].pk, setup["c"].pk, extra.pk]  # 105 € > 100 €
    with pytest.raises(ValidationError, match="dépasse l'enveloppe"):
        services.ballot_cast(voter=record, budget=setup["town"], project_ids=over)
    assert not Ballot.objects.exists()
    ballot = services.ballot_cast(
        voter=record,
        budget=setup["town"],
        project_ids=[setup["a"].pk, setup["b"].pk, setup["c"].pk],
    )
    assert ballot.projects.count() == 3  # exactly the envelope: allowed, and more than max_choices


def test_vote_refused_outside_vote_phase(setup: dict[str, Any], resident: Any) -> None:
    record = register(setup, resident)
    setup["process"].phase = Phase.RESULTS
    setup["process"].save()
    with pytest.raises(ValidationError, match="pas ouvert"):
        services.ballot_cast(voter=record, budget=setup["town"], project_ids=[setup["a"].pk])


def test_other_quartier_envelope_refused(setup: dict[str, Any], resident: Any) -> None:
    record = register(setup, resident, district=None)
    with pytest.raises(ValidationError, match="votre quartier"):
        services.ballot_cast(voter=record, budget=setup["local"], project_ids=[setup["d"].pk])


def test_eligibility_age_and_relation(setup: dict[str, Any], resident: Any) -> None:
    process = setup["process"]
    process.min_age = 16
    process.open_to_workers_students = False
    process.save()
    this_year = date.today().year
    with pytest.raises(ValidationError, match="16 ans"):
        register(setup, resident, birth_year=this_year - 10)
    with pytest.raises(ValidationError, match="réservé aux habitants"):
        register(setup, resident, relation="works")
    assert not VoterRecord.objects.exists()


def test_district_frozen_once_voted(setup: dict[str, Any], resident: Any) -> None:
    record = register(setup, resident)
    services.ballot_cast(voter=record, budget=setup["local"], project_ids=[setup["d"].pk])
    with pytest.raises(ValidationError, match="ne peut plus changer"):
        register(setup, resident, district=None)


CSV = (
    "nom;prenom;date_naissance;quartier\n"
    "Martin;Élodie;1984-03-02;Nord\n"
    "Durand;Paul;02/11/1990;\n"
    "Martin;Élodie;1984-03-02;Nord\n"
)


def test_census_import_and_match(setup: dict[str, Any], agent: Any, resident: Any) -> None:
    process = setup["process"]
    process.verification = "census"
    process.save()
    report = services.census_import(actor=agent, process=process, data=CSV.encode())
    assert (report.created, report.duplicates, report.errors) == (2, 1, [])
    # Only a hash is stored, never the name.
    assert "Martin" not in str(list(CensusEntry.objects.values_list("identity_hash", flat=True)))
    with pytest.raises(ValidationError, match="liste des votants"):
        register(setup, resident, census_identity=("Martin", "Elodie", date(1984, 3, 3)))
    # Accents, case and spaces do not matter.
    record = register(setup, resident, census_identity=(" MARTIN ", "elodie", date(1984, 3, 2)))
    assert record.verification == "census"
    other = UserFactory()
    with pytest.raises(ValidationError, match="déjà inscrite"):
        register(setup, other, census_identity=("Martin", "Élodie", date(1984, 3, 2)))


def test_census_import_is_all_or_nothing(setup: dict[str, Any], agent: Any) -> None:
    bad = CSV + "Petit;Jean;31/02/1970;\nRoux;Anne;1970-01-01;Atlantide\n"
    report = services.census_import(actor=agent, process=setup["process"], data=bad.encode())
    assert report.created == 0
    assert any("Ligne 5" in e for e in report.errors)
    assert any("Ligne 6" in e and "Atlantide" in e for e in report.errors)
    assert not CensusEntry.objects.exists()
    with pytest.raises(ValidationError, match="première ligne"):
        services.census_import(actor=agent, process=setup["process"], data=b"a;b\n")


def test_self_declared_cannot_vote_when_verification_required(
    setup: dict[str, Any], resident: Any, agent: Any
) -> None:
    process = setup["process"]
    process.verification = "counter"
    process.save()
    with pytest.raises(ValidationError, match="guichet"):
        register(setup, resident)
    record = services.voter_verify_at_counter(
        agent=agent,
        process=process,
        user=resident,
        last_name="Martin",
        first_name="Léa",
        birth_date=date(1990, 1, 1),
        district=setup["district"],
        relation="lives",
    )
    assert record.verification == "counter"
    services.ballot_cast(voter=record, budget=setup["town"], project_ids=[setup["a"].pk])
    assert AuditEntry.objects.filter(action="participation.voter_verify").exists()


def test_paper_and_assisted_ballots_recorded_as_such(setup: dict[str, Any], agent: Any) -> None:
    args = {
        "agent": agent,
        "process": setup["process"],
        "budget": setup["town"],
        "last_name": "Roux",
        "first_name": "Anne",
        "birth_date": date(1950, 5, 5),
        "district": setup["district"],
        "relation": "lives",
        "sex": "F",
        "project_ids": [setup["a"].pk],
    }
    paper = services.counter_ballot(**args, channel="paper")
    assert paper.channel == "paper" and paper.entered_by == agent
    assert paper.voter.verification == "counter" and paper.voter.user is None
    with pytest.raises(ValidationError, match="déjà voté"):
        services.counter_ballot(**args, channel="assisted")
    assisted = services.counter_ballot(
        **{**args, "budget": setup["local"], "project_ids": [setup["d"].pk]}, channel="assisted"
    )
    assert assisted.channel == "assisted" and assisted.voter == paper.voter
    entries = AuditEntry.objects.filter(action__startswith="participation.ballot_")
    assert {e.action for e in entries} == {
        "participation.ballot_paper",
        "participation.ballot_assisted",
    }
    assert all("projects" not in e.details for e in entries)  # the vote stays secret


def test_ballot_page_flow_and_receipt(
    setup: dict[str, Any], resident_client: Any, resident: Any
) -> None:
    process = setup["process"]
    kw = {"tenant": process.tenant.slug, "slug": process.slug}
    vote_url = reverse("participation:vote", kwargs=kw)
    response = resident_client.post(
        vote_url,
        {"relation": "lives", "district": setup["district"].pk, "birth_year": 1985, "honour": "on"},
    )
    assert response.status_code == 302
    ballot_url = reverse("participation:ballot", kwargs={**kw, "budget_pk": setup["town"].pk})
    response = resident_client.post(
        ballot_url, {"projects": [setup["a"].pk, setup["b"].pk, setup["c"].pk]}
    )
    assert response.status_code == 400
    assert "entre 1 et 2" in response.content.decode()
    assert not Ballot.objects.exists()
    response = resident_client.post(ballot_url, {"projects": [setup["a"].pk]})
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.receipt in response["Location"]
    page = resident_client.get(response["Location"])
    assert "Skatepark" in page.content.decode()
    # Nobody else can open the receipt.
    from django.test import Client

    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(response["Location"]).status_code == 404
    # A forged envelope id (another quartier's, or unknown) is a 404, not a 500.
    assert (
        resident_client.get(
            reverse("participation:ballot", kwargs={**kw, "budget_pk": 99999})
        ).status_code
        == 404
    )
