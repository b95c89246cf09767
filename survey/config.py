"""Configuration: defaults, then ``SURVEY_*`` environment, then an override, then validation.

The app refuses to start on an invalid configuration and says what to fix (STYLE rule 1).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "SURVEY_"
#: Settings read from the environment, with the type each is parsed as.
ENV_SETTINGS = {
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "REDIS_URL": str,
    "BASE_URL": str,
    "INSTANCE_PATH": str,
    "PROXY_COUNT": int,
}


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


def default_instance_path() -> Path:
    return Path(os.environ.get("SURVEY_INSTANCE_PATH") or Path.cwd() / "instance")


def defaults(instance_path: Path) -> dict:
    return {
        "DATABASE_URL": f"sqlite:///{instance_path / 'survey.db'}",
        "SECRET_KEY": None,
        "REDIS_URL": None,
        "BASE_URL": "http://127.0.0.1:5000",
        "PROXY_COUNT": 0,
        # Argon2 parameters: "default" is RFC 9106 low-memory; tests use "cheapest".
        "PASSWORD_HASH_PROFILE": "default",
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "WTF_CSRF_ENABLED": True,
        "TESTING": False,
    }


def from_environment(environ: os._Environ | dict) -> dict:
    values = {}
    for name, kind in ENV_SETTINGS.items():
        raw = environ.get(ENV_PREFIX + name)
        if raw is None or raw == "":
            continue
        try:
            values[name] = kind(raw)
        except ValueError as exc:
            raise ConfigError(f"{ENV_PREFIX}{name}={raw!r} is not a valid {kind.__name__}") from exc
    return values


def load_secret_key(instance_path: Path) -> str:
    """Return the key kept in ``instance/secret_key``, generating it on first run."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created 0600 so that only the service account can read it.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def validate(config: dict) -> None:
    """Raise ConfigError naming the first setting that cannot work."""
    try:
        url = make_url(config["DATABASE_URL"])
    except ArgumentError as exc:
        raise ConfigError(
            f"SURVEY_DATABASE_URL is not a database URL: {exc}. "
            "Use sqlite:///path/to/survey.db or postgresql+psycopg://user@host/dbname"
        ) from None
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"SURVEY_DATABASE_URL uses {url.get_backend_name()!r}; only sqlite and postgresql "
            "are supported"
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "psycopg":
        raise ConfigError(
            "SURVEY_DATABASE_URL for PostgreSQL must use the psycopg 3 driver: "
            "postgresql+psycopg://…"
        )
    key = config.get("SECRET_KEY")
    if not key or len(key) < 32:
        raise ConfigError("SURVEY_SECRET_KEY must be at least 32 characters long")
    base = urlsplit(config["BASE_URL"])
    if base.scheme not in {"http", "https"} or not base.netloc or base.query or base.fragment:
        raise ConfigError(
            f"SURVEY_BASE_URL={config['BASE_URL']!r} must be an absolute http(s) address "
            "such as https://pj.example.gov.cn"
        )
    redis_url = config.get("REDIS_URL")
    if redis_url and urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(f"SURVEY_REDIS_URL={redis_url!r} must start with redis:// or rediss://")
    if config["PROXY_COUNT"] < 0:
        raise ConfigError("SURVEY_PROXY_COUNT must be 0 or the number of reverse proxies in front")
    if config["PASSWORD_HASH_PROFILE"] not in {"default", "cheapest"}:
        raise ConfigError("PASSWORD_HASH_PROFILE must be 'default' or 'cheapest'")


def build(override: dict | None = None, environ=None) -> dict:
    """Layer defaults → environment → override, derive the Flask settings, validate."""
    environ = os.environ if environ is None else environ
    override = dict(override or {})
    instance_path = Path(
        override.get("INSTANCE_PATH")
        or environ.get("SURVEY_INSTANCE_PATH")
        or Path.cwd() / "instance"
    )
    config = defaults(instance_path)
    config.update(from_environment(environ))
    config.update(override)
    config["INSTANCE_PATH"] = str(instance_path)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_secret_key(instance_path)
    validate(config)
    secure = config["BASE_URL"].startswith("https://")
    config.update(
        # The __Host- prefix requires Secure; a plain-http demo on 127.0.0.1 cannot use it.
        SESSION_COOKIE_NAME="__Host-session" if secure else "survey_session",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PREFERRED_URL_SCHEME="https" if secure else "http",
        RATELIMIT_STORAGE_URI=config.get("REDIS_URL") or "memory://",
    )
    return config
