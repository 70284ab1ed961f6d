"""Writes of the reports module. Each service is one transaction and leaves its trace.

Views, the Open311 API, the sensor-alert subscriber and the demo call these functions.
Every status change goes through :func:`report_transition`, which checks the state
machine (``models.TRANSITIONS``), writes the history line, the audit entry, tells the
followers and publishes :class:`territoire.core.events.ReportStatusChanged`.
"""

from __future__ import annotations

import io
import secrets
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from territoire.core import events
from territoire.core.audit import audit_record
from territoire.core.geo import contains
from territoire.core.models import District, LocalAuthority, Service, User
from territoire.core.services import notify
from territoire.reports.models import (
    CLOSED_STATUSES,
    MAX_DESCRIPTION,
    TRANSITIONS,
    Category,
    Follower,
    Report,
    ReportPhoto,
    ReportUpdate,
    Source,
    Status,
    UpdateKind,
)

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_MAX_SIDE = 1280
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


def reopen_days() -> int:
    return int(getattr(settings, "REPORTS_REOPEN_DAYS", 30))


def similar_radius_m() -> int:
    return int(getattr(settings, "REPORTS_SIMILAR_RADIUS_M", 150))


def _version_key(tenant_id: int) -> str:
    return f"reports:version:{tenant_id}"


def touch(tenant_id: int) -> None:
    """Invalidate the cached Open311 lists of this tenant (called after every write).

    The version changes at once and again when the transaction commits: a list read
    between the two (under the first new version, from data not yet committed) is
    cached under a key that nobody asks for any more.
    """
    key = _version_key(tenant_id)
    cache.set(key, time.time_ns(), None)
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), None))


