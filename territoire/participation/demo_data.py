# ruff: noqa: E501
"""Content of the demo participatory budget of Valmont-sur-Mer (fictional, real-looking)."""

from __future__ import annotations

# (title, envelope: quartier name or "" for the whole town, cost €, theme, description)
PROJECTS = [
    # Port
    (
        "Aire de jeux du quai des Pêcheurs",
        "Port",
        68000,
        "Enfance",
        "Remplacer les jeux vétustes du quai par une aire pour les 2-12 ans, avec sol souple et ombrières.",
    ),
    (
        "Bancs et ombrages sur la promenade du bassin",
        "Port",
        24000,
        "Cadre de vie",
        "Douze bancs et quatre voiles d'ombrage le long du bassin à flot.",
    ),
    (
        "Stationnement vélos sécurisé à la capitainerie",
        "Port",
        31000,
        "Mobilités",
        "Un abri fermé de 40 places, accessible avec la carte de transport.",
    ),
    (
        "Fresque participative du hangar n° 3",
        "Port",
        15000,
        "Culture",
        "Une fresque sur l'histoire de la pêche, conçue avec les écoles du quartier.",
    ),
    (
        "Éclairage économe de la rue de la Marine",
        "Port",
        42000,
        "Énergie",
        "Passage en LED avec abaissement nocturne et détection de présence.",
    ),
    (
        "Composteurs collectifs de la cité Vauban",
        "Port",
        9000,
        "Déchets",
        "Six bacs de compostage partagés, avec un maître-composteur bénévole formé.",
    ),
    # Plage
    (
        "Accès plage pour personnes à mobilité réduite",
        "Plage",
        55000,
        "Accessibilité",
        "Tapis d'accès, fauteuil amphibie et douche adaptée au poste de secours central.",
    ),
    (
        "Douches et fontaines à eau sur le front de mer",
        "Plage",
        38000,
        "Cadre de vie",
        "Quatre fontaines et deux douches à bouton-poussoir pour limiter l'eau perdue.",
    ),
    (
        "Ganivelles pour protéger la dune des Sablons",
        "Plage",
        27000,
        "Environnement",
        "Pose de ganivelles et replantation d'oyats sur 400 mètres de dune.",
    ),
    (
        "Terrain de beach-volley en accès libre",
        "Plage",
        21000,
        "Sport",
        "Deux terrains avec filets amovibles, ouverts de mai à octobre.",
    ),
    (
        "Cendriers de plage et sensibilisation",
        "Plage",
        6000,
        "Déchets",
        "Distribution de cendriers de poche et bornes de collecte des mégots.",
    ),
    (
        "Piste cyclable de l'avenue de l'Océan",
        "Plage",
        95000,
        "Mobilités",
        "Une piste séparée de la chaussée entre le casino et la pointe.",
    ),
    # Centre
    (
        "Végétalisation de la place du Marché",
        "Centre",
        72000,
        "Environnement",
        "Dix arbres, des massifs et des bancs pour rafraîchir la place l'été.",
    ),
    (
        "Boîte à livres et bancs au square Jean-Moulin",
        "Centre",
        8000,
        "Culture",
        "Une boîte à livres en bois local et trois bancs.",
    ),
    (
        "Toilettes publiques accessibles près de la mairie",
        "Centre",
        58000,
        "Accessibilité",
        "Des toilettes gratuites, accessibles et nettoyées deux fois par jour.",
    ),
    (
        "Rue scolaire devant l'école Jules-Ferry",
        "Centre",
        34000,
        "Mobilités",
        "Fermeture de la rue aux voitures aux heures d'entrée et de sortie, avec barrières.",
    ),
    (
        "Jardin partagé de la rue des Tanneurs",
        "Centre",
        19000,
        "Environnement",
        "Vingt parcelles, un récupérateur d'eau de pluie et un abri à outils.",
    ),
    (
        "Tables de pique-nique au parc de la Source",
        "Centre",
        12000,
        "Cadre de vie",
        "Huit tables, dont deux accessibles en fauteuil.",
    ),
    # Les Hauts
    (
        "City-stade des Hauts",
        "Les Hauts",
        85000,
        "Sport",
        "Un terrain multisports clos, éclairé jusqu'à 22 h, près du collège.",
    ),
    (
        "Sentier piéton vers la gare",
        "Les Hauts",
        46000,
        "Mobilités",
        "Un cheminement éclairé et accessible entre la résidence des Pins et la gare.",
    ),
    (
        "Verger public du coteau",
        "Les Hauts",
        14000,
        "Environnement",
        "Trente arbres fruitiers d'espèces locales, en libre cueillette.",
    ),
    (
        "Abri et banc à l'arrêt de bus Mermoz",
        "Les Hauts",
        11000,
        "Mobilités",
        "Un abri voyageurs avec banc et plan du réseau.",
    ),
    (
        "Salle de quartier rénovée à la Croix-Blanche",
        "Les Hauts",
        64000,
        "Vie associative",
        "Isolation, cuisine équipée et rampe d'accès pour la salle associative.",
    ),
    (
        "Parcours de santé du bois des Hauts",
        "Les Hauts",
        23000,
        "Sport",
        "Dix agrès d'exercice en accès libre le long du chemin forestier.",
    ),
    # Whole town
    (
        "Skatepark intercommunal",
        "",
        180000,
        "Sport",
        "Un skatepark en béton de 800 m² près du complexe sportif, conçu avec les jeunes.",
    ),
    (
        "Navette électrique estivale plage–centre–gare",
        "",
        120000,
        "Mobilités",
        "Une navette gratuite toutes les 20 minutes en juillet et août.",
    ),
    (
        "Plan vélo : 15 km de liaisons cyclables",
        "",
        195000,
        "Mobilités",
        "Relier les quatre quartiers au centre par des itinéraires continus et jalonnés.",
    ),
    (
        "Récupérateurs d'eau de pluie pour les écoles",
        "",
        36000,
        "Environnement",
        "Des cuves dans les neuf écoles pour arroser les cours et les potagers.",
    ),
    (
        "Fête des quartiers et scène mobile",
        "",
        28000,
        "Culture",
        "Une scène démontable prêtée aux associations pour les fêtes de quartier.",
    ),
    (
        "Cours d'école Oasis à l'école des Mouettes",
        "",
        150000,
        "Enfance",
        "Désimperméabiliser la cour, planter, créer des coins calmes et des jeux d'eau.",
    ),
    (
        "Bornes de réparation vélo en libre-service",
        "",
        14000,
        "Mobilités",
        "Cinq bornes avec outils et pompe, une par quartier et une à la gare.",
    ),
    (
        "Défibrillateurs dans les lieux publics",
        "",
        22000,
        "Santé",
        "Huit défibrillateurs supplémentaires et des formations aux premiers secours.",
    ),
    (
        "Repair café et outilthèque municipale",
        "",
        41000,
        "Déchets",
        "Un local équipé ouvert deux soirs par semaine, animé avec les associations.",
    ),
    (
        "Numérique : ateliers pour les seniors",
        "",
        18000,
        "Inclusion",
        "Des ateliers gratuits en médiathèque et au centre social, toute l'année.",
    ),
    (
        "Toiture solaire du gymnase municipal",
        "",
        160000,
        "Énergie",
        "Des panneaux photovoltaïques couvrant un tiers de la consommation du gymnase.",
    ),
    (
        "Signalétique en braille et gros caractères",
        "",
        25000,
        "Accessibilité",
        "Plans et panneaux adaptés dans la mairie, la médiathèque et les piscines.",
    ),
    (
        "Fontaines à eau dans les parcs",
        "",
        30000,
        "Cadre de vie",
        "Six fontaines raccordées, avec robinet bas pour les enfants.",
    ),
    (
        "Hôtels à insectes et prairies fleuries",
        "",
        9000,
        "Environnement",
        "Fauche tardive et dix hôtels à insectes dans les espaces verts.",
    ),
    (
        "Bibliothèque de rue mobile",
        "",
        33000,
        "Culture",
        "Un triporteur de livres qui passe dans chaque quartier le mercredi.",
    ),
    (
        "Lockers pour les personnes sans domicile",
        "",
        16000,
        "Solidarité",
        "Des casiers sécurisés pour mettre à l'abri papiers et affaires, près du CCAS.",
    ),
]

