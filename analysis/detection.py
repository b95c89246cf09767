"""Round-wise calibrated manipulation flags on the peer round robin (METHODS.md §9a).

The per-pair and per-rater cut-offs of :mod:`analysis.peer_diagnostics` (z > 3, z < −3)
hold per pair: with ~800 pairs and ~40 raters an honest round raises some flag most years.
Here every flag is a test of the whole round, both dimensions together:

- **Pairs** (mutual over-rating): per dimension ``z_ij`` = the sum of the pair's *observed*
  relationship effects ``g_ij + g_ji`` over its SD for that many cells (:func:`_pair_stat`);
  combined over the dimensions (:func:`_combine`) ``T_ij = max(Σ_d z_ij/√k, max_d z_ij)``.
  The null is the round itself with each rater's relationship effects (and which of its
  cells were observed) shuffled over its targets (the same shuffle in both dimensions: it
  keeps every rater's spread, tails and halo across dimensions, and breaks who-rates-whom);
  ``z`` is re-standardised in every shuffle, so honest reciprocity in the whole round does
  not count as collusion. Round-wise p of a pair =
  ``(1 + #{max_pairs T* ≥ T_ij})/(1 + B)`` (max-T, Westfall–Young single step).
- **Rival raters** (marking the strongest others down): residuals of a leniency model that
  respects the scale's ends (:func:`_latent_residuals`: clipped-normal latent ratings,
  Pearson residuals), then per dimension and for three sizes of the consensus top group
  (40, 70 and 100 % of ``top_share``) the gap of a rater's residuals on its top group
  against the rest, in units of the rest's SD (``_top_gap_t``); the observed t freed of its
  line on the latent leniency (:func:`_leniency_free`), each rater's t studentised by the
  mean and SD of its B + 1 values (observed and shuffled), every round centred on its
  raters' median, and the most extreme size kept (:func:`_rival_scores`: a scan, the same
  minimum in every round); combined ``R_i`` the same combination towards the low end; same
  shuffles;
  p = ``(1 + #{min over the other raters of R* ≤ R_i})/(1 + B)``
  (leaving the rater out of its own null: its shuffled planted marks would make the null
  heavy-tailed).
- A flag needs p ≤ ``peer.alpha`` (0.05): in an honest round the chance of *any* pair flag
  (and, separately, any rival flag) is at most about 5 % (measured over 2000 simulated
  honest rounds: pairs 5.0 %, rivals 4.1 %; METHODS.md §9a).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from analysis.peer import SRMResult, _leave_one_out_partner

_CELLS = 1_000_000  # shuffled cells per batch: 8 MB per float array, kept in cache
_SCAN = (0.4, 0.7, 1.0)  # rival top groups scanned, as shares of ``top_share``


def _matrices(result: SRMResult, ids: pd.Index):
    """Relationship ``g``, observed mask and leave-one-out consensus on the ``ids`` order."""
    own = result.target_effects.index
    n = len(own)
    rel = result.relationship
    ri, ti = own.get_indexer(rel["rater"]), own.get_indexer(rel["target"])
    g = np.zeros((n, n))
    g[ri, ti] = rel["g"].to_numpy()
    observed = np.zeros((n, n), dtype=bool)
    observed[ri, ti] = ~rel["imputed"].to_numpy()
    a = result.rater_effects["effect"].reindex(own).to_numpy()
    b = result.target_effects["effect"].to_numpy()
    z = result.grand_mean + a[:, None] + b[None, :] + g
    np.fill_diagonal(z, 0.0)
    consensus = _leave_one_out_partner(z, n)
    pos = own.get_indexer(ids)
    pick = np.ix_(pos, pos)
    return g[pick], observed[pick], consensus[pick], (z - g)[pick]


_LO, _HI = 0.0, 100.0  # peer scores are on 0–100
_S_GRID = np.linspace(1.0, 40.0, 40)  # SD of the latent rating, in points
_SQRT2 = np.sqrt(2.0)


def _cdf(z):
    return 0.5 * special.erfc(-z / _SQRT2)


def _pdf(z):
    return np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)


def _clipped_moments(mu, s, var=False):
    """``E`` (and with ``var`` also ``Var``) of ``clip(μ + ε, 0, 100)`` and the slope
    ``dE/dμ = P(0 < μ + ε < 100)``, sharing one evaluation of the normal cdf and pdf."""
    lo, hi = (_LO - mu) / s, (_HI - mu) / s
    cl, ch, pl, ph = _cdf(lo), _cdf(hi), _pdf(lo), _pdf(hi)
    inside = ch - cl
    mean = mu * inside + s * (pl - ph) + _LO * cl + _HI * (1.0 - ch)
    if not var:
        return mean, inside
    ex2 = mu**2 * inside + 2 * mu * s * (pl - ph) + s**2 * (inside + lo * pl - hi * ph)
    ex2 = ex2 + _LO**2 * cl + _HI**2 * (1.0 - ch)
    return mean, np.maximum(ex2 - mean**2, 0.0)


def _best_s(xo: np.ndarray, mu_o: np.ndarray, at: int) -> int:
    """Index on ``_S_GRID`` of the least-squares latent SD, by a walk downhill from ``at``:
    the sum of squares is unimodal in ``s`` (checked against the whole grid in
    ``tests/analysis/test_detection.py`` and on calibration rounds), so the walk ends at the
    grid's minimum after a few evaluations instead of all 40."""
    cache: dict[int, float] = {}

    def sse(i):
        if i not in cache:
            cache[i] = float(((xo - _clipped_moments(mu_o, _S_GRID[i])[0]) ** 2).sum())
        return cache[i]

    last = len(_S_GRID) - 1
    while True:
        here = sse(at)
        if at > 0 and sse(at - 1) <= here:  # ties go to the smaller s, as np.argmin does
            at -= 1
        elif at < last and sse(at + 1) < here:
            at += 1
        else:
            return at


