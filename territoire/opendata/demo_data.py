# ruff: noqa: E501 - data tables, one record per line
"""Rows of Valmont-sur-Mer's demo datasets, built like the real files a town publishes.

Fictional but plausible: the town's SIRET, its four quartiers (Centre, Port, Les Hauts,
Plage), its nine schools and two pools, its council's deliberations, the subsidies to
its associations, its water consumption and its air quality.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

SIRET = "29990010100017"
TOWN = "Valmont-sur-Mer"
POSTCODE = "99101"

# (theme, BPE-like code, type, name, number, street, quartier, lon, lat, ERP category)
EQUIPMENTS = [
    ("Equipement administratif", "A101", "Mairie", "Hôtel de ville", "1", "quai Jean-Bart", "Port", -1.1612, 46.1441, 3),
    ("Equipement administratif", "A206", "Police municipale", "Poste de police municipale", "4", "rue du Commerce", "Centre", -1.1468, 46.1482, 5),
    ("Equipement d'enseignement", "C107", "École maternelle", "École maternelle du Port", "12", "rue des Mouettes", "Port", -1.1662, 46.1436, 4),
    ("Equipement d'enseignement", "C108", "École élémentaire", "École élémentaire du Port", "14", "rue des Mouettes", "Port", -1.1659, 46.1439, 4),
    ("Equipement d'enseignement", "C107", "École maternelle", "École maternelle de la Plage", "3", "avenue de l'Océan", "Plage", -1.1684, 46.1571, 4),
    ("Equipement d'enseignement", "C108", "École élémentaire", "École élémentaire de la Plage", "5", "avenue de l'Océan", "Plage", -1.1681, 46.1575, 4),
    ("Equipement d'enseignement", "C107", "École maternelle", "École maternelle Jules-Ferry", "22", "rue Jules-Ferry", "Centre", -1.1421, 46.1497, 4),
    ("Equipement d'enseignement", "C108", "École élémentaire", "École élémentaire Jules-Ferry", "24", "rue Jules-Ferry", "Centre", -1.1417, 46.1501, 3),
    ("Equipement d'enseignement", "C107", "École maternelle", "École maternelle des Hauts", "8", "chemin des Vignes", "Les Hauts", -1.1398, 46.1622, 4),
    ("Equipement d'enseignement", "C108", "École élémentaire", "École élémentaire des Hauts", "10", "chemin des Vignes", "Les Hauts", -1.1394, 46.1626, 4),
    ("Equipement d'enseignement", "C109", "École primaire", "École primaire du Moulin", "2", "allée du Moulin", "Les Hauts", -1.1472, 46.1661, 4),
    ("Equipement sportif et de loisirs", "F101", "Piscine", "Piscine des Dunes", "40", "boulevard de la Plage", "Plage", -1.1702, 46.1603, 3),
    ("Equipement sportif et de loisirs", "F101", "Piscine", "Piscine Jean-Bart", "18", "rue de la Criée", "Port", -1.1635, 46.1458, 3),
    ("Equipement sportif et de loisirs", "F121", "Salle multisports", "Gymnase du Centre", "6", "rue des Écoles", "Centre", -1.1445, 46.1468, 3),
    ("Equipement sportif et de loisirs", "F113", "Terrain de grands jeux", "Stade municipal des Hauts", "1", "route de Saint-Aubin", "Les Hauts", -1.1361, 46.1655, 3),
    ("Equipement sportif et de loisirs", "F120", "Base nautique", "Base nautique de Valmont", "2", "digue du Large", "Port", -1.1718, 46.1462, 4),
    ("Equipement culturel", "F303", "Médiathèque", "Médiathèque des Rives", "9", "place du Marché", "Centre", -1.1482, 46.1505, 3),
    ("Equipement culturel", "F307", "École de musique", "École de musique intercommunale", "11", "place du Marché", "Centre", -1.1479, 46.1509, 4),
    ("Equipement culturel", "F315", "Salle de spectacle", "Salle des fêtes Marcel-Pagnol", "27", "avenue de la Gare", "Centre", -1.1401, 46.1452, 2),
    ("Equipement social et d'animation", "D502", "Établissement d'accueil du jeune enfant", "Crèche Les Petits Mousses", "7", "rue des Mouettes", "Port", -1.1648, 46.1429, 5),
    ("Equipement social et d'animation", "D201", "Centre social", "Maison des habitants des Hauts", "15", "place des Tilleuls", "Les Hauts", -1.1425, 46.1608, 4),
    ("Equipement social et d'animation", "D401", "Résidence autonomie", "Résidence Les Embruns", "31", "boulevard de la Plage", "Plage", -1.1662, 46.1612, 3),
    ("Equipement de mobilité", "E107", "Gare routière", "Pôle d'échanges de la Gare", "1", "avenue de la Gare", "Centre", -1.1376, 46.1441, 4),
    ("Equipement de mobilité", "E108", "Parc de stationnement", "Parking du Marché", "2", "place du Marché", "Centre", -1.1488, 46.1499, 5),
    ("Equipement sanitaire", "D108", "Maison de santé", "Maison de santé du Centre", "19", "rue Victor-Hugo", "Centre", -1.1452, 46.1523, 5),
    ("Autre équipement", "Z101", "Cimetière", "Cimetière des Hauts", "1", "chemin du Calvaire", "Les Hauts", -1.1348, 46.1682, 5),
    ("Autre équipement", "Z102", "Déchèterie", "Déchèterie de la Croix-Blanche", "3", "route de Saint-Aubin", "Les Hauts", -1.1322, 46.1664, 5),
]  # fmt: skip

# ACTES nomenclature: code, matter, typical objects
MATTERS = [
    ("1.1", "Marchés publics", ["Attribution du marché de restauration scolaire", "Marché de travaux de réfection de la digue du Large", "Accord-cadre d'entretien de l'éclairage public"]),
    ("1.4", "Autres types de contrats", ["Convention d'occupation du domaine public portuaire", "Convention de mise à disposition de la salle Marcel-Pagnol"]),
    ("2.1", "Documents d'urbanisme", ["Modification simplifiée du plan local d'urbanisme", "Bilan de la concertation sur l'aménagement du front de mer"]),
    ("3.1", "Acquisitions", ["Acquisition d'une parcelle rue des Vignes pour un jardin partagé", "Acquisition amiable d'un local commercial place du Marché"]),
    ("3.2", "Aliénations", ["Cession d'un délaissé de voirie chemin du Calvaire"]),
    ("4.1", "Personnel titulaires et stagiaires", ["Mise à jour du tableau des effectifs", "Création d'un poste d'agent de médiation numérique"]),
    ("5.2", "Fonctionnement des assemblées", ["Règlement du budget participatif", "Désignation des représentants au conseil d'école"]),
    ("7.1", "Décisions budgétaires", ["Décision modificative n° 1 du budget principal", "Compte administratif de l'exercice précédent", "Budget primitif"]),
    ("7.5", "Subventions", ["Attribution des subventions aux associations", "Subvention exceptionnelle au club nautique"]),
    ("8.3", "Voirie", ["Réfection du quai Jean-Bart : demande de subvention", "Programme annuel de voirie", "Dénomination de l'allée du Moulin"]),
    ("8.8", "Environnement", ["Plan de réduction des pertes du réseau d'eau potable", "Adhésion au plan climat intercommunal"]),
    ("9.1", "Autres domaines de compétences des communes", ["Tarifs des piscines pour la saison estivale", "Horaires d'été de la médiathèque"]),
]  # fmt: skip

ASSOCIATIONS = [
    ("Club nautique de Valmont", "W991000101", "Fonctionnement de l'école de voile", 12000),
    ("Union sportive valmontaise", "W991000102", "Fonctionnement des sections football et athlétisme", 18500),
    ("Judo club du Port", "W991000103", "Achat de tatamis et fonctionnement", 3200),
    ("Comité des fêtes de Valmont", "W991000104", "Organisation de la fête de la mer", 9000),
    ("Les Amis de la médiathèque", "W991000105", "Festival du livre jeunesse", 2500),
    ("Société nationale de sauvetage en mer – station de Valmont", "W991000106", "Équipement de la station de sauvetage", 6000),
    ("Jardins partagés des Hauts", "W991000107", "Aménagement du jardin partagé", 1800),
    ("Association des commerçants du Centre", "W991000108", "Animations commerciales de fin d'année", 4500),
    ("Banque alimentaire – antenne de Valmont", "W991000109", "Aide alimentaire aux familles", 7500),
    ("École de musique des Rives", "W991000110", "Fonctionnement de l'orchestre des jeunes", 15000),
    ("Les Petits Mousses – parents d'élèves du Port", "W991000111", "Sorties scolaires", 1200),
    ("Handisport littoral", "W991000112", "Matériel de baignade adaptée", 2800),
    ("Ciné-club des Rives", "W991000113", "Programmation du ciné-club", 1500),
    ("Valmont Patrimoine", "W991000114", "Restauration du phare et visites", 5000),
]  # fmt: skip

DISTRICTS = {  # subscribers (abonnés), summer factor (tourism)
    "Centre": (4100, 1.15),
    "Port": (2700, 1.45),
    "Plage": (2900, 1.9),
    "Les Hauts": (3100, 1.1),
}
STATIONS = [("Valmont-Port", -1.1655, 46.1447, 1.25), ("Valmont-Les Hauts", -1.1402, 46.1618, 0.8)]
ATMO = ["Bon", "Moyen", "Dégradé", "Mauvais", "Très mauvais", "Extrêmement mauvais"]


def to_csv(header: list[str], rows: list[list[Any]], delimiter: str = ",") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def equipments() -> bytes:
    header = [
        "COLL_NOM", "COLL_SIRET", "EQUIP_UID", "EQUIP_THEME", "EQUIP_CODE", "EQUIP_TYPE",
        "EQUIP_NOM", "ADR_NUMERO", "ADR_NOMVOIE", "ADR_CODEPOSTAL", "ADR_COMMUNE",
        "ADR_CLE_INTEROP", "ERP_ID", "ERP_TYPE", "ERP_CATEGORIE", "EQUIP_LAT", "EQUIP_LONG",
        "EQUIP_OUVERTURE", "EQUIP_TEL", "EQUIP_EMAIL", "EQUIP_WEB",
    ]  # fmt: skip
    rows = []
    for i, (theme, code, kind, name, num, street, _q, lon, lat, erp) in enumerate(EQUIPMENTS, 1):
        rows.append(
            [
                TOWN, SIRET, f"{POSTCODE}-20250101-{i:03d}", theme, code, kind, name, num, street,
                POSTCODE, TOWN, f"{POSTCODE}_{1000 + i * 7:04d}_{int(num):05d}", "", "",
                erp, lat, lon, "", "", "", "",
            ]
        )  # fmt: skip
    return to_csv(header, rows)


def deliberations(rng: Random, year: int) -> bytes:
    header = [
        "COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE",
        "DELIB_MATIERE_NOM", "DELIB_OBJET", "BUDGET_ANNEE", "BUDGET_NOM", "PREF_ID",
        "PREF_DATE", "VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE",
        "VOTE_ABSTENTION", "DELIB_URL",
    ]  # fmt: skip
    sittings = [
        date(year, m, d) for m, d in ((1, 27), (3, 24), (5, 19), (6, 30), (9, 29), (11, 17))
    ]
    rows = []
    n = 0
    for sitting in sittings:
        for _ in range(rng.randint(5, 9)):
            n += 1
            code, matter, objects = rng.choice(MATTERS)
            present = rng.randint(27, 33)
            against = rng.choice([0, 0, 0, 2, 6, 7])
            abstain = rng.choice([0, 0, 1, 2, 6])
            budget = code.startswith("7")
            pref = sitting + timedelta(days=rng.randint(1, 4))
            delib_id = f"{year}-DEL-{n:03d}"
            rows.append(
                [
                    TOWN, SIRET, delib_id, sitting.isoformat(), code, matter,
                    rng.choice(objects) + (f" {year}" if budget else ""),
                    str(year) if budget else "", "Budget principal" if budget else "",
                    f"099-299900101-{sitting:%Y%m%d}-DEL{n:03d}-DE", pref.isoformat(), 33,
                    present, present - against - abstain, against, abstain,
                    f"https://valmont-sur-mer.example/deliberations/{delib_id}.pdf",
                ]
            )  # fmt: skip
    return to_csv(header, rows)


def subsidies(rng: Random, year: int) -> bytes:
    header = [
        "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
        "nomBeneficiaire", "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature",
        "conditionsVersement", "datesPeriodeVersement", "idRAE", "notificationUE",
        "pourcentageSubvention", "dispositifAide",
    ]  # fmt: skip
    rows = []
    for i, (name, rna, purpose, amount) in enumerate(ASSOCIATIONS, 1):
        convention = date(year, 3, 24) + timedelta(days=rng.randint(3, 40))
        staged = amount > 10000
        rows.append(
            [
                TOWN, SIRET, convention.isoformat(), f"{year}-DEL-{rng.randint(6, 14):03d}", name,
                f"99910{i:04d}00015", rna, purpose, f"{amount:.2f}", "aide en numéraire",
                "Échelonné" if staged else "Unique",
                f"{convention + timedelta(days=15)}/{date(year, 10, 31)}" if staged
                else (convention + timedelta(days=15)).isoformat(),
                "", "non", round(rng.uniform(0.15, 0.6), 2),
                "Subventions de fonctionnement aux associations",
            ]
        )  # fmt: skip
    return to_csv(header, rows, delimiter=";")


def water(rng: Random, today: date) -> bytes:
    header = ["mois", "quartier", "abonnes", "volume_m3", "litres_par_abonne_par_jour"]
    rows = []
    first = date(today.year - 2, today.month, 1)
    for k in range(24):
        month = date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        days = 30.4
        summer = math.exp(-(((month.month - 7.5) / 1.6) ** 2))
        for district, (subscribers, factor) in DISTRICTS.items():
            per_day = 128 * (1 + (factor - 1) * summer) * rng.uniform(0.95, 1.05)
            volume = round(subscribers * per_day * days / 1000)
            rows.append([month.strftime("%Y-%m"), district, subscribers, volume, round(per_day, 1)])
    return to_csv(header, rows, delimiter=";")


def air_quality(rng: Random, today: date) -> bytes:
    header = [
        "date", "station", "longitude", "latitude", "no2_ug_m3", "pm10_ug_m3", "pm25_ug_m3",
        "o3_ug_m3", "indice_atmo",
    ]  # fmt: skip
    rows = []
    for k in range(365, 0, -1):
        day = today - timedelta(days=k)
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)  # 1 in winter
        for station, lon, lat, traffic in STATIONS:
            weekday = 1.15 if day.weekday() < 5 else 0.8
            no2 = max(3.0, rng.gauss(18 + 8 * season, 5) * traffic * weekday)
            pm10 = max(4.0, rng.gauss(17 + 6 * season, 5))
            pm25 = max(2.0, pm10 * rng.uniform(0.45, 0.65))
            o3 = max(10.0, rng.gauss(62 - 22 * season, 12))
            level = max(
                0 if no2 < 40 else 1 if no2 < 90 else 2,
                0 if pm10 < 20 else 1 if pm10 < 40 else 2 if pm10 < 50 else 3,
                0 if o3 < 50 else 1 if o3 < 100 else 2,
            )
            rows.append(
                [
                    day.isoformat(), station, lon, lat, round(no2, 1), round(pm10, 1),
                    round(pm25, 1), round(o3, 1), ATMO[level],
                ]
            )  # fmt: skip
    return to_csv(header, rows)


def today_of(now: datetime) -> date:
    return now.date()
