"""Campaigns (调查活动): one questionnaire version, one respondent group, a set of agencies,
a time window and an access mode; the per-agency QR codes and the single-use tokens."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow
from survey.errors import DomainError
from survey.questionnaires.models import QuestionnaireVersion
from survey.types import LabelledEnum, value_enum
from survey.years.models import AssessmentYear


class CampaignState(LabelledEnum):
    draft = ("draft", _l("Draft"))
    open = ("open", _l("Open"))
    closed = ("closed", _l("Closed"))


class AccessMode(LabelledEnum):
    """Open link: anyone with the QR code. Tokens: one single-use code per invited respondent."""

    open_link = ("open_link", _l("Open link"))
    tokens = ("tokens", _l("Single-use tokens"))


# The respondent groups of SPEC §3, named as in analysis/ (public, deputy, grassroots, peer).
RESPONDENT_GROUPS = ("public", "deputy", "grassroots", "peer")
GROUP_LABELS = {
    "public": _l("The public"),
    "deputy": _l("Deputies"),
    "grassroots": _l("Grassroots units"),
    "peer": _l("Peer agencies"),
}


class Campaign(Base):
    """Draft → open → closed. Answers are accepted only while open and inside the window."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_not_empty"),
        CheckConstraint(
            "respondent_group IN ('public', 'deputy', 'grassroots', 'peer')", name="known_group"
        ),
        # Peer raters are agencies: only a token can say which agency is rating.
        CheckConstraint(
            "respondent_group <> 'peer' OR access_mode = 'tokens'", name="peer_uses_tokens"
        ),
        CheckConstraint("min_seconds >= 0", name="min_seconds_not_negative"),
        CheckConstraint("device_limit >= 1", name="device_limit_positive"),
        CheckConstraint("address_limit >= 1", name="address_limit_positive"),
        CheckConstraint(
            "(state = 'draft' AND opened_at IS NULL AND closed_at IS NULL)"
            " OR (state = 'open' AND opened_at IS NOT NULL AND closed_at IS NULL)"
            " OR (state = 'closed' AND opened_at IS NOT NULL AND closed_at IS NOT NULL)",
            name="timestamps_match_state",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    respondent_group: Mapped[str] = mapped_column(String(20))
    # The short public code in the campaign's link: uppercase base32, so a QR code of the
    # uppercase URL stays in the compact alphanumeric mode.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    access_mode: Mapped[AccessMode] = mapped_column(value_enum(AccessMode, "access_mode"))
    state: Mapped[CampaignState] = mapped_column(
        value_enum(CampaignState, "campaign_state"), default=CampaignState.draft
    )
    opens_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Integrity settings for open links (SPEC §3): a submission faster than min_seconds, or
    # beyond a device's or an address's budget, is kept and flagged, never refused.
    min_seconds: Mapped[int] = mapped_column(default=20)
    device_limit: Mapped[int] = mapped_column(default=1)  # per device, per agency, per day
    address_limit: Mapped[int] = mapped_column(default=200)  # per address, per hour
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    year: Mapped[AssessmentYear] = relationship()
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    campaign_agencies: Mapped[list[CampaignAgency]] = relationship(
        back_populates="campaign", order_by="CampaignAgency.position"
    )

    @property
    def agencies(self) -> list[Agency]:
        return [link.agency for link in self.campaign_agencies]

    @property
    def group_label(self) -> str:
        return str(GROUP_LABELS[self.respondent_group])

    @property
    def uses_tokens(self) -> bool:
        return self.access_mode is AccessMode.tokens

    def accepts_answers(self, now: dt.datetime) -> bool:
        return self.state is CampaignState.open and self.opens_at <= now < self.closes_at

    def open(self) -> None:
        if self.state is not CampaignState.draft:
            raise DomainError(_l("Only a draft campaign can be opened."))
        if not self.campaign_agencies:
            raise DomainError(_l("Choose at least one agency before opening the campaign."))
        self.state = CampaignState.open
        self.opened_at = utcnow()

    def close(self) -> None:
        if self.state is not CampaignState.open:
            raise DomainError(_l("Only an open campaign can be closed."))
        self.state = CampaignState.closed
        self.closed_at = utcnow()

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.code} {self.state.value}>"


class CampaignAgency(Base):
    """An agency rated in a campaign, with its own short code for its service-window QR."""

    __tablename__ = "campaign_agencies"
    __table_args__ = (
        UniqueConstraint("campaign_id", "agency_id", name="uq_campaign_agencies_campaign_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(16), unique=True)

    campaign: Mapped[Campaign] = relationship(back_populates="campaign_agencies")
    agency: Mapped[Agency] = relationship()

    def __repr__(self) -> str:
        return f"<CampaignAgency c={self.campaign_id} a={self.agency_id} {self.code}>"


class Token(Base):
    """A single-use invitation. Only the sha256 of the code is stored; the code is shown once.

    Anonymity (SPEC §3): a token records only the day it was used, never which response it
    opened; a response never points back to its token.
    """

    __tablename__ = "tokens"
    __table_args__ = (
        CheckConstraint("used_on IS NULL OR revoked_at IS NULL", name="used_or_revoked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    batch: Mapped[int] = mapped_column(default=1)
    # Peer review: the agency whose staff rate the others (never itself).
    rater_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_on: Mapped[dt.date | None] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship()
    rater_agency: Mapped[Agency | None] = relationship()

    @property
    def is_usable(self) -> bool:
        return self.used_on is None and self.revoked_at is None

    def __repr__(self) -> str:
        return f"<Token {self.id} c={self.campaign_id} used={self.used_on}>"
