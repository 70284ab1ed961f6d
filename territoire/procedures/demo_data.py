"""The demo procedures of Valmont-sur-Mer (field definitions and texts, in French)."""

from __future__ import annotations

from typing import Any

QUARTIERS = ["Port", "Plage", "Centre", "Les Hauts"]
SCHOOLS = {
    "Port": ["École maternelle du Port", "École élémentaire Jean-Bart"],
    "Plage": ["École maternelle des Dunes", "École élémentaire des Mouettes"],
    "Centre": ["École maternelle Les Tilleuls", "École élémentaire Victor-Hugo"],
    "Les Hauts": ["Groupe scolaire des Hauts-de-Valmont", "École élémentaire du Moulin"],
}
LEVELS = [
    "Toute petite section",
    "Petite section",
    "Moyenne section",
    "Grande section",
    "CP",
    "CE1",
    "CE2",
    "CM1",
    "CM2",
]


def _school_choice(quartier: str, index: int) -> dict[str, Any]:
    return {
        "id": f"ecole_{index}",
        "type": "choice",
        "label": "École demandée",
        "help": f"Écoles du secteur {quartier}.",
        "required": True,
        "options": SCHOOLS[quartier],
        "condition": {
            "combine": "and",
            "rules": [{"field": "quartier", "op": "eq", "value": quartier}],
        },
    }


SCHOOL_FIELDS: list[dict[str, Any]] = [
    {"id": "responsable", "type": "section", "label": "Responsable légal"},
    {"id": "nom_responsable", "type": "text", "label": "Nom et prénom", "required": True},
    {
        "id": "lien",
        "type": "choice",
        "label": "Lien avec les enfants",
        "required": True,
        "options": ["Mère", "Père", "Tuteur ou tutrice"],
    },
    {"id": "telephone", "type": "phone", "label": "Téléphone", "required": True},
    {
        "id": "adresse",
        "type": "address",
        "label": "Adresse du domicile",
        "required": True,
        "help": "L'adresse détermine l'école de secteur.",
    },
    {
        "id": "quartier",
        "type": "choice",
        "label": "Quartier de résidence",
        "required": True,
        "options": QUARTIERS,
    },
    {
        "id": "justificatif_domicile",
        "type": "file",
        "label": "Justificatif de domicile de moins de trois mois",
        "help": "Facture d'énergie, quittance de loyer ou avis d'imposition.",
        "required": True,
        "accept": ["pdf", "jpeg", "png"],
        "max_size_mb": 5,
    },
    {
        "id": "info_secteur",
        "type": "explanation",
        "label": "Comment l'école est attribuée",
        "help": (
            "Chaque quartier dépend d'une ou deux écoles. Indiquez votre quartier puis "
            "enregistrez : la liste des écoles de votre secteur apparaît pour chaque enfant."
        ),
    },
    {
        "id": "enfants",
        "type": "group",
        "label": "Enfants à inscrire",
        "item_label": "Enfant",
        "min_items": 1,
        "max_items": 6,
        "required": True,
        "fields": [
            {"id": "prenom", "type": "text", "label": "Prénom", "required": True},
            {"id": "nom", "type": "text", "label": "Nom", "required": True},
            {"id": "naissance", "type": "date", "label": "Date de naissance", "required": True},
            {
                "id": "niveau",
                "type": "choice",
                "label": "Niveau à la rentrée",
                "required": True,
                "options": LEVELS,
            },
            *[_school_choice(q, i) for i, q in enumerate(QUARTIERS, start=1)],
            {"id": "cantine", "type": "yesno", "label": "Restauration scolaire", "required": True},
            {
                "id": "periscolaire",
                "type": "multiple",
                "label": "Accueil périscolaire",
                "options": [
                    "Garderie du matin",
                    "Garderie du soir",
                    "Mercredi au centre de loisirs",
                ],
            },
            {
                "id": "pai",
                "type": "yesno",
                "label": "Projet d'accueil individualisé (allergie, traitement)",
            },
            {
                "id": "pai_detail",
                "type": "textarea",
                "label": "Précisez le besoin de l'enfant",
                "required": True,
                "condition": {
                    "combine": "and",
                    "rules": [{"field": "pai", "op": "eq", "value": "oui"}],
                },
            },
        ],
    },
    {
        "id": "derogation",
        "type": "yesno",
        "label": "Demandez-vous une dérogation de secteur ?",
        "required": True,
    },
    {
        "id": "derogation_motif",
        "type": "textarea",
        "label": "Motif de la demande de dérogation",
        "required": True,
        "condition": {
            "combine": "and",
            "rules": [{"field": "derogation", "op": "eq", "value": "oui"}],
        },
    },
    {
        "id": "certification",
        "type": "checkbox",
        "label": "Je certifie l'exactitude des informations données",
        "required": True,
    },
]

