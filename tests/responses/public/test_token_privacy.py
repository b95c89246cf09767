"""Issue 17 item 3: a token never reaches an address a page is shown at, a Referer, or a log."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from gunicorn.config import Config
from sqlalchemy import select

from survey.accesslog import TokenFreeFilter, TokenFreeLogger, redact
from survey.campaigns.models import CampaignAgency
from survey.responses.public import integrity
from tests.responses.public.conftest import issue_tokens, make_campaign

NOT_YET = (dt.timedelta(days=2), dt.timedelta(days=7))


def scan(client, token):
    scanned = client.get(f"/T/{token}")
    assert scanned.status_code == 303, scanned.status_code
    assert scanned.headers["Location"].endswith("/T")
    assert token not in scanned.get_data(as_text=True)
    return client.get(scanned.headers["Location"])


def test_a_code_scanned_before_the_survey_opens_is_redirected_first(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True, window=NOT_YET)
    (token,) = issue_tokens(db_session, campaign)
    page = scan(client, token)
    assert page.status_code == 200 and "尚未开始" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert token not in page.get_data(as_text=True)


def test_the_typed_lower_case_link_is_answered_without_a_redirect_carrying_it(
    client, db_session, world
):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    typed = "-".join(token[i : i + 4] for i in range(0, len(token), 4)).lower()
    for path in (f"/t/{token.lower()}", f"/t/{typed}"):
        scanned = client.get(path)
        # straight to the clean address: no second request line names the token
        assert scanned.status_code == 303 and scanned.headers["Location"].endswith("/T")
        entered = client.get("/T")
        assert entered.headers["Location"].endswith(f"/S/{campaign.code}/sitting"), path


def test_a_wrong_code_is_redirected_first(client, db_session, world):
    page = scan(client, "A" * 26)
    assert page.status_code == 404 and page.headers["Referrer-Policy"] == "no-referrer"
    assert scan(client, "not-a-token").status_code == 404


def test_a_store_failure_is_redirected_first(client, db_session, world, monkeypatch):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)

    monkeypatch.setattr(integrity, "too_many_bad_tokens", lambda _address: True)
    assert scan(client, token).status_code == 429


def test_reloading_the_clean_address_asks_for_the_code_again(client):
    page = client.get("/T")
    assert page.status_code == 400 and "扫描" in page.get_data(as_text=True)


def test_every_respondent_page_sends_no_referrer(client, db_session, world):
    campaign = make_campaign(db_session, world)
    link = db_session.scalars(
        select(CampaignAgency).where(CampaignAgency.campaign_id == campaign.id)
    ).first()
    for url in (f"/S/{campaign.code}", f"/A/{link.code}", f"/S/{campaign.code}/done"):
        assert client.get(url).headers["Referrer-Policy"] == "no-referrer", url
    # staff pages keep a Referer: their CSRF check over HTTPS needs it
    assert client.get("/login").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


TOKEN = "ABCDEFGHJKMNPQRSTVWXYZ2345"


@pytest.mark.parametrize(
    "text",
    [
        f"GET /T/{TOKEN} HTTP/1.1",
        f"https://pj.example.gov.cn/T/{TOKEN}",
        f"/t/{TOKEN.lower()}?x=1",
    ],
)
def test_redact_removes_the_token(text):
    assert TOKEN not in redact(text).upper() and "[token]" in redact(text)


def test_the_gunicorn_logger_writes_no_token(tmp_path):
    class Response:
        status = "303 SEE OTHER"
        sent = 0
        headers = [("Location", "/T")]

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/T/{TOKEN}",
        "PATH_INFO": f"/T/{TOKEN}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://pj.example.gov.cn/T/{TOKEN}",
    }
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s %(U)s "%(f)s" "%({referer}i)s"')
    logger = TokenFreeLogger(config)
    request = [("REFERER", f"https://pj.example.gov.cn/T/{TOKEN}")]
    logger.access(Response(), request, environ, dt.timedelta(milliseconds=3))
    for handler in logger.access_log.handlers:
        handler.flush()
    written = log_file.read_text()
    assert "[token]" in written and TOKEN not in written


def test_the_development_server_log_writes_no_token():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s "%s" %s',
        ("127.0.0.1", f"GET /T/{TOKEN}", 303),
        None,
    )
    assert TokenFreeFilter().filter(record) and TOKEN not in record.getMessage()
