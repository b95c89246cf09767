"""Validate the input tables and turn them into integer-coded numpy arrays (one pass, no
Python loop over responses).

Responses: one row per response with ``response_id, group, agency_id, rater_id, duration_s,
submitted_at, flags`` and one column per rating item (answer on its scale, NaN = 不了解).
Items: ``item_id, dimension, scale`` and optionally ``groups`` (which groups' questionnaires
ask the item; by default an item counts as asked in a group when anyone there answered it).
``dimension`` is ``effectiveness``/``cooperation`` or 成效度/配合度.
Agencies (optional): ``agency_id`` and any of ``comprehensiveness``, ``timeliness`` (0–100,
from the targets module), ``profile`` (group-weight profile) and ``kind`` (ranking scope).
"""

from __future__ import annotations

import math
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.checks import (
    duplicate_candidates,
    duplicate_rows,
    name_rows,
    numeric_matrix,
    unique_ids,
)
from analysis.config import DIMENSION_ALIASES, RATED_DIMENSIONS, EvaluationConfig
from analysis.quality import bursts, group_medians
from analysis.scales import OffScale, to_points

RESPONSE_COLUMNS = (
    "response_id",
    "group",
    "agency_id",
    "rater_id",
    "duration_s",
    "submitted_at",
    "flags",
)
ITEM_COLUMNS = ("item_id", "dimension", "scale")


@dataclass(frozen=True)
class Prepared:
    """Integer-coded responses; ``scores[:, d]`` is the respondent score of dimension d.

    ``filled`` holds item points with 0 where unanswered (不了解); ``answered`` says which.
    """

    n: int
    groups: tuple[str, ...]
    group: np.ndarray
    group_rows: list[np.ndarray]  # row indices of each group
    agencies: pd.Index
    agency: np.ndarray
    raters: pd.Index
    rater: np.ndarray
    duration: np.ndarray
    hour: np.ndarray
    duration_median: np.ndarray  # per group
    burst: np.ndarray  # quality flag "burst" (see analysis.quality.bursts)
    items: tuple[str, ...]
    item_dim: np.ndarray
    item_scales: tuple  # the Scale of each item
    raw: np.ndarray
    filled: np.ndarray
    answered: np.ndarray
    item_count: np.ndarray  # (agency × group cells, items): answers, all responses
    item_sum: np.ndarray  # same: sum of points
    asked: np.ndarray
    scores: np.ndarray
    agency_info: pd.DataFrame
    input_flags: tuple[list[str], np.ndarray]
    response_id: pd.Series


def _codes(values: pd.Series, sort: bool = True) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (−1 for missing) and labels; ids of mixed types keep first-seen order."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        return codes.astype(np.int64), pd.Index(values.cat.categories)
    # Factorizing the plain ndarray is ~3× faster than pandas' string extension array.
    array = values.to_numpy()
    try:
        codes, uniques = pd.factorize(array, sort=sort)
    except TypeError:
        codes, uniques = pd.factorize(array)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


