"""One head again: the four migrations of 2026-12-02 (results, campaign tallies, reports,
audit address), each written on its own branch from 20261201_06, meet here. Nothing changes
in the schema.

Revision ID: 20261202_50
Revises: 20261202_11, 20261202_17, 20261202_21, 20261202_41
Create Date: 2026-12-02 16:20:00
"""

from __future__ import annotations

revision = "20261202_50"
down_revision = ("20261202_11", "20261202_17", "20261202_21", "20261202_41")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
