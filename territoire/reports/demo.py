"""Demo: a year of reports in Valmont-sur-Mer's four quartiers (and a few in Saint-Aubin).

Seven categories routed to the town's teams (street furniture goes to an external
concession holder by e-mail); about 700 reports in every status with their history,
some with photos drawn by Pillow; a few followed by the demo resident; today's round
for the roads team. Bulk inserts keep it to a second or two.
"""

from __future__ import annotations

import io
import math
import secrets
from datetime import datetime, timedelta
from random import Random
from typing import Any

from PIL import Image, ImageDraw

from territoire.core.demo import SAINT_AUBIN, VALMONT, DemoContext
from territoire.core.models import District, LocalAuthority
from territoire.core.services import apikey_create
from territoire.reports import services
from territoire.reports.models import (
    CLOSED_STATUSES,
    Category,
    Follower,
    Report,
    ReportPhoto,
    ReportUpdate,
    Source,
    Status,
    UpdateKind,
)

# code, name, group, team slug, keywords, description, typical days to fix, weight
CATEGORIES = [
    ("voirie", "Voirie", "Espace public", "voirie", "nid-de-poule, chaussée, trottoir",
     "Nids-de-poule, chaussée ou trottoir abîmés, marquage effacé.", 12, 26),
    ("eclairage-public", "Éclairage public", "Espace public", "eclairage",
     "lampadaire, candélabre, éclairage", "Lampadaire éteint, allumé le jour ou endommagé.", 6, 18),
    ("proprete", "Propreté", "Cadre de vie", "dechets", "déchets, corbeille, tags",
     "Corbeille pleine, rue sale, tags, déjections.", 3, 16),
    ("depots-sauvages", "Dépôts sauvages", "Cadre de vie", "dechets",
     "encombrants, gravats, dépôt", "Encombrants, gravats ou sacs abandonnés.", 4, 14),
    ("espaces-verts", "Espaces verts", "Cadre de vie", "espaces-verts",
     "arbre, pelouse, haie", "Arbre dangereux, haie débordante, pelouse non entretenue.", 15, 10),
    ("mobilier-urbain", "Mobilier urbain", "Espace public", "voirie",
     "banc, abribus, potelet", "Banc, abribus, potelet ou panneau cassé.", 20, 8),
    ("eau-assainissement", "Eau et assainissement", "Réseaux", "eau",
     "fuite, égout, bouche", "Fuite d'eau, bouche d'égout bouchée, odeurs.", 5, 8),
]  # fmt: skip

PHRASES = {
    "voirie": [
        "Nid-de-poule profond au milieu de la chaussée, dangereux pour les vélos.",
        "Trottoir soulevé par les racines, on trébuche facilement.",
        "Le marquage du passage piéton est presque effacé.",
        "Affaissement de la chaussée après les pluies.",
        "Plaque de regard qui claque au passage des voitures.",
    ],
    "eclairage-public": [
        "Le lampadaire est éteint depuis plusieurs soirs, la rue est très sombre.",
        "Lampadaire allumé en plein jour.",
        "Candélabre penché après un choc, il risque de tomber.",
        "Trois points lumineux éteints d'affilée.",
    ],
    "proprete": [
        "Corbeille qui déborde depuis le week-end.",
        "Tags sur le mur de l'école.",
        "Beaucoup de verre brisé sur le trottoir.",
        "Déjections canines devant l'entrée de l'immeuble.",
    ],
    "depots-sauvages": [
        "Un matelas et un canapé abandonnés sur le trottoir.",
        "Des sacs de gravats déposés au pied des conteneurs.",
        "Encombrants laissés à côté des colonnes de tri.",
        "Pneus abandonnés au bord du chemin.",
    ],
    "espaces-verts": [
        "Branche cassée qui pend au-dessus du trottoir.",
        "La haie déborde et gêne le passage des poussettes.",
        "Pelouse du square non tondue depuis longtemps.",
        "Arbre mort qui menace de tomber sur l'aire de jeux.",
    ],
    "mobilier-urbain": [
        "Vitre de l'abribus brisée.",
        "Banc cassé, une latte manque.",
        "Potelet arraché à l'angle de la rue.",
        "Panneau de signalisation tordu.",
    ],
    "eau-assainissement": [
        "De l'eau s'écoule en continu d'une bouche à clé.",
        "Bouche d'égout bouchée, l'eau stagne à chaque pluie.",
        "Mauvaises odeurs qui remontent de la grille.",
    ],
}

