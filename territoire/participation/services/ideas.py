"""Ideas: submission, supports, comments, the study's argued answers, merges, moderation."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territoire.core.audit import audit_record
from territoire.core.models import District, Service, User
from territoire.core.services import notify
from territoire.participation.models import (
    Comment,
    Flag,
    Idea,
    IdeaStatus,
    Phase,
    Process,
    Project,
    Support,
)
from territoire.participation.models.ideas import IDEA_TRANSITIONS

MIN_ANSWER_LENGTH = 30  # an argued answer, not a bare "no"


def _idea_url(idea: Idea) -> str:
    return reverse(
        "participation:idea",
        kwargs={"tenant": idea.tenant.slug, "slug": idea.process.slug, "pk": idea.pk},
    )


@transaction.atomic
def idea_submit(
    *,
    author: User,
    process: Process,
    title: str,
    description: str,
    district: District | None = None,
    lon: float | None = None,
    lat: float | None = None,
    estimated_cost: Decimal | None = None,
) -> Idea:
    """A resident proposes an idea while the ideas phase is open."""
    if process.current_phase() != Phase.IDEAS:
        raise ValidationError(_("Le dépôt des idées n'est pas ouvert."))
    if district is not None and district.tenant_id != process.tenant_id:
        raise ValidationError(_("Ce quartier appartient à une autre collectivité."))
    if (lon is None) != (lat is None):
        raise ValidationError(_("Indiquez la longitude et la latitude, ou aucune des deux."))
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("Ces coordonnées ne sont pas valides."))
    if estimated_cost is not None and estimated_cost < 0:
        raise ValidationError(_("Le coût estimé ne peut pas être négatif."))
    idea = Idea(
        tenant=process.tenant,
        process=process,
        author=author,
        title=title.strip(),
        description=description.strip(),
        district=district,
        lon=lon,
        lat=lat,
        estimated_cost=estimated_cost,
    )
    idea.full_clean()
    idea.save()
    return idea


@transaction.atomic
def idea_support(*, user: User, idea: Idea) -> bool:
    """Support an idea, or withdraw one's support. Returns whether the person now supports it.

    Each person has ``process.supports_per_person`` supports per process.
    """
    process = idea.process
    if process.current_phase() != Phase.IDEAS:
        raise ValidationError(_("Les soutiens ne sont possibles que pendant le dépôt des idées."))
    if idea.hidden:
        raise ValidationError(_("Cette idée est masquée."))
    existing = Support.objects.filter(idea=idea, user=user).first()
    if existing is not None:
        existing.delete()
        Idea.objects.filter(pk=idea.pk).update(supports_count=F("supports_count") - 1)
        return False
    used = Support.objects.filter(idea__process=process, user=user).count()
    if used >= process.supports_per_person:
        raise ValidationError(
            _("Vous avez déjà utilisé vos %(n)d soutiens pour ce budget participatif.")
            % {"n": process.supports_per_person}
        )
    try:
        with transaction.atomic():
            Support.objects.create(tenant=idea.tenant, idea=idea, user=user)
    except IntegrityError:  # a double click: already supported
        return True
    Idea.objects.filter(pk=idea.pk).update(supports_count=F("supports_count") + 1)
    return True


@transaction.atomic
def comment_add(*, author: User, idea: Idea, body: str) -> Comment:
    if idea.hidden:
        raise ValidationError(_("Cette idée est masquée."))
    if idea.process.current_phase() == Phase.DRAFT:
        raise ValidationError(_("Ce budget participatif n'est pas encore ouvert."))
    body = body.strip()
    if not body:
        raise ValidationError(_("Le commentaire est vide."))
    comment = Comment(tenant=idea.tenant, idea=idea, author=author, body=body)
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def flag_add(
    *, user: User, reason: str, idea: Idea | None = None, comment: Comment | None = None
) -> Flag:
    """A resident flags content; past the process's threshold it is hidden pending review."""
    target = idea or comment
    if target is None or (idea is not None and comment is not None):
        raise ValueError("Flag exactly one idea or one comment.")
    reason = reason.strip()[:300] or _("Contenu inapproprié")
    flag, created = Flag.objects.get_or_create(
        tenant=target.tenant,
        idea=idea,
        comment=comment,
        user=user,
        defaults={"reason": reason},
    )
    process = (idea or comment.idea).process  # type: ignore[union-attr]
    pending = Flag.objects.filter(idea=idea, comment=comment, reviewed=False).count()
    if created and pending >= process.flag_threshold and not target.hidden:
        target.hidden = True
        target.hidden_reason = _("Masqué après %(n)d signalements, en attente de modération.") % {
            "n": pending
        }
        target.save(update_fields=["hidden", "hidden_reason"])
        audit_record(
            actor=None,
            action="participation.auto_hide",
            tenant=target.tenant,
            obj=target,
            details={"flags": pending},
        )
    return flag


