"""Which move an item may make from which state, and whose move it is.

issued → acknowledged (签收) → in progress (progress reports) → submitted for verification →
returned (back to work) or verified → closed (销号) → reviewed after closing (整改回头看:
held, or reopened as a recurrence). Any item not yet closed can be cancelled, with the
reason. The agency makes its own moves; the office makes the others."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from survey.errors import DomainError
from survey.followup.models import EventKind, ItemState, RectificationItem

S = ItemState
WORKING = frozenset({S.acknowledged, S.in_progress, S.returned, S.reopened})
# Open items count against their deadline; the clock stops once measures are submitted.
RUNNING = frozenset({S.issued}) | WORKING
UNFINISHED = RUNNING | {S.submitted, S.verified}


@dataclass(frozen=True)
class Move:
    kind: EventKind
    sources: frozenset[ItemState]
    target: ItemState | None  # None: the state does not change (a progress report on it)
    by_agency: bool


MOVES = {
    "acknowledge": Move(EventKind.acknowledge, frozenset({S.issued}), S.acknowledged, True),
    "progress": Move(EventKind.progress, WORKING, S.in_progress, True),
    "submit": Move(EventKind.submit, WORKING, S.submitted, True),
    "return": Move(EventKind.return_, frozenset({S.submitted}), S.returned, False),
    "verify": Move(EventKind.verify, frozenset({S.submitted}), S.verified, False),
    "close": Move(EventKind.close, frozenset({S.verified}), S.closed, False),
    "review_held": Move(EventKind.review_held, frozenset({S.closed}), S.reviewed, False),
    "review_recurred": Move(EventKind.review_recurred, frozenset({S.closed}), S.reopened, False),
    "cancel": Move(EventKind.cancel, UNFINISHED, S.cancelled, False),
    "remind": Move(EventKind.remind, RUNNING, None, False),
    "extension_request": Move(EventKind.extension_request, RUNNING, None, True),
}


def check_move(item: RectificationItem, name: str, *, by_agency: bool) -> Move:
    move = MOVES[name]
    if move.by_agency != by_agency:
        raise DomainError(
            _l("Only the agency can do this.")
            if move.by_agency
            else _l("Only the office can do this.")
        )
    if item.state not in move.sources:
        raise DomainError(
            _l(
                "This cannot be done to an item that is %(state)s.",
                state=item.state.label,
            )
        )
    return move


def available(item: RectificationItem, *, by_agency: bool) -> set[str]:
    """The moves the page offers this side now."""
    return {
        name
        for name, move in MOVES.items()
        if move.by_agency == by_agency and item.state in move.sources
    }
