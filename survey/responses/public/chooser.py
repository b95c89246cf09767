"""The open link's agency chooser: the campaign's agencies grouped by kind (党的机关, 行政机关…)
in the order of 第三条, narrowed by a search typed into a plain GET form (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from survey.agencies.models import AgencyKind
from survey.campaigns.models import Campaign, CampaignAgency

MAX_QUERY = 40


@dataclass(frozen=True)
class KindGroup:
    kind: AgencyKind
    links: list[CampaignAgency]


def clean_query(text: str | None) -> str:
    return " ".join((text or "").split())[:MAX_QUERY]


def _matches(link: CampaignAgency, words: list[str]) -> bool:
    names = f"{link.agency.name} {link.agency.short_name or ''}".casefold()
    return all(word in names for word in words)


def agency_groups(campaign: Campaign, query: str = "") -> list[KindGroup]:
    """The campaign's live agencies matching every word of ``query``, grouped by kind."""
    words = query.casefold().split()
    by_kind: dict[AgencyKind, list[CampaignAgency]] = {}
    for link in campaign.campaign_agencies:
        if link.agency.is_deleted or not _matches(link, words):
            continue
        by_kind.setdefault(link.agency.kind, []).append(link)
    return [KindGroup(kind, by_kind[kind]) for kind in AgencyKind if kind in by_kind]
