"""``Evaluation.explain(agency_id)``: the tree behind one agency's composite.

composite → four dimensions (weight, score, interval) → groups (weight, n, mean, robust score,
EB score, reliability, low-confidence) → items (answers counted, mean points). Plain dicts,
lists, strings, numbers and ``None`` only, so ``json.dumps`` takes it as is.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.config import BAND_LABELS, DIMENSIONS, RATED_DIMENSIONS


def _num(value):
    """JSON-safe scalar: numpy → Python, NaN → None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _row(frame, **match) -> dict | None:
    mask = np.ones(len(frame), dtype=bool)
    for key, value in match.items():
        mask &= (frame[key] == value).to_numpy()
    if not mask.any():
        return None
    return {k: _num(v) for k, v in frame[mask].iloc[0].items()}


def explain(evaluation, agency_id) -> dict:
    """See the module docstring; raises ``KeyError`` for an unknown agency."""
    ranking = evaluation.ranking
    if agency_id not in ranking.index:
        raise KeyError(f"agency {agency_id!r} was not evaluated")
    config = evaluation.config
    top = {k: _num(v) for k, v in ranking.loc[agency_id].items()}
    profile = evaluation.agencies.loc[agency_id, "profile"]
    weights = config.weights_for(None if _num(profile) is None else profile)
    dims = []
    for name in DIMENSIONS:
        row = _row(evaluation.dimensions, agency_id=agency_id, dimension=name)
        node = {
            "dimension": name,
            "weight": config.dimension_weights[name],
            "score": row["score"] if row else None,
            "ci_low": row["ci_low"] if row else None,
            "ci_high": row["ci_high"] if row else None,
            "weight_present": row["weight_present"] if row else None,
            "missing_groups": [g for g in (row["missing_groups"] or "").split(",") if g]
            if row
            else [],
        }
        if name in RATED_DIMENSIONS:
            node["source"] = "ratings"
            node["groups"] = _groups(evaluation, agency_id, name, weights[name])
        else:
            node["source"] = "input (targets module)"
        dims.append(node)
    band = top.get("band")
    return {
        "agency_id": _num(agency_id),
        "composite": top["composite"],
        "ci_low": top["composite_ci_low"],
        "ci_high": top["composite_ci_high"],
        "rank": top["rank"],
        "rank_interval": [top["rank_low"], top["rank_high"]],
        "tie_group": top["tie_group"],
        "band": band,
        "band_label": BAND_LABELS.get(band) if band else None,
        "borderline": bool(top["borderline"]),
        "uncertainty": evaluation.uncertainty_method,
        "replicates": evaluation.replicates,
        "dimensions": dims,
    }


def _groups(evaluation, agency_id, dimension: str, weights) -> list[dict]:
    cells = evaluation.cells
    items = evaluation.items
    out = []
    for group, weight in weights.items():
        row = _row(cells, agency_id=agency_id, dimension=dimension, group=group)
        node = {"group": group, "weight": weight, "present": row is not None}
        if row:
            node.update(
                {
                    key: row[key]
                    for key in (
                        "n",
                        "n_with_flagged",
                        "estimator",
                        "mean",
                        "trimmed_mean",
                        "robust",
                        "se",
                        "score",
                        "score_ci_low",
                        "score_ci_high",
                        "reliability",
                        "satisfaction",
                        "low_n",
                        "low_reliability",
                        "low_confidence",
                    )
                }  # fmt: skip
            )
            mask = (
                (items["agency_id"] == agency_id)
                & (items["group"] == group)
                & (items["dimension"] == dimension)
            ).to_numpy()
            node["items"] = [
                {"item_id": str(r.item_id), "n": int(r.n), "mean": _num(r.mean)}
                for r in items[mask].itertuples()
            ]
        out.append(node)
    return out
