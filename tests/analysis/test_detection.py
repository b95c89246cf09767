"""Round-wise calibrated manipulation flags (max-T over pairs and raters by shuffling the
round, one combined test over the dimensions)."""

import numpy as np
import pandas as pd
import pytest

from analysis.detection import _combine, _leniency_free, _top_gap_t, round_tests, sentence
from analysis.peer import srm


def round_robin(rng, n=25, pair=None, rival=None, shift=15.0, dims=2):
    """Normal round robins (one per dimension) with optional planted manipulation."""
    a, b = rng.normal(0, 4, n), rng.normal(0, 5, n)
    out = []
    for _ in range(dims):
        x = 60 + a[:, None] + b[None, :] + rng.normal(0, 4, (n, n))
        if pair is not None:
            i, j = pair
            x[i, j] += shift
            x[j, i] += shift
        if rival is not None:
            best = [k for k in np.argsort(-b) if k != rival][:5]
            x[rival, best] -= shift
        r, t = np.nonzero(~np.eye(n, dtype=bool))
        out.append(srm(pd.DataFrame({"rater": r, "target": t, "score": x[r, t]})))
    return out


def test_combine_takes_the_sum_or_the_largest_dimension():
    z = [np.array([2.0, 3.0, -1.0]), np.array([2.0, 0.0, -1.0])]
    # sums/√2 = 2.83, 2.12, −1.41; largest single = 2, 3, −1.
    np.testing.assert_allclose(_combine(z), [4 / np.sqrt(2), 3.0, -1.0])


def test_leniency_line_is_robust_to_the_rival_itself():
    # Gap falls with leniency (slope −1) for everyone but rater 5, the rival, far below.
    lenient = np.arange(10.0)
    t = -lenient + np.array([0, 0.1, -0.1, 0.05, -0.05, -6, 0.1, -0.1, 0.0, 0.05])
    r = _leniency_free(t, lenient)
    # The Theil–Sen slope is the others' (−1, within their ±0.1 wobble), not pulled by rater 5:
    # a least-squares line through all ten would leave rater 5 at −5.3 and the others ±0.8.
    assert np.argmin(r) == 5 and r[5] < -5.7
    assert np.abs(np.delete(r, 5)).max() < 0.35


def test_a_planted_pair_and_rival_are_flagged_with_their_round_p():
    rng = np.random.default_rng(1)
    pairs, raters = round_tests(
        round_robin(rng, pair=(3, 7), rival=11), alpha=0.05, permutations=199, seed=0
    )
    top = pairs.iloc[0]
    assert {top["a"], top["b"]} == {3, 7} and top["flagged"]
    assert top["p_round"] == pytest.approx(1 / 200)
    assert raters.iloc[0]["rater"] == 11 and raters.iloc[0]["flagged"]
    assert pairs["flagged"].sum() == 1


def test_honest_rounds_rarely_raise_any_flag():
    rng = np.random.default_rng(2)
    pair_rounds = rival_rounds = 0
    for _ in range(40):
        pairs, raters = round_tests(round_robin(rng), alpha=0.05, permutations=99, seed=1)
        pair_rounds += bool(pairs["flagged"].any())
        rival_rounds += bool(raters["flagged"].any())
    # At most 5 % of rounds by design; 40 rounds: ≤ 5 flags keeps P(fail) < 1 %.
    assert pair_rounds <= 5 and rival_rounds <= 5


def test_no_shuffles_means_no_round_tests():
    rng = np.random.default_rng(3)
    pairs, raters = round_tests(round_robin(rng), alpha=0.05, permutations=0, seed=0)
    assert pairs.empty and raters.empty


def test_the_sentence_gives_the_round_p_and_the_false_flag_rate():
    text = sentence("pair", "agencies A and B", 0.012, 0.05, 199)
    assert "probability 0.012" in text and "in at most about 5% of years" in text
    assert "0.05 false flags" in text


