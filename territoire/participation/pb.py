"""Pabulib (.pb) import and export of an envelope's projects and ballots."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from territoire.participation.models import Ballot, Budget, Project
from territoire.participation.rules import PbError, PbFile, dumps, parse
from territoire.participation.rules.model import to_fraction
from territoire.participation.rules.pabulib import format_amount


def export_budget(budget: Budget) -> str:
    """The envelope as a .pb document. Voter ids are sequence numbers, never accounts."""
    process = budget.process
    projects = list(Project.objects.filter(budget=budget, on_ballot=True).order_by("pk"))
    votes: dict[int, int] = {}
    ballots = (
        Ballot.objects.filter(budget=budget)
        .select_related("voter__district")
        .prefetch_related("projects")
        .order_by("pk")
    )
    vote_rows: list[dict[str, str]] = []
    for n, ballot in enumerate(ballots, start=1):
        chosen = sorted(p.pk for p in ballot.projects.all())
        for pk in chosen:
            votes[pk] = votes.get(pk, 0) + 1
        vote_rows.append(
            {
                "voter_id": str(n),
                "vote": ",".join(str(pk) for pk in chosen),
                "sex": ballot.voter.sex,
                "voting_method": {"online": "internet", "paper": "paper", "assisted": "assisted"}[
                    ballot.channel
                ],
                "district": ballot.voter.district.name if ballot.voter.district else "",
            }
        )
    meta: dict[str, Any] = {
        "description": f"{process.title} — {budget}",
        "country": "France",
        "unit": process.tenant.name,
        "instance": str(budget),
        "num_projects": str(len(projects)),
        "num_votes": str(len(vote_rows)),
        "budget": format_amount(to_fraction(budget.amount)),
        "vote_type": "approval",
        "rule": "equal-shares" if process.rule == "equal-shares" else "greedy",
        "date_begin": f"{process.vote_start:%d.%m.%Y}" if process.vote_start else "",
        "date_end": f"{process.vote_end:%d.%m.%Y}" if process.vote_end else "",
        "min_length": str(process.min_choices),
        "max_length": str(process.max_choices),
    }
    return dumps(
        PbFile(
            meta=meta,
            projects=[
                {
                    "project_id": str(p.pk),
                    "cost": format_amount(to_fraction(p.cost)),
                    "votes": str(votes.get(p.pk, 0)),
                    "name": p.title,
                    "category": p.category,
                    "district": str(budget),
                }
                for p in projects
            ],
            votes=vote_rows,
            project_columns=["project_id", "cost", "votes", "name", "category", "district"],
            vote_columns=["voter_id", "vote", "sex", "voting_method", "district"],
        )
    )


def read_pb(text: str) -> PbFile:
    """Parse a .pb document; errors become a French message naming the line."""
    try:
        return parse(text)
    except PbError as exc:
        raise ValidationError(
            _("Fichier .pb invalide, ligne %(line)d : %(msg)s")
            % {"line": exc.line, "msg": exc.message}
        ) from exc


@transaction.atomic
def import_projects(*, actor: Any, budget: Budget, text: str) -> list[Project]:
    """Create the projects of a .pb file on an envelope's ballot (all or nothing)."""
    from territoire.participation.services import project_create

    data = read_pb(text)
    created = []
    for row in data.projects:
        created.append(
            project_create(
                actor=actor,
                process=budget.process,
                budget=budget,
                title=row.get("name") or row["project_id"],
                description=row.get("description", "") or row.get("name", "") or row["project_id"],
                cost=Decimal(row["cost"].replace(",", ".")),
                category=row.get("category", "")[:60],
            )
        )
    return created
