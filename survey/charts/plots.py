"""The charts of a year's scores, drawn from plain data (numbers and labels, never ORM rows).

Each function returns a :class:`~survey.charts.render.Chart`: ``.svg()`` for a page (a
``<title>`` per mark) and ``.png(dpi)`` for a document. Axis and legend words are parameters
with translated defaults, so a caller can word them for its audience.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from survey.charts.funnel import Z95, Z998, funnel_limits
from survey.charts.render import INK, LIMIT_95, LIMIT_998, MUTED, Chart, colour, new_chart, number

Point = Mapping[str, object]


def _interval(point: Point) -> str:
    low, high = point.get("low"), point.get("high")
    if low is None or high is None:
        return ""
    return f" ({number(low)}–{number(high)})"


def caterpillar(
    points: Sequence[Point],
    mean: float | None = None,
    *,
    prefix: str = "caterpillar",
    description: str | None = None,
    xlabel: str | None = None,
    mean_label: str | None = None,
    width: float = 6.0,
) -> Chart:
    """Scores sorted from highest to lowest, each with its interval, and the mean as a line.

    ``points``: ``{"label", "value", "low", "high"}``, optionally ``"title"`` (hover text) and
    ``"note"`` (shown after the name, e.g. "临界"). Points without a value are left out.
    """
    rated = sorted(
        (p for p in points if p.get("value") is not None),
        key=lambda p: (-float(p["value"]), str(p["label"])),
    )
    height = 0.8 + 0.22 * max(len(rated), 1)
    chart, figure = new_chart(
        prefix, description or _("Scores with their intervals, highest first"), width, height
    )
    axes = figure.add_subplot()
    for row, point in enumerate(rated):
        y = len(rated) - 1 - row
        value = float(point["value"])
        low, high = point.get("low"), point.get("high")
        artists = []
        if low is not None and high is not None:
            (line,) = axes.plot([low, high], [y, y], color=colour(0), linewidth=1.6, clip_on=False)
            artists.append(line)
        (dot,) = axes.plot([value], [y], "o", color=INK, markersize=4, clip_on=False)
        artists.append(dot)
        title = str(point.get("title") or f"{point['label']}: {number(value)}{_interval(point)}")
        chart.marks(artists, title)
    if mean is not None:
        line = axes.axvline(mean, color=MUTED, linestyle="--", linewidth=1)
        chart.mark(line, f"{mean_label or _('Mean')}: {number(mean)}")
    names = []
    for point in reversed(rated):
        note = point.get("note")
        names.append(f"{point['label']} {note}" if note else str(point["label"]))
    axes.set_yticks(range(len(rated)), names, fontsize=8)
    axes.set_ylim(-0.7, max(len(rated), 1) - 0.3)
    axes.set_xlabel(xlabel or _("Composite score"))
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return chart


def funnel(
    points: Sequence[Point],
    target: float,
    sigma: float,
    *,
    overdispersion: bool = True,
    prefix: str = "funnel",
    description: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    width: float = 6.0,
    height: float = 3.6,
) -> Chart:
    """Each unit's mean against its number of responses, inside 95 % and 99.8 % limits.

    ``points``: ``{"label", "n", "value"}`` (optionally ``"title"``); ``target`` the year's
    mean, ``sigma`` the spread of single responses. The limits are in ``chart.extra["limits"]``
    (a :class:`~survey.charts.funnel.FunnelLimits`) for the data table beside the chart.
    """
    usable = [p for p in points if p.get("value") is not None and (p.get("n") or 0) > 0]
    limits = funnel_limits(
        [(float(p["n"]), float(p["value"])) for p in usable], target, sigma, overdispersion
    )
    chart, figure = new_chart(
        prefix,
        description or _("Effectiveness against the number of responses, with control limits"),
        width,
        height,
    )
    chart.extra["limits"] = limits
    axes = figure.add_subplot()
    counts = [float(p["n"]) for p in usable] or [10.0]
    start, stop = max(2.0, min(counts) * 0.5), max(counts) * 1.1
    steps = 80
    grid = [start * (stop / start) ** (i / steps) for i in range(steps + 1)]
    for z, tint, name in (
        (Z95, LIMIT_95, _("%(level)s limits") % {"level": "95%"}),
        (Z998, LIMIT_998, _("%(level)s limits") % {"level": "99.8%"}),
    ):
        upper = [limits.target + limits.half_width(n, z) for n in grid]
        lower = [limits.target - limits.half_width(n, z) for n in grid]
        (high_line,) = axes.plot(grid, upper, color=tint, linewidth=1, label=name)
        (low_line,) = axes.plot(grid, lower, color=tint, linewidth=1)
        chart.marks([high_line, low_line], name)
    target_line = axes.axhline(limits.target, color=MUTED, linestyle="--", linewidth=1)
    chart.mark(target_line, f"{_('Mean')}: {number(limits.target)}")
    words = {
        "inside": _("within the limits"),
        "beyond_95": _("beyond the %(level)s limit") % {"level": "95%"},
        "beyond_998": _("beyond the %(level)s limit") % {"level": "99.8%"},
    }
    tints = {"inside": colour(0), "beyond_95": LIMIT_95, "beyond_998": LIMIT_998}
    for point in usable:
        n, value = float(point["n"]), float(point["value"])
        where = limits.position(n, value)
        (dot,) = axes.plot([n], [value], "o", color=tints[where], markersize=5, clip_on=False)
        title = point.get("title") or (
            f"{point['label']}: {number(value)}, n = {int(n)}, {words[where]}"
        )
        chart.mark(dot, str(title))
    axes.set_xlim(0, stop)
    axes.set_xlabel(xlabel or _("Number of responses"))
    axes.set_ylabel(ylabel or _("Effectiveness"))
    axes.legend(fontsize=7, frameon=False, loc="lower right")
    axes.grid(color="#eeeeee", linewidth=0.6)
    return chart


def profile(
    dimensions: Sequence[Point],
    *,
    prefix: str = "profile",
    description: str | None = None,
    reference_label: str | None = None,
    not_rated_label: str | None = None,
    width: float = 5.0,
) -> Chart:
    """One agency's four dimensions on 0–100, each with its interval and the year's mean.

    ``dimensions``: ``{"label", "value", "low", "high", "reference"}``; a dimension without a
    value is drawn as a note (not rated), never as a zero.
    """
    height = 0.7 + 0.45 * max(len(dimensions), 1)
    chart, figure = new_chart(
        prefix, description or _("The four dimensions, with the year's mean"), width, height
    )
    axes = figure.add_subplot()
    count = len(dimensions)
    for row, point in enumerate(dimensions):
        y = count - 1 - row
        value = point.get("value")
        if value is None:
            axes.text(2, y, not_rated_label or _("not rated"), va="center", color=MUTED)
            continue
        (bar,) = axes.barh([y], [float(value)], height=0.55, color=colour(row))
        artists = [bar]
        low, high = point.get("low"), point.get("high")
        if low is not None and high is not None:
            (line,) = axes.plot([low, high], [y, y], color=INK, linewidth=1.2)
            artists.append(line)
        title = point.get("title") or f"{point['label']}: {number(value)}{_interval(point)}"
        chart.marks(artists, str(title))
        reference = point.get("reference")
        if reference is not None:
            (tick,) = axes.plot([reference, reference], [y - 0.35, y + 0.35], color=MUTED, lw=2)
            chart.mark(
                tick, f"{point['label']} {reference_label or _('year mean')}: {number(reference)}"
            )
    axes.set_yticks(range(count), [str(p["label"]) for p in reversed(dimensions)])
    axes.set_xlim(0, 100)
    axes.set_ylim(-0.6, max(count, 1) - 0.4)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    return chart


def distribution(
    values: Sequence[float],
    bands: Sequence[Point] = (),
    *,
    band_of: Sequence[str | None] | None = None,
    highlight: float | None = None,
    highlight_label: str | None = None,
    bin_width: float = 5.0,
    prefix: str = "distribution",
    description: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    width: float = 6.0,
    height: float = 2.8,
) -> Chart:
    """How many composites fall in each score bin, stacked by band; names are never drawn.

    ``values`` the composites; ``band_of`` each value's band key (same order); ``bands``
    ``{"key", "label"}`` in the order to stack and list them. ``highlight`` draws one value
    (the viewer's own agency) as a line.
    """
    chart, figure = new_chart(
        prefix, description or _("How the composites are spread, by band"), width, height
    )
    axes = figure.add_subplot()
    keys = [b["key"] for b in bands] or [None]
    labels = {b["key"]: str(b["label"]) for b in bands}
    assigned = list(band_of) if band_of is not None else [None] * len(values)
    if values:
        first = math.floor(min(values) / bin_width) * bin_width
        last = math.floor(max(values) / bin_width) * bin_width
        edges = [first + i * bin_width for i in range(int(round((last - first) / bin_width)) + 1)]
    else:
        edges = []
    for left in edges:
        base = 0
        for index, key in enumerate(keys):
            count = sum(
                1
                for value, band in zip(values, assigned, strict=True)
                if left <= value < left + bin_width and (band == key or key is None)
            )
            if not count:
                continue
            (bar,) = axes.bar(
                [left + bin_width / 2],
                [count],
                width=bin_width * 0.92,
                bottom=base,
                color=colour(index),
                label=labels.get(key),
            )
            name = labels.get(key, "")
            chart.mark(
                bar,
                _("%(band)s %(low)s–%(high)s: %(count)d agencies")
                % {
                    "band": name,
                    "low": number(left, 0),
                    "high": number(left + bin_width, 0),
                    "count": count,
                },
            )
            base += count
    if highlight is not None:
        line = axes.axvline(highlight, color=INK, linewidth=1.5)
        chart.mark(line, f"{highlight_label or _('Your agency')}: {number(highlight)}")
    handles, names = axes.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    if unique:
        axes.legend(unique.values(), unique.keys(), fontsize=7, frameon=False)
    axes.set_xlabel(xlabel or _("Composite score"))
    axes.set_ylabel(ylabel or _("Agencies"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return chart


def trend(
    series: Sequence[Point],
    *,
    prefix: str = "trend",
    description: str | None = None,
    ylabel: str | None = None,
    width: float = 6.0,
    height: float = 3.0,
) -> Chart:
    """Scores over the years: ``series`` is ``{"label", "points": [{"year", "value", "low",
    "high"}]}`` (the year's final runs only; a missing year is a gap, not a zero)."""
    chart, figure = new_chart(prefix, description or _("Scores over the years"), width, height)
    axes = figure.add_subplot()
    years: set[int] = set()
    for index, line in enumerate(series):
        points = sorted(
            (p for p in line["points"] if p.get("value") is not None), key=lambda p: p["year"]
        )
        xs = [int(p["year"]) for p in points]
        ys = [float(p["value"]) for p in points]
        years.update(xs)
        if len(xs) > 1:
            (path,) = axes.plot(xs, ys, color=colour(index), linewidth=1.4, label=line["label"])
            chart.mark(path, str(line["label"]))
        for point in points:
            artists = []
            low, high = point.get("low"), point.get("high")
            if low is not None and high is not None:
                (bar,) = axes.plot(
                    [point["year"], point["year"]], [low, high], color=colour(index), lw=1
                )
                artists.append(bar)
            (dot,) = axes.plot([point["year"]], [point["value"]], "o", color=colour(index), ms=4)
            artists.append(dot)
            title = point.get("title") or (
                f"{line['label']} {point['year']}: {number(point['value'])}{_interval(point)}"
            )
            chart.marks(artists, str(title))
    ordered = sorted(years)
    axes.set_xticks(ordered, [str(y) for y in ordered])
    if ordered:
        axes.set_xlim(ordered[0] - 0.5, ordered[-1] + 0.5)
    axes.set_ylabel(ylabel or _("Composite score"))
    if len(series) > 1:
        axes.legend(fontsize=7, frameon=False)
    axes.grid(axis="y", color="#eeeeee", linewidth=0.6)
    return chart
