"""Winner computation for each envelope, and publication of the results."""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from territoire.core import events
from territoire.core.audit import audit_record
from territoire.core.models import User
from territoire.core.services import notify
from territoire.participation.models import Ballot, Budget, Phase, Process, Project, ResultRun
from territoire.participation.models.process import Rule
from territoire.participation.models.projects import ProjectStatus
from territoire.participation.rules import Election, Outcome, equal_shares, greedy
from territoire.participation.rules.model import Project as RuleProject
from territoire.participation.rules.model import Utility, to_fraction


def _money(value: Fraction | float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def outcome_as_json(outcome: Outcome) -> dict[str, Any]:
    """The outcome in plain JSON: amounts in euros rounded to the cent (for display)."""
    return {
        "rule": outcome.rule,
        "selected": outcome.selected,
        "cost": _money(outcome.cost),
        "budget": _money(outcome.budget),
        "voter_budget": _money(outcome.voter_budget),
        "increments": outcome.increments,
        "projects": {
            pid: {
                "votes": r.votes,
                "cost": _money(r.cost),
                "selected": r.selected,
                "reason": r.reason,
                "round": r.round,
                "share": _money(r.share),
                "payers": r.payers,
                "capped": r.capped,
                "available": _money(r.available),
            }
            for pid, r in outcome.results.items()
        },
    }


def election_for(budget: Budget) -> Election:
    """The envelope's projects on the ballot and its ballots, as the rules expect them."""
    projects = list(
        Project.objects.filter(budget=budget, on_ballot=True)
        .order_by("pk")
        .values_list("pk", "cost")
    )
    choices: dict[int, set[str]] = defaultdict(set)
    ballot_ids = list(Ballot.objects.filter(budget=budget).values_list("pk", flat=True))
    through = Ballot.projects.through.objects.filter(ballot__budget=budget)
    for ballot_id, project_id in through.values_list("ballot_id", "project_id").iterator():
        choices[ballot_id].add(str(project_id))
    return Election(
        projects=[RuleProject(str(pk), to_fraction(cost)) for pk, cost in projects],
        budget=to_fraction(budget.amount),
        ballots=[frozenset(choices[b]) for b in ballot_ids],
    )


@transaction.atomic
def results_compute(*, actor: Any, process: Process) -> list[ResultRun]:
    """Compute the winners of every envelope with the process's rule, and greedy beside it.

    Results stay unpublished until :func:`results_publish`; computing again is allowed
    (e.g. after a late paper ballot) until then.
    """
    if process.vote_is_open():
        raise ValidationError(_("Le vote est encore ouvert : attendez sa clôture."))
    if process.results.filter(published=True).exists():
        raise ValidationError(_("Les résultats sont déjà publiés."))
    runs = []
    for budget in process.budgets.all():
        election = election_for(budget)
        by_votes = greedy(election)
        if process.rule == Rule.GREEDY:
            main = by_votes
        else:
            utility: Utility = "cardinality" if process.cardinality_utility else "cost"
            main = equal_shares(election, utility=utility, completion="add1-greedy")
        runs.append(
            ResultRun.objects.create(
                tenant=process.tenant,
                process=process,
                budget=budget,
                rule=main.rule,
                ballots=election.voter_count,
                outcome=outcome_as_json(main),
                greedy=outcome_as_json(by_votes),
                computed_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    audit_record(
        actor=actor,
        action="participation.results_compute",
        tenant=process.tenant,
        obj=process,
        details={"runs": [r.pk for r in runs]},
    )
    return runs


def latest_runs(process: Process) -> list[ResultRun]:
    latest: dict[int, ResultRun] = {}
    for run in process.results.select_related("budget__district").order_by("computed_at", "pk"):
        latest[run.budget_id] = run
    return list(latest.values())


@transaction.atomic
def results_publish(*, actor: User | str, process: Process) -> list[ResultRun]:
    """Publish the latest computed results; winners become "retenu", the others not."""
    runs = latest_runs(process)
    if not runs:
        raise ValidationError(_("Calculez d'abord les résultats."))
    if process.vote_is_open():
        raise ValidationError(_("Le vote est encore ouvert : attendez sa clôture."))
    for run in runs:
        run.published = True
        run.save(update_fields=["published"])
        winners = {int(pid) for pid in run.outcome["selected"]}
        for project in Project.objects.filter(budget=run.budget, on_ballot=True):
            if project.status != ProjectStatus.CANDIDATE:
                continue
            project.status = (
                ProjectStatus.SELECTED if project.pk in winners else ProjectStatus.NOT_SELECTED
            )
            project.save(update_fields=["status"])
            for follow in project.followers.select_related("user"):
                notify(
                    tenant=process.tenant,
                    user=follow.user,
                    subject=(
                        _("« %(t)s » est retenu")
                        if project.pk in winners
                        else _("« %(t)s » n'est pas retenu")
                    )
                    % {"t": project.title[:80]},
                    body=_("Les résultats du vote sont publiés, avec leur explication."),
                    url=reverse(
                        "participation:results",
                        kwargs={"tenant": process.tenant.slug, "slug": process.slug},
                    ),
                )
    if process.current_phase() in (Phase.VOTE, Phase.STUDY):
        process.phase = Phase.RESULTS
        process.save(update_fields=["phase"])
    audit_record(
        actor=actor,
        action="participation.results_publish",
        tenant=process.tenant,
        obj=process,
        details={"runs": [r.pk for r in runs]},
    )
    # The open-data datasets fed by these results refresh now, not at the next schedule.
    for code in ("participation.budget_results", "participation.turnout"):
        events.publish(
            events.DatasetSourceChanged(
                tenant_id=process.tenant_id, source_code=code, details={"process": process.pk}
            )
        )
    return runs
