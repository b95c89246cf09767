"""Integrity checks on open links: keep and flag, never refuse (SPEC §3).

An open link (a QR code on a poster) can be answered by anyone, so each submission is checked
against a hidden honeypot field, a minimum completion time and two budgets — per device cookie
(per agency, per day) and per network address (per hour; set generously, since a whole service
hall may share one address). A submission that fails a check is still stored, with the reason,
for a supervisor to review. Budgets live in Redis when ``SURVEY_REDIS_URL`` is set (shared by
every app server) and in process memory otherwise. When the store cannot be reached the
budgets fail closed: the submission is stored and flagged ``budget_unchecked``. Wrong codes
are counted in ``survey.throttle`` instead, which falls back to this process's counts.
"""

from __future__ import annotations

import logging
import secrets
import time

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItemPerDay, RateLimitItemPerHour
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from survey import throttle
from survey.responses.models import FlagReason

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "_website"
STAMP_FIELD = "_t"
KEY_FIELD = "_key"
DEVICE_COOKIE = "sv_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600

Flags = list[tuple[FlagReason, str]]


def _budget_limiter(app: Flask) -> FixedWindowRateLimiter:
    holder = app.extensions.setdefault("survey.budgets", {})
    if "limiter" not in holder:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        holder["limiter"] = FixedWindowRateLimiter(storage)
    return holder["limiter"]


def reset_budgets(app: Flask) -> None:
    """Forget every count (tests: each starts with full budgets)."""
    _budget_limiter(app).storage.reset()
    throttle.counters(app).reset()


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="survey-form-stamp")


def new_device_id() -> str:
    return secrets.token_urlsafe(16)


def form_stamp() -> str:
    """A signed render time for the form, so the completion time cannot be forged."""
    return _serializer().dumps(int(time.time()))


def form_key() -> str:
    """A fresh submission key per rendered form: a resubmission carries the same key."""
    return secrets.token_urlsafe(24)


def elapsed_seconds(stamp: str | None) -> int | None:
    if not stamp:
        return None
    try:
        rendered = int(_serializer().loads(stamp))
    except (BadSignature, TypeError, ValueError):
        return None
    return max(0, int(time.time()) - rendered)


def check_open_link(
    campaign, agency_id: int, form, device_id: str | None, address: str | None
) -> tuple[Flags, int | None]:
    """The flags for one open-link submission, and its completion time in seconds."""
    flags: Flags = []
    if form.get(HONEYPOT_FIELD):
        flags.append((FlagReason.honeypot, "hidden field filled"))
    duration = elapsed_seconds(form.get(STAMP_FIELD))
    if duration is None:
        flags.append((FlagReason.too_fast, "no valid render time"))
    elif duration < campaign.min_seconds:
        flags.append((FlagReason.too_fast, f"{duration}s < {campaign.min_seconds}s"))
    flags.extend(_check_budgets(campaign, agency_id, device_id, address))
    return flags, duration


# Guessing codes: a 128-bit token cannot be guessed, but a stream of wrong codes from one
# address is still refused for a while. Counted in the throttle's store: shared in Redis, and
# per process while Redis is down (a right code is never refused because Redis is).
BAD_TOKENS_PER_MINUTE = 20
BAD_TOKEN_WINDOW = 60


def too_many_bad_tokens(address: str | None) -> bool:
    count = throttle.counters().get(f"badtoken:{address or 'unknown'}") or 0
    return count >= BAD_TOKENS_PER_MINUTE


def record_bad_token(address: str | None) -> None:
    throttle.counters().incr(f"badtoken:{address or 'unknown'}", BAD_TOKEN_WINDOW)


def _check_budgets(campaign, agency_id: int, device_id: str | None, address: str | None) -> Flags:
    limiter = _budget_limiter(current_app._get_current_object())
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "") + "budget"
    flags: Flags = []
    try:
        if device_id is None:
            flags.append((FlagReason.device_budget, "no device cookie"))
        elif not limiter.hit(
            RateLimitItemPerDay(campaign.device_limit, namespace=prefix),
            "device",
            str(campaign.id),
            str(agency_id),
            device_id,
        ):
            flags.append((FlagReason.device_budget, f"over {campaign.device_limit}/day"))
        if not limiter.hit(
            RateLimitItemPerHour(campaign.address_limit, namespace=prefix),
            "address",
            str(campaign.id),
            address or "unknown",
        ):
            flags.append((FlagReason.address_budget, f"over {campaign.address_limit}/hour"))
    except Exception as error:  # noqa: BLE001 -- any storage failure: fail closed, keep the answer
        logger.warning("budget store unavailable, flagging submission: %s", type(error).__name__)
        return [(FlagReason.budget_unchecked, type(error).__name__)]
    return flags
