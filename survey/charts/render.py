"""One figure, two outputs: SVG text for the pages and PNG bytes for the Word reports.

Figures are built as ``matplotlib.figure.Figure`` objects, never through pyplot, so two
requests (or two report workers) can draw at once without sharing state. The settings every
chart needs (the Chinese font with a Latin fallback, an ASCII minus sign, text kept as text in
SVG, stable ids) are set once, here, when the package is imported.

Every mark (a point, a bar, an interval) is drawn as its own artist with an id; after matplotlib
writes the SVG, a ``<title>`` with the mark's hover text is put inside that mark's group, and
every id in the drawing gets the chart's prefix so that several charts on one page never share
an id.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html import escape

import matplotlib

matplotlib.use("Agg", force=False)  # no display; pyplot is never used by this package

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT_FAMILY = ["Noto Sans CJK SC", "DejaVu Sans"]

matplotlib.rcParams.update(
    {
        "font.family": FONT_FAMILY,
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.fonttype": "none",  # the browser draws the text: small files, selectable words
        "svg.hashsalt": "survey-charts",  # the same chart gives the same bytes
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
    }
)

# Colour-blind-safe (Okabe–Ito) and legible in black and white by position alone.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
INK = "#222222"
MUTED = "#888888"
LIMIT_95 = "#E69F00"
LIMIT_998 = "#D55E00"

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r"url\(#([^)]+)\)|xlink:href=\"#([^\"]+)\"|href=\"#([^\"]+)\"")
_SIZE = re.compile(r'<svg([^>]*?)\swidth="([\d.]+)pt"\s+height="([\d.]+)pt"')
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>", re.S)


@dataclass
class Chart:
    """A drawn chart: ``svg()`` for a page, ``png(dpi)`` for a document.

    ``titles`` maps each mark's id to its hover text; ``description`` is the chart's own
    ``<title>`` (what a screen reader says for the whole chart).
    """

    figure: Figure
    prefix: str
    description: str
    titles: dict[str, str] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)  # figures a chart computed (a funnel's limits)
    _marks: int = 0

    def mark(self, artist, title: str):
        """Give ``artist`` an id and the hover text ``title``; return the artist."""
        gid = f"mark{self._marks}"
        self._marks += 1
        artist.set_gid(gid)
        self.titles[gid] = title
        return artist

    def marks(self, artists, title: str) -> None:
        """Several artists (an interval and its point) that share one hover text."""
        gid = f"mark{self._marks}"
        self._marks += 1
        for index, artist in enumerate(artists):
            sub = gid if index == 0 else f"{gid}-{index}"
            artist.set_gid(sub)
            self.titles[sub] = title

    def svg(self) -> str:
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return _finish_svg(buffer.getvalue(), self.prefix, self.description, self.titles)

    def layout(self, dpi: int = 200) -> list[tuple[float, float, float, float]]:
        """Run the figure's constrained layout once and return each axes' position (figure
        fractions): charts of the same make (labels, ticks, size) can take it with ``place``
        and skip the layout pass, about half of drawing a small chart."""
        self.figure.set_dpi(dpi)  # the resolution the PNGs are drawn at: the same pixels
        self.figure.draw_without_rendering()
        return [tuple(axes.get_position().bounds) for axes in self.figure.axes]

    def place(self, positions: list[tuple[float, float, float, float]]) -> None:
        """Put the axes where ``layout`` of a chart of the same make put them."""
        self.figure.set_layout_engine("none")
        for axes, bounds in zip(self.figure.axes, positions, strict=True):
            axes.set_position(bounds)

    def png(self, dpi: int = 200) -> bytes:
        buffer = io.BytesIO()
        FigureCanvasAgg(self.figure)
        self.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()


def new_chart(prefix: str, description: str, width: float, height: float) -> tuple[Chart, Figure]:
    """A figure of ``width`` × ``height`` inches with one axes, wrapped in a Chart."""
    figure = Figure(figsize=(width, height), layout="constrained")
    return Chart(figure=figure, prefix=_safe_prefix(prefix), description=description), figure


def _safe_prefix(prefix: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", prefix).strip("-")
    return cleaned or "chart"


def _finish_svg(text: str, prefix: str, description: str, titles: dict[str, str]) -> str:
    """Inline-ready SVG: no XML prolog, prefixed ids, a <title> per mark and for the chart."""
    start = text.find("<svg")
    text = _presentational(text[start:])
    for gid, title in titles.items():
        opening = f'<g id="{gid}">'
        text = text.replace(opening, f"{opening}<title>{escape(title)}</title>", 1)
    text = _compact(text)
    # An interval and its point share one hover text: their groups, drawn one after the
    # other, become one group with one <title>.
    for gid, title in titles.items():
        if "-" in gid:
            text = text.replace(f'</g><g id="{gid}"><title>{escape(title)}</title>', "", 1)
    # Only marks keep an id on their group (defs keep theirs: they are referred to).
    text = _PLAIN_GROUP.sub("<g>", text)
    text = text.replace(f' font-family="{_FAMILY}"', "")
    text = _ROTATE.sub("", text)
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _REF.sub(_prefixed_ref(prefix), text)
    text = _METADATA.sub("", text)
    match = _SIZE.search(text)
    if match:
        width_px = round(float(match.group(2)) * 4 / 3)
        height_px = round(float(match.group(3)) * 4 / 3)
        # Scaled down to its box by the page's CSS (svg.chart { max-width: 100%; height: auto }).
        text = (
            text[: match.start()]
            + f'<svg{match.group(1)} class="chart" role="img" width="{width_px}" '
            f'height="{height_px}" stroke-linejoin="round" stroke-linecap="butt" '
            f'font-family="{_FAMILY}" '
            f'aria-labelledby="{prefix}-title"' + text[match.end() :]
        )
    close = text.find(">") + 1
    return text[:close] + f'<title id="{prefix}-title">{escape(description)}</title>' + text[close:]


_FAMILY = ", ".join(f"'{name}'" for name in FONT_FAMILY)
_PLAIN_GROUP = re.compile(r'<g id="(?!mark)[^"]*">')
_ROTATE = re.compile(r' transform="rotate\(-?0 [\d. ]+\)"')
_LONG_DECIMAL = re.compile(r"(\d\.\d\d)\d+")
_BETWEEN_TAGS = re.compile(r">\s+<")
_SPACES = re.compile(r"\s*\n\s*")


def _compact(text: str) -> str:
    """Coordinates to 0.01 pt and no indentation: a third of the bytes, the same drawing."""
    return _SPACES.sub(" ", _BETWEEN_TAGS.sub("><", _LONG_DECIMAL.sub(r"\1", text)))


def _presentational(text: str) -> str:
    """Style attributes and the <style> element as SVG presentation attributes: the pages'
    Content-Security-Policy (style-src 'self') ignores inline styles, not attributes."""

    def attributes(match: re.Match) -> str:
        pairs = []
        for declaration in match.group(1).split(";"):
            name, _, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name and value:
                pairs.append(f'{name}="{value}"')
        return (" " + " ".join(pairs)) if pairs else ""

    return _STYLE_ATTRIBUTE.sub(attributes, _STYLE_ELEMENT.sub("", text))


def _prefixed_ref(prefix: str):
    def replace(match: re.Match) -> str:
        whole = match.group(0)
        target = match.group(1) or match.group(2) or match.group(3)
        return whole.replace(f"#{target}", f"#{prefix}-{target}")

    return replace


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
