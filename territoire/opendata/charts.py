"""A horizontal bar chart drawn on the server as inline SVG (no JavaScript, no library)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.formats import number_format

WIDTH = 640
BAR = 22
GAP = 8
LABEL = 200


def bar_chart(bars: Sequence[tuple[Any, float]], *, title: str) -> dict[str, Any] | None:
    """Geometry of the bars for the template; the same numbers go in a table beside it."""
    if not bars:
        return None
    top = max((v for _g, v in bars), default=0) or 1
    span = WIDTH - LABEL - 90
    items = []
    for i, (group, value) in enumerate(bars):
        label = "(vide)" if group is None or group == "" else str(group)
        items.append(
            {
                "label": label,
                "short": label if len(label) <= 28 else label[:27] + "…",
                "value": value,
                "shown": number_format(round(value, 2), force_grouping=True),
                "y": i * (BAR + GAP),
                "text_y": i * (BAR + GAP) + BAR * 0.7,
                "width": max(1, round(span * max(value, 0) / top)),
                "value_x": LABEL + max(1, round(span * max(value, 0) / top)) + 6,
            }
        )
    return {
        "title": title,
        "items": items,
        "width": WIDTH,
        "height": len(items) * (BAR + GAP),
        "label_width": LABEL,
        "bar": BAR,
    }
