"""A synthetic evaluation year, for tests, the benchmark and demos (vectorised; no real data).

``synthetic_year`` returns ``(responses, items, agencies, truth)`` in the shapes
:func:`analysis.evaluate` takes: public responses spread unevenly over agencies (some below the
minimum n), a deputy panel and grassroots units that each rate a subset of agencies, and a
full peer round robin with rater leniency. Options plant a colluding pair, a rival
down-rater, speeders and an hourly burst, so the detectors can be checked against known truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

EFFECTIVENESS_ITEMS = ("e1", "e2", "e3", "e4", "e5")
COOPERATION_ITEMS = ("c1", "c2", "c3", "c4")
ASKED = {
    "public": EFFECTIVENESS_ITEMS,
    "deputy": EFFECTIVENESS_ITEMS,
    "grassroots": EFFECTIVENESS_ITEMS + COOPERATION_ITEMS,
    "peer": EFFECTIVENESS_ITEMS + COOPERATION_ITEMS,
}


@dataclass(frozen=True)
class Truth:
    """What was planted: true agency quality and the manipulations."""

    effectiveness: pd.Series
    cooperation: pd.Series
    colluding_pair: tuple | None
    rival: object | None
    burst_agency: object | None


def items_table() -> pd.DataFrame:
    ids = EFFECTIVENESS_ITEMS + COOPERATION_ITEMS
    return pd.DataFrame(
        {
            "item_id": ids,
            "dimension": ["成效度"] * len(EFFECTIVENESS_ITEMS)
            + ["配合度"] * len(COOPERATION_ITEMS),
            "scale": "likert5",
        }
    )


def _answers(rng, latent: np.ndarray, group: str, dont_know: float) -> dict[str, np.ndarray]:
    """Likert 1–5 answers around ``latent`` (n, 2: effectiveness, cooperation)."""
    n = len(latent)
    out = {}
    for item in EFFECTIVENESS_ITEMS + COOPERATION_ITEMS:
        if item not in ASKED[group]:
            out[item] = np.full(n, np.nan)
            continue
        d = 0 if item.startswith("e") else 1
        x = np.clip(np.rint(latent[:, d] + rng.normal(0, 0.6, n)), 1, 5)
        x[rng.random(n) < dont_know] = np.nan  # 不了解
        out[item] = x
    return out


def _frame(rng, group, agency, rater, latent, start, dont_know=0.06) -> pd.DataFrame:
    n = len(agency)
    day = rng.integers(0, 250, n) * 86400 + rng.integers(8 * 3600, 18 * 3600, n)
    return pd.DataFrame(
        {
            "group": group,
            "agency_id": agency,
            "rater_id": rater,
            "duration_s": np.round(rng.lognormal(np.log(90), 0.35, n), 1),
            "submitted_at": pd.to_datetime(start + day, unit="s"),
            "flags": "",
            **_answers(rng, latent, group, dont_know),
        }
    )


def synthetic_year(
    n_agencies: int = 100,
    n_public: int = 100_000,
    *,
    n_deputies: int = 60,
    deputy_share: float = 0.25,
    n_grassroots: int = 200,
    grassroots_per_unit: int = 12,
    collusion: float = 0.0,
    rival: float = 0.0,
    burst: int = 0,
    speeders: float = 0.02,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Truth]:
    """Responses, items, agencies and the planted truth (see the module docstring).

    ``collusion`` adds that many answer points to the ratings agencies 1 and 2 give each
    other; ``rival`` makes agency 3 take that many points off its five best-rated rivals;
    ``burst`` adds that many all-top public responses to agency 4 inside one hour.
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_agencies + 1)
    quality = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], n_agencies)
    start = int(pd.Timestamp("2025-01-06").timestamp())
    parts = []

    popularity = rng.lognormal(0, 1.0, n_agencies)
    popularity /= popularity.sum()
    agency = rng.choice(n_agencies, n_public, p=popularity)
    latent = 3.8 + 0.35 * quality[agency] + rng.normal(0, 0.5, (n_public, 1))
    public = _frame(rng, "public", ids[agency], np.nan, latent, start)
    fast = rng.random(n_public) < speeders
    public.loc[fast, "duration_s"] = np.round(rng.uniform(2, 10, fast.sum()), 1)
    parts.append(public)

    per = max(1, int(round(deputy_share * n_agencies)))
    dep_rater = np.repeat(np.arange(n_deputies), per)
    dep_agency = np.concatenate(
        [rng.choice(n_agencies, per, replace=False) for _ in range(n_deputies)]
    )
    lenient = rng.normal(0, 0.3, n_deputies)
    latent = 3.7 + 0.45 * quality[dep_agency] + lenient[dep_rater, None]
    parts.append(
        _frame(rng, "deputy", ids[dep_agency], [f"D{r:03d}" for r in dep_rater], latent, start)
    )

    per = min(grassroots_per_unit, n_agencies)
    gr_rater = np.repeat(np.arange(n_grassroots), per)
    gr_agency = np.concatenate(
        [rng.choice(n_agencies, per, replace=False) for _ in range(n_grassroots)]
    )
    lenient = rng.normal(0, 0.3, n_grassroots)
    latent = 3.6 + 0.45 * quality[gr_agency] + lenient[gr_rater, None]
    parts.append(
        _frame(rng, "grassroots", ids[gr_agency], [f"G{r:03d}" for r in gr_rater], latent, start)
    )

    i, j = np.nonzero(~np.eye(n_agencies, dtype=bool))
    lenient = rng.normal(0, 0.25, n_agencies)
    rel = rng.normal(0, 0.25, (n_agencies, n_agencies))
    latent = 3.7 + 0.45 * quality[j] + (lenient[i] + rel[i, j])[:, None]
    pair = rival_id = None
    if collusion and n_agencies >= 3:
        hit = ((i == 0) & (j == 1)) | ((i == 1) & (j == 0))
        latent[hit] += collusion
        pair = (ids[0], ids[1])
    if rival and n_agencies >= 8:
        best = np.argsort(-quality[:, 0])
        best = best[best != 2][:5]
        latent[(i == 2) & np.isin(j, best)] -= rival
        rival_id = ids[2]
    parts.append(_frame(rng, "peer", ids[j], ids[i], latent, start, 0.03))

    burst_id = None
    if burst:
        latent = np.full((burst, 2), 6.0)
        extra = _frame(rng, "public", np.full(burst, ids[3]), np.nan, latent, start)
        extra["submitted_at"] = pd.Timestamp("2025-03-03 10:00") + pd.to_timedelta(
            rng.integers(0, 3600, burst), unit="s"
        )
        parts.append(extra)
        burst_id = ids[3]

    responses = pd.concat(parts, ignore_index=True)
    responses.insert(0, "response_id", np.arange(len(responses)))
    agencies = pd.DataFrame(
        {
            "agency_id": ids,
            "comprehensiveness": np.round(rng.uniform(70, 100, n_agencies), 1),
            "timeliness": np.round(rng.uniform(70, 100, n_agencies), 1),
            "profile": np.where(rng.random(n_agencies) < 0.2, "internal", "default"),
        }
    )
    truth = Truth(
        pd.Series(quality[:, 0], index=ids),
        pd.Series(quality[:, 1], index=ids),
        pair,
        rival_id,
        burst_id,
    )
    return responses, items_table(), agencies, truth
