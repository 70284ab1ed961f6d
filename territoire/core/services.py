"""Writes of core data. Each service is one transaction and its audit entry.

Views, the API, CLI commands and tasks all call these functions, so that every way
of changing data checks the same rules and leaves the same trace.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from territoire.core.audit import audit_record
from territoire.core.geo import parse_polygon
from territoire.core.models import (
    ApiKey,
    District,
    LocalAuthority,
    Membership,
    Notification,
    Service,
    User,
)
from territoire.core.models.people import Role
from territoire.core.theme import validate_hex_colour

# --- Collectivités --------------------------------------------------------------------


@transaction.atomic
def tenant_create(*, actor: Any, name: str, slug: str, kind: str, **fields: Any) -> LocalAuthority:
    """Create a collectivité (instance operators only: CLI or demo)."""
    tenant = LocalAuthority(name=name, slug=slug, kind=kind, **fields)
    tenant.full_clean()
    tenant.save()
    audit_record(actor=actor, action="tenant.create", tenant=tenant, obj=tenant)
    return tenant


MAX_LOGO_BYTES = 512 * 1024
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@transaction.atomic
def tenant_update_theme(
    *,
    actor: Any,
    tenant: LocalAuthority,
    colour_primary: str,
    colour_accent: str,
    logo: bytes | None = None,
) -> LocalAuthority:
    """Change colours (each must contrast with white text) and optionally the logo.

    The logo is checked by content, not by name: it must decode as PNG, JPEG or WebP,
    weigh at most 512 KB, and is re-encoded as PNG at most 400 px wide, which also drops
    any metadata it carried.
    """
    errors: dict[str, list[str]] = {}
    for field, value in (("colour_primary", colour_primary), ("colour_accent", colour_accent)):
        try:
            validate_hex_colour(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if logo is not None:
        try:
            tenant.logo = _clean_logo(logo)
            tenant.logo_type = "image/png"
            tenant.logo_updated = timezone.now()
        except ValidationError as exc:
            errors["logo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    before = {"colour_primary": tenant.colour_primary, "colour_accent": tenant.colour_accent}
    tenant.colour_primary = colour_primary.lower()
    tenant.colour_accent = colour_accent.lower()
    tenant.save()
    audit_record(
        actor=actor,
        action="tenant.theme",
        tenant=tenant,
        obj=tenant,
        details={"before": before, "logo_changed": logo is not None},
    )
    return tenant


def _clean_logo(data: bytes) -> bytes:
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(_("Le logo dépasse 512 Ko : réduisez-le avant de l'envoyer."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
        if kind not in LOGO_FORMATS:
            raise ValidationError(_("Le logo doit être une image PNG, JPEG ou WebP."))
        with Image.open(io.BytesIO(data)) as original:
            img = original.convert("RGBA")
            img.thumbnail((400, 400))
            out = io.BytesIO()
            img.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Ce fichier n'est pas une image lisible.")) from exc
    return out.getvalue()


# --- People and roles -------------------------------------------------------------------


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    tenant: LocalAuthority,
    user: User,
    role: str,
    services: list[Service] | None = None,
) -> Membership:
    """Give ``user`` the ``role`` in ``tenant`` (reactivating it if it was withdrawn)."""
    if role not in Role.values:
        raise ValidationError(_("Rôle inconnu : %(role)s") % {"role": role})
    membership, created = Membership.objects.get_or_create(tenant=tenant, user=user, role=role)
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    if services is not None:
        foreign = [s for s in services if s.tenant_id != tenant.pk]
        if foreign:
            raise ValidationError(_("Un service d'une autre collectivité ne peut pas être choisi."))
        membership.services.set(services)
    if role != Role.RESIDENT or actor is not None:
        audit_record(
            actor=actor,
            action="membership.grant",
            tenant=tenant,
            obj=membership,
            details={
                "role": role,
                "user": user.email,
                "services": [s.slug for s in services or []],
            },
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> Membership:
    """Withdraw a role. The row stays (history); the person loses access at once."""
    if (
        actor is not None
        and membership.user_id == getattr(actor, "pk", None)
        and (membership.role == Role.ADMIN)
    ):
        raise ValidationError(_("Vous ne pouvez pas retirer votre propre rôle d'administrateur."))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="membership.revoke",
        tenant=membership.tenant,
        obj=membership,
        details={"role": membership.role, "user": membership.user.email},
    )
    return membership


@transaction.atomic
def staff_invite(
    *,
    actor: Any,
    tenant: LocalAuthority,
    email: str,
    role: str,
    display_name: str = "",
    services: list[Service] | None = None,
) -> tuple[User, Membership, bool]:
    """Give a staff role to a person by e-mail, creating their account if needed.

    A new account has no usable password: the person sets one with the "forgotten
    password" link sent to them, then must enrol a TOTP factor at first log-in.
    Returns (user, membership, created).
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=None, display_name=display_name)
        user.set_unusable_password()
        user.save()
    membership = membership_grant(
        actor=actor, tenant=tenant, user=user, role=role, services=services
    )
    return user, membership, created


