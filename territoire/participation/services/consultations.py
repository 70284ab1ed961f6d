"""Consultations: creating a questionnaire, answering it, and the official answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territoire.core.audit import audit_record
from territoire.core.models import LocalAuthority, User
from territoire.participation.models import Consultation, Question, QuestionKind, Response

MAX_TEXT = 2000


@transaction.atomic
def consultation_create(
    *,
    actor: Any,
    tenant: LocalAuthority,
    title: str,
    description: str,
    opens: datetime,
    closes: datetime,
    questions: list[dict[str, Any]],
) -> Consultation:
    """Create a questionnaire; each question is {text, kind, choices?, required?}."""
    if closes <= opens:
        raise ValidationError(_("La clôture doit suivre l'ouverture."))
    consultation = Consultation.objects.create(
        tenant=tenant,
        title=title.strip(),
        slug=slugify(title)[:80],
        description=description,
        opens=opens,
        closes=closes,
    )
    for position, q in enumerate(questions):
        kind = q["kind"]
        choices = [str(c) for c in q.get("choices", [])]
        if kind not in QuestionKind.values:
            raise ValidationError(_("Type de question inconnu : %(k)s") % {"k": kind})
        if (
            kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)
            and len(choices) < 2
        ):
            raise ValidationError(_("Une question à choix propose au moins deux choix."))
        Question.objects.create(
            tenant=tenant,
            consultation=consultation,
            position=position,
            text=q["text"],
            kind=kind,
            choices=choices,
            required=q.get("required", True),
        )
    audit_record(
        actor=actor, action="participation.consultation_create", tenant=tenant, obj=consultation
    )
    return consultation


def _clean_answer(question: Question, value: Any) -> Any:
    """The answer in canonical form, or ValidationError naming the question."""
    empty = value in (None, "", [], ())
    if empty:
        if question.required:
            raise ValidationError(_("Répondez à la question « %(q)s ».") % {"q": question.text})
        return None
    choices = question.choices
    bad = ValidationError(_("Réponse invalide à la question « %(q)s ».") % {"q": question.text})
    if question.kind == QuestionKind.SINGLE:
        if value not in choices:
            raise bad
        return value
    if question.kind == QuestionKind.MULTIPLE:
        if not isinstance(value, list) or not set(value) <= set(choices):
            raise bad
        return [c for c in choices if c in value]
    if question.kind == QuestionKind.RANKING:
        if not isinstance(value, list) or sorted(value) != sorted(choices):
            raise ValidationError(
                _("Classez chaque choix une fois à la question « %(q)s ».") % {"q": question.text}
            )
        return list(value)
    if question.kind == QuestionKind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise bad from None
        if not 1 <= number <= 5:
            raise bad
        return number
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(_("Réponse trop longue (2 000 caractères au plus)."))
    return text


@transaction.atomic
def consultation_respond(
    *, user: User, consultation: Consultation, answers: dict[int, Any]
) -> Response:
    """Record (or replace) a person's answers while the consultation is open."""
    if not consultation.is_open():
        raise ValidationError(_("Cette consultation n'est pas ouverte."))
    cleaned = {}
    for question in consultation.questions.all():
        value = _clean_answer(question, answers.get(question.pk))
        if value is not None:
            cleaned[str(question.pk)] = value
    response, _created = Response.objects.update_or_create(
        tenant=consultation.tenant,
        consultation=consultation,
        user=user,
        defaults={"answers": cleaned},
    )
    return response


@transaction.atomic
def consultation_answer(*, actor: User, consultation: Consultation, text: str) -> Consultation:
    """Publish the elected officials' official answer to a consultation."""
    text = text.strip()
    if len(text) < 30:
        raise ValidationError(
            _("La réponse officielle doit être argumentée (30 caractères au moins).")
        )
    consultation.official_answer = text
    consultation.answered_by = actor
    consultation.answered_at = timezone.now()
    consultation.save(update_fields=["official_answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        action="participation.consultation_answer",
        tenant=consultation.tenant,
        obj=consultation,
    )
    return consultation


def consultation_results(consultation: Consultation) -> list[dict[str, Any]]:
    """Aggregates per question (free texts are counted, not published)."""
    questions = list(consultation.questions.all())
    responses = list(consultation.responses.values_list("answers", flat=True))
    out = []
    for q in questions:
        values = [r[str(q.pk)] for r in responses if str(q.pk) in r]
        item: dict[str, Any] = {"question": q, "count": len(values)}
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            counts = {c: 0 for c in q.choices}
            for v in values:
                for c in v if isinstance(v, list) else [v]:
                    counts[c] = counts.get(c, 0) + 1
            item["rows"] = [
                {"label": c, "count": n, "percent": round(100 * n / len(values)) if values else 0}
                for c, n in counts.items()
            ]
        elif q.kind == QuestionKind.RANKING:
            ranks = {c: [] for c in q.choices}  # type: dict[str, list[int]]
            for v in values:
                for position, c in enumerate(v, start=1):
                    ranks.setdefault(c, []).append(position)
            item["rows"] = sorted(
                (
                    {"label": c, "average": round(sum(r) / len(r), 2) if r else None}
                    for c, r in ranks.items()
                ),
                key=lambda row: row["average"] or 99,
            )
        elif q.kind == QuestionKind.SCALE:
            item["average"] = round(sum(values) / len(values), 2) if values else None
            item["rows"] = [{"label": str(n), "count": values.count(n)} for n in range(1, 6)]
        out.append(item)
    return out
