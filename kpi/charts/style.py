"""The look shared by every chart: a phone-sized canvas, large type, a colour-blind-safe palette.

Figures are built with the object API (`Figure` + the Agg canvas), never through pyplot, so no
global figure registry holds them and rendering is safe in worker threads and processes; a figure is
simply dropped once its PNG is written (clearing it would rebuild every Axes first).
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO

import matplotlib

matplotlib.use("Agg")

from babel.numbers import format_compact_decimal, format_decimal, format_percent
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.transforms import ScaledTranslation
from PIL import Image

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
    "unrated": GREY,
}
# Colour is never the only cue: each status also has its sign.
STATUS_MARKS = {"on_track": "✓", "at_risk": "!", "off_track": "✗", "no_data": "–", "unrated": "·"}

FONT = "DejaVu Sans"  # ships with matplotlib, has Cyrillic and ₽
DPI = 150
PNG_LEVEL = 1
WIDTH_IN = 7.2  # 1080 px: the width Telegram keeps for a photo on a phone
TITLE = 19
SUBTITLE = 13.5
LABEL = 14.5
TICK = 12.5
SMALL = 12
TOP_IN = 0.25
MARGIN_IN = 0.3


@dataclass(frozen=True)
class Row:
    """A band of the figure, top to bottom: `above` inches of free space (for its title or the
    previous band's tick labels), then an axes `height` inches tall, `left`/`right` inches in."""

    height: float
    above: float = 0.0
    left: float = MARGIN_IN
    right: float = MARGIN_IN


def figure_height(rows: Sequence[Row], bottom: float = MARGIN_IN) -> float:
    return TOP_IN + sum(r.above + r.height for r in rows) + bottom


def place(fig: Figure, rows: Sequence[Row]) -> list[tuple[float, float, float, float]]:
    """Each band's rectangle in figure fractions. A fixed layout computed from inches: no
    layout engine pass (it would draw every text twice), and the same picture every time."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    y = height - TOP_IN
    out = []
    for row in rows:
        y -= row.above + row.height
        out.append(
            (
                row.left / width,
                y / height,
                (width - row.left - row.right) / width,
                row.height / height,
            )
        )
    return out


def render_png(draw: Callable[[Figure], None], height_in: float) -> bytes:
    """Draw on a fresh 1080-px-wide figure and return its PNG."""
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    draw(fig)
    canvas.draw()
    # the background is opaque white: RGB is a quarter fewer bytes to compress than RGBA
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    buffer = BytesIO()
    # zlib level 1: a few per cent larger files for a fraction of the encoding time
    image.convert("RGB").save(buffer, format="png", compress_level=PNG_LEVEL)
    return buffer.getvalue()  # the figure is dropped with its last reference: no fig.clear()


def label_width(labels: Sequence[str], size: float = TICK) -> float:
    """Roughly how many inches the longest label takes (DejaVu Sans: ~0.6 em a character)."""
    longest = max((len(x) for x in labels), default=0)
    return longest * size * 0.6 / 72


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def header(
    fig: Figure, rect: tuple[float, float, float, float], title: str, subtitle: str | None
) -> None:
    """The chart's title and a muted subtitle, left-aligned in the band `rect` (figure text:
    no axes needed)."""
    x, y, _, height = rect
    fig.text(x, y + height, title, ha="left", va="top", fontsize=TITLE, fontweight="bold",
             color=INK)  # fmt: skip
    if subtitle:
        fig.text(x, y + 0.05 * height, subtitle, ha="left", va="bottom", fontsize=SUBTITLE,
                 color=MUTED)  # fmt: skip


HEADER_IN = 0.85
HEADER = Row(HEADER_IN)


def axes_title(ax: Axes, text: str, *, loc: str = "left", pad: float = 6, **kw: object) -> None:
    """What `ax.set_title(text, loc=…, pad=…)` draws, as a plain text artist: the same place
    (`pad` points over the axes' top, on its baseline) without the title's layout pass (it
    measures every tick label of the axes on each draw to see whether the title must move)."""
    offset = ScaledTranslation(0, pad / 72, ax.figure.dpi_scale_trans)
    ax.text(0.0 if loc == "left" else 1.0, 1.0, text, ha=loc, va="baseline",
            transform=ax.transAxes + offset, clip_on=False, **kw)  # fmt: skip


TICK_PAD = 3.5  # points between an axes' edge and its tick labels (matplotlib's default pad)


def tick_labels(
    ax: Axes,
    axis: str,
    positions: Sequence[float],
    labels: Sequence[str],
    *,
    size: float = TICK,
    grid: bool = False,
) -> None:
    """Tick labels (and, with `grid`, the light grid lines) as plain artists, where matplotlib's
    own ticks would put them: a tick is five artists with a layout pass each, and on a chart
    of four panels they were half its drawing time. The axis itself is left without ticks."""
    fig = ax.figure
    if axis == "x":
        ax.set_xticks([])
        offset = ScaledTranslation(0, -TICK_PAD / 72, fig.dpi_scale_trans)
        where = ax.get_xaxis_transform() + offset
        for x, label in zip(positions, labels, strict=True):
            ax.text(x, 0, label, ha="center", va="top", fontsize=size, color=INK,
                    transform=where, clip_on=False)  # fmt: skip
        return
    ax.set_yticks([])
    offset = ScaledTranslation(-TICK_PAD / 72, 0, fig.dpi_scale_trans)
    where = ax.get_yaxis_transform() + offset
    for y, label in zip(positions, labels, strict=True):
        ax.text(0, y, label, ha="right", va="center_baseline", fontsize=size, color=INK,
                transform=where, clip_on=False)  # fmt: skip
    if grid and positions:
        segments = [[(0, y), (1, y)] for y in positions]
        where = ax.get_yaxis_transform()
        lines = LineCollection(segments, colors=LIGHT, linewidths=1, transform=where, zorder=0.5)
        ax.add_collection(lines, autolim=False)


def plain_axes(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GREY)
    ax.spines["bottom"].set_color(GREY)


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


@functools.lru_cache(maxsize=4096)
def compact(value: float, locale: str) -> str:
    """An axis tick: 2,1 / 850 / 1,5 тыс. / 1.5K (float noise rounded away)."""
    if abs(value) < 1000:
        return format_decimal(round(value, 2), format="#,##0.##", locale=locale)
    return format_compact_decimal(value, format_type="short", locale=locale, fraction_digits=1)


@functools.lru_cache(maxsize=1024)
def percent(value: float, locale: str) -> str:
    """An axis tick in percent, value 100 meaning 100 %."""
    return format_percent(value / 100, locale=locale)
