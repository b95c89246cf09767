"""The year's configuration is what the statistics engine scores with."""

from __future__ import annotations

import json

from survey.years.config import DEFAULT_CONFIG, default_config, validate, with_defaults
from survey.years.evaluation import engine_problem, evaluation_config
from survey.years.standards import DEFAULT_STANDARDS, standards_of


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


def test_settings_are_copied_deeply_so_a_page_never_edits_the_defaults():
    """default_config, with_defaults and standards_of hand out copies: changing a nested
    setting of one leaves the defaults and the saved configuration as they were."""
    pristine = json.dumps(DEFAULT_CONFIG, sort_keys=True)
    saved = {"min_group_n": {"public": 7}, "standards": {"deduction_cap": 3.0}}
    for config in (default_config(), with_defaults(saved)):
        config["min_group_n"]["public"] = -1
        config["group_weights"]["effectiveness"]["public"] = -1
    assert json.dumps(DEFAULT_CONFIG, sort_keys=True) == pristine
    assert saved["min_group_n"] == {"public": 7}
    standards = standards_of(saved)
    assert standards["deduction_cap"] == 3.0
    standards["deduction_cap"] = 0.0
    assert saved["standards"]["deduction_cap"] == 3.0
    assert DEFAULT_STANDARDS["deduction_cap"] == 10.0
