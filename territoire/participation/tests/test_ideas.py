"""Ideas: submission, supports with limits, comments, study answers, merges, moderation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from territoire.core.models import AuditEntry, Notification
from territoire.core.tests.factories import UserFactory
from territoire.participation import selectors, services
from territoire.participation.models import Idea, Phase, Project
from territoire.participation.tests.factories import make_budgets, make_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(tenant: Any) -> Any:
    return make_process(tenant, phase=Phase.IDEAS, supports_per_person=2, flag_threshold=2)


def submit(process: Any, author: Any, title: str = "Des bancs au port") -> Idea:
    return services.idea_submit(
        author=author, process=process, title=title, description="Pour se reposer."
    )


def test_ideas_only_during_ideas_phase(process: Any, resident: Any) -> None:
    submit(process, resident)
    process.phase = Phase.STUDY
    process.save()
    with pytest.raises(ValidationError, match="pas ouvert"):
        submit(process, resident)
    assert Idea.objects.count() == 1


def test_idea_refuses_half_a_point_and_foreign_district(
    process: Any, resident: Any, other_tenant: Any
) -> None:
    from territoire.core.tests.factories import DistrictFactory

    with pytest.raises(ValidationError, match="longitude et la latitude"):
        services.idea_submit(
            author=resident, process=process, title="T", description="D", lon=-1.15
        )
    foreign = DistrictFactory(tenant=other_tenant)
    with pytest.raises(ValidationError, match="autre collectivité"):
        services.idea_submit(
            author=resident, process=process, title="T", description="D", district=foreign
        )


def test_supports_toggle_and_per_person_limit(process: Any, resident: Any) -> None:
    ideas = [submit(process, resident, f"Idée {i}") for i in range(3)]
    assert services.idea_support(user=resident, idea=ideas[0]) is True
    assert services.idea_support(user=resident, idea=ideas[1]) is True
    with pytest.raises(ValidationError, match="2 soutiens"):
        services.idea_support(user=resident, idea=ideas[2])
    # Withdrawing frees a support.
    assert services.idea_support(user=resident, idea=ideas[0]) is False
    assert services.idea_support(user=resident, idea=ideas[2]) is True
    counts = dict(Idea.objects.values_list("title", "supports_count"))
    assert counts == {"Idée 0": 0, "Idée 1": 1, "Idée 2": 1}


def test_flags_hide_after_threshold_and_moderator_restores(
    process: Any, resident: Any, agent: Any
) -> None:
    idea = submit(process, resident)
    flagger = UserFactory()
    services.flag_add(user=flagger, reason="insultant", idea=idea)
    services.flag_add(user=flagger, reason="encore", idea=idea)  # same person: counted once
    idea.refresh_from_db()
    assert not idea.hidden
    services.flag_add(user=UserFactory(), reason="", idea=idea)
    idea.refresh_from_db()
    assert idea.hidden and "2 signalements" in idea.hidden_reason
    assert not selectors.ideas_public(process).filter(pk=idea.pk).exists()
    with pytest.raises(ValidationError, match="motif"):
        services.moderation_set_hidden(actor=agent, target=idea, hidden=False, reason=" ")
    services.moderation_set_hidden(actor=agent, target=idea, hidden=False, reason="Conforme")
    idea.refresh_from_db()
    assert not idea.hidden
    assert AuditEntry.objects.filter(action="participation.restore", actor=agent).exists()
    assert AuditEntry.objects.filter(action="participation.auto_hide").exists()


def test_comment_flag_hides_comment(process: Any, resident: Any) -> None:
    idea = submit(process, resident)
    comment = services.comment_add(author=resident, idea=idea, body="Bravo")
    for _ in range(2):
        services.flag_add(user=UserFactory(), reason="spam", comment=comment)
    comment.refresh_from_db()
    assert comment.hidden


def test_answer_must_be_argued_and_notifies_author(
    process: Any, resident: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    idea = submit(process, resident)
    with pytest.raises(ValidationError, match="argumentée"):
        services.idea_answer(actor=agent, idea=idea, status="unfeasible", answer="Non.")
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_answer(
            actor=agent,
            idea=idea,
            status="unfeasible",
            answer="Le quai appartient au port départemental : la commune ne peut pas y poser de mobilier.",
            study_cost=Decimal(1200),
        )
    idea.refresh_from_db()
    assert idea.status == "unfeasible" and idea.answered_by == agent
    assert Notification.objects.filter(user=resident, subject__contains="réponse").exists()
    assert selectors.answer_rate(process) == {"total": 1, "answered": 1, "percent": 100}
    # "Merged" is not an answer: merging goes through idea_merge.
    with pytest.raises(ValidationError, match="ne peut pas passer"):
        services.idea_answer(actor=agent, idea=idea, status="merged", answer="x" * 40)


def test_merge_ideas_into_a_project(process: Any, resident: Any, agent: Any) -> None:
    town, _local, _district = make_budgets(process)
    ideas = [submit(process, resident, f"Jeux {i}") for i in range(2)]
    project = services.project_create(
        actor=agent,
        process=process,
        budget=town,
        title="Aire de jeux",
        description="Regroupe deux idées.",
        cost=Decimal(50),
    )
    services.idea_merge(
        actor=agent, ideas=ideas, project=project, answer="Regroupées : " + "x" * 30
    )
    assert set(project.ideas.values_list("status", flat=True)) == {"merged"}
    with pytest.raises(ValidationError, match="déjà regroupée"):
        services.idea_merge(actor=agent, ideas=ideas[:1], project=project, answer="y" * 40)
    with pytest.raises(ValidationError, match="toute l'enveloppe"):
        services.project_create(
            actor=agent,
            process=process,
            budget=town,
            title="Trop",
            description="d",
            cost=Decimal(101),
        )
    assert Project.objects.count() == 1


def test_idea_pages(process: Any, resident: Any, resident_client: Any, client: Any) -> None:
    kw = {"tenant": process.tenant.slug, "slug": process.slug}
    response = resident_client.post(
        reverse("participation:idea_new", kwargs=kw),
        {"title": "", "description": "x", "lon": "abc"},
    )
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    response = resident_client.post(
        reverse("participation:idea_new", kwargs=kw),
        {"title": "Un banc", "description": "Devant l'école", "lon": "-1.15", "lat": "46.15"},
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and idea.lat == 46.15
    url = reverse("participation:idea", kwargs={**kw, "pk": idea.pk})
    assert client.get(url).status_code == 200
    resident_client.post(reverse("participation:idea_support", kwargs={**kw, "pk": idea.pk}))
    resident_client.post(
        reverse("participation:idea_comment", kwargs={**kw, "pk": idea.pk}), {"body": "Oui !"}
    )
    idea.refresh_from_db()
    assert idea.supports_count == 1 and idea.comments.count() == 1
    listing = client.get(
        reverse("participation:ideas", kwargs=kw) + "?quartier=x&statut=nope&page=9"
    )
    assert listing.status_code == 200 and "Un banc" in listing.content.decode()
    # Anonymous people are sent to log in to act.
    assert (
        client.post(reverse("participation:idea_support", kwargs={**kw, "pk": idea.pk})).status_code
        == 302
    )
    assert (
        client.post(
            reverse("participation:flag", kwargs={**kw, "kind": "idee", "pk": idea.pk})
        ).status_code
        == 302
    )
    bad_kind = resident_client.post(
        reverse("participation:flag", kwargs={**kw, "kind": "x", "pk": idea.pk})
    )
    assert bad_kind.status_code == 404
