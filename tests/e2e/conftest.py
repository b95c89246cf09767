"""End to end in a real browser: Playwright driving Debian's Chromium (never a downloaded
browser) against the app served on 127.0.0.1 from a database of its own.

Skips, saying why, where Chromium or Playwright is missing (a developer machine); `.ci/run`
installs both.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from survey import create_app, migrations
from tests.conftest import app_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # the machine's network is closed: no calls home
    "--disable-component-update",
    "--disable-sync",
]
# A phone inside WeChat's built-in browser.
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 14; V2309A Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 "
    "XWEB/1300199 MMWEBSDK/20241202 MMWEBID/6599 MicroMessenger/8.0.56.2800(0x28003852) "
    "WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
        locale="zh-CN",
    )
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console", lambda message: message.type == "error" and page.console_errors.append(message)
    )
    yield page
    context.close()


@pytest.fixture
def live(tmp_path):
    """The app on a SQLite file of its own, served on a free port by a real HTTP server."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    migrations.upgrade(url)
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app = create_app({**app_settings(url, tmp_path), "BASE_URL": base})
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    session = app.extensions["survey.db"]["session_factory"]()
    yield app, session, base
    session.close()
    server.shutdown()
    app.extensions["survey.db"]["engine"].dispose()
