"""Quality report: response counts and flags, reliability, peer-review manipulation checks,
and the result recomputed with the flagged responses included (SPEC §4.6, STATISTICS.md §3–4).

Reliability per group × dimension:
- ``alpha``: Cronbach's α of the dimension's items over the group's complete kept responses
  (:func:`analysis.reliability.cronbach_alpha`, Feldt interval).
- ``score_reliability``: reliability of the published agency score — SRM ``rel_b`` for the
  peer round robin, the two-way model's target reliability (median over agencies) for
  rater-adjusted groups, else the median EB ``λ_j``.
- ``krippendorff_alpha`` (interval) and ``gwet_ac2`` (quadratic) of rater agreement where
  responses name their rater: units are agency × item, columns raters, values item points.
- ``icc_2k`` / ``icc_3k``: Shrout–Fleiss ICC of the agencies × raters table of pair means
  when at least two agencies were rated by every rater (never for a round robin: its
  self-cells are missing by design; the SRM reliability stands in for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from analysis.combine import scoped_ranks
from analysis.config import RATED_DIMENSIONS
from analysis.detection import round_tests, sentence
from analysis.peer import (
    SRMResult,
    leniency_outliers,
    mutual_high_cliques,
    reciprocity_pairs,
    rival_raters,
)
from analysis.reliability import AlphaResult, cronbach_alpha, gwet_ac2, icc, krippendorff_alpha
from analysis.twoway import TwoWayResult


@dataclass(frozen=True)
class PeerReport:
    """Social Relations Model diagnostics of one group × dimension (ids are agency_id)."""

    group: str
    dimension: str
    variance: dict
    dyadic_reciprocity: float
    generalized_reciprocity: float
    reliability: float
    pairs: pd.DataFrame
    cliques: list
    mutual_high_dyads: int
    mutual_high_null_p: float
    rival_raters: pd.DataFrame
    leniency_outliers: pd.DataFrame
    n_self_ratings_dropped: int
    n_imputed: int

    @property
    def flagged_pairs(self) -> pd.DataFrame:
        return self.pairs[self.pairs["flagged"]]


@dataclass(frozen=True)
class QualityReport:
    """Everything about the data behind the scores (see module docstring)."""

    responses: pd.DataFrame
    flagged: pd.DataFrame
    reliability: pd.DataFrame
    peer: list[PeerReport]
    rater_models: pd.DataFrame
    with_flagged: pd.DataFrame
    median_duration: dict
    notes: list[str] = field(default_factory=list)
    detection: pd.DataFrame = field(default_factory=pd.DataFrame)

    def peer_report(self, dimension: str, group: str = "peer") -> PeerReport | None:
        for report in self.peer:
            if report.dimension == dimension and report.group == group:
                return report
        return None


def _labels(prep, codes) -> np.ndarray:
    """Agency ids for SRM codes (raters outside the agency list keep their rater id)."""
    codes = np.asarray(codes, dtype=np.int64)
    n_a = len(prep.agencies)
    agencies = prep.agencies.to_numpy(dtype=object)
    raters = prep.raters.to_numpy(dtype=object)
    inside = codes < n_a
    return np.where(
        inside, agencies[np.where(inside, codes, 0)], raters[np.maximum(codes - n_a, 0)]
    )


def _relabel(prep, frame: pd.DataFrame, columns=(), index=False) -> pd.DataFrame:
    frame = frame.copy()
    for col in columns:
        frame[col] = _labels(prep, frame[col])
    if index:
        frame.index = pd.Index(_labels(prep, frame.index), name=frame.index.name)
    return frame


def round_results(model, config) -> dict:
    """Per peer group: the round-wise tests over its dimensions (``analysis.detection``)."""
    out = {}
    for g in sorted({g for (g, _), f in model.fits.items() if _is_srm(f)}):
        fits = [f for (gg, _), f in sorted(model.fits.items()) if gg == g and _is_srm(f)]
        out[g] = round_tests(
            [f.model for f in fits], alpha=config.peer.alpha,
            permutations=config.peer.permutations, seed=config.bootstrap.seed,
        )  # fmt: skip
    return out


def _is_srm(fit) -> bool:
    return fit.estimator == "srm" and isinstance(fit.model, SRMResult)


def detection_table(prep, model, rounds: dict, config) -> pd.DataFrame:
    """Every round-wise flag with its p and the plain sentence (METHODS.md §9a)."""
    pc = config.peer
    rows = []
    for g, (pairs, raters) in rounds.items():
        for _, r in pairs[pairs["flagged"]].iterrows():
            a, b = _labels(prep, [r["a"], r["b"]])
            who = f"agencies {a} and {b}"
            rows.append(("pair", model.groups[g], a, b, r["statistic"], r["p_round"], who))
        for _, r in raters[raters["flagged"]].iterrows():
            (a,) = _labels(prep, [r["rater"]])
            rows.append(("rival", model.groups[g], a, None, r["statistic"], r["p_round"], str(a)))
    table = pd.DataFrame(rows, columns=["kind", "group", "a", "b", "statistic", "p_round", "who"])
    table["sentence"] = [
        sentence(k, ("agency " + w) if k == "rival" else w, p, pc.alpha, pc.permutations)
        for k, w, p in zip(table["kind"], table["who"], table["p_round"], strict=True)
    ]
    return table.drop(columns="who")


def peer_report(prep, fit, config, rounds=None, g=None, n_dims: int = 1) -> PeerReport:
    """One dimension's SRM diagnostics; with the group's round-wise tests (``rounds``) a pair
    or rater is ``flagged`` only when its round-wise p ≤ ``peer.alpha``, and cliques are kept
    only when the mutual-high count beats its permutation null at ``alpha`` (Bonferroni over
    the group's dimensions)."""
    model: SRMResult = fit.model
    pc = config.peer
    pairs = reciprocity_pairs(model, top=pc.top_pairs, threshold=pc.reciprocity_z)
    cliques = mutual_high_cliques(
        model, z=pc.clique_z, min_size=pc.clique_min_size, n_permutations=pc.permutations,
        seed=config.bootstrap.seed,
    )  # fmt: skip
    rivals = rival_raters(model, pc.rival_z)
    clique_list = cliques.cliques
    if rounds is not None and g in rounds:
        round_pairs, round_raters = rounds[g]
        key = round_pairs.set_index(["a", "b"])["p_round"]
        lo, hi = np.minimum(pairs["a"], pairs["b"]), np.maximum(pairs["a"], pairs["b"])
        pairs["p_round"] = key.reindex(list(zip(lo, hi, strict=True))).to_numpy()
        pairs["flagged"] = pairs["p_round"] <= pc.alpha
        flagged = round_raters[round_raters["flagged"]].set_index("rater")
        rivals = model.rater_effects.loc[flagged.index].assign(
            p_round=flagged["p_round"], reason="round-wise top_gap (both dimensions)"
        )
        if not cliques.null_p * n_dims <= pc.alpha:
            clique_list = []
    return PeerReport(
        group=fit.group,
        dimension=RATED_DIMENSIONS[fit.dimension],
        variance=dict(model.variance),
        dyadic_reciprocity=model.dyadic_reciprocity,
        generalized_reciprocity=model.generalized_reciprocity,
        reliability=model.variance["reliability_target"],
        pairs=_relabel(prep, pairs, ("a", "b")),
        cliques=[list(_labels(prep, c)) for c in clique_list],
        mutual_high_dyads=cliques.n_mutual_high_edges,
        mutual_high_null_p=cliques.null_p,
        rival_raters=_relabel(prep, rivals, index=True),
        leniency_outliers=_relabel(prep, leniency_outliers(model, pc.leniency_z), index=True),
        n_self_ratings_dropped=model.n_self_ratings_dropped,
        n_imputed=model.n_imputed,
    )


def _agreement(prep, rows: np.ndarray, d: int) -> tuple[float, float, float, float]:
    """Krippendorff α, Gwet AC2, ICC(2,k), ICC(3,k) of one group's rated items."""
    nan = (np.nan,) * 4
    idx = rows[prep.rater[rows] >= 0]
    cols = np.flatnonzero(prep.item_dim == d)
    if len(idx) < 2 or not len(cols):
        return nan
    raters, r_code = np.unique(prep.rater[idx], return_inverse=True)
    agencies, a_code = np.unique(prep.agency[idx], return_inverse=True)
    if len(raters) < 2 or len(agencies) < 2:
        return nan
    k = len(cols)
    n_r = len(raters)
    shape = (len(agencies) * k, n_r)
    sums = np.zeros(shape[0] * n_r)
    counts = np.zeros_like(sums)
    for j, col in enumerate(cols):
        flat = (a_code * k + j) * n_r + r_code
        sums += np.bincount(flat, weights=prep.filled[idx, col], minlength=len(sums))
        counts += np.bincount(flat, weights=prep.answered[idx, col], minlength=len(sums))
    sums, counts = sums.reshape(shape), counts.reshape(shape)
    table = np.divide(sums, counts, out=np.full(shape, np.nan), where=counts > 0)
    kripp = krippendorff_alpha(table, "interval")
    gwet = gwet_ac2(table, "quadratic", _categories(prep, cols, table))
    # ICC on the agencies × raters table of dimension scores (pair means).
    score = prep.scores[idx, d]
    ok = ~np.isnan(score)
    flat = a_code * n_r + r_code
    size = len(agencies) * n_r
    s_sum = np.bincount(flat[ok], weights=score[ok], minlength=size).reshape(-1, n_r)
    s_cnt = np.bincount(flat[ok], minlength=size).reshape(-1, n_r)
    frame = np.divide(s_sum, s_cnt, out=np.full(s_sum.shape, np.nan), where=s_cnt > 0)
    complete = ~np.isnan(frame).any(axis=1)
    if complete.sum() >= 2:
        icc2, icc3 = icc(frame, "2,k").value, icc(frame, "3,k").value
    else:
        icc2 = icc3 = np.nan
    return kripp, gwet, icc2, icc3


def _categories(prep, cols, table: np.ndarray):
    """AC2's categories: every point of the items' scales (not only the answers seen), plus
    any pair means a repeated rating produced; None (observed values) for continuous scales."""
    points = [prep.item_scales[c].categories() for c in cols]
    if any(p is None for p in points):
        return None
    cats = np.unique(np.concatenate([np.asarray(p) for p in points]))
    seen = np.unique(table[~np.isnan(table)])
    return np.union1d(cats, seen)


_STREAM_ALPHA = 20_000  # rows from which Cronbach's α is computed from column sums


def _alpha(prep, rows: np.ndarray, cols: np.ndarray) -> AlphaResult:
    """Cronbach's α of ``cols`` over the complete responses among ``rows`` (listwise).

    Small groups go through :func:`analysis.reliability.cronbach_alpha`. For large ones the
    same formula and Feldt interval are computed from column sums (one pass per column, no
    n × k copy): the public channel has ~10⁶ rows.
    """
    k = len(cols)
    if len(rows) < _STREAM_ALPHA or k < 2:
        complete = np.ones(len(rows), dtype=bool)
        for c in cols:
            complete &= prep.answered[rows, c]
        rows = rows[complete]
        items = np.stack([prep.filled[rows, c] for c in cols], axis=1)
        return cronbach_alpha(items.reshape(len(rows), k))
    # Whole columns with 0/1 weights: dot products instead of gathering ~10⁶ rows.
    mask = np.zeros(prep.n, dtype=bool)
    mask[rows] = True
    for c in cols:
        mask &= prep.answered[:, c]
    n = int(mask.sum())
    weight = mask.astype(float)
    total = np.zeros(prep.n)
    x, square = np.empty(prep.n), np.empty(prep.n)  # reused: no new 10⁶-row array per column
    item_var = 0.0
    for c in cols:
        np.subtract(prep.filled[:, c], 50.0, out=x)  # centred: sums of squares keep precision
        s1, s2 = weight @ x, weight @ np.multiply(x, x, out=square)
        item_var += (s2 - s1 * s1 / n) / (n - 1)
        total += x
    t1, t2 = weight @ total, weight @ np.multiply(total, total, out=square)
    total_var = (t2 - t1 * t1 / n) / (n - 1)
    if total_var <= 0:
        return AlphaResult(np.nan, np.nan, np.nan, n, k, reason="total score has zero variance")
    value = k / (k - 1) * (1 - item_var / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - value) * stats.f.isf(0.025, df1, df2)
    high = 1 - (1 - value) * stats.f.isf(0.975, df1, df2)
    return AlphaResult(float(value), float(low), float(high), n, k)


def agreement_table(prep, flags) -> pd.DataFrame:
    """Data-only reliability per group × dimension (needs no fitted model): Cronbach's α,
    Krippendorff's α, Gwet's AC2 and the ICCs."""
    rows = []
    for d in range(len(RATED_DIMENSIONS)):
        for g, name in enumerate(prep.groups):
            cols = np.flatnonzero((prep.item_dim == d) & prep.asked[g])
            if not len(cols):
                continue
            kept = prep.group_rows[g][~flags.excluded[prep.group_rows[g]]]
            alpha = _alpha(prep, kept, cols)
            kripp, gwet, icc2, icc3 = _agreement(prep, kept, d)
            rows.append(
                {
                    "group": name,
                    "dimension": RATED_DIMENSIONS[d],
                    "alpha": alpha.value,
                    "alpha_ci_low": alpha.ci_low,
                    "alpha_ci_high": alpha.ci_high,
                    "alpha_n": alpha.n,
                    "items": alpha.k,
                    "krippendorff_alpha": kripp,
                    "gwet_ac2": gwet,
                    "icc_2k": icc2,
                    "icc_3k": icc3,
                }
            )
    return pd.DataFrame(rows)


def reliability_table(agreement: pd.DataFrame, model) -> pd.DataFrame:
    """``agreement`` plus the estimator used and the reliability of the published score."""
    extra = {}
    for (g, d), fit in model.fits.items():
        if isinstance(fit.model, SRMResult):
            score_rel = fit.model.variance["reliability_target"]
        elif isinstance(fit.model, TwoWayResult):
            score_rel = float(fit.model.target_effects["reliability"].median())
        else:
            lam = model.reliability[fit.agencies, d, g]
            score_rel = float(np.median(lam)) if len(lam) and not np.isnan(lam).any() else np.nan
        extra[(model.groups[g], RATED_DIMENSIONS[d])] = (fit.estimator, score_rel)
    if agreement.empty:
        return agreement
    keys = list(zip(agreement["group"], agreement["dimension"], strict=True))
    table = agreement.copy()
    table.insert(2, "estimator", [extra.get(k, (None, np.nan))[0] for k in keys])
    table.insert(8, "score_reliability", [extra.get(k, (None, np.nan))[1] for k in keys])
    return table


def rater_model_table(model) -> pd.DataFrame:
    """Variance components of the SRM / two-way fits."""
    rows = []
    for (g, d), fit in model.fits.items():
        if fit.model is None:
            continue
        comps = (
            fit.model.variance
            if isinstance(fit.model, SRMResult)
            else fit.model.variance_components
        )
        for name, value in comps.items():
            rows.append(
                {
                    "group": model.groups[g],
                    "dimension": RATED_DIMENSIONS[d],
                    "model": fit.estimator,
                    "component": name,
                    "value": value,
                }
            )
    return pd.DataFrame(rows, columns=["group", "dimension", "model", "component", "value"])


def with_flagged_table(prep, model, model_all, scope) -> pd.DataFrame:
    """Composite and rank with flagged responses excluded (the result) and included."""
    base, alt = model.composite, model_all.composite
    frame = pd.DataFrame(
        {
            "composite": base,
            "composite_with_flagged": alt,
            "difference": alt - base,
            "rank": scoped_ranks(base, scope),
            "rank_with_flagged": scoped_ranks(alt, scope),
        },
        index=pd.Index(prep.agencies, name="agency_id"),
    )
    frame["rank_change"] = frame["rank_with_flagged"] - frame["rank"]
    return frame