def _latent_residuals(x: np.ndarray, observed: np.ndarray, start: np.ndarray, iters: int = 8):
    """Relationship residuals of a leniency model that respects the scale's ends.

    Each observed rating is taken as ``clip(m + a_i + b_j + ε, 0, 100)`` with one latent SD
    ``s`` for the round (least squares over a grid), fitted by Gauss–Newton sweeps over the
    rater and target effects from the additive fit ``start``. The residual of a cell is its
    Pearson residual ``(x − E x)/SD x`` times ``s``, its SD floored at ``s/2`` (a cell at
    the ceiling says little either way). A lenient rater's marks for the best agencies,
    pressed against 100, are then what the model expects of it, not a "gap"; a mark far
    below the ceiling that the model puts at it stands out.

    Computed on the observed cells only (one vector, sums by ``np.bincount``); ``s`` is
    re-chosen at sweeps 0, 3 and the last, each time by a walk from the previous value
    (:func:`_best_s`). Eight sweeps leave the residuals within 1e-6 points of the fixed point
    (each sweep shrinks the change about 30-fold).
    """
    n = len(x)
    ri, ti = np.nonzero(observed)
    m = float(start[observed].mean())
    a = start.mean(axis=1) - start.mean()
    b = start.mean(axis=0) - start.mean()
    xo = x[ri, ti]
    at = int(np.argmin(np.abs(_S_GRID - np.sqrt(np.mean((xo - start[ri, ti]) ** 2)))))
    s = _S_GRID[at]
    for it in range(iters):
        if it in (0, 3, iters - 1):
            at = _best_s(xo, m + a[ri] + b[ti], at)
            s = float(_S_GRID[at])
        for idx, size in ((ri, n), (ti, n)):
            mean, slope = _clipped_moments(m + a[ri] + b[ti], s)
            num = np.bincount(idx, slope * (xo - mean), minlength=size)
            step = num / np.maximum(np.bincount(idx, slope**2, minlength=size), 1e-9)
            if idx is ri:
                a = a + step
            else:
                b = b + step
        m, a, b = m + a.mean() + b.mean(), a - a.mean(), b - b.mean()
    mean, var = _clipped_moments(m + a[ri] + b[ti], s, var=True)
    sd = np.sqrt(np.maximum(var, 0.25 * s * s))
    out = np.zeros((n, n))
    out[ri, ti] = (xo - mean) / sd * s
    return out, a


