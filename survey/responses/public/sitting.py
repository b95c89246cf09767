"""A token sitting: one respondent rating the campaign's agencies page by page, then
submitting once. Deputies rate many agencies; a peer agency rates every other agency in the
campaign, never itself.

The browser keeps only a signed session entry naming the campaign and the token's hash (the
token itself never returns to the address bar or a page); the answers so far live in a
server-side draft keyed by that hash, so a respondent can stop and resume, even on another
phone by scanning the code again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload

from survey.campaigns.models import Campaign, CampaignAgency, CampaignState, Token
from survey.db import db
from survey.responses.models import Draft

SESSION_KEY = "sitting"


@dataclass(frozen=True)
class RatedAgency:
    id: int
    name: str


# An open campaign's agencies never change (a campaign is edited only while draft), so they
# are read once per process; the random public code keys them (two databases, one process).
_AGENCIES: dict[str, tuple[RatedAgency, ...]] = {}


def campaign_agencies(campaign: Campaign) -> tuple[RatedAgency, ...]:
    cached = _AGENCIES.get(campaign.code)
    if cached is not None:
        return cached
    links = db.session.scalars(
        select(CampaignAgency)
        .options(joinedload(CampaignAgency.agency))
        .where(CampaignAgency.campaign_id == campaign.id)
        .order_by(CampaignAgency.position, CampaignAgency.id)
    )
    agencies = tuple(
        RatedAgency(link.agency_id, link.agency.name)
        for link in links
        if not link.agency.is_deleted
    )
    if campaign.state is CampaignState.open:
        if len(_AGENCIES) > 256:
            _AGENCIES.clear()
        _AGENCIES[campaign.code] = agencies
    return agencies


@dataclass
class Sitting:
    campaign: Campaign
    token: HeldToken
    agencies: list[RatedAgency]
    # {"<agency id>": {"skipped": bool, "raw": {item id: [values]}}}
    progress: dict = field(default_factory=dict)

    @property
    def token_hash(self) -> str:
        return self.token.token_hash

    @property
    def rater_agency_id(self) -> int | None:
        return self.token.rater_agency_id

    def entry(self, agency_id: int) -> dict | None:
        return self.progress.get(str(agency_id))

    def is_done(self, agency_id: int) -> bool:
        return self.entry(agency_id) is not None

    @property
    def done_count(self) -> int:
        return sum(1 for agency in self.agencies if self.is_done(agency.id))

    @property
    def is_complete(self) -> bool:
        return self.done_count == len(self.agencies)

    @property
    def rated_count(self) -> int:
        return sum(
            1
            for agency in self.agencies
            if (entry := self.entry(agency.id)) is not None and not entry.get("skipped")
        )

    @property
    def submits_early(self) -> bool:
        """Whether this sitting may be submitted before every agency is rated or skipped:
        a deputy or other outside respondent rates the agencies they know, and the rest count
        as 不了解 (no answer). A peer agency decides on each agency, rating or skipping it."""
        return self.campaign.respondent_group != "peer"

    @property
    def may_submit(self) -> bool:
        if self.submits_early:
            return self.rated_count >= 1
        return self.is_complete

    @property
    def pending_count(self) -> int:
        return len(self.agencies) - self.done_count

    def next_pending(self, after_id: int | None = None) -> RatedAgency | None:
        ids = [agency.id for agency in self.agencies]
        start = ids.index(after_id) + 1 if after_id in ids else 0
        for agency in self.agencies[start:] + self.agencies[:start]:
            if not self.is_done(agency.id):
                return agency
        return None


def start_sitting(browser_session, campaign: Campaign, token: Token) -> None:
    browser_session[SESSION_KEY] = {"code": campaign.code, "hash": token.token_hash}


def end_sitting(browser_session) -> None:
    browser_session.pop(SESSION_KEY, None)


@dataclass(frozen=True)
class HeldToken:
    """What a sitting needs of its token (read as plain columns: the hottest page)."""

    token_hash: str
    rater_agency_id: int | None
    used_on: dt.date | None
    revoked_at: dt.datetime | None

    @property
    def is_usable(self) -> bool:
        return self.used_on is None and self.revoked_at is None


_HELD_COLUMNS = (
    Token.token_hash,
    Token.rater_agency_id,
    Token.used_on,
    Token.revoked_at,
    Draft.answers,
)
_HELD = (
    select(*_HELD_COLUMNS)
    .outerjoin(Draft, Draft.owner_hash == Token.token_hash)
    .where(Token.token_hash == bindparam("token_hash"), Token.campaign_id == bindparam("campaign"))
)
# The campaign and the browser's token with its draft in one statement: the sitting pages'
# one read before a write (the submit is the hottest request of the product, bench/submit.py).
_CAMPAIGN_HELD = (
    select(Campaign, *_HELD_COLUMNS)
    .outerjoin(
        Token,
        and_(Token.campaign_id == Campaign.id, Token.token_hash == bindparam("token_hash")),
    )
    .outerjoin(Draft, Draft.owner_hash == Token.token_hash)
    .where(Campaign.code == bindparam("code"))
)

#: A held token and its draft's answers (None: no draft saved yet).
Held = tuple[HeldToken, dict | None]


def _held_of(row) -> Held | None:
    return None if row is None or row[0] is None else (HeldToken(*row[:4]), row[4])


def _held_hash(browser_session, code: str) -> str | None:
    """The hash of the token whose sitting this browser holds in campaign ``code``."""
    held = browser_session.get(SESSION_KEY)
    return held["hash"] if held and held.get("code") == code else None


def _held(browser_session, campaign: Campaign) -> Held | None:
    token_hash = _held_hash(browser_session, campaign.code)
    if token_hash is None:
        return None
    row = db.session.execute(_HELD, {"token_hash": token_hash, "campaign": campaign.id}).first()
    return _held_of(row)


def campaign_and_held(browser_session, code: str) -> tuple[Campaign, Held | None] | None:
    """The campaign of public ``code`` with the token this browser holds in it, read in one
    statement; None when the browser holds no sitting there or no campaign has that code."""
    token_hash = _held_hash(browser_session, code)
    if token_hash is None:
        return None
    row = db.session.execute(_CAMPAIGN_HELD, {"code": code, "token_hash": token_hash}).first()
    if row is None:
        return None
    return row[0], _held_of(row[1:])


def held_token(held: Held | None) -> HeldToken | None:
    """The token of a sitting this browser holds, used or not."""
    return held[0] if held else None


def sitting_of(campaign: Campaign, held: Held | None) -> Sitting | None:
    """The sitting of a held token, while the token is still usable."""
    if held is None or not held[0].is_usable:
        return None
    token, answers = held
    agencies = [a for a in campaign_agencies(campaign) if a.id != token.rater_agency_id]
    return Sitting(
        campaign=campaign,
        token=token,
        agencies=agencies,
        progress=dict(answers) if answers is not None else {},
    )


def load_sitting(browser_session, campaign: Campaign) -> Sitting | None:
    """The sitting this browser holds for ``campaign``, while its token is still usable."""
    return sitting_of(campaign, _held(browser_session, campaign))