@transaction.atomic
def service_create(*, actor: Any, tenant: LocalAuthority, name: str, email: str = "") -> Service:
    service = Service(tenant=tenant, name=name, slug=slugify(name)[:120], email=email)
    service.full_clean()
    service.save()
    audit_record(actor=actor, action="service.create", tenant=tenant, obj=service)
    return service


# --- Districts --------------------------------------------------------------------------


@transaction.atomic
def district_save(
    *,
    actor: Any,
    tenant: LocalAuthority,
    name: str,
    geometry: str | dict[str, Any],
    district: District | None = None,
    population: int | None = None,
) -> District:
    """Create or update a quartier from GeoJSON text (checked with Shapely)."""
    geom = parse_polygon(geometry)
    if district is not None and district.tenant_id != tenant.pk:
        raise ValidationError(_("Ce quartier appartient à une autre collectivité."))
    is_new = district is None
    district = district or District(tenant=tenant)
    district.name = name.strip()
    district.slug = district.slug or slugify(name)[:120]
    district.geometry = geom
    district.population = population
    district.full_clean()
    district.save()
    audit_record(
        actor=actor,
        action="district.create" if is_new else "district.update",
        tenant=tenant,
        obj=district,
    )
    return district


@transaction.atomic
def district_delete(*, actor: Any, district: District) -> None:
    audit_record(actor=actor, action="district.delete", tenant=district.tenant, obj=district)
    district.delete()


# --- API keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    secret: str  # the whole key, shown once and never stored


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


KNOWN_SCOPES = {
    "read": _("lecture des données non publiques"),
    "sensors:write": _("envoi de mesures de capteurs"),
    "reports:write": _("dépôt et mise à jour de signalements"),
    "open311": _("Open311 GeoReport v2 : dépôt de signalements"),
    "opendata:write": _("publication de données ouvertes"),
    "procedures:read": _("lecture des dossiers"),
    "participation:read": _("lecture des résultats de participation"),
}


@transaction.atomic
def apikey_create(*, actor: Any, tenant: LocalAuthority, name: str, scopes: list[str]) -> NewApiKey:
    """Create a tenant-bound, scoped key; the clear key is returned once only."""
    scopes = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise ValidationError(
            _("Droits inconnus : %(s)s (connus : %(k)s)")
            % {"s": ", ".join(unknown), "k": ", ".join(sorted(KNOWN_SCOPES))}
        )
    if not scopes:
        raise ValidationError(_("Choisissez au moins un droit pour cette clé."))
    if not name.strip():
        raise ValidationError(_("Donnez un nom à la clé (qui l'utilise, pour quoi)."))
    prefix = secrets.token_hex(4)
    secret = f"trt_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name.strip()[:120],
        prefix=prefix,
        key_hash=hash_api_key(secret),
        scopes=scopes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor, action="apikey.create", tenant=tenant, obj=key, details={"scopes": scopes}
    )
    return NewApiKey(key=key, secret=secret)


@transaction.atomic
def apikey_revoke(*, actor: Any, key: ApiKey) -> ApiKey:
    if key.revoked is None:
        key.revoked = timezone.now()
        key.save(update_fields=["revoked"])
        audit_record(actor=actor, action="apikey.revoke", tenant=key.tenant, obj=key)
    return key


def apikey_authenticate(raw: str) -> ApiKey | None:
    """The active key matching ``raw``, or None. Records when it was last used."""
    if not raw or not raw.startswith("trt_") or len(raw) > 128:
        return None
    key = (
        ApiKey.objects.select_related("tenant")
        .filter(key_hash=hash_api_key(raw), revoked__isnull=True, tenant__is_active=True)
        .first()
    )
    if key is not None:
        now = timezone.now()
        # Write at most once a minute per key: the hot path stays read-only.
        if key.last_used is None or (now - key.last_used).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used=now)
    return key


# --- Profile and notifications ----------------------------------------------------------


def user_update_profile(*, user: User, display_name: str, language: str) -> User:
    user.display_name = display_name.strip()
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "language"])
    return user


def notify(
    *,
    tenant: LocalAuthority,
    user: User,
    subject: str,
    body: str,
    url: str = "",
    email: bool = True,
) -> Notification:
    """Notify a person in the platform, and by e-mail in the background."""
    from territoire.core.tasks import send_notification_email

    notification = Notification.objects.create(
        tenant=tenant, user=user, subject=subject[:200], body=body, url=url
    )
    if email:
        transaction.on_commit(lambda: send_notification_email.enqueue(notification.pk))
    return notification
