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
  Pearson residuals), then per dimension the pooled-SD t of a rater's residuals on its
  consensus top group against the rest (``top_gap_t``), freed of its line on the latent
  leniency and robust-z'd across raters (:func:`_leniency_free`); combined ``R_i`` the
  same combination towards the low end; same shuffles (the same steps on each); p =
  ``(1 + #{min over the other raters of R* ≤ R_i})/(1 + B)`` (leaving the rater out of its
  own null: its shuffled planted marks would make the null heavy-tailed).
- A flag needs p ≤ ``peer.alpha`` (0.05): in an honest round the chance of *any* pair flag
  (and, separately, any rival flag) is at most 5 %, up to Monte-Carlo error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from analysis.peer import SRMResult, _leave_one_out_partner

_CHUNK = 32


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


def _clipped_mean(mu, s):
    """``E[clip(μ + ε, 0, 100)]``, ``ε ~ N(0, s²)``."""
    lo, hi = (_LO - mu) / s, (_HI - mu) / s
    cl, ch = _cdf(lo), _cdf(hi)
    return mu * (ch - cl) + s * (_pdf(lo) - _pdf(hi)) + _LO * cl + _HI * (1.0 - ch)


def _clipped_var(mu, s):
    """``Var[clip(μ + ε, 0, 100)]``."""
    lo, hi = (_LO - mu) / s, (_HI - mu) / s
    cl, ch, pl, ph = _cdf(lo), _cdf(hi), _pdf(lo), _pdf(hi)
    inside = ch - cl
    ex2 = mu**2 * inside + 2 * mu * s * (pl - ph) + s**2 * (inside + lo * pl - hi * ph)
    ex2 = ex2 + _LO**2 * cl + _HI**2 * (1.0 - ch)
    return np.maximum(ex2 - _clipped_mean(mu, s) ** 2, 0.0)


def _latent_residuals(x: np.ndarray, observed: np.ndarray, start: np.ndarray, iters: int = 8):
    """Relationship residuals of a leniency model that respects the scale's ends.

    Each observed rating is taken as ``clip(m + a_i + b_j + ε, 0, 100)`` with one latent SD
    ``s`` for the round (least squares over a grid), fitted by Gauss–Newton sweeps over the
    rater and target effects from the additive fit ``start``. The residual of a cell is its
    Pearson residual ``(x − E x)/SD x`` times ``s``, its SD floored at ``s/2`` (a cell at
    the ceiling says little either way). A lenient rater's marks for the best agencies,
    pressed against 100, are then what the model expects of it, not a "gap"; a mark far
    below the ceiling that the model puts at it stands out.
    """
    m = float(start[observed].mean())
    a = start.mean(axis=1) - start.mean()
    b = start.mean(axis=0) - start.mean()
    xo = x[observed]
    s = _S_GRID[0]
    for it in range(iters):
        if it in (0, 3, iters - 1):
            mu_o = (m + a[:, None] + b[None, :])[observed]
            sse = ((xo[None, :] - _clipped_mean(mu_o[None, :], _S_GRID[:, None])) ** 2).sum(1)
            s = float(_S_GRID[np.argmin(sse)])
        for axis in (1, 0):
            mu = m + a[:, None] + b[None, :]
            slope = np.where(observed, _cdf((_HI - mu) / s) - _cdf((_LO - mu) / s), 0.0)
            resid = np.where(observed, x - _clipped_mean(mu, s), 0.0)
            step = (slope * resid).sum(axis) / np.maximum((slope**2).sum(axis), 1e-9)
            if axis == 1:
                a = a + step
            else:
                b = b + step
        m, a, b = m + a.mean() + b.mean(), a - a.mean(), b - b.mean()
    mu = m + a[:, None] + b[None, :]
    sd = np.sqrt(np.maximum(_clipped_var(mu, s), 0.25 * s * s))
    out = np.where(observed, (x - _clipped_mean(mu, s)) / sd * s, 0.0)
    np.fill_diagonal(out, 0.0)
    return out, a


