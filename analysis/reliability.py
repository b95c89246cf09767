"""Reliability and rater agreement (STATISTICS.md §3).

- Cronbach's α: ``α = k/(k−1)·(1 − Σσ²_i/σ²_X)`` on complete rows (listwise), variances with
  ddof = 1; 95 % CI by Feldt, Woodruff & Salih (1987):
  ``1 − (1−α)·F_{1−γ/2}(n−1, (n−1)(k−1))`` … ``1 − (1−α)·F_{γ/2}(…)``, as pingouin.
- ICC: Shrout & Fleiss (1979) / McGraw & Wong (1996) from the two-way ANOVA mean squares of the
  complete targets × raters table (MSR targets, MSC raters, MSE residual, MSW within target):
  ICC(1,1) ``(MSR−MSW)/(MSR+(k−1)MSW)``, ICC(2,1) ``(MSR−MSE)/(MSR+(k−1)MSE+k(MSC−MSE)/n)``,
  ICC(3,1) ``(MSR−MSE)/(MSR+(k−1)MSE)`` and the "k" forms (reliability of the mean of k
  raters). F-based 95 % CIs; ICC(2,·) uses McGraw & Wong's Satterthwaite df — all as in
  pingouin.intraclass_corr.
- Krippendorff's α (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
  ``α = 1 − (n−1)·Σ o_ck δ²_ck / Σ n_c n_k δ²_ck`` from the coincidence matrix
  ``o_ck = Σ_u (n_uc n_uk − [c=k] n_uc)/(m_u − 1)`` over units with ≥ 2 values; δ² nominal,
  ordinal ``(Σ_{g=c..k} n_g − (n_c+n_k)/2)²``, interval ``(c−k)²``, ratio ``((c−k)/(c+k))²``.
  Input rows are units, columns raters (the ``krippendorff`` package wants raters × units).
- Gwet's AC2 (Gwet 2008/2014; §3.4): ``r*_ik = Σ_l w_kl r_il``; ``p_a`` = mean over units with
  ``r_i ≥ 2`` of ``Σ_k r_ik(r*_ik − 1)/(r_i(r_i − 1))``; ``π_k`` = mean over rated units of
  ``r_ik/r_i``; ``p_e = T_w/(q(q−1))·Σ_k π_k(1−π_k)``; ``AC2 = (p_a − p_e)/(1 − p_e)``. Identity
  weights give AC1. Reported next to α because α collapses when ratings pile on one category.

Thin data (too few rows, items or pairable values) give NaN — with a ``reason`` where the
result is a dataclass — never an exception; malformed input raises ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

ICC_FORMS = ("1,1", "2,1", "3,1", "1,k", "2,k", "3,k")
_LEVELS = ("nominal", "ordinal", "interval", "ratio")
_WEIGHTS = ("identity", "linear", "quadratic")
_NAN = float("nan")


@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's α with its Feldt confidence interval; ``reason`` says why a value is NaN."""

    value: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    reason: str | None = None


@dataclass(frozen=True)
class ICCResult:
    """One Shrout–Fleiss ICC form with its F test and confidence interval."""

    value: float
    ci_low: float
    ci_high: float
    f: float
    df1: float
    df2: float
    p_value: float
    form: str
    n_targets: int
    k_raters: int
    n_dropped: int = 0
    reason: str | None = None


def _matrix(frame, what: str) -> np.ndarray:
    try:
        table = frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a 2-D table") from exc
    if np.ndim(table) != 2:
        raise ValueError(f"{what} must be a 2-D table")
    try:
        return table.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must hold numbers (NaN for missing)") from exc


def _div(num: float, den: float) -> float:
    return float(num / den) if den != 0 and np.isfinite(num) and np.isfinite(den) else _NAN


