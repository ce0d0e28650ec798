"""The deputies' phone pages in a real browser at a phone's size: a deputy
opens 代表工作, goes through the (simulated) WeChat authorisation, finds the
voter's ticket, accepts it and replies (a double tap sends once), and the
voter's push is in the sandbox outbox. Someone who is not a deputy is turned away in Chinese."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import Deputy

pytestmark = pytest.mark.slow

VOTER = "oDEMO_voter_01_01"  # the township fixture's voter
REPLY = "已联系供电所，明天上午来修路灯"
# A phone inside WeChat: its size, touch, and WeChat's browser signature.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "user_agent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like "
                                          "Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.44"}


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    yield page
    context.close()


def fits(page) -> bool:
    """Nothing wider than the screen: no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def outbox(app) -> list[dict]:
    result = app.test_cli_runner().invoke(main, ["sandbox", "outbox", "--json"], obj=State(app=app))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_deputy_accepts_and_replies_from_the_phone_page(site, phone, township, console_app, shot):
    from playwright.sync_api import expect

    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        deputy = session.scalar(select(Deputy).where(Deputy.code == township["deputy"]))
        name = deputy.name
    number = township["number"]
    phone.goto(f"{site}/m/")
    # WeChat's authorise page, as the sandbox simulates it.
    assert "/m/sandbox/connect/oauth2/authorize" in phone.url and "scope=snsapi_base" in phone.url
    assert "模拟微信网页授权" in phone.locator("h1").inner_text()
    shot(phone, "phone-authorize")
    with phone.expect_navigation(url=f"{site}/m/"):
        phone.click(f"button[data-code='{township['deputy']}']")
    assert f"{name} 代表" in phone.locator(".bar").inner_text()
    item = phone.locator("#open-tickets li").first
    assert number in item.inner_text() and "待受理" in item.inner_text()
    assert fits(phone)
    shot(phone, "phone-list")

    with phone.expect_navigation():
        item.locator("a").click()
    assert phone.locator("#voter-text").inner_text().startswith("村口的路灯坏了")
    assert phone.locator("#do-reply").count() == 0  # reply comes after accepting
    assert fits(phone)
    shot(phone, "phone-ticket")
    with phone.expect_navigation():
        phone.click("#form-accept button")
    assert "已受理" in phone.locator(".flash.done").inner_text()
    assert phone.locator("#status").inner_text() == "已受理"

    # A second tap while the first is still on its way (a village's slow signal): the page's
    # script has disabled the buttons, so it sends nothing (and the server would act once
    # anyway: each form's one-use nonce). Here the first tap's answer is "204 nothing", so the
    # page stays as it was after the tap.
    posts = []
    phone.route(f"{site}/m/t/{number}", lambda route: (posts.append(route.request.post_data), route.fulfill(
        status=204)) if route.request.method == "POST" else route.continue_())
    phone.fill("#say-text", REPLY)
    phone.click("#do-reply")
    phone.wait_for_timeout(200)  # a thumb's second tap
    phone.click("#do-reply", force=True)
    phone.wait_for_timeout(300)
    assert len(posts) == 1 and "action=reply" in posts[0]  # the button's own value still went with it
    expect(phone.locator("#do-reply")).to_be_disabled()
    phone.unroute(f"{site}/m/t/{number}")
    phone.reload()
    phone.fill("#say-text", REPLY)
    with phone.expect_navigation():
        phone.click("#do-reply")
    assert phone.locator(".flash.done").inner_text() == "答复已发给群众。"
    assert REPLY in phone.locator("#timeline").inner_text()
    assert fits(phone)
    shot(phone, "phone-replied")

    # The worker sends what the commit enqueued; the sandbox outbox holds the voter's reply.
    ext.queue.drain(console_app)
    to_voter = [p for p in outbox(console_app) if p["to"] == VOTER]
    assert [p["kind"] for p in to_voter][-2:] == ["voter_accepted", "voter_replied"]  # one reply
    assert REPLY in to_voter[-1]["text"] and number in to_voter[-1]["text"]
    assert to_voter[-1]["status"] == "sent" and to_voter[-1]["channel"] == "sandbox"


def test_someone_who_is_not_a_deputy_is_turned_away(site, phone, township, shot):
    phone.set_viewport_size({"width": 360, "height": 740})  # a small phone
    phone.goto(f"{site}/m/")
    phone.fill("#other-openid", VOTER)
    with phone.expect_navigation():
        phone.click("#other button")
    assert "这里只供人大代表使用" in phone.locator("h1").inner_text()
    assert "代表绑定卡" in phone.locator(".alert").inner_text()
    assert fits(phone)
    shot(phone, "phone-refused")
