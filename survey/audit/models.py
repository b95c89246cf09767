"""The audit log's model. It is written from the core (``survey.auditing``, below every
feature); this name stays importable for the features above."""

from survey.auditing import AuditEntry

__all__ = ["AuditEntry"]
