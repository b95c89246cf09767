"""Every model, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from survey.accounts.models import LoginSession, User
from survey.agencies.models import Agency, Jurisdiction, Section
from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, CampaignAgency, Token
from survey.db import Base
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.responses.models import Answer, Draft, FlagReview, Response, ResponseFlag
from survey.years.models import AssessmentYear

__all__ = [
    "AssessmentYear",
    "Agency",
    "Answer",
    "AuditEntry",
    "Base",
    "Campaign",
    "CampaignAgency",
    "Draft",
    "FlagReview",
    "Jurisdiction",
    "LoginSession",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "ResponseFlag",
    "Section",
    "Token",
    "User",
]
