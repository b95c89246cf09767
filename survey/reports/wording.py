"""The documents' Chinese words. A report and a feedback sheet are official documents written
in Chinese whatever language the clerk's browser asks for (GB/T 9704 is a Chinese standard),
so their vocabulary lives here, as the questionnaires' wording lives in their files, and not
in the UI's message catalog. Labels the UI already translates (kinds, bands, not-rated
reasons) are reused under the Chinese locale (``survey.reports.documents.chinese``)."""

from __future__ import annotations

import datetime as dt

DIMENSION_WORDS = {
    "comprehensiveness": "履职全面度",
    "timeliness": "履职时效度",
    "effectiveness": "履职成效度",
    "cooperation": "履职配合度",
}
GROUP_WORDS = {
    "public": "人民群众",
    "deputy": "两代表一委员",
    "grassroots": "基层部门",
    "peer": "部门互评",
}
BAND_WORDS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
FINDING_WORDS = {"overreach": "越位", "absence": "缺位", "misplacement": "错位"}
SEVERITY_WORDS = {"minor": "轻微", "moderate": "一般", "serious": "严重"}
RECTIFICATION_STATE_WORDS = {
    "issued": "已交办",
    "acknowledged": "已签收",
    "in_progress": "整改中",
    "submitted": "待核验",
    "returned": "退回重改",
    "reopened": "问题反弹",
}
NUMERALS = "一二三四五六七八九十"
DRAFT_MARK = "（征求意见稿）"


def issuer(jurisdiction: str) -> str:
    """The issuing office: 中共枣庄市委机构编制委员会办公室, 中共市中区委…"""
    return f"中共{jurisdiction}委机构编制委员会办公室"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def numeral(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (headings never go past twenty here)."""
    if n <= 10:
        return NUMERALS[n - 1]
    return "十" + NUMERALS[n - 11] if n < 20 else str(n)


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def weight(share: float) -> str:
    return f"{100 * share:g}%"


def listing(names: list[str], limit: int = 5) -> str:
    """A、B、C等N个单位 — at most ``limit`` names, then the count."""
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + f"等{len(names)}个单位"
