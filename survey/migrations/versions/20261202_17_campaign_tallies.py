"""A campaign's raw tallies up to a watermark, extended as responses arrive (issue 17 item 8):
derived data, replaced in place, so not append-only.

Revision ID: 20261202_17
Revises: 20261201_06
Create Date: 2026-12-02 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "20261202_17"
down_revision = "20261201_06"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_tallies",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("covered_through", sa.Integer(), nullable=False),
        sa.Column("reviews_through", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_tallies_campaign_id_campaigns"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_tallies")),
    )


def downgrade() -> None:
    op.drop_table("campaign_tallies")
