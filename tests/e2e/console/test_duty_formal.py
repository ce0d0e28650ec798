"""The ticket page's duty-record card, through Debian's chromium: a suggestion
a deputy escalated to the county is marked formal by a clerk (and taken back),
as `liaison duty formal` does."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Deputy, DutyActivity
from wechat_user import Phone

pytestmark = pytest.mark.slow


def _counts(app) -> list[bool]:
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        return list(session.scalars(select(DutyActivity.counts).where(DutyActivity.kind == "suggestion")))


def test_a_clerk_marks_an_escalated_suggestion_formal(site, page, log_in, make_user, township, console_app, shot):
    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        openid = session.scalar(select(Deputy.openid).where(Deputy.code == township["deputy"]))
    number = township["number"]
    short = str(int(number.rsplit("-", 1)[1]))
    deputy = Phone(console_app, openid)
    assert "已受理" in deputy.says(f"受理 {short}").text
    assert "已上报" in deputy.says(f"上报 {short} 涉及县里的道路改造，乡里定不了").text
    assert _counts(console_app) == [False]
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/tickets/{number}")
    card = page.locator("#duty-suggestion")
    assert "认定为正式建议后，才计入" in card.inner_text()
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "已认定为正式建议" in page.locator(".flash").inner_text()
    assert "取消正式建议认定" in page.locator("#duty-suggestion button").inner_text()
    assert _counts(console_app) == [True]
    shot(page, "duty-formal-suggestion")
    with page.expect_navigation():
        page.locator("#duty-suggestion button[type=submit]").click()
    assert "已取消正式建议认定" in page.locator(".flash").inner_text()
    assert _counts(console_app) == [False]


def test_a_ticket_a_deputy_filed_on_a_voters_behalf_reads_so(site, page, log_in, make_user, township, console_app,
                                                             shot):
    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        deputy = session.scalar(select(Deputy).where(Deputy.code == township["deputy"]))
        openid, name = deputy.openid, deputy.name
    said = Phone(console_app, openid).says("走访 新民村 李大爷家 代为反映 灌溉渠堵塞").text
    number = said.split("工单编号 ")[1].split("，")[0]
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/tickets/{number}")
    timeline = page.locator(".timeline").inner_text()
    assert f"代为反映：{name} 代表走访新民村时记录，群众同意代为反映" in timeline
    assert page.locator("#duty-suggestion").count() == 0
    shot(page, "duty-on-behalf-ticket")
