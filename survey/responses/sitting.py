"""A token sitting: one respondent rating the campaign's agencies page by page, then
submitting once. Deputies rate many agencies; a peer agency rates every other agency in the
campaign, never itself.

The browser keeps only a signed session entry naming the campaign and the token's hash (the
token itself never returns to the address bar or a page); the answers so far live in a
server-side draft keyed by that hash, so a respondent can stop and resume, even on another
phone by scanning the code again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
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
    token: Token
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


def _held(browser_session, code: str) -> tuple[Token, Draft | None] | None:
    held = browser_session.get(SESSION_KEY)
    if not held or held.get("code") != code:
        return None
    row = db.session.execute(
        select(Token, Draft)
        .outerjoin(Draft, Draft.owner_hash == Token.token_hash)
        .where(Token.token_hash == held["hash"])
    ).first()
    if row is None or row[0].campaign.code != code:
        return None
    return row[0], row[1]


def held_token(browser_session, code: str) -> Token | None:
    """The token whose sitting this browser holds for campaign ``code``, used or not."""
    held = _held(browser_session, code)
    return held[0] if held else None


def load_sitting(browser_session, code: str) -> Sitting | None:
    """The sitting this browser holds for campaign ``code``, while its token is still usable."""
    held = _held(browser_session, code)
    if held is None or not held[0].is_usable:
        return None
    token, draft = held
    campaign = token.campaign
    agencies = [a for a in campaign_agencies(campaign) if a.id != token.rater_agency_id]
    return Sitting(
        campaign=campaign,
        token=token,
        agencies=agencies,
        progress=dict(draft.answers) if draft is not None else {},
    )
