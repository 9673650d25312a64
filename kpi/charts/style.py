"""The look shared by every chart: a phone-sized canvas, large type, a colour-blind-safe palette.

Figures are built with the object API (`Figure` + the Agg canvas), never through pyplot, so no
global figure registry holds them and rendering is safe in worker threads; each figure is
cleared in a `finally` once its PNG is written.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from io import BytesIO

import matplotlib

matplotlib.use("Agg")

from babel.numbers import format_compact_decimal, format_decimal, format_percent
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe & Ito (2008), the palette for colour vision deficiencies.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#8C8C8C"
LIGHT = "#E6E6E6"
INK = "#1A1A1A"
MUTED = "#555555"

SERIES = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, BLACK)
STATUS_COLORS = {
    "on_track": GREEN,
    "at_risk": ORANGE,
    "off_track": VERMILLION,
    "no_data": GREY,
}
# Colour is never the only cue: each status also has its sign.
STATUS_MARKS = {"on_track": "✓", "at_risk": "!", "off_track": "✗", "no_data": "–"}

FONT = "DejaVu Sans"  # ships with matplotlib, has Cyrillic and ₽
DPI = 150
WIDTH_IN = 7.2  # 1080 px: the width Telegram keeps for a photo on a phone
TITLE = 19
SUBTITLE = 13.5
LABEL = 14.5
TICK = 12.5
SMALL = 12


def render_png(draw: Callable[[Figure], None], height_in: float) -> bytes:
    """Draw on a fresh 1080-px-wide figure and return its PNG; the figure is always released."""
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white", layout="constrained")
    FigureCanvasAgg(fig)
    try:
        fig.get_layout_engine().set(w_pad=0.12, h_pad=0.12, hspace=0.06, wspace=0.04)
        draw(fig)
        buffer = BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
        return buffer.getvalue()
    finally:
        fig.clear()


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def header(ax: Axes, title: str, subtitle: str | None = None) -> None:
    """The chart's title (and a muted subtitle) drawn in its own top axes, left-aligned."""
    ax.set_axis_off()
    ax.text(0, 1, title, ha="left", va="top", fontsize=TITLE, fontweight="bold", color=INK,
            transform=ax.transAxes)  # fmt: skip
    if subtitle:
        ax.text(0, 0.05, subtitle, ha="left", va="bottom", fontsize=SUBTITLE, color=MUTED,
                transform=ax.transAxes)  # fmt: skip


HEADER_IN = 0.85


def plain_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GREY)
    ax.spines["bottom"].set_color(GREY)
    ax.tick_params(labelsize=TICK, colors=INK, length=0)
    ax.grid(axis="y", color=LIGHT, linewidth=1)
    ax.set_axisbelow(True)


def empty_axes(ax: Axes, message: str) -> None:
    """An axes with nothing to plot says so instead of drawing an empty frame."""
    ax.set_axis_off()
    ax.text(
        0.5, 0.5, wrap(message, 46), ha="center", va="center", fontsize=LABEL, color=MUTED,
        transform=ax.transAxes,
    )  # fmt: skip


def finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def nan_series(values: Sequence[float | None]) -> list[float]:
    return [v if v is not None and math.isfinite(v) else math.nan for v in values]


def compact(value: float, locale: str) -> str:
    """An axis tick: 2,1 / 850 / 1,5 тыс. / 1.5K (float noise rounded away)."""
    if abs(value) < 1000:
        return format_decimal(round(value, 2), format="#,##0.##", locale=locale)
    return format_compact_decimal(value, format_type="short", locale=locale, fraction_digits=1)


def percent(value: float, locale: str) -> str:
    """An axis tick in percent, value 100 meaning 100 %."""
    return format_percent(value / 100, locale=locale)