STREETS = {
    "Port": ["quai Jean-Bart", "rue des Chalutiers", "place de la Criée", "rue du Phare"],
    "Plage": ["boulevard de l'Océan", "avenue des Dunes", "rue des Mouettes", "allée des Pins"],
    "Centre": ["rue de la République", "place du Marché", "rue Victor-Hugo", "rue de l'Église"],
    "Les Hauts": ["chemin des Vignes", "rue du Moulin", "avenue du Stade", "impasse des Lilas"],
    "Le Bourg": ["rue de l'Église", "place de la Mairie", "route de Valmont"],
    "Les Hameaux": ["chemin de la Fontaine", "route des Hameaux", "lieu-dit la Croix"],
}

NOT_OURS = "Ce point relève du Département (route départementale) : nous lui avons transmis."
REJECTED = "Après vérification sur place, nous n'avons rien constaté d'anormal."


def _photo(rng: Random, code: str) -> tuple[bytes, int, int]:
    """A small drawn picture standing for a resident's photo (JPEG, no metadata)."""
    w, h = 480, 360
    sky = (150 + rng.randint(0, 60), 180 + rng.randint(0, 40), 220)
    img = Image.new("RGB", (w, h), sky)
    d = ImageDraw.Draw(img)
    d.rectangle([0, h * 0.55, w, h], fill=(95, 95, 100))
    if code == "voirie":
        d.ellipse([150, 240, 330, 300], fill=(40, 35, 30))
    elif code == "eclairage-public":
        d.rectangle([230, 60, 245, 260], fill=(60, 60, 60))
        d.ellipse([205, 40, 270, 80], fill=(30, 30, 30))
    elif code == "depots-sauvages":
        for _i in range(6):
            x, y = rng.randint(100, 360), rng.randint(210, 290)
            d.rectangle([x, y, x + 60, y + 40], fill=(rng.randint(40, 200), 60, 40))
    else:
        d.rectangle([180, 170, 300, 260], fill=(120, 90, 60))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=70)
    return out.getvalue(), w, h


def _categories(ctx: DemoContext, tenant: LocalAuthority, codes: list[str]) -> dict[str, Category]:
    teams = {k.split(":", 1)[1]: s for k, s in ctx.services.items() if k.startswith(tenant.slug)}
    result = {}
    for order, (code, name, group, team, keywords, description, _d, _w) in enumerate(CATEGORIES):
        if code not in codes:
            continue
        fields: dict[str, Any] = {
            "group": group,
            "keywords": keywords,
            "description": description,
            "order": order,
            "service": teams.get(team) or teams.get("services-techniques"),
        }
        if code == "mobilier-urbain" and tenant.slug == VALMONT:
            fields["operator_name"] = "Mobilia Concessions (abribus)"
            fields["operator_email"] = "signalements@mobilia.example"
        if code == "depots-sauvages":
            fields["attributes"] = [
                {"code": "volume", "datatype": "singlevaluelist", "required": True,
                 "description": "Volume approximatif",
                 "values": [{"key": "sac", "name": "Quelques sacs"},
                            {"key": "coffre", "name": "Un coffre de voiture"},
                            {"key": "camion", "name": "Plus qu'un coffre"}]},
            ]  # fmt: skip
        if code == "eclairage-public":
            fields["attributes"] = [
                {"code": "numero", "datatype": "string", "required": False,
                 "description": "Numéro inscrit sur le candélabre"},
            ]  # fmt: skip
        result[code] = services.category_save(
            actor="demo", tenant=tenant, service_code=code, name=name, **fields
        )
    return result


def _box(district: District) -> tuple[float, float, float, float]:
    ring = district.geometry["coordinates"][0]
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _status_for(rng: Random, age_days: float, fix_days: float) -> str:
    if age_days < 1 and rng.random() < 0.3:
        return Status.UNCONFIRMED
    if age_days < fix_days * 2.5:
        return rng.choices(
            [Status.NEW, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.PLANNED,
             Status.IN_PROGRESS, Status.FIXED],
            [3, 2, 3, 2, 1, 3] if age_days > 2 else [6, 2, 1, 0, 0, 0],
        )[0]  # fmt: skip
    return rng.choices(
        [Status.FIXED, Status.NOT_OURS, Status.DUPLICATE, Status.REJECTED, Status.ASSIGNED],
        [80, 5, 7, 4, 4],
    )[0]


