"""How the kept responses answered each rating item, per agency and respondent group: the
distribution the explanation page shows beside the engine's n and mean.

Counted once, when a run is computed, from the same frame the engine scored, leaving out the
responses the engine excluded, so that each item's counts add up to the engine's n and their
points to its mean. Pages read the stored counts; none aggregates answers on a request.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def distribution(
    frame: pd.DataFrame, columns: list[str], excluded_ids: np.ndarray
) -> dict[int, dict[str, dict[str, list[list]]]]:
    """agency id → group → column → ``[[answer, count], …]`` in answer order, over the rows of
    ``frame`` whose ``response_id`` is not in ``excluded_ids``; unanswered cells (NaN, also
    不了解) are not counted."""
    kept = ~np.isin(frame["response_id"].to_numpy(), excluded_ids)
    agency_codes, agencies = pd.factorize(frame["agency_id"])
    group_codes, groups = pd.factorize(frame["group"])
    codes = agency_codes * len(groups) + group_codes  # one code per agency × group
    size = len(agencies) * len(groups)
    out: dict[int, dict[str, dict[str, list[list]]]] = {}
    for column in columns:
        values = frame[column].to_numpy(dtype=float)
        chosen = kept & ~np.isnan(values)
        # Hashed, not sorted (a million answers a column); the few distinct ones in order.
        positions, answers = pd.factorize(values[chosen], sort=True)
        if not len(answers):
            continue
        counts = np.bincount(
            codes[chosen] * len(answers) + positions, minlength=size * len(answers)
        ).reshape(size, len(answers))
        for cell in np.flatnonzero(counts.sum(axis=1)):
            agency_id, group = agencies[cell // len(groups)], groups[cell % len(groups)]
            row = counts[cell]
            out.setdefault(int(agency_id), {}).setdefault(str(group), {})[column] = [
                [_number(answers[k]), int(row[k])] for k in np.flatnonzero(row)
            ]
    return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
