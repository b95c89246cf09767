"""The year's configuration (第七条, 第八条): weights, bands and rules, validated on save.

Stored as JSON on the year; the analysis library receives it with every result.
"""

from __future__ import annotations

import datetime as dt
import math

from flask_babel import lazy_gettext as _l

from survey.years import standards as evaluation_standards
from survey.years.standards import plain_copy

DIMENSIONS = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")
GROUPS = ("public", "deputy", "grassroots", "peer")
RATED_DIMENSIONS = ("effectiveness", "cooperation")
BANDS = ("excellent", "good", "fair")  # lower bounds; below "fair" is 较差

DIMENSION_LABELS = {
    "comprehensiveness": _l("Comprehensiveness (履职全面度)"),
    "timeliness": _l("Timeliness (履职时效度)"),
    "effectiveness": _l("Effectiveness (履职成效度)"),
    "cooperation": _l("Cooperation (履职配合度)"),
}
GROUP_LABELS = {
    "public": _l("Public (人民群众)"),
    "deputy": _l("Deputies (两代表一委员)"),
    "grassroots": _l("Grassroots units (基层部门)"),
    "peer": _l("Peer agencies (部门互评)"),
}
BAND_LABELS = {
    "excellent": _l("Excellent (优秀) from"),
    "good": _l("Good (良好) from"),
    "fair": _l("Fair (一般) from"),
}

# STATISTICS.md §2.7 (high public contact profile) and §5; SPEC §3 minimum cell of 5.
DEFAULT_CONFIG = {
    "dimension_weights": {
        "comprehensiveness": 0.2,
        "timeliness": 0.2,
        "effectiveness": 0.35,
        "cooperation": 0.25,
    },
    "group_weights": {
        "effectiveness": {"public": 0.3, "deputy": 0.3, "grassroots": 0.3, "peer": 0.1},
        "cooperation": {"public": 0.0, "deputy": 0.0, "grassroots": 0.4, "peer": 0.6},
    },
    "bands": {"excellent": 90.0, "good": 80.0, "fair": 70.0},
    "min_cell_size": 5,
    "min_group_n": {"public": 30, "deputy": 5, "grassroots": 5, "peer": 5},
    "min_targets": 5,
    "min_targets_per_business_section": 1,
    # The evaluation standard's scale for self-scores and verified scores (第八条).
    "self_score_max": 100,
    # Targets due within this many days are flagged on the home pages.
    "due_soon_days": 14,
    # Summary reports are accepted from the first to the last day (MM-DD, in the year itself).
    "summary_windows": {
        "half_year": {"opens": "06-15", "closes": "07-15"},
        "year_end": {"opens": "11-15", "closes": "12-31"},
    },
    # The evaluation standards (第八条): survey/years/standards.py.
    "standards": evaluation_standards.DEFAULT_STANDARDS,
    # The last day (YYYY-MM-DD) an agency's leader may object to a published run (复核申请);
    # None until the office sets it (survey/results).
    "objection_closes": None,
}
SUMMARY_KINDS = ("half_year", "year_end")


