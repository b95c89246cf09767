"""Calibration study of ``analysis.evaluate`` against simulated years whose truth is known
(issue 13). A script, not a timed test; ``tests/analysis/test_calibration.py`` runs a small
version.

The generator is written here, apart from ``analysis/synthetic.py``, and is deliberately not
the estimator's model: answers are 5-point Likert categories cut from a latent scale at
uneven thresholds (or a 0–100 slider, clipped), on 5 + 4 items with item offsets and a
respondent halo shared by all items; rater leniency is heavy-tailed (t with 4 degrees of
freedom); raters have a personal view of each agency; every group sees an agency a little
differently; public cells have n = 3, 8, 30 or 300; deputies and grassroots units rate
subsets; 10–20 % of the peer round robin is missing; 30–50 agencies, some with no survey
data at all. The true score of a cell is the expected 0–100 score of one response from that
group (leniency and every noise integrated out), computed by quadrature, not simulation.

Scenarios (``--rounds`` each): ``honest`` (Likert; coverage, bands, not rated, false flags),
``planted`` (0–100 slider; a mutual +15 pair and a rater taking 15 off its five strongest
rivals: power), ``planted_likert`` (the same on Likert answers), ``srm`` (the peer SRM alone
on a normal round robin, 0 % and 10 % missing: variance components and SE against truth).

    .venv/bin/python bench/calibration.py              # 200 rounds per scenario
    .venv/bin/python bench/calibration.py --quick      # 30 rounds, a first look
    .venv/bin/python bench/calibration.py --rounds 100 --seed 7
    .venv/bin/python bench/calibration.py --only honest,srm --save a.json  # part of a study
    .venv/bin/python bench/calibration.py --merge a.json b.json            # its table
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import EvaluationConfig, evaluate  # noqa: E402
from analysis import model as pipeline  # noqa: E402
from analysis.evaluation import _peer_reports  # noqa: E402
from analysis.peer import srm  # noqa: E402
from analysis.prepare import prepare  # noqa: E402
from analysis.quality import compute_flags  # noqa: E402
from analysis.report import round_results  # noqa: E402

DIMS = ("effectiveness", "cooperation")
ITEMS = {
    "effectiveness": [f"e{i}" for i in range(1, 6)],
    "cooperation": [f"c{i}" for i in range(1, 5)],
}
ASKS = {
    "public": ("effectiveness",),
    "deputy": ("effectiveness",),
    "grassroots": DIMS,
    "peer": DIMS,
}
CUTS = np.array([-1.7, -1.0, -0.2, 0.7])  # uneven Likert thresholds: answers lean high
LENIENCY, GROUP_VIEW = 0.35, 0.15
# Respondent halo, item noise, a rater's own view of an agency (latent SDs; ×20 ≈ points).
NOISY = {"halo": 0.45, "noise": 0.55, "view": 0.25}  # peer relationship SD ≈ 11 points
QUIET = {"halo": 0.10, "noise": 0.30, "view": 0.10}  # ≈ 4 points (earlier studies' level)
PUBLIC_N = (3, 8, 30, 300)


def _points(latent: np.ndarray, likert: bool) -> np.ndarray:
    if likert:
        return 25.0 * (latent[..., None] > CUTS).sum(axis=-1)
    return np.clip(60.0 + 20.0 * latent, 0.0, 100.0)


def _expected(mu: np.ndarray, sd: float, likert: bool) -> np.ndarray:
    """E[points] of one answer whose latent is N(mu, sd²) (any shape of ``mu``)."""
    if likert:
        return 25.0 * stats.norm.sf((CUTS[:, None] - np.ravel(mu)[None]) / sd).sum(axis=0).reshape(
            np.shape(mu)
        )
    lo, hi = (0.0 - 60.0) / 20.0, (100.0 - 60.0) / 20.0  # clipped normal mean, latent units
    a, b = (lo - mu) / sd, (hi - mu) / sd
    inside = mu * (stats.norm.cdf(b) - stats.norm.cdf(a)) + sd * (
        stats.norm.pdf(a) - stats.norm.pdf(b)
    )
    return 60.0 + 20.0 * (inside + lo * stats.norm.cdf(a) + hi * stats.norm.sf(b))


PANELS = {"deputy": [f"d{r}" for r in range(12)], "grassroots": [f"u{r}" for r in range(30)]}


def make_round(rng, likert=True, plant=False, n_agencies=None, spread=NOISY):
    """One simulated year: (responses, items, agencies, truth)."""
    n = int(n_agencies or rng.integers(30, 51))
    ids = np.arange(1, n + 1)
    q = np.empty((n, 2))
    q[:, 0] = rng.normal(0.35, 0.55, n)
    q[:, 1] = 0.6 * q[:, 0] + rng.normal(0.15, 0.4, n)
    offset = {item: rng.normal(0, 0.2) for d in DIMS for item in ITEMS[d]}
    absent = set(rng.choice(ids, size=max(1, n // 20), replace=False).tolist())
    view = {g: rng.normal(0, GROUP_VIEW, (n, 2)) for g in ASKS}
    public_n = rng.choice(PUBLIC_N, n)
    present = np.array([j for j in ids if j not in absent])
    weak = present[np.argsort(q[present - 1, 0])[: len(present) // 2]]
    pair = tuple(rng.choice(weak, 2, replace=False).tolist())
    rival = int(rng.choice([i for i in present if i not in pair]))
    strong = present[np.argsort(-q[present - 1, 0])]
    top5 = set([j for j in strong.tolist() if j != rival][:5])
    missing = rng.uniform(0.10, 0.19)  # the SRM's limit is 20 % of the cells
    rows = []  # (group, agency, rater)
    for j in ids:
        rows += [("public", j, None)] * int(public_n[j - 1])
    for r in range(12):
        rows += [("deputy", j, f"d{r}") for j in ids if rng.random() < 0.35]
    for r in range(30):
        rows += [("grassroots", j, f"u{r}") for j in ids if rng.random() < 0.25]
    rows += [("peer", j, i) for i in ids for j in ids if i != j and rng.random() >= missing]
    rows = [row for row in rows if row[1] not in absent and row[2] not in absent]
    frame = pd.DataFrame(rows, columns=["group", "agency_id", "rater_id"])
    k = len(frame)
    agency = frame["agency_id"].to_numpy() - 1
    group = frame["group"].to_numpy()
    # Each panel (deputies, units, the agencies themselves) is the whole population of its
    # group: leniency (t4) and each rater's own view of each agency are fixed for the year.
    panels = {**PANELS, "peer": list(ids)}
    lenient_of = {g: LENIENCY * rng.standard_t(4, len(p)) / np.sqrt(2.0) for g, p in panels.items()}
    view_of = {g: rng.normal(0, spread["view"], (len(p), n)) for g, p in panels.items()}
    lenient, personal = np.zeros(k), np.zeros(k)
    for g, panel in panels.items():
        rows_g = np.flatnonzero(group == g)
        pos = pd.Index(panel).get_indexer(frame["rater_id"].to_numpy()[rows_g])
        lenient[rows_g] = lenient_of[g][pos]
        personal[rows_g] = view_of[g][pos, agency[rows_g]]
    halo = rng.normal(0, spread["halo"], k)
    data = {}
    for d_i, d in enumerate(DIMS):
        base = q[agency, d_i] + lenient + personal + halo
        base += np.stack([view[g][a, d_i] for g, a in zip(group, agency, strict=True)])
        asked = np.isin(group, [g for g, dims in ASKS.items() if d in dims])
        for item in ITEMS[d]:
            pts = _points(base + offset[item] + rng.normal(0, spread["noise"], k), likert)
            pts[~asked | (rng.random(k) < 0.05)] = np.nan  # not asked / 不了解
            data[item] = pts
    if plant:
        peer = group == "peer"
        rater = frame["rater_id"].to_numpy()
        target = frame["agency_id"].to_numpy()
        mutual = peer & (
            ((rater == pair[0]) & (target == pair[1])) | ((rater == pair[1]) & (target == pair[0]))
        )
        down = peer & (rater == rival) & np.isin(target, list(top5))
        for items in ITEMS.values():
            for item in items:
                data[item] = _shift(data[item], mutual, 15.0, likert, rng)
                data[item] = _shift(data[item], down, -15.0, likert, rng)
    answers = {item: v / 25.0 + 1.0 if likert else v for item, v in data.items()}
    responses = frame.assign(
        response_id=np.arange(k),
        duration_s=np.round(rng.lognormal(np.log(120), 0.3, k), 1),
        submitted_at=pd.Timestamp("2025-03-01")
        + pd.to_timedelta(rng.integers(0, 200 * 86400, k), "s"),
        flags="",
        **answers,
    )
    items = pd.DataFrame(
        {
            "item_id": [i for d in DIMS for i in ITEMS[d]],
            "dimension": [d for d in DIMS for _ in ITEMS[d]],
            "scale": "likert5" if likert else "slider",
        }
    )
    agencies = pd.DataFrame(
        {
            "agency_id": ids,
            "comprehensiveness": np.round(rng.uniform(70, 100, n), 1),
            "timeliness": np.round(rng.uniform(70, 100, n), 1),
        }
    )
    truth = _truth(q, view, offset, ids, likert, lenient_of, view_of, absent, spread)
    peer_rows = frame[group == "peer"]
    marks = set(zip(peer_rows["rater_id"], peer_rows["agency_id"], strict=True))
    both = (pair[0], pair[1]) in marks and (pair[1], pair[0]) in marks
    return (
        responses,
        items,
        agencies,
        dict(cells=truth, absent=absent, pair=pair, rival=rival, pair_both=both),
    )


def _shift(points, mask, delta, likert, rng):
    out = points.copy()
    if likert:  # one answer step (25 points) with probability 0.6: 15 points on average
        step = np.where(rng.random(len(out)) < 0.6, np.sign(delta) * 25.0, 0.0)
        out[mask] = np.clip(out[mask] + step[mask], 0, 100)
    else:
        out[mask] = np.clip(out[mask] + delta, 0, 100)
    return out


def _truth(q, view, offset, ids, likert, lenient_of, view_of, absent, spread) -> dict:
    """Expected score of (agency, dimension, group), each item's expectation averaged: for
    the public over respondents; for a panel, the mean over its raters (not the agency
    itself) of their expected rating, with their leniency and view as they are this year."""
    out = {}
    sd = np.sqrt(spread["halo"] ** 2 + spread["noise"] ** 2)
    for g, dims in ASKS.items():
        for d_i, d in enumerate(DIMS):
            if d not in dims:
                continue
            mu = q[:, d_i] + view[g][:, d_i]
            if g in lenient_of:
                mu = mu[None, :] + lenient_of[g][:, None] + view_of[g]
            value = np.mean([_expected(mu + offset[i], sd, likert) for i in ITEMS[d]], axis=0)
            if g == "peer":  # no self-ratings; agencies without data rated nobody
                np.fill_diagonal(value, np.nan)
                value[[a - 1 for a in absent]] = np.nan
            if value.ndim == 2:
                value = np.nanmean(value, axis=0)
            for j, v in zip(ids, value, strict=True):
                out[(j, d, g)] = float(v)
    return out


CONFIG = EvaluationConfig().replace(
    scales={
        "likert5": {"kind": "linear", "low": 1, "high": 5},
        "slider": {"kind": "linear", "low": 0, "high": 100, "step": 0},
    }
)


def _score_round(ev, agencies, truth, acc):
    cfg = ev.config
    cells = ev.cells.copy()
    cells["truth"] = [
        truth["cells"].get(k)
        for k in zip(cells["agency_id"], cells["dimension"], cells["group"], strict=True)
    ]
    cells = cells[cells["truth"].notna()]
    cells["hit"] = (cells["score_ci_low"] <= cells["truth"]) & (
        cells["truth"] <= cells["score_ci_high"]
    )
    spread = cells.groupby(["dimension", "group"])["truth"].transform(
        lambda t: (t - t.mean()).abs() / t.std()
    )
    for (grp, n), part in cells.groupby(["group", "n"]):
        key = f"cell public n={n}" if grp == "public" and n in PUBLIC_N else f"cell {grp}"
        if grp == "public" and n not in PUBLIC_N:
            continue
        acc.setdefault(key, []).extend(part["hit"].tolist())
    acc.setdefault("cell far from mean (>1.5 SD)", []).extend(
        cells.loc[spread > 1.5, "hit"].tolist()
    )
    # Dimensions and composite: truth combines the true cells with the engine's weights
    # over the groups present (renormalised, as the engine does).
    weights = cfg.group_weights[cfg.default_profile]
    present = cells.groupby(["agency_id", "dimension"])
    dims = ev.dimensions.set_index(["agency_id", "dimension"])
    true_dim = {}
    for (a, d), part in present:
        w = part["group"].map(weights[d]).to_numpy()
        if w.sum() > 0:
            true_dim[(a, d)] = float((w * part["truth"]).sum() / w.sum())
            row = dims.loc[(a, d)]
            acc.setdefault("dimension scores", []).append(
                bool(row["ci_low"] <= true_dim[(a, d)] <= row["ci_high"])
            )
    info = agencies.set_index("agency_id")
    rank = ev.ranking
    for a, row in rank.iterrows():
        if a in truth["absent"]:
            acc.setdefault("no-evidence agencies ranked or banded", []).append(
                bool(pd.notna(row["rank"]) or pd.notna(row["band"]))
            )
            continue
        values = {
            "comprehensiveness": info.loc[a, "comprehensiveness"],
            "timeliness": info.loc[a, "timeliness"],
        }
        values.update({d: true_dim[(a, d)] for d in DIMS if (a, d) in true_dim})
        w = np.array([cfg.dimension_weights[d] for d in values])
        comp = float((w * np.array(list(values.values()))).sum() / w.sum())
        acc.setdefault("composite", []).append(
            bool(row["composite_ci_low"] <= comp <= row["composite_ci_high"])
        )
        if not row["rated"]:
            continue
        true_band = _band(comp, cfg)
        acc.setdefault("point band = true band", []).append(
            _band(row["composite"], cfg) == true_band
        )
        acc.setdefault("rated agencies banded", []).append(pd.notna(row["band"]))
        if pd.notna(row["band"]):
            assigned = ("excellent", "good", "fair", "poor").index(row["band"])
            acc.setdefault("assigned band = true band", []).append(assigned == true_band)
            acc.setdefault("assigned band too high", []).append(assigned < true_band)
            acc.setdefault("assigned band too low", []).append(assigned > true_band)


def _band(value, cfg) -> int:
    for i, name in enumerate(("excellent", "good", "fair")):
        if value >= cfg.bands[name]:
            return i
    return 3


def _peer_only(responses, items, config, agencies):
    """The peer reports of ``evaluate`` and nothing else (``--peer-only``): the same
    preparation, quality flags and model fits, then the round-wise tests and cliques."""
    prep = prepare(responses, items, config, agencies, 1)
    flags = compute_flags(prep, config)
    model = pipeline.build(prep, flags, config)
    rounds = round_results(model, config)
    return _peer_reports(prep, model, config, rounds)[0], rounds


def _smallest_p(rounds) -> tuple[float, float]:
    """The round's smallest pair and rater p (1 with no test): the flag rate at any α."""
    pairs = [p["p_round"].min() for p, _ in rounds.values() if len(p)]
    raters = [r["p_round"].min() for _, r in rounds.values() if len(r)]
    return min(pairs, default=1.0), min(raters, default=1.0)


