"""Triggers that refuse UPDATE and DELETE on tables whose rows are records (submitted answers,
ledger entries, findings): the database itself keeps them, whatever the application does."""

from __future__ import annotations

from alembic import op


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def create_refuse_function() -> None:
    if _postgresql():
        op.execute(
            """CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION '% rows are never changed or deleted', TG_TABLE_NAME; END $$"""
        )


def drop_refuse_function() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS refuse_change()")


def protect(tables) -> None:
    """Needs ``create_refuse_function`` to have run (once, in the social-evaluation revision)."""
    postgresql = _postgresql()
    for table in tables:
        if postgresql:
            op.execute(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION refuse_change()"
            )
        else:
            for event in ("update", "delete"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event} BEFORE {event.upper()} ON {table}"
                    f" BEGIN SELECT RAISE(ABORT, '{table} rows are never changed or deleted'); END"
                )


def unprotect(tables) -> None:
    postgresql = _postgresql()
    for table in tables:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
