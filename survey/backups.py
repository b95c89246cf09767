"""Backups that restore: the database and the evidence files in one archive.

``survey db backup`` writes one tar archive holding

- ``database.pgdump`` (``pg_dump --format=custom``, PostgreSQL) or ``database.sqlite`` (SQLite's
  online backup API: a consistent copy while the app keeps serving);
- ``evidence/<sha256>``: every evidence file (content-addressed, as stored);
- ``manifest.json``: when, from which kind of database, the schema revision, the row counts of
  the tables that hold people's work, and the sha256 of every evidence file.

``survey db restore`` loads an archive into the configured, empty database and instance
folder, checks every evidence file against its name and the manifest, and compares the row
counts. It refuses a database that already holds tables: a restore never merges.

The database is dumped before the evidence is copied; evidence files are only ever added
(never changed or removed), so every file the dump refers to is in the archive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

MANIFEST = "manifest.json"
FORMAT = 1
#: Tables whose row counts the manifest records and a restore checks.
COUNTED = (
    "responses",
    "answers",
    "response_flags",
    "tokens",
    "drafts",
    "evidence_files",
    "audit_log",
    "users",
    "agencies",
)


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why."""


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore read it (no "+psycopg"), without its
    password: that goes in PGPASSWORD (``_pg_env``), never on a command line ``ps`` shows."""
    return make_url(url).set(drivername="postgresql", password=None).render_as_string()


def _pg_env(url: str) -> dict:
    env = dict(os.environ)
    password = make_url(url).password
    if password:
        env["PGPASSWORD"] = str(password)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
    return path


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            counts = {
                table: connection.scalar(text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
                for table in COUNTED
                if table in names
            }
            revision = (
                connection.scalar(text("SELECT version_num FROM alembic_version LIMIT 1"))
                if "alembic_version" in names
                else None
            )
    finally:
        engine.dispose()
    return {"counts": counts, "revision": revision}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _evidence_files(evidence_root: Path) -> list[Path]:
    if not evidence_root.is_dir():
        return []
    return sorted(
        path
        for path in evidence_root.rglob("*")
        if path.is_file() and not path.name.startswith(".upload-")
    )


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup(url: str, evidence_root: Path, destination: Path) -> dict:
    """Write the archive at ``destination``; return its manifest."""
    backend = make_url(url).get_backend_name()
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="survey-backup-") as work:
        work = Path(work)
        if backend == "postgresql":
            dump = work / "database.pgdump"
            subprocess.run(  # noqa: S603 -- a fixed program and our own URL
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--file={dump}",
                    _libpq_url(url),
                ],
                check=True,
                capture_output=True,
                env=_pg_env(url),
            )
        else:
            dump = work / "database.sqlite"
            source = sqlite3.connect(_sqlite_path(url))
            target = sqlite3.connect(dump)
            try:
                source.backup(target)  # online: a consistent snapshot while others write
            finally:
                target.close()
                source.close()
        state = _counts(url)
        files = _evidence_files(evidence_root)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": backend,
            "revision": state["revision"],
            "counts": state["counts"],
            "evidence": {str(p.relative_to(evidence_root)): _sha256(p) for p in files},
        }
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=dump.name)
            for path in files:
                archive.add(path, arcname=f"evidence/{path.relative_to(evidence_root)}")
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
        os.chmod(partial, 0o600)
        os.replace(partial, destination)  # never a half-written archive under the real name
    return manifest


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"unexpected member in the archive: {member.name!r}")
        yield member


def restore(url: str, evidence_root: Path, archive_path: Path) -> dict:
    """Load ``archive_path`` into the empty database at ``url`` and ``evidence_root``."""
    backend = make_url(url).get_backend_name()
    with tempfile.TemporaryDirectory(prefix="survey-restore-") as work:
        work = Path(work)
        with tarfile.open(archive_path, "r") as archive:
            archive.extractall(work, members=list(_safe_members(archive)), filter="data")
        manifest = json.loads((work / MANIFEST).read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest["database"] != backend:
            raise BackupError(
                f"the archive holds a {manifest['database']} database; "
                f"SURVEY_DATABASE_URL is {backend}"
            )
        for name, digest in manifest["evidence"].items():
            if _sha256(work / "evidence" / name) != digest:
                raise BackupError(f"evidence file {name} does not match its checksum")
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                if inspect(connection).get_table_names():
                    raise BackupError("the target database is not empty: restore into a new one")
        finally:
            engine.dispose()
        if backend == "postgresql":
            subprocess.run(  # noqa: S603 -- a fixed program and our own URL
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={_libpq_url(url)}",
                    str(work / "database.pgdump"),
                ],
                check=True,
                capture_output=True,
                env=_pg_env(url),
            )
        else:
            target_path = _sqlite_path(url)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(work / "database.sqlite")
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        for name in manifest["evidence"]:
            destination = evidence_root / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            if not destination.exists():
                shutil.copyfile(work / "evidence" / name, destination)
        restored = _counts(url)
        if restored["counts"] != manifest["counts"]:
            raise BackupError(
                f"row counts differ after the restore: {restored['counts']} "
                f"instead of {manifest['counts']}"
            )
    return manifest
