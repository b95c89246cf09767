"""The audit log records the network address a staff action came from (等保 2.0 安全审计:
time, user and address of every security event and staff write).

Revision ID: 20261202_41
Revises: 20261201_06
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_41"
down_revision = "20261201_06"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new nullable column: earlier entries keep no address (none was recorded).
    op.add_column("audit_log", sa.Column("address", sa.String(length=45), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("address")
