"""From a year's inputs to its results: the standards applied, the engine called once, every
agency's rating marks and explanation assembled into one JSON-ready document.

The verified self-assessment and the imported public-indicator scores enter the engine as two
more sources of 履职成效度 (groups ``self`` and ``indicators``, one row per agency and per
indicator, on a 0–100 scale, plain means without shrinkage or trimming), so the engine weighs,
renormalises and explains them as it does the respondent groups. 加减分 and the rating marks
enter through the agencies table (``adjustment``, ``ranked``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis import ConfigError, EvaluationConfig, evaluate
from survey.scores import answers, loading, rules
from survey.scores.inputs import Inputs
from survey.scores.loading import EXCLUDING_FLAGS, REVIEWED, items_table
from survey.scores.words import missing_input
from survey.years.config import GROUPS, RATED_DIMENSIONS
from survey.years.evaluation import evaluation_config
from survey.years.standards import standards_of

SELF, INDICATORS = "self", "indicators"
SELF_ITEM, INDICATOR_ITEM = "self.score", "indicators.score"
SOURCE_GROUP = {
    "estimator": "mean",
    "trim": 0.0,
    "trim_count": None,
    "trim_min_n": 3,
    "min_n": 1,
    "speed_check": False,
    "burst_check": False,
    "min_share": 0.0,
    # Not a sample of raters: the agencies' survey scores are not shrunk towards it (nor it
    # towards them) — else a higher self-score would lift an agency's public score.
    "joint": False,
}
FIXED = ("comprehensiveness", "timeliness")


class NothingToScore(ValueError):
    """The year lacks what a run needs; ``problems`` lists each thing missing."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def engine_config(year_config: dict) -> EvaluationConfig:
    """The year's engine configuration with the two extra 成效度 sources and the product's
    exclusion rule (the collection's flags, unless a supervisor's review included it)."""
    standards = standards_of(year_config)
    data = evaluation_config(year_config).to_dict()
    own, imported = float(standards["self_weight"]), float(standards["indicator_weight"])
    social = 1.0 - own - imported
    profile = data["group_weights"]["default"]
    profile["effectiveness"] = {
        **{g: w * social for g, w in profile["effectiveness"].items()},
        SELF: own,
        INDICATORS: imported,
    }
    profile["cooperation"] = {**profile["cooperation"], SELF: 0.0, INDICATORS: 0.0}
    data["group_weights"] = {"default": profile}
    data["groups"] = {**data["groups"], SELF: SOURCE_GROUP, INDICATORS: SOURCE_GROUP}
    data["scales"] = {
        **data["scales"],
        **{f"points{n}": {"kind": "linear", "low": 1, "high": n} for n in range(2, 12)},
        "score100": {"kind": "linear", "low": 0, "high": 100, "step": 0},
    }
    # Each row is a response of its own (a form submitted twice is refused by its submission
    # key), so identical answers — two paper questionnaires ticked alike — are two responses.
    data["quality"] = {
        **data["quality"],
        "exclude": list(EXCLUDING_FLAGS),
        "keep_flag": REVIEWED,
        "duplicates": "allow",
    }
    return EvaluationConfig.from_dict(data)


def _source_rows(scores: dict[int, float], group: str, item: str, start: int) -> pd.DataFrame:
    ids = sorted(scores)
    return pd.DataFrame(
        {
            "response_id": np.arange(start, start - len(ids), -1, dtype=np.int64),
            "group": group,
            "agency_id": np.array(ids, dtype=np.int64),
            "rater_id": np.nan,
            "duration_s": np.nan,
            "submitted_at": pd.NaT,
            "flags": "",
            item: [scores[i] for i in ids],
        }
    )


def survey_counts(frame: pd.DataFrame, items: pd.DataFrame, share: float) -> pd.DataFrame:
    """Per agency × group × dimension, the kept responses with a score — counted as the
    engine counts them (a respondent answers at least ``share`` of the dimension's items its
    questionnaire asks, and at least one; flagged responses count only when reviewed in)."""
    if not len(frame):
        return pd.DataFrame(columns=["agency_id", "group", "dimension", "n"])
    excluded = loading.excluded(frame["flags"])
    group_codes, group_names = pd.factorize(frame["group"].to_numpy(dtype=object))
    parts = []
    for dimension in RATED_DIMENSIONS:
        chosen = items[items["dimension"] == dimension]
        if chosen.empty:
            continue
        answered = frame[chosen["item_id"].tolist()].notna().to_numpy()
        asked = np.array(
            [[g in spec.split(",") for spec in chosen["groups"]] for g in group_names],
            dtype=bool,
        ).reshape(len(group_names), len(chosen))[group_codes]
        need = np.maximum(np.ceil(share * asked.sum(axis=1) - 1e-9), 1)
        ok = ((answered & asked).sum(axis=1) >= need) & ~excluded
        part = frame.loc[ok, ["agency_id", "group"]].value_counts().rename("n").reset_index()
        part["dimension"] = dimension
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["agency_id", "group", "dimension", "n"])
    return pd.concat(parts, ignore_index=True)


