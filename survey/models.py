"""Every model, imported once so that ``Base.metadata`` is complete (Alembic, tests)."""

from survey.accounts.models import LoginSession, User
from survey.agencies.models import Agency, Jurisdiction, Section
from survey.audit.models import AuditEntry
from survey.db import Base
from survey.years.models import AssessmentYear

__all__ = [
    "AssessmentYear",
    "Agency",
    "AuditEntry",
    "Base",
    "Jurisdiction",
    "LoginSession",
    "Section",
    "User",
]
