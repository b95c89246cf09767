"""Beijing time: the calendar the regulation's deadlines, windows and "today" are counted in.
Asia/Shanghai has no daylight saving time, so a fixed +8 offset is exact."""

from __future__ import annotations

import datetime as dt

from survey.db import utcnow

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def beijing_today() -> dt.date:
    return utcnow().astimezone(SHANGHAI).date()