def _flags(reports):
    pairs = pd.concat([r.flagged_pairs for r in reports] + [pd.DataFrame(columns=["a", "b"])])
    rivals = set().union(*(set(r.rival_raters.index) for r in reports))
    cliques = any(len(r.cliques) for r in reports)
    return pairs, rivals, cliques


def run_evaluate_scenario(
    name, rounds, rng, likert, plant, acc, spread=NOISY, peer_only=False, config=CONFIG
):
    for _ in range(rounds):
        responses, items, agencies, truth = make_round(rng, likert, plant, spread=spread)
        if peer_only:
            ev = None
            reports, rounds = _peer_only(responses, items, config, agencies)
            p_pair, p_rater = _smallest_p(rounds)
            acc.setdefault(f"{name}: smallest pair p", []).append(p_pair)
            acc.setdefault(f"{name}: smallest rater p", []).append(p_rater)
        else:
            ev = evaluate(responses, items, config, agencies=agencies, workers=1)
            reports = ev.quality.peer
        pairs, rivals, cliques = _flags(reports)
        if plant:
            a, b = truth["pair"]
            hit = ((pairs["a"] == a) & (pairs["b"] == b)) | ((pairs["a"] == b) & (pairs["b"] == a))
            acc.setdefault(f"{name}: power, mutual +15 pair", []).append(bool(hit.any()))
            # One of the pair's two marks missing (10–19 % of cells are): a single +15 mark
            # is within the round's noise for any test. Power where both marks are there:
            acc.setdefault(f"{name}: planted pair's two marks both observed", []).append(
                truth["pair_both"]
            )
            if truth["pair_both"]:
                acc.setdefault(f"{name}: power, pair with both marks observed", []).append(
                    bool(hit.any())
                )
            acc.setdefault(f"{name}: power, top-five −15 rival", []).append(
                truth["rival"] in rivals
            )
        else:
            acc.setdefault("honest rounds with a pair flag", []).append(len(pairs) > 0)
            acc.setdefault("honest rounds with a rival flag", []).append(len(rivals) > 0)
            acc.setdefault("honest rounds with a clique", []).append(cliques)
            if ev is not None:
                _score_round(ev, agencies, truth, acc)


