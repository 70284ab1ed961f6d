"""PDF documents of a dossier: the filing receipt and the decision attestation (reportlab)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from territoire.procedures import formbuilder

if TYPE_CHECKING:
    from territoire.procedures.models import Dossier


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontSize=16, leading=20),
        "h": ParagraphStyle("h", parent=base["Heading3"], fontSize=11, spaceBefore=6),
        "p": ParagraphStyle("p", parent=base["BodyText"], fontSize=10, leading=13),
        "small": ParagraphStyle("s", parent=base["BodyText"], fontSize=8, textColor=colors.grey),
    }


def _header(dossier: Dossier, st: dict[str, ParagraphStyle]) -> list[Any]:
    tenant = dossier.tenant
    flow: list[Any] = []
    cells: list[Any] = []
    if tenant.logo:
        cells.append(Image(io.BytesIO(bytes(tenant.logo)), width=18 * mm, height=18 * mm))
    text = f"<b>{escape(tenant.name)}</b>"
    if tenant.address:
        text += f"<br/>{escape(tenant.address)}"
    cells.append(Paragraph(text, st["p"]))
    widths = [22 * mm, None] if len(cells) == 2 else [None]
    flow.append(Table([cells], colWidths=widths, hAlign="LEFT"))
    flow.append(Spacer(1, 6 * mm))
    return flow


def _answers(dossier: Dossier, st: dict[str, ParagraphStyle]) -> list[Any]:
    fields = formbuilder.parse_fields(dossier.version.fields)
    rows = []
    for row in formbuilder.answer_rows(fields, dossier.answers):
        indent = "&nbsp;&nbsp;&nbsp;" * row["level"]
        if row["section"]:
            rows.append([Paragraph(f"{indent}<b>{escape(row['label'])}</b>", st["p"]), ""])
        else:
            rows.append(
                [
                    Paragraph(indent + escape(row["label"]), st["p"]),
                    Paragraph(escape(row["value"] or "—"), st["p"]),
                ]
            )
    if not rows:
        return []
    table = Table(rows, colWidths=[70 * mm, 100 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    return [Paragraph(_("Réponses du dossier"), st["h"]), table]


def _build(flow: list[Any], title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    doc.build(flow)
    return buffer.getvalue()


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y à %H:%M") if value else ""


def receipt_pdf(dossier: Dossier) -> bytes:
    """Accusé de réception: what was filed, when, under which reference."""
    st = _styles()
    title = _("Accusé de réception")
    flow = _header(dossier, st)
    flow += [
        Paragraph(title, st["title"]),
        Paragraph(
            _("Votre dossier « %(p)s » a été déposé le %(d)s sous la référence <b>%(r)s</b>.")
            % {
                "p": escape(dossier.procedure.title),
                "d": _date(dossier.submitted_at),
                "r": escape(dossier.reference),
            },
            st["p"],
        ),
        Paragraph(
            _("Service instructeur : %(s)s. Délai annoncé : %(d)s.")
            % {
                "s": escape(dossier.procedure.service.name),
                "d": escape(dossier.procedure.delay or _("non précisé")),
            },
            st["p"],
        ),
    ]
    if dossier.silence_deadline:
        flow.append(
            Paragraph(
                _(
                    "Sans réponse de l'administration au %(d)s, votre demande sera réputée "
                    "acceptée (silence vaut accord)."
                )
                % {"d": dossier.silence_deadline.strftime("%d/%m/%Y")},
                st["p"],
            )
        )
    flow += [Spacer(1, 4 * mm), *_answers(dossier, st)]
    return _build(flow, f"{title} {dossier.reference}")


def fill_placeholders(text: str, dossier: Dossier) -> str:
    """Replace ``{reference}``, ``{demandeur}``, ``{demarche}``, ``{date_decision}``,
    ``{date_depot}``, ``{motivation}``, ``{collectivite}`` and ``{reponse:<id>}``."""
    fields = {f.id: f for f in formbuilder.parse_fields(dossier.version.fields)}
    values: Mapping[str, str] = {
        "reference": dossier.reference,
        "demandeur": str(dossier.applicant),
        "demarche": dossier.procedure.title,
        "date_decision": timezone.localtime(dossier.decided_at).strftime("%d/%m/%Y")
        if dossier.decided_at
        else "",
        "date_depot": timezone.localtime(dossier.submitted_at).strftime("%d/%m/%Y")
        if dossier.submitted_at
        else "",
        "motivation": dossier.decision_motivation,
        "collectivite": dossier.tenant.name,
    }

    import re

    def replace(m: re.Match[str]) -> str:
        key = m.group(1)
        if key.startswith("reponse:"):
            f = fields.get(key[8:])
            if f is None or f.type == "group":
                return ""
            return formbuilder.display_value(f, dossier.answers.get(f.id))
        return values.get(key, m.group(0))

    return re.sub(r"\{([a-z_]+(?::[a-z0-9_]+)?)\}", replace, text)


def attestation_pdf(dossier: Dossier, template_title: str, template_body: str) -> bytes:
    """The decision: the tenant's logo, the template's text filled in, the answers."""
    st = _styles()
    flow = _header(dossier, st)
    flow.append(Paragraph(escape(fill_placeholders(template_title, dossier)), st["title"]))
    for para in fill_placeholders(template_body, dossier).split("\n\n"):
        flow.append(Paragraph(escape(para).replace("\n", "<br/>"), st["p"]))
        flow.append(Spacer(1, 2 * mm))
    if dossier.decision_motivation and "{motivation}" not in template_body:
        flow.append(Paragraph(_("Motivation"), st["h"]))
        flow.append(Paragraph(escape(dossier.decision_motivation), st["p"]))
    flow += [Spacer(1, 4 * mm), *_answers(dossier, st), Spacer(1, 6 * mm)]
    flow.append(
        Paragraph(
            _("Dossier %(r)s · document produit le %(d)s")
            % {"r": escape(dossier.reference), "d": _date(timezone.now())},
            st["small"],
        )
    )
    return _build(flow, f"{template_title} {dossier.reference}")
