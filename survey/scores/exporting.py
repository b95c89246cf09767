"""The score table for the performance assessment (第十四条): one row per agency, as .xlsx
(with a sheet of the configuration used and the run's checksums) and as CSV."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from xlsxwriter import Workbook

from survey.agencies.models import AgencyKind
from survey.scores.models import DIMENSIONS, ScoringRun
from survey.scores.words import not_rated_text
from survey.spreadsheets import safe_text
from survey.years.config import DIMENSION_LABELS
from survey.years.standards import describe

BAND_NAMES = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}


def kind_label(value: str) -> str:
    try:
        return AgencyKind(value).label
    except ValueError:
        return value


def band_label(agency: dict) -> str:
    """优秀 …; 临界（优秀/良好） when no band is likely enough (the two it lies between);
    a band with its 临界 mark when the interval straddles a threshold."""
    if not agency["ranked"]:
        return _("Not ranked")
    between = agency.get("between")
    if agency["band"] is None and between:
        return _(
            "Borderline (%(upper)s/%(lower)s)",
            upper=BAND_NAMES.get(between[0], between[0]),
            lower=BAND_NAMES.get(between[-1], between[-1]),
        )
    text = BAND_NAMES.get(agency["band"], "")
    return _("%(band)s (borderline)", band=text) if agency["borderline"] and text else text


def _round(value, places=2):
    return None if value is None else round(value, places)


def header() -> list[str]:
    return [
        _("Agency"),
        _("Kind"),
        _("Jurisdiction"),
        *[str(DIMENSION_LABELS[d]) for d in DIMENSIONS],
        _("Bonus/deduction points"),
        _("Composite"),
        _("Composite interval (95%)"),
        _("Rank within kind"),
        _("Rank interval"),
        _("Band"),
        _("Not rated"),
    ]


def rows(run: ScoringRun, document: dict) -> list[list]:
    jurisdiction = run.year.jurisdiction.name
    out = []
    for agency in ordered(document["agencies"]):
        dims = agency["dimensions"]
        interval = (
            f"{agency['composite_low']:.1f}–{agency['composite_high']:.1f}"
            if agency["composite_low"] is not None
            else ""
        )
        ranks = (
            f"{agency['rank_low']}–{agency['rank_high']}" if agency["rank_low"] is not None else ""
        )
        out.append(
            [
                agency["name"],
                kind_label(agency["kind"]),
                jurisdiction,
                *[_round(dims[d]["score"]) if dims[d]["rated"] else None for d in DIMENSIONS],
                _round(agency["adjustment"]),
                _round(agency["composite"]),
                interval,
                agency["rank"],
                ranks,
                band_label(agency),
                "；".join(not_rated_text(entry) for entry in agency["not_rated"]),
            ]
        )
    return out


def ordered(agencies: list[dict]) -> list[dict]:
    """By kind, then rank within it; agencies not ranked last, by name."""
    return sorted(agencies, key=lambda a: (a["kind"], a["rank"] is None, a["rank"] or 0, a["name"]))


def score_csv(run: ScoringRun, document: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for row in rows(run, document):
        writer.writerow([safe_text(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8


def score_xlsx(run: ScoringRun, document: dict) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "0.00"})
    sheet = workbook.add_worksheet(_("Scores"))
    for column, title in enumerate(header()):
        sheet.write_string(0, column, title, bold)
    for r, row in enumerate(rows(run, document), start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, column, value)
            else:
                sheet.write_number(r, column, value, number)
    sheet.freeze_panes(1, 1)
    for column, width in enumerate([34, 12, 10, 11, 11, 11, 11, 10, 10, 14, 10, 10, 12, 60]):
        sheet.set_column(column, column, width)
    info = workbook.add_worksheet(_("Configuration"))
    lines = [
        (_("Year"), f"{run.year.jurisdiction.name} {run.year.year}"),
        (_("Run"), str(run.number)),
        (_("Computed at (UTC)"), run.created_at.isoformat(timespec="seconds")),
        (_("Deadlines judged as of"), run.as_of.isoformat()),
        (_("Engine version"), run.engine_version),
        (_("Input checksum"), run.input_checksum),
        (_("Result checksum"), run.result_checksum),
        *((_("Evaluation standard"), sentence) for sentence in describe(run.standards)),
        (_("Engine configuration (JSON)"), run.configuration),
    ]
    for r, (name, value) in enumerate(lines):
        info.write_string(r, 0, name, bold)
        info.write_string(r, 1, value)
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 100)
    workbook.close()
    return buffer.getvalue()
