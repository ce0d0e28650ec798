"""The staff console in a real browser: the app serves on a free localhost port
in a thread, Debian's chromium is driven through Playwright (which never
downloads a browser here). CSRF stays on, as in production.

Screenshots of each page go to tests/e2e/console/screenshots/ (ignored by git)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

SHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the dev extra's playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def console_app(make_app):
    app = make_app()
    assert app.config["WTF_CSRF_CHECK_DEFAULT"] is False  # only the console checks, and it always does
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    return app


@pytest.fixture
def site(live, console_app):
    """The running console: its base URL."""
    return live(console_app).url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def make_user(console_app):
    """Create a console account through the accounts service, committed."""
    from bot.services.accounts import users

    ext = console_app.extensions["liaison"]

    def create(username: str, role: str, deputy_code: str | None = None) -> str:
        with ext.Session() as session:
            users.create(session, username=username, password=PASSWORD, role=role, deputy_code=deputy_code,
                         by="test", now=ext.now())
            session.commit()
        return username

    return create


@pytest.fixture
def shot():
    """Save a full-page screenshot under SHOTS and print where."""
    SHOTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    return take


@pytest.fixture
def log_in():
    def send(page: Any, site: str, username: str, password: str = PASSWORD) -> Any:
        """Fill and send the login form; returns the response of the page landed on."""
        page.goto(f"{site}/console/login")
        page.fill("#username", username)
        page.fill("#password", password)
        with page.expect_navigation() as nav:
            page.click("button[type=submit]")
        return nav.value

    return send


VOTER = "oDEMO_voter_01_01"
OPINION = "村口的路灯坏了三个月了，晚上出门看不见路，请尽快修好"


@pytest.fixture
def township(console_app):
    """The demo township and one ticket from a voter's WeChat message, with its
    deputy and another deputy staff could give it to."""
    from sqlalchemy import select

    from bot.models import Deputy, Ticket
    from bot.services.roster.demo import seed
    from bot.services.tickets import board
    from wechat_user import Phone

    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()
    answer = Phone(console_app, VOTER).says(OPINION)
    assert answer.status == 200 and "编号" in (answer.text or ""), answer.body
    with ext.Session() as session:
        ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert ticket is not None and ticket.deputy is not None
        other = next(code for code, _ in board.assignable(session) if code != ticket.deputy.code)
        other_openid = session.scalar(select(Deputy.openid).where(Deputy.code == other))
        return {"number": ticket.number, "id": ticket.id, "deputy": ticket.deputy.code, "other": other,
                "other_deputy": other, "other_openid": other_openid}