def data_version(tenant_id: int) -> int:
    """The tenant's data version, part of every cached list's key.

    A missing version (cache restarted, key evicted) is created rather than read as 0,
    so that a version number never stands for two different states of the data.
    """
    key = _version_key(tenant_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        version = cache.get(key, 0)
    return int(version)


# --- Categories ---------------------------------------------------------------------


def validate_attribute_definitions(attributes: Any) -> list[dict[str, Any]]:
    """Check a list of Open311 attribute definitions; return it normalised."""
    if not isinstance(attributes, list):
        raise ValidationError(_("Les questions doivent être une liste."))
    clean = []
    seen = set()
    for order, item in enumerate(attributes, start=1):
        if not isinstance(item, dict) or not str(item.get("code", "")).strip():
            raise ValidationError(_("Chaque question a un code."))
        code = str(item["code"]).strip()
        if code in seen:
            raise ValidationError(_("Le code de question « %(c)s » est en double.") % {"c": code})
        seen.add(code)
        datatype = item.get("datatype", "string")
        if datatype not in DATATYPES:
            raise ValidationError(_("Type de question inconnu : %(t)s") % {"t": datatype})
        values = [
            {"key": str(v["key"]), "name": str(v.get("name", v["key"]))}
            for v in item.get("values") or []
            if isinstance(v, dict) and "key" in v
        ]
        if datatype.endswith("valuelist") and not values:
            raise ValidationError(
                _("La question « %(c)s » est une liste : donnez ses valeurs.") % {"c": code}
            )
        clean.append(
            {
                "code": code,
                "variable": bool(item.get("variable", True)),
                "datatype": datatype,
                "required": bool(item.get("required", False)),
                "datatype_description": str(item.get("datatype_description", "")),
                "order": int(item.get("order", order)),
                "description": str(item.get("description", code)),
                "values": values,
            }
        )
    return sorted(clean, key=lambda a: a["order"])


@transaction.atomic
def category_save(
    *,
    actor: Any,
    tenant: LocalAuthority,
    service_code: str,
    name: str,
    category: Category | None = None,
    **fields: Any,
) -> Category:
    """Create or update a category (its Open311 service)."""
    if category is not None and category.tenant_id != tenant.pk:
        raise ValidationError(_("Cette catégorie appartient à une autre collectivité."))
    service = fields.get("service")
    if service is not None and service.tenant_id != tenant.pk:
        raise ValidationError(_("Une équipe d'une autre collectivité ne peut pas être choisie."))
    if "attributes" in fields:
        fields["attributes"] = validate_attribute_definitions(fields["attributes"])
    is_new = category is None
    category = category or Category(tenant=tenant)
    category.service_code = service_code
    category.name = name
    for key, value in fields.items():
        setattr(category, key, value)
    category.full_clean()
    category.save()
    audit_record(
        actor=actor,
        action="reports.category_create" if is_new else "reports.category_update",
        tenant=tenant,
        obj=category,
    )
    touch(tenant.pk)
    return category


# --- Validation helpers -------------------------------------------------------------


def locate(tenant: LocalAuthority, lon: float, lat: float) -> District | None:
    """The district holding the point; ValidationError if it lies outside the territory.

    The territory is the union of the tenant's districts; a tenant that has drawn none
    accepts any valid WGS 84 point.
    """
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(_("Coordonnées invalides (longitude, latitude en WGS 84)."))
    districts = list(District.objects.for_tenant(tenant))
    for district in districts:
        if contains(district.geometry, lon, lat):
            return district
    if districts:
        raise ValidationError(_("Ce point est en dehors du territoire de %(t)s.") % {"t": tenant})
    return None


def clean_attributes(category: Category, raw: dict[str, Any]) -> dict[str, Any]:
    """Check answers to the category's questions; ValidationError lists every problem."""
    answers: dict[str, Any] = {}
    errors = []
    for attr in category.attributes or []:
        if not attr.get("variable", True):
            continue
        code = attr["code"]
        value = raw.get(code)
        values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            if attr.get("required"):
                errors.append(
                    _("La question « %(q)s » (attribute[%(c)s]) est obligatoire.")
                    % {"q": attr.get("description") or code, "c": code}
                )
            continue
        datatype = attr.get("datatype", "string")
        keys = {v["key"] for v in attr.get("values", [])}
        if datatype == "number":
            try:
                answers[code] = float(values[0].replace(",", "."))
            except ValueError:
                errors.append(_("« %(c)s » doit être un nombre.") % {"c": code})
        elif datatype == "datetime":
            if parse_iso_datetime(values[0]) is None:
                errors.append(_("« %(c)s » doit être une date ISO 8601.") % {"c": code})
            else:
                answers[code] = values[0]
        elif datatype in ("singlevaluelist", "multivaluelist"):
            wrong = [v for v in values if v not in keys]
            if wrong or (datatype == "singlevaluelist" and len(values) > 1):
                errors.append(_("Valeur non prévue pour « %(c)s ».") % {"c": code})
            else:
                answers[code] = values if datatype == "multivaluelist" else values[0]
        else:
            answers[code] = values[0][:1000]
    if errors:
        raise ValidationError(errors)
    return answers


def parse_iso_datetime(value: str) -> datetime | None:
    """An aware datetime from ISO 8601 text (a date alone means midnight), or None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def clean_photo(data: bytes) -> tuple[bytes, int, int]:
    """Check an upload by content (JPEG, PNG or WebP) and re-encode it as a JPEG.

    The image is turned upright from its EXIF orientation, resized to 1280 px at most
    and saved without any metadata: EXIF, GPS position and camera data are dropped.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(_("La photo dépasse 10 Mo."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in PHOTO_FORMATS:
            raise ValidationError(_("La photo doit être une image JPEG, PNG ou WebP."))
        with Image.open(io.BytesIO(data)) as original:
            img = ImageOps.exif_transpose(original) or original
            img = img.convert("RGB")
            img.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=80, optimize=True)
            width, height = img.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(_("Ce fichier n'est pas une image lisible.")) from exc
    return out.getvalue(), width, height


# --- Submission ---------------------------------------------------------------------


@dataclass
class Submission:
    category: Category
    description: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    address_id: str = ""
    zipcode: str = ""
    attributes: dict[str, Any] | None = None
    media_url: str = ""


def _check_submission(tenant: LocalAuthority, sub: Submission) -> tuple[District | None, dict]:
    errors: dict[str, list[str]] = {}
    if sub.category.tenant_id != tenant.pk or not sub.category.is_active:
        errors["category"] = [_("Catégorie inconnue.")]
    if len(sub.description) > MAX_DESCRIPTION:
        errors["description"] = [
            _("La description dépasse %(n)s caractères.") % {"n": f"{MAX_DESCRIPTION:,}"}
        ]
    district = None
    has_point = sub.lon is not None and sub.lat is not None
    if (sub.lon is None) != (sub.lat is None):
        errors["location"] = [_("Donnez la longitude et la latitude, ou aucune des deux.")]
    elif has_point:
        try:
            district = locate(tenant, float(sub.lon), float(sub.lat))  # type: ignore[arg-type]
        except ValidationError as exc:
            errors["location"] = exc.messages
    elif not sub.address.strip() and not sub.address_id.strip():
        errors["location"] = [_("Indiquez un lieu : une adresse, une description ou un point.")]
    answers: dict[str, Any] = {}
    if "category" not in errors:
        try:
            answers = clean_attributes(sub.category, sub.attributes or {})
        except ValidationError as exc:
            errors["attributes"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return district, answers


@transaction.atomic
def report_submit(
    *,
    tenant: LocalAuthority,
    submission: Submission,
    reporter: User | None = None,
    email: str = "",
    photos: list[bytes] | None = None,
    source: str = Source.WEB,
    api_key: Any = None,
    internal: bool = False,
    source_ref: str = "",
    now: datetime | None = None,
) -> Report:
    """File a report. Anonymous web reports wait for their e-mail confirmation.

    Everything is checked before anything is written: a bad photo or an answer missing
    saves nothing.
    """
    district, answers = _check_submission(tenant, submission)
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("Trois photos au plus.")]})
    cleaned_photos = []
    for raw in photos:
        try:
            cleaned_photos.append(clean_photo(raw))
        except ValidationError as exc:
            raise ValidationError({"photos": exc.messages}) from exc
    email = (email or "").strip().lower()
    needs_confirmation = source == Source.WEB and reporter is None
    if needs_confirmation and not email:
        raise ValidationError(
            {"email": [_("Donnez votre adresse électronique pour confirmer le signalement.")]}
        )
    now = now or timezone.now()
    report = Report.objects.create(
        tenant=tenant,
        category=submission.category,
        status=Status.UNCONFIRMED if needs_confirmation else Status.NEW,
        description=submission.description.strip(),
        lon=submission.lon,
        lat=submission.lat,
        address=submission.address.strip()[:255],
        address_id=submission.address_id.strip()[:80],
        zipcode=submission.zipcode.strip()[:10],
        district=district,
        attributes=answers,
        media_url=submission.media_url[:500],
        reporter=reporter,
        reporter_email="" if reporter is not None else email,
        confirmation_token=secrets.token_urlsafe(32) if needs_confirmation else "",
        token=secrets.token_hex(16),
        source=source,
        source_ref=source_ref,
        api_key=api_key,
        internal=internal,
        requested_at=now,
        updated_at=now,
        expected_at=now + timedelta(days=14),
    )
    ReportPhoto.objects.bulk_create(
        [
            ReportPhoto(tenant=tenant, report=report, data=data, width=w, height=h)
            for data, w, h in cleaned_photos
        ]
    )
    if reporter is not None:
        Follower.objects.create(tenant=tenant, report=report, user=reporter)
    if needs_confirmation:
        _send_confirmation(report)
    else:
        _route(report)
        events.publish(
            events.ReportStatusChanged(
                tenant_id=tenant.pk,
                report_id=report.pk,
                status=report.status,
                category_code=submission.category.service_code,
            )
        )
    touch(tenant.pk)
    return report


