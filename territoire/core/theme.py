"""The accessible theme of a collectivité: colours checked for WCAG AA contrast."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.1 AA for normal text (1.4.3). Brand colours are used as backgrounds under
# white text (header, buttons), so each must reach this ratio against white.
MIN_CONTRAST = 4.5


def validate_hex_colour(value: str) -> None:
    if not _HEX.match(value or ""):
        raise ValidationError(_("Donnez une couleur au format #RRVVBB, par exemple #1f4e79."))
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "Cette couleur n'est pas assez contrastée avec le texte blanc "
                "(%(ratio).1f:1, il faut au moins 4,5:1) : choisissez une teinte plus foncée."
            )
            % {"ratio": ratio}
        )


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def tint(hex_colour: str, amount: float) -> str:
    """Mix ``hex_colour`` with white (amount 0..1): light backgrounds of the brand."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#{:02x}{:02x}{:02x}".format(*mix)