def _pair_stat(g: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Standardised dyadic relationship per unordered pair, ``(…, pairs)``: the sum of the
    pair's *observed* relationship effects over its SD for that many cells — ``√(2σ² + 2σ_gg)``
    with both cells, ``σ`` with one, 0 with none (moments over the round). Before, a missing
    cell entered as its imputed ``g ≈ 0`` and halved a colluding pair's mean whenever one of
    its two marks was missing (about one pair in four at 10–19 % missing)."""
    n = g.shape[-1]
    iu, ju = np.triu_indices(n, 1)
    obs = np.broadcast_to(observed, g.shape)
    gij, gji = (
        np.where(obs[..., iu, ju], g[..., iu, ju], 0.0),
        np.where(obs[..., ju, iu], g[..., ju, iu], 0.0),
    )
    both = obs[..., iu, ju] & obs[..., ju, iu]
    count = obs[..., iu, ju].astype(float) + obs[..., ju, iu]
    var = (gij**2 + gji**2).sum(axis=-1, keepdims=True) / np.maximum(
        count.sum(axis=-1, keepdims=True), 1
    )
    cov = np.where(both, gij * gji, 0.0).sum(axis=-1, keepdims=True)
    cov = cov / np.maximum(both.sum(axis=-1, keepdims=True), 1)
    cov = np.clip(cov, -var, var)
    sd = np.sqrt(np.where(both, 2 * var + 2 * cov, var))
    ok = (count > 0) & (sd > 1e-12)
    return np.divide(gij + gji, sd, out=np.zeros(sd.shape), where=ok)


def _top_sets(consensus: np.ndarray, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each rater's consensus top-k targets among those it rated, and the rest."""
    ranked = np.where(mask, consensus, -np.inf)
    kth = -np.sort(-ranked, axis=-1)[..., k - 1]
    top = mask & (consensus >= kth[..., None] - 1e-9)
    return top, mask & ~top


def _top_gap_t(g: np.ndarray, top: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Batched ``top_gap_t`` (see :func:`analysis.peer._top_gap`): pooled-SD t of each rater's
    ``g`` on its ``top`` targets against the ``rest``; ``g``, ``top``, ``rest`` ``(…, n, n)``."""
    n_top, n_rest = top.sum(axis=-1), rest.sum(axis=-1)
    m_top = np.where(top, g, 0.0).sum(axis=-1) / np.maximum(n_top, 1)
    m_rest = np.where(rest, g, 0.0).sum(axis=-1) / np.maximum(n_rest, 1)
    ss = np.where(top, (g - m_top[..., None]) ** 2, 0.0).sum(axis=-1)
    ss += np.where(rest, (g - m_rest[..., None]) ** 2, 0.0).sum(axis=-1)
    df = n_top + n_rest - 2
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
    """``t (…, n)`` minus its Theil–Sen line on the raters' leniency ``(n,)``, then robust
    z across raters: answers bunch at the top of the scale, so a lenient rater's marks for the
    best agencies fall short of the additive model's and its gap is negative without any
    intent. Only what leniency does not explain, and what sets the rater apart from the
    others, counts."""
    iu, ju = np.triu_indices(len(lenient), 1)
    dx = lenient[ju] - lenient[iu]
    use = np.abs(dx) > 1e-12
    if use.any():  # Theil–Sen: a rival's own extreme point cannot tilt the line
        slope = np.median((t[..., ju[use]] - t[..., iu[use]]) / dx[use], axis=-1, keepdims=True)
    else:
        slope = np.zeros(t.shape[:-1] + (1,))
    r = t - slope * lenient
    med = np.median(r, axis=-1, keepdims=True)
    mad = 1.4826 * np.median(np.abs(r - med), axis=-1, keepdims=True)
    return np.divide(r - med, mad, out=np.zeros_like(r), where=mad > 1e-12)


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
    k = max(1, round(top_share * (n - 1)))
    sets = [_top_sets(c, o, k) for _, o, c, _ in mats]  # fixed by the consensus, not shuffled
    latent = [_latent_residuals(g + fit, o, fit) for g, o, _, fit in mats]
    pair_obs = _combine([_pair_stat(g, o) for g, o, _, _ in mats])
    rater_obs = -_combine(
        [
            -_leniency_free(_top_gap_t(h, *split), a)
            for (h, a), split in zip(latent, sets, strict=True)
        ]
    )
    rng = np.random.default_rng(seed)
    off = ~np.eye(n, dtype=bool)
    max_pair, min_rater = [], []
    for start in range(0, permutations, _CHUNK):
        size = min(_CHUNK, permutations - start)
        order = np.argsort(rng.random((size, n, n - 1)), axis=-1)
        pairs_b, raters_b = [], []
        for (g, o, _, _), (top, rest), (h, a) in zip(mats, sets, latent, strict=True):
            perm_g = _shuffle(g, order, off)
            perm_o = o if o[off].all() else _shuffle(o, order, off)  # complete: nothing moves
            pairs_b.append(_pair_stat(perm_g, perm_o))
            raters_b.append(-_leniency_free(_top_gap_t(_shuffle(h, order, off), top, rest), a))
        pairs_b, raters_b = _combine(pairs_b), -_combine(raters_b)
        max_pair.append(np.max(pairs_b, axis=-1))
        min_rater.append(_min_without_each(raters_b))
    max_pair, min_rater = np.concatenate(max_pair), np.concatenate(min_rater)
    b = len(max_pair)
    p_pair = (1 + (max_pair[None, :] >= pair_obs[:, None] - 1e-12).sum(axis=1)) / (1 + b)
    p_rater = (1 + (min_rater <= rater_obs[None, :] + 1e-12).sum(axis=0)) / (1 + b)
    iu, ju = np.triu_indices(n, 1)
    pairs = pd.DataFrame(
        {"a": ids[iu], "b": ids[ju], "statistic": pair_obs, "p_round": p_pair}
    ).assign(flagged=lambda f: f["p_round"] <= alpha)
    raters = pd.DataFrame({"rater": ids, "statistic": rater_obs, "p_round": p_rater})
    raters = raters.assign(flagged=lambda f: f["p_round"] <= alpha)
    pairs = pairs.sort_values("statistic", ascending=False, kind="stable").reset_index(drop=True)
    raters = raters.sort_values("statistic", kind="stable").reset_index(drop=True)
    return pairs, raters


def _shuffle(values: np.ndarray, order: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Each rater's off-diagonal cells permuted over its targets: ``(B, n, n)``."""
    n = len(values)
    out = np.zeros((len(order), n, n), dtype=values.dtype)
    rows = values[off].reshape(n, n - 1)
    out[:, off] = np.take_along_axis(rows[None], order, axis=-1).reshape(len(order), -1)
    return out


def _min_without_each(stats: np.ndarray) -> np.ndarray:
    """``(B, n)``: per shuffle, the minimum over the *other* raters for each rater. A rival's
    own planted marks, shuffled, would otherwise make its null heavy-tailed (a few land in
    its top group by chance) and hide it."""
    order = np.sort(stats, axis=-1)
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
        f"at the threshold {alpha:g} an honest round raises such a flag in at most "
        f"{alpha:.0%} of years, so expect at most {alpha:g} false flags of this kind per round. "
        "Review the ratings before acting."
    )