def _rated_surveys(counts, agencies, year_config) -> dict[tuple[int, str], dict]:
    """(agency, dimension) → the not-rated entry, for survey dimensions lacking evidence: no
    respondent group weighted in the dimension reaches its minimum of responses."""
    minimum = year_config["min_group_n"]
    weights = year_config["group_weights"]
    table = {(r.agency_id, r.group, r.dimension): int(r.n) for r in counts.itertuples()}
    out = {}
    for agency in agencies:
        for dimension in RATED_DIMENSIONS:
            groups = [g for g in GROUPS if weights[dimension][g] > 0]
            have = {g: table.get((agency.id, g, dimension), 0) for g in groups}
            if not any(have[g] >= minimum[g] for g in groups):
                out[(agency.id, dimension)] = {
                    "dimension": dimension,
                    "reason": rules.FEW_RESPONSES,
                    "responses": have,
                    "minimum": {g: minimum[g] for g in groups},
                }
    return out


def checked_engine_config(year_config: dict) -> EvaluationConfig:
    """``engine_config``, or NothingToScore naming the setting the engine refuses."""
    try:
        return engine_config(year_config)
    except ConfigError as error:
        raise NothingToScore([missing_input("configuration", str(error))]) from None


def compute(
    inputs: Inputs, year_config: dict, config: EvaluationConfig, *, workers: int | None = None
) -> dict:
    """The whole result of a run as JSON-ready data (see ``survey.scores.services``);
    ``config`` is ``checked_engine_config(year_config)``."""
    standards = standards_of(year_config)
    problems = _problems(inputs)
    if problems:
        raise NothingToScore(problems)

    fixed, details, not_rated, own, imported, adjustments = _apply_standards(
        inputs, standards, year_config
    )
    items = items_table(inputs.items)
    columns = items["item_id"].tolist()
    counts = survey_counts(inputs.responses, items, config.quality.min_answered_share)
    for (agency_id, _), entry in sorted(
        _rated_surveys(counts, inputs.agencies, year_config).items()
    ):
        not_rated[agency_id].append(entry)
    # The year's frame leaves the inputs here: the engine gets one copy, not two.
    frames = [inputs.release_responses()]
    if own:
        frames.append(_source_rows(own, SELF, SELF_ITEM, -1))
    if imported:
        frames.append(_source_rows(imported, INDICATORS, INDICATOR_ITEM, -1 - len(own)))
    responses = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    del frames
    extra = pd.DataFrame(
        {
            "item_id": [SELF_ITEM, INDICATOR_ITEM],
            "dimension": "effectiveness",
            "scale": "score100",
            "groups": [SELF, INDICATORS],
        }
    )
    items = pd.concat([items, extra], ignore_index=True)
    for column in (SELF_ITEM, INDICATOR_ITEM):
        if column not in responses.columns:
            responses[column] = np.nan
    agencies = pd.DataFrame(
        {
            "agency_id": [a.id for a in inputs.agencies],
            "kind": [a.kind for a in inputs.agencies],
            "profile": "default",
            "comprehensiveness": [
                _nan(fixed[(a.id, "comprehensiveness")]) for a in inputs.agencies
            ],
            "timeliness": [_nan(fixed[(a.id, "timeliness")]) for a in inputs.agencies],
            "adjustment": [adjustments[a.id] for a in inputs.agencies],
            "ranked": [not not_rated[a.id] for a in inputs.agencies],
        }
    )
    evaluation = evaluate(responses, items, config, agencies=agencies, workers=workers)
    flagged = evaluation.quality.flagged
    answered = answers.distribution(
        responses, columns, flagged.loc[flagged["excluded"], "response_id"].to_numpy()
    )
    del responses
    document = _document(inputs, evaluation, details, not_rated, counts, answered)
    document["gaps"] = questionnaire_gaps(inputs, year_config)
    return document


def _apply_standards(inputs: Inputs, standards: dict, year_config: dict):
    """Per agency: 时效度 and 全面度 (or their not-rated marks), the verified self-assessment,
    the imported scores and the net 加减分, each with the detail that explains it."""
    fixed, details = {}, {a.id: {} for a in inputs.agencies}
    not_rated: dict[int, list[dict]] = {a.id: [] for a in inputs.agencies}
    own, imported, adjustments = {}, {}, {}
    for agency in inputs.agencies:
        detail = details[agency.id]
        score, detail["timeliness"] = rules.timeliness(
            inputs.timeliness.get(agency.id, []), standards
        )
        for target in detail["timeliness"]["targets"]:
            target["deadline_changes"] = inputs.deadline_changes.get(target["target_id"], [])
        fixed[(agency.id, "timeliness")] = score
        score, detail["comprehensiveness"] = rules.comprehensiveness(
            inputs.coverage.get(agency.id), standards
        )
        fixed[(agency.id, "comprehensiveness")] = score
        for dimension in FIXED:
            reason = detail[dimension].get("not_rated")
            if reason:
                not_rated[agency.id].append({"dimension": dimension, "reason": reason})
        value, detail["self_assessment"] = rules.self_assessment(
            inputs.self_rows.get(agency.id, []), standards, float(year_config["self_score_max"])
        )
        if value is not None:
            own[agency.id] = value
        value, detail["indicators"] = rules.indicators(inputs.indicators.get(agency.id, []))
        if value is not None:
            imported[agency.id] = value
        adjustments[agency.id], detail["adjustment"] = rules.adjustment(
            inputs.score_items.get(agency.id, []), standards
        )

    return fixed, details, not_rated, own, imported, adjustments


