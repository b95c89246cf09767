"""The dashboard's other tables as rows for survey.results.tables: each agency's dimensions,
its respondent groups and their items, and the quality page's tables; all read from the run's
stored document and its kept condensations, never recomputed."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.results.quality import FLAG_LABELS, REASONS, flag_sentence, reading
from survey.scores.exporting import kind_label
from survey.scores.models import DIMENSIONS
from survey.scores.words import SOURCE_GROUP_LABELS
from survey.years.config import DIMENSION_LABELS, GROUP_LABELS

Table = tuple[str, list[str], list[list]]


def _group(name: str) -> str:
    label = {**GROUP_LABELS, **SOURCE_GROUP_LABELS}.get(name)
    return str(label) if label is not None else name


def _dimension(name: str) -> str:
    label = DIMENSION_LABELS.get(name)
    return str(label) if label is not None else name


def _yes(value) -> str:
    return _("yes") if value else ""


def dimensions(ranking: list[dict]) -> list[Table]:
    """Per agency × dimension: score and its interval, or that it is not rated."""
    header = [
        _("Agency"),
        _("Kind"),
        _("Dimension"),
        _("Score"),
        _("Interval low"),
        _("Interval high"),
        _("Rated"),
    ]
    rows = [
        [
            r["name"],
            kind_label(r["kind"]),
            _dimension(d),
            r["dimensions"][d]["score"],
            r["dimensions"][d]["low"],
            r["dimensions"][d]["high"],
            _yes(r["dimensions"][d]["rated"]),
        ]
        for r in ranking
        for d in DIMENSIONS
    ]
    return [(_("Dimensions"), header, rows)]


def _present_groups(document: dict):
    for agency in document["agencies"]:
        for dimension in agency["engine"]["dimensions"]:
            for group in dimension.get("groups", []):
                if group.get("present"):
                    yield agency, dimension["dimension"], group


def groups(document: dict) -> list[Table]:
    """Per agency × dimension × respondent group, the figures the run stored for the cell."""
    header = [
        _("Agency"),
        _("Dimension"),
        _("Group"),
        _("Weight"),
        _("Responses"),
        _("Responses incl. flagged"),
        _("Mean"),
        _("Trimmed mean"),
        _("Shrunk score"),
        _("Interval low"),
        _("Interval high"),
        _("Reliability"),
        _("Low confidence"),
    ]
    rows = [
        [
            agency["name"],
            _dimension(dimension),
            _group(g["group"]),
            g.get("weight"),
            g.get("n"),
            g.get("n_with_flagged"),
            g.get("mean"),
            g.get("trimmed_mean"),
            g.get("score"),
            g.get("score_ci_low"),
            g.get("score_ci_high"),
            g.get("reliability"),
            _yes(g.get("low_confidence")),
        ]
        for agency, dimension, g in _present_groups(document)
    ]
    return [(_("Respondent groups"), header, rows)]


def items(document: dict) -> list[Table]:
    """Per agency × group × item, the answers counted and their mean, as stored."""
    texts = document.get("item_texts", {})
    header = [
        _("Agency"),
        _("Dimension"),
        _("Group"),
        _("Item"),
        _("Question"),
        _("Answers"),
        _("Mean"),
    ]
    rows = [
        [
            agency["name"],
            _dimension(dimension),
            _group(g["group"]),
            i["item_id"],
            texts.get(g["group"], {}).get(i["item_id"], ""),
            i["n"],
            i["mean"],
        ]
        for agency, dimension, g in _present_groups(document)
        for i in g.get("items", [])
    ]
    return [(_("Survey items"), header, rows)]


def quality(data: dict) -> list[Table]:
    """The quality page's tables: responses per group, agencies short of a minimum,
    reliability with its reading (from the kept condensation the page reads)."""
    responses = (
        _("Responses per group"),
        [
            _("Group"),
            _("Received"),
            _("Used"),
            _("Left out"),
            *[str(FLAG_LABELS[r]) for r in REASONS],
            _("Kept after a supervisor's review"),
        ],
        [
            [
                _group(r["group"]),
                r.get("received"),
                r.get("used"),
                r.get("excluded"),
                *[r.get(reason, 0) for reason in REASONS],
                r.get("kept_by_review"),
            ]
            for r in data["responses"]
        ],
    )
    short = (
        _("Short of minimum"),
        [_("Agency"), _("Group"), _("Dimension"), _("Responses"), _("Minimum")],
        [
            [r["agency"], _group(r["group"]), _dimension(r["dimension"]), r["n"], r["minimum"]]
            for r in data["short"]
        ],
    )
    reliability = (
        _("Reliability"),
        [
            _("Group"),
            _("Dimension"),
            _("Cronbach's α"),
            _("Interval low"),
            _("Interval high"),
            "ICC(2,k)",
            _("Krippendorff's α"),
            "AC2",
            _("Reliability of the agencies' scores"),
            _("Reading"),
        ],
        [
            [
                _group(r["group"]),
                _dimension(r["dimension"]),
                r.get("alpha"),
                r.get("alpha_ci_low"),
                r.get("alpha_ci_high"),
                r.get("icc_2k"),
                r.get("krippendorff_alpha"),
                r.get("gwet_ac2"),
                r.get("score_reliability"),
                reading(r),
            ]
            for r in data["reliability"]
        ],
    )
    flags = (
        _("Round-wise flags"),
        [_("Kind"), _("Agencies"), _("Round-wise p"), _("Reading")],
        [
            [
                _("Pair rating each other up") if f["kind"] == "pair" else _("Rival rater"),
                "、".join(f["who"]),
                f["p"],
                flag_sentence(f, data.get("round_tests", {})),
            ]
            for f in data.get("round_flags", [])
        ],
    )
    return [responses, short, reliability, flags]