def run_srm_scenario(rounds, rng, acc, n=40):
    """Normal round robin with known components; SRM estimates vs truth at 0 % / 10 % missing."""
    true = {"actor": 16.0, "partner": 25.0, "relationship": 9.0, "dyadic_covariance": 2.7}
    for miss in (0.0, 0.1):
        est, se2, err2 = {k: [] for k in true}, [], []
        for _ in range(rounds):
            a = rng.normal(0, 4, n)
            b = rng.normal(0, 5, n)
            cov = [[9.0, 2.7], [2.7, 9.0]]
            g = np.zeros((n, n))
            iu, ju = np.triu_indices(n, 1)
            pair = rng.multivariate_normal([0, 0], cov, len(iu))
            g[iu, ju], g[ju, iu] = pair[:, 0], pair[:, 1]
            x = 60 + a[:, None] + b[None, :] + g
            keep = ~np.eye(n, dtype=bool) & (rng.random((n, n)) >= miss)
            r, t = np.nonzero(keep)
            fit = srm(pd.DataFrame({"rater": r, "target": t, "score": x[r, t]}), max_missing=0.25)
            for k in true:
                est[k].append(fit.variance[k])
            eff = fit.target_effects["effect"].reindex(range(n)).to_numpy()
            err2.append(np.mean((eff - (b - b.mean())) ** 2))
            se2.append(np.mean(fit.target_effects["se"].to_numpy() ** 2))
        for k, v in true.items():
            key = f"srm {miss:.0%} missing: {k} (bias)"
            acc[key] = np.mean(est[k]) / v - 1
            acc[key + "#se"] = np.std(est[k], ddof=1) / np.sqrt(rounds) / v  # Monte-Carlo SE
        key = f"srm {miss:.0%} missing: se of b (bias)"
        ratio = np.mean(se2) / np.mean(err2)
        acc[key] = np.sqrt(ratio) - 1
        # delta method for sqrt(mean(se2)/mean(err2))
        cov = np.cov(np.array(se2), np.array(err2))
        grad = np.array([1 / np.mean(err2), -np.mean(se2) / np.mean(err2) ** 2])
        acc[key + "#se"] = float(np.sqrt(grad @ cov @ grad / rounds) / (2 * np.sqrt(ratio)))


