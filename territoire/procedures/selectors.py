"""Reads of the procedures module: catalogue, dossiers, inbox counts and statistics."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from territoire.core.models import LocalAuthority, Membership, Service, User
from territoire.procedures.models import (
    Dossier,
    DossierState,
    Procedure,
)

ABANDON_AFTER_DAYS = 7  # a draft untouched for a week counts as abandoned


def catalogue(tenant: LocalAuthority, *, q: str = "", theme: str = "") -> QuerySet[Procedure]:
    qs = Procedure.objects.for_tenant(tenant).visible().select_related("service")
    if theme:
        qs = qs.filter(theme=theme)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q) | Q(theme__icontains=q))
    return qs.order_by("theme", "title")


def themes(tenant: LocalAuthority) -> list[str]:
    return list(
        Procedure.objects.for_tenant(tenant)
        .visible()
        .order_by("theme")
        .values_list("theme", flat=True)
        .distinct()
    )


def resident_dossiers(tenant: LocalAuthority, user: User) -> QuerySet[Dossier]:
    """A resident only ever sees their own dossiers."""
    return (
        Dossier.objects.for_tenant(tenant).of(user).select_related("procedure").order_by("-updated")
    )


def resident_dossier(tenant: LocalAuthority, user: User, reference: str) -> Dossier | None:
    return (
        resident_dossiers(tenant, user)
        .select_related("version", "procedure__service")
        .filter(reference=reference)
        .first()
    )


def staff_dossiers(tenant: LocalAuthority) -> QuerySet[Dossier]:
    """What the services see: filed dossiers (drafts stay private to the resident)."""
    return (
        Dossier.objects.for_tenant(tenant)
        .filed()
        .select_related("procedure", "procedure__service", "applicant", "assigned_to")
    )


def state_counts(qs: QuerySet[Dossier]) -> list[dict[str, Any]]:
    counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    return [
        {"state": s.value, "label": s.label, "count": counts.get(s.value, 0)}
        for s in DossierState
        if s != DossierState.DRAFT
    ]


def tenant_agents(tenant: LocalAuthority) -> QuerySet[User]:
    ids = Membership.objects.for_tenant(tenant).active().staff().values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "email")


def services_of(tenant: LocalAuthority, user: Any) -> QuerySet[Service]:
    """The services an agent belongs to in this tenant."""
    return (
        Service.objects.for_tenant(tenant)
        .filter(membership__user=user, membership__is_active=True)
        .distinct()
    )


def all_labels(tenant: LocalAuthority) -> list[str]:
    labels: set[str] = set()
    for row in (
        Dossier.objects.for_tenant(tenant)
        .exclude(labels=[])
        .values_list("labels", flat=True)[:2000]
    ):
        labels |= set(row or [])
    return sorted(labels)


# --- Statistics --------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class ProcedureStats:
    weeks: list[dict[str, Any]] = field(default_factory=list)  # {"week": date, "count": n}
    decided: int = 0
    accepted: int = 0
    refused: int = 0
    closed: int = 0
    decided_30d: int = 0
    p50_days: float | None = None
    p90_days: float | None = None
    started: int = 0
    abandoned: int = 0

    def share(self, n: int) -> float | None:
        return round(100 * n / self.decided, 1) if self.decided else None

    @property
    def accepted_share(self) -> float | None:
        return self.share(self.accepted)

    @property
    def refused_share(self) -> float | None:
        return self.share(self.refused)

    @property
    def closed_share(self) -> float | None:
        return self.share(self.closed)

    @property
    def abandonment_rate(self) -> float | None:
        return round(100 * self.abandoned / self.started, 1) if self.started else None

    @property
    def max_week(self) -> int:
        return max((w["count"] for w in self.weeks), default=0)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def procedure_stats(
    procedure: Procedure, *, now: datetime | None = None, weeks: int = 52
) -> ProcedureStats:
    """Dossiers per week, shares of decisions, p50/p90 processing time, abandonment.

    Shares count decisions of the last 12 months; processing times are those of the
    dossiers decided in the last 30 days (from first filing to decision); abandonment
    is the share of dossiers started in the last 12 months (and more than a week ago)
    never filed.
    """
    now = now or timezone.now()
    year_ago = now - timedelta(days=365)
    base = Dossier.objects.filter(procedure=procedure)
    stats = ProcedureStats()
    first_week = _monday(timezone.localdate(now) - timedelta(weeks=weeks - 1))
    per_week = {
        (row["week"].date() if isinstance(row["week"], datetime) else row["week"]): row["n"]
        for row in base.exclude(submitted_at=None)
        .filter(submitted_at__date__gte=first_week)
        .annotate(week=TruncWeek("submitted_at"))
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
    }
    stats.weeks = [
        {
            "week": first_week + timedelta(weeks=i),
            "count": per_week.get(first_week + timedelta(weeks=i), 0),
        }
        for i in range(weeks)
    ]
    decisions = dict(
        base.filter(decided_at__gte=year_ago)
        .filter(state__in=[DossierState.ACCEPTED, DossierState.REFUSED, DossierState.CLOSED])
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    stats.accepted = decisions.get(DossierState.ACCEPTED, 0)
    stats.refused = decisions.get(DossierState.REFUSED, 0)
    stats.closed = decisions.get(DossierState.CLOSED, 0)
    stats.decided = stats.accepted + stats.refused + stats.closed
    durations = [
        (decided - submitted).total_seconds() / 86400
        for submitted, decided in base.filter(
            decided_at__gte=now - timedelta(days=30), submitted_at__isnull=False
        ).values_list("submitted_at", "decided_at")
        if submitted is not None and decided is not None
    ]
    stats.decided_30d = len(durations)
    p50, p90 = percentile(durations, 50), percentile(durations, 90)
    stats.p50_days = round(p50, 1) if p50 is not None else None
    stats.p90_days = round(p90, 1) if p90 is not None else None
    started = base.filter(
        created__gte=year_ago, created__lt=now - timedelta(days=ABANDON_AFTER_DAYS)
    )
    stats.started = started.count()
    stats.abandoned = started.filter(submitted_at=None).count()
    return stats


def chart_bars(
    stats: ProcedureStats, *, width: int = 640, height: int = 160
) -> list[dict[str, Any]]:
    """Bar geometry of the inline SVG chart (no JavaScript)."""
    n = len(stats.weeks) or 1
    step = width / n
    top = stats.max_week or 1
    bars = []
    for i, w in enumerate(stats.weeks):
        h = round(w["count"] / top * (height - 20), 1)
        bars.append(
            {
                "x": round(i * step + 1, 1),
                "y": round(height - h, 1),
                "w": round(max(step - 2, 1), 1),
                "h": h,
                "week": w["week"],
                "count": w["count"],
            }
        )
    return bars
