"""Demo social evaluation: the standard questionnaires, four campaigns of the demo year and a
few thousand synthetic responses (deterministic: one seeded random generator).

- 群众评价 (public): open link over every city agency, open now; web answers over the last
  two weeks, a few flagged (too fast, honeypot), one of them reviewed and included.
- 两代表一委员评价 (deputies): tokens, open now; some tokens used, each sitting rating several
  agencies.
- 部门互评 (peer): tokens with rater agencies, closed; every agency rated by the others, never
  by itself.
- 基层单位评价 (grassroots): tokens, closed.

Responses are bulk-inserted (one executemany per table per campaign) so that ``survey demo``
stays fast. Tokens are stored hashed as always; their plain codes are not kept.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import random
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.campaigns.links import hash_token, new_token
from survey.campaigns.models import AccessMode, Campaign, CampaignAgency, CampaignState, Token
from survey.db import utcnow
from survey.questionnaires.itemtypes import DemoRespondent
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.questionnaires.schema import Definition, parse_definition
from survey.responses.admin.reviews import review_response
from survey.responses.models import Answer, Channel, FlagReason, Response, ResponseFlag
from survey.years.models import AssessmentYear

logger = logging.getLogger(__name__)

SEED = 2026
DONT_KNOW_RATE = 0.07
COMMENTS = (
    "办事效率明显提高，窗口工作人员态度很好。",
    "希望进一步简化审批材料，减少跑腿次数。",
    "政策解读不够及时，建议加强宣传。",
    "部门之间协调还需加强，避免推诿。",
    "网上办事平台操作不够便捷。",
    "工作人员业务熟练，解答耐心细致。",
    "建议延长周末窗口服务时间。",
)


@dataclass(frozen=True)
class Plan:
    group: str
    title: str
    access_mode: AccessMode
    state: CampaignState
    opens_days_ago: int
    length_days: int


PLANS = (
    Plan("public", "2026年度群众满意度评价", AccessMode.open_link, CampaignState.open, 14, 30),
    Plan("deputy", "2026年度两代表一委员评价", AccessMode.tokens, CampaignState.open, 10, 25),
    Plan("peer", "2026年度部门互评", AccessMode.tokens, CampaignState.closed, 60, 14),
    Plan("grassroots", "2026年度基层单位评价", AccessMode.tokens, CampaignState.closed, 45, 20),
)


@dataclass
class Summary:
    campaigns: int = 0
    responses: int = 0
    tokens: int = 0


def standard_versions(session: Session) -> dict[str, QuestionnaireVersion]:
    """Load the standard questionnaires and return the latest version of each group's; empty
    when the questionnaire loader is not available in this build."""
    try:
        from survey.questionnaires.loading import load_all
    except ImportError:
        logger.warning("demo: survey.questionnaires.loading is missing; no campaigns loaded")
        return {}
    load_all(session)
    versions = {}
    for group in {plan.group for plan in PLANS}:
        version = session.scalar(
            select(QuestionnaireVersion)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .where(Questionnaire.group == group)
            .order_by(QuestionnaireVersion.number.desc(), QuestionnaireVersion.id.desc())
            .limit(1)
        )
        if version is not None:
            versions[group] = version
    return versions


def load(session: Session, year: AssessmentYear, reviewer) -> Summary:
    """Create the demo campaigns and responses of ``year`` (flushed, not committed)."""
    versions = standard_versions(session)
    return create_campaigns(session, year, versions, reviewer)


def create_campaigns(
    session: Session,
    year: AssessmentYear,
    versions: dict[str, QuestionnaireVersion],
    reviewer,
    *,
    now: dt.datetime | None = None,
) -> Summary:
    rng = random.Random(SEED)  # noqa: S311 -- synthetic answers, not secrets (tokens use secrets)
    now = (now or utcnow()).replace(microsecond=0)
    agencies = list(
        session.scalars(
            select(Agency)
            .where(Agency.jurisdiction_id == year.jurisdiction_id, Agency.deleted_at.is_(None))
            .order_by(Agency.id)
        )
    )
    summary = Summary()
    if not agencies:
        return summary
    # Each agency's standing, so that figures differ between agencies in a believable way.
    quality = {agency.id: rng.uniform(3.2, 4.7) for agency in agencies}
    for plan in PLANS:
        version = versions.get(plan.group)
        if version is None:
            continue
        campaign = _campaign(session, rng, year, version, plan, agencies, now)
        definition = parse_definition(version.definition, where=version.label)
        generator = Generator(session, rng, campaign, definition, quality, now)
        if plan.group == "public":
            generator.public(agencies, reviewer)
        elif plan.group == "peer":
            generator.peer(agencies)
        elif plan.group == "deputy":
            generator.sittings(agencies, sittings=36, unused=14, per_sitting=(6, 14))
        else:
            generator.sittings(agencies, sittings=60, unused=20, per_sitting=(3, 7))
        summary.campaigns += 1
        summary.responses += generator.responses
        summary.tokens += generator.tokens
    logger.info(
        "demo evaluation: %d campaigns, %d responses, %d tokens",
        summary.campaigns,
        summary.responses,
        summary.tokens,
    )
    return summary


def _code(rng: random.Random) -> str:
    return base64.b32encode(rng.randbytes(5)).decode("ascii")


def _campaign(session, rng, year, version, plan: Plan, agencies, now) -> Campaign:
    opens_at = now - dt.timedelta(days=plan.opens_days_ago)
    closes_at = opens_at + dt.timedelta(days=plan.length_days)
    closed = plan.state is CampaignState.closed
    campaign = Campaign(
        year_id=year.id,
        questionnaire_version_id=version.id,
        title=plan.title,
        respondent_group=plan.group,
        code=_code(rng),
        access_mode=plan.access_mode,
        state=plan.state,
        opens_at=opens_at,
        closes_at=closes_at,
        opened_at=opens_at,
        closed_at=closes_at if closed else None,
        created_at=opens_at - dt.timedelta(days=3),
        min_seconds=20,
    )
    session.add(campaign)
    session.flush()
    session.execute(
        insert(CampaignAgency),
        [
            {
                "campaign_id": campaign.id,
                "agency_id": agency.id,
                "position": position,
                "code": _code(rng),
            }
            for position, agency in enumerate(agencies)
        ],
    )
    return campaign


class Generator:
    """Synthetic responses of one campaign, inserted in bulk."""

    def __init__(self, session, rng, campaign: Campaign, definition: Definition, quality, now):
        self.session = session
        self.rng = rng
        self.campaign = campaign
        self.definition = definition
        self.quality = quality
        self.responses = 0
        self.tokens = 0
        self.end = min(campaign.closes_at, now)

    # --- answers ---------------------------------------------------------------------

    def _answers(self, agency_id: int) -> dict[str, str | None]:
        answers = {}
        respondent = DemoRespondent(self.quality[agency_id], DONT_KNOW_RATE, COMMENTS)
        for item in self.definition.items:
            answered, value = item.item_type.demo_answer(item, self.rng, respondent)
            if answered:
                answers[item.id] = value
        return answers

    def _moment(self) -> dt.datetime:
        start = self.campaign.opens_at
        span = max(60, int((self.end - start).total_seconds()) - 60)
        moment = start + dt.timedelta(seconds=self.rng.randrange(span))
        # most answers come in the daytime (Beijing): nudge night-time ones into office hours
        local_hour = (moment.hour + 8) % 24
        if local_hour < 8 or local_hour > 21:
            moment += dt.timedelta(hours=10)
        return min(moment, self.end - dt.timedelta(seconds=30))

    # --- inserting ---------------------------------------------------------------------

    def _insert(self, rows: list[dict], answers: list[dict], flags: dict[int, list]) -> list[int]:
        """Insert responses (``rows``) with their answers; ``flags`` by row index."""
        ids = list(
            self.session.scalars(
                insert(Response).returning(Response.id, sort_by_parameter_order=True), rows
            )
        )
        answer_rows = [
            {"response_id": ids[index], "item_id": item_id, "value": value}
            for index, given in enumerate(answers)
            for item_id, value in given.items()
        ]
        if answer_rows:
            self.session.execute(insert(Answer), answer_rows)
        flag_rows = [
            {"response_id": ids[index], "reason": reason, "detail": detail}
            for index, reasons in flags.items()
            for reason, detail in reasons
        ]
        if flag_rows:
            self.session.execute(insert(ResponseFlag), flag_rows)
        self.responses += len(ids)
        return ids

    def _row(self, agency_id, key, submitted_at, duration, *, rater=None, channel=Channel.web):
        return {
            "campaign_id": self.campaign.id,
            "agency_id": agency_id,
            "rater_agency_id": rater,
            "questionnaire_version_id": self.campaign.questionnaire_version_id,
            "channel": channel,
            "submission_key": key,
            "submitted_at": submitted_at,
            "duration_seconds": duration,
        }

    def _tokens(self, count: int, used_on: list[dt.date | None], raters=None) -> None:
        rows = []
        for index in range(count):
            rows.append(
                {
                    "campaign_id": self.campaign.id,
                    # real random tokens: a seeded one could be recomputed from this source
                    "token_hash": hash_token(new_token()),
                    "batch": 1,
                    "rater_agency_id": raters[index] if raters else None,
                    "issued_at": self.campaign.opens_at - dt.timedelta(days=1),
                    "used_on": used_on[index],
                }
            )
        self.session.execute(insert(Token), rows)
        self.tokens += count

    # --- the campaigns -------------------------------------------------------------------

    def public(self, agencies, reviewer) -> None:
        rng = self.rng
        rows, answers, flags = [], [], {}
        weights = [rng.uniform(0.3, 2.0) for _ in agencies]
        minimum = self.campaign.min_seconds
        for index in range(1800):
            agency = rng.choices(agencies, weights)[0]
            duration = max(5, int(rng.gauss(95, 35)))
            given = self._answers(agency.id)
            reasons = []
            if index % 150 == 7:
                duration = rng.randint(4, minimum - 1)
                reasons.append((FlagReason.too_fast, f"{duration} 秒（最短 {minimum} 秒）"))
            if index % 400 == 11:
                reasons.append((FlagReason.honeypot, "隐藏字段有内容"))
            if reasons:
                flags[index] = reasons
            channel = Channel.paper if index % 60 == 0 else Channel.web
            rows.append(
                self._row(agency.id, f"demo-{index:05d}", self._moment(), duration, channel=channel)
            )
            answers.append(given)
        ids = self._insert(rows, answers, flags)
        if reviewer is not None and flags:
            first = min(flags)
            response = self.session.get(Response, ids[first])
            review_response(
                self.session,
                reviewer,
                response,
                include=True,
                reason="经电话回访核实，系群众本人在窗口现场填写，予以计入。",
            )

    def sittings(self, agencies, *, sittings: int, unused: int, per_sitting) -> None:
        rng = self.rng
        rows, answers = [], []
        used_days = []
        for sitting in range(sittings):
            submitted_at = self._moment()
            used_days.append((submitted_at + dt.timedelta(hours=8)).date())
            duration_each = rng.randint(40, 120)
            rated = rng.sample(agencies, min(len(agencies), rng.randint(*per_sitting)))
            for agency in rated:
                rows.append(
                    self._row(agency.id, f"sitting-{sitting:04d}", submitted_at, duration_each)
                )
                answers.append(self._answers(agency.id))
        # Tokens record only the day they were used, in no particular order (anonymity).
        used_on = used_days + [None] * unused
        rng.shuffle(used_on)
        self._tokens(sittings + unused, used_on)
        self._insert(rows, answers, {})

    def peer(self, agencies) -> None:
        rng = self.rng
        rows, answers, used_on, raters = [], [], [], []
        for rater in agencies:
            submitted_at = self._moment()
            used_on.append((submitted_at + dt.timedelta(hours=8)).date())
            raters.append(rater.id)
            for agency in agencies:
                if agency.id == rater.id:
                    continue  # an agency never rates itself
                rows.append(
                    self._row(
                        agency.id,
                        f"peer-{rater.id}",
                        submitted_at,
                        rng.randint(20, 60),
                        rater=rater.id,
                    )
                )
                answers.append(self._answers(agency.id))
        self._tokens(len(agencies), used_on, raters)
        self._insert(rows, answers, {})