GOALS = [
    ("honest rounds with a pair flag", "≤ 5 %", lambda v: v <= 0.05),
    ("honest rounds with a rival flag", "≤ 5 %", lambda v: v <= 0.05),
    ("honest rounds with a clique", "≤ 5 %", lambda v: v <= 0.05),
    ("planted: power, mutual +15 pair", "≥ 0.9", lambda v: v >= 0.9),
    ("planted: planted pair's two marks both observed", "(reported)", lambda v: True),
    ("planted: power, pair with both marks observed", "(reported)", lambda v: True),
    ("planted: power, top-five −15 rival", "≥ 0.9", lambda v: v >= 0.9),
    ("planted_likert: power, mutual +15 pair", "aim ≥ 0.8", lambda v: v >= 0.8),
    ("planted_likert: planted pair's two marks both observed", "(reported)", lambda v: True),
    ("planted_likert: power, pair with both marks observed", "(reported)", lambda v: True),
    ("planted_likert: power, top-five −15 rival", "aim ≥ 0.8", lambda v: v >= 0.8),
    ("planted_quiet: power, mutual +15 pair", "≥ 0.9", lambda v: v >= 0.9),
    ("planted_quiet: planted pair's two marks both observed", "(reported)", lambda v: True),
    ("planted_quiet: power, pair with both marks observed", "(reported)", lambda v: True),
    ("planted_quiet: power, top-five −15 rival", "≥ 0.9", lambda v: v >= 0.9),
    ("planted_quiet_likert: power, mutual +15 pair", "aim ≥ 0.8", lambda v: v >= 0.8),
    ("planted_quiet_likert: planted pair's two marks both observed", "(reported)", lambda v: True),
    ("planted_quiet_likert: power, pair with both marks observed", "(reported)", lambda v: True),
    ("planted_quiet_likert: power, top-five −15 rival", "aim ≥ 0.8", lambda v: v >= 0.8),
    *[(f"cell public n={n}", "93–97 %", lambda v: 0.93 <= v <= 0.97) for n in PUBLIC_N],
    *[
        (f"cell {g}", "93–97 %", lambda v: 0.93 <= v <= 0.97)
        for g in ("deputy", "grassroots", "peer")
    ],
    ("cell far from mean (>1.5 SD)", "93–97 %", lambda v: 0.93 <= v <= 0.97),
    ("dimension scores", "93–97 %", lambda v: 0.93 <= v <= 0.97),
    ("composite", "93–97 %", lambda v: 0.93 <= v <= 0.97),
    ("point band = true band", "(reference)", lambda v: True),
    ("assigned band = true band", "≥ point band", None),
    ("assigned band too high", "within 1 point of too low", None),
    ("assigned band too low", "within 1 point of too high", None),
    ("rated agencies banded", "(reported)", lambda v: True),
    ("no-evidence agencies ranked or banded", "0", lambda v: v == 0),
    *[
        (f"srm {m} missing: {k} (bias)", "±3 %", lambda v: abs(v) <= 0.03)
        for m in ("0%", "10%")
        for k in ("actor", "partner", "relationship", "dyadic_covariance")
    ],
    *[
        (f"srm {m} missing: se of b (bias)", "±5 %", lambda v: abs(v) <= 0.05)
        for m in ("0%", "10%")
    ],
]


