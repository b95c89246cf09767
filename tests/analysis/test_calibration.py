"""A small, fast version of bench/calibration.py: the generator's truth is what the engine
estimates, and the study's table has every figure (the full study is a script)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from analysis import evaluate

PATH = Path(__file__).resolve().parents[2] / "bench" / "calibration.py"
spec = importlib.util.spec_from_file_location("calibration", PATH)
calibration = importlib.util.module_from_spec(spec)
spec.loader.exec_module(calibration)


def test_the_truth_of_a_public_cell_is_its_expected_score():
    # Likert cuts at −1.7, −1.0, −0.2, 0.7 on N(μ, sd²): E[points] = 25·Σ P(latent > cut).
    from scipy import stats

    mu, sd = np.array([0.3]), 0.7
    expected = 25 * sum(stats.norm.sf((c - 0.3) / sd) for c in calibration.CUTS)
    assert calibration._expected(mu, sd, True)[0] == pytest.approx(expected)
    rng = np.random.default_rng(0)
    draws = calibration._points(0.3 + sd * rng.standard_normal(200_000), True)
    assert draws.mean() == pytest.approx(expected, abs=0.15)


def test_a_simulated_year_is_scored_and_agencies_without_data_are_not_ranked():
    rng = np.random.default_rng(4)
    responses, items, agencies, truth = calibration.make_round(rng, n_agencies=30)
    ev = evaluate(responses, items, calibration.CONFIG, agencies=agencies, workers=1)
    absent = sorted(truth["absent"])
    assert ev.ranking.loc[absent, "rank"].isna().all()
    assert ev.ranking.loc[absent, "band"].isna().all()
    assert ev.ranking["rated"].sum() == 30 - len(absent)


def test_the_small_study_prints_every_figure():
    rows = calibration.summarise(calibration.study(rounds=1, seed=1, srm_rounds=3))
    figures = {row[0]: row for row in rows}
    assert "composite" in figures and "honest rounds with a pair flag" in figures
    assert figures["no-evidence agencies ranked or banded"][1] == "0"
    assert figures["srm 10% missing: relationship (bias)"][1].endswith("%")