# Ideas turned down at the study, with the argued answer (title, quartier or "", answer).
UNFEASIBLE = [
    (
        "Un téléphérique entre le port et les Hauts",
        "",
        "Le coût d'un transport par câble (plus de 10 millions d'euros) dépasse de loin l'enveloppe du budget participatif. La demande de liaison est reprise dans le projet de navette et dans le plan vélo.",
    ),
    (
        "Rendre le stationnement gratuit au centre",
        "Centre",
        "La tarification du stationnement relève d'une délibération du conseil municipal et non d'un investissement : elle ne peut pas être financée par le budget participatif. Votre idée est transmise à la commission mobilités.",
    ),
    (
        "Piscine à vagues sur la plage",
        "Plage",
        "Le domaine public maritime ne permet pas d'installation permanente de ce type, et le coût d'exploitation serait incompatible avec le budget de fonctionnement de la commune.",
    ),
    (
        "Interdire les trottinettes en ville",
        "",
        "Une interdiction relève du pouvoir de police du maire, pas d'un projet d'investissement. La question sera débattue lors de la prochaine consultation sur les mobilités.",
    ),
    (
        "Construire un cinéma dans les Hauts",
        "Les Hauts",
        "Un équipement de cette taille (environ 4 millions d'euros) ne peut entrer dans l'enveloppe. La commune étudie des projections en plein air l'été, qui pourront être proposées l'an prochain.",
    ),
    (
        "Rénover la digue du port",
        "Port",
        "La digue appartient au département, qui a programmé sa rénovation en 2027 : la commune ne peut pas financer de travaux sur un ouvrage qui ne lui appartient pas.",
    ),
    (
        "Caméras de surveillance sur la place du Marché",
        "Centre",
        "L'installation de vidéoprotection est soumise à une autorisation préfectorale et relève du budget de la police municipale ; elle n'est pas éligible au budget participatif.",
    ),
    (
        "Un parking souterrain sous la mairie",
        "Centre",
        "L'étude de sol montre une nappe phréatique à 2 mètres de profondeur : un parking souterrain n'est pas réalisable à un coût raisonnable.",
    ),
    (
        "Plage privée réservée aux habitants",
        "Plage",
        "L'accès au rivage est libre et gratuit pour tous en vertu de la loi Littoral : une plage réservée aux habitants n'est pas possible.",
    ),
    (
        "Supprimer la taxe de séjour",
        "",
        "La fiscalité locale est votée par le conseil municipal et ne relève pas du budget participatif, qui finance des investissements.",
    ),
    (
        "Une patinoire permanente",
        "",
        "Le coût de fonctionnement d'une patinoire (énergie, personnel) est estimé à 400 000 euros par an, hors de portée du budget de fonctionnement. Une patinoire éphémère à Noël est à l'étude.",
    ),
    (
        "Des toilettes sèches dans la forêt domaniale",
        "Les Hauts",
        "La forêt des Hauts est gérée par l'Office national des forêts, qui n'autorise pas d'équipement fixe. Des toilettes sont prévues dans le projet de parcours de santé, à l'entrée du bois.",
    ),
    (
        "Goudronner le chemin des Dunes",
        "Plage",
        "Le chemin traverse un espace naturel protégé (Natura 2000) : son imperméabilisation n'est pas autorisée. Un entretien en sable stabilisé est programmé par les services.",
    ),
    (
        "Une salle de concert de 1 000 places",
        "",
        "Un tel équipement coûterait plus de 8 millions d'euros. La scène mobile proposée au vote répond en partie à la demande de lieux de spectacle.",
    ),
    (
        "Fermer la rue du Port aux camions",
        "Port",
        "La rue dessert la criée, dont l'activité dépend des livraisons par camion. Des horaires de livraison sont en discussion avec les mareyeurs.",
    ),
    (
        "Subventionner les associations sportives",
        "",
        "Les subventions de fonctionnement aux associations sont votées chaque année au budget de la commune ; le budget participatif finance des investissements.",
    ),
]

