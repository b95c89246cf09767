"""The session cookie's serializer, kept per app (survey/signing.py): the same cookie as
Flask's own interface, and a new key is used the moment it is set."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from survey.signing import KeptSerializerSessionInterface


def _app(secret: str, fallbacks=()) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret
    app.config["SECRET_KEY_FALLBACKS"] = list(fallbacks)
    return app


def _cookie(interface, app, data: dict) -> str:
    return interface.get_signing_serializer(app).dumps(data)


def _read(interface, app, cookie: str):
    serializer = interface.get_signing_serializer(app)
    try:
        return serializer.loads(cookie, max_age=3600)
    except Exception:  # noqa: BLE001 -- any refusal
        return None


def test_the_app_signs_its_sessions_with_the_kept_serializer(app):
    assert isinstance(app.session_interface, KeptSerializerSessionInterface)


def test_the_same_cookie_as_flasks_own_both_ways():
    app = _app("a" * 48)
    data = {"csrf_token": "f" * 40, "sitting": {"code": "ABC", "hash": "0" * 64}}
    ours, theirs = KeptSerializerSessionInterface(), SecureCookieSessionInterface()
    assert _read(ours, app, _cookie(theirs, app, data)) == data
    assert _read(theirs, app, _cookie(ours, app, data)) == data
    assert _read(ours, app, _cookie(ours, app, data)) == data  # a kept signer, used again


def test_a_new_secret_key_is_used_at_once_and_the_old_one_only_as_a_fallback():
    ours = KeptSerializerSessionInterface()
    app = _app("old" * 16)
    cookie = _cookie(ours, app, {"x": 1})
    assert _read(ours, app, cookie) == {"x": 1}
    app.secret_key = "new" * 16
    assert _read(ours, app, cookie) is None
    fresh = _cookie(ours, app, {"x": 2})
    assert _read(SecureCookieSessionInterface(), app, fresh) == {"x": 2}
    app.config["SECRET_KEY_FALLBACKS"] = ["old" * 16]
    assert _read(ours, app, cookie) == {"x": 1}
    assert _read(ours, _app("other" * 10), fresh) is None