@transaction.atomic
def moderation_set_hidden(
    *, actor: User, target: Idea | Comment, hidden: bool, reason: str
) -> Idea | Comment:
    """A moderator hides or restores content, with a reason; pending flags are closed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de la décision de modération."))
    target.hidden = hidden
    target.hidden_reason = reason[:300] if hidden else ""
    target.save(update_fields=["hidden", "hidden_reason"])
    if isinstance(target, Idea):
        Flag.objects.filter(idea=target).update(reviewed=True)
    else:
        Flag.objects.filter(comment=target).update(reviewed=True)
    audit_record(
        actor=actor,
        action="participation.hide" if hidden else "participation.restore",
        tenant=target.tenant,
        obj=target,
        details={"reason": reason},
    )
    return target


@transaction.atomic
def idea_answer(
    *,
    actor: User,
    idea: Idea,
    status: str,
    answer: str,
    study_cost: Decimal | None = None,
    service: Service | None = None,
) -> Idea:
    """Record the study's public, argued answer (feasible or not) and notify the author."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if status not in IDEA_TRANSITIONS.get(idea.status, set()) and status != idea.status:
        raise ValidationError(
            _("Une idée « %(a)s » ne peut pas passer à « %(b)s ».")
            % {"a": idea.get_status_display(), "b": status}
        )
    if status == IdeaStatus.MERGED:
        raise ValidationError(_("Pour regrouper des idées, utilisez le regroupement en projet."))
    answer = answer.strip()
    if len(answer) < MIN_ANSWER_LENGTH:
        raise ValidationError(
            _("La réponse doit être argumentée (au moins %(n)d caractères).")
            % {"n": MIN_ANSWER_LENGTH}
        )
    if service is not None and service.tenant_id != idea.tenant_id:
        raise ValidationError(_("Ce service appartient à une autre collectivité."))
    if study_cost is not None and study_cost < 0:
        raise ValidationError(_("Le coût ne peut pas être négatif."))
    before = idea.status
    idea.status = status
    idea.answer = answer
    idea.study_cost = study_cost
    idea.service = service
    idea.answered_at = timezone.now()
    idea.answered_by = actor
    idea.save()
    audit_record(
        actor=actor,
        action="participation.idea_answer",
        tenant=idea.tenant,
        obj=idea,
        details={"from": before, "to": status},
    )
    if idea.author_id:
        notify(
            tenant=idea.tenant,
            user=idea.author,  # type: ignore[arg-type]
            subject=_("Votre idée « %(t)s » a reçu une réponse") % {"t": idea.title[:80]},
            body=answer,
            url=_idea_url(idea),
        )
    return idea


@transaction.atomic
def idea_merge(*, actor: User, ideas: list[Idea], project: Project, answer: str) -> list[Idea]:
    """Merge ideas into one project on the ballot, with one argued answer to all authors."""
    answer = answer.strip()
    if len(answer) < MIN_ANSWER_LENGTH:
        raise ValidationError(
            _("La réponse doit être argumentée (au moins %(n)d caractères).")
            % {"n": MIN_ANSWER_LENGTH}
        )
    merged = []
    for idea in ideas:
        if idea.tenant_id != project.tenant_id or idea.process_id != project.process_id:
            raise ValidationError(
                _("Une idée d'un autre budget participatif ne peut être regroupée.")
            )
        if idea.status == IdeaStatus.MERGED:
            raise ValidationError(_("L'idée « %(t)s » est déjà regroupée.") % {"t": idea.title})
        idea.status = IdeaStatus.MERGED
        idea.project = project
        idea.answer = answer
        idea.answered_at = timezone.now()
        idea.answered_by = actor
        idea.save()
        merged.append(idea)
        if idea.author_id:
            notify(
                tenant=idea.tenant,
                user=idea.author,  # type: ignore[arg-type]
                subject=_("Votre idée « %(t)s » devient un projet") % {"t": idea.title[:80]},
                body=answer,
                url=_idea_url(idea),
            )
    audit_record(
        actor=actor,
        action="participation.idea_merge",
        tenant=project.tenant,
        obj=project,
        details={"ideas": [i.pk for i in merged]},
    )
    return merged
