"""The year's evaluation standards (第八条): the rules that turn targets, findings,
self-assessments, imported scores and 加减分 into scores. Stored in the year's configuration
under ``standards``, checked when saved, described in plain words on the year page, and copied
into every scoring run.
"""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l

# The five categories of 职能重点指标 (第七条), as in survey.targets.models.Category.
CATEGORIES = ("party_government", "core_duty", "system_task", "coordination", "other")
SEVERITIES = ("minor", "moderate", "serious")
WEIGHTINGS = ("equal", "category")

DEFAULT_STANDARDS = {
    # 履职时效度: a target done by its deadline scores 100; done late loses points per day
    # down to a floor; not done by the deadline scores not_done_score. Targets not yet due
    # and not done are left out.
    "late_deduction_per_day": 1.0,
    "late_floor": 60.0,
    "not_done_score": 0.0,
    # "equal": every target counts the same; "category": by the weights below.
    "target_weighting": "equal",
    "category_weights": {
        "party_government": 1.5,
        "core_duty": 1.2,
        "system_task": 1.0,
        "coordination": 1.0,
        "other": 0.8,
    },
    # 履职全面度: coverage of the required categories and of the business sections, then
    # points off per duty finding (越位/缺位/错位) by severity, never below 0.
    "required_categories": ["party_government", "core_duty", "system_task", "coordination"],
    "category_share": 0.5,
    "finding_deductions": {"minor": 2.0, "moderate": 5.0, "serious": 10.0},
    # 履职成效度: social evaluation, with the verified self-assessment and imported
    # public-indicator scores at these weights (the social groups share the rest).
    "self_weight": 0.2,
    "indicator_weight": 0.1,
    # 加减分: the most a year's bonus items and deduction items can move one composite.
    "bonus_cap": 5.0,
    "deduction_cap": 10.0,
}


def plain_copy(value):
    """A deep copy of plain configuration data (dicts, lists, tuples, scalars), several times
    faster than ``copy.deepcopy``: pages read the year's settings and standards per request."""
    if isinstance(value, dict):
        return {key: plain_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_copy(item) for item in value]
    if isinstance(value, tuple):
        return tuple(plain_copy(item) for item in value)
    return value


def default_standards() -> dict:
    return plain_copy(DEFAULT_STANDARDS)


def standards_of(config: dict) -> dict:
    """The year's standards with any setting added since they were saved at its default."""
    merged = default_standards()
    merged.update(plain_copy(config.get("standards") or {}))
    return merged


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _range(errors, path, value, low, high) -> float | None:
    number = _number(value)
    if number is None or not low <= number <= high:
        errors.append(
            (path, str(_l("Must be a number from %(low)s to %(high)s.", low=low, high=high)))
        )
        return None
    return number


def check(errors: list[tuple[str, str]], standards) -> None:
    """Append (field path, message) for every problem of ``standards``."""
    if not isinstance(standards, dict):
        errors.append(("standards", str(_l("The evaluation standards must be an object."))))
        return
    unknown = set(standards) - set(DEFAULT_STANDARDS)
    if unknown:
        errors.append(
            (
                "standards",
                str(_l("Unknown standards: %(names)s", names=", ".join(sorted(unknown)))),
            )
        )
    path = "standards."
    _range(errors, path + "late_deduction_per_day", standards["late_deduction_per_day"], 0, 100)
    _range(errors, path + "late_floor", standards["late_floor"], 0, 100)
    _range(errors, path + "not_done_score", standards["not_done_score"], 0, 100)
    floor, not_done = _number(standards["late_floor"]), _number(standards["not_done_score"])
    if floor is not None and not_done is not None and not_done > floor:
        errors.append(
            (
                path + "not_done_score",
                str(_l("A target not done cannot score more than one done late.")),
            )
        )
    if standards["target_weighting"] not in WEIGHTINGS:
        errors.append((path + "target_weighting", str(_l("Choose equal or by category."))))
    weights = standards["category_weights"]
    if not isinstance(weights, dict) or set(weights) != set(CATEGORIES):
        errors.append((path + "category_weights", str(_l("A weight is needed per category."))))
    else:
        for name in CATEGORIES:
            _range(errors, f"{path}category_weights.{name}", weights[name], 0, 10)
    required = standards["required_categories"]
    if (
        not isinstance(required, list)
        or not required
        or any(name not in CATEGORIES for name in required)
        or len(set(required)) != len(required)
    ):
        errors.append(
            (path + "required_categories", str(_l("Choose at least one required category.")))
        )
    _range(errors, path + "category_share", standards["category_share"], 0, 1)
    deductions = standards["finding_deductions"]
    if not isinstance(deductions, dict) or set(deductions) != set(SEVERITIES):
        errors.append((path + "finding_deductions", str(_l("A deduction is needed per severity."))))
    else:
        for name in SEVERITIES:
            _range(errors, f"{path}finding_deductions.{name}", deductions[name], 0, 100)
    own = _range(errors, path + "self_weight", standards["self_weight"], 0, 0.8)
    imported = _range(errors, path + "indicator_weight", standards["indicator_weight"], 0, 0.8)
    if own is not None and imported is not None and own + imported > 0.8 + 1e-9:
        errors.append(
            (
                path + "indicator_weight",
                str(_l("Self-assessment and imported scores together may weigh at most 0.8.")),
            )
        )
    _range(errors, path + "bonus_cap", standards["bonus_cap"], 0, 20)
    _range(errors, path + "deduction_cap", standards["deduction_cap"], 0, 20)


def describe(standards: dict) -> list[str]:
    """The standards in plain sentences, for the year page and the run's export."""
    s = standards
    weighting = (
        _l("every target counts the same")
        if s["target_weighting"] == "equal"
        else _l("targets are weighted by category")
    )
    return [
        str(
            _l(
                "Timeliness: a target done by its deadline scores 100; done late it loses "
                "%(per_day)s points a day, down to %(floor)s; not done by its deadline it "
                "scores %(not_done)s; targets not yet due are left out; %(weighting)s.",
                per_day=_plain(s["late_deduction_per_day"]),
                floor=_plain(s["late_floor"]),
                not_done=_plain(s["not_done_score"]),
                weighting=weighting,
            )
        ),
        str(
            _l(
                "Comprehensiveness: %(share)s%% of the points for covering the required "
                "categories (%(count)d), the rest for covering every business section; each "
                "duty finding takes off %(minor)s / %(moderate)s / %(serious)s points "
                "(minor / moderate / serious), never below 0.",
                share=_plain(100 * s["category_share"]),
                count=len(s["required_categories"]),
                minor=_plain(s["finding_deductions"]["minor"]),
                moderate=_plain(s["finding_deductions"]["moderate"]),
                serious=_plain(s["finding_deductions"]["serious"]),
            )
        ),
        str(
            _l(
                "Effectiveness: social evaluation with the verified self-assessment at "
                "weight %(own)s and imported public-indicator scores at weight %(imported)s.",
                own=_plain(s["self_weight"]),
                imported=_plain(s["indicator_weight"]),
            )
        ),
        str(
            _l(
                "Bonus and deduction items move a composite by at most +%(bonus)s / "
                "−%(deduction)s points.",
                bonus=_plain(s["bonus_cap"]),
                deduction=_plain(s["deduction_cap"]),
            )
        ),
    ]


def _plain(value) -> str:
    return format(float(value), "g")
