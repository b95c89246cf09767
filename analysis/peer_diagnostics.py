"""Manipulation diagnostics on a Social Relations Model result (STATISTICS.md §4.1).

- Collusion pairs: dyadic relationship ``e_ij = (g_ij + g_ji)/2`` per unordered pair,
  ``z_ij = e_ij / sd(e)`` (sd over all unordered pairs, ddof = 1); flag ``z > 3``. In 100
  simulated 30-agency rounds (relationship sd 3) two planted +12 pairs were the top two and
  flagged in 98. The cut-off is per pair, not per round: with 435 honest pairs about 0.6
  pass it by chance (a flag in 46 % of honest rounds), so a flag means "review", and a
  round-wise guard needs ``threshold`` ≈ 3.9 (Bonferroni over n(n−1)/2 pairs).
- Rings: graph of dyads with ``z > 2``; maximal cliques of at least ``min_size`` (networkx).
  The count of such "mutual-high" dyads is compared with a permutation null that shuffles each
  rater's relationship effects over its targets. That keeps every rater's distribution but
  breaks who-rates-whom pairing, so the null says how many mutual-high dyads chance pairing
  gives. The cut-off stays the observed ``z · sd(e)``; with re-standardised z the null would
  measure tail shape rather than reciprocity. ``p = (1 + #{null ≥ observed})/(1 + B)``.
- Rival down-rating (Huang, Shum, Wu & Xiao, arXiv 1908.01718): ``consensus_corr`` of each
  rater's ``g_i·`` with the leave-that-agency-out consensus partner effects; flag robust
  z < −3 (median/MAD across raters, computed in :func:`analysis.peer.srm`). A correlation
  over all targets is diluted when only the best few are hit: for "top 5 of 29 rated −15"
  it cannot get much below −0.7 while honest raters scatter with sd ≈ 1/√(n−3), so its z
  hovers around −3: in 200 simulated 30-agency rounds (relationship sd 4) it caught the
  planted rater 43 % of the time. The rater is therefore also flagged on ``top_gap_t``, the
  pooled-SD t of its ``g`` on its leave-out consensus top group (``top_share`` = 20 % of the
  others) against the rest; ``top_gap`` gives the same in score points, for the report.
  Same simulation: caught 99.5 %; false alarms per honest rater 0.27 % (correlation) and
  0.45 % (gap), i.e. about one flag per five honest 30-agency rounds — a review flag.
- Leniency outliers: ``|robust z of a_i| > 3``; correct via the SRM rather than discard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # runtime import would be circular: analysis.peer re-exports this module
    from analysis.peer import SRMResult

_CELLS = 1_000_000  # shuffled cells per batch (8 MB per array); the draws do not depend on it


@dataclass(frozen=True)
class CliqueResult:
    """Mutual-high cliques and how unusual the number of mutual-high dyads is."""

    cliques: list[list]
    n_mutual_high_edges: int
    null_mean: float
    null_p: float
    threshold: float
    n_permutations: int


def _relationship_matrix(result: SRMResult) -> tuple[np.ndarray, pd.Index]:
    ids = result.target_effects.index
    rel = result.relationship
    g = np.zeros((len(ids), len(ids)))
    g[ids.get_indexer(rel["rater"]), ids.get_indexer(rel["target"])] = rel["g"].to_numpy()
    return g, ids


def _dyads(result: SRMResult) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    g, _ = _relationship_matrix(result)
    iu, ju = np.triu_indices(len(g), 1)
    e = (g[iu, ju] + g[ju, iu]) / 2
    sd = float(e.std(ddof=1)) if len(e) > 1 else 0.0
    return g, iu, ju, e, sd


def reciprocity_pairs(
    result: SRMResult, top: int | None = 10, threshold: float = 3.0
) -> pd.DataFrame:
    """Unordered pairs by dyadic relationship z, highest first (``top=None``: all pairs).

    Columns ``a``, ``b``, ``g_ab``, ``g_ba``, ``e_ab``, ``z``, ``flagged`` (z > threshold).
    """
    g, iu, ju, e, sd = _dyads(result)
    ids = result.target_effects.index
    z = e / sd if sd > 0 else np.full(len(e), np.nan)
    pairs = pd.DataFrame(
        {
            "a": ids[iu],
            "b": ids[ju],
            "g_ab": g[iu, ju],
            "g_ba": g[ju, iu],
            "e_ab": e,
            "z": z,
            "flagged": z > threshold,
        }
    )
    pairs = pairs.sort_values("z", ascending=False, kind="stable").reset_index(drop=True)
    return pairs if top is None else pairs.head(top)


def mutual_high_cliques(
    result: SRMResult,
    z: float = 2.0,
    min_size: int = 3,
    *,
    n_permutations: int = 499,
    seed: int = 0,
) -> CliqueResult:
    """Cliques of agencies whose every pair has dyadic z above ``z``, plus a permutation null."""
    g, iu, ju, e, sd = _dyads(result)
    ids = result.target_effects.index
    n = len(ids)
    cutoff = z * sd
    high = e > cutoff if sd > 0 else np.zeros(len(e), dtype=bool)

    graph = nx.Graph()
    graph.add_edges_from(zip(iu[high].tolist(), ju[high].tolist(), strict=True))
    cliques = sorted(
        (sorted(c) for c in nx.find_cliques(graph) if len(c) >= min_size),
        key=lambda c: (-len(c), c),
    )

    null = np.zeros(0)
    if sd > 0 and n_permutations > 0:
        rng = np.random.default_rng(seed)
        rows = g[~np.eye(n, dtype=bool)]  # each rater's n − 1 cells, row-major
        # Cells (i, j) and (j, i) of each pair among those positions; a shuffle's value at a
        # position is read from ``src`` (only the pairs' cells, not whole matrices).
        up, low = iu * (n - 1) + ju - 1, ju * (n - 1) + iu
        first = (np.arange(n) * (n - 1))[:, None]
        chunk = max(1, _CELLS // (n * (n - 1)))
        counts = []
        for start in range(0, n_permutations, chunk):
            size = min(chunk, n_permutations - start)
            src = (np.argsort(rng.random((size, n, n - 1)), axis=-1) + first).reshape(size, -1)
            e_null = (rows[src[:, up]] + rows[src[:, low]]) / 2
            counts.append((e_null > cutoff).sum(axis=1))
        null = np.concatenate(counts)
    n_high = int(high.sum())
    return CliqueResult(
        cliques=[ids[c].tolist() for c in cliques],
        n_mutual_high_edges=n_high,
        null_mean=float(null.mean()) if len(null) else float("nan"),
        null_p=float((1 + (null >= n_high).sum()) / (1 + len(null))) if len(null) else float("nan"),
        threshold=z,
        n_permutations=len(null),
    )


def rival_raters(
    result: SRMResult, threshold: float = -3.0, *, use_top_gap: bool = True
) -> pd.DataFrame:
    """Raters who rate against the consensus: ``rival_z`` or ``top_gap_t`` below ``threshold``.

    ``reason`` names the statistic(s) that fired; most extreme first. ``use_top_gap=False``
    restricts the check to the correlation statistic alone.
    """
    raters = result.rater_effects
    by_corr = (raters["rival_z"] < threshold).to_numpy()
    by_gap = (raters["top_gap_t"] < threshold).to_numpy() & use_top_gap
    reason = np.where(
        by_corr & by_gap, "consensus_corr+top_gap", np.where(by_corr, "consensus_corr", "top_gap")
    )
    out = raters.assign(reason=reason)[by_corr | by_gap]
    worst = np.fmin(out["rival_z"].to_numpy(), out["top_gap_t"].to_numpy())
    return out.iloc[np.argsort(worst, kind="stable")]


def leniency_outliers(result: SRMResult, threshold: float = 3.0) -> pd.DataFrame:
    """Raters with ``|robust z of leniency a_i| > threshold``, most extreme first."""
    raters = result.rater_effects
    out = raters[raters["robust_z"].abs() > threshold]
    return out.iloc[np.argsort(-out["robust_z"].abs().to_numpy(), kind="stable")]
