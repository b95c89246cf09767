"""Which records evidence files may belong to: the CHECK on ``evidence_files.owner_type``,
changed by the migrations that add an owner (every owner listed each time)."""

from __future__ import annotations

from alembic import op

from survey.migrations import append_only


def evidence_owners(owners) -> None:
    """Let evidence files belong to the owners listed. SQLite changes a CHECK constraint only
    by rebuilding the table, and the rebuild would trip the table's own no-change triggers,
    so they are lifted around it."""
    check = "owner_type IN (" + ", ".join(f"'{owner}'" for owner in owners) + ")"
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            op.f("ck_evidence_files_evidence_owner"), "evidence_files", type_="check"
        )
        op.create_check_constraint(
            op.f("ck_evidence_files_evidence_owner"), "evidence_files", check
        )
        return
    append_only.unprotect(["evidence_files"])
    with op.batch_alter_table("evidence_files", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_evidence_files_evidence_owner"), type_="check")
        batch_op.create_check_constraint(op.f("ck_evidence_files_evidence_owner"), check)
    append_only.protect(["evidence_files"])
