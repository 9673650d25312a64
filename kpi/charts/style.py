"""The look shared by every chart: a phone-sized canvas, large type, a colour-blind-safe palette.

Figures are built with the object API (`Figure` + the Agg canvas), never through pyplot, so no
global figure registry holds them. A `Sheet` is one figure drawn on chart after chart: its axes are
wiped and placed again (a new Axes costs more than what is drawn on it), its texts' layouts and
glyph bitmaps are kept; whoever renders owns it (one per album, or one per worker process).
"""

from __future__ import annotations

import functools
import math
import struct
import textwrap
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from babel.numbers import format_compact_decimal, format_decimal, format_percent
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ft2font import RenderMode
from matplotlib.transforms import Bbox, ScaledTranslation

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


class _Glyphs:
    """What a Sheet's texts have cost once: each string's layout (its glyphs and their places),
    its measure (width, height, descent: FreeType shapes the whole string for it), and each
    glyph's bitmap at a sub-pixel offset (FreeType draws the same bitmap there, moved by whole
    pixels). Kept from chart to chart, whatever the renderer. Bounded: emptied when full."""

    LIMIT = 4096

    def __init__(self) -> None:
        self.layouts: dict[tuple, list] = {}
        self.measures: dict[tuple, tuple[float, float, float]] = {}
        self.bitmaps: dict[tuple, tuple] = {}
        self.thread = threading.get_ident()

    def own(self) -> None:
        """Forget what another thread cached: its glyphs hold that thread's fonts (matplotlib
        keeps a font per thread, a font is not safe to use from two at once)."""
        if self.thread != threading.get_ident():
            self.layouts.clear()
            self.measures.clear()
            self.bitmaps.clear()
            self.thread = threading.get_ident()

    def trim(self) -> None:
        for cache in (self.layouts, self.measures, self.bitmaps):
            if len(cache) > self.LIMIT:
                cache.clear()


class _Renderer(RendererAgg):
    """Agg whose text loop does per string what matplotlib's does per glyph (the font's size and
    the glyph transform's matrix) and draws a string's glyphs from `_Glyphs` once seen; the
    glyphs land on the same pixels."""

    def __init__(self, width: float, height: float, dpi: float, glyphs: _Glyphs) -> None:
        super().__init__(width, height, dpi)
        self.glyphs = glyphs

    def get_text_width_height_descent(self, s, prop, ismath):  # type: ignore[no-untyped-def]
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, hash(prop), self.dpi, get_hinting_flag())
        found = self.glyphs.measures.get(key)
        if found is None:
            found = super().get_text_width_height_descent(s, prop, ismath)
            self.glyphs.measures[key] = found
        return found

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[no-untyped-def]
        plain = mtext is None or (mtext.get_fontfeatures() is None and mtext.get_language() is None)
        if ismath or not plain:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        key = (s, hash(prop), self.dpi, flags)  # FontProperties compare by their hash
        items = self.glyphs.layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)
            items = [
                (item.ft_object, item.glyph_index, item.x, item.y)
                for item in font._layout(s, flags=flags, features=None, language=None)
            ]
            self.glyphs.layouts[key] = items
        size = prop.get_size_in_points()
        glyphs = ((font, size, index, 0, 1, dx, dy) for font, index, dx, dy in items)
        return self._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):  # type: ignore[no-untyped-def]
        if angle or boxes or not gc.get_antialiased():
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        flags = get_hinting_flag()
        height = self.height
        draw = self._renderer.draw_text_image
        bitmaps = self.glyphs.bitmaps
        sized = None
        for font, size, index, slant, extend, dx, dy in glyphs:  # dy is upwards
            tx, ty = round(0x40 * (x + dx)), round(0x40 * (height - y + dy))
            key = (font, size, self.dpi, index, slant, extend, flags, tx & 0x3F, ty & 0x3F)
            known = bitmaps.get(key)
            if known is None:
                if (font, size) != sized:
                    font.set_size(size, self.dpi)
                    sized = (font, size)
                # matplotlib's matrix at angle 0: round(0x10000 * [[extend, extend*slant], [0, 1]])
                matrix = [[round(0x10000 * extend), round(0x10000 * extend * slant)], [0, 0x10000]]
                font._set_transform(matrix, [tx, ty])
                bitmap = font._render_glyph(index, flags, RenderMode.NORMAL)
                known = (bitmap.buffer, bitmap.left - (tx >> 6), bitmap.top - (ty >> 6))
                bitmaps[key] = known
            buffer, left, top = known
            draw(buffer, left + (tx >> 6), int(height) - (top + (ty >> 6)) + buffer.shape[0], 0, gc)
        return None


