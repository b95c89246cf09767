"""With Redis configured, every app server counts against the same login limit."""

from __future__ import annotations

import os
import secrets

import pytest

from survey import create_app
from tests.conftest import app_settings
from tests.fixtures.client import CSRFClient

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="needs SURVEY_TEST_REDIS_URL (a Redis server)")
def test_two_app_servers_share_the_failed_login_limit(database_url, tmp_path):
    settings = {
        **app_settings(database_url, tmp_path),
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}",
    }
    servers = [create_app(settings), create_app(settings)]
    assert all(app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL for app in servers)
    statuses = []
    for attempt in range(6):
        app = servers[attempt % 2]
        app.test_client_class = CSRFClient
        statuses.append(app.test_client().login("nobody", "wrong password").status_code)
    assert statuses == [200] * 5 + [429]
    for app in servers:
        app.extensions["survey.db"]["engine"].dispose()
