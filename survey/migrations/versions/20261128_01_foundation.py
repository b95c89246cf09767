"""Foundation: jurisdictions, agencies, sections, users, login sessions, years, audit log.

Revision ID: 20261128_01
Revises:
Create Date: 2026-11-28 13:46:14.573805
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "20261128_01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jurisdictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name=op.f("ck_jurisdictions_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["jurisdictions.id"],
            name=op.f("fk_jurisdictions_parent_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdictions")),
        sa.UniqueConstraint("parent_id", "name", name="uq_jurisdictions_parent_name"),
    )
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jurisdictions_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=50), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "party",
                "congress",
                "government",
                "cppcc",
                "supervisory",
                "court",
                "procuratorate",
                "mass_organization",
                "other",
                name="agency_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_agencies_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_agencies_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agencies_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(
            "uq_agencies_jurisdiction_name_live",
            ["jurisdiction_id", "name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "assessment_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="year_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'draft' AND opened_at IS NULL AND closed_at IS NULL) OR (state = 'open' AND opened_at IS NOT NULL AND closed_at IS NULL) OR (state = 'closed' AND opened_at IS NOT NULL AND closed_at IS NOT NULL)",
            name=op.f("ck_assessment_years_timestamps_match_state"),
        ),
        sa.CheckConstraint(
            "year BETWEEN 2000 AND 2100", name=op.f("ck_assessment_years_year_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_assessment_years_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_years")),
        sa.UniqueConstraint(
            "jurisdiction_id", "year", name="uq_assessment_years_jurisdiction_year"
        ),
    )
    with op.batch_alter_table("assessment_years", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_years_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(
            "uq_assessment_years_one_open",
            ["jurisdiction_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.create_table(
        "sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_business", sa.Boolean(), nullable=False),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_sections_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_sections_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sections")),
    )
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sections_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            "uq_sections_agency_name_live",
            ["agency_id", "name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "supervisor",
                "agency_editor",
                "agency_leader",
                "viewer",
                name="user_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role IN ('agency_editor', 'agency_leader') AND agency_id IS NOT NULL AND jurisdiction_id IS NULL) OR (role IN ('supervisor', 'viewer') AND jurisdiction_id IS NOT NULL AND agency_id IS NULL)",
            name=op.f("ck_users_scope_matches_role"),
        ),
        sa.CheckConstraint("length(trim(username)) > 0", name=op.f("ck_users_username_not_blank")),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_users_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_users_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdictions.id"],
            name=op.f("fk_audit_log_jurisdiction_id_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_entity_type"), ["entity_type"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_log_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    _make_audit_log_append_only()


# The audit log is append-only: the database itself refuses UPDATE and DELETE.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]
POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
]


def _make_audit_log_append_only() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS:
        op.execute(statement)


def _drop_audit_log_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def downgrade() -> None:
    _drop_audit_log_triggers()
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_entity_type"))
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_users_agency_id"))

    op.drop_table("users")
    with op.batch_alter_table("sections", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sections_agency_name_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_sections_agency_id"))

    op.drop_table("sections")
    with op.batch_alter_table("assessment_years", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assessment_years_one_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_assessment_years_jurisdiction_id"))

    op.drop_table("assessment_years")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_agencies_jurisdiction_name_live",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_agencies_jurisdiction_id"))

    op.drop_table("agencies")
    with op.batch_alter_table("jurisdictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdictions_parent_id"))

    op.drop_table("jurisdictions")
