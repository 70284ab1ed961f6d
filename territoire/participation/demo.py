"""Demo: Valmont-sur-Mer's participatory budget 2026 (results and realisation) and 2027 (ideas).

€600,000: €100,000 per quartier plus €200,000 for the whole town; 140 ideas, all
answered; 40 projects on the ballot; about 3,000 voters (online, paper, assisted);
results computed by Equal Shares; the first winners under way with milestones.
Bulk inserts keep the whole seed within a few seconds.
"""

from __future__ import annotations

import string
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from territoire.core.demo import VALMONT, DemoContext
from territoire.core.models import District, User
from territoire.participation import services
from territoire.participation.demo_data import (
    COMMENTS,
    FEASIBLE_NOT_ON_BALLOT,
    IDEA_PHRASINGS,
    PROJECTS,
    UNFEASIBLE,
)
from territoire.participation.models import (
    Ballot,
    Comment,
    Idea,
    IdeaStatus,
    Phase,
    Process,
    Project,
    Response,
    Support,
    VoterRecord,
)
from territoire.participation.models.voting import Verification

VOTERS = 3000
SERVICE_BY_THEME = {
    "Mobilités": "voirie",
    "Énergie": "eclairage",
    "Déchets": "dechets",
    "Environnement": "espaces-verts",
    "Cadre de vie": "espaces-verts",
    "Enfance": "education",
    "Sport": "urbanisme",
}
AGE_WEIGHTS = {"u18": 4, "18-29": 12, "30-44": 26, "45-59": 25, "60-74": 22, "75+": 11}


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenants[VALMONT]
    rng = ctx.rng
    now = ctx.now
    agent = ctx.person(VALMONT, "agent")
    districts = {d.name: d for d in District.objects.for_tenant(tenant)}
    services_by_slug = {
        key.split(":", 1)[1]: s for key, s in ctx.services.items() if key.startswith(VALMONT)
    }

    process = services.process_create(
        actor="demo",
        tenant=tenant,
        title="Budget participatif 2026",
        description=(
            "600 000 € pour des projets proposés et choisis par les habitants : 100 000 € "
            "pour chacun des quatre quartiers et 200 000 € pour toute la commune.\n\n"
            "Les idées ont été déposées en début d'année, étudiées par les services, puis "
            "soumises au vote. Les projets retenus sont en cours de réalisation."
        ),
        ideas_start=now - timedelta(days=300),
        study_start=now - timedelta(days=250),
        vote_start=now - timedelta(days=160),
        vote_end=now - timedelta(days=130),
        realisation_start=now - timedelta(days=100),
        max_choices=5,
        min_choices=1,
    )
    Process.objects.filter(pk=process.pk).update(phase=Phase.STUDY)
    process.refresh_from_db()
    budgets = {"": services.budget_save(actor="demo", process=process, amount=Decimal(200000))}
    for name, quartier in districts.items():
        budgets[name] = services.budget_save(
            actor="demo", process=process, amount=Decimal(100000), district=quartier
        )

    # People: the demo resident plus the voters (accounts without passwords for online voters).
    residents = _voters(ctx, tenant)
    authors = [u for u, _ in residents[:400]]

    # Projects, each born from a few merged ideas.
    projects: list[Project] = []
    for title, district_name, cost, theme, description in PROJECTS:
        district = districts.get(district_name)
        lon, lat = _point(rng, district)
        project = services.project_create(
            actor=agent,
            process=process,
            budget=budgets[district_name],
            title=title,
            description=description,
            cost=Decimal(cost),
            service=services_by_slug.get(SERVICE_BY_THEME.get(theme, "urbanisme")),
            category=theme,
            lon=lon,
            lat=lat,
        )
        projects.append(project)
        low = title[0].lower() + title[1:]
        n_ideas = rng.choice([2, 2, 3, 3, 3])
        ideas = []
        for k in range(n_ideas):
            ideas.append(
                _idea(
                    process,
                    rng.choice(authors),
                    IDEA_PHRASINGS[k].format(title=title, low=low),
                    description,
                    district,
                    lon,
                    lat,
                    Decimal(int(cost * rng.uniform(0.6, 1.3)) // 100 * 100),
                    now,
                    rng,
                )
            )
        services.idea_merge(
            actor=agent,
            ideas=ideas,
            project=project,
            answer=(
                f"Idée réalisable. Les services l'ont regroupée avec {n_ideas - 1} proposition(s) "
                f"proche(s) dans le projet « {title} », chiffré à {cost:,} € (études, travaux et "
                "équipements compris), qui est soumis au vote.".replace(",", " ")
            ),
        )
    # Ideas answered without reaching the ballot.
    answered = 0
    extra = [(t, d, a, IdeaStatus.UNFEASIBLE) for t, d, a in UNFEASIBLE] + [
        (t, d, a, IdeaStatus.FEASIBLE) for t, d, a in FEASIBLE_NOT_ON_BALLOT
    ]
    idea_count = Idea.objects.filter(process=process).count()
    while idea_count + answered < 140:
        title, district_name, answer, status = extra[answered % len(extra)]
        if answered >= len(extra):
            title = f"{title} ({rng.choice(['bis', 'autre demande', 'variante'])})"
        district = districts.get(district_name)
        lon, lat = _point(rng, district)
        idea = _idea(
            process, rng.choice(authors), title, title + ".", district, lon, lat, None, now, rng
        )
        services.idea_answer(actor=agent, idea=idea, status=status, answer=answer)
        answered += 1
    _supports_and_comments(process, authors, rng)

    # The vote: ~3,000 voters, each votes for the town envelope and their quartier's.
    Process.objects.filter(pk=process.pk).update(phase=Phase.VOTE)
    _ballots(process, residents, projects, budgets, districts, rng, agent)
    Process.objects.filter(pk=process.pk).update(phase=Phase.RESULTS)
    process.refresh_from_db()
    services.results_compute(actor=agent, process=process)
    services.results_publish(actor=agent, process=process)

    # Realisation: the first winners are under way.
    Process.objects.filter(pk=process.pk).update(phase=Phase.REALISATION)
    winners = list(Project.objects.filter(process=process, status="selected").order_by("-cost"))
    for i, project in enumerate(winners[:6]):
        services.project_set_status(
            actor=agent, project=project, status="in_progress", reason="Les travaux ont commencé."
        )
        services.milestone_add(
            actor=agent,
            project=project,
            when=(now - timedelta(days=95)).date(),
            title="Étude et concertation avec les riverains",
            done=True,
        )
        services.milestone_add(
            actor=agent,
            project=project,
            when=(now - timedelta(days=60)).date(),
            title="Commande passée aux entreprises",
            done=True,
        )
        services.milestone_add(
            actor=agent,
            project=project,
            when=(now + timedelta(days=30 + 20 * i)).date(),
            title="Travaux et installation",
        )
        services.project_update_progress(
            actor=agent, project=project, progress=[65, 40, 30, 80, 20, 50][i]
        )
    if len(winners) > 6:
        done = winners[-1]
        services.project_set_status(
            actor=agent, project=done, status="in_progress", reason="Commande passée."
        )
        services.milestone_add(
            actor=agent,
            project=done,
            when=(now - timedelta(days=40)).date(),
            title="Installation",
            done=True,
        )
        services.project_set_status(
            actor=agent,
            project=done,
            status="done",
            reason="Le projet est réalisé : merci à tous les votants !",
        )
    resident = ctx.person(VALMONT, "resident")
    for project in winners[:2]:
        services.project_follow(user=resident, project=project)

    _next_edition(ctx, tenant, districts, authors, now)
    _school_calendar(ctx, tenant, authors, now)
    ctx.notes.append(
        f"Participation : budget participatif 2026 de Valmont-sur-Mer, {VOTERS} votants, "
        f"{len(winners)} projets retenus par la méthode des parts égales "
        f"(/{VALMONT}/participer/budget-participatif-2026/resultats/)."
    )


def _point(rng, district: District | None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    if district is None:
        return rng.uniform(-1.172, -1.133), rng.uniform(46.142, 46.168)
    ring = district.geometry["coordinates"][0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return rng.uniform(min(lons) + 0.001, max(lons) - 0.001), rng.uniform(
        min(lats) + 0.001, max(lats) - 0.001
    )


def _idea(process, author, title, description, district, lon, lat, cost, now, rng) -> Idea:  # type: ignore[no-untyped-def]
    idea = Idea.objects.create(
        tenant=process.tenant,
        process=process,
        author=author,
        title=title[:160],
        description=description,
        district=district,
        lon=lon,
        lat=lat,
        estimated_cost=cost,
    )
    Idea.objects.filter(pk=idea.pk).update(created=now - timedelta(days=rng.randint(250, 300)))
    return idea


def _voters(ctx: DemoContext, tenant) -> list[tuple[User, str]]:  # type: ignore[no-untyped-def]
    rng = ctx.rng
    unusable = make_password(None)
    users = [
        User(email=f"votant-{i:04d}@valmont.example", display_name=_name(rng), password=unusable)
        for i in range(VOTERS)
    ]
    User.objects.bulk_create(users, batch_size=1000)
    created = list(User.objects.filter(email__startswith="votant-").order_by("email"))
    resident = ctx.person(VALMONT, "resident")
    return [(resident, "online")] + [(u, "online") for u in created[1:]]


def _name(rng) -> str:  # type: ignore[no-untyped-def]
    first = [
        "Camille",
        "Léa",
        "Hugo",
        "Chloé",
        "Lucas",
        "Manon",
        "Nathan",
        "Inès",
        "Louis",
        "Jade",
        "Yanis",
        "Sarah",
        "Gabriel",
        "Emma",
        "Paul",
        "Alice",
        "Mehdi",
        "Julie",
        "Thomas",
        "Zoé",
    ]
    return f"{rng.choice(first)} {rng.choice(string.ascii_uppercase)}."


def _supports_and_comments(process: Process, authors: list[User], rng) -> None:  # type: ignore[no-untyped-def]
    ideas = list(Idea.objects.filter(process=process))
    supports = []
    seen = set()
    for idea in ideas:
        for user in rng.sample(authors, rng.randint(0, 25)):
            if (idea.pk, user.pk) not in seen:
                seen.add((idea.pk, user.pk))
                supports.append(Support(tenant=process.tenant, idea=idea, user=user))
    Support.objects.bulk_create(supports)
    for idea in ideas:
        Idea.objects.filter(pk=idea.pk).update(
            supports_count=sum(1 for s in supports if s.idea_id == idea.pk)
        )
    comments = [
        Comment(
            tenant=process.tenant, idea=idea, author=rng.choice(authors), body=rng.choice(COMMENTS)
        )
        for idea in rng.sample(ideas, 60)
        for _ in range(rng.randint(1, 3))
    ]
    Comment.objects.bulk_create(comments)


def _ballots(process, residents, projects, budgets, districts, rng, agent) -> None:  # type: ignore[no-untyped-def]
    """Bulk-insert realistic ballots: popularity differs by project, turnout by quartier."""
    names = list(districts)
    weights = [5200 * 1.1, 4900 * 0.8, 8300 * 1.0, 6400 * 0.6]  # Port, Plage, Centre, Les Hauts
    order = ["Port", "Plage", "Centre", "Les Hauts"]
    appeal = {p.pk: rng.lognormvariate(0, 0.6) for p in projects}
    by_budget: dict[int, list[Project]] = {}
    for p in projects:
        by_budget.setdefault(p.budget_id, []).append(p)
    ages = list(AGE_WEIGHTS)
    records = []
    for i, (user, _channel) in enumerate(residents):
        district = districts[rng.choices(order, weights=weights)[0]] if names else None
        channel = (
            "online"
            if i == 0
            else rng.choices(["online", "paper", "assisted"], weights=[88, 8, 4])[0]
        )
        records.append(
            VoterRecord(
                tenant=process.tenant,
                process=process,
                user=user if channel == "online" else None,
                identity_hash="" if channel == "online" else f"demo-{i:05d}",
                district=district,
                relation=rng.choices(["lives", "works", "studies"], weights=[90, 8, 2])[0],
                age_band=rng.choices(ages, weights=list(AGE_WEIGHTS.values()))[0],
                sex=rng.choices(["F", "M", ""], weights=[52, 44, 4])[0],
                verification=Verification.SELF if channel == "online" else Verification.COUNTER,
                verified_by=None if channel == "online" else agent,
            )
        )
    VoterRecord.objects.bulk_create(records, batch_size=1000)
    records = list(
        VoterRecord.objects.filter(process=process).select_related("district").order_by("pk")
    )
    ballots = []
    choices: list[list[Project]] = []
    used: set[str] = set()
    for record in records:
        channel = "online" if record.user_id else rng.choice(["paper", "paper", "assisted"])
        assert record.district is not None  # every demo voter lives in a quartier
        for budget in (budgets[""], budgets[record.district.name]):
            if budget.district_id is None and rng.random() < 0.08:
                continue  # some only vote for their quartier
            pool = by_budget[budget.pk]
            k = min(len(pool), rng.choices([1, 2, 3, 4, 5], weights=[10, 20, 30, 22, 18])[0])
            chosen: list[Project] = []
            candidates = list(pool)
            for _ in range(k):
                pick = rng.choices(candidates, weights=[appeal[c.pk] for c in candidates])[0]
                chosen.append(pick)
                candidates.remove(pick)
            receipt = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
            while receipt in used:
                receipt = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
            used.add(receipt)
            ballots.append(
                Ballot(
                    tenant=process.tenant,
                    process=process,
                    budget=budget,
                    voter=record,
                    channel=channel,
                    entered_by=None if channel == "online" else agent,
                    receipt=receipt,
                )
            )
            choices.append(chosen)
    Ballot.objects.bulk_create(ballots, batch_size=1000)
    saved = list(Ballot.objects.filter(process=process).order_by("pk").values_list("pk", flat=True))
    through = Ballot.projects.through
    rows = [
        through(ballot_id=pk, project_id=p.pk)
        for pk, chosen in zip(saved, choices, strict=True)
        for p in chosen
    ]
    through.objects.bulk_create(rows, batch_size=2000)


def _next_edition(ctx, tenant, districts, authors, now) -> None:  # type: ignore[no-untyped-def]
    """The 2027 edition is collecting ideas: visitors can propose and support."""
    rng = ctx.rng
    process = services.process_create(
        actor="demo",
        tenant=tenant,
        title="Budget participatif 2027",
        description=(
            "Déposez vos idées pour votre quartier ou pour toute la commune "
            "jusqu'à la fin du mois prochain."
        ),
        ideas_start=now - timedelta(days=20),
        study_start=now + timedelta(days=40),
        vote_start=now + timedelta(days=120),
        vote_end=now + timedelta(days=150),
    )
    Process.objects.filter(pk=process.pk).update(phase=Phase.IDEAS)
    services.budget_save(actor="demo", process=process, amount=Decimal(200000))
    for district in districts.values():
        services.budget_save(
            actor="demo", process=process, amount=Decimal(100000), district=district
        )
    titles = [
        ("Un kiosque à musique au parc de la Source", "Centre"),
        ("Des nichoirs à martinets sur les bâtiments publics", ""),
        ("Éclairer le chemin du lavoir", "Les Hauts"),
        ("Un ponton de pêche accessible", "Port"),
        ("Des jeux d'eau pour les enfants sur le front de mer", "Plage"),
        ("Une grainothèque à la médiathèque", ""),
        ("Des arceaux vélos devant le collège", "Les Hauts"),
        ("Un espace chiens au parc du Moulin", "Centre"),
    ]
    for title, district_name in titles:
        district = districts.get(district_name)
        lon, lat = _point(rng, district)
        idea = _idea(
            process,
            rng.choice(authors),
            title,
            title + " : une idée simple pour le quartier.",
            district,
            lon,
            lat,
            None,
            now,
            rng,
        )
        Idea.objects.filter(pk=idea.pk).update(created=now - timedelta(days=rng.randint(1, 19)))


def _school_calendar(ctx: DemoContext, tenant: Any, people: list[User], now: Any) -> None:
    """A closed consultation on the school week, with ~400 responses and the answer."""
    rng = ctx.rng
    consultation = services.consultation_create(
        actor="demo",
        tenant=tenant,
        title="Consultation sur les rythmes scolaires",
        description=(
            "Semaine de quatre jours ou de quatre jours et demi ? Familles, enseignants et "
            "animateurs étaient invités à donner leur avis avant la décision du conseil municipal."
        ),
        opens=now - timedelta(days=90),
        closes=now - timedelta(days=45),
        questions=[
            {
                "text": "Quelle organisation de la semaine préférez-vous ?",
                "kind": "single",
                "choices": ["Quatre jours", "Quatre jours et demi (mercredi matin)"],
            },
            {
                "text": "Quelles activités souhaitez-vous le mercredi ?",
                "kind": "multiple",
                "choices": ["Sport", "Culture et musique", "Nature", "Aide aux devoirs"],
                "required": False,
            },
            {
                "text": "Classez ces priorités pour l'accueil périscolaire",
                "kind": "ranking",
                "choices": ["Horaires élargis", "Tarifs", "Qualité des activités"],
            },
            {"text": "Êtes-vous satisfait de l'organisation actuelle ?", "kind": "scale"},
            {"text": "Vos remarques", "kind": "text", "required": False},
        ],
    )
    questions = list(consultation.questions.all())
    responses = []
    for user in rng.sample(people, min(380, len(people))):
        answers: dict[str, Any] = {}
        for q in questions:
            if q.kind == "single":
                answers[str(q.pk)] = rng.choices(q.choices, weights=[62, 38])[0]
            elif q.kind == "multiple":
                answers[str(q.pk)] = [c for c in q.choices if rng.random() < 0.45]
            elif q.kind == "ranking":
                answers[str(q.pk)] = rng.sample(q.choices, len(q.choices))
            elif q.kind == "scale":
                answers[str(q.pk)] = rng.choices([1, 2, 3, 4, 5], weights=[8, 17, 35, 28, 12])[0]
            elif rng.random() < 0.2:
                answers[str(q.pk)] = "Merci de nous consulter."
        responses.append(
            Response(tenant=tenant, consultation=consultation, user=user, answers=answers)
        )
    Response.objects.bulk_create(responses)
    services.consultation_answer(
        actor=ctx.person(VALMONT, "elected"),
        consultation=consultation,
        text=(
            "Merci aux 380 familles et professionnels qui ont répondu. Une large majorité "
            "préfère la semaine de quatre jours : le conseil municipal l'a adoptée pour la "
            "rentrée prochaine. Le mercredi, l'accueil de loisirs proposera du sport, de la "
            "culture et des sorties nature, et ses horaires seront élargis de 7 h 30 à 18 h 30."
        ),
    )
