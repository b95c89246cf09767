"""Round-wise calibrated manipulation flags (max-T over pairs and raters by shuffling the
round, one combined test over the dimensions)."""

import numpy as np
import pandas as pd
import pytest

from analysis.detection import _combine, _leniency_free, round_tests, sentence
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
    z = _leniency_free(t, lenient)
    assert np.argmin(z) == 5 and z[5] < -20  # residuals of the others are ≈ ±0.1
    assert np.abs(np.delete(z, 5)).max() < 2.5


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
    assert "probability 0.012" in text and "at most 5% of years" in text
    assert "0.05 false flags" in text


def test_clipped_normal_moments_match_integration():
    from scipy import integrate, stats

    from analysis.detection import _clipped_mean, _clipped_var

    for mu, s in [(95.0, 8.0), (50.0, 10.0), (3.0, 6.0), (110.0, 15.0)]:
        dens = stats.norm(mu, s).pdf
        inside = integrate.quad(lambda x, f=dens: x * f(x), 0, 100)[0]
        inside2 = integrate.quad(lambda x, f=dens: x * x * f(x), 0, 100)[0]
        top = stats.norm(mu, s).sf(100)
        mean = inside + 100 * top
        var = inside2 + 100**2 * top - mean**2
        assert _clipped_mean(np.array(mu), s) == pytest.approx(mean, rel=1e-9)
        assert _clipped_var(np.array(mu), s) == pytest.approx(var, rel=1e-7)


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
