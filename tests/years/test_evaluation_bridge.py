"""The year's configuration is what the statistics engine scores with."""

from __future__ import annotations

import json

from survey.years.config import default_config, validate
from survey.years.evaluation import engine_problem, evaluation_config


def test_default_year_config_becomes_the_engine_config():
    year = default_config()
    config = evaluation_config(year)
    stored = json.loads(config.to_json())
    assert stored["dimension_weights"] == year["dimension_weights"]
    for group, n in year["min_group_n"].items():
        assert stored["groups"][group]["min_n"] == n
    assert engine_problem(year) is None
    assert validate(year) == year


def test_edited_weights_reach_the_engine():
    year = default_config()
    year["dimension_weights"] = {
        "comprehensiveness": 0.1,
        "timeliness": 0.1,
        "effectiveness": 0.5,
        "cooperation": 0.3,
    }
    year["bands"] = {"excellent": 85.0, "good": 75.0, "fair": 60.0}
    year["group_weights"]["cooperation"] = {
        "public": 0.0,
        "deputy": 0.2,
        "grassroots": 0.3,
        "peer": 0.5,
    }
    stored = json.loads(evaluation_config(year).to_json())
    assert stored["dimension_weights"]["effectiveness"] == 0.5
    assert stored["group_weights"]["default"]["cooperation"] == year["group_weights"]["cooperation"]
    assert stored["bands"] == year["bands"]
