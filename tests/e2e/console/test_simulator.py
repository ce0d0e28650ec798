"""The phone simulator in a real browser: a voter reports a problem on the left
phone, the deputy on the right phone receives the push, accepts and replies
with WeChat commands, and the voter's phone shows the reply. Every message goes
through the running server's /wechat; every push goes through the outbox and a
delivery worker (a thread running the real deliver task, as `liaison serve`'s
worker would)."""
from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select

from bot.models import OutboundPush, PushStatus, Ticket

pytestmark = pytest.mark.slow

OPINION = "村口的路灯坏了三个月了，晚上出门看不见路，请尽快修好"
ANSWER = "已联系乡里电工，明天上午来修路灯"
log = logging.getLogger(__name__)


@pytest.fixture
def worker(console_app):
    """Delivers what the app enqueues (tests/conftest.py Queue) every 0.2 s, with the real task."""
    queue, stop = console_app.config["TASK_QUEUE"], threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                queue.drain(console_app)
            except Exception:
                log.exception("delivery failed")
            stop.wait(0.2)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(5)


@pytest.fixture
def demo_township(console_app):
    from bot.services.roster.demo import seed

    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()


@pytest.fixture
def wide(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _say(page, side: str, text: str) -> None:
    page.fill(f"#phone-{side} input[name=text]", text)
    page.press(f"#phone-{side} input[name=text]", "Enter")


def _bubble(page, side: str, kind: str, words: str):
    found = page.locator(f"#phone-{side} .sim-msg.{kind} .sim-bubble", has_text=words)
    found.first.wait_for(timeout=10_000)
    return found


def test_the_simulator_round_trip(site, wide, log_in, make_user, demo_township, worker, console_app, shot):
    page = wide
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.click("text=手机模拟器")
    page.wait_for_url(f"{site}/console/simulator")
    assert page.locator("#phone-voter .sim-title").inner_text() == "人大代表联络站"
    assert "M0101" in page.locator("#phone-voter .sim-owner").inner_text()
    assert "D011" in page.locator("#phone-deputy .sim-owner").inner_text()
    # The voter reports a problem; the account answers with the ticket's number.
    _say(page, "voter", OPINION)
    _bubble(page, "voter", "mine", OPINION)
    reply = _bubble(page, "voter", "reply", "编号").first.inner_text()
    ext = console_app.extensions["liaison"]
    with ext.Session() as s:
        ticket = s.scalars(select(Ticket)).one()
        assert ticket.number in reply and ticket.deputy.code == "D011"
    # The deputy's phone shows the new-ticket push once the worker has sent it.
    _bubble(page, "deputy", "push", f"新意见 {ticket.number}")
    with ext.Session() as s:
        [push] = s.scalars(select(OutboundPush).where(OutboundPush.kind == "ticket_assigned")).all()
        assert push.status == PushStatus.SENT and push.channel == "sandbox"
    # The deputy accepts and replies with WeChat commands.
    short = str(int(ticket.number.rsplit("-", 1)[1]))
    _say(page, "deputy", f"受理 {short}")
    _bubble(page, "deputy", "reply", f"已受理 {ticket.number}")
    _say(page, "deputy", f"回复 {short} {ANSWER}")
    _bubble(page, "deputy", "reply", "已把您的答复发给")
    # The voter's phone shows both pushes: accepted, then the deputy's words.
    _bubble(page, "voter", "push", "已由")
    _bubble(page, "voter", "push", ANSWER)
    pushes = page.locator("#phone-voter .sim-msg.push .sim-bubble").all_inner_texts()
    assert len(pushes) == 2 and "受理" in pushes[0] and ANSWER in pushes[1], pushes  # each once, in order
    assert page.locator(".sim-msg.notice").count() == 0
    page.mouse.move(0, 0)
    shot(page, "simulator")
    with ext.Session() as s:
        assert s.get(Ticket, ticket.id).status == "replied"


def test_the_simulator_says_in_chinese_what_it_cannot_send(site, wide, log_in, make_user, demo_township, shot):
    page = wide
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/simulator?voter=M0203&deputy=D002")
    assert "M0203" in page.locator("#phone-voter .sim-owner").inner_text()
    assert "D002" in page.locator("#phone-deputy .sim-owner").inner_text()
    # A voter the roster does not hold (the page tampered with): refused, marked as not sent.
    page.evaluate("document.getElementById('phone-voter').dataset.code = 'M9999'")
    _say(page, "voter", "路灯坏了")
    notice = page.locator("#phone-voter .sim-msg.notice .sim-bubble")
    notice.wait_for(timeout=10_000)
    assert "选择名册里的选民" in notice.inner_text()
    assert page.locator("#phone-voter .sim-msg.mine.failed .sim-failed").count() == 1
    shot(page, "simulator-refused")
