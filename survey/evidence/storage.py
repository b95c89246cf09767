"""Evidence bytes on disk: checked by extension *and* content, kept under the instance folder
(never under ``static``) by SHA-256, written atomically, identical files stored once."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePath

from flask import current_app
from flask_babel import lazy_gettext as _l

from survey.errors import DomainError

# Below the request cap (MAX_CONTENT_LENGTH, 5 MB), so a too-large file gets this form's own
# message and the typed text survives; a larger request gets the 413 page.
MAX_EVIDENCE_BYTES = 4 * 1024 * 1024
MAX_FILENAME = 200


def _zip_with(member: str):
    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                return any(name.startswith(member) for name in archive.namelist())
        except zipfile.BadZipFile:
            return False

    return check


# extension → (content type, content check)
ALLOWED = {
    ".pdf": ("application/pdf", lambda data: data.startswith(b"%PDF-")),
    ".jpg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda data: data.startswith(b"\xff\xd8\xff")),
    ".png": ("image/png", lambda data: data.startswith(b"\x89PNG\r\n\x1a\n")),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _zip_with("word/"),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _zip_with("xl/"),
    ),
}
ALLOWED_TEXT = "PDF、JPG、PNG、Word (.docx)、Excel (.xlsx)"


@dataclass(frozen=True)
class StoredFile:
    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """The file's own name without any folder part or control characters, at most 200 long."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if len(base) > MAX_FILENAME:
        stem, dot, suffix = base.rpartition(".")
        base = stem[: MAX_FILENAME - len(suffix) - 1] + dot + suffix if dot else base[:MAX_FILENAME]
    return base or "file"


def check(filename: str, data: bytes) -> StoredFile:
    """Raise DomainError with a message naming the file when it may not be kept."""
    name = clean_filename(filename)
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise DomainError(
            _l(
                "%(name)s: only these file types are accepted: %(types)s.",
                name=name,
                types=ALLOWED_TEXT,
            )
        )
    if not data:
        raise DomainError(_l("%(name)s is empty.", name=name))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise DomainError(
            _l("%(name)s is larger than %(mb)d MB.", name=name, mb=MAX_EVIDENCE_BYTES // 2**20)
        )
    content_type, looks_right = ALLOWED[suffix]
    if not looks_right(data):
        raise DomainError(_l("%(name)s is not really a %(suffix)s file.", name=name, suffix=suffix))
    return StoredFile(name, content_type, len(data), hashlib.sha256(data).hexdigest())


def evidence_root() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "evidence"


def path_of(sha256: str) -> Path:
    return evidence_root() / sha256[:2] / sha256


def write(stored: StoredFile, data: bytes) -> Path:
    """Write the bytes under their hash (once); a crash never leaves half a file there."""
    path = path_of(stored.sha256)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
