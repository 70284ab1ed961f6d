"""Eligibility (self-declaration, census list, counter), and ballots (online, paper, assisted)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territoire.core.audit import audit_record
from territoire.core.models import District, User
from territoire.participation.models import (
    Ballot,
    Budget,
    CensusEntry,
    Process,
    Project,
    Verification,
    VoterRecord,
)
from territoire.participation.models.process import BallotKind, VerificationPolicy
from territoire.participation.models.voting import AgeBand, Channel, Relation

MAX_CENSUS_BYTES = 5 * 1024 * 1024


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("-", " ").split())


def identity_hash(process: Process, last_name: str, first_name: str, birth_date: date) -> str:
    """A keyed hash of a person's identity: it matches the census without storing it."""
    key = f"{settings.SECRET_KEY}:participation:{process.tenant_id}:{process.pk}".encode()
    message = f"{_normalise(last_name)}|{_normalise(first_name)}|{birth_date.isoformat()}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def age_band(birth_year: int, today: date | None = None) -> str:
    age = (today or timezone.localdate()).year - birth_year
    for band, low in (("75+", 75), ("60-74", 60), ("45-59", 45), ("30-44", 30), ("18-29", 18)):
        if age >= low:
            return band
    return AgeBand.UNDER_18


def _check_eligibility(process: Process, relation: str, birth_year: int) -> None:
    if relation not in Relation.values:
        raise ValidationError(_("Indiquez votre lien avec la commune."))
    if relation != Relation.LIVES and not process.open_to_workers_students:
        raise ValidationError(_("Ce vote est réservé aux habitants."))
    this_year = timezone.localdate().year
    if not 1900 <= birth_year <= this_year:
        raise ValidationError(_("Cette année de naissance n'est pas valide."))
    if this_year - birth_year < process.min_age:
        raise ValidationError(
            _("Ce vote est ouvert à partir de %(n)d ans.") % {"n": process.min_age}
        )


@transaction.atomic
def voter_register(
    *,
    user: User,
    process: Process,
    district: District | None,
    relation: str,
    birth_year: int,
    sex: str = "",
    census_identity: tuple[str, str, date] | None = None,
) -> VoterRecord:
    """A resident declares their eligibility (or updates it before voting).

    Under the "census" policy the person must match the imported list (name and birth
    date, compared as a keyed hash); under "counter" only an agent can register them.
    """
    if district is not None and district.tenant_id != process.tenant_id:
        raise ValidationError(_("Ce quartier appartient à une autre collectivité."))
    _check_eligibility(process, relation, birth_year)
    record = VoterRecord.objects.filter(process=process, user=user).first()
    if (
        record is not None
        and record.ballots.exists()
        and record.district_id != (district.pk if district else None)
    ):
        raise ValidationError(
            _("Vous avez déjà voté : votre quartier ne peut plus changer pour ce vote.")
        )
    verification: str = Verification.SELF
    digest = ""
    if process.verification == VerificationPolicy.COUNTER:
        if record is None or record.verification != Verification.COUNTER:
            raise ValidationError(
                _("Pour ce vote, votre identité est vérifiée au guichet de la mairie.")
            )
        verification, digest = record.verification, record.identity_hash
    elif process.verification == VerificationPolicy.CENSUS:
        if record is not None and record.verification in (
            Verification.COUNTER,
            Verification.CENSUS,
        ):
            verification, digest = record.verification, record.identity_hash
        else:
            if census_identity is None:
                raise ValidationError(_("Indiquez vos nom, prénom et date de naissance."))
            digest = identity_hash(process, *census_identity)
            if not CensusEntry.objects.filter(process=process, identity_hash=digest).exists():
                raise ValidationError(
                    _(
                        "Nous ne vous trouvons pas sur la liste des votants. Vérifiez "
                        "l'orthographe, ou présentez-vous au guichet de la mairie."
                    )
                )
            other = VoterRecord.objects.filter(process=process, identity_hash=digest)
            if record is not None:
                other = other.exclude(pk=record.pk)
            if other.exists():
                raise ValidationError(_("Cette personne est déjà inscrite pour ce vote."))
            verification = Verification.CENSUS
    record = record or VoterRecord(tenant=process.tenant, process=process, user=user)
    record.district = district
    record.relation = relation
    record.age_band = age_band(birth_year)
    record.sex = sex if sex in ("F", "M") else ""
    record.verification = verification
    record.identity_hash = digest
    record.save()
    return record


