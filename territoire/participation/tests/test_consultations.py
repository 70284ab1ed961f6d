"""Consultations: answers checked per question type, changeable until closing, official answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from territoire.core.models import AuditEntry
from territoire.core.tests.factories import UserFactory
from territoire.participation import services
from territoire.participation.models import Response
from territoire.participation.services.consultations import consultation_results

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(tenant: Any) -> Any:
    now = timezone.now()
    return services.consultation_create(
        actor=None,
        tenant=tenant,
        title="Rythmes scolaires",
        description="",
        opens=now - timedelta(days=1),
        closes=now + timedelta(days=1),
        questions=[
            {"text": "Semaine", "kind": "single", "choices": ["4 jours", "4,5 jours"]},
            {
                "text": "Activités",
                "kind": "multiple",
                "choices": ["Sport", "Musique"],
                "required": False,
            },
            {"text": "Priorités", "kind": "ranking", "choices": ["Horaires", "Tarifs", "Qualité"]},
            {"text": "Satisfaction", "kind": "scale"},
            {"text": "Remarques", "kind": "text", "required": False},
        ],
    )


def ids(consultation: Any) -> list[int]:
    return [q.pk for q in consultation.questions.all()]


def test_answers_are_checked_per_question(consultation: Any, resident: Any) -> None:
    s, m, r, sc, t = ids(consultation)
    good = {
        s: "4 jours",
        m: ["Musique"],
        r: ["Tarifs", "Horaires", "Qualité"],
        sc: "4",
        t: " Merci ",
    }
    for bad, message in (
        ({**good, s: "7 jours"}, "Réponse invalide"),
        ({**good, m: ["Sport", "Ski"]}, "Réponse invalide"),
        ({**good, r: ["Tarifs", "Tarifs", "Qualité"]}, "Classez chaque choix"),
        ({**good, sc: "9"}, "Réponse invalide"),
        ({**good, s: ""}, "Répondez à la question « Semaine »"),
        ({**good, t: "x" * 2001}, "trop longue"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.consultation_respond(user=resident, consultation=consultation, answers=bad)
    assert not Response.objects.exists()
    services.consultation_respond(user=resident, consultation=consultation, answers=good)
    services.consultation_respond(
        user=resident, consultation=consultation, answers={**good, s: "4,5 jours", m: []}
    )
    response = Response.objects.get()
    assert response.answers[str(s)] == "4,5 jours" and str(m) not in response.answers
    assert response.answers[str(sc)] == 4 and response.answers[str(t)] == "Merci"


def test_closed_consultation_refuses_answers(consultation: Any, resident: Any) -> None:
    consultation.closes = timezone.now() - timedelta(minutes=1)
    consultation.save()
    with pytest.raises(ValidationError, match="pas ouverte"):
        services.consultation_respond(user=resident, consultation=consultation, answers={})


def test_results_aggregate(consultation: Any) -> None:
    s, m, r, sc, _t = ids(consultation)
    for i in range(4):
        services.consultation_respond(
            user=UserFactory(),
            consultation=consultation,
            answers={
                s: "4 jours" if i < 3 else "4,5 jours",
                m: ["Sport"],
                r: ["Qualité", "Horaires", "Tarifs"],
                sc: str(i + 2),
            },
        )
    results = {item["question"].text: item for item in consultation_results(consultation)}
    assert results["Semaine"]["rows"][0] == {"label": "4 jours", "count": 3, "percent": 75}
    assert results["Priorités"]["rows"][0] == {"label": "Qualité", "average": 1.0}
    assert results["Satisfaction"]["average"] == 3.5
    assert results["Remarques"]["count"] == 0


def test_pages_and_official_answer_by_elected(
    consultation: Any, tenant: Any, resident_client: Any, elected: Any, agent: Any
) -> None:
    url = f"/{tenant.slug}/participer/consultations/{consultation.slug}/"
    s, m, r, sc, _t = ids(consultation)
    ranks = {f"q{r}_{k}": v for k, v in enumerate(["Tarifs", "Qualité", "Horaires"])}
    bad = resident_client.post(
        url,
        {
            f"q{s}": "4 jours",
            f"q{sc}": "3",
            **{f"q{r}_0": "Tarifs", f"q{r}_1": "Tarifs", f"q{r}_2": "Qualité"},
        },
    )
    assert bad.status_code == 400 and "Classez chaque choix" in bad.content.decode()
    ok = resident_client.post(url, {f"q{s}": "4 jours", f"q{m}": ["Sport"], f"q{sc}": "3", **ranks})
    assert ok.status_code == 302
    assert Response.objects.get().answers[str(r)] == ["Tarifs", "Qualité", "Horaires"]
    manage = f"/{tenant.slug}/gestion/participer/consultations/{consultation.slug}/"
    assert resident_client.get(manage).status_code == 403
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get(manage).status_code == 403
    elected_client = Client()
    elected_client.force_login(elected)
    assert elected_client.post(manage, {"text": "Trop court"}).status_code == 400
    text = "Le conseil municipal retient la semaine de quatre jours, demandée par la majorité."
    assert elected_client.post(manage, {"text": text}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.official_answer == text and consultation.answered_by == elected
    assert AuditEntry.objects.filter(action="participation.consultation_answer").exists()
    assert text in Client().get(url).content.decode()
