"""Shared fixtures for the statistics engine: a small synthetic year and its evaluation."""

import pytest

from analysis import EvaluationConfig, evaluate
from analysis.synthetic import synthetic_year

SMALL = {"n_deputies": 15, "n_grassroots": 30, "grassroots_per_unit": 6}


def small_year(n_agencies=12, n_public=2400, **kwargs):
    """A year small enough for property tests (a few thousand rows)."""
    return synthetic_year(n_agencies, n_public, **{**SMALL, **kwargs})


def quick_config(replicates=0, **changes) -> EvaluationConfig:
    return EvaluationConfig().replace(
        bootstrap={"replicates": replicates, "seed": 7, "chunk": 25}, **changes
    )


@pytest.fixture(scope="session")
def year():
    return small_year(20, 6000, collusion=1.5, rival=1.5, burst=150, seed=3)


@pytest.fixture(scope="session")
def evaluation(year):
    responses, items, agencies, _ = year
    return evaluate(responses, items, quick_config(200), agencies=agencies, workers=1)