def report_url(report: Report) -> str:
    return reverse("reports:detail", kwargs={"tenant": report.tenant.slug, "pk": report.pk})


# The site's address for links in e-mails: the views set it from the request (services
# stay HTTP-free); ``TERRITOIRE_BASE_URL`` serves tasks and the CLI.
site_url: ContextVar[str] = ContextVar("reports_site_url", default="")


def _absolute(path: str) -> str:
    base = site_url.get() or getattr(settings, "TERRITOIRE_BASE_URL", "") or ""
    return base.rstrip("/") + path


def _send_confirmation(report: Report) -> None:
    link = _absolute(
        reverse(
            "reports:confirm",
            kwargs={"tenant": report.tenant.slug, "token": report.confirmation_token},
        )
    )
    subject = f"[{report.tenant.name}] " + _("Confirmez votre signalement")
    body = _(
        "Bonjour,\n\nVous avez signalé un problème (%(cat)s) à %(tenant)s. Pour le publier, "
        "ouvrez ce lien et confirmez :\n\n%(link)s\n\nSi vous n'êtes pas à l'origine de ce "
        "signalement, ignorez ce message : il sera supprimé."
    ) % {"cat": report.category, "tenant": report.tenant.name, "link": link}
    recipient = report.reporter_email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


def _route(report: Report) -> None:
    """Send a newly published report to its team or external operator."""
    category = report.category
    if category is None:
        return
    if category.service_id and report.assigned_service_id is None:
        report.assigned_service_id = category.service_id
        report.save(update_fields=["assigned_service"])
    if category.operator_email:
        subject = f"[{report.tenant.name}] " + _("Signalement n° %(n)s : %(c)s") % {
            "n": report.pk,
            "c": category.name,
        }
        body = "\n".join(
            [
                report.description,
                "",
                _("Lieu : %(p)s") % {"p": report.place},
                _absolute(report_url(report)),
            ]
        )
        to = category.operator_email
        transaction.on_commit(lambda: send_mail(subject, body, None, [to]))
    if category.operator_webhook:
        from territoire.reports.tasks import post_webhook

        pk = report.pk
        transaction.on_commit(lambda: post_webhook.enqueue(pk))


