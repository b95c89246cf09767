"""The one declarative base, the engine and a request-scoped session.

Services flush; a view commits once per request with ``db.session.commit()``.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC instant on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection, _record):
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; hand control
    # to SQLAlchemy, which then emits BEGIN itself (SQLAlchemy docs, "pysqlite savepoints").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: the WAL is synced at every commit, so an acknowledged submit survives a power cut
    # or an OS crash, not only the app being killed (NORMAL: the commits since the last
    # checkpoint can be undone). 0.3-4 ms per commit on the shared machine's disk (README).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


#: Requests that write (``actions.retrying`` runs them again on a retryable refusal).
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _sqlite_begin(connection):
    # Deferred: reads never wait. A hot write path ends its reads first, so that its write
    # begins the transaction and waits its turn under the busy timeout (a read snapshot
    # upgraded to a write after another writer committed is refused at once instead).
    # Straight to the driver: a statement through SQLAlchemy's execution machinery costs
    # ~10x more CPU, on every transaction (bench/submit_profile.py).
    connection.connection.dbapi_connection.execute("BEGIN")


def fresh_sqlite_transaction(session: Session) -> None:
    """End the session's read snapshot on SQLite and begin a new deferred transaction on the
    same connection, so that the next statement, a write, takes the write lock at once on
    fresh data. The same as ``session.rollback()`` followed by a new transaction, without
    handing the connection back to the pool and checking it out again, and without expiring
    what was read (the view still uses it)."""
    if not session.in_transaction():
        return  # nothing read yet: the next statement begins the transaction
    connection = session.connection()
    if connection.in_nested_transaction():
        session.rollback()  # a savepoint in an outer transaction (the tests'): back to it
        return
    driver = connection.connection.dbapi_connection
    driver.execute("ROLLBACK")
    driver.execute("BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Database:
    """Hands out one session per application context, from the current app's engine.

    Nothing is kept on this object, so several apps (tests, CLI) can live side by side.
    """

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["survey.db"] = {
            "engine": engine,
            "session_factory": sessionmaker(bind=engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._remove_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["survey.db"]["engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["survey.db"]["session_factory"]()
        return g.db_session

    @staticmethod
    def _remove_session(exc):
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


db = Database()
