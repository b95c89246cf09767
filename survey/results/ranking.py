"""The dashboard's ranking, condensed from a run's document once (survey.results.cache), and
the filtering and sorting a request asks for (on those few rows, never on the raw data)."""

from __future__ import annotations

import math

from survey.scores.models import DIMENSIONS

SORTS = ("rank", "name", "composite", "adjustment", *DIMENSIONS)


def condensed(document: dict) -> dict:
    """Per agency the figures of the ranking table, its marks, and the year's counts."""
    counts: dict[int, int] = {}
    for row in document.get("survey_counts", []):
        if row["dimension"] == "effectiveness":
            counts[row["agency_id"]] = counts.get(row["agency_id"], 0) + row["n"]
    rows = []
    for agency in document["agencies"]:
        engine = agency["engine"]
        low_confidence = any(
            g.get("low_confidence")
            for d in engine["dimensions"]
            for g in d.get("groups", [])
            if g.get("present") and g.get("weight", 0) > 0
        )
        effectiveness = next(
            (d for d in engine["dimensions"] if d["dimension"] == "effectiveness"), {}
        )
        rows.append(
            {
                "agency_id": agency["agency_id"],
                "name": agency["name"],
                "kind": agency["kind"],
                "dimensions": {
                    d: {
                        "score": agency["dimensions"][d]["score"],
                        "low": agency["dimensions"][d]["ci_low"],
                        "high": agency["dimensions"][d]["ci_high"],
                        "rated": agency["dimensions"][d]["rated"],
                    }
                    for d in DIMENSIONS
                },
                "adjustment": agency["adjustment"],
                "composite": agency["composite"],
                "composite_low": agency["composite_low"],
                "composite_high": agency["composite_high"],
                "ranked": agency["ranked"],
                "rank": agency["rank"],
                "rank_low": agency["rank_low"],
                "rank_high": agency["rank_high"],
                "tie_group": agency.get("tie_group"),
                "band": agency["band"],
                "borderline": agency["borderline"],
                "between": agency.get("between"),
                "not_rated": agency["not_rated"],
                "low_confidence": low_confidence,
                "effectiveness_n": counts.get(agency["agency_id"], 0),
                "effectiveness_se": _se(effectiveness),
            }
        )
    _mark_ties(rows)
    return {"agencies": rows}


def _se(dimension: dict) -> float | None:
    low, high = dimension.get("ci_low"), dimension.get("ci_high")
    if low is None or high is None or high <= low:
        return None
    return (high - low) / (2 * 1.959963984540054)


def _mark_ties(rows: list[dict]) -> None:
    """``tied_with``: how many other ranked agencies of the same kind share the tie group (their
    difference is within the uncertainty, so their order means nothing)."""
    groups: dict[tuple, int] = {}
    for row in rows:
        if row["ranked"] and row["tie_group"] is not None:
            key = (row["kind"], row["tie_group"])
            groups[key] = groups.get(key, 0) + 1
    for row in rows:
        key = (row["kind"], row["tie_group"])
        row["tied_with"] = groups.get(key, 1) - 1 if row["ranked"] else 0


def chosen(rows: list[dict], kind: str | None, sort: str, descending: bool) -> list[dict]:
    """``rows`` of ``kind`` (all when None), sorted by ``sort``; not-ranked agencies last."""
    picked = [r for r in rows if kind in (None, "", r["kind"])]
    if sort not in SORTS:
        sort = "rank"

    def value(row):
        if sort == "name":
            return row["name"]
        if sort == "rank":
            # by kind, then rank within it (ranks of different kinds are not comparable)
            return (not row["ranked"], row["kind"], row["rank"] or math.inf, row["name"])
        if sort in DIMENSIONS:
            return row["dimensions"][sort]["score"]
        return row[sort]

    present = [r for r in picked if value(r) is not None]
    missing = [r for r in picked if value(r) is None]
    present.sort(key=value, reverse=descending)
    return present + missing
