"""Password rules of the CNIL recommendation of 2022 (délibération n° 2022-100).

For a password alone, the CNIL asks for about 80 bits of entropy, and gives as
examples: 12 characters mixing the four classes (upper case, lower case, digits,
special characters), 14 characters from three classes, or a passphrase of at least
seven words. Django's CommonPasswordValidator refuses the most common passwords.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def character_classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def is_passphrase(password: str) -> bool:
    words = _WORD.findall(password)
    return len(words) >= 7 and len(set(w.lower() for w in words)) >= 6


class CnilPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        classes = character_classes(password)
        if len(password) >= 12 and classes == 4:
            return
        if len(password) >= 14 and classes >= 3:
            return
        if is_passphrase(password):
            return
        raise ValidationError(self.get_help_text(), code="password_cnil")

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe doit comporter au moins 12 caractères mêlant majuscules, "
            "minuscules, chiffres et caractères spéciaux, ou au moins 14 caractères de trois "
            "de ces types, ou être une phrase d'au moins 7 mots."
        )