@transaction.atomic
def report_confirm(*, tenant: LocalAuthority, token: str) -> Report:
    """Publish an anonymous report whose author opened the e-mailed link."""
    report = (
        Report.objects.for_tenant(tenant)
        .select_for_update()
        .filter(confirmation_token=token, status=Status.UNCONFIRMED)
        .first()
    )
    if not token or report is None:
        raise ValidationError(_("Ce lien de confirmation n'est pas valable ou a déjà servi."))
    report.confirmation_token = ""
    report.save(update_fields=["confirmation_token"])
    return report_transition(
        actor=None, report=report, to=Status.NEW, text="", audit=False, notify_followers=False
    )


# --- The state machine --------------------------------------------------------------


def _check_same_tenant(report: Report, *others: Any) -> None:
    for other in others:
        if other is not None and getattr(other, "tenant_id", report.tenant_id) != report.tenant_id:
            raise ValidationError(_("Cet élément appartient à une autre collectivité."))


@transaction.atomic
def report_transition(
    *,
    actor: Any,
    report: Report,
    to: str,
    text: str = "",
    audit: bool = True,
    notify_followers: bool = True,
    details: dict[str, Any] | None = None,
) -> Report:
    """Move ``report`` to status ``to`` if the state machine allows it."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("tenant", "category")
        .get(pk=report.pk)
    )
    before = report.status
    if to not in TRANSITIONS.get(before, frozenset()):
        raise ValidationError(
            _("Impossible de passer de « %(a)s » à « %(b)s ».")
            % {"a": Status(before).label, "b": Status(to).label if to in Status.values else to}
        )
    now = timezone.now()
    report.status = to
    report.updated_at = now
    if to in CLOSED_STATUSES:
        report.closed_at = now
        report.status_notes = text.strip()
    elif before in CLOSED_STATUSES:
        report.closed_at = None
        report.status_notes = ""
    elif text.strip():
        report.status_notes = text.strip()
    report.save()
    person = actor if getattr(actor, "is_authenticated", False) else None
    ReportUpdate.objects.create(
        tenant=report.tenant,
        report=report,
        kind=UpdateKind.STATUS,
        status_from=before,
        status_to=to,
        text=text.strip(),
        author=person,
        created=now,
    )
    if audit:
        audit_record(
            actor=actor,
            action="reports.transition",
            tenant=report.tenant,
            obj=report,
            details={"from": before, "to": to, **(details or {})},
        )
    if before == Status.UNCONFIRMED:
        _route(report)
    if notify_followers:
        _notify(
            report,
            _("Signalement n° %(n)s : %(s)s") % {"n": report.pk, "s": Status(to).label},
            text.strip()
            or _("Le statut de votre signalement a changé : %(s)s.") % {"s": Status(to).label},
        )
    events.publish(
        events.ReportStatusChanged(
            tenant_id=report.tenant_id,
            report_id=report.pk,
            status=to,
            category_code=report.category.service_code if report.category else "",
            closed=to in CLOSED_STATUSES,
        )
    )
    if to in CLOSED_STATUSES and report.source == Source.SENSOR and report.source_ref:
        source, _sep, ref = report.source_ref.partition(":")
        events.publish(
            events.InterventionClosed(
                tenant_id=report.tenant_id,
                intervention_id=report.pk,
                source=source,
                source_ref=ref,
                closed_at=now,
            )
        )
    touch(report.tenant_id)
    return report


def _notify(report: Report, subject: str, body: str) -> None:
    url = _absolute(report_url(report))
    for follower in report.followers.select_related("user"):
        notify(tenant=report.tenant, user=follower.user, subject=subject, body=body, url=url)
    if report.reporter_id is None and report.reporter_email and report.status != "unconfirmed":
        to = report.reporter_email
        full = f"[{report.tenant.name}] {subject}"
        text = f"{body}\n\n{url}"
        transaction.on_commit(lambda: send_mail(full, text, None, [to]))


def _reason_required(text: str, message: str) -> str:
    if not text.strip():
        raise ValidationError({"text": [message]})
    return text.strip()


@transaction.atomic
def report_acknowledge(*, actor: Any, report: Report, text: str = "") -> Report:
    return report_transition(actor=actor, report=report, to=Status.ACKNOWLEDGED, text=text)


@transaction.atomic
def report_start(*, actor: Any, report: Report, text: str = "") -> Report:
    return report_transition(actor=actor, report=report, to=Status.IN_PROGRESS, text=text)


@transaction.atomic
def report_requalify(*, actor: Any, report: Report, category: Category) -> Report:
    """Change the category (and route to its team if the report has none yet)."""
    _check_same_tenant(report, category)
    if report.category_id == category.pk:
        return report
    before = report.category.service_code if report.category else ""
    report.category = category
    if category.service_id:
        report.assigned_service_id = category.service_id
    report.updated_at = timezone.now()
    report.save(update_fields=["category", "assigned_service", "updated_at"])
    ReportUpdate.objects.create(
        tenant=report.tenant,
        report=report,
        kind=UpdateKind.PUBLIC,
        text=_("Catégorie corrigée : %(c)s.") % {"c": category.name},
        author=actor if getattr(actor, "is_authenticated", False) else None,
        created=report.updated_at,
    )
    audit_record(
        actor=actor,
        action="reports.requalify",
        tenant=report.tenant,
        obj=report,
        details={"from": before, "to": category.service_code},
    )
    touch(report.tenant_id)
    return report


@transaction.atomic
def report_merge(*, actor: Any, report: Report, into: Report) -> Report:
    """Close ``report`` as a duplicate of ``into``; its followers now follow ``into``."""
    _check_same_tenant(report, into)
    if into.pk == report.pk:
        raise ValidationError({"into": [_("Un signalement ne peut pas être son propre doublon.")]})
    if not into.is_open or (into.internal != report.internal and not report.internal):
        raise ValidationError({"into": [_("Choisissez un signalement ouvert et public.")]})
    moved = 0
    existing = set(Follower.objects.filter(report=into).values_list("user_id", flat=True))
    for follower in Follower.objects.filter(report=report):
        if follower.user_id not in existing:
            Follower.objects.create(tenant=report.tenant, report=into, user_id=follower.user_id)
            moved += 1
    report.duplicate_of = into
    report.save(update_fields=["duplicate_of"])
    return report_transition(
        actor=actor,
        report=report,
        to=Status.DUPLICATE,
        text=_("Ce problème est déjà signalé (n° %(n)s) : suivez-le pour connaître la suite.")
        % {"n": into.pk},
        details={"into": into.pk, "followers_moved": moved},
    )


@transaction.atomic
def report_reject(*, actor: Any, report: Report, reason: str) -> Report:
    reason = _reason_required(reason, _("Expliquez publiquement pourquoi il est rejeté."))
    return report_transition(actor=actor, report=report, to=Status.REJECTED, text=reason)


@transaction.atomic
def report_assign(*, actor: Any, report: Report, service: Service, text: str = "") -> Report:
    _check_same_tenant(report, service)
    report.assigned_service = service
    report.save(update_fields=["assigned_service"])
    return report_transition(
        actor=actor,
        report=report,
        to=Status.ASSIGNED,
        text=text or _("Confié à l'équipe %(s)s.") % {"s": service.name},
        details={"service": service.slug},
    )


@transaction.atomic
def report_plan(*, actor: Any, report: Report, day: date, text: str = "") -> Report:
    if day < timezone.localdate() - timedelta(days=1):
        raise ValidationError({"day": [_("Choisissez une date à venir.")]})
    report.planned_for = day
    report.expected_at = timezone.make_aware(datetime(day.year, day.month, day.day, 17))
    report.save(update_fields=["planned_for", "expected_at"])
    return report_transition(
        actor=actor,
        report=report,
        to=Status.PLANNED,
        text=text or _("Intervention prévue le %(d)s.") % {"d": day.strftime("%d/%m/%Y")},
        details={"day": day.isoformat()},
    )


CLOSE_RESOLUTIONS = (Status.FIXED, Status.NOT_OURS, Status.DUPLICATE)


@transaction.atomic
def report_close(*, actor: Any, report: Report, resolution: str, reason: str = "") -> Report:
    if resolution not in (Status.FIXED, Status.NOT_OURS):
        raise ValidationError({"resolution": [_("Choisissez une issue.")]})
    if resolution == Status.NOT_OURS:
        reason = _reason_required(reason, _("Dites qui est compétent, pour l'habitant."))
    return report_transition(actor=actor, report=report, to=resolution, text=reason)


@transaction.atomic
def report_comment(*, actor: Any, report: Report, text: str, internal: bool) -> ReportUpdate:
    """A public message (followers are told) or an internal note (staff only)."""
    text = _reason_required(text, _("Écrivez le message."))
    now = timezone.now()
    update = ReportUpdate.objects.create(
        tenant=report.tenant,
        report=report,
        kind=UpdateKind.INTERNAL if internal else UpdateKind.PUBLIC,
        text=text,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        created=now,
    )
    Report.objects.filter(pk=report.pk).update(updated_at=now)
    audit_record(
        actor=actor,
        action="reports.note" if internal else "reports.message",
        tenant=report.tenant,
        obj=report,
    )
    if not internal:
        _notify(report, _("Signalement n° %(n)s : nouveau message") % {"n": report.pk}, text)
    touch(report.tenant_id)
    return update


# --- Residents ----------------------------------------------------------------------


@transaction.atomic
def report_follow(*, user: User, report: Report) -> Follower:
    if not report.is_public:
        raise ValidationError(_("Ce signalement ne peut pas être suivi."))
    follower, _created = Follower.objects.get_or_create(
        tenant=report.tenant, report=report, user=user
    )
    return follower


@transaction.atomic
def report_unfollow(*, user: User, report: Report) -> None:
    Follower.objects.filter(report=report, user=user).delete()


def can_reopen(report: Report, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        report.status in (Status.FIXED, Status.NOT_OURS, Status.REJECTED)
        and not report.internal
        and report.closed_at is not None
        and now - report.closed_at <= timedelta(days=reopen_days())
    )


@transaction.atomic
def report_reopen(*, user: User, report: Report, text: str) -> Report:
    """The problem is still there: a follower sends a closed report back to the inbox."""
    if not Follower.objects.filter(report=report, user=user).exists():
        raise ValidationError(_("Suivez ce signalement pour pouvoir le rouvrir."))
    if not can_reopen(report):
        raise ValidationError(
            _("Ce signalement ne peut plus être rouvert (délai de %(n)s jours dépassé).")
            % {"n": reopen_days()}
        )
    text = _reason_required(text, _("Dites ce que vous constatez."))
    Report.objects.filter(pk=report.pk).update(reopened_count=report.reopened_count + 1)
    return report_transition(
        actor=user, report=report, to=Status.NEW, text=_("Rouvert : %(t)s") % {"t": text}
    )


# --- Interventions opened by other modules ------------------------------------------


@events.subscribe(events.SensorAlertRaised)
def on_sensor_alert(event: events.SensorAlertRaised) -> None:
    """A sensor or a twin needs a team on site: open an internal intervention."""
    intervention_from_alert(event=event)


@transaction.atomic
def intervention_from_alert(*, event: events.SensorAlertRaised) -> Report | None:
    tenant = LocalAuthority.objects.filter(pk=event.tenant_id).first()
    if tenant is None:
        return None
    ref = f"{event.source}:{event.alert_id}"
    existing = (
        Report.objects.for_tenant(tenant).filter(source=Source.SENSOR, source_ref=ref).first()
    )
    if existing is not None:
        return existing
    teams = Service.objects.for_tenant(tenant)
    service = teams.filter(slug=event.service_slug).first() if event.service_slug else None
    if service is None and event.service_slug:
        # Core slugs services from their names ("eau-et-assainissement"); publishers may
        # use the short code ("eau"): take the team whose slug starts with it.
        service = teams.filter(slug__startswith=f"{event.service_slug}-").order_by("slug").first()
    category = (
        Category.objects.for_tenant(tenant).filter(service=service).order_by("order").first()
        if service is not None
        else None
    )
    district = None
    lon, lat = event.lon, event.lat
    if lon is not None and lat is not None:
        try:
            district = locate(tenant, lon, lat)
        except ValidationError:
            district = None
    now = timezone.now()
    report = Report.objects.create(
        tenant=tenant,
        category=category,
        status=Status.ASSIGNED if service is not None else Status.NEW,
        description=f"{event.title}\n\n{event.description}".strip()[:MAX_DESCRIPTION],
        lon=lon,
        lat=lat,
        district=district,
        token=secrets.token_hex(16),
        source=Source.SENSOR,
        source_ref=ref,
        internal=True,
        assigned_service=service,
        requested_at=now,
        updated_at=now,
    )
    ReportUpdate.objects.create(
        tenant=tenant,
        report=report,
        kind=UpdateKind.INTERNAL,
        text=_("Intervention ouverte automatiquement (%(k)s, alerte %(r)s).")
        % {"k": event.kind, "r": ref},
        created=now,
    )
    audit_record(
        actor=event.source,
        action="reports.intervention_open",
        tenant=tenant,
        obj=report,
        details={"source_ref": ref, "service": event.service_slug},
    )
    touch(tenant.pk)
    return report


@transaction.atomic
def purge_unconfirmed(*, days: int = 7) -> int:
    """Delete anonymous reports whose confirmation link was not opened within ``days``."""
    limit = timezone.now() - timedelta(days=days)
    stale = Report.objects.filter(status=Status.UNCONFIRMED, requested_at__lt=limit)
    count = stale.count()
    tenants = set(stale.values_list("tenant_id", flat=True).distinct())
    stale.delete()
    for tenant_id in tenants:
        touch(tenant_id)
    return count
