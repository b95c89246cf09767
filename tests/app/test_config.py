"""The app refuses to start on a bad configuration and says what to fix."""

from __future__ import annotations

import os
import stat

import pytest

from survey import create_app
from survey.config import ConfigError, build

KEY = "k" * 40


def config(tmp_path, **override):
    return {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": KEY, **override}


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ({"DATABASE_URL": "not a url"}, "SURVEY_DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "only sqlite and postgresql"),
        ({"DATABASE_URL": "postgresql+psycopg2://u@h/db"}, "psycopg 3"),
        ({"SECRET_KEY": "short"}, "SURVEY_SECRET_KEY"),
        ({"BASE_URL": "pj.example.gov.cn"}, "SURVEY_BASE_URL"),
        ({"BASE_URL": "ftp://pj.example.gov.cn"}, "SURVEY_BASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "SURVEY_REDIS_URL"),
        ({"PROXY_COUNT": -1}, "SURVEY_PROXY_COUNT"),
    ],
)
def test_invalid_settings_are_refused_with_a_clear_message(tmp_path, override, fragment):
    with pytest.raises(ConfigError, match=fragment):
        create_app(config(tmp_path, **override))


def test_environment_is_read_and_typed(tmp_path):
    environ = {
        "SURVEY_BASE_URL": "https://pj.example.gov.cn",
        "SURVEY_PROXY_COUNT": "2",
        "SURVEY_SECRET_KEY": KEY,
        "SURVEY_INSTANCE_PATH": str(tmp_path),
    }
    settings = build(environ=environ)
    assert settings["PROXY_COUNT"] == 2
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'survey.db'}"


def test_non_numeric_environment_value_is_named(tmp_path):
    with pytest.raises(ConfigError, match="SURVEY_PROXY_COUNT"):
        build(environ={"SURVEY_PROXY_COUNT": "two", "SURVEY_INSTANCE_PATH": str(tmp_path)})


def test_override_wins_over_environment(tmp_path):
    settings = build(
        {"BASE_URL": "https://b.example"},
        environ={
            "SURVEY_BASE_URL": "https://a.example",
            "SURVEY_SECRET_KEY": KEY,
            "SURVEY_INSTANCE_PATH": str(tmp_path),
        },
    )
    assert settings["BASE_URL"] == "https://b.example"


def test_secret_key_is_generated_once_and_private(tmp_path):
    first = build(environ={"SURVEY_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    second = build(environ={"SURVEY_INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_plain_http_demo_uses_a_plain_cookie(tmp_path):
    settings = build(config(tmp_path), environ={})
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SESSION_COOKIE_NAME"] == "survey_session"
