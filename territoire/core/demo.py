"""The demo territory: Communauté de communes Rives & Vallons and its two communes.

Fictional (INSEE-like codes 99xxx, SIREN 2999xxxxx, e-mails under .example). Core
seeds collectivités, quartiers, services and people; each module then seeds its own
year of activity through the seeders it registers (core/modules.py), in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from territoire.core import services
from territoire.core.demo_logo import render_logo
from territoire.core.models import LocalAuthority, Service, User
from territoire.core.models.tenancy import LocalAuthorityKind

EPCI = "rives-et-vallons"
VALMONT = "valmont-sur-mer"
SAINT_AUBIN = "saint-aubin-des-vallons"
DEMO_PASSWORD = "Rives&Vallons-2026"  # noqa: S105 - printed demo log-in; 18 characters, 4 classes: passes our own rules


@dataclass
class DemoLogin:
    tenant: str
    role: str
    email: str
    password: str
    totp_secret: str = ""


@dataclass
class DemoContext:
    """Shared state of one demo build: modules read tenants and people from it."""

    rng: random.Random
    now: datetime
    tenants: dict[str, LocalAuthority] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)  # "valmont-sur-mer:agent" → user
    services: dict[str, Service] = field(default_factory=dict)  # "valmont-sur-mer:voirie"
    logins: list[DemoLogin] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # printed after the log-ins
    extra: dict[str, Any] = field(default_factory=dict)  # for modules' own use

    def person(self, tenant_slug: str, role: str) -> User:
        return self.people[f"{tenant_slug}:{role}"]


def _box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }


# Valmont-sur-Mer: the sea is to the west of lon -1.175. Four quartiers tile the town.
VALMONT_DISTRICTS = {
    "Port": (_box(-1.175, 46.140, -1.155, 46.150), 5200),
    "Plage": (_box(-1.175, 46.150, -1.155, 46.165), 4900),
    "Centre": (_box(-1.155, 46.140, -1.130, 46.155), 8300),
    "Les Hauts": (_box(-1.155, 46.155, -1.130, 46.170), 6400),
}
SAINT_AUBIN_DISTRICTS = {
    "Le Bourg": (_box(-0.985, 46.200, -0.970, 46.212), 1100),
    "Les Hameaux": (_box(-1.000, 46.190, -0.970, 46.200), 800),
}
SERVICES = {
    VALMONT: [
        ("Voirie", "voirie"),
        ("Eau et assainissement", "eau"),
        ("Propreté et déchets", "dechets"),
        ("Éclairage public", "eclairage"),
        ("Espaces verts", "espaces-verts"),
        ("État civil", "etat-civil"),
        ("Éducation", "education"),
        ("Urbanisme", "urbanisme"),
        ("Démocratie participative", "participation"),
        ("Système d'information", "si"),
    ],
    SAINT_AUBIN: [
        ("Accueil France Services", "france-services"),
        ("Services techniques", "services-techniques"),
        ("Secrétariat de mairie", "secretariat"),
    ],
    EPCI: [("Collecte des déchets", "dechets"), ("Service commun numérique", "numerique")],
}


def seed_core(ctx: DemoContext) -> None:
    epci = services.tenant_create(
        actor="demo",
        name="Communauté de communes Rives & Vallons",
        slug=EPCI,
        kind=LocalAuthorityKind.EPCI,
        siren="299900001",
        population=26700,
        contact_email="contact@rives-et-vallons.example",
        address="2 place de l'Union, 99100 Valmont-sur-Mer",
        colour_primary="#2d5a27",
        colour_accent="#6b3fa0",
    )
    valmont = services.tenant_create(
        actor="demo",
        name="Valmont-sur-Mer",
        slug=VALMONT,
        kind=LocalAuthorityKind.COMMUNE,
        insee_code="99101",
        siren="299900101",
        parent=epci,
        population=24800,
        contact_email="mairie@valmont-sur-mer.example",
        address="Hôtel de ville, 1 quai Jean-Bart, 99101 Valmont-sur-Mer",
        colour_primary="#0b5a7a",
        colour_accent="#a4372b",
    )
    aubin = services.tenant_create(
        actor="demo",
        name="Saint-Aubin-des-Vallons",
        slug=SAINT_AUBIN,
        kind=LocalAuthorityKind.COMMUNE,
        insee_code="99102",
        siren="299900102",
        parent=epci,
        population=1900,
        contact_email="mairie@saint-aubin-des-vallons.example",
        address="Mairie, 4 rue de l'Église, 99102 Saint-Aubin-des-Vallons",
        colour_primary="#6a3d1e",
        colour_accent="#2b5f8a",
    )
    ctx.tenants.update({EPCI: epci, VALMONT: valmont, SAINT_AUBIN: aubin})
    for tenant in (epci, valmont, aubin):
        services.tenant_update_theme(
            actor="demo",
            tenant=tenant,
            colour_primary=tenant.colour_primary,
            colour_accent=tenant.colour_accent,
            logo=render_logo(tenant.name, tenant.colour_primary),
        )
        for name, slug in SERVICES[tenant.slug]:
            service = services.service_create(actor="demo", tenant=tenant, name=name)
            ctx.services[f"{tenant.slug}:{slug}"] = service
    for tenant, districts in ((valmont, VALMONT_DISTRICTS), (aubin, SAINT_AUBIN_DISTRICTS)):
        for name, (geometry, population) in districts.items():
            services.district_save(
                actor="demo", tenant=tenant, name=name, geometry=geometry, population=population
            )

    short = {VALMONT: "valmont", SAINT_AUBIN: "saint-aubin", EPCI: "rives-et-vallons"}
    roles = {
        VALMONT: [
            ("resident", "Camille Martin", []),
            ("agent", "Karim Benali", ["voirie", "eau", "dechets", "eclairage", "etat-civil"]),
            ("elected", "Hélène Dubois", []),
            ("dpo", "Paul Lefèvre", []),
            ("admin", "Sophie Garnier", ["si"]),
        ],
        SAINT_AUBIN: [
            ("resident", "Lucas Moreau", []),
            ("agent", "Nadia Roux", ["france-services", "services-techniques"]),
            ("elected", "Jean Perrin", []),
            ("admin", "Élise Fabre", ["secretariat"]),
        ],
        EPCI: [("admin", "Marc Chevalier", ["numerique"])],
    }
    prefix = {
        "resident": "habitant",
        "agent": "agent",
        "elected": "elu",
        "dpo": "dpo",
        "admin": "admin",
    }
    for slug, people in roles.items():
        tenant = ctx.tenants[slug]
        for role, name, service_slugs in people:
            email = f"{prefix[role]}@{short[slug]}.example"
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=name)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            services.membership_grant(
                actor="demo",
                tenant=tenant,
                user=user,
                role=role,
                services=[ctx.services[f"{slug}:{s}"] for s in service_slugs] or None,
            )
            secret = ""
            if role != "resident":
                secret = generate_totp_secret()
                TOTP.activate(user, secret)
                RecoveryCodes.activate(user)
            ctx.people[f"{slug}:{role}"] = user
            ctx.logins.append(DemoLogin(slug, role, email, DEMO_PASSWORD, secret))
    # The EPCI's administrator is also an agent of Valmont (shared team).
    services.membership_grant(
        actor="demo",
        tenant=valmont,
        user=ctx.person(EPCI, "admin"),
        role="agent",
        services=[ctx.services[f"{VALMONT}:si"]],
    )


def new_context(seed: int = 2026) -> DemoContext:
    return DemoContext(rng=random.Random(seed), now=timezone.now())