def _seed_tenant(
    ctx: DemoContext, tenant: LocalAuthority, count: int, codes: list[str], photos: int
) -> list[Report]:
    # Our own generator: drawing from ctx.rng would change what later modules seed.
    rng = Random(f"reports:{tenant.slug}")
    now: datetime = ctx.now
    cats = _categories(ctx, tenant, codes)
    districts = list(District.objects.for_tenant(tenant))
    resident = ctx.people.get(f"{tenant.slug}:resident")
    agent = ctx.people.get(f"{tenant.slug}:agent")
    specs = [c for c in CATEGORIES if c[0] in cats]
    weights = [c[7] for c in specs]
    reports: list[Report] = []
    history: list[tuple[int, list[tuple[str, str, datetime]]]] = []
    for i in range(count):
        code, _n, _g, _t, _k, _d, fix_days, _w = rng.choices(specs, weights)[0]
        category = cats[code]
        # More reports in recent months (the service became known), a summer peak.
        age = 365 * (rng.random() ** 1.3)
        requested = now - timedelta(days=age, minutes=rng.randint(0, 600))
        district = rng.choice(districts)
        x0, y0, x1, y1 = _box(district)
        street = rng.choice(STREETS.get(district.name, ["rue principale"]))
        with_point = rng.random() < 0.9
        status = _status_for(rng, age, fix_days)
        resolution = min(rng.lognormvariate(math.log(fix_days), 0.7), max(age - 0.1, 0.05))
        closed_at = requested + timedelta(days=resolution) if status in CLOSED_STATUSES else None
        planned = None
        if status == Status.PLANNED:
            planned = (now + timedelta(days=rng.randint(0, 6))).date()
        report = Report(
            tenant=tenant,
            category=category,
            status=status,
            description=rng.choice(PHRASES[code]),
            lon=round(rng.uniform(x0 + 0.0005, x1 - 0.0005), 6) if with_point else None,
            lat=round(rng.uniform(y0 + 0.0005, y1 - 0.0005), 6) if with_point else None,
            address=f"{rng.randint(1, 80)} {street}",
            zipcode="99101" if tenant.slug == VALMONT else "99102",
            district=district,
            attributes={"volume": rng.choice(["sac", "coffre", "camion"])}
            if code == "depots-sauvages"
            else {},
            reporter=resident if resident is not None and i % 25 == 0 else None,
            reporter_email="" if i % 25 == 0 else f"habitant{i}@courriel.example",
            confirmation_token=secrets.token_urlsafe(32) if status == Status.UNCONFIRMED else "",
            token=secrets.token_hex(16),
            source=Source.OPEN311 if i % 5 == 0 else Source.WEB,
            assigned_service=category.service
            if status not in (Status.NEW, Status.UNCONFIRMED)
            else None,
            planned_for=planned,
            requested_at=requested,
            updated_at=closed_at or requested + timedelta(days=min(age, 1) * 0.5),
            expected_at=requested + timedelta(days=fix_days * 1.5),
            closed_at=closed_at,
            status_notes={
                str(Status.NOT_OURS): NOT_OURS,
                str(Status.REJECTED): REJECTED,
                str(Status.FIXED): "Intervention réalisée.",
            }.get(status, ""),
        )
        reports.append(report)
        steps = _steps(status, requested, closed_at or report.updated_at)
        history.append((i, steps))
    Report.objects.bulk_create(reports, batch_size=500)
    # Every public report's history, from "new" to its current status.
    updates = []
    for i, steps in history:
        report = reports[i]
        previous = ""
        for status, text, when in steps:
            updates.append(
                ReportUpdate(
                    tenant=tenant,
                    report=report,
                    kind=UpdateKind.STATUS,
                    status_from=previous,
                    status_to=status,
                    text=text or report.status_notes if status == report.status else text,
                    author=agent if previous else None,
                    created=when,
                )
            )
            previous = status
        if report.status in (Status.ASSIGNED, Status.IN_PROGRESS) and i % 4 == 0:
            updates.append(
                ReportUpdate(
                    tenant=tenant,
                    report=report,
                    kind=UpdateKind.INTERNAL,
                    text="Matériel à prévoir : voir avec le magasin.",
                    author=agent,
                    created=report.updated_at,
                )
            )
    ReportUpdate.objects.bulk_create(updates, batch_size=1000)
    # Duplicates point to an earlier report of the same category.
    by_cat: dict[int, Report] = {}
    dups = []
    for report in sorted(reports, key=lambda r: r.requested_at):
        if report.status == Status.DUPLICATE and report.category_id in by_cat:
            report.duplicate_of = by_cat[report.category_id]
            dups.append(report)
        by_cat[report.category_id or 0] = report
    Report.objects.bulk_update(dups, ["duplicate_of"])
    followers = [
        Follower(tenant=tenant, report=r, user=r.reporter) for r in reports if r.reporter_id
    ]
    Follower.objects.bulk_create(followers, ignore_conflicts=True)
    # Photos on some public reports (the most recent ones, which the pages show first).
    public = [r for r in reports if r.status != Status.UNCONFIRMED]
    public.sort(key=lambda r: r.requested_at, reverse=True)
    pics = []
    for report in public[: photos * 3 : 3]:
        data, w, h = _photo(rng, report.category.service_code if report.category else "")
        pics.append(ReportPhoto(tenant=tenant, report=report, data=data, width=w, height=h))
    ReportPhoto.objects.bulk_create(pics)
    services.touch(tenant.pk)
    return reports