def test_clipped_normal_moments_match_integration():
    from scipy import integrate, stats

    from analysis.detection import _clipped_moments

    for mu, s in [(95.0, 8.0), (50.0, 10.0), (3.0, 6.0), (110.0, 15.0)]:
        dens = stats.norm(mu, s).pdf
        inside = integrate.quad(lambda x, f=dens: x * f(x), 0, 100)[0]
        inside2 = integrate.quad(lambda x, f=dens: x * x * f(x), 0, 100)[0]
        top = stats.norm(mu, s).sf(100)
        mean = inside + 100 * top
        var = inside2 + 100**2 * top - mean**2
        got_mean, got_var = _clipped_moments(np.array(mu), s, var=True)
        assert got_mean == pytest.approx(mean, rel=1e-9)
        assert got_var == pytest.approx(var, rel=1e-7)
        # The slope dE/dμ is the chance of landing inside (0, 100): check by differences.
        up, _ = _clipped_moments(np.array(mu + 1e-4), s)
        down, slope = _clipped_moments(np.array(mu - 1e-4), s)
        assert (up - down) / 2e-4 == pytest.approx(_clipped_moments(np.array(mu), s)[1], rel=1e-6)


def test_pair_statistic_uses_only_the_observed_cells():
    from analysis.detection import _pair_stat

    # 4 agencies; pair (0, 1) has both cells, pair (0, 2) only 0→2, pair (2, 3) none.
    g = np.zeros((4, 4))
    g[0, 1], g[1, 0], g[0, 2], g[2, 0] = 3.0, 1.0, 2.0, 9.0
    g[1, 2], g[2, 1], g[0, 3], g[3, 0], g[1, 3], g[3, 1] = -1.0, -2.0, -1.0, 1.0, 0.0, -2.0
    obs = ~np.eye(4, dtype=bool)
    obs[2, 0] = obs[2, 3] = obs[3, 2] = False
    z = _pair_stat(g, obs)  # pairs in order (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
    cells = [3.0, 1.0, 2.0, -1.0, -2.0, -1.0, 1.0, 0.0, -2.0]
    var = np.mean(np.square(cells))  # σ² over the 9 observed cells
    cov = np.mean([3.0 * 1.0, -1.0 * -2.0, -1.0 * 1.0, 0.0 * -2.0])  # the 4 complete dyads
    both = np.sqrt(2 * var + 2 * cov)
    np.testing.assert_allclose(z, [4 / both, 2 / np.sqrt(var), 0 / both, -3 / both, -2 / both, 0.0])


def test_the_latent_fit_expects_a_lenient_raters_marks_at_the_ceiling():
    from analysis.detection import _latent_residuals

    # Ratings clip(m + a_i + b_j + ε, 0, 100): rater 0 is so lenient that it gives the best
    # agencies 100. The additive residuals of its best targets are strongly negative; the
    # latent model's are not.
    rng = np.random.default_rng(4)
    n = 30
    a = rng.normal(0, 3, n)
    a[0] = 25.0
    b = np.linspace(-15, 15, n)
    x = np.clip(75 + a[:, None] + b[None, :] + rng.normal(0, 4, (n, n)), 0, 100)
    obs = ~np.eye(n, dtype=bool)
    x[~obs] = 0.0
    row = np.where(obs, x, 0).sum(1) / (n - 1)
    col = np.where(obs, x, 0).sum(0) / (n - 1)
    start = row[:, None] + col[None, :] - row.mean()
    additive = np.where(obs, x - start, 0.0)
    latent, lenient = _latent_residuals(x, obs, start)
    best = np.arange(n - 8, n)
    assert additive[0, best].mean() < -4
    assert abs(latent[0, best].mean()) < 1.5
    assert lenient[0] > 20  # the latent leniency is not pulled down by the ceiling


