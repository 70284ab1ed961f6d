"""Sentences a resident can read: why each project won or lost, from the stored outcome."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from territoire.core.templatetags.territoire import fr_number


def euros(value: float | None) -> str:
    if value is None:
        return "—"
    decimals = 0 if float(value).is_integer() else 2
    return f"{fr_number(value, decimals)} €"


def explain_row(row: dict[str, Any], run: Any) -> str:
    """One project's explanation. ``row`` is a project of ``ResultRun.outcome``."""
    reason = row["reason"]
    is_mes = run.rule.startswith("equal-shares")
    votes = ngettext("%(n)s voix", "%(n)s voix", row["votes"]) % {"n": fr_number(row["votes"])}
    if reason == "equal-shares":
        text = _(
            "Retenu au tour %(round)s : ses %(payers)s soutiens ont payé sa part, "
            "%(share)s chacun, sur les %(each)s dont disposait chaque votant."
        ) % {
            "round": row["round"],
            "payers": fr_number(row["payers"]),
            "share": euros(row["share"]),
            "each": euros(run.outcome.get("voter_budget")),
        }
        if row["capped"]:
            text += " " + ngettext(
                "%(n)s d'entre eux a donné tout ce qui lui restait, moins que cette part.",
                "%(n)s d'entre eux ont donné tout ce qui leur restait, moins que cette part.",
                row["capped"],
            ) % {"n": fr_number(row["capped"])}
        return text
    if reason == "free":
        return _("Ne coûte rien et a reçu des voix.")
    if reason == "greedy":
        if is_mes:
            return _(
                "Ajouté en fin de calcul, par nombre de voix (%(votes)s) : il restait %(left)s "
                "dans l'enveloppe."
            ) % {"votes": votes, "left": euros(row["available"])}
        return _("Retenu par nombre de voix (%(votes)s) : il restait %(left)s à son tour.") % {
            "votes": votes,
            "left": euros(row["available"]),
        }
    if reason == "no-votes":
        return _("N'a reçu aucune voix.")
    if is_mes and row["available"] is not None:
        missing = max(0.0, row["cost"] - row["available"])
        return _(
            "Ses soutiens (%(votes)s) n'avaient plus que %(left)s à eux tous, pour un coût de "
            "%(cost)s : il leur manquait %(missing)s, ou davantage de soutiens."
        ) % {
            "votes": votes,
            "left": euros(row["available"]),
            "cost": euros(row["cost"]),
            "missing": euros(missing),
        }
    return _(
        "%(votes)s ; à son tour, il ne restait que %(left)s dans l'enveloppe, "
        "pour un coût de %(cost)s."
    ) % {"votes": votes, "left": euros(row["available"]), "cost": euros(row["cost"])}