class ConfigInvalid(ValueError):
    """Each entry of ``errors`` is (field path, message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


def default_config() -> dict:
    return plain_copy(DEFAULT_CONFIG)


def with_defaults(config: dict) -> dict:
    """The configuration with settings added after it was saved taking their defaults."""
    merged = default_config()
    merged.update(plain_copy(config))
    return merged


def window_dates(config: dict, kind: str, year: int) -> tuple[dt.date, dt.date]:
    window = with_defaults(config)["summary_windows"][kind]
    return _month_day(window["opens"], year), _month_day(window["closes"], year)


def _month_day(text: str, year: int) -> dt.date:
    month, day = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


def _check_windows(errors, windows) -> None:
    if not isinstance(windows, dict) or set(windows) != set(SUMMARY_KINDS):
        errors.append(("summary_windows", str(_l("A window is needed for each summary."))))
        return
    for kind in SUMMARY_KINDS:
        window = windows[kind]
        path = f"summary_windows.{kind}"
        try:
            opens = _month_day(window["opens"], 2024)  # a leap year: 02-29 is a valid day
            closes = _month_day(window["closes"], 2024)
        except (TypeError, KeyError, ValueError, AttributeError):
            errors.append((path, str(_l("Give the window as two days of the year, MM-DD."))))
            continue
        if closes < opens:
            errors.append((path, str(_l("The window must close on or after the day it opens."))))


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _check_weights(errors, path: str, weights, keys) -> None:
    if not isinstance(weights, dict) or set(weights) != set(keys):
        errors.append(
            (path, str(_l("Expected a weight for each of: %(keys)s", keys=", ".join(keys))))
        )
        return
    total = 0.0
    for key in keys:
        value = _number(weights[key])
        if value is None or value < 0 or value > 1:
            errors.append((f"{path}.{key}", str(_l("A weight must be between 0 and 1."))))
            return
        total += value
    if abs(total - 1.0) > 1e-6:
        errors.append(
            (
                path,
                str(
                    _l("The weights must add up to 1 (now %(total)s).", total=format(total, ".4g"))
                ),
            )
        )


def _check_count(errors, path: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        errors.append((path, str(_l("Must be a whole number of at least %(n)d.", n=minimum))))


def _check_day(errors, path: str, value) -> None:
    if value is None:
        return
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append((path, str(_l("Write the date as YYYY-MM-DD, e.g. 2027-01-20."))))


def objection_closes(config: dict) -> dt.date | None:
    """The last day objections to a published run are accepted, if the year sets one."""
    value = with_defaults(config).get("objection_closes")
    return dt.date.fromisoformat(value) if value else None


def validate(config: dict) -> dict:
    """Return the configuration if it is valid; raise ConfigInvalid listing every problem."""
    errors: list[tuple[str, str]] = []
    if not isinstance(config, dict):
        raise ConfigInvalid([("", str(_l("The configuration must be an object.")))])
    config = with_defaults(config)
    unknown = set(config) - set(DEFAULT_CONFIG)
    if unknown:
        errors.append(
            ("", str(_l("Unknown settings: %(names)s", names=", ".join(sorted(unknown)))))
        )
    _check_weights(errors, "dimension_weights", config.get("dimension_weights"), DIMENSIONS)
    group_weights = config.get("group_weights")
    if not isinstance(group_weights, dict) or set(group_weights) != set(RATED_DIMENSIONS):
        errors.append(
            (
                "group_weights",
                str(_l("Group weights are needed for effectiveness and cooperation.")),
            )
        )
    else:
        for dimension in RATED_DIMENSIONS:
            _check_weights(errors, f"group_weights.{dimension}", group_weights[dimension], GROUPS)
    bands = config.get("bands")
    if not isinstance(bands, dict) or set(bands) != set(BANDS):
        errors.append(("bands", str(_l("Bands need excellent, good and fair thresholds."))))
    else:
        values = [_number(bands[name]) for name in BANDS]
        if any(value is None or not 0 <= value <= 100 for value in values):
            errors.append(("bands", str(_l("Band thresholds must be between 0 and 100."))))
        elif not values[0] > values[1] > values[2]:
            errors.append(("bands", str(_l("Thresholds must fall: excellent > good > fair."))))
    _check_count(errors, "min_cell_size", config.get("min_cell_size"), 1)
    min_group_n = config.get("min_group_n")
    if not isinstance(min_group_n, dict) or set(min_group_n) != set(GROUPS):
        errors.append(("min_group_n", str(_l("A minimum is needed for every group."))))
    else:
        for group in GROUPS:
            _check_count(errors, f"min_group_n.{group}", min_group_n[group], 1)
    _check_count(errors, "min_targets", config.get("min_targets"), 1)
    _check_count(
        errors,
        "min_targets_per_business_section",
        config.get("min_targets_per_business_section"),
        0,
    )
    _check_count(errors, "self_score_max", config.get("self_score_max"), 1)
    _check_count(errors, "due_soon_days", config.get("due_soon_days"), 0)
    _check_windows(errors, config.get("summary_windows"))
    _check_day(errors, "objection_closes", config.get("objection_closes"))
    config["standards"] = evaluation_standards.standards_of(config)
    evaluation_standards.check(errors, config["standards"])
    if errors:
        raise ConfigInvalid(errors)
    from survey.years.evaluation import engine_problem  # late: the engine loads on demand

    problem = engine_problem(config)
    if problem is not None:
        raise ConfigInvalid([problem])
    return config