CIVIL_FIELDS: list[dict[str, Any]] = [
    {
        "id": "type_acte",
        "type": "choice",
        "label": "Acte demandé",
        "required": True,
        "options": ["Acte de naissance", "Acte de mariage", "Acte de décès"],
    },
    {
        "id": "forme",
        "type": "choice",
        "label": "Forme de l'acte",
        "required": True,
        "options": ["Copie intégrale", "Extrait avec filiation", "Extrait sans filiation"],
        "help": "Pour une carte d'identité ou un passeport, un extrait avec filiation suffit.",
    },
    {
        "id": "qualite",
        "type": "choice",
        "label": "Vous êtes",
        "required": True,
        "options": [
            "La personne concernée",
            "Son conjoint ou sa conjointe",
            "Son père ou sa mère",
            "Son fils ou sa fille",
            "Un professionnel (notaire, avocat)",
        ],
    },
    {"id": "personne", "type": "section", "label": "Personne concernée par l'acte"},
    {"id": "nom_acte", "type": "text", "label": "Nom de naissance", "required": True},
    {"id": "prenoms_acte", "type": "text", "label": "Prénoms", "required": True},
    {"id": "date_evenement", "type": "date", "label": "Date de l'événement", "required": True},
    {
        "id": "parents",
        "type": "text",
        "label": "Noms des parents",
        "condition": {
            "combine": "and",
            "rules": [{"field": "type_acte", "op": "eq", "value": "Acte de naissance"}],
        },
    },
    {
        "id": "conjoint",
        "type": "text",
        "label": "Nom et prénom du conjoint",
        "required": True,
        "condition": {
            "combine": "and",
            "rules": [{"field": "type_acte", "op": "eq", "value": "Acte de mariage"}],
        },
    },
    {
        "id": "motif",
        "type": "choice",
        "label": "Motif de la demande",
        "required": True,
        "options": [
            "Carte d'identité ou passeport",
            "Mariage ou PACS",
            "Succession",
            "Retraite",
            "Autre",
        ],
    },
    {
        "id": "motif_autre",
        "type": "text",
        "label": "Précisez le motif",
        "required": True,
        "condition": {
            "combine": "and",
            "rules": [{"field": "motif", "op": "eq", "value": "Autre"}],
        },
    },
    {
        "id": "exemplaires",
        "type": "integer",
        "label": "Nombre d'exemplaires",
        "required": True,
        "min": "1",
        "max": "3",
    },
    {
        "id": "delivrance",
        "type": "choice",
        "label": "Mode de délivrance",
        "required": True,
        "options": ["Envoi par courrier", "Retrait à l'accueil de la mairie"],
    },
    {
        "id": "adresse_envoi",
        "type": "address",
        "label": "Adresse d'envoi",
        "required": True,
        "condition": {
            "combine": "and",
            "rules": [{"field": "delivrance", "op": "eq", "value": "Envoi par courrier"}],
        },
    },
    {
        "id": "justificatif_pro",
        "type": "file",
        "label": "Justificatif de votre mandat",
        "required": True,
        "condition": {
            "combine": "or",
            "rules": [
                {
                    "field": "qualite",
                    "op": "in",
                    "value": ["Un professionnel (notaire, avocat)"],
                },
            ],
        },
    },
]