def cronbach_alpha(frame, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's α; rows are respondents, columns items; incomplete rows are dropped."""
    x = _matrix(frame, "frame")
    x = x[~np.isnan(x).any(axis=1)]
    n, k = x.shape
    if k < 2 or n < 2:
        return AlphaResult(
            _NAN, _NAN, _NAN, n, k, reason=f"needs ≥ 2 items and ≥ 2 complete rows (n={n}, k={k})"
        )
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return AlphaResult(_NAN, _NAN, _NAN, n, k, reason="total score has zero variance")
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return AlphaResult(float(alpha), float(low), float(high), n, k)


def _mean_squares(x: np.ndarray) -> tuple[float, float, float, float]:
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((x - grand) ** 2).sum()
    ss_err = max(ss_total - ss_rows - ss_cols, 0.0)
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_err / ((n - 1) * (k - 1))
    msw = (ss_cols + ss_err) / (n * (k - 1))
    return msr, msc, mse, msw


def _icc_forms(x: np.ndarray, confidence: float) -> dict[str, tuple]:
    """value, ci_low, ci_high, F, df1, df2, p for every form (formulas in module docstring)."""
    n, k = x.shape
    msr, msc, mse, msw = _mean_squares(x)
    q = 1 - (1 - confidence) / 2
    df1, df_w, df_e = n - 1, n * (k - 1), (n - 1) * (k - 1)

    f1 = _div(msr, msw)
    f3 = _div(msr, mse)
    p1 = float(stats.f.sf(f1, df1, df_w)) if np.isfinite(f1) else _NAN
    p3 = float(stats.f.sf(f3, df1, df_e)) if np.isfinite(f3) else _NAN
    icc1 = _div(msr - msw, msr + (k - 1) * msw)
    icc2 = _div(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n)
    icc3 = _div(msr - mse, msr + (k - 1) * mse)
    icc1k = _div(msr - msw, msr)
    icc2k = _div(msr - mse, msr + (msc - mse) / n)
    icc3k = _div(msr - mse, msr)

    f1l = _div(f1, stats.f.ppf(q, df1, df_w))
    f1u = f1 * stats.f.ppf(q, df_w, df1)
    f3l = _div(f3, stats.f.ppf(q, df1, df_e))
    f3u = f3 * stats.f.ppf(q, df_e, df1)
    ci1 = (_div(f1l - 1, f1l + k - 1), _div(f1u - 1, f1u + k - 1))
    ci3 = (_div(f3l - 1, f3l + k - 1), _div(f3u - 1, f3u + k - 1))
    ci1k = (1 - _div(1, f1l), 1 - _div(1, f1u))
    ci3k = (1 - _div(1, f3l), 1 - _div(1, f3u))

    # McGraw & Wong (1996) case 2A: Satterthwaite df for the rater + error mixture.
    fj = _div(msc, mse)
    base = n * (1 + (k - 1) * icc2) - k * icc2
    v = _div(df_e * (k * icc2 * fj + base) ** 2, df1 * k**2 * icc2**2 * fj**2 + base**2)
    if np.isfinite(v) and v > 0:
        f2u, f2l = stats.f.ppf(q, df1, v), stats.f.ppf(q, v, df1)
        spread = k * msc + (k * n - k - n) * mse
        l2 = _div(n * (msr - f2u * mse), f2u * spread + n * msr)
        u2 = _div(n * (f2l * msr - mse), spread + n * f2l * msr)
    else:
        l2 = u2 = _NAN
    ci2 = (l2, u2)
    ci2k = (_div(l2 * k, 1 + l2 * (k - 1)), _div(u2 * k, 1 + u2 * (k - 1)))

    test1, test3 = (f1, df1, df_w, p1), (f3, df1, df_e, p3)
    return {
        "1,1": (icc1, *ci1, *test1),
        "2,1": (icc2, *ci2, *test3),
        "3,1": (icc3, *ci3, *test3),
        "1,k": (icc1k, *ci1k, *test1),
        "2,k": (icc2k, *ci2k, *test3),
        "3,k": (icc3k, *ci3k, *test3),
    }


def _complete_targets(frame) -> tuple[np.ndarray, int]:
    x = _matrix(frame, "frame")
    keep = ~np.isnan(x).any(axis=1)
    return x[keep], int((~keep).sum())


def icc(frame, form: str, confidence: float = 0.95) -> ICCResult:
    """Shrout–Fleiss ICC; rows targets, columns raters; incomplete target rows are dropped."""
    key = str(form).replace(" ", "")
    if key not in ICC_FORMS:
        raise ValueError(f"unknown ICC form {form!r}; valid forms: {', '.join(ICC_FORMS)}")
    x, dropped = _complete_targets(frame)
    n, k = x.shape
    if n < 2 or k < 2:
        reason = f"needs ≥ 2 complete targets and ≥ 2 raters (n={n}, k={k})"
        return ICCResult(
            *(_NAN,) * 7, form=key, n_targets=n, k_raters=k, n_dropped=dropped, reason=reason
        )
    value, low, high, f, df1, df2, p = _icc_forms(x, confidence)[key]
    reason = None if np.isfinite(value) else "no variance between or within targets"
    return ICCResult(
        float(value), float(low), float(high), float(f), float(df1), float(df2), float(p),
        form=key, n_targets=n, k_raters=k, n_dropped=dropped, reason=reason,
    )  # fmt: skip


def icc_table(frame, confidence: float = 0.95) -> pd.DataFrame:
    """All six ICC forms, one row each (index ``form``), columns as the ICCResult fields."""
    rows = [icc(frame, form, confidence) for form in ICC_FORMS]
    table = pd.DataFrame([r.__dict__ for r in rows]).set_index("form")
    return table


def _pairable(frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values of units with ≥ 2 ratings, their unit index and the per-unit counts m_u."""
    x = _matrix(frame, "frame")
    mask = ~np.isnan(x)
    m = mask.sum(axis=1)
    keep = m >= 2
    x, mask, m = x[keep], mask[keep], m[keep]
    unit = np.broadcast_to(np.arange(len(x))[:, None], x.shape)[mask]
    return x[mask], unit, m


def _delta2(values: np.ndarray, marginals: np.ndarray, level: str) -> np.ndarray:
    c, k = values[:, None], values[None, :]
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        total = c + k
        return np.divide((c - k) ** 2, total**2, out=np.zeros((len(values),) * 2), where=total != 0)
    cum = np.concatenate([[0.0], np.cumsum(marginals)])
    idx = np.arange(len(values))
    lo, hi = np.minimum.outer(idx, idx), np.maximum.outer(idx, idx)
    between = cum[hi + 1] - cum[lo]
    return (between - (marginals[lo] + marginals[hi]) / 2) ** 2


def krippendorff_alpha(frame, level: str = "interval") -> float:
    """Krippendorff's α; rows are units, columns raters, NaN missing. NaN if undefined."""
    if level not in _LEVELS:
        raise ValueError(f"unknown level {level!r}; valid levels: {', '.join(_LEVELS)}")
    vals, unit, m = _pairable(frame)
    if len(m) == 0:
        return _NAN
    values, code = np.unique(vals, return_inverse=True)
    counts = sparse.csr_matrix(
        (np.ones(len(vals)), (unit, code)), shape=(len(m), len(values))
    )  # n_uv
    inv = 1.0 / (m - 1)
    o = (counts.T @ sparse.diags(inv) @ counts).toarray()
    o -= np.diag(counts.T @ inv)
    n_c = o.sum(axis=1)
    n_total = n_c.sum()
    d2 = _delta2(values, n_c, level)
    expected = n_c @ d2 @ n_c
    if expected <= 0:
        return _NAN
    return float(1 - (n_total - 1) * (o * d2).sum() / expected)


def _agreement_weights(categories: np.ndarray, weights: str) -> np.ndarray:
    q = len(categories)
    if weights == "identity":
        return np.eye(q)
    span = categories.max() - categories.min()
    dist = np.abs(categories[:, None] - categories[None, :]) / span
    return 1 - dist if weights == "linear" else 1 - dist**2


def gwet_ac2(frame, weights: str = "quadratic", categories=None) -> float:
    """Gwet's AC2 (AC1 with ``weights="identity"``); rows units, columns raters, NaN missing.

    ``categories`` lists every possible rating (it fixes q and the weight span); by default
    the observed values. NaN when fewer than two categories or no unit has two ratings.
    """
    if weights not in _WEIGHTS:
        raise ValueError(f"unknown weights {weights!r}; valid: {', '.join(_WEIGHTS)}")
    x = _matrix(frame, "frame")
    mask = ~np.isnan(x)
    observed = np.unique(x[mask])
    cats = observed if categories is None else np.unique(np.asarray(categories, dtype=float))
    if not np.isin(observed, cats).all():
        extra = observed[~np.isin(observed, cats)]
        raise ValueError(f"ratings {extra.tolist()} are not among categories {cats.tolist()}")
    q = len(cats)
    if q < 2:
        return _NAN
    r_ik = np.zeros((len(x), q))
    unit = np.broadcast_to(np.arange(len(x))[:, None], x.shape)[mask]
    np.add.at(r_ik, (unit, np.searchsorted(cats, x[mask])), 1.0)
    r_i = r_ik.sum(axis=1)
    w = _agreement_weights(cats, weights)
    pairs = r_i >= 2
    if not pairs.any():
        return _NAN
    r_star = r_ik @ w.T
    p_a = ((r_ik * (r_star - 1)).sum(axis=1)[pairs] / (r_i * (r_i - 1))[pairs]).mean()
    rated = r_i >= 1
    pi = (r_ik[rated] / r_i[rated, None]).mean(axis=0)
    p_e = w.sum() / (q * (q - 1)) * (pi * (1 - pi)).sum()
    return _div(p_a - p_e, 1 - p_e)
