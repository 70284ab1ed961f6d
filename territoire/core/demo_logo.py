"""Draws the demo collectivités' logos (a shield with initials) with Pillow."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont


def render_logo(name: str, colour: str, size: int = 128) -> bytes:
    words = [w for w in name.replace("-", " ").split() if w[:1].isupper() and len(w) > 2]
    initials = "".join(w[0] for w in words[:2]).upper() or name[:1].upper()
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    m = size // 10
    shield = [(m, m), (size - m, m), (size - m, size // 2), (size // 2, size - m), (m, size // 2)]
    draw.polygon(shield, fill=colour, outline="#ffffff")
    try:
        font: ImageFont.ImageFont | ImageFont.FreeTypeFont = ImageFont.load_default(size=size // 3)
    except TypeError:
        font = ImageFont.load_default()
    box = draw.textbbox((0, 0), initials, font=font)
    w, h = box[2] - box[0], box[3] - box[1]
    draw.text(
        ((size - w) / 2 - box[0], size * 0.38 - h / 2 - box[1]), initials, fill="#ffffff", font=font
    )
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