def _pair_stat(g: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Standardised dyadic relationship per unordered pair, ``(pairs,)`` in ``np.triu_indices``
    order, from the ``(n, n)`` relationship effects and observed mask (see :func:`_pair_z`)."""
    iu, ju = np.triu_indices(len(g), 1)
    if observed[iu, ju].all() and observed[ju, iu].all():
        return _pair_z(g[iu, ju], g[ju, iu])
    return _pair_z(g[iu, ju], g[ju, iu], observed[iu, ju], observed[ju, iu])


def _pair_z(gij, gji, oij=None, oji=None) -> np.ndarray:
    """``(…, pairs)``: the sum of each pair's *observed* relationship effects ``g_ij``, ``g_ji``
    over its SD for that many cells — ``√(2σ² + 2σ_gg)`` with both cells, ``σ`` with one, 0
    with none (moments over the round, the last axis). ``oij``/``oji`` None: every cell
    observed. Before, a missing cell entered as its imputed ``g ≈ 0`` and halved a colluding
    pair's mean whenever one of its two marks was missing (about one pair in four at 10–19 %
    missing)."""
    if oij is None:
        var = (gij**2 + gji**2).sum(axis=-1, keepdims=True) / (2 * gij.shape[-1])
        cov = (gij * gji).sum(axis=-1, keepdims=True) / gij.shape[-1]
        sd = np.sqrt(2 * var + 2 * np.clip(cov, -var, var))
        return np.divide(gij + gji, sd, out=np.zeros(gij.shape), where=sd > 1e-12)
    gij, gji = gij * oij, gji * oji  # a missing cell counts 0 in every sum below
    both = oij & oji
    n_cells = np.count_nonzero(oij, axis=-1)[..., None] + np.count_nonzero(oji, axis=-1)[..., None]
    var = (gij**2 + gji**2).sum(axis=-1, keepdims=True) / np.maximum(n_cells, 1)
    cov = (gij * gji).sum(axis=-1, keepdims=True)
    cov = cov / np.maximum(np.count_nonzero(both, axis=-1)[..., None], 1)
    cov = np.clip(cov, -var, var)
    # The two SDs per round (both cells / one cell); a pair with neither sums to 0.
    sd = np.where(both, np.sqrt(2 * var + 2 * cov), np.sqrt(var))
    return np.divide(gij + gji, sd, out=np.zeros(sd.shape), where=sd > 1e-12)


def _top_sets(consensus: np.ndarray, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each rater's consensus top-k targets among those it rated, and the rest."""
    ranked = np.where(mask, consensus, -np.inf)
    kth = -np.sort(-ranked, axis=-1)[..., k - 1]
    top = mask & (consensus >= kth[..., None] - 1e-9)
    return top, mask & ~top


