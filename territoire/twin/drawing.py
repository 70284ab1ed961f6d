"""Server-rendered SVG maps and charts: coordinates computed here, shapes drawn in templates.

Pages work without JavaScript and stay light: a map is a few hundred SVG shapes with a
data table beside it, never the only way to read the data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PALETTE = ["#0b5a7a", "#a4372b", "#2d6a2d", "#6b3fa0", "#8a5a00", "#1f4e79"]


@dataclass(frozen=True)
class Projector:
    """Equirectangular projection of a lon/lat box onto an SVG viewBox (north up)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    width: int = 640
    pad: int = 12

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]], width: int = 640) -> Projector:
        pts = [(lon, lat) for lon, lat in points if lon is not None and lat is not None]
        if not pts:
            pts = [(0.0, 0.0)]
        lons = [p[0] for p in pts]
        lats = [p[1] for p in pts]
        margin = 0.0005
        return cls(
            min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin, width
        )

    @property
    def _kx(self) -> float:
        return math.cos(math.radians((self.min_lat + self.max_lat) / 2))

    @property
    def scale(self) -> float:
        span = max((self.max_lon - self.min_lon) * self._kx, self.max_lat - self.min_lat) or 1.0
        return (self.width - 2 * self.pad) / span

    @property
    def height(self) -> int:
        return round((self.max_lat - self.min_lat) * self.scale + 2 * self.pad)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.pad + (lon - self.min_lon) * self._kx * self.scale
        y = self.pad + (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)


def bars(
    values: list[tuple[str, float]],
    *,
    width: int = 640,
    height: int = 200,
    reference: float | None = None,
    floor: float = 0.0,
) -> dict[str, Any]:
    """Bar chart geometry: one bar per (label, value), an optional horizontal reference line.

    ``floor`` is the value at the bottom of the chart, to show small differences on large
    values (a night flow a few per cent above normal).
    """
    top = max([v for _l, v in values] + [reference or 0.0, floor + 1e-9])
    top += (top - floor) * 0.1
    bottom = floor
    span = top - bottom or 1.0
    n = max(1, len(values))
    step = (width - 40) / n
    chart_h = height - 30

    def y(v: float) -> float:
        return round(10 + (top - v) / span * chart_h, 1)

    items = [
        {
            "x": round(40 + i * step + step * 0.15, 1),
            "y": y(v),
            "w": round(step * 0.7, 1),
            "h": round(y(bottom) - y(v), 1),
            "label": label,
            "value": v,
        }
        for i, (label, v) in enumerate(values)
    ]
    return {
        "width": width,
        "height": height,
        "bars": items,
        "ref_y": y(reference) if reference is not None else None,
        "top": top,
        "base_y": y(bottom),
    }
