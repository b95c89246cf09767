"""Responses: what respondents submitted, kept forever (never updated, never deleted).

One row per rated agency per respondent, with its answers in a long table (one row per item,
SURVEY-PLATFORMS §9 pain 10), its integrity flags and the supervisors' reviews of those flags.
A response never references the token that opened it; a peer response keeps the rater
*agency* only.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.campaigns.models import Campaign
from survey.db import Base, UTCDateTime, utcnow
from survey.questionnaires.models import QuestionnaireVersion
from survey.types import LabelledEnum, value_enum


class Channel(LabelledEnum):
    """How an answer reached us: the web form, or an imported paper/phone/visit/meeting sheet."""

    web = ("web", _l("Web form"))
    paper = ("paper", _l("Paper questionnaire"))
    phone = ("phone", _l("Telephone interview"))
    visit = ("visit", _l("Field visit"))
    meeting = ("meeting", _l("Meeting"))


class FlagReason(LabelledEnum):
    too_fast = ("too_fast", _l("Completed faster than the minimum time"))
    honeypot = ("honeypot", _l("Hidden field filled in (automated submission)"))
    device_budget = ("device_budget", _l("Over the per-device budget"))
    address_budget = ("address_budget", _l("Over the per-address budget"))
    budget_unchecked = (
        "budget_unchecked",
        _l("Budgets could not be checked (rate-limit store unavailable)"),
    )


class Response(Base):
    """One respondent's ratings of one agency in one campaign."""

    __tablename__ = "responses"
    __table_args__ = (
        # A form is submitted once: a double tap or a network retry carries the same key.
        UniqueConstraint(
            "campaign_id", "submission_key", "agency_id", name="uq_responses_submission"
        ),
        CheckConstraint(
            "rater_agency_id IS NULL OR rater_agency_id <> agency_id", name="not_self_rating"
        ),
        Index("ix_responses_campaign_agency", "campaign_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    rater_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id"), index=True
    )
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "response_channel"))
    submission_key: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_seconds: Mapped[int | None]

    campaign: Mapped[Campaign] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])
    rater_agency: Mapped[Agency | None] = relationship(foreign_keys=[rater_agency_id])
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response")
    flags: Mapped[list[ResponseFlag]] = relationship(
        back_populates="response", order_by="ResponseFlag.id"
    )
    reviews: Mapped[list[FlagReview]] = relationship(
        back_populates="response", order_by="FlagReview.id"
    )

    @property
    def latest_review(self) -> FlagReview | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def is_excluded(self) -> bool:
        """Flagged responses are excluded from scoring unless a supervisor included them."""
        review = self.latest_review
        if review is not None:
            return not review.include
        return bool(self.flags)

    def __repr__(self) -> str:
        return f"<Response {self.id} c={self.campaign_id} a={self.agency_id}>"


class Answer(Base):
    """One item's stored value. A rating's 不了解 is a row with ``value`` NULL (missing);
    an unanswered optional item has no row."""

    __tablename__ = "answers"

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<Answer r={self.response_id} {self.item_id}={self.value!r}>"


class ResponseFlag(Base):
    """Why a response looks suspicious. Kept with the response; never removed."""

    __tablename__ = "response_flags"
    __table_args__ = (
        UniqueConstraint("response_id", "reason", name="uq_response_flags_response_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    reason: Mapped[FlagReason] = mapped_column(value_enum(FlagReason, "flag_reason"))
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="flags")

    def __repr__(self) -> str:
        return f"<ResponseFlag r={self.response_id} {self.reason.value}>"


class FlagReview(Base):
    """A supervisor's decision on a flagged response, with the reason. The latest one counts;
    earlier ones stay (append-only, like the audit entry written beside it)."""

    __tablename__ = "flag_reviews"
    __table_args__ = (CheckConstraint("length(reason) > 0", name="reason_given"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    include: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(500))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    response: Mapped[Response] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<FlagReview r={self.response_id} include={self.include}>"


class Draft(Base):
    """A multi-agency sitting in progress (deputies, peers): the answers given so far, saved
    server-side so the respondent can resume. Keyed by the sha256 of the sitting's secret
    (the token); replaced by responses at the final submit."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("owner_hash", name="uq_drafts_owner_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    owner_hash: Mapped[str] = mapped_column(String(64))
    # {"<agency id>": {"<item id>": [raw form values]}}
    answers: Mapped[dict] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Draft {self.id} c={self.campaign_id}>"


class CampaignTally(Base):
    """A campaign's raw tallies up to a watermark (``survey/responses/admin/tallies.py``):
    derived from the responses, replaced as they arrive — a cache, not a record."""

    __tablename__ = "campaign_tallies"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    # Every response of the campaign with an id up to this one is counted ...
    covered_through: Mapped[int]
    # ... with its exclusion as decided by its flags and the reviews up to this id.
    reviews_through: Mapped[int]
    state: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CampaignTally c={self.campaign_id} through={self.covered_through}>"
