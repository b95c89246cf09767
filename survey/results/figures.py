"""A run's charts, from its condensed ranking, each drawn once per run and language and kept
(survey.results.cache); each chart comes with the rows of the data table shown beside it."""

from __future__ import annotations

import math

from flask_babel import get_locale
from flask_babel import gettext as _

from survey import charts
from survey.results.cache import kept
from survey.scores.exporting import BAND_NAMES, band_label
from survey.years.config import DIMENSION_LABELS

BAND_ORDER = ("excellent", "good", "fair", "poor", "between")


def _bands() -> list[dict]:
    """The bands in order; "between": ranked, but no band likely enough (临界 between two)."""
    labels = {**BAND_NAMES, "between": _("borderline")}
    return [{"key": key, "label": str(labels[key])} for key in BAND_ORDER]


def caterpillar_points(rows: list[dict]) -> list[dict]:
    points = []
    for row in rows:
        if not row["ranked"] or row["composite"] is None:
            continue
        note = _("borderline") if row["borderline"] else ""
        points.append(
            {
                "label": row["name"],
                "value": row["composite"],
                "low": row["composite_low"],
                "high": row["composite_high"],
                "note": note,
            }
        )
    return points


def mean_of(rows: list[dict]) -> float | None:
    values = [r["composite"] for r in rows if r["ranked"] and r["composite"] is not None]
    return sum(values) / len(values) if values else None


def funnel_points(rows: list[dict]) -> tuple[list[dict], float | None, float | None]:
    """Rated agencies' 成效度 and their number of responses; the target is their
    response-weighted mean and σ the pooled spread of single responses (se·√n)."""
    points = [
        {
            "label": r["name"],
            "n": r["effectiveness_n"],
            "value": r["dimensions"]["effectiveness"]["score"],
        }
        for r in rows
        if r["dimensions"]["effectiveness"]["rated"]
        and r["dimensions"]["effectiveness"]["score"] is not None
        and r["effectiveness_n"] > 0
    ]
    spreads = [
        (r["effectiveness_se"] ** 2) * r["effectiveness_n"]
        for r in rows
        if r["effectiveness_se"] and r["effectiveness_n"] > 0
    ]
    if not points or not spreads:
        return points, None, None
    total = sum(p["n"] for p in points)
    target = sum(p["n"] * p["value"] for p in points) / total
    return points, target, math.sqrt(sum(spreads) / len(spreads))


def run_chart(session, run_id: int, rows: list[dict], name: str, *, prefix: str = "") -> str:
    """The SVG of chart ``name`` ("caterpillar", "distribution", "funnel") for the run."""
    locale = str(get_locale() or "zh_Hans_CN")
    return kept(session, run_id, f"chart:{name}:{locale}", lambda: _draw(rows, name, prefix))


def _draw(rows: list[dict], name: str, prefix: str) -> str:
    if name == "caterpillar":
        return charts.caterpillar(
            caterpillar_points(rows),
            mean=mean_of(rows),
            prefix=prefix or "caterpillar",
            description=_("Composite scores with their 95%% intervals, highest first"),
            mean_label=_("Mean of the ranked agencies"),
        ).svg()
    if name == "distribution":
        ranked = [r for r in rows if r["ranked"] and r["composite"] is not None]
        return charts.distribution(
            [r["composite"] for r in ranked],
            _bands(),
            band_of=[r["band"] or "between" for r in ranked],
            prefix=prefix or "distribution",
        ).svg()
    if name == "funnel":
        points, target, sigma = funnel_points(rows)
        if target is None:
            return ""
        return charts.funnel(
            points,
            target,
            sigma,
            prefix=prefix or "funnel",
            ylabel=str(DIMENSION_LABELS["effectiveness"]),
        ).svg()
    raise KeyError(name)


def trend_chart(session, run_id: int, points: list[dict]) -> str:
    """The year-on-year mean (earlier years' final runs, then this run), kept with the run."""
    locale = str(get_locale() or "zh_Hans_CN")
    years = "-".join(str(p["year"]) for p in points)
    return kept(
        session,
        run_id,
        f"chart:trend:{years}:{locale}",
        lambda: charts.trend(
            [{"label": _("Mean of the ranked agencies"), "points": points}], prefix="trend"
        ).svg(),
    )


def distribution_table(rows: list[dict]) -> list[dict]:
    """How many ranked agencies fall in each band (the distribution chart's table)."""
    ranked = [r for r in rows if r["ranked"] and r["composite"] is not None]
    table = []
    for band in _bands():
        members = [r for r in ranked if (r["band"] or "between") == band["key"]]
        table.append(
            {
                "label": band["label"],
                "count": len(members),
                "borderline": sum(1 for r in members if r["borderline"]),
            }
        )
    return table


def own_charts(rows: list[dict], own: dict, profile_means: dict) -> dict:
    """An agency's own charts (its four dimensions; where it stands among unnamed others),
    from the few figures it may see (kept per run, agency and language by the caller)."""
    profile = charts.profile(
        [
            {
                "label": str(DIMENSION_LABELS[d]),
                "value": own["dimensions"][d]["score"] if own["dimensions"][d]["rated"] else None,
                "low": own["dimensions"][d]["low"],
                "high": own["dimensions"][d]["high"],
                "reference": profile_means.get(d),
            }
            for d in DIMENSION_LABELS
        ],
        prefix="profile",
    ).svg()
    ranked = [r for r in rows if r["ranked"] and r["composite"] is not None]
    spread = charts.distribution(
        [r["composite"] for r in ranked],
        _bands(),
        band_of=[r["band"] or "between" for r in ranked],
        highlight=own["composite"],
        prefix="spread",
    ).svg()
    return {"profile": profile, "distribution": spread, "band": band_label(own)}


def dimension_means(rows: list[dict]) -> dict:
    means = {}
    for d in DIMENSION_LABELS:
        values = [
            r["dimensions"][d]["score"]
            for r in rows
            if r["dimensions"][d]["rated"] and r["dimensions"][d]["score"] is not None
        ]
        means[d] = sum(values) / len(values) if values else None
    return means
