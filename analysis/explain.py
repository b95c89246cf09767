"""``Evaluation.explain(agency_id)``: the tree behind one agency's composite.

composite → four dimensions (weight, score, interval) → groups (weight, n, mean, robust score,
EB score, reliability, low-confidence) → items (answers counted, mean points). Plain dicts,
lists, strings, numbers and ``None`` only, so ``json.dumps`` takes it as is.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.config import BAND_LABELS, DIMENSIONS, RATED_DIMENSIONS


def _num(value):
    """JSON-safe scalar: numpy → Python, NaN/NA → None, timestamps → ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _lookups(evaluation) -> dict:
    """Rows of the cells, dimensions and items tables by key, built once per evaluation (so
    that explaining every agency costs one pass over each table, not one per agency)."""
    cached = evaluation.__dict__.get("_explain_lookups")
    if cached is not None:
        return cached

    def keyed(frame, keys):
        out = {}
        for row in frame.to_dict("records"):
            out.setdefault(tuple(row[k] for k in keys), {k: _num(v) for k, v in row.items()})
        return out

    items: dict = {}
    table = evaluation.items
    for agency, group, dimension, item, n, mean in zip(
        table["agency_id"], table["group"], table["dimension"], table["item_id"],
        table["n"], table["mean"], strict=True,
    ):  # fmt: skip
        entry = {"item_id": str(item), "n": int(n), "mean": _num(mean)}
        items.setdefault((agency, group, dimension), []).append(entry)
    cached = {
        "cells": keyed(evaluation.cells, ("agency_id", "dimension", "group")),
        "dimensions": keyed(evaluation.dimensions, ("agency_id", "dimension")),
        "items": items,
    }
    evaluation.__dict__["_explain_lookups"] = cached  # a cache, not part of the result
    return cached


def explain(evaluation, agency_id) -> dict:
    """See the module docstring; raises ``KeyError`` for an unknown agency."""
    ranking = evaluation.ranking
    if agency_id not in ranking.index:
        raise KeyError(f"agency {agency_id!r} was not evaluated")
    config = evaluation.config
    top = {k: _num(v) for k, v in ranking.loc[agency_id].items()}
    profile = evaluation.agencies.loc[agency_id, "profile"]
    weights = config.weights_for(None if _num(profile) is None else profile)
    lookups = _lookups(evaluation)
    dims = []
    for name in DIMENSIONS:
        row = lookups["dimensions"].get((agency_id, name))
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
            node["groups"] = _groups(lookups, agency_id, name, weights[name])
        else:
            node["source"] = "input (targets module)"
            node["error_sd"] = row["error_sd"] if row else None
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
        "composite_before_adjustment": top.get("composite_before_adjustment"),
        "adjustment": top.get("adjustment"),
        "ranked": bool(top.get("ranked", True)),
        "rated": bool(top.get("rated", True)),
        "not_rated_reason": top.get("not_rated_reason"),
        "uncertainty": evaluation.uncertainty_method,
        "replicates": evaluation.replicates,
        "dimensions": dims,
    }


def _groups(lookups, agency_id, dimension: str, weights) -> list[dict]:
    out = []
    for group, weight in weights.items():
        row = lookups["cells"].get((agency_id, dimension, group))
        node = {"group": group, "weight": weight, "present": row is not None}
        if row:
            node["item_weighting"] = "equal: each respondent's mean of the items answered"
            node.update({key: row[key] for key in GROUP_FIELDS})
            node["items"] = list(lookups["items"].get((agency_id, group, dimension), []))
        out.append(node)
    return out


GROUP_FIELDS = (
    "n",
    "n_with_flagged",
    "estimator",
    "mean",
    "trimmed_mean",
    "robust",
    "se",
    "score",
    "centre",
    "from_own",
    "from_others",
    "score_ci_low",
    "score_ci_high",
    "reliability",
    "satisfaction",
    "low_n",
    "low_reliability",
    "low_confidence",
)


def records(frame) -> list[dict]:
    """A DataFrame as JSON-ready records; a named or non-default index becomes a column."""
    if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return [{str(k): _num(v) for k, v in row.items()} for row in frame.to_dict("records")]


def peer_record(report) -> dict:
    """One :class:`analysis.report.PeerReport` as plain data."""
    return {
        "group": report.group,
        "dimension": report.dimension,
        "variance": {k: _num(v) for k, v in report.variance.items()},
        "dyadic_reciprocity": _num(report.dyadic_reciprocity),
        "generalized_reciprocity": _num(report.generalized_reciprocity),
        "reliability": _num(report.reliability),
        "pairs": records(report.pairs),
        "cliques": [[_num(x) for x in clique] for clique in report.cliques],
        "mutual_high_dyads": int(report.mutual_high_dyads),
        "mutual_high_null_p": _num(report.mutual_high_null_p),
        "rival_raters": records(report.rival_raters),
        "leniency_outliers": records(report.leniency_outliers),
        "n_self_ratings_dropped": int(report.n_self_ratings_dropped),
        "n_imputed": int(report.n_imputed),
    }
