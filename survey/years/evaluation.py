"""The bridge from a year's configuration to the statistics engine's ``EvaluationConfig``.

The year stores what the 编办 edits (weights, bands, minimum n); everything else keeps the
engine's documented defaults (analysis/METHODS.md). Saving a year checks that the engine
accepts the result, so a year can never hold a configuration its scoring would refuse.
"""

from __future__ import annotations

from analysis import ConfigError, EvaluationConfig


def evaluation_config(year_config: dict) -> EvaluationConfig:
    return EvaluationConfig.from_dict(
        {
            "dimension_weights": year_config["dimension_weights"],
            "group_weights": {"default": year_config["group_weights"]},
            "bands": year_config["bands"],
            "groups": {group: {"min_n": n} for group, n in year_config["min_group_n"].items()},
        }
    )


def engine_problem(year_config: dict) -> tuple[str, str] | None:
    """(field, message) when the engine refuses the configuration, else None."""
    try:
        evaluation_config(year_config)
    except ConfigError as error:
        return (getattr(error, "field", "") or "", str(error))
    return None