@dataclass
class CensusReport:
    created: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def census_import(*, actor: User, process: Process, data: bytes) -> CensusReport:
    """Import the list of people allowed to vote (CSV: nom;prenom;date_naissance;quartier).

    Only a keyed hash of each identity is stored. The whole file is refused when a line
    is wrong, so that nothing is half imported; each error names its line.
    """
    if len(data) > MAX_CENSUS_BYTES:
        raise ValidationError(_("Le fichier dépasse 5 Mo."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ValidationError(_("Le fichier n'est pas un texte CSV lisible.")) from None
    if "\x00" in text:
        raise ValidationError(_("Le fichier n'est pas un texte CSV lisible."))
    delimiter = ";" if text.count(";") >= text.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    expected = ["nom", "prenom", "date_naissance"]
    if header[:3] != expected:
        raise ValidationError(
            _("La première ligne doit être : nom;prenom;date_naissance;quartier (facultatif).")
        )
    districts = {slugify(d.name): d for d in District.objects.for_tenant(process.tenant)}
    report = CensusReport()
    entries: dict[str, District | None] = {}
    existing = set(
        CensusEntry.objects.filter(process=process).values_list("identity_hash", flat=True)
    )
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            report.errors.append(_("Ligne %(n)d : il manque des colonnes.") % {"n": line})
            continue
        last, first, born = (c.strip() for c in row[:3])
        try:
            birth = date.fromisoformat(born)
        except ValueError:
            try:
                d, m, y = born.split("/")
                birth = date(int(y), int(m), int(d))
            except ValueError:
                report.errors.append(
                    _(
                        "Ligne %(n)d : date de naissance « %(d)s » illisible "
                        "(AAAA-MM-JJ ou JJ/MM/AAAA)."
                    )
                    % {"n": line, "d": born[:20]}
                )
                continue
        if not last or not first:
            report.errors.append(_("Ligne %(n)d : nom ou prénom vide.") % {"n": line})
            continue
        district = None
        if len(row) > 3 and row[3].strip():
            district = districts.get(slugify(row[3]))
            if district is None:
                report.errors.append(
                    _("Ligne %(n)d : quartier inconnu « %(q)s ».") % {"n": line, "q": row[3][:40]}
                )
                continue
        digest = identity_hash(process, last, first, birth)
        if digest in existing or digest in entries:
            report.duplicates += 1
            continue
        entries[digest] = district
    if report.errors:
        return report  # nothing saved: the agent fixes the file and sends it again
    CensusEntry.objects.bulk_create(
        [
            CensusEntry(tenant=process.tenant, process=process, identity_hash=h, district=d)
            for h, d in entries.items()
        ]
    )
    report.created = len(entries)
    audit_record(
        actor=actor,
        action="participation.census_import",
        tenant=process.tenant,
        obj=process,
        details={"created": report.created, "duplicates": report.duplicates},
    )
    return report


@transaction.atomic
def voter_verify_at_counter(
    *,
    agent: User,
    process: Process,
    user: User,
    last_name: str,
    first_name: str,
    birth_date: date,
    district: District | None,
    relation: str,
    sex: str = "",
) -> VoterRecord:
    """An agent checked a person's identity at the counter: their account may now vote."""
    if district is not None and district.tenant_id != process.tenant_id:
        raise ValidationError(_("Ce quartier appartient à une autre collectivité."))
    _check_eligibility(process, relation, birth_date.year)
    digest = identity_hash(process, last_name, first_name, birth_date)
    clash = VoterRecord.objects.filter(process=process, identity_hash=digest).exclude(user=user)
    if clash.exists():
        raise ValidationError(_("Cette personne est déjà inscrite pour ce vote."))
    record = VoterRecord.objects.filter(process=process, user=user).first()
    record = record or VoterRecord(tenant=process.tenant, process=process, user=user)
    record.identity_hash = digest
    record.district = district
    record.relation = relation
    record.age_band = age_band(birth_date.year)
    record.sex = sex if sex in ("F", "M") else ""
    record.verification = Verification.COUNTER
    record.verified_by = agent
    record.save()
    audit_record(
        actor=agent,
        action="participation.voter_verify",
        tenant=process.tenant,
        obj=record,
        details={"user": user.email},
    )
    return record


def budgets_for(record: VoterRecord) -> list[Budget]:
    """Where a person may vote: the territory-wide envelope and their quartier's."""
    return [
        b
        for b in record.process.budgets.select_related("district")
        if b.district_id is None or b.district_id == record.district_id
    ]


def _new_receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter
    return "".join(secrets.choice(alphabet) for _ in range(10))


@transaction.atomic
def ballot_cast(
    *,
    voter: VoterRecord,
    budget: Budget,
    project_ids: Iterable[int],
    channel: str = Channel.ONLINE,
    entered_by: User | None = None,
) -> Ballot:
    """Record (or replace) a person's ballot in one envelope. All checks, then one write.

    Refused: outside the vote, an envelope the person may not vote in, projects not on
    this envelope's ballot, too few or too many projects (approval), a total over the
    envelope (knapsack). The same person's earlier ballot in this envelope is replaced.
    """
    process = voter.process
    if budget.process_id != process.pk or budget.tenant_id != voter.tenant_id:
        raise ValidationError(_("Cette enveloppe n'appartient pas à ce vote."))
    if not process.vote_is_open():
        raise ValidationError(_("Le vote n'est pas ouvert."))
    if budget.district_id is not None and budget.district_id != voter.district_id:
        raise ValidationError(_("Vous ne pouvez voter que pour l'enveloppe de votre quartier."))
    if process.verification != VerificationPolicy.SELF and voter.verification == Verification.SELF:
        raise ValidationError(_("Votre inscription doit d'abord être vérifiée."))
    wanted = set(project_ids)
    projects = list(
        Project.objects.for_tenant(process.tenant).filter(
            pk__in=wanted, budget=budget, on_ballot=True
        )
    )
    if len(projects) != len(wanted):
        raise ValidationError(_("Un des projets choisis n'est pas soumis au vote ici."))
    if process.ballot_kind == BallotKind.APPROVAL:
        if not process.min_choices <= len(projects) <= process.max_choices:
            raise ValidationError(
                _("Choisissez entre %(a)d et %(b)d projets (vous en avez choisi %(n)d).")
                % {"a": process.min_choices, "b": process.max_choices, "n": len(projects)}
            )
    else:
        total = sum(p.cost for p in projects)
        if not projects:
            raise ValidationError(_("Choisissez au moins un projet."))
        if total > budget.amount:
            raise ValidationError(
                _("Votre panier (%(t)s €) dépasse l'enveloppe (%(b)s €).")
                % {
                    "t": f"{total:,.0f}".replace(",", " "),
                    "b": f"{budget.amount:,.0f}".replace(",", " "),
                }
            )
    # Lock the voter's row: two simultaneous submissions cannot both create a ballot.
    VoterRecord.objects.select_for_update().get(pk=voter.pk)
    ballot = Ballot.objects.filter(budget=budget, voter=voter).first()
    if ballot is None:
        ballot = Ballot(
            tenant=process.tenant,
            process=process,
            budget=budget,
            voter=voter,
            receipt=_new_receipt(),
        )
    ballot.channel = channel
    ballot.entered_by = entered_by
    ballot.save()
    ballot.projects.set(projects)
    if entered_by is not None:
        # Agents' entries are audited (without the choices: the vote stays secret).
        audit_record(
            actor=entered_by,
            action=f"participation.ballot_{channel}",
            tenant=process.tenant,
            obj=ballot,
            details={"budget": budget.pk},
        )
    return ballot


@transaction.atomic
def counter_ballot(
    *,
    agent: User,
    process: Process,
    budget: Budget,
    last_name: str,
    first_name: str,
    birth_date: date,
    district: District | None,
    relation: str,
    sex: str,
    project_ids: Iterable[int],
    channel: str,
) -> Ballot:
    """At the counter: check the person's identity, register them, record their ballot.

    ``channel`` is "paper" (an agent types in a paper ballot) or "assisted" (the person
    votes with an agent's help). Either way the ballot is recorded as such, and the
    identity hash stops the same person from voting twice in the same envelope.
    """
    if channel not in (Channel.PAPER, Channel.ASSISTED):
        raise ValidationError(_("Canal de vote inconnu."))
    if district is not None and district.tenant_id != process.tenant_id:
        raise ValidationError(_("Ce quartier appartient à une autre collectivité."))
    _check_eligibility(process, relation, birth_date.year)
    digest = identity_hash(process, last_name, first_name, birth_date)
    record = VoterRecord.objects.filter(process=process, identity_hash=digest).first()
    if record is None:
        record = VoterRecord.objects.create(
            tenant=process.tenant,
            process=process,
            identity_hash=digest,
            district=district,
            relation=relation,
            age_band=age_band(birth_date.year),
            sex=sex if sex in ("F", "M") else "",
            verification=Verification.COUNTER,
            verified_by=agent,
        )
    elif Ballot.objects.filter(voter=record, budget=budget).exists():
        raise ValidationError(_("Cette personne a déjà voté dans cette enveloppe."))
    return ballot_cast(
        voter=record, budget=budget, project_ids=project_ids, channel=channel, entered_by=agent
    )


def ballot_summary(ballot: Ballot) -> dict[str, Any]:
    return {
        "receipt": ballot.receipt,
        "budget": str(ballot.budget),
        "projects": [p.title for p in ballot.projects.all()],
        "updated": ballot.updated,
    }