def _top_gap_t(g: np.ndarray, top: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Each rater's gap in ``g`` between its ``top`` targets and the ``rest``, in units of
    the rest's spread: ``(mean_top − mean_rest) / (s_rest·√(1/n_top + 1/n_rest))`` (Glass's
    Δ as a t; ``g``, ``top``, ``rest`` ``(…, n, n)``). Under the null the two parts are
    exchangeable, so any scale gives a valid permutation test; the rest's is the one a
    rival's marks do not inflate — with the pooled SD (until the seventh pass) its own −15s
    widened the denominator and cost 6 points of power (METHODS.md §9a)."""
    n_top, n_rest = top.sum(axis=-1), rest.sum(axis=-1)
    m_top = np.where(top, g, 0.0).sum(axis=-1) / np.maximum(n_top, 1)
    m_rest = np.where(rest, g, 0.0).sum(axis=-1) / np.maximum(n_rest, 1)
    ss = np.where(rest, (g - m_rest[..., None]) ** 2, 0.0).sum(axis=-1)
    df = n_rest - 1
    se = np.sqrt(np.divide(ss, df, out=np.zeros(ss.shape), where=df > 0))
    se = se * np.sqrt(1 / np.maximum(n_top, 1) + 1 / np.maximum(n_rest, 1))
    ok = (n_top > 0) & (n_rest > 0) & (se > 1e-12)
    return np.divide(m_top - m_rest, se, out=np.zeros(se.shape), where=ok)


def _combine(stats: list[np.ndarray]) -> np.ndarray:
    """One statistic over the dimensions: the larger of the sum/√k (a manipulation of every
    dimension) and the largest single dimension (a manipulation of one)."""
    stacked = np.stack(stats)
    return np.maximum(stacked.sum(axis=0) / np.sqrt(len(stats)), stacked.max(axis=0))


def _leniency_free(t: np.ndarray, lenient: np.ndarray) -> np.ndarray:
    """``t (n,)`` minus its Theil–Sen line on the raters' leniency ``(n,)``: answers bunch at
    the top of the scale, so a lenient rater's marks for the best agencies can fall short of
    the model's and its gap be negative without any intent. Only what leniency does not
    explain counts. (The shuffles break any tie between a rater's marks and its targets, so
    their gaps need no such line.)"""
    iu, ju = np.triu_indices(len(lenient), 1)
    dx = lenient[ju] - lenient[iu]
    use = np.abs(dx) > 1e-12
    if not use.any():
        return t
    # Theil–Sen: a rival's own extreme point cannot tilt the line.
    return t - np.median((t[ju[use]] - t[iu[use]]) / dx[use]) * lenient


def _scan_sizes(n: int, top_share: float) -> list[int]:
    """The top-group sizes scanned: 40 %, 70 % and all of ``top_share`` of the other
    agencies (at least one each, no size twice)."""
    return sorted({max(1, round(f * top_share * (n - 1))) for f in _SCAN})


def _rival_scores(t_obs, t_null, lenient) -> tuple[np.ndarray, np.ndarray]:
    """One dimension's rival statistic, observed ``(n,)`` and shuffled ``(B, n)``, from the
    top-gap t of every scanned size (``t_obs[k] (n,)``, ``t_null[k] (B, n)``). The observed t
    is freed of the leniency line; then the observed round is treated as one of the B + 1
    rounds, exactly as the shuffles are: each rater's t studentised by the mean and SD of its
    B + 1 values (its own spread, number of marks and top group), every round centred on its
    raters' median, and the most extreme size kept (the scan: a rival may mark down its two
    strongest rivals or its ten; every round takes the same minimum, so the scan costs no
    level). Studentising by the shuffles alone, the observed value was out of sample and
    the shuffled ones in sample: the observed tail heavier by ≈ 15 % at z ≈ −3 (METHODS.md
    §9a, sixth pass)."""
    obs, null = [], []
    for t, tb in zip(t_obs, t_null, strict=True):
        every = np.vstack([_leniency_free(t, lenient)[None, :], tb])
        mu, sd = every.mean(axis=0), every.std(axis=0)
        z = (every - mu) / np.where(sd > 1e-12, sd, 1.0)
        z -= np.median(z, axis=1, keepdims=True)
        obs.append(z[0])
        null.append(z[1:])
    return np.min(obs, axis=0), np.min(null, axis=0)


def round_tests(
    results: list[SRMResult], *, alpha: float, permutations: int, seed: int, top_share=0.2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Round-wise p of every pair and every rater (codes as in the SRM results).

    Returns ``pairs`` (``a``, ``b``, ``statistic``, ``p_round``, ``flagged``) and ``raters``
    (``rater``, ``statistic``, ``p_round``, ``flagged``), most extreme first.
    """
    ids = results[0].target_effects.index
    for r in results[1:]:
        ids = ids.intersection(r.target_effects.index)
    n = len(ids)
    if n < 4 or permutations < 1:
        return _empty()
    mats = [_matrices(r, ids) for r in results]
    sizes = _scan_sizes(n, top_share)
    # Top groups fixed by the consensus, not shuffled: ``sets[d][k]``.
    sets = [[_top_sets(c, o, k) for k in sizes] for _, o, c, _ in mats]
    latent = [_latent_residuals(g + fit, o, fit) for g, o, _, fit in mats]
    pair_obs = _combine([_pair_stat(g, o) for g, o, _, _ in mats])
    gaps_obs = [
        [_top_gap_t(h, *split) for split in d_sets]
        for (h, _), d_sets in zip(latent, sets, strict=True)
    ]
    rng = np.random.default_rng(seed)
    off = ~np.eye(n, dtype=bool)
    # Every shuffle moves each rater's n − 1 off-diagonal cells ("positions", row-major in
    # ``x[off]``); ``src`` holds, per shuffle and position, the position its value comes
    # from, so one gather per array gives the shuffled round. Pairs need only the cells
    # (i, j) and (j, i), i < j: positions ``up`` and ``low``.
    iu, ju = np.triu_indices(n, 1)
    up, low = iu * (n - 1) + ju - 1, ju * (n - 1) + iu
    rows_g = [g[off] for g, _, _, _ in mats]
    rows_o = None if all(o[off].all() for _, o, _, _ in mats) else [o[off] for _, o, _, _ in mats]
    rows_h = [h[off] for h, _ in latent]
    splits = [
        [(top[off].reshape(n, n - 1), rest[off].reshape(n, n - 1)) for top, rest in d_sets]
        for d_sets in sets
    ]
    # Only the cells a rater rated (in any dimension) are shuffled among themselves: the
    # round's design — who rated whom — stays as observed, as it is under the null.
    rated = np.logical_or.reduce([o[off] for _, o, _, _ in mats]).reshape(n, n - 1)
    dest = np.argsort(~rated, axis=-1, kind="stable")  # rated positions first, ascending
    first = (np.arange(n) * (n - 1))[:, None]
    chunk = max(1, _CELLS // (n * (n - 1)))  # all B = 199 shuffles at once up to 70 agencies
    max_pair, gaps_null = [], [[[] for _ in sizes] for _ in mats]
    for start in range(0, permutations, chunk):
        size = min(chunk, permutations - start)
        # The same draws as one (B, n, n − 1) array: the shuffles do not depend on ``chunk``.
        # A cell not rated sorts last (key 2 > any draw) and so stays among those not rated.
        keys = np.where(rated, rng.random((size, n, n - 1)), 2.0)
        src = np.empty((size, n, n - 1), dtype=np.intp)
        np.put_along_axis(src, np.broadcast_to(dest, src.shape), np.argsort(keys, axis=-1), -1)
        src = (src + first).reshape(size, -1)
        s_up, s_low = src[:, up], src[:, low]
        pairs_b = []
        for d, d_splits in enumerate(splits):
            ob = (None, None) if rows_o is None else (rows_o[d][s_up], rows_o[d][s_low])
            pairs_b.append(_pair_z(rows_g[d][s_up], rows_g[d][s_low], *ob))
            h = rows_h[d][src].reshape(size, n, n - 1)
            for kept, split in zip(gaps_null[d], d_splits, strict=True):
                kept.append(_top_gap_t(h, *split))
        max_pair.append(np.max(_combine(pairs_b), axis=-1))
    max_pair = np.concatenate(max_pair)
    scores = [
        _rival_scores(t_obs, [np.concatenate(kept) for kept in t_null], a)
        for t_obs, t_null, (_, a) in zip(gaps_obs, gaps_null, latent, strict=True)
    ]
    rater_obs = -_combine([-obs for obs, _ in scores])
    min_rater = _min_without_each(-_combine([-null for _, null in scores]))
    b = len(max_pair)
    p_pair = (1 + (max_pair[None, :] >= pair_obs[:, None] - 1e-12).sum(axis=1)) / (1 + b)
    p_rater = (1 + (min_rater <= rater_obs[None, :] + 1e-12).sum(axis=0)) / (1 + b)
    pairs = pd.DataFrame(
        {"a": ids[iu], "b": ids[ju], "statistic": pair_obs, "p_round": p_pair}
    ).assign(flagged=lambda f: f["p_round"] <= alpha)
    raters = pd.DataFrame({"rater": ids, "statistic": rater_obs, "p_round": p_rater})
    raters = raters.assign(flagged=lambda f: f["p_round"] <= alpha)
    pairs = pairs.sort_values("statistic", ascending=False, kind="stable").reset_index(drop=True)
    raters = raters.sort_values("statistic", kind="stable").reset_index(drop=True)
    return pairs, raters


def _min_without_each(stats: np.ndarray) -> np.ndarray:
    """``(B, n)``: per shuffle, the minimum over the *other* raters for each rater. A rival's
    own planted marks, shuffled, would otherwise make its null heavy-tailed (a few land in
    its top group by chance) and hide it."""
    order = np.partition(stats, 1, axis=-1) if stats.shape[-1] > 1 else stats
    low, second = order[:, :1], order[:, 1:2]
    return np.where(stats <= low, second, low)


def _empty():
    pairs = pd.DataFrame(
        {"a": [], "b": [], "statistic": [], "p_round": [], "flagged": np.zeros(0, dtype=bool)}
    )
    raters = pd.DataFrame(
        {"rater": [], "statistic": [], "p_round": [], "flagged": np.zeros(0, dtype=bool)}
    )
    return pairs, raters


def sentence(kind: str, who: str, p: float, alpha: float, permutations: int) -> str:
    """One plain sentence a supervisor can act on."""
    what = (
        f"{who} rated each other higher than the rest of the round explains"
        if kind == "pair"
        else f"{who} rated the agencies the others rate best lower than the rest of the round "
        "explains"
    )
    return (
        f"{what} (both dimensions together). In an honest round a result this strong turns up "
        f"by chance with probability {p:.3f} (round-wise, {permutations} shuffles of the round); "
        f"at the threshold {alpha:g} an honest round raises such a flag in at most about "
        f"{alpha:.0%} of years, so expect at most about {alpha:g} false flags of this kind per "
        "round. "
        "Review the ratings before acting."
    )
