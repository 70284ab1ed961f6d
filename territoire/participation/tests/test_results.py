"""Results from ballots in the database: computation, publication, explanation, .pb export."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from territoire.core import events
from territoire.core import services as core_services
from territoire.core.datasources import get_source
from territoire.participation import pb, services
from territoire.participation.models import Phase, Project
from territoire.participation.rules import dumps, equal_shares, parse
from territoire.participation.tests.factories import (
    close_vote,
    make_budgets,
    make_process,
    make_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(tenant: Any, agent: Any) -> dict[str, Any]:
    """The textbook case: 6 voters want X1 and X2, 4 want Y; each costs 50, budget 100."""
    process = make_process(tenant, max_choices=3)
    town, _local, district = make_budgets(process)
    x1, x2, y = (make_project(town, t, 50) for t in ("X1", "X2", "Y"))
    for i in range(10):
        picks = [x1.pk, x2.pk] if i < 6 else [y.pk]
        services.counter_ballot(
            agent=agent,
            process=process,
            budget=town,
            last_name=f"Nom{i}",
            first_name="Pré",
            birth_date=date(1980, 1, 1 + i),
            district=district,
            relation="lives",
            sex="",
            project_ids=picks,
            channel="paper",
        )
    return {"process": process, "town": town, "x1": x1, "x2": x2, "y": y}


def test_compute_refused_while_vote_open(election: dict[str, Any], agent: Any) -> None:
    with pytest.raises(ValidationError, match="encore ouvert"):
        services.results_compute(actor=agent, process=election["process"])


def test_equal_shares_results_published_with_explanation(
    election: dict[str, Any], agent: Any, client: Any
) -> None:
    process = election["process"]
    close_vote(process)
    runs = services.results_compute(actor=agent, process=process)
    town_run = next(r for r in runs if r.budget == election["town"])
    assert town_run.ballots == 10
    # Equal Shares gives the minority its share; greedy gives everything to the majority.
    assert set(town_run.outcome["selected"]) == {str(election["x1"].pk), str(election["y"].pk)}
    assert set(town_run.greedy["selected"]) == {str(election["x1"].pk), str(election["x2"].pk)}
    url = reverse(
        "participation:results", kwargs={"tenant": process.tenant.slug, "slug": process.slug}
    )
    assert "pas encore publiés" in client.get(url).content.decode()
    services.results_publish(actor=agent, process=process)
    statuses = dict(Project.objects.values_list("title", "status"))
    assert statuses == {"X1": "selected", "X2": "not_selected", "Y": "selected"}
    page = client.get(url).content.decode()
    assert "ses 4 soutiens ont payé sa part" in page  # Y, bought by its four supporters
    assert "n&#x27;avaient plus que" in page or "n'avaient plus que" in page  # X2
    with pytest.raises(ValidationError, match="déjà publiés"):
        services.results_compute(actor=agent, process=process)
    # The API serves the same explanation.
    api = client.get(
        f"/api/v1/participation/processes/{process.slug}/results?tenant={process.tenant.slug}"
    )
    assert api.status_code == 200
    rows = {r["title"]: r for r in api.json()[0]["projects"]}
    assert rows["Y"]["selected"] and not rows["Y"]["in_greedy"]
    assert "4 soutiens" in rows["Y"]["explanation"]


def test_greedy_rule_process(election: dict[str, Any], agent: Any) -> None:
    process = election["process"]
    process.rule = "greedy"
    process.save()
    close_vote(process)
    run = next(
        r
        for r in services.results_compute(actor=agent, process=process)
        if r.budget == election["town"]
    )
    assert run.outcome == run.greedy


def test_pb_export_round_trip_gives_same_winners(
    election: dict[str, Any], agent: Any, tmp_path: Path
) -> None:
    process = election["process"]
    text = pb.export_budget(election["town"])
    data = parse(text)
    assert data.meta["num_votes"] == "10" and data.meta["budget"] == "100"
    assert "Nom0" not in text  # anonymised
    assert parse(dumps(data)).votes == data.votes
    close_vote(process)
    run = next(
        r
        for r in services.results_compute(actor=agent, process=process)
        if r.budget == election["town"]
    )
    assert sorted(equal_shares(data.election()).selected) == sorted(run.outcome["selected"])
    path = tmp_path / "town.pb"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("pb", "compute", str(path), "--rule", "equal-shares", stdout=out)
    result = json.loads(out.getvalue())
    assert sorted(result["selected"]) == sorted(run.outcome["selected"])
    assert result["cost"] == 100 and result["budget"] == 100
    out = StringIO()
    call_command("pb", "compute", str(path), "--rule", "greedy", stdout=out)
    assert sorted(json.loads(out.getvalue())["selected"]) == sorted(run.greedy["selected"])


def test_pb_command_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;10\nVOTES\nvoter_id;vote\n1;1,9\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="line 9: vote for unknown project '9'"):
        call_command("pb", "compute", str(path), "--rule", "greedy")
    with pytest.raises(CommandError, match="no such file"):
        call_command("pb", "compute", str(tmp_path / "none.pb"), "--rule", "greedy")


def test_pb_import_projects_all_or_nothing(tenant: Any, agent: Any) -> None:
    process = make_process(tenant, phase=Phase.STUDY)
    town, _local, _d = make_budgets(process)
    good = (
        "META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost;name\n1;40;Bancs\n2;30;Fontaine\n"
    )
    assert [p.title for p in pb.import_projects(actor=agent, budget=town, text=good)] == [
        "Bancs",
        "Fontaine",
    ]
    bad = good + "3;abc;Trop\n"
    with pytest.raises(ValidationError, match="ligne 8"):
        pb.import_projects(actor=agent, budget=town, text=bad)
    assert Project.objects.count() == 2


def test_pb_api_export_needs_scope_and_stays_in_tenant(
    election: dict[str, Any], other_tenant: Any, client: Any
) -> None:
    process = election["process"]
    url = f"/api/v1/participation/processes/{process.slug}/budgets/{election['town'].pk}/pabulib"
    assert client.get(url).status_code == 401
    key = core_services.apikey_create(
        actor=None, tenant=process.tenant, name="k", scopes=["participation:read"]
    )
    ok = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    assert ok.status_code == 200 and ok.content.decode().startswith("META")
    foreign = core_services.apikey_create(
        actor=None, tenant=other_tenant, name="k", scopes=["participation:read"]
    )
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {foreign.secret}").status_code == 404


def test_publishing_results_tells_open_data_to_refresh(
    election: dict[str, Any], agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    process = election["process"]
    close_vote(process)
    services.results_compute(actor=agent, process=process)
    seen: list[Any] = []
    handler = events.subscribe(events.DatasetSourceChanged)(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.results_publish(actor=agent, process=process)
    finally:
        events._subscribers[events.DatasetSourceChanged].remove(handler)
    mine = {e.source_code for e in seen if e.tenant_id == process.tenant_id}
    assert mine == {"participation.budget_results", "participation.turnout"}
    assert all(get_source(code) is not None for code in mine)