# Ideas judged feasible but not carried onto the ballot (too close to another project,
# already planned by the commune...). (title, quartier or "", answer)
FEASIBLE_NOT_ON_BALLOT = [
    (
        "Repeindre les passages piétons de l'avenue Foch",
        "Centre",
        "Réalisable et utile : les services l'intègrent directement au programme d'entretien de la voirie de cette année, sans passer par le vote.",
    ),
    (
        "Un panneau d'information à l'entrée des Hauts",
        "Les Hauts",
        "Réalisable pour environ 4 000 euros. Le panneau sera posé par les services techniques au printemps, dans le cadre du budget courant.",
    ),
    (
        "Plus de poubelles sur la promenade",
        "Plage",
        "Réalisable : douze corbeilles supplémentaires seront installées avant l'été par le service propreté, sur son budget.",
    ),
    (
        "Réparer le portail du cimetière",
        "Port",
        "Il s'agit d'un entretien courant : la réparation est commandée et sera faite en mars.",
    ),
    (
        "Des bancs à la gare",
        "",
        "Réalisable ; la SNCF a accepté que la commune en installe quatre sur le parvis, ce qui sera fait sur le budget courant.",
    ),
    (
        "Un marché de producteurs le dimanche",
        "Centre",
        "Réalisable sans investissement : le placier organisera un marché d'essai le dimanche de juin à septembre.",
    ),
]

# Variations of a project's title, as different residents write the same wish.
IDEA_PHRASINGS = [
    "{title}",
    "Pour {low}",
    "Demande : {low}",
    "Il faudrait {low}",
]

COMMENTS = [
    "Très bonne idée, nous en parlions justement au conseil de quartier.",
    "Je soutiens, à condition que l'entretien soit prévu dans la durée.",
    "Avec les enfants nous passons là tous les jours : ce serait un vrai plus.",
    "Pensez aux personnes âgées et aux poussettes dans la conception.",
    "Enfin ! Cela fait des années que c'est demandé.",
    "Est-ce que le coût comprend l'entretien les premières années ?",
    "Bonne idée mais attention au bruit le soir pour les riverains.",
    "Les associations du quartier sont prêtes à aider.",
]
