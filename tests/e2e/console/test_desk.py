"""The ticket desk in the console, through Debian's chromium: a voter's WeChat
ticket taken to resolution by a clerk, reclassification as a training example,
internal notes, what a deputy account may not do, and the triage page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import LabelledExample, OutboundPush, Ticket
from wechat_user import Phone

pytestmark = pytest.mark.slow

VOTER = "oDEMO_voter_01_01"
OPINION = "村口的路灯坏了三个月了，晚上出门看不见路，请尽快修好"


def _pushes(app, ticket_id, kind):
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        return list(session.scalars(select(OutboundPush).where(OutboundPush.ticket_id == ticket_id,
                                                               OutboundPush.kind == kind)))


def _enqueued(app):
    return {args[0] for name, args in app.config["TASK_QUEUE"].items if name == "liaison.deliver_push"}


def _submit(page, form_id):
    with page.expect_navigation():
        page.click(f"#{form_id} button[type=submit]")


def test_a_clerk_takes_a_voters_ticket_to_resolution(site, page, log_in, make_user, township, console_app, shot):
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    number, ticket_id = township["number"], township["id"]
    page.goto(f"{site}/console/tickets/{number}")
    for form in ("assign", "reclassify", "reply", "resolve", "transfer", "escalate", "note", "reject", "merge"):
        assert page.locator(f"#form-{form}").count() == 1, form
    shot(page, "ticket-desk")
    # Reassign: the new deputy gets the new-ticket push, enqueued after the commit.
    page.select_option("#assign-deputy", township["other"])
    _submit(page, "form-assign")
    assert "已分派给" in page.locator(".flash").inner_text()
    [push] = [p for p in _pushes(console_app, ticket_id, "ticket_assigned") if p.recipient_openid
              == township["other_openid"]]
    assert push.id in _enqueued(console_app)
    # Replying before the deputy accepts is refused in Chinese.
    page.fill("#reply-text", "已联系电工")
    _submit(page, "form-reply")
    assert "还没有受理" in page.locator(".flash.alert").inner_text()
    # The new deputy accepts on WeChat, as they would.
    short = str(int(number.rsplit("-", 1)[1]))
    assert "已受理" in Phone(console_app, township["other_openid"]).says(f"受理 {short}").text
    page.reload()
    page.fill("#reply-text", "已联系电工，明天上午来修")
    _submit(page, "form-reply")
    assert page.locator(".flash.done").inner_text() == "答复已发给群众"
    [reply] = _pushes(console_app, ticket_id, "voter_replied")
    assert reply.recipient_openid == VOTER and "明天上午来修" in reply.payload["text"]
    assert reply.id in _enqueued(console_app)
    page.fill("#resolve-text", "路灯已经修好")
    _submit(page, "form-resolve")
    [resolved] = _pushes(console_app, ticket_id, "voter_resolved")
    assert resolved.recipient_openid == VOTER and "评价" in resolved.payload["text"]
    assert "已办结" in page.locator("h1").inner_text() or "办结" in page.locator(".timeline").inner_text()
    shot(page, "ticket-desk-resolved")
    ext = console_app.extensions["liaison"]
    from bot.services.accounts import audit
    with ext.Session() as session:
        rows, _ = audit.search(session, actor="clerk")
        assert {"ticket.assign", "ticket.reply", "ticket.resolve"} <= {r.action for r in rows}


def test_reclassifying_stores_a_training_example_and_a_note_stays_internal(site, page, log_in, make_user, township,
                                                                         console_app, shot):
    make_user("clerk2", "staff")
    log_in(page, site, "clerk2")
    page.goto(f"{site}/console/tickets/{township['number']}")
    page.select_option("#reclassify-category", "交通运输")
    _submit(page, "form-reclassify")
    assert "训练样本" in page.locator(".flash").inner_text()
    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        example = session.scalar(select(LabelledExample).where(LabelledExample.ticket_id == township["id"]))
        assert (example.label, example.created_by, example.text) == ("交通运输", "clerk2", OPINION)
    page.fill("#note-text", "电工老王说下周三有空")
    _submit(page, "form-note")
    note = page.locator(".timeline li.note")
    assert "内部备注" in note.inner_text() and "电工老王" in note.inner_text()
    answer = Phone(console_app, VOTER).says("进度").text
    assert township["number"] in answer and "电工老王" not in answer
    assert not any("电工老王" in str(p.payload) for p in _pushes(console_app, township["id"], "voter_note"))
    with ext.Session() as session:
        assert not any("电工老王" in str(p.payload) for p in session.scalars(select(OutboundPush)))
    # A reject without ticking "I confirm" does nothing (the browser asks first; the server checks too).
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"{site}/console/tickets/{township['number']}/reject",
                                 form={"csrf_token": token, "reason": "测试"})
    assert response.ok and "我确认" in response.text()
    with ext.Session() as session:
        assert session.get(Ticket, township["id"]).status == "new"


def test_a_deputy_sees_no_staff_forms_and_is_refused_when_posting_them(site, page, log_in, make_user, township,
                                                                      console_app):
    make_user("dep", "deputy", township["deputy"])
    log_in(page, site, "dep")
    page.goto(f"{site}/console/tickets/{township['number']}")
    for form in ("assign", "reclassify", "merge", "reject"):
        assert page.locator(f"#form-{form}").count() == 0, form
    for form in ("accept", "reply", "resolve", "note"):
        assert page.locator(f"#form-{form}").count() == 1, form
    assert page.locator("a:text('待分派核对')").count() == 0
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for action, form in (("assign", {"deputy": township["other"]}), ("reclassify", {"category": "民政"}),
                         ("merge", {"primary": "1", "confirm": "yes"})):
        response = page.request.post(f"{site}/console/tickets/{township['number']}/{action}",
                                     form={"csrf_token": token, **form})
        assert response.status == 403, action
    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        t = session.get(Ticket, township["id"])
        assert t.deputy.code == township["deputy"] and t.status == "new"
    # Their own move works, recorded as on WeChat.
    _submit(page, "form-accept")
    assert page.locator(".flash.done").count() == 1
    with ext.Session() as session:
        t = session.get(Ticket, township["id"])
        assert t.status == "accepted" and t.events[-1].actor == f"deputy:{t.deputy_id}"
    assert page.goto(f"{site}/console/triage").status == 403


def test_the_triage_page_lists_an_unsure_ticket(site, page, log_in, make_user, township, console_app, shot):
    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        session.get(Ticket, township["id"]).needs_triage = True  # the classifier was unsure
        session.commit()
    make_user("clerk3", "staff")
    log_in(page, site, "clerk3")
    page.click("nav >> text=待分派核对")
    page.wait_for_selector("#triage-unsure")
    assert township["number"] in page.locator("#triage-unsure").inner_text()
    shot(page, "triage")
    page.click(f"#triage-unsure a:text('{township['number']}')")
    page.wait_for_selector("#desk")
