"""Join the scoring and follow-up branches; evidence files may belong to a 加减分 item.

Revision ID: 20261201_06
Revises: 20261201_04, 20261201_05
Create Date: 2026-12-01 23:20:00
"""

from __future__ import annotations

from survey.migrations.evidence import evidence_owners

revision = "20261201_06"
down_revision = ("20261201_04", "20261201_05")
branch_labels = None
depends_on = None

OWNERS = ("ledger_entry", "self_assessment", "filing", "rectification")


def upgrade() -> None:
    evidence_owners((*OWNERS, "score_item"))


def downgrade() -> None:
    evidence_owners(OWNERS)
