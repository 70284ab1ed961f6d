"""Uploaded documents: the type is read from the content (magic bytes, Pillow), never the name."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
KIND_OF = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
MESSAGE_MAX_MB = 5


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    name: str
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def sniff(data: bytes) -> str | None:
    """The content type of a PDF, JPEG or PNG file judged by its content, else None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf" if b"%%EOF" in data[-2048:] else None
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.verify()
                fmt = img.format
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None
        return {"PNG": "image/png", "JPEG": "image/jpeg"}.get(fmt or "")
    return None


def check_upload(
    upload: object, *, accept: tuple[str, ...] = ("pdf", "jpeg", "png"), max_mb: int = 5
) -> CheckedFile:
    """Read and check one uploaded file; raise ValidationError with a French message."""
    size = int(getattr(upload, "size", 0) or 0)
    if size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("Le fichier dépasse %(n)s Mo : réduisez-le ou scannez-le en plus basse résolution.")
            % {"n": max_mb}
        )
    if size == 0:
        raise ValidationError(_("Le fichier est vide."))
    data = upload.read()  # type: ignore[attr-defined]
    if len(data) > max_mb * 1024 * 1024:
        raise ValidationError(_("Le fichier dépasse %(n)s Mo.") % {"n": max_mb})
    content_type = sniff(data)
    if content_type is None or KIND_OF[content_type] not in accept:
        raise ValidationError(
            _("Ce fichier n'est pas un %(kinds)s valide (son contenu a été vérifié).")
            % {"kinds": " / ".join(k.upper() for k in accept)}
        )
    name = str(getattr(upload, "name", "") or "document").replace("/", "_").replace("\\", "_")
    return CheckedFile(data=data, name=name[-150:], content_type=content_type)
