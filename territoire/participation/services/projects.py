"""Projects on the ballot and the public follow-up of their realisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from territoire.core.audit import audit_record
from territoire.core.models import Service, User
from territoire.core.services import notify
from territoire.participation.models import Budget, Milestone, Process, Project, ProjectFollow
from territoire.participation.models.projects import PROJECT_TRANSITIONS, ProjectStatus


def _project_url(project: Project) -> str:
    return reverse(
        "participation:project",
        kwargs={"tenant": project.tenant.slug, "slug": project.process.slug, "pk": project.pk},
    )


@transaction.atomic
def project_create(
    *,
    actor: Any,
    process: Process,
    budget: Budget,
    title: str,
    description: str,
    cost: Decimal,
    service: Service | None = None,
    category: str = "",
    lon: float | None = None,
    lat: float | None = None,
    on_ballot: bool = True,
) -> Project:
    """Create a project on the ballot of one envelope (often from merged ideas)."""
    if budget.process_id != process.pk:
        raise ValidationError(_("Cette enveloppe n'appartient pas à ce budget participatif."))
    if service is not None and service.tenant_id != process.tenant_id:
        raise ValidationError(_("Ce service appartient à une autre collectivité."))
    if cost <= 0:
        raise ValidationError(_("Le coût d'un projet doit être positif."))
    if cost > budget.amount:
        raise ValidationError(_("Ce projet coûte plus que toute l'enveloppe."))
    project = Project(
        tenant=process.tenant,
        process=process,
        budget=budget,
        title=title.strip(),
        description=description.strip(),
        cost=cost,
        service=service,
        category=category,
        lon=lon,
        lat=lat,
        on_ballot=on_ballot,
    )
    project.full_clean()
    project.save()
    audit_record(
        actor=actor, action="participation.project_create", tenant=process.tenant, obj=project
    )
    return project


def _notify_followers(project: Project, subject: str, body: str) -> None:
    for follow in project.followers.select_related("user"):
        notify(
            tenant=project.tenant,
            user=follow.user,
            subject=subject,
            body=body,
            url=_project_url(project),
        )


@transaction.atomic
def project_set_status(*, actor: Any, project: Project, status: str, reason: str = "") -> Project:
    """Move a winning project along its realisation (state machine in PROJECT_TRANSITIONS)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if status not in PROJECT_TRANSITIONS.get(project.status, set()):
        raise ValidationError(
            _("Un projet « %(a)s » ne peut pas passer à « %(b)s ».")
            % {"a": project.get_status_display(), "b": status}
        )
    before = project.status
    project.status = status
    if status == ProjectStatus.DONE:
        project.progress = 100
    project.save(update_fields=["status", "progress"])
    audit_record(
        actor=actor,
        action="participation.project_status",
        tenant=project.tenant,
        obj=project,
        details={"from": before, "to": status, "reason": reason},
    )
    _notify_followers(
        project,
        _("« %(t)s » : %(s)s") % {"t": project.title[:80], "s": project.get_status_display()},
        reason or _("Le projet que vous suivez a changé de statut."),
    )
    return project


@transaction.atomic
def project_update_progress(*, actor: Any, project: Project, progress: int) -> Project:
    if project.status not in (ProjectStatus.SELECTED, ProjectStatus.IN_PROGRESS):
        raise ValidationError(_("Seul un projet retenu et en cours peut avancer."))
    if not 0 <= progress <= 100:
        raise ValidationError(_("L'avancement est un pourcentage entre 0 et 100."))
    before = project.progress
    project.progress = progress
    project.save(update_fields=["progress"])
    audit_record(
        actor=actor,
        action="participation.project_progress",
        tenant=project.tenant,
        obj=project,
        details={"from": before, "to": progress},
    )
    return project


@transaction.atomic
def milestone_add(
    *,
    actor: Any,
    project: Project,
    when: date,
    title: str,
    description: str = "",
    done: bool = False,
) -> Milestone:
    """Add a dated step to a winning project's follow-up; followers are told."""
    if project.status not in (
        ProjectStatus.SELECTED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.DONE,
    ):
        raise ValidationError(_("Seul un projet retenu a un suivi de réalisation."))
    milestone = Milestone(
        tenant=project.tenant,
        project=project,
        date=when,
        title=title.strip(),
        description=description.strip(),
        done=done,
    )
    milestone.full_clean()
    milestone.save()
    audit_record(
        actor=actor, action="participation.milestone_add", tenant=project.tenant, obj=milestone
    )
    _notify_followers(
        project,
        _("« %(t)s » : nouvelle étape") % {"t": project.title[:80]},
        f"{when:%d/%m/%Y} — {milestone.title}",
    )
    return milestone


@transaction.atomic
def project_follow(*, user: User, project: Project) -> bool:
    """Follow a project (or stop following it). Returns whether the person now follows it."""
    follow = ProjectFollow.objects.filter(project=project, user=user).first()
    if follow is not None:
        follow.delete()
        return False
    ProjectFollow.objects.get_or_create(tenant=project.tenant, project=project, user=user)
    return True