def _rounds_with_gaps(rng, n=14, missing=0.15):
    """Two dimensions of one round robin with the same missing cells (clipped at 100)."""
    a, b = rng.normal(0, 6, n), rng.normal(0, 8, n)
    keep = ~np.eye(n, dtype=bool) & (rng.random((n, n)) >= missing)
    r, t = np.nonzero(keep)
    out = []
    for _ in range(2):
        x = np.clip(80 + a[:, None] + b[None, :] + rng.normal(0, 6, (n, n)), 0, 100)
        frame = pd.DataFrame({"rater": r, "target": t, "score": x[r, t]})
        out.append(srm(frame, max_missing=0.25))
    return out


def _reference_round_tests(results, permutations, seed, top_share=0.2):
    """Shuffles one (n, n) matrix at a time per dimension, as the code did before its
    vectorised gathers, and studentises each rater's top gaps in a plain loop (the observed
    round as one of the B + 1): the p-values must be the same."""
    from analysis.detection import (
        _latent_residuals,
        _matrices,
        _min_without_each,
        _pair_stat,
        _top_gap_t,
        _top_sets,
    )

    ids = results[0].target_effects.index
    n = len(ids)
    mats = [_matrices(r, ids) for r in results]
    sizes = sorted({max(1, round(f * top_share * (n - 1))) for f in (0.4, 0.7, 1.0)})
    sets = [[_top_sets(c, o, k) for k in sizes] for _, o, c, _ in mats]
    latent = [_latent_residuals(g + fit, o, fit) for g, o, _, fit in mats]
    pair_obs = _combine([_pair_stat(g, o) for g, o, _, _ in mats])
    rng = np.random.default_rng(seed)
    off = ~np.eye(n, dtype=bool)
    rated = np.logical_or.reduce([o for _, o, _, _ in mats])
    draws = rng.random((permutations, n, n - 1))
    max_pair, min_rater = [], []
    for draw in draws:

        def shuffle(values, draw=draw):
            """Each rater's marks permuted over the targets it rated; the rest stay."""
            out = values.copy()
            for i in range(n):
                cells = np.flatnonzero(off[i])
                mine = np.flatnonzero(rated[i, cells])  # positions among the n − 1
                order = mine[np.argsort(draw[i, mine])]
                out[i, cells[mine]] = values[i, cells[order]]
            return out

        pairs = [_pair_stat(shuffle(g), shuffle(o)) for g, o, _, _ in mats]
        max_pair.append(_combine(pairs).max())
        min_rater.append(
            [
                [_top_gap_t(shuffle(h), *st) for st in d]
                for (h, _), d in zip(latent, sets, strict=True)
            ]
        )
    null = np.array(min_rater)  # (B, dimensions, sizes, n)
    obs_d, null_d = [], []
    for d, (h, a) in enumerate(latent):
        z_obs, z_null = np.empty((len(sizes), n)), np.empty((len(sizes), permutations, n))
        for s, st in enumerate(sets[d]):
            free = _leniency_free(_top_gap_t(h, *st), a)
            for i in range(n):
                every = np.concatenate([[free[i]], null[:, d, s, i]])  # observed + shuffles
                sd = every.std() if every.std() > 1e-12 else 1.0
                z_obs[s, i] = (free[i] - every.mean()) / sd
                z_null[s, :, i] = (every[1:] - every.mean()) / sd
            z_obs[s] -= np.median(z_obs[s])
            for b in range(permutations):
                z_null[s, b] -= np.median(z_null[s, b])
        obs_d.append(z_obs.min(axis=0))
        null_d.append(z_null.min(axis=0))
    rater_obs = -_combine([-z for z in obs_d])
    max_pair, min_rater = np.array(max_pair), _min_without_each(-_combine([-z for z in null_d]))
    p_pair = (1 + (max_pair[None, :] >= pair_obs[:, None] - 1e-12).sum(axis=1)) / (1 + permutations)
    p_rater = (1 + (min_rater <= rater_obs[None, :] + 1e-12).sum(axis=0)) / (1 + permutations)
    return p_pair, p_rater