def _sparse_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Like :func:`_codes` for a mostly-missing column (rater ids are empty for the public)."""
    present = values.notna().to_numpy()
    codes = np.full(len(values), -1, dtype=np.int64)
    sub, labels = _codes(values[present])
    codes[present] = sub
    return codes, labels


def _items(items: pd.DataFrame, config: EvaluationConfig, columns) -> pd.DataFrame:
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        raise ValueError(f"items lacks column(s) {missing}; expected {list(ITEM_COLUMNS)}")
    table = items.copy()
    table["item_id"] = table["item_id"].astype(str)
    if table["item_id"].duplicated().any():
        raise ValueError(f"items lists {table['item_id'][table['item_id'].duplicated()].tolist()}")
    dims = table["dimension"].map(lambda d: DIMENSION_ALIASES.get(d, d))
    bad = sorted(set(dims) - set(RATED_DIMENSIONS), key=str)
    if bad:
        raise ValueError(
            f"items: dimension(s) {bad} are not rated dimensions; use effectiveness (成效度) "
            "or cooperation (配合度) — 全面度 and 时效度 come in through `agencies`"
        )
    table["dimension"] = dims
    unknown = sorted(set(table["scale"]) - set(config.scales), key=str)
    if unknown:
        raise ValueError(f"items: scale(s) {unknown} are not in config.scales")
    absent = [i for i in table["item_id"] if i not in columns]
    if absent:
        raise ValueError(f"responses lack a column for item(s) {absent}")
    return table.reset_index(drop=True)


def _hours(values: pd.Series) -> np.ndarray:
    """Whole hours since the epoch (UTC for aware stamps); −1 where missing."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "M":  # naive: plain ints
        stamps = values.to_numpy().astype("datetime64[h]")
        return np.where(np.isnat(stamps), -1, stamps.view(np.int64))
    stamps = pd.to_datetime(values, utc=True)
    naive = pd.DatetimeIndex(stamps).tz_localize(None).as_unit("s")
    return np.where(naive.isna(), -1, naive.asi8 // 3600)


def _encode_columns(raw, table, item_dim, config, cells: Future):
    """One pass per item column (column-major) producing the answered mask, points with 0 for
    不了解, per-dimension answered counts and point sums, each response's answered-item bit
    pattern and — once ``cells`` (agency × group codes) resolves — per-cell item sums."""
    n, k = raw.shape
    n_d = len(RATED_DIMENSIONS)
    answered = np.empty((n, k), dtype=bool, order="F")
    filled = np.empty((n, k), order="F")
    count = np.zeros((n_d, n), dtype=np.int16)
    total = np.zeros((n_d, n))
    bits = np.zeros(n, dtype=np.uint32) if k <= 20 else None
    for j, (item, scale) in enumerate(zip(table["item_id"], table["scale"], strict=True)):
        points = to_points(raw[:, j], config.scales[scale], item)
        np.greater_equal(points, 0.0, out=answered[:, j])  # points ≥ 0; NaN (不了解) is not
        np.fmax(points, 0.0, out=filled[:, j])  # only 不了解 becomes 0
        count[item_dim[j]] += answered[:, j]
        total[item_dim[j]] += filled[:, j]
        if bits is not None:
            bits |= answered[:, j].astype(np.uint32) << np.uint32(j)
    cell, size = cells.result()
    item_count = np.empty((size, k))
    item_sum = np.empty((size, k))
    for j in range(k):
        item_count[:, j] = np.bincount(cell, weights=answered[:, j], minlength=size)
        item_sum[:, j] = np.bincount(cell, weights=filled[:, j], minlength=size)
    return answered, filled, count, total, bits, item_count, item_sum


def _respondent_scores(count, total, item_dim, asked, group, config) -> np.ndarray:
    """Mean of the answered items per dimension; NaN when fewer than ``min_answered_share``
    of the items the respondent's questionnaire asks were answered (STATISTICS.md §2.1)."""
    share = config.quality.min_answered_share
    scores = np.full((count.shape[1], len(RATED_DIMENSIONS)), np.nan)
    for d in range(len(RATED_DIMENSIONS)):
        cols = item_dim == d
        if not cols.any():
            continue
        need = np.maximum(np.ceil(share * asked[:, cols].sum(axis=1) - 1e-9), 1)
        ok = count[d] >= need.astype(np.int16)[group]
        np.divide(total[d], count[d], out=scores[:, d], where=ok)
    return scores


def _asked(table: pd.DataFrame, groups, group: np.ndarray, answered, bits) -> np.ndarray:
    k = len(table)
    if "groups" in table.columns:
        asked = np.zeros((len(groups), k), dtype=bool)
        for j, spec in enumerate(table["groups"]):
            names = spec.replace(";", ",").split(",") if isinstance(spec, str) else list(spec)
            for name in (n.strip() for n in names):
                if name in groups:
                    asked[groups.index(name), j] = True
        return asked
    if bits is None:
        counts = np.stack(
            [np.bincount(group, weights=answered[:, j], minlength=len(groups)) for j in range(k)],
            axis=1,
        )
        return counts > 0
    # Which answer patterns occur in each group: one bincount over (group, pattern bits).
    seen = np.flatnonzero(np.bincount(group * (1 << k) + bits, minlength=len(groups) << k))
    seen = seen.astype(np.int64)
    asked = np.zeros((len(groups), k), dtype=bool)
    for key in seen:
        asked[key >> k] |= (key & (1 << np.arange(k))) > 0
    return asked


def _keys(responses: pd.DataFrame, config: EvaluationConfig, agencies):
    """Integer codes for group, agency and rater; each group's row indices; agency table."""
    group_codes, group_labels = _codes(responses["group"], sort=False)
    if (group_codes < 0).any():
        raise ValueError("responses: every row needs a group")
    unknown = [g for g in group_labels if g not in config.groups]
    if unknown:
        raise ValueError(f"responses: group(s) {unknown} are not configured in config.groups")
    groups = tuple(config.groups)
    remap = np.array([groups.index(g) for g in group_labels], dtype=np.int64)
    group = remap[group_codes] if len(remap) else group_codes
    order = np.argsort(group.astype(np.int16), kind="stable")  # radix sort: ~10 ms per 10⁶
    bounds = np.searchsorted(group[order], np.arange(len(groups) + 1))
    group_rows = [order[bounds[g] : bounds[g + 1]] for g in range(len(groups))]

    agency, agency_labels = _codes(responses["agency_id"])
    if (agency < 0).any():
        raise ValueError("responses: every row needs an agency_id")
    info = _agency_info(agencies, agency_labels)
    if len(info.index) != len(agency_labels) or not info.index.equals(agency_labels):
        agency = info.index.get_indexer(agency_labels)[agency]
    rater, rater_labels = _sparse_codes(responses["rater_id"])
    return groups, group, group_rows, info, agency, rater, rater_labels


def side_pool(workers: int):
    """One extra thread when ``workers > 1``, else a stand-in that runs each call at once."""
    return ThreadPoolExecutor(1) if workers > 1 else _Inline()


class _Inline:
    """Stand-in for a thread pool that runs each call at once."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # raised at .result(), as a real pool would
            future.set_exception(exc)
        return future


def prepare(
    responses: pd.DataFrame,
    items: pd.DataFrame,
    config: EvaluationConfig,
    agencies: pd.DataFrame | None = None,
    workers: int = 1,
) -> Prepared:
    """Check and encode the inputs (see the module docstring for the expected columns).

    ``workers > 1`` encodes the item columns on a second thread.
    """
    if not isinstance(responses, pd.DataFrame) or not isinstance(items, pd.DataFrame):
        raise TypeError("responses and items must be pandas DataFrames")
    missing = [c for c in RESPONSE_COLUMNS if c not in responses.columns]
    if missing:
        raise ValueError(f"responses lacks column(s) {missing}")
    table = _items(items, config, set(map(str, responses.columns)))

    cols = [responses.columns[list(map(str, responses.columns)).index(i)] for i in table["item_id"]]
    unique_ids(responses["response_id"])
    raw = np.asfortranarray(numeric_matrix(responses, cols, "item"))  # usually no copy
    item_dim = table["dimension"].map(RATED_DIMENSIONS.index).to_numpy(dtype=np.int64)
    duration = numeric_matrix(responses, ["duration_s"], "responses column")[:, 0]
    cells = Future()
    with side_pool(workers) as pool:
        # Item columns (numpy: releases the GIL) on the second thread, ids (pandas) here.
        if workers > 1:
            encoded = pool.submit(_encode_columns, raw, table, item_dim, config, cells)
        try:
            keys = _keys(responses, config, agencies)
        except BaseException as exc:
            cells.set_exception(exc)  # release the encoding thread, which waits for the cells
            raise
        groups, group, group_rows, info, agency, rater, rater_labels = keys
        cells.set_result((agency * len(groups) + group, len(info.index) * len(groups)))
        if workers <= 1:
            encoded = pool.submit(_encode_columns, raw, table, item_dim, config, cells)
        input_flags = parse_flags(responses["flags"])
        hour = _hours(responses["submitted_at"])
        refuse = config.quality.duplicates == "refuse"
        if refuse:  # the signature (numpy) queues on the second thread behind the items
            stamp = responses["submitted_at"]
            datetimes = isinstance(stamp.dtype, pd.DatetimeTZDtype) or stamp.dtype.kind == "M"
            stamp_key = pd.DatetimeIndex(stamp).asi8 if datetimes else hour
            code = np.where(np.isnan(duration), -1.0, duration).view(np.int64)
            found = pool.submit(duplicate_candidates, [group, agency, rater, code, stamp_key], raw)
        # Time-based quality features need no item data: compute them meanwhile.
        median = group_medians(duration, group_rows)
        burst = bursts(agency, group, hour, groups, len(info.index), config)
        try:
            answered, filled, count, total, bits, item_count, item_sum = encoded.result()
        except OffScale as exc:
            raise ValueError(exc.at(name_rows(responses["response_id"], exc.rows))) from None
        if refuse:
            duplicate_rows(responses, [], raw, found.result())
    asked = _asked(table, groups, group, answered, bits)
    scores = _respondent_scores(count, total, item_dim, asked, group, config)
    del count, total, bits
    return Prepared(
        n=len(responses),
        groups=groups,
        group=group,
        group_rows=group_rows,
        agencies=info.index,
        agency=agency,
        raters=rater_labels,
        rater=rater,
        duration=duration,
        hour=hour,
        duration_median=median,
        burst=burst,
        items=tuple(table["item_id"]),
        item_dim=item_dim,
        item_scales=tuple(config.scales[name] for name in table["scale"]),
        raw=raw,
        filled=filled,
        answered=answered,
        item_count=item_count,
        item_sum=item_sum,
        asked=asked,
        scores=scores,
        agency_info=info,
        input_flags=input_flags,
        response_id=responses["response_id"],
    )


def parse_flags(values: pd.Series) -> tuple[list[str], np.ndarray]:
    """Flag names in the ``flags`` column and an (N, names) bool matrix.

    A value is a string of names separated by commas, semicolons or spaces, a list/tuple/set
    of names, or empty/missing. Each distinct value is parsed once.
    """
    raw = values.to_numpy()
    if any(_is_seq(v) for v in raw[: min(len(raw), 1000)]):
        raw = np.array([",".join(map(str, v)) if _is_seq(v) else v for v in raw], dtype=object)
    codes, uniques = pd.factorize(np.asarray(raw, dtype=object))
    parsed = []
    for value in uniques:
        if isinstance(value, str):
            parts = re.split(r"[,;\s]+", value)
        else:
            parts = [] if pd.isna(value) else [str(value)]
        parsed.append({p.strip() for p in parts if p and p.strip()})
    names = sorted(set().union(*parsed)) if parsed else []
    # One row per distinct value plus an empty last row, which code −1 (missing) picks.
    table = np.zeros((len(parsed) + 1, len(names)), dtype=bool)
    for row, flags in enumerate(parsed):
        table[row] = [n in flags for n in names]
    return names, table[codes]


def _is_seq(value) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def _agency_info(agencies: pd.DataFrame | None, seen: pd.Index) -> pd.DataFrame:
    columns = ["comprehensiveness", "timeliness", "profile", "kind"]
    if agencies is None:
        frame = pd.DataFrame(index=seen)
    else:
        if "agency_id" not in agencies.columns:
            raise ValueError("agencies lacks column 'agency_id'")
        if agencies["agency_id"].duplicated().any():
            raise ValueError("agencies lists an agency_id twice")
        frame = agencies.set_index("agency_id")
        extra = seen.difference(frame.index)
        if len(extra):
            frame = pd.concat([frame, pd.DataFrame(index=extra)])
        try:
            frame = frame.sort_index()
        except TypeError:
            pass
    for name in ("comprehensiveness", "timeliness"):
        if name in frame.columns:
            values = pd.to_numeric(frame[name], errors="raise").astype(float)
            if ((values < 0) | (values > 100)).any():
                raise ValueError(f"agencies['{name}'] must lie within 0–100")
            frame[name] = values
        else:
            frame[name] = math.nan
    for name in ("profile", "kind"):
        if name not in frame.columns:
            frame[name] = None
    frame.index.name = "agency_id"
    return frame[columns + [c for c in frame.columns if c not in columns]]
