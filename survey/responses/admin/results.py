"""A campaign's raw results as its pages show them: counts and per-agency item figures, from
the campaign's tally (``tallies.py``: counted in SQL, kept and extended as responses arrive).

Counts (by agency, by rater agency, by day, by flag reason) are always shown. Item means and
distributions are broken down per agency only where the cell holds at least the year's minimum
cell size of counted responses (SPEC §3 anonymity, default 5); smaller cells are hidden.
Excluded responses (flagged and not included by a review) never enter the item figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.campaigns.models import Campaign, CampaignAgency
from survey.campaigns.queries import definition_of
from survey.numbers import plain_int
from survey.questionnaires.schema import Item
from survey.responses.admin.tallies import Tally, count, current_tally
from survey.responses.models import FlagReason

DEFAULT_MIN_CELL = 5


@dataclass
class Count:
    label: str
    total: int = 0
    excluded: int = 0

    @property
    def included(self) -> int:
        return self.total - self.excluded


@dataclass
class Cell:
    """One agency × one item, over counted responses."""

    n: int = 0  # answered with a value (不了解 and blanks not counted)
    dont_know: int = 0
    values: dict[str, int] = field(default_factory=dict)
    mean: float | None = None


@dataclass
class AgencyFigures:
    agency_id: int
    label: str
    included: int
    shown: bool
    cells: dict[str, Cell]


@dataclass
class Results:
    campaign: Campaign
    min_cell: int
    total: int
    excluded: int
    by_agency: list[Count]
    by_rater: list[Count]
    by_day: list[tuple[dt.date, int]]
    by_reason: list[tuple[FlagReason, int]]
    items: list[Item]
    figures: list[AgencyFigures]

    @property
    def included(self) -> int:
        return self.total - self.excluded


def min_cell_size(campaign: Campaign) -> int:
    config = campaign.year.config or {}
    try:
        return max(1, int(config.get("min_cell_size", DEFAULT_MIN_CELL)))
    except (TypeError, ValueError):
        return DEFAULT_MIN_CELL


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _agency_names(session: Session, ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids))).all())


def figure_items(campaign: Campaign) -> list[Item]:
    return [item for item in definition_of(campaign).items if item.item_type.has_figures]


def campaign_results(session: Session, campaign: Campaign) -> Results:
    """The campaign's results counted from nothing (every response read)."""
    items = figure_items(campaign)
    return present(session, campaign, items, count(session, campaign.id, [i.id for i in items]))


def current_results(session: Session, campaign: Campaign, *, now=None) -> Results:
    """The campaign's results from its stored tally, brought up to date with the responses
    and reviews since (``tallies.py``): what the pages show."""
    items = figure_items(campaign)
    tally = current_tally(session, campaign.id, [i.id for i in items], now=now)
    return present(session, campaign, items, tally)


def flagged_total(
    session: Session, campaign: Campaign, reason: FlagReason | None = None, *, now=None
) -> int:
    """How many of the campaign's responses are flagged (for this reason), from its tally."""
    items = figure_items(campaign)
    tally = current_tally(session, campaign.id, [i.id for i in items], now=now)
    return tally.flagged if reason is None else tally.reasons.get(reason.value, 0)


def present(session: Session, campaign: Campaign, items: list[Item], tally: Tally) -> Results:
    """Results as the pages show them: names, the campaign's agency order and the minimum
    cell size are read now, so a staff change shows at once without any recount."""
    min_cell = min_cell_size(campaign)
    campaign_agency_ids = list(
        session.scalars(
            select(CampaignAgency.agency_id)
            .where(CampaignAgency.campaign_id == campaign.id)
            .order_by(CampaignAgency.position, CampaignAgency.id)
        )
    )
    names = _agency_names(session, set(campaign_agency_ids) | set(tally.agencies))
    agency_order = campaign_agency_ids + sorted(
        a for a in tally.agencies if a not in campaign_agency_ids
    )
    by_agency = []
    for agency_id in agency_order:
        total, excluded = tally.agencies.get(agency_id, (0, 0))
        by_agency.append(Count(names.get(agency_id, str(agency_id)), total, excluded))

    by_rater = []
    if campaign.respondent_group == "peer":
        rater_names = _agency_names(session, tally.raters)
        for rater_id, (total, excluded) in sorted(tally.raters.items(), key=lambda kv: kv[0] or 0):
            by_rater.append(Count(rater_names.get(rater_id, "—"), total, excluded))

    by_day = [(_as_date(day), n) for day, n in sorted(tally.days.items()) if n]
    by_reason = [(FlagReason(reason), n) for reason, n in sorted(tally.reasons.items()) if n]
    figures = _figures(tally, items, by_agency, agency_order, min_cell)
    return Results(
        campaign=campaign,
        min_cell=min_cell,
        total=sum(c.total for c in by_agency),
        excluded=sum(c.excluded for c in by_agency),
        by_agency=by_agency,
        by_rater=by_rater,
        by_day=by_day,
        by_reason=by_reason,
        items=items,
        figures=figures,
    )


def _cell(values: dict[str | None, int]) -> Cell:
    cell = Cell()
    for value, n in values.items():
        if value is None:
            cell.dont_know += n
        else:
            cell.values[value] = n
            cell.n += n
    return cell


def _figures(tally, items, by_agency, agency_order, min_cell) -> list[AgencyFigures]:
    numbers: dict[str, int | None] = {}  # each stored value read as a number once per view
    figures = []
    for agency_id, count_ in zip(agency_order, by_agency, strict=True):
        shown = count_.included >= min_cell
        agency_cells = {}
        if shown:
            cells = tally.cells.get(agency_id, {})
            for item in items:
                cell = _cell(cells.get(item.id, {}))
                if cell.n < min_cell:
                    cell = Cell(n=cell.n)  # too few answers to this item: hide the breakdown
                elif item.item_type.has_mean:
                    weight = total = 0
                    for value, n in cell.values.items():
                        if value not in numbers:
                            numbers[value] = plain_int(value)
                        if (number := numbers[value]) is not None:
                            weight += n
                            total += number * n
                    cell.mean = total / weight if weight else None
                agency_cells[item.id] = cell
        figures.append(AgencyFigures(agency_id, count_.label, count_.included, shown, agency_cells))
    return figures