def test_vectorised_shuffles_give_the_reference_p_values(monkeypatch):
    import analysis.detection as detection

    rng = np.random.default_rng(5)
    results = _rounds_with_gaps(rng)
    p_pair, p_rater = _reference_round_tests(results, permutations=59, seed=3)
    for cells in (10**6, 500):  # all shuffles in one batch, and three shuffles per batch
        monkeypatch.setattr(detection, "_CELLS", cells)
        pairs, raters = round_tests(results, alpha=0.05, permutations=59, seed=3)
        n = results[0].n_agencies
        iu, ju = np.triu_indices(n, 1)
        got = pairs.set_index(["a", "b"])["p_round"].reindex(list(zip(iu, ju, strict=True)))
        np.testing.assert_array_equal(got.to_numpy(), p_pair)
        np.testing.assert_array_equal(raters.set_index("rater")["p_round"].sort_index(), p_rater)
    assert len(set(p_pair)) > 2 and len(set(p_rater)) > 3  # not all 1: the test can fail


def _reference_latent(x, observed, start, iters=8):
    """The previous latent fit (whole-matrix sweeps, ``s`` over the whole grid)."""
    from analysis.detection import _S_GRID, _cdf, _clipped_moments

    m = float(start[observed].mean())
    a = start.mean(axis=1) - start.mean()
    b = start.mean(axis=0) - start.mean()
    xo = x[observed]
    s = _S_GRID[0]
    for it in range(iters):
        if it in (0, 3, iters - 1):
            mu_o = (m + a[:, None] + b[None, :])[observed]
            sse = [((xo - _clipped_moments(mu_o, v)[0]) ** 2).sum() for v in _S_GRID]
            s = float(_S_GRID[np.argmin(sse)])
        for axis in (1, 0):
            mu = m + a[:, None] + b[None, :]
            slope = np.where(observed, _cdf((100 - mu) / s) - _cdf(-mu / s), 0.0)
            resid = np.where(observed, x - _clipped_moments(mu, s)[0], 0.0)
            step = (slope * resid).sum(axis) / np.maximum((slope**2).sum(axis), 1e-9)
            if axis == 1:
                a = a + step
            else:
                b = b + step
        m, a, b = m + a.mean() + b.mean(), a - a.mean(), b - b.mean()
    mu = m + a[:, None] + b[None, :]
    mean, var = _clipped_moments(mu, s, var=True)
    out = np.where(observed, (x - mean) / np.sqrt(np.maximum(var, 0.25 * s * s)) * s, 0.0)
    np.fill_diagonal(out, 0.0)
    return out, a


@pytest.mark.parametrize(
    ("centre", "spread", "missing"), [(80, 6, 0.15), (92, 4, 0.0), (50, 25, 0.1)]
)
def test_latent_fit_matches_the_whole_grid_fit(centre, spread, missing):
    from analysis.detection import _latent_residuals

    rng = np.random.default_rng(int(centre))
    n = 30
    a, b = rng.normal(0, 5, n), rng.normal(0, 8, n)
    x = np.clip(centre + a[:, None] + b[None, :] + rng.normal(0, spread, (n, n)), 0, 100)
    obs = ~np.eye(n, dtype=bool) & (rng.random((n, n)) >= missing)
    x = np.where(obs, x, 0.0)
    row = np.where(obs, x, 0).sum(1) / obs.sum(1)
    col = np.where(obs, x, 0).sum(0) / obs.sum(0)
    start = row[:, None] + col[None, :] - row.mean()
    got, lenient = _latent_residuals(x, obs, start)
    want, want_lenient = _reference_latent(x, obs, start)
    np.testing.assert_allclose(got, want, atol=1e-9)
    np.testing.assert_allclose(lenient, want_lenient, atol=1e-9)


