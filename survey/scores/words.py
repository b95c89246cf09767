"""The run's codes in words: why an agency is not rated, what a year lacks for a run."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.scores import rules
from survey.years.config import DIMENSION_LABELS, GROUP_LABELS

MISSING = {
    "agencies": _l("The year's jurisdiction has no agencies."),
    "responses": _l(
        "No survey of the year has responses yet: open a survey and collect answers first."
    ),
    "items_effectiveness": _l(
        "No questionnaire of the year's surveys has effectiveness (成效度) items."
    ),
    "items_cooperation": _l(
        "No questionnaire of the year's surveys has cooperation (配合度) items."
    ),
    "targets": _l("No agency has approved targets yet: approve the target sets first."),
}


def missing_input(code: str, detail: str = "") -> str:
    if code == "configuration":
        return _(
            "The year's configuration is not one the statistics engine accepts (%(detail)s):"
            " correct it on the year page.",
            detail=detail,
        )
    return str(MISSING[code])


def gap_text(gap: dict) -> str:
    group = str(GROUP_LABELS[gap["group"]])
    if gap["dimension"] is None:
        return _(
            "No survey of %(group)s was scored this year: its weight went to the other sources.",
            group=group,
        )
    return _(
        "The questionnaires of %(group)s ask no %(dimension)s item: its weight in that"
        " dimension went to the other sources.",
        group=group,
        dimension=str(DIMENSION_LABELS[gap["dimension"]]),
    )


def not_rated_text(entry: dict) -> str:
    """One not-rated mark in a sentence."""
    dimension = str(DIMENSION_LABELS[entry["dimension"]])
    reason = entry["reason"]
    if reason == rules.NO_APPROVED_TARGETS:
        return _("%(dimension)s: not rated — no approved targets.", dimension=dimension)
    if reason == rules.NO_TARGET_DUE:
        return _(
            "%(dimension)s: not rated — no approved target was due or done yet.",
            dimension=dimension,
        )
    counts = "; ".join(
        _(
            "%(group)s %(n)d of %(minimum)d",
            group=str(GROUP_LABELS[group]),
            n=entry["responses"][group],
            minimum=entry["minimum"][group],
        )
        for group in entry["responses"]
    )
    return _(
        "%(dimension)s: not rated — no respondent group reached its minimum of responses"
        " (%(counts)s).",
        dimension=dimension,
        counts=counts,
    )


INPUT_LABELS = {
    "agencies": _l("Agencies"),
    "responses": _l("Responses"),
    "responses_excluded": _l("Responses excluded by their flags"),
    "rating_items": _l("Rating items"),
    "approved_targets": _l("Approved targets"),
    "agencies_with_approved_targets": _l("Agencies with approved targets"),
    "self_assessed_targets": _l("Self-assessed targets"),
    "duty_findings": _l("Duty findings"),
    "indicator_scores": _l("Imported public-indicator scores"),
    "score_items": _l("Bonus and deduction items"),
}
SOURCE_LABELS = {
    "agencies": _l("Agencies"),
    "responses": _l("Responses"),
    "targets": _l("Targets"),
    "coverage": _l("Coverage and findings"),
    "self_assessment": _l("Self-assessment and verification"),
    "indicators": _l("Public indicators"),
    "score_items": _l("Bonus and deduction items"),
    "settings": _l("Settings and standards"),
}
SOURCE_GROUP_LABELS = {
    "self": _l("Verified self-assessment"),
    "indicators": _l("Imported public indicators"),
}
OUTCOME_LABELS = {
    "on_time": _l("On time"),
    "late": _l("Late"),
    "not_done": _l("Not done"),
    "open": _l("Not yet due"),
}
