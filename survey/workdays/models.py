"""The calendar in the database: one row per date of every year it holds, and one row per
year saying where that year came from (the package and version it was seeded from, an
imported notice, or "provisional" when the State Council notice is not in yet)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.db import Base, UTCDateTime, utcnow


class CalendarYear(Base):
    __tablename__ = "calendar_years"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # e.g. "holidays 0.108 (agrees with chinesecalendar 1.11.0)" or "import: 2027.json"
    source: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str] = mapped_column(Text, default="")  # the State Council notice
    # True while the year holds only the statutory holidays, without the notice's 调休 days.
    is_provisional: Mapped[bool] = mapped_column(default=False)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    loaded_by: Mapped[User | None] = relationship()

    @property
    def id(self) -> int:  # the audit log names an entity by its id
        return self.year

    def __repr__(self) -> str:
        return f"<CalendarYear {self.year} {self.source}>"


class CalendarDay(Base):
    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year"), index=True)
    is_working_day: Mapped[bool]
    name: Mapped[str] = mapped_column(String(100), default="")  # 春节, 调休上班, …
    notice: Mapped[str] = mapped_column(Text, default="")
    # True where the day differs from the plain week (a weekday off or a weekend at work).
    is_exception: Mapped[bool] = mapped_column(default=False)
    corrected_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def id(self) -> int:
        return int(self.day.strftime("%Y%m%d"))  # 20261001: readable in the audit log

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'work' if self.is_working_day else 'rest'}>"
