"""Questionnaires and their immutable versions (STYLE rule 9).

A version row is written once by the loader and never changed: database triggers refuse any
UPDATE of its content and any DELETE, so a version that has responses can never drift from
what its respondents saw. A changed questionnaire is a new version.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, UTCDateTime, utcnow


class Questionnaire(Base):
    """One standard questionnaire (``questionnaires/<slug>/``), answered by one group."""

    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    group: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )

    @property
    def latest(self) -> QuestionnaireVersion | None:
        return self.versions[-1] if self.versions else None

    def __repr__(self) -> str:
        return f"<Questionnaire {self.id} {self.slug}>"


class QuestionnaireVersion(Base):
    """``questionnaires/<slug>/v<number>.yaml`` as loaded: the parsed definition and its hash."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (
        UniqueConstraint(
            "questionnaire_id", "number", name="uq_questionnaire_versions_questionnaire_number"
        ),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        return f"{self.questionnaire.slug} v{self.number}"

    # Whether a version has responses is asked of the responses feature
    # (survey.responses.queries), which sits above this one in the feature order.

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.id} q={self.questionnaire_id} v{self.number}>"