URBANISM_FIELDS: list[dict[str, Any]] = [
    {
        "id": "qualite",
        "type": "choice",
        "label": "Vous êtes",
        "required": True,
        "options": ["Propriétaire", "Notaire", "Géomètre-expert", "Futur acquéreur", "Autre"],
    },
    {
        "id": "etude",
        "type": "text",
        "label": "Nom de l'étude notariale",
        "required": True,
        "condition": {
            "combine": "and",
            "rules": [{"field": "qualite", "op": "eq", "value": "Notaire"}],
        },
    },
    {"id": "terrain", "type": "section", "label": "Le terrain"},
    {
        "id": "adresse_terrain",
        "type": "address",
        "label": "Adresse ou lieu-dit du terrain",
        "required": True,
        "help": "Placez le point sur la carte si le terrain n'a pas d'adresse.",
    },
    {
        "id": "parcelle",
        "type": "text",
        "label": "Référence cadastrale",
        "required": True,
        "format": "parcel",
        "help": "Section et numéro de parcelle, par exemple AB 123 (voir cadastre.gouv.fr).",
    },
    {
        "id": "autres_parcelles",
        "type": "textarea",
        "label": "Autres parcelles concernées",
    },
    {"id": "superficie", "type": "number", "label": "Superficie du terrain (m²)", "min": "1"},
    {
        "id": "plan",
        "type": "file",
        "label": "Plan de situation du terrain",
        "required": True,
        "accept": ["pdf", "jpeg", "png"],
        "max_size_mb": 10,
    },
    {
        "id": "info_delai",
        "type": "explanation",
        "label": "Délai d'instruction",
        "help": (
            "Le certificat d'urbanisme d'information est délivré dans un délai d'un mois. "
            "Sans réponse dans ce délai, un certificat tacite est acquis."
        ),
    },
]

PROCEDURES: list[dict[str, Any]] = [
    {
        "slug": "inscription-scolaire",
        "title": "Inscription scolaire",
        "theme": "Enfance et écoles",
        "service": "education",
        "description": (
            "Inscrivez vos enfants à l'école maternelle ou élémentaire publique de "
            "Valmont-sur-Mer pour la rentrée : première inscription, arrivée dans la "
            "commune ou changement d'école. Une seule demande pour tous vos enfants."
        ),
        "requirements": (
            "Un justificatif de domicile de moins de trois mois.\n"
            "Le livret de famille ou l'acte de naissance des enfants (à présenter à l'école).\n"
            "Le carnet de santé (vaccinations à jour)."
        ),
        "delay": "15 jours",
        "cost": "Gratuit",
        "silence_days": None,
        "fields": SCHOOL_FIELDS,
        "accepted": (
            "Certificat d'inscription scolaire",
            "La commune de {collectivite} certifie que la demande d'inscription scolaire "
            "{reference}, déposée le {date_depot} par {demandeur}, est acceptée.\n\n"
            "Présentez ce certificat au directeur ou à la directrice de l'école pour "
            "finaliser l'admission.\n\nFait le {date_decision}.",
        ),
        "refused": (
            "Refus d'inscription scolaire",
            "La demande d'inscription scolaire {reference} déposée le {date_depot} ne peut "
            "pas être acceptée.\n\nMotif : {motivation}\n\nVous pouvez former un recours "
            "gracieux auprès du maire dans un délai de deux mois.",
        ),
        "private": [
            {"id": "quotient", "type": "yesno", "label": "Quotient familial vérifié"},
            {
                "id": "decision_commission",
                "type": "choice",
                "label": "Avis de la commission des dérogations",
                "options": ["Favorable", "Défavorable", "Sans objet"],
            },
        ],
        "volume": 230,
        "days": (3, 25),
    },
    {
        "slug": "acte-etat-civil",
        "title": "Demande d'acte d'état civil",
        "theme": "État civil",
        "service": "etat-civil",
        "description": (
            "Demandez une copie ou un extrait d'acte de naissance, de mariage ou de décès "
            "dressé à Valmont-sur-Mer. L'acte est envoyé par courrier ou remis à l'accueil."
        ),
        "requirements": (
            "Les nom, prénoms et date de l'événement.\n"
            "Pour un professionnel : un justificatif de mandat."
        ),
        "delay": "5 jours ouvrés",
        "cost": "Gratuit",
        "silence_days": None,
        "fields": CIVIL_FIELDS,
        "accepted": (
            "Délivrance d'acte d'état civil",
            "Votre demande {reference} est acceptée : l'acte ({reponse:type_acte}, "
            "{reponse:forme}) vous est délivré selon le mode choisi : {reponse:delivrance}."
            "\n\nFait à {collectivite} le {date_decision}.",
        ),
        "refused": (
            "Refus de délivrance d'acte d'état civil",
            "Votre demande {reference} ne peut pas être satisfaite.\n\nMotif : {motivation}",
        ),
        "volume": 520,
        "days": (1, 8),
    },
    {
        "slug": "certificat-urbanisme-information",
        "title": "Certificat d'urbanisme d'information",
        "theme": "Urbanisme",
        "service": "urbanisme",
        "description": (
            "Le certificat d'urbanisme d'information indique les règles d'urbanisme "
            "applicables à un terrain, les limitations administratives au droit de "
            "propriété et les taxes. Il est souvent demandé par le notaire avant une vente."
        ),
        "requirements": (
            "La référence cadastrale de la parcelle (section et numéro).\n"
            "Un plan de situation du terrain."
        ),
        "delay": "1 mois",
        "cost": "Gratuit",
        "silence_days": 30,
        "fields": URBANISM_FIELDS,
        "accepted": (
            "Certificat d'urbanisme d'information",
            "Le maire de {collectivite} délivre le certificat d'urbanisme d'information "
            "{reference} pour la parcelle {reponse:parcelle} ({reponse:adresse_terrain}).\n\n"
            "Le terrain est situé en zone UB du plan local d'urbanisme. Les règles "
            "d'urbanisme applicables sont cristallisées pendant dix-huit mois.\n\n"
            "Fait le {date_decision}.",
        ),
        "refused": (
            "Décision relative au certificat d'urbanisme",
            "La demande {reference} ne peut pas être instruite.\n\nMotif : {motivation}",
        ),
        "private": [
            {
                "id": "zone_plu",
                "type": "choice",
                "label": "Zone du PLU",
                "options": ["UA", "UB", "UX", "AU", "A", "N"],
            },
            {"id": "abf", "type": "yesno", "label": "Périmètre des Bâtiments de France"},
        ],
        "volume": 140,
        "days": (8, 29),
    },
]