def test_pair_statistic_of_a_complete_round_by_hand():
    from analysis.detection import _pair_stat

    # 3 agencies, every cell rated: pairs (0,1) (0,2) (1,2) with cells (3, 1), (2, −1), (0, −2).
    g = np.array([[0.0, 3.0, 2.0], [1.0, 0.0, 0.0], [-1.0, -2.0, 0.0]])
    var = (9 + 1 + 4 + 1 + 0 + 4) / 6  # σ² over the 6 cells
    cov = (3 * 1 + 2 * -1 + 0 * -2) / 3  # σ_gg' over the 3 dyads
    sd = np.sqrt(2 * var + 2 * cov)
    np.testing.assert_allclose(_pair_stat(g, ~np.eye(3, dtype=bool)), [4 / sd, 1 / sd, -2 / sd])


def test_rival_scores_treat_the_observed_round_as_one_of_the_shuffles():
    from analysis.detection import _rival_scores

    # Four shuffles, three raters; the observed round is the fifth row of every rater's
    # reference: mean and SD (ddof 0) over the five values, then each round centred on its
    # raters' median, then each rater's lower size.
    null = np.array([[1.0, 1, 2], [-1, -1, -2], [1, 1, 2], [-1, -1, -2]])
    lenient = np.zeros(3)  # no leniency line to take out
    obs, shuffled = _rival_scores(
        [np.array([-3.0, 0.0, 2.0]), np.array([0.0, -4.0, 0.0])], [null, null], lenient
    )
    # Size 1: rater 0 takes −3, 1, −1, 1, −1: mean −0.6, variance 2.6 − 0.36 = 2.24;
    # rater 1 takes 0, ±1: mean 0, variance 0.8; rater 2 takes 2, 2, −2, 2, −2: mean 0.4,
    # variance 4 − 0.16 = 3.84. Observed z (−2.4/√2.24, 0, 1.6/√3.84), median 0.
    # Size 2: rater 0 takes 0, ±1: mean 0, variance 0.8; rater 1 takes −4, ±1: mean −0.8,
    # variance 4 − 0.64 = 3.36; rater 2 takes 0, ±2: variance 3.2. Observed z
    # (0, −3.2/√3.36, 0), median 0.
    size1 = np.array([-2.4 / np.sqrt(2.24), 0.0, 1.6 / np.sqrt(3.84)])
    size2 = np.array([0.0, -3.2 / np.sqrt(3.36), 0.0])
    np.testing.assert_allclose(obs, np.minimum(size1, size2))
    # First shuffle, size 1: ((1 + 0.6)/√2.24, 1/√0.8, 1.6/√3.84) − its median 1.6/√3.84;
    # size 2: (1/√0.8, 1.8/√3.36, 2/√3.2) − its median 1/√0.8.
    first1 = np.array([1.6 / np.sqrt(2.24), 1 / np.sqrt(0.8), 1.6 / np.sqrt(3.84)])
    first2 = np.array([1 / np.sqrt(0.8), 1.8 / np.sqrt(3.36), 2 / np.sqrt(3.2)])
    np.testing.assert_allclose(
        shuffled[0], np.minimum(first1 - np.median(first1), first2 - np.median(first2))
    )
    assert shuffled.shape == (4, 3)


def test_top_gap_is_scaled_by_the_rest_alone():
    # A rater marks two of its three top targets 15 down; the rest scatter ±1–2. Gap −10 over
    # the rest's SD √(10/3) = 1.826 × √(1/3 + 1/4): t = −7.17. With the pooled SD (the top
    # group's own spread, 150 of 160 of the squares, included) it was −2.31.
    g = np.array([[0.0, -15, -15, 0, 1, -1, 2, -2]])
    top = np.array([[False, True, True, True, False, False, False, False]])
    rest = np.array([[False, False, False, False, True, True, True, True]])
    t = _top_gap_t(g, top, rest)
    assert t[0] == pytest.approx(-10 / (np.sqrt(10 / 3) * np.sqrt(1 / 3 + 1 / 4)), rel=1e-12)
    assert t[0] == pytest.approx(-7.171, abs=1e-3)
