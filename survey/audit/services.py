"""Writing the audit log: ``record``, ``snapshot`` and ``audited`` live in the core
(``survey.auditing``) so that accounts and agencies, below this package, write to it too; these
names stay importable here."""

from survey.auditing import audited, record, snapshot

__all__ = ["audited", "record", "snapshot"]
