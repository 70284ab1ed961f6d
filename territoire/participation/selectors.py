"""Reads of the participation module (every query scoped by tenant)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from territoire.core.models import LocalAuthority, User
from territoire.participation.models import (
    Ballot,
    Idea,
    Process,
    Project,
    ResultRun,
    VoterRecord,
)
from territoire.participation.models.ideas import ANSWERED
from territoire.participation.models.projects import WINNING
from territoire.participation.models.voting import AgeBand, Channel, Sex

# Groups smaller than this are not shown in statistics (re-identification risk).
MIN_GROUP = 11


def processes_public(tenant: LocalAuthority) -> QuerySet[Process]:
    return Process.objects.for_tenant(tenant).published()


def process_public(tenant: LocalAuthority, slug: str) -> Process:
    process = processes_public(tenant).filter(slug=slug).first()
    if process is None:
        raise Http404
    return process


def process_staff(tenant: LocalAuthority, slug: str) -> Process:
    process = Process.objects.for_tenant(tenant).filter(slug=slug).first()
    if process is None:
        raise Http404
    return process


def ideas_public(process: Process) -> QuerySet[Idea]:
    return (
        Idea.objects.for_tenant(process.tenant)
        .filter(process=process)
        .visible()
        .select_related("district")
    )


def idea_public(process: Process, pk: int) -> Idea:
    idea = ideas_public(process).select_related("project", "service").filter(pk=pk).first()
    if idea is None:
        raise Http404
    return idea


def answer_rate(process: Process) -> dict[str, Any]:
    """How many contributions got an answer: shown publicly on the process page."""
    counts = (
        Idea.objects.for_tenant(process.tenant)
        .filter(process=process)
        .aggregate(total=Count("pk"), answered=Count("pk", filter=Q(status__in=ANSWERED)))
    )
    total, answered = counts["total"], counts["answered"]
    return {
        "total": total,
        "answered": answered,
        "percent": round(100 * answered / total) if total else 0,
    }


def ballot_projects(process: Process) -> QuerySet[Project]:
    return (
        Project.objects.for_tenant(process.tenant)
        .filter(process=process, on_ballot=True)
        .select_related("budget__district")
        .order_by("budget__district__name", "title")
    )


def project_public(process: Process, pk: int) -> Project:
    project = (
        Project.objects.for_tenant(process.tenant)
        .filter(process=process, pk=pk)
        .select_related("budget__district", "service")
        .first()
    )
    if project is None:
        raise Http404
    return project


def realisation_projects(process: Process) -> QuerySet[Project]:
    return ballot_projects(process).filter(status__in=(*WINNING, "abandoned"))


def voter_record(process: Process, user: User) -> VoterRecord | None:
    if not user.is_authenticated:
        return None
    return (
        VoterRecord.objects.for_tenant(process.tenant)
        .filter(process=process, user=user)
        .select_related("district")
        .first()
    )


def ballots_of(record: VoterRecord | None) -> dict[int, Ballot]:
    if record is None:
        return {}
    return {
        b.budget_id: b for b in Ballot.objects.filter(voter=record).prefetch_related("projects")
    }


def published_results(process: Process) -> list[dict[str, Any]]:
    """Per envelope: the published run with each project's title, ready for the page."""
    latest: dict[int, ResultRun] = {}
    runs = ResultRun.objects.for_tenant(process.tenant).filter(process=process, published=True)
    for run in runs.select_related("budget__district").order_by("computed_at", "pk"):
        latest[run.budget_id] = run
    titles = dict(
        Project.objects.for_tenant(process.tenant)
        .filter(process=process)
        .values_list("pk", "title")
    )
    sections = []
    for run in latest.values():
        greedy_selected = set(run.greedy.get("selected", []))
        rows = []
        for pid, data in run.outcome["projects"].items():
            rows.append(
                {
                    "id": pid,
                    "title": titles.get(int(pid), pid),
                    "in_greedy": pid in greedy_selected,
                    **data,
                }
            )
        rows.sort(key=lambda r: (not r["selected"], r["round"] or 0, -r["votes"]))
        sections.append({"run": run, "budget": run.budget, "rows": rows})
    sections.sort(key=lambda s: (s["budget"].district_id is not None, str(s["budget"])))  # type: ignore[attr-defined]
    return sections


def turnout(process: Process) -> dict[str, list[dict[str, Any]]]:
    """Voters by quartier, age band and sex; groups under MIN_GROUP people are masked."""
    # Voters who cast at least one ballot (a subquery, so that values_list counts people).
    voted = Ballot.objects.filter(process=process).values("voter_id")
    voters = VoterRecord.objects.for_tenant(process.tenant).filter(process=process, pk__in=voted)
    out: dict[str, list[dict[str, Any]]] = {}
    by_district = Counter(voters.values_list("district__name", flat=True))
    populations: dict[str, int] = {
        b.district.name: b.district.population or 0
        for b in process.budgets.exclude(district=None).select_related("district")
        if b.district is not None
    }

    out["district"] = [
        {
            "label": name or "—",
            "count": n if n >= MIN_GROUP else None,
            "rate": round(100 * n / populations[name], 1)
            if n >= MIN_GROUP and populations.get(name)
            else None,
        }
        for name, n in sorted(by_district.items(), key=lambda kv: kv[0] or "")
    ]
    ages = Counter(voters.values_list("age_band", flat=True))
    out["age"] = [
        {"label": label, "count": ages[v] if ages[v] >= MIN_GROUP else None}
        for v, label in AgeBand.choices
    ]
    sexes = Counter(voters.values_list("sex", flat=True))
    out["sex"] = [
        {"label": label, "count": sexes[v] if sexes[v] >= MIN_GROUP else None}
        for v, label in Sex.choices
    ]
    channels = Counter(
        Ballot.objects.for_tenant(process.tenant)
        .filter(process=process)
        .values_list("channel", flat=True)
    )
    out["channel"] = [
        {"label": label, "count": channels[v] if channels[v] >= MIN_GROUP else None}
        for v, label in Channel.choices
    ]
    return out


def idea_themes(process: Process) -> list[tuple[str, int]]:
    return list(
        Project.objects.for_tenant(process.tenant)
        .filter(process=process)
        .exclude(category="")
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