def questionnaire_gaps(inputs: Inputs, year_config: dict) -> list[dict]:
    """Respondent groups weighted in a dimension whose questionnaires this year ask no item of
    it: their weight goes to the other sources, and the run says so."""
    asked = {(group, item.dimension) for item in inputs.items for group in item.groups}
    surveyed = {group for item in inputs.items for group in item.groups}
    return [
        {"group": group, "dimension": dimension}
        for dimension in RATED_DIMENSIONS
        for group in GROUPS
        if year_config["group_weights"][dimension][group] > 0
        and (group, dimension) not in asked
        and group in surveyed
    ] + [
        {"group": group, "dimension": None}
        for group in GROUPS
        if group not in surveyed
        and any(year_config["group_weights"][d][group] > 0 for d in RATED_DIMENSIONS)
    ]


def _problems(inputs: Inputs) -> list[str]:
    problems = []
    if not inputs.agencies:
        problems.append(missing_input("agencies"))
    if not len(inputs.responses):
        problems.append(missing_input("responses"))
    dimensions = {item.dimension for item in inputs.items}
    for dimension in RATED_DIMENSIONS:
        if dimension not in dimensions:
            problems.append(missing_input(f"items_{dimension}"))
    if not inputs.timeliness:
        problems.append(missing_input("targets"))
    return problems


def _nan(value) -> float:
    return math.nan if value is None else float(value)


def _document(inputs, evaluation, details, not_rated, counts, answered) -> dict:
    ranking = evaluation.ranking
    dims = evaluation.dimensions.set_index(["agency_id", "dimension"])
    agencies = []
    for agency in inputs.agencies:
        row = ranking.loc[agency.id]
        marks = {entry["dimension"] for entry in not_rated[agency.id]}
        scores = {}
        for dimension in ("comprehensiveness", "timeliness", "effectiveness", "cooperation"):
            value = rules.finite(dims.loc[(agency.id, dimension), "score"])
            scores[dimension] = {
                "score": value,
                "ci_low": rules.finite(dims.loc[(agency.id, dimension), "ci_low"]),
                "ci_high": rules.finite(dims.loc[(agency.id, dimension), "ci_high"]),
                "rated": dimension not in marks,
            }
        ranked = bool(row["ranked"])
        agencies.append(
            {
                "agency_id": agency.id,
                "name": agency.name,
                "kind": agency.kind,
                "dimensions": scores,
                "adjustment": rules.finite(row["adjustment"]) or 0.0,
                "composite": rules.finite(row["composite"]),
                "composite_low": rules.finite(row["composite_ci_low"]),
                "composite_high": rules.finite(row["composite_ci_high"]),
                "ranked": ranked,
                "rank": _int(row["rank"]) if ranked else None,
                "rank_low": _int(row["rank_low"]) if ranked else None,
                "rank_high": _int(row["rank_high"]) if ranked else None,
                "tie_group": _int(row["tie_group"]) if ranked else None,
                "band": row["band"] if ranked and isinstance(row["band"], str) else None,
                "borderline": bool(row["borderline"]) if ranked else False,
                # 临界: no band reaches the year's probability; the two it lies between.
                "between": _between(row) if ranked else None,
                "not_rated": not_rated[agency.id],
                "engine": evaluation.explain(agency.id),
                # Per group and item: [[answer, count], …] of the kept responses.
                "answers": answered.get(agency.id, {}),
                "sources": details[agency.id],
            }
        )
    return {
        "agencies": agencies,
        "item_texts": item_texts(inputs.items),
        "survey_counts": [
            {
                "agency_id": int(r.agency_id),
                "group": r.group,
                "dimension": r.dimension,
                "n": int(r.n),
            }
            for r in counts.sort_values(["agency_id", "group", "dimension"]).itertuples()
        ],
        "engine": evaluation.to_dict(),
    }


def item_texts(items) -> dict[str, dict[str, str]]:
    """Per respondent group, each column's question (the latest version's wording)."""
    texts: dict[str, dict[str, str]] = {}
    for item in items:
        for group in item.groups:
            texts.setdefault(group, {})[item.key] = item.text
    return texts


def _between(row) -> list[str] | None:
    value = row.get("borderline_between")
    return value.split("/") if isinstance(value, str) and value else None


def _int(value) -> int | None:
    value = rules.finite(value)
    return None if value is None else int(round(value))