def _steps(status: str, start: datetime, end: datetime) -> list[tuple[str, str, datetime]]:
    if status == Status.UNCONFIRMED:
        return []
    paths = {
        Status.NEW: [Status.NEW],
        Status.ACKNOWLEDGED: [Status.NEW, Status.ACKNOWLEDGED],
        Status.ASSIGNED: [Status.NEW, Status.ASSIGNED],
        Status.PLANNED: [Status.NEW, Status.ASSIGNED, Status.PLANNED],
        Status.IN_PROGRESS: [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS],
        Status.FIXED: [Status.NEW, Status.ASSIGNED, Status.FIXED],
        Status.NOT_OURS: [Status.NEW, Status.NOT_OURS],
        Status.DUPLICATE: [Status.NEW, Status.DUPLICATE],
        Status.REJECTED: [Status.NEW, Status.REJECTED],
    }
    path = paths[Status(status)]
    span = max((end - start).total_seconds(), 60)
    texts = {
        Status.ASSIGNED: "Confié à l'équipe concernée.",
        Status.PLANNED: "Intervention planifiée.",
        Status.IN_PROGRESS: "L'équipe est sur place.",
        Status.DUPLICATE: "Ce problème est déjà signalé : suivez le signalement d'origine.",
    }
    return [
        (s, texts.get(s, ""), start + timedelta(seconds=span * k / max(len(path) - 1, 1)))
        for k, s in enumerate(path)
    ]


def seed(ctx: DemoContext) -> None:
    valmont = ctx.tenants[VALMONT]
    reports = _seed_tenant(ctx, valmont, 700, [c[0] for c in CATEGORIES], photos=30)
    # Today's round for the roads team: a handful of reports planned for today.
    voirie = ctx.services.get(f"{VALMONT}:voirie")
    today = ctx.now.date()
    todays = [
        r for r in reports
        if r.status in (Status.ASSIGNED, Status.PLANNED) and r.assigned_service == voirie
        and r.lon is not None
    ][:8]  # fmt: skip
    Report.objects.filter(pk__in=[r.pk for r in todays]).update(
        status=Status.PLANNED, planned_for=today
    )
    services.touch(valmont.pk)
    resident = ctx.people.get(f"{VALMONT}:resident")
    if resident is not None:
        followed = [r for r in reports if r.status in (Status.ASSIGNED, Status.FIXED)][:3]
        Follower.objects.bulk_create(
            [Follower(tenant=valmont, report=r, user=resident) for r in followed],
            ignore_conflicts=True,
        )
    if SAINT_AUBIN in ctx.tenants:
        _seed_tenant(
            ctx,
            ctx.tenants[SAINT_AUBIN],
            40,
            ["voirie", "eclairage-public", "proprete", "depots-sauvages"],
            photos=3,
        )
    key = apikey_create(
        actor="demo", tenant=valmont, name="Application mobile Open311 (démo)", scopes=["open311"]
    )
    ctx.notes.append(
        "Open311 GeoReport v2 : /open311/v2/discovery.json — jurisdiction_id=valmont-sur-mer, "
        f"clé de démonstration (droit open311) : {key.secret}"
    )
