"""Every model, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from survey.accounts.models import LoginSession, User
from survey.agencies.models import Agency, Jurisdiction, Section
from survey.auditing import AuditEntry
from survey.campaigns.models import Campaign, CampaignAgency, Token
from survey.db import Base
from survey.evidence.models import EvidenceFile
from survey.filings.models import Filing
from survey.followup.escalation import Escalation, LinkageNotice
from survey.followup.models import ExtensionRequest, RectificationEvent, RectificationItem
from survey.followup.special import CaseFinding, SpecialCase
from survey.indicators.models import IndicatorImport, PublicIndicatorScore
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.reports.models import FeedbackReceipt, ReportAdvice, ReportBuild
from survey.responses.models import (
    Answer,
    CampaignTally,
    Draft,
    FlagReview,
    Response,
    ResponseFlag,
)
from survey.results.models import (
    Objection,
    ObjectionDecision,
    RunPublication,
    RunRendering,
)
from survey.scores.models import RunFinalisation, ScoreItem, ScoringResult, ScoringRun
from survey.targets.models import (
    LedgerEntry,
    SelfAssessment,
    Target,
    TargetAdjustment,
    TargetSet,
)
from survey.verification.models import DutyFinding, ScoreAdjustment, Visit, VisitFinding
from survey.workdays.models import CalendarDay, CalendarYear
from survey.years.models import AssessmentYear

__all__ = [
    "Agency",
    "Answer",
    "AssessmentYear",
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "Base",
    "CaseFinding",
    "Escalation",
    "ExtensionRequest",
    "LinkageNotice",
    "Objection",
    "ObjectionDecision",
    "RunRendering",
    "RunPublication",
    "RectificationEvent",
    "RectificationItem",
    "SpecialCase",
    "Campaign",
    "CampaignAgency",
    "CampaignTally",
    "Draft",
    "DutyFinding",
    "EvidenceFile",
    "FeedbackReceipt",
    "Filing",
    "FlagReview",
    "IndicatorImport",
    "Jurisdiction",
    "LedgerEntry",
    "LoginSession",
    "PublicIndicatorScore",
    "Questionnaire",
    "QuestionnaireVersion",
    "ReportAdvice",
    "ReportBuild",
    "Response",
    "ResponseFlag",
    "RunFinalisation",
    "ScoreItem",
    "ScoringResult",
    "ScoringRun",
    "ScoreAdjustment",
    "Section",
    "SelfAssessment",
    "Target",
    "TargetAdjustment",
    "TargetSet",
    "Token",
    "User",
    "Visit",
    "VisitFinding",
]
