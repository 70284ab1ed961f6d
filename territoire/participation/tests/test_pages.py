"""Pages and API: tenant isolation, staff back-office, realisation follow-up, statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from territoire.core.models import Notification
from territoire.core.tests.factories import member
from territoire.participation import services
from territoire.participation.apps import public_pages
from territoire.participation.models import Ballot, CensusEntry, Idea, Phase, Project
from territoire.participation.tests.factories import (
    close_vote,
    make_budgets,
    make_process,
    make_project,
)

pytestmark = pytest.mark.django_db


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(tenant: Any, other_tenant: Any, resident: Any) -> dict[str, Any]:
    process = make_process(tenant, phase=Phase.IDEAS)
    town, _local, district = make_budgets(process)
    idea = services.idea_submit(author=resident, process=process, title="Idée A", description="d")
    project = make_project(town, "Projet A", 40)
    other = make_process(other_tenant, phase=Phase.IDEAS, title="BP B", slug="bp-b")
    other_idea = services.idea_submit(
        author=resident, process=other, title="Idée B", description="d"
    )
    return {
        "process": process,
        "town": town,
        "district": district,
        "idea": idea,
        "project": project,
        "other": other,
        "other_idea": other_idea,
    }


def test_tenant_cannot_see_another_tenants_data(
    world: dict[str, Any], client: Any, tenant: Any, other_tenant: Any
) -> None:
    a, b = tenant.slug, other_tenant.slug
    # B's process is not under A's address, and A's idea is not reachable through B's process.
    assert client.get(f"/{a}/participer/bp-b/").status_code == 404
    url = reverse(
        "participation:idea", kwargs={"tenant": b, "slug": "bp-b", "pk": world["idea"].pk}
    )
    assert client.get(url).status_code == 404
    url = reverse(
        "participation:project", kwargs={"tenant": b, "slug": "bp-b", "pk": world["project"].pk}
    )
    assert client.get(url).status_code == 404
    listing = client.get(f"/{a}/participer/{world['process'].slug}/idees/").content.decode()
    assert "Idée A" in listing and "Idée B" not in listing
    # API: each tenant lists its own processes and projects only.
    api = client.get(f"/api/v1/participation/processes?tenant={a}").json()
    assert [p["slug"] for p in api["results"]] == ["bp-test"]
    assert (
        client.get(f"/api/v1/participation/processes/bp-b/projects?tenant={a}").status_code == 404
    )
    # Staff of B cannot manage A's process, nor answer A's idea through B's address.
    agent_b = staff_client(member(other_tenant, "agent"))
    assert agent_b.get(f"/{a}/gestion/participer/bp-test/").status_code == 403
    url = reverse(
        "participation_staff:idea", kwargs={"tenant": b, "slug": "bp-b", "pk": world["idea"].pk}
    )
    assert agent_b.get(url).status_code == 404


def test_staff_pages_need_a_staff_role(
    world: dict[str, Any], resident_client: Any, agent: Any, tenant: Any
) -> None:
    slug = world["process"].slug
    assert resident_client.get(f"/{tenant.slug}/gestion/participer/").status_code == 403
    client = staff_client(agent)
    for path in (
        "",
        "nouveau/",
        f"{slug}/",
        f"{slug}/modifier/",
        f"{slug}/idees/",
        f"{slug}/projets/",
        f"{slug}/recensement/",
        f"{slug}/guichet/",
        f"{slug}/moderation/",
        f"{slug}/idees/{world['idea'].pk}/",
        f"{slug}/projets/{world['project'].pk}/",
    ):
        response = client.get(f"/{tenant.slug}/gestion/participer/{path}")
        assert response.status_code == 200, path
    csv = client.get(
        f"/{tenant.slug}/gestion/participer/{slug}/idees/?format=csv&sort=-supports_count"
    )
    assert csv.status_code == 200 and "Idée A" in b"".join(csv.streaming_content).decode()


def test_staff_cycle_through_pages(
    world: dict[str, Any], agent: Any, tenant: Any, resident: Any
) -> None:
    """Study → vote (counter) → results → realisation, through the back-office pages."""
    client = staff_client(agent)
    process = world["process"]
    base = f"/{tenant.slug}/gestion/participer/{process.slug}/"
    # Study: an argued answer; then a merge of the idea into a new project.
    response = client.post(
        f"{base}idees/{world['idea'].pk}/", {"status": "feasible", "answer": "Trop court"}
    )
    assert response.status_code == 400
    client.post(base + "phase/", {"phase": "study"})
    process.refresh_from_db()
    assert process.phase == "study"
    response = client.post(
        base + "idees/",
        {
            "ideas": [world["idea"].pk],
            "title": "Bancs",
            "description": "Des bancs",
            "budget": world["town"].pk,
            "cost": "30",
            "answer": "Idée retenue et regroupée dans le projet Bancs, soumis au vote.",
        },
    )
    assert response.status_code == 302
    world["idea"].refresh_from_db()
    assert world["idea"].status == "merged"
    # Census upload with a bad line: nothing imported, the line is named.
    bad = SimpleUploadedFile(
        "liste.csv", b"nom;prenom;date_naissance\nDupont;Jean;hier\n", content_type="text/csv"
    )
    response = client.post(base + "recensement/", {"file": bad})
    assert response.status_code == 400 and "Ligne 2" in response.content.decode()
    assert not CensusEntry.objects.exists()
    # Vote at the counter.
    client.post(base + "phase/", {"phase": "vote"})
    bancs = Project.objects.get(title="Bancs")
    response = client.post(
        base + "guichet/",
        {
            "action": "ballot",
            "b-channel": "paper",
            "b-last_name": "Roux",
            "b-first_name": "Anne",
            "b-birth_date": "1950-05-05",
            "b-relation": "lives",
            "b-district": world["district"].pk,
            "b-budget": world["town"].pk,
            "b-projects": [bancs.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Ballot.objects.get().channel == "paper"
    # Results: compute and publish refused while the vote is open.
    client.post(base + "resultats/calculer/")
    assert not process.results.exists()
    close_vote(process)
    client.post(base + "resultats/calculer/")
    client.post(base + "resultats/publier/")
    bancs.refresh_from_db()
    assert bancs.status == "selected"
    # Realisation: a follower is told of each milestone.
    services.project_follow(user=resident, project=bancs)
    page = f"{base}projets/{bancs.pk}/"
    client.post(page, {"action": "status", "status": "in_progress", "reason": "Travaux lancés"})
    client.post(page, {"action": "progress", "progress": "40"})
    client.post(page, {"action": "milestone", "when": "2026-05-01", "title": "Pose des bancs"})
    assert client.post(page, {"action": "progress", "progress": "140"}).status_code == 400
    bancs.refresh_from_db()
    assert (bancs.status, bancs.progress, bancs.milestones.count()) == ("in_progress", 40, 1)
    assert Notification.objects.filter(user=resident, subject__contains="nouvelle étape").exists()
    public = Client().get(
        reverse(
            "participation:project",
            kwargs={"tenant": tenant.slug, "slug": process.slug, "pk": bancs.pk},
        )
    )
    assert "Pose des bancs" in public.content.decode() and "40 %" in public.content.decode()


def test_phase_state_machine(world: dict[str, Any], agent: Any) -> None:
    from django.core.exceptions import ValidationError

    process = world["process"]
    with pytest.raises(ValidationError, match="Passage impossible"):
        services.process_set_phase(actor=agent, process=process, phase="results")
    services.process_set_phase(actor=agent, process=process, phase="study")
    # Dates move the phase forward on their own: a passed vote_end means results.
    process.refresh_from_db()
    close_vote(process)
    assert process.current_phase() == "results" and not process.vote_is_open()


def test_moderation_page(world: dict[str, Any], agent: Any, tenant: Any) -> None:
    client = staff_client(agent)
    base = f"/{tenant.slug}/gestion/participer/{world['process'].slug}/moderation/"
    assert (
        client.post(
            base, {"kind": "idea", "pk": world["other_idea"].pk, "hide": "1", "reason": "x"}
        ).status_code
        == 404
    )
    client.post(
        base, {"kind": "idea", "pk": world["idea"].pk, "hide": "1", "reason": "Propos injurieux"}
    )
    world["idea"].refresh_from_db()
    assert world["idea"].hidden and world["idea"].hidden_reason == "Propos injurieux"


def test_statistics_mask_small_groups(
    world: dict[str, Any], agent: Any, client: Any, tenant: Any
) -> None:
    process = world["process"]
    process.phase = Phase.VOTE
    process.save()
    for i in range(12):
        services.counter_ballot(
            agent=agent,
            process=process,
            budget=world["town"],
            last_name=f"N{i}",
            first_name="P",
            birth_date=date(1990, 1, 1 + i),
            district=world["district"],
            relation="lives",
            sex="F" if i < 11 else "M",
            project_ids=[world["project"].pk],
            channel="paper",
        )
    url = reverse("participation:stats", kwargs={"tenant": tenant.slug, "slug": process.slug})
    rows = client.get(url + "?format=csv").content.decode("utf-8-sig").splitlines()
    assert "sex;Femme;11" in rows
    assert "sex;Homme;< 11" in rows
    assert client.get(url).status_code == 200


def test_public_pages_registered_and_all_ok(
    world: dict[str, Any], client: Any, tenant: Any
) -> None:
    pages = public_pages(tenant)
    assert len(pages) >= 6
    for path in pages:
        assert client.get(path).status_code == 200, path
    assert Idea.objects.filter(process=world["process"]).exists()
