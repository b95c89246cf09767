"""How the results page shows a campaign's figures (the figures themselves are
``results.campaign_results``'s): one item at a time as a compact table across agencies, sorted
by a GET parameter (no JavaScript), and one agency's items on a page of its own."""

from __future__ import annotations

from dataclasses import dataclass

from survey.questionnaires.schema import Item
from survey.responses.admin.results import AgencyFigures, Cell, Results

SORTS = ("position", "name", "n", "mean", "dont_know")


@dataclass(frozen=True)
class Row:
    agency_id: int
    label: str
    included: int
    cell: Cell | None  # None: the agency's responses are too few to break down

    def key(self, sort: str):
        cell = self.cell
        if sort == "name":
            return self.label
        if cell is None:
            return -1.0
        if sort == "mean":
            return cell.mean if cell.mean is not None else -1.0
        if sort == "dont_know":
            return cell.dont_know
        return cell.n


@dataclass(frozen=True)
class ItemTable:
    item: Item
    number: int  # the question's number in the questionnaire
    rows: list[Row]
    sort: str
    descending: bool


def chosen_item(results: Results, item_id: str | None) -> tuple[int, Item] | None:
    numbered = list(enumerate(results.items, start=1))
    for number, item in numbered:
        if item.id == item_id:
            return number, item
    return numbered[0] if numbered else None


def item_table(results: Results, item_id: str | None, sort: str, order: str) -> ItemTable | None:
    chosen = chosen_item(results, item_id)
    if chosen is None:
        return None
    number, item = chosen
    sort = sort if sort in SORTS else "position"
    descending = order == "desc"
    rows = [
        Row(f.agency_id, f.label, f.included, f.cells.get(item.id) if f.shown else None)
        for f in results.figures
    ]
    if sort != "position":
        shown = sorted((r for r in rows if r.cell is not None), key=lambda r: r.key(sort))
        if descending:
            shown.reverse()
        rows = shown + [r for r in rows if r.cell is None]  # too few: always last
    elif descending:
        rows.reverse()
    return ItemTable(item, number, rows, sort, descending)


def agency_figures(results: Results, agency_id: int) -> AgencyFigures | None:
    return next((f for f in results.figures if f.agency_id == agency_id), None)