FIRST_NAMES = [
    "Léa",
    "Hugo",
    "Chloé",
    "Lucas",
    "Manon",
    "Louis",
    "Inès",
    "Gabriel",
    "Jade",
    "Nathan",
    "Emma",
    "Arthur",
    "Sarah",
    "Jules",
    "Camille",
    "Adam",
    "Louise",
    "Raphaël",
    "Zoé",
    "Paul",
    "Nora",
    "Yanis",
    "Alice",
    "Malo",
    "Lina",
    "Théo",
    "Rose",
    "Sacha",
    "Anna",
    "Tom",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Le Goff",
    "Guérin",
    "Benali",
    "Nguyen",
    "Ferreira",
    "Kerboul",
]
STREETS = [
    "rue du Port",
    "quai Jean-Bart",
    "avenue de la Plage",
    "rue des Mouettes",
    "place du Marché",
    "rue Victor-Hugo",
    "allée des Tilleuls",
    "chemin des Hauts",
    "impasse des Pêcheurs",
    "boulevard de l'Océan",
    "rue de la Corderie",
    "rue du Phare",
]
CORRECTIONS = [
    "Le justificatif de domicile joint a plus de trois mois : merci d'en joindre un récent.",
    "La référence cadastrale ne correspond pas à l'adresse indiquée : vérifiez la section.",
    "La date de naissance saisie ne correspond pas au niveau demandé : merci de la vérifier.",
    "Le plan de situation est illisible : merci de joindre un plan à une échelle plus grande.",
]
REFUSALS = [
    "Aucun acte correspondant n'est détenu par la commune de Valmont-sur-Mer.",
    "Le demandeur n'a pas qualité pour obtenir une copie intégrale de cet acte.",
    "L'école demandée n'a plus de place à ce niveau ; une autre école du secteur est proposée.",
    "La parcelle indiquée n'est pas située sur le territoire de la commune.",
]
LABELS = ["urgent", "dérogation", "pièce manquante", "fratrie", "notaire", "à signer"]