def _upper_bound(flags) -> float:
    """Clopper–Pearson one-sided 95 % upper bound of a rate from 0/1 outcomes."""
    k, n = int(np.sum(flags)), len(flags)
    return 1.0 if k == n else float(stats.beta.ppf(0.95, k + 1, n - k))


def summarise(acc) -> list[tuple[str, str, str, str]]:
    value = {k: (float(np.mean(v)) if isinstance(v, list) else float(v)) for k, v in acc.items()}
    count = {k: (len(v) if isinstance(v, list) else None) for k, v in acc.items()}
    rows = []
    for key, goal, check in GOALS:
        if key not in value:
            continue
        v = value[key]
        if check is None:
            if key.startswith("assigned band = "):
                ok = v >= value.get("point band = true band", 1.0)
            else:
                ok = abs(value["assigned band too high"] - value["assigned band too low"]) <= 0.01
        else:
            ok = check(v)
        shown = (
            f"{v:+.1%}"
            if "bias" in key
            else f"{v:.1%}"
            if "agencies ranked" not in key
            else f"{int(round(v * count[key]))}"
        )
        mc = f" (Monte-Carlo SE {value[key + '#se']:.1%})" if key + "#se" in value else ""
        if key.startswith("honest rounds with") and count[key]:
            k = int(np.sum(acc[key]))
            mc = (
                f" (one-sided 95 % upper bound {_upper_bound(acc[key]):.1%}, Clopper–Pearson;"
                f" an exact 5 % test gives ≥ {k} of {count[key]} with probability"
                f" {stats.binom.sf(k - 1, count[key], 0.05):.2f})"
            )
        rows.append(
            (
                key,
                shown,
                goal,
                ("met" if ok else "NOT MET") + (f" (N={count[key]})" if count[key] else "") + mc,
            )
        )
    return rows


