"""How one agency's composite adds up, from its stored explanation (no recomputation).

composite = Σ_d (w_d / Σ w) · score_d + 加减分, over the dimensions with a score; a survey
dimension's score = Σ_g (w_g / Σ w) · score_g over the respondent groups present with weight.
Each term is given as its share of the weights and its contribution in points, so the page
can show the sum and a test can add it back up.
"""

from __future__ import annotations


def breakdown(agency: dict) -> dict:
    """``agency`` is one entry of a run document's ``agencies``."""
    engine = agency["engine"]
    scored = [d for d in engine["dimensions"] if d.get("score") is not None]
    total = sum(d["weight"] for d in scored)
    dimensions = []
    for d in engine["dimensions"]:
        share = d["weight"] / total if total and d.get("score") is not None else 0.0
        score = d.get("score")
        dimensions.append(
            {
                "dimension": d["dimension"],
                "weight": d["weight"],
                "share": share,
                "score": score,
                "contribution": share * score if score is not None else None,
                "groups": _groups(d),
            }
        )
    weighted = sum(d["contribution"] for d in dimensions if d["contribution"] is not None)
    adjustment = agency.get("adjustment") or 0.0
    return {
        "dimensions": dimensions,
        "weighted_sum": weighted,
        "adjustment": adjustment,
        "composite": agency.get("composite"),
        "sum": weighted + adjustment,
    }


def _groups(dimension: dict) -> list[dict]:
    present = [
        g
        for g in dimension.get("groups", [])
        if g.get("present") and g.get("weight", 0) > 0 and g.get("score") is not None
    ]
    total = sum(g["weight"] for g in present)
    return [
        {
            "group": g["group"],
            "weight": g["weight"],
            "share": g["weight"] / total,
            "score": g["score"],
            "contribution": g["weight"] / total * g["score"],
        }
        for g in present
    ]