class _Canvas(FigureCanvasAgg):
    def __init__(self, figure: Figure, glyphs: _Glyphs) -> None:
        super().__init__(figure)
        self.glyphs = glyphs

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key:
            self.renderer = _Renderer(width, height, self.figure.dpi, self.glyphs)
            self._lastKey = key
        return self.renderer


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
    )


def png(rgba: memoryview, width: int, height: int) -> bytes:
    """An RGBA buffer as a PNG: rows unfiltered, zlib level 1. Pillow's encoder picks a filter
    for every row (trying all five) and was half of a chart's encoding time; charts are flat
    colour, they compress as well without (and RGBA spares a conversion to RGB)."""
    stride = 4 * width
    src = memoryview(rgba).cast("B")
    raw = bytearray(height * (stride + 1))  # each row: filter type 0, then its pixels
    for row in range(height):
        at = row * (stride + 1) + 1
        raw[at : at + stride] = src[row * stride : (row + 1) * stride]
    head = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", head),
            _chunk(b"IDAT", zlib.compress(raw, PNG_LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


class Sheet:
    """One figure and its axes, used chart after chart: a new Axes costs more than all the
    lines and bars drawn on it, so the axes of the previous chart are wiped and placed again.
    Wiping restores what the charts rely on (no artists, spines, axis on, autoscaling); owned by
    whoever renders (one per album by default, or one per worker process), used by one thread
    at a time."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(WIDTH_IN, 1.0), dpi=DPI, facecolor="white")
        self._glyphs = _Glyphs()
        self.canvas = _Canvas(self.figure, self._glyphs)
        self._spare: list[Axes] = []

    def axes(self, rect: tuple[float, float, float, float]) -> Axes:
        if not self._spare:
            return self.figure.add_axes(rect)
        ax = self.figure.add_axes(self._spare.pop())
        ax.set_position(rect)
        return ax

    def render(self, draw: Callable[[Sheet], None], height_in: float) -> bytes:
        """Draw on the 1080-px-wide figure, `height_in` inches tall, and return its PNG."""
        self.figure.set_size_inches(WIDTH_IN, height_in)
        self._glyphs.own()
        try:
            draw(self)
            self.canvas.draw()
            width, height = self.canvas.get_width_height(physical=True)
            return png(self.canvas.buffer_rgba(), int(width), int(height))
        finally:
            self._wipe()
            self._glyphs.trim()

    def _wipe(self) -> None:
        fig = self.figure
        for artist in [*fig.texts, *fig.lines, *fig.patches, *fig.artists, *fig.images]:
            artist.remove()
        for ax in reversed(fig.axes):
            fig.delaxes(ax)
            _wipe_axes(ax)
            self._spare.append(ax)


def _wipe_axes(ax: Axes) -> None:
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for artist in [*ax.lines, *ax.texts, *ax.patches, *ax.collections, *ax.images, *ax.artists]:
        artist.remove()
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(matplotlib.rcParams["axes.edgecolor"])
        spine._bounds = None  # what set_bounds() set; the public API cannot unset it
    ax.set_axis_on()
    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_autoscale_on(True)


def render_png(
    draw: Callable[[Sheet], None], height_in: float, sheet: Sheet | None = None
) -> bytes:
    """The PNG of `draw` on `sheet` (a fresh one without)."""
    return (sheet or Sheet()).render(draw, height_in)


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
