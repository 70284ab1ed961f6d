"""Server-rendered SVG time-series charts: no JavaScript, a few DOM nodes, a text alternative.

A chart is one ``<svg role="img">`` with a title and a description (the accessible
name gives the range of values), a min–max band when points are aggregates, the mean
line, and a handful of axis labels. The data table beside it carries the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


def _fmt(value: float) -> str:
    return formats.number_format(round(value, 2), decimal_pos=None, use_l10n=True)


def line_chart(
    points: Sequence[Any], *, title: str, unit: str, start: datetime, end: datetime, uid: str
) -> SafeString:
    """``points`` have ``time``, ``mean``, ``minimum``, ``maximum`` (selectors.SeriesPoint)."""
    if not points:
        return mark_safe(f'<p class="chart-empty">{escape(_("Aucune mesure sur la période."))}</p>')  # noqa: S308
    lo = min(p.minimum for p in points)
    hi = max(p.maximum for p in points)
    if hi == lo:
        hi, lo = hi + 1, lo - 1 if lo >= 1 else 0
    span = (end - start).total_seconds() or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: datetime) -> float:
        return LEFT + plot_w * (t - start).total_seconds() / span

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    line = " ".join(f"{x(p.time):.1f},{y(p.mean):.1f}" for p in points)
    band = ""
    if any(p.maximum != p.minimum for p in points):
        upper = [f"{x(p.time):.1f},{y(p.maximum):.1f}" for p in points]
        lower = [f"{x(p.time):.1f},{y(p.minimum):.1f}" for p in reversed(points)]
        band = f'<polygon class="band" points="{" ".join(upper + lower)}"/>'
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    desc = _("De %(a)s à %(b)s : valeurs entre %(lo)s et %(hi)s %(u)s.") % {
        "a": formats.date_format(local_start, "SHORT_DATETIME_FORMAT"),
        "b": formats.date_format(local_end, "SHORT_DATETIME_FORMAT"),
        "lo": _fmt(min(p.minimum for p in points)),
        "hi": _fmt(max(p.maximum for p in points)),
        "u": unit,
    }
    labels = (
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(_fmt(hi))}</text>'
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">{escape(_fmt(lo))}</text>'
        f'<text x="{LEFT}" y="{HEIGHT - 8}">'
        f"{escape(formats.date_format(local_start, 'SHORT_DATE_FORMAT'))}</text>"
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">'
        f"{escape(formats.date_format(local_end, 'SHORT_DATE_FORMAT'))}</text>"
    )
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" preserveAspectRatio="none">'
        f'<title id="{uid}-t">{escape(title)} ({escape(unit)})</title>'
        f'<desc id="{uid}-d">{escape(desc)}</desc>'
        f'<rect class="frame" x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}"/>'
        f"{band}"
        f'<polyline class="line" points="{line}"/>'
        f"{labels}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated text is escaped above
