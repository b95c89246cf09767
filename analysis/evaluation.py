"""``evaluate(responses, items, config) -> Evaluation``: the whole scoring pipeline.

Steps (``analysis/METHODS.md``): answers → 0–100 (``scales``); quality flags (``quality``);
respondent scores per dimension; per agency × group × dimension robust scores (``groups``:
mean / trimmed / SRM / two-way) and EB shrinkage (``shrinkage``); group weights → 成效度 and
配合度, then the composite with 全面度 and 时效度 (``combine``); posterior draws or bootstrap
(``parametric``, ``uncertainty``); who is rated (``evidence``); rank intervals, tie groups and
bands (``ranking``); quality and reliability report (``report``, ``detection``); weight
sensitivity. ``Evaluation.explain(agency_id)`` traces any figure back.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis import model as pipeline
from analysis.combine import weight_sensitivity
from analysis.config import DIMENSIONS, RATED_DIMENSIONS, EvaluationConfig
from analysis.evidence import rated_agencies
from analysis.parametric import parametric
from analysis.prepare import prepare, side_pool
from analysis.quality import compute_flags, flag_counts, flag_table
from analysis.ranking import rank_and_band
from analysis.report import (
    QualityReport,
    agreement_table,
    detection_table,
    peer_report,
    rater_model_table,
    reliability_table,
    round_results,
    with_flagged_table,
)
from analysis.uncertainty import Draws, analytic, bootstrap

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evaluation:
    """Result of :func:`evaluate`. Tables are pandas DataFrames keyed by ``agency_id``.

    - ``cells``: per agency × dimension × group — n, mean, sd, trimmed mean, robust score
      (the group's estimator), se and ci of it, 满意率 with Wilson ci, EB ``score`` (with
      ``shrinkage_model = "joint"`` shrunk jointly with the agency's other cells),
      ``reliability`` λ (the one-cell λ of the group's own data), ``posterior_se``,
      ``mse_se`` (with τ²'s uncertainty),
      ``score_ci_low/high`` (posterior draws by default), low-confidence marks.
    - ``dimensions``: per agency × dimension (all four) — score, interval, weight present,
      missing groups.
    - ``ranking``: per agency — composite, interval, rank, rank interval, tie group, band (only
      at P ≥ ``band_probability``; else missing and ``borderline`` with
      ``borderline_between``), band probabilities, ``rated`` and ``not_rated_reason``.
    - ``items``: per agency × group × item — answers counted and mean points.
    - ``sensitivity``: ranks under ±δ weight perturbations; ``quality``: the quality report.
    - ``agencies``: the agency table used (profile, kind, 全面度, 时效度).
    - ``config``: the exact configuration used (store ``config.to_json()`` beside the result).
    """

    config: EvaluationConfig
    agencies: pd.DataFrame
    cells: pd.DataFrame
    dimensions: pd.DataFrame
    ranking: pd.DataFrame
    items: pd.DataFrame
    sensitivity: pd.DataFrame
    quality: QualityReport
    uncertainty_method: str
    replicates: int

    def explain(self, agency_id) -> dict:
        """Composite → dimensions → groups → items for one agency (JSON-serialisable)."""
        from analysis.explain import explain

        return explain(self, agency_id)

    def to_dict(self) -> dict:
        """Everything as plain JSON-ready data (NaN → None): ``config`` (as in
        ``config.to_dict()``), ``uncertainty``, every table as a list of records and the peer
        diagnostics. ``json.dumps(evaluation.to_dict(), allow_nan=False)`` works."""
        from analysis.explain import peer_record, records

        return {
            "config": self.config.to_dict(),
            "uncertainty": {"method": self.uncertainty_method, "replicates": self.replicates},
            "tables": {name: records(frame) for name, frame in self.tables().items()},
            "peer": [peer_record(report) for report in self.quality.peer],
            "median_duration": {
                k: _json_number(v) for k, v in self.quality.median_duration.items()
            },
            "notes": list(self.quality.notes),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by name (for export or storage)."""
        return {
            "cells": self.cells,
            "dimensions": self.dimensions,
            "ranking": self.ranking,
            "items": self.items,
            "agencies": self.agencies,
            "sensitivity": self.sensitivity,
            "responses": self.quality.responses,
            "flagged": self.quality.flagged,
            "reliability": self.quality.reliability,
            "rater_models": self.quality.rater_models,
            "with_flagged": self.quality.with_flagged,
            "detection": self.quality.detection,
        }


def evaluate(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    config: EvaluationConfig | None = None,
    *,
    agencies: pd.DataFrame | None = None,
    workers: int | None = None,
) -> Evaluation:
    """Score every agency (see the module docstring and ``analysis/METHODS.md``).

    ``agencies`` (optional) supplies ``comprehensiveness``/``timeliness`` (0–100), the weight
    ``profile`` and the ranking scope ``kind`` per ``agency_id``. ``workers`` threads draw
    bootstrap chunks (default: up to 2 CPUs); results do not depend on it.
    """
    config = EvaluationConfig() if config is None else config
    if not isinstance(config, EvaluationConfig):
        raise TypeError("config must be an EvaluationConfig (use EvaluationConfig.from_json)")
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    prep = prepare(responses, items, config, agencies, workers)
    flags = compute_flags(prep, config)
    # The data-only reports run beside the model on a second thread (numpy releases the GIL).
    with side_pool(workers) as pool:
        side = pool.submit(_data_reports, prep, flags)
        blocks = pipeline.make_blocks(prep, flags, config)
        model = pipeline.build(prep, flags, config, blocks=blocks)
        peer = pool.submit(_peer_reports, prep, model, config)
        sens = pool.submit(_sensitivity, prep, model, config, _scope(prep.agency_info))
        boot = config.bootstrap
        if boot.replicates > 0 and boot.method == "parametric":
            draws = parametric(model, boot.replicates, boot.seed)
        elif boot.replicates > 0:
            draws = bootstrap(model, boot.replicates, boot.seed, boot.chunk, workers)
        else:
            draws = analytic(model, boot.seed)
        info = prep.agency_info
        scope = _scope(info)
        adjustment, ranked = _adjustment(info), _ranked(info)
        rated, reasons = rated_agencies(prep, model)
        # 加减分 shift the composite and every replicate alike. Agencies without the engine's
        # minimum of evidence (rated) or marked unranked by the caller (ranked) keep their
        # composite and interval but take no rank, tie group or band.
        point = np.clip(model.composite + adjustment, 0.0, 100.0)
        drawn = np.clip(draws.composite + adjustment[None, :], 0.0, 100.0)
        ranked = ranked & rated
        ranking = rank_and_band(point, drawn, scope, config, ranked)
        model_all = pipeline.build(prep, flags, config, True, blocks=blocks, base=model)
        item_table, flagged, counts, agreement = side.result()
        peer_reports, detection = peer.result()
        sensitivity = sens.result()
    cells = pipeline.cell_table(prep, model, _align_n(model, model_all))
    cells = _with_cell_intervals(cells, prep, model, draws, config)
    ranking.insert(0, "composite", point)
    ranking.insert(1, "composite_weight", model.composite_weight)
    ranking.insert(2, "scope", scope)
    ranking["composite_before_adjustment"] = model.composite
    ranking["adjustment"] = adjustment
    ranking["rated"] = rated
    ranking["not_rated_reason"] = reasons
    ranking["ranked"] = ranked
    ranking.index = pd.Index(prep.agencies, name="agency_id")
    notes = [
        f"{model.groups[g]}/{RATED_DIMENSIONS[d]}: {fit.note}"
        for (g, d), fit in model.fits.items()
        if fit.note
    ]
    notes.append(_fixed_error_note(config))
    if not rated.all():
        notes.append(
            f"{int((~rated).sum())} of {len(rated)} agencies not rated (too little survey "
            "evidence): no rank and no band; see ranking.not_rated_reason"
        )
    for note in notes:
        log.info("evaluate: %s", note)
    quality = QualityReport(
        responses=counts,
        flagged=flagged,
        reliability=reliability_table(agreement, model),
        peer=peer_reports,
        rater_models=rater_model_table(model),
        with_flagged=with_flagged_table(prep, model, model_all, scope),
        median_duration=flags.medians,
        notes=notes,
        detection=detection,
    )
    return Evaluation(
        config=config,
        agencies=info,
        cells=cells,
        dimensions=_dimension_table(prep, model, draws, config),
        ranking=ranking,
        items=item_table,
        sensitivity=sensitivity,
        quality=quality,
        uncertainty_method=draws.method,
        replicates=int(draws.composite.shape[0]),
    )


def _fixed_error_note(config) -> str:
    sd = config.fixed_error
    if not any(sd.values()):
        return (
            "comprehensiveness and timeliness are taken as exact (measurement error SD 0, "
            "config.fixed_error): their uncertainty is not in any interval, rank or band"
        )
    return (
        "comprehensiveness and timeliness carry a stated measurement error (SD "
        f"{sd['comprehensiveness']:g} and {sd['timeliness']:g} points, config.fixed_error)"
    )


def _data_reports(prep, flags):
    return (
        _item_table(prep, flags),
        flag_table(prep, flags),
        flag_counts(prep, flags),
        (agreement_table(prep, flags)),
    )


def _peer_reports(prep, model, config, rounds=None):
    rounds = round_results(model, config) if rounds is None else rounds
    srm = [
        (g, fit)
        for (g, _), fit in sorted(model.fits.items())
        if g in rounds and fit.estimator == "srm" and fit.model is not None
    ]
    dims = {g: sum(1 for gg, _ in srm if gg == g) for g in rounds}
    reports = [peer_report(prep, fit, config, rounds, g, dims[g]) for g, fit in srm]
    return reports, detection_table(prep, model, rounds, config)


def _sensitivity(prep, model, config, scope) -> pd.DataFrame:
    table = weight_sensitivity(
        model.score, model.group_weights, model.group_mean, model.fixed,
        model.dimension_weights, config, prep.groups, scope,
    )  # fmt: skip
    table["agency"] = prep.agencies.to_numpy()[table["agency"].to_numpy()]
    return table.rename(columns={"agency": "agency_id"})


def _scope(info: pd.DataFrame) -> np.ndarray:
    kind = info["kind"].to_numpy(dtype=object)
    return np.array(["all" if _missing(k) else str(k) for k in kind], dtype=object)


def _adjustment(info: pd.DataFrame) -> np.ndarray:
    """Points added to each composite (加减分), 0 where none; within ±100."""
    if "adjustment" not in info.columns:
        return np.zeros(len(info))
    values = pd.to_numeric(info["adjustment"], errors="raise").astype(float).fillna(0.0)
    if (values.abs() > 100).any():
        raise ValueError("agencies['adjustment'] must lie within −100…100 points")
    return values.to_numpy()


def _ranked(info: pd.DataFrame) -> np.ndarray:
    """Which agencies take a rank and a band (``ranked``; default every one)."""
    if "ranked" not in info.columns:
        return np.ones(len(info), dtype=bool)
    values = info["ranked"]
    if not all(isinstance(v, bool | np.bool_) or _missing(v) for v in values):
        raise ValueError("agencies['ranked'] must be true or false")
    return np.array([True if _missing(v) else bool(v) for v in values], dtype=bool)


def _json_number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _align_n(model, model_all) -> dict:
    """n with flagged responses included, aligned with the kept fit's agencies."""
    out = {}
    for key, fit in model.fits.items():
        other = model_all.fits.get(key)
        if other is None:
            continue
        pos = pd.Index(other.agencies).get_indexer(fit.agencies)
        n = np.where(pos >= 0, other.describe["n"][pos], fit.describe["n"])
        out[key] = {"n": n}
    return out


def _with_cell_intervals(cells, prep, model, draws: Draws, config) -> pd.DataFrame:
    low, high = draws.cell_ci
    a = prep.agencies.get_indexer(cells["agency_id"])
    d = cells["dimension"].map(RATED_DIMENSIONS.index).to_numpy(dtype=np.int64)
    g = cells["group"].map(prep.groups.index).to_numpy(dtype=np.int64)
    cells["score_ci_low"] = low[a, d, g]
    cells["score_ci_high"] = high[a, d, g]
    return cells


def _dimension_table(prep, model, draws: Draws, config) -> pd.DataFrame:
    low, high = draws.dim_ci
    parts = []
    n_a = len(prep.agencies)
    fixed = model.fixed
    z = float(stats.norm.ppf(0.5 + config.confidence / 2))
    for i, dim in enumerate(DIMENSIONS):
        if i < 2:
            sd = config.fixed_error[dim]
            score, share = fixed[:, i], np.ones(n_a)
            lo = np.clip(score - z * sd, 0.0, 100.0)
            hi = np.clip(score + z * sd, 0.0, 100.0)
            missing = [[] for _ in range(n_a)]
        else:
            d = i - 2
            score, lo, hi = model.dims[:, d], low[:, d], high[:, d]
            share = model.dims_weight[:, d]
            weights = model.group_weights[:, d]
            absent = np.isnan(model.score[:, d]) & (weights > 0)
            missing = [[model.groups[g] for g in np.flatnonzero(row)] for row in absent]
        parts.append(
            pd.DataFrame(
                {
                    "agency_id": prep.agencies.to_numpy(),
                    "dimension": dim,
                    "score": score,
                    "ci_low": lo,
                    "ci_high": hi,
                    "weight": config.dimension_weights[dim],
                    "weight_present": share,
                    "missing_groups": [",".join(m) for m in missing],
                    # Stated measurement error of 全面度/时效度 (SD); rated dimensions: NaN.
                    "error_sd": config.fixed_error[dim] if i < 2 else np.nan,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _item_table(prep, flags) -> pd.DataFrame:
    """Answers counted and mean points per agency × group × item (kept responses): the
    all-response sums from ``prepare`` minus the few excluded responses."""
    n_g = len(prep.groups)
    size = len(prep.agencies) * n_g
    count, total = prep.item_count.copy(), prep.item_sum.copy()
    out = np.flatnonzero(flags.excluded)
    cell = prep.agency[out] * n_g + prep.group[out]
    for j in range(len(prep.items)):
        count[:, j] -= np.bincount(cell, weights=prep.answered[out, j], minlength=size)
        total[:, j] -= np.bincount(cell, weights=prep.filled[out, j], minlength=size)
    c, j = np.nonzero(count > 0.5)
    return pd.DataFrame(
        {
            "agency_id": prep.agencies.to_numpy()[c // n_g],
            "group": np.array(prep.groups, dtype=object)[c % n_g],
            "item_id": np.array(prep.items, dtype=object)[j],
            "dimension": np.array(RATED_DIMENSIONS, dtype=object)[prep.item_dim[j]],
            "n": np.rint(count[c, j]).astype(np.int64),
            "mean": total[c, j] / count[c, j],
        }
    )
