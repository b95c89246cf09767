"""Every model, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from survey.accounts.models import LoginSession, User
from survey.agencies.models import Agency, Jurisdiction, Section
from survey.auditing import AuditEntry
from survey.campaigns.models import Campaign, CampaignAgency, Token
from survey.db import Base
from survey.evidence.models import EvidenceFile
from survey.filings.models import Filing
from survey.indicators.models import IndicatorImport, PublicIndicatorScore
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.responses.models import Answer, Draft, FlagReview, Response, ResponseFlag
from survey.targets.models import (
    LedgerEntry,
    SelfAssessment,
    Target,
    TargetAdjustment,
    TargetSet,
)
from survey.verification.models import DutyFinding, ScoreAdjustment, Visit, VisitFinding
from survey.years.models import AssessmentYear

__all__ = [
    "Agency",
    "Answer",
    "AssessmentYear",
    "AuditEntry",
    "Base",
    "Campaign",
    "CampaignAgency",
    "Draft",
    "DutyFinding",
    "EvidenceFile",
    "Filing",
    "FlagReview",
    "IndicatorImport",
    "Jurisdiction",
    "LedgerEntry",
    "LoginSession",
    "PublicIndicatorScore",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "ResponseFlag",
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