SCENARIOS = {
    "honest": (True, False, NOISY),
    "planted": (False, True, NOISY),
    "planted_likert": (True, True, NOISY),
    "planted_quiet": (False, True, QUIET),
    "planted_quiet_likert": (True, True, QUIET),
}


def study(
    rounds: int,
    seed: int,
    srm_rounds: int | None = None,
    progress=None,
    scenarios=(*SCENARIOS, "srm"),
    peer_only: bool = False,
) -> dict:
    """The raw figures (``summarise`` makes the table). Every scenario draws from its own
    stream of ``seed`` (``SeedSequence(seed).spawn``), so a scenario's figures do not depend
    on which others run with it, and scenarios can run in separate processes (``--only``,
    ``--save``, ``--merge``)."""
    streams = dict(
        zip(
            [*SCENARIOS, "srm"], np.random.SeedSequence(seed).spawn(len(SCENARIOS) + 1), strict=True
        )
    )
    acc: dict = {}
    for name in scenarios:
        rng = np.random.default_rng(streams[name])
        if name == "srm":
            run_srm_scenario(srm_rounds or 5 * rounds, rng, acc)
        else:
            likert, plant, spread = SCENARIOS[name]
            run_evaluate_scenario(name, rounds, rng, likert, plant, acc, spread, peer_only)
        if progress:
            progress(f"{name} done")
    return acc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="rounds per scenario")
    parser.add_argument("--quick", action="store_true", help="30 rounds per scenario")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--only", help="comma-separated scenarios (default all)")
    parser.add_argument("--save", help="write the raw figures to this JSON file")
    parser.add_argument("--merge", nargs="+", help="print the table of saved JSON files")
    parser.add_argument(
        "--peer-only",
        action="store_true",
        help="only the peer flags (no intervals, ranks or coverage): false alarms and power",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.merge:
        acc: dict = {}
        for path in args.merge:
            with open(path, encoding="utf-8") as fh:
                part = json.load(fh)
            print(f"{path}: {part['header']}")
            acc.update(part["acc"])
    else:
        rounds = 30 if args.quick else args.rounds
        only = args.only.split(",") if args.only else [*SCENARIOS, "srm"]
        header = (
            f"{rounds} rounds per scenario (SRM: {5 * rounds}), seed {args.seed}: "
            + ", ".join(only)
            + (" (peer flags only)" if args.peer_only else "")
        )
        print(f"calibration study: {header}")
        acc = study(
            rounds,
            args.seed,
            progress=lambda m: print(m, file=sys.stderr, flush=True),
            scenarios=only,
            peer_only=args.peer_only,
        )
        if args.save:
            with open(args.save, "w", encoding="utf-8") as fh:
                json.dump({"header": header, "acc": acc}, fh, default=lambda v: v.item())
    rows = summarise(acc)
    width = max(len(r[0]) for r in rows)
    print(f"\n{'figure'.ljust(width)}  {'value':>8}  goal")
    for key, shown, goal, status in rows:
        print(f"{key.ljust(width)}  {shown:>8}  {goal} — {status}")
    print(f"\n{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
