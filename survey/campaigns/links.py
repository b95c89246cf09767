"""Short public codes and the links printed in QR codes.

Links are built from ``SURVEY_BASE_URL``, never from the request's Host header (a forged Host
would otherwise end up on printed posters). Codes are uppercase base32 and the paths uppercase,
so the QR text of an uppercased link stays in the compact alphanumeric mode: smaller codes that
scan from further away (ECOSYSTEM §5).

- ``/S/<campaign code>``  the campaign's open link (the respondent picks the agency)
- ``/A/<agency code>``    one agency in one campaign: the poster at its service window
- ``/T/<token>``          a single-use token; it redirects at once to a clean address

Printed and shown links are in lower case (``printed``) so people can type them; the
lower-case paths /s/ and /a/ redirect to these, and /t/<token> is answered like /T/<token>.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import secrets
from urllib.parse import urlsplit, urlunsplit

from flask import current_app

from survey.campaigns.printing import Slip
from survey.spreadsheets import safe_text

CAMPAIGN_PREFIX = "/S/"
AGENCY_PREFIX = "/A/"
TOKEN_PREFIX = "/T/"  # noqa: S105 -- a URL path, not a secret

CODE_BYTES = 5  # 8 base32 characters: 40 bits, plenty for public, guessable-anyway links
TOKEN_BYTES = 16  # 128 bits: 26 base32 characters
TOKEN_PATTERN = re.compile(r"[A-Z2-7]{26}")


def _base32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def new_code() -> str:
    """A short public code for a campaign or a campaign agency."""
    return _base32(secrets.token_bytes(CODE_BYTES))


def new_token() -> str:
    """A single-use token: 128 random bits, shown once, stored only as its hash."""
    return _base32(secrets.token_bytes(TOKEN_BYTES))


def normalise_token(text: str) -> str | None:
    """The token in what a respondent typed or scanned (any case, spaces and dashes ignored),
    or None when it cannot be one."""
    token = re.sub(r"[\s-]", "", text).upper()
    return token if TOKEN_PATTERN.fullmatch(token) else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def public_url(path: str) -> str:
    """``path`` under the configured public address, with scheme and host in uppercase
    (both are case-insensitive) so that the whole link can be QR-encoded alphanumerically."""
    base = urlsplit(current_app.config["BASE_URL"])
    prefix = base.path.rstrip("/")
    return urlunsplit((base.scheme.upper(), base.netloc.upper(), prefix + path, "", ""))


def printed(url: str) -> str:
    """The link as printed or shown for people to type: all in lower case (the respondents'
    pages answer lower-case paths too, ``responses.public.lower_case``), but the configured
    base path kept as it is (a server may tell its case apart). The QR code keeps ``url``."""
    parts = urlsplit(url)
    prefix = urlsplit(current_app.config["BASE_URL"]).path.rstrip("/")
    path = parts.path
    rest = path[len(prefix) :] if prefix and path.startswith(prefix) else path
    kept = path[: len(path) - len(rest)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), kept + rest.lower(), "", ""))


def campaign_url(campaign) -> str:
    return public_url(CAMPAIGN_PREFIX + campaign.code)


def agency_url(campaign_agency) -> str:
    return public_url(AGENCY_PREFIX + campaign_agency.code)


def token_url(token: str) -> str:
    return public_url(TOKEN_PREFIX + token)


def token_slip(token: str, rater_agency: str | None = None) -> Slip:
    """What a printed slip shows: the QR code's upper-case link and the lower-case one."""
    url = token_url(token)
    return Slip(url, token, rater_agency, printed(url))


def links_csv(slips) -> bytes:
    """序号, 评价单位, 链接 of issued tokens (``printing.Slip``), UTF-8 with a BOM so that
    Excel reads the Chinese; the links in lower case, as printed, for a text message or a
    letter (they open the sitting as the QR code's link does)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["序号", "评价单位", "链接"])
    for number, slip in enumerate(slips, start=1):
        writer.writerow([number, safe_text(slip.rater_agency or ""), slip.printed_url])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
