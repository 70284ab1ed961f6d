"""Demo: Valmont-sur-Mer's three online procedures and a year of dossiers in every state.

Procedures are built and published through the services (as an agent would); the year
of dossiers is bulk-inserted with their timelines and documents so that the whole seed
takes a second or two. Deterministic: its own seeded random generator.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage

from territoire.core.demo import SAINT_AUBIN, VALMONT, DemoContext
from territoire.core.models import LocalAuthority, User
from territoire.procedures import services
from territoire.procedures.demo_data import (
    CIVIL_FIELDS,
    CORRECTIONS,
    FIRST_NAMES,
    LABELS,
    LAST_NAMES,
    LEVELS,
    PROCEDURES,
    QUARTIERS,
    REFUSALS,
    SCHOOLS,
    STREETS,
)
from territoire.procedures.models import (
    Attachment,
    Dossier,
    DossierEvent,
    Message,
    Procedure,
    ProcedureVersion,
)

APPLICANTS = 160
# A minimal valid PDF (checked by our own sniffing: header and EOF marker).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
BOXES = {
    "Port": (-1.175, 46.140, -1.155, 46.150),
    "Plage": (-1.175, 46.150, -1.155, 46.165),
    "Centre": (-1.155, 46.140, -1.130, 46.155),
    "Les Hauts": (-1.155, 46.155, -1.130, 46.170),
}


class _Builder:
    """Collects rows to bulk-insert for one tenant."""

    def __init__(self, ctx: DemoContext, tenant: LocalAuthority, agent: User) -> None:
        self.ctx = ctx
        self.tenant = tenant
        self.agent = agent
        self.rng = random.Random(f"procedures-{tenant.slug}")
        self.events: list[DossierEvent] = []
        self.messages: list[Message] = []
        self.files: list[tuple[Dossier, str, str]] = []  # dossier, answer path, file name
        self.refs: set[str] = set()

    def reference(self, when: datetime) -> str:
        while True:
            ref = f"{when.year}-" + "".join(
                self.rng.choice(services.REFERENCE_ALPHABET) for _i in range(6)
            )
            if ref not in self.refs:
                self.refs.add(ref)
                return ref

    def point(self, quartier: str) -> dict[str, Any]:
        lon0, lat0, lon1, lat1 = BOXES[quartier]
        return {
            "text": f"{self.rng.randint(1, 80)} {self.rng.choice(STREETS)}, 99101 Valmont-sur-Mer",
            "lon": round(self.rng.uniform(lon0, lon1), 5),
            "lat": round(self.rng.uniform(lat0, lat1), 5),
        }

    def answers(self, slug: str, applicant: User, now: datetime) -> dict[str, Any]:
        rng = self.rng
        name = str(applicant)
        if slug == "inscription-scolaire":
            quartier = rng.choice(QUARTIERS)
            index = QUARTIERS.index(quartier) + 1
            children = []
            last = name.split()[-1]
            for _i in range(rng.choice([1, 1, 1, 2, 2, 3])):
                level = rng.choice(LEVELS)
                age = 3 + LEVELS.index(level) // 1 - (1 if LEVELS.index(level) == 0 else 0)
                born = (now - timedelta(days=365 * age + rng.randint(0, 360))).date()
                pai = rng.random() < 0.08
                child: dict[str, Any] = {
                    "prenom": rng.choice(FIRST_NAMES),
                    "nom": last,
                    "naissance": born.isoformat(),
                    "niveau": level,
                    f"ecole_{index}": rng.choice(SCHOOLS[quartier]),
                    "cantine": rng.random() < 0.8,
                    "periscolaire": [
                        o
                        for o in [
                            "Garderie du matin",
                            "Garderie du soir",
                            "Mercredi au centre de loisirs",
                        ]
                        if rng.random() < 0.3
                    ],
                    "pai": pai,
                }
                if pai:
                    child["pai_detail"] = "Allergie à l'arachide : trousse d'urgence fournie."
                children.append(child)
            derogation = rng.random() < 0.1
            out: dict[str, Any] = {
                "nom_responsable": name,
                "lien": rng.choice(["Mère", "Père", "Mère", "Père", "Tuteur ou tutrice"]),
                "telephone": "06 " + " ".join(str(rng.randint(10, 99)) for _j in range(4)),
                "adresse": self.point(quartier),
                "quartier": quartier,
                "justificatif_domicile": None,
                "enfants": children,
                "derogation": derogation,
                "certification": True,
            }
            if derogation:
                out["derogation_motif"] = (
                    "Mode de garde chez les grands-parents, près de l'école demandée."
                )
            return out
        if slug == "acte-etat-civil":
            kind = rng.choices(
                ["Acte de naissance", "Acte de mariage", "Acte de décès"], [6, 3, 1]
            )[0]
            post = rng.random() < 0.6
            motif = rng.choice(
                ["Carte d'identité ou passeport", "Mariage ou PACS", "Succession", "Retraite"]
            )
            out = {
                "type_acte": kind,
                "forme": rng.choice(
                    ["Copie intégrale", "Extrait avec filiation", "Extrait avec filiation"]
                ),
                "qualite": "La personne concernée"
                if kind != "Acte de décès"
                else "Son fils ou sa fille",
                "nom_acte": name.split()[-1].upper(),
                "prenoms_acte": rng.choice(FIRST_NAMES),
                "date_evenement": (now - timedelta(days=rng.randint(2000, 25000)))
                .date()
                .isoformat(),
                "motif": motif,
                "exemplaires": rng.choice([1, 1, 1, 2]),
                "delivrance": "Envoi par courrier" if post else "Retrait à l'accueil de la mairie",
            }
            if kind == "Acte de naissance":
                out["parents"] = (
                    f"{rng.choice(FIRST_NAMES)} et {rng.choice(FIRST_NAMES)} {name.split()[-1]}"
                )
            if kind == "Acte de mariage":
                out["conjoint"] = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if post:
                out["adresse_envoi"] = self.point(rng.choice(QUARTIERS))
            return out
        quartier = rng.choice(QUARTIERS)
        qualite = rng.choices(
            ["Notaire", "Propriétaire", "Futur acquéreur", "Géomètre-expert"], [6, 2, 1, 1]
        )[0]
        out = {
            "qualite": qualite,
            "adresse_terrain": self.point(quartier),
            "parcelle": f"{rng.choice('ABCDEHK')}{rng.choice('ABCDE')} {rng.randint(1, 999)}",
            "superficie": str(rng.randint(180, 2400)),
            "plan": None,
        }
        if qualite == "Notaire":
            out["etude"] = rng.choice(
                ["Étude Kerboul et associés", "Office notarial du Port", "SCP Mercier-Guérin"]
            )
        return out

    def event(
        self,
        dossier: Dossier,
        actor: User | None,
        frm: str,
        to: str,
        at: datetime,
        reason: str = "",
    ) -> None:
        self.events.append(
            DossierEvent(
                tenant=self.tenant,
                dossier=dossier,
                actor=actor,
                actor_label=str(actor) if actor else "système",
                from_state=frm,
                to_state=to,
                reason=reason,
                at=at,
            )
        )


def _publish(
    ctx: DemoContext, tenant: LocalAuthority, spec: dict[str, Any], agent: User
) -> Procedure:
    procedure = services.procedure_create(
        actor=agent,
        tenant=tenant,
        slug=spec["slug"],
        title=spec["title"],
        theme=spec["theme"],
        description=spec["description"],
        requirements=spec["requirements"],
        delay=spec["delay"],
        cost=spec["cost"],
        silence_days=spec["silence_days"],
        service=ctx.services[f"{tenant.slug}:{spec['service']}"],
        fields=spec["fields"],
    )
    for definition in spec.get("private", []):
        procedure = services.procedure_field_save(
            actor=agent, procedure=procedure, definition=definition, private=True
        )
    services.procedure_publish(actor=agent, procedure=procedure)
    for kind in ("accepted", "refused"):
        title, body = spec[kind]
        services.attestation_template_save(
            actor=agent, procedure=procedure, kind=kind, title=title, body=body
        )
    return procedure


def _applicants(tenant: LocalAuthority, rng: random.Random, count: int, domain: str) -> list[User]:
    unusable = make_password(None)
    users = [
        User(
            email=f"demandeur-{i:03d}@{domain}",
            display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            password=unusable,
        )
        for i in range(count)
    ]
    User.objects.bulk_create(users)
    return list(
        User.objects.filter(email__startswith="demandeur-", email__endswith=domain).order_by(
            "email"
        )
    )


def _year(
    b: _Builder,
    procedure: Procedure,
    version: ProcedureVersion,
    spec: dict[str, Any],
    applicants: list[User],
    resident: User,
    scripted: list[str],
) -> list[Dossier]:
    """A year of dossiers: decided ones in the past, open ones recent, some abandoned drafts."""
    rng, now = b.rng, b.ctx.now
    low, high = spec["days"]
    dossiers: list[tuple[Dossier, list[tuple[Any, ...]]]] = []
    total = spec["volume"]
    for i in range(total + len(scripted)):
        forced = scripted[i - total] if i >= total else ""
        applicant = resident if forced else rng.choice(applicants)
        # Seasonality: school registrations peak in spring.
        if procedure.slug == "inscription-scolaire" and rng.random() < 0.6:
            back = rng.randint(150, 260)
        else:
            back = rng.randint(0, 364)
        if forced:
            back = {
                "draft": 1,
                "corrections": 6,
                "in_instruction": 3,
                "accepted": 40,
                "refused": 60,
            }[forced]
        created = now - timedelta(days=back, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
        answers = b.answers(procedure.slug, applicant, now)
        d = Dossier(
            tenant=b.tenant,
            reference=b.reference(created),
            procedure=procedure,
            version=version,
            applicant=applicant,
            answers=answers,
            created=created,
            updated=created,
        )
        steps: list[tuple[Any, ...]] = [(applicant, "", "draft", created, "")]
        abandoned = (rng.random() < 0.12 and back > 7 and not forced) or forced == "draft"
        if abandoned:
            dossiers.append((d, steps))
            continue
        submitted = created + timedelta(minutes=rng.randint(8, 90))
        d.submitted_at = submitted
        if procedure.silence_days:
            d.silence_deadline = (submitted + timedelta(days=procedure.silence_days)).date()
        steps.append((applicant, "draft", "submitted", submitted, ""))
        days = rng.triangular(low, high, low + (high - low) * 0.3)
        decided = submitted + timedelta(days=days)
        state = "submitted"
        t = submitted
        if decided < now or forced in ("accepted", "refused"):
            if forced:
                decided = min(decided, now - timedelta(days=1))
            t = submitted + timedelta(days=min(1.5, days / 3))
            steps.append((b.agent, "submitted", "in_instruction", t, ""))
            if rng.random() < 0.1:
                t2 = t + timedelta(days=min(1, days / 4))
                steps.append(
                    (b.agent, "in_instruction", "corrections", t2, rng.choice(CORRECTIONS))
                )
                t3 = t2 + timedelta(hours=rng.randint(2, 30))
                steps.append(
                    (
                        applicant,
                        "corrections",
                        "submitted",
                        t3,
                        "Dossier corrigé et déposé à nouveau.",
                    )
                )
                t4 = t3 + timedelta(hours=4)
                steps.append((b.agent, "submitted", "in_instruction", t4, ""))
                decided = max(decided, t4 + timedelta(hours=6))
            roll = rng.random()
            outcome = forced or (
                "accepted"
                if roll < 0.82
                else "refused"
                if roll < 0.9
                else "closed"
                if roll < 0.96
                else "withdrawn"
            )
            reason = {
                "accepted": "Dossier complet et conforme.",
                "refused": rng.choice(REFUSALS),
                "closed": "Sans réponse du demandeur aux demandes de pièces.",
                "withdrawn": "Je n'ai plus besoin de cette démarche.",
            }[outcome]
            actor = applicant if outcome == "withdrawn" else b.agent
            steps.append((actor, "in_instruction", outcome, decided, reason))
            state = outcome
            if outcome in ("accepted", "refused", "closed"):
                d.decided_at = decided
                d.decision_motivation = reason
            d.assigned_to = b.agent
            t = decided
        else:
            # Still open: taken up, or waiting for the resident's corrections.
            roll = rng.random()
            if forced == "corrections" or (not forced and roll < 0.15):
                t = submitted + timedelta(hours=20)
                steps.append((b.agent, "submitted", "in_instruction", t, ""))
                steps.append(
                    (
                        b.agent,
                        "in_instruction",
                        "corrections",
                        t + timedelta(hours=2),
                        rng.choice(CORRECTIONS),
                    )
                )
                state, d.assigned_to = "corrections", b.agent
            elif forced == "in_instruction" or (
                not forced and roll < 0.6 and now - submitted > timedelta(days=1)
            ):
                t = submitted + timedelta(hours=min(20, (now - submitted).total_seconds() / 7200))
                steps.append((b.agent, "submitted", "in_instruction", t, ""))
                state, d.assigned_to = "in_instruction", b.agent
        d.state = state
        d.updated = steps[-1][3]
        if rng.random() < 0.15 and d.submitted_at:
            d.labels = [rng.choice(LABELS)]
        dossiers.append((d, steps))
    Dossier.objects.bulk_create([d for d, _s in dossiers], batch_size=500)
    for d, steps in dossiers:
        for actor, frm, to, at, reason in steps:
            b.event(d, actor, frm, to, at, reason)
        if d.submitted_at and procedure.slug != "acte-etat-civil":
            key = "justificatif_domicile" if procedure.slug == "inscription-scolaire" else "plan"
            name = (
                "justificatif-domicile.pdf"
                if key == "justificatif_domicile"
                else "plan-de-situation.pdf"
            )
            b.files.append((d, key, name))
        if d.state == "corrections" or (d.state in ("in_instruction",) and b.rng.random() < 0.3):
            b.messages.append(
                Message(
                    tenant=b.tenant,
                    dossier=d,
                    author=b.agent,
                    from_service=True,
                    body="Bonjour, nous avons bien reçu votre dossier. "
                    + (steps[-1][4] or "Il est en cours d'instruction."),
                    created=steps[-1][3] + timedelta(minutes=5),
                )
            )
    return [d for d, _s in dossiers]


def _store_files(b: _Builder) -> None:
    rows = []
    for d, key, name in b.files:
        token = uuid.UUID(int=b.rng.getrandbits(128)).hex
        path = default_storage.save(f"demarches/{b.tenant.pk}/{token}.pdf", _pdf_file())
        rows.append(
            Attachment(
                tenant=b.tenant,
                dossier=d,
                field_path=f"f-{key}",
                token=token,
                extension="pdf",
                file=path,
                name=name,
                content_type="application/pdf",
                size=len(DEMO_PDF),
                uploaded_by=d.applicant,
            )
        )
    Attachment.objects.bulk_create(rows, batch_size=500)
    changed = []
    for attachment, (d, key, _name) in zip(rows, b.files, strict=True):
        d.answers[key] = services.file_ref(attachment)
        changed.append(d)
    Dossier.objects.bulk_update(changed, ["answers"], batch_size=500)


def _pdf_file() -> Any:
    from django.core.files.base import ContentFile

    return ContentFile(DEMO_PDF)


def seed(ctx: DemoContext) -> None:
    tenant = ctx.tenants[VALMONT]
    agent = ctx.person(VALMONT, "agent")
    resident = ctx.person(VALMONT, "resident")
    # The demo agent instructs every procedure: give them the services concerned.
    from territoire.core.models import Membership

    membership = Membership.objects.for_tenant(tenant).get(user=agent, role="agent")
    membership.services.add(*(ctx.services[f"{VALMONT}:{s}"] for s in ("education", "urbanisme")))
    b = _Builder(ctx, tenant, agent)
    applicants = _applicants(tenant, b.rng, APPLICANTS, "valmont.example")
    scripts = {
        "inscription-scolaire": ["draft", "refused"],
        "acte-etat-civil": ["in_instruction", "accepted"],
        "certificat-urbanisme-information": ["corrections"],
    }
    for spec in PROCEDURES:
        procedure = _publish(ctx, tenant, spec, agent)
        version = procedure.versions.get()
        _year(b, procedure, version, spec, applicants, resident, scripts[spec["slug"]])
    closed = services.procedure_create(
        actor=agent,
        tenant=tenant,
        slug="concours-maisons-fleuries-2026",
        title="Concours des maisons et balcons fleuris 2026",
        theme="Cadre de vie",
        description="Inscription au concours communal des maisons, balcons et commerces fleuris.",
        delay="Jury en juillet",
        cost="Gratuit",
        service=ctx.services[f"{VALMONT}:espaces-verts"],
        fields=[
            {
                "id": "categorie",
                "type": "choice",
                "label": "Catégorie",
                "required": True,
                "options": ["Maison avec jardin", "Balcon ou terrasse", "Commerce"],
            },
            {"id": "adresse", "type": "address", "label": "Adresse à visiter", "required": True},
        ],
    )
    services.procedure_publish(actor=agent, procedure=closed)
    services.procedure_close(actor=agent, procedure=closed)
    _store_files(b)
    DossierEvent.objects.bulk_create(b.events, batch_size=1000)
    Message.objects.bulk_create(b.messages, batch_size=500)

    # Saint-Aubin: the civil-status procedure, a few dossiers.
    aubin = ctx.tenants[SAINT_AUBIN]
    aubin_agent = ctx.person(SAINT_AUBIN, "agent")
    spec = {**PROCEDURES[1], "service": "secretariat", "volume": 25, "fields": CIVIL_FIELDS}
    procedure = _publish(ctx, aubin, spec, aubin_agent)
    b2 = _Builder(ctx, aubin, aubin_agent)
    people = _applicants(aubin, b2.rng, 15, "saint-aubin.example")
    _year(
        b2,
        procedure,
        procedure.versions.get(),
        spec,
        people,
        ctx.person(SAINT_AUBIN, "resident"),
        [],
    )
    DossierEvent.objects.bulk_create(b2.events, batch_size=1000)
    Message.objects.bulk_create(b2.messages, batch_size=500)
    ctx.notes.append(
        "Démarches en ligne : /valmont-sur-mer/demarches/ (habitant : « Mes dossiers » ; "
        "agent : Gestion › Démarches en ligne)."
    )
