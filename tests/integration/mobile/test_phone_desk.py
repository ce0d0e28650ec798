"""A deputy acts on their tickets from the phone page: each button does what
the WeChat command does (the same events, the same pushes), is audited, and
its pushes are enqueued after the commit. They see only their own tickets,
overdue ones first, and never a confidential one."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.models import AuditEvent, OutboundPush, Ticket, TicketEvent
from bot.services.roster.voters import display_name
from lifecycle_kit import THURSDAY, build, build_demo, county_contact
from phone_kit import (
    NEIGHBOUR,
    STRANGER,
    VOTER,
    deputy_of,
    form_of,
    opinion,
    sign_in,
    sign_in_on_wechat,
    ticket,
    token_of,
)
from wechat_user import Phone

LAMP = "村口的路灯坏了三个月了，晚上出门看不见路"
DRAIN = "我家门口的下水道堵了一个星期，污水流到路上"
CLINIC = "村卫生室的医生经常不在，看病要跑到镇上"
RUBBISH = "村里的垃圾好几天没人清运，气味很大"
# (action, what is typed) in the order a deputy might take them; the WeChat command for each.
FULL = [("accept", ""), ("progress", "已约水务站明天来看"), ("reply", "水务站明天上午来修"), ("transfer", "水务站"),
        ("escalate", "涉及县里的管网改造，乡里定不了"), ("resolve", "管道已修好，恢复供水")]
RETURN = [("accept", ""), ("return", "这位群众不是我联系的选民")]
VERBS = {"accept": "受理", "progress": "办理", "reply": "回复", "transfer": "转办", "escalate": "上报",
         "resolve": "办结", "return": "退回"}


def seeded(make_app):
    return build_demo(make_app)


def press(client, number: str, action: str, typed: str = ""):
    """Open the ticket page and send the form whose button is `action` (the button need not be
    shown: a move the status does not allow is sent with another form's fields)."""
    page = client.get(f"/m/t/{number}")
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    field = "office" if action == "transfer" else "text"
    hidden = form_of(html, action) if f'value="{action}"' in html else form_of(html, "accept")
    return client.post(f"/m/t/{number}", data={"action": action, field: typed, **hidden})


def effects(db, number: str) -> tuple[str, list[tuple], list[tuple]]:
    """The ticket's status, events and pushes after opening, with what differs between two
    tickets (number, words, voter, village, category) replaced by placeholders."""
    t = ticket(db, number)

    def same(text: str | None) -> str:
        text = text or ""
        for real, stand_in in ((t.number, "N"), (t.text, "T"), (display_name(t.voter.name), "V"),
                               (t.village.name if t.village else "-", "村"), (t.category, "C")):
            text = text.replace(real, stand_in)
        return text

    events = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind.not_in(
        ("created", "assigned"))).order_by(TicketEvent.id)).all()
    pushes = db.scalars(select(OutboundPush).where(OutboundPush.ticket_id == t.id,
                                                   OutboundPush.kind != "ticket_assigned").order_by(OutboundPush.id))
    return (t.status, [(e.kind, e.actor, same(e.note)) for e in events],
            [(p.kind, "the voter" if p.recipient_openid == t.voter.openid else p.recipient_openid,
              same((p.payload or {}).get("text"))) for p in pushes])


def test_each_button_does_what_the_wechat_command_does(make_app, db):
    app = seeded(make_app)
    holder = deputy_of(db, VOTER)
    assert deputy_of(db, NEIGHBOUR).id == holder.id
    on_phone, by_command = opinion(app, VOTER, LAMP), opinion(app, NEIGHBOUR, DRAIN)
    returned_on_phone, returned_by_command = opinion(app, VOTER, CLINIC), opinion(app, NEIGHBOUR, RUBBISH)
    client, _ = sign_in(app, holder.openid)
    queue = app.config["TASK_QUEUE"]
    for steps, phone_number, command_number in ((FULL, on_phone, by_command),
                                                (RETURN, returned_on_phone, returned_by_command)):
        for action, typed in steps:
            queue.items.clear()
            before = db.scalar(select(func.max(OutboundPush.id)))
            done = press(client, phone_number, action, typed)
            assert done.status_code == 302, (action, done.get_data(as_text=True))
            enqueued = {args[0] for name, args in queue.items if name == "liaison.deliver_push"}
            short = int(command_number.rsplit("-", 1)[1])
            answer = Phone(app, holder.openid).says(f"{VERBS[action]} {short} {typed}".strip())
            assert "不能" not in (answer.text or "") and "格式不对" not in (answer.text or ""), answer.text
            mine, theirs = effects(db, phone_number), effects(db, command_number)
            assert mine == theirs, action
            # The voter's push (and the upper deputy's) went to the queue after the commit.
            made = set(db.scalars(select(OutboundPush.id).join(Ticket).where(
                Ticket.number == phone_number, OutboundPush.id > before)))
            assert made <= enqueued and (made or action == "return")
    status, events, pushes = effects(db, on_phone)
    assert status == "resolved" and [e[0] for e in events] == [
        "accepted", "in_progress", "replied", "transferred", "escalated", "resolved"]
    assert all(actor == f"deputy:{holder.id}" for _, actor, _ in events)
    assert ("voter_replied", "the voter") in [(k, who) for k, who, _ in pushes]
    assert effects(db, returned_on_phone)[0] == "new" and ticket(db, returned_on_phone).needs_triage
    audited = db.scalars(select(AuditEvent).where(AuditEvent.actor == f"deputy:{holder.id}",
                                                  AuditEvent.action.like("ticket.%"))).all()
    moves = [a.action for a in audited if a.action not in ("ticket.view",)]
    assert moves == [f"ticket.{a}" for a, _ in FULL + RETURN]
    assert all(a.target in (on_phone, returned_on_phone) and "代表手机页面" in a.detail for a in audited)
    assert not any(typed and typed in a.detail for _, typed in FULL[1:3] for a in audited)  # lengths, not words


def test_the_upper_deputy_it_went_to_acts_on_it_from_their_phone(make_app, db):
    app = seeded(make_app)
    holder = deputy_of(db, VOTER)
    number = opinion(app, VOTER, LAMP)
    client, _ = sign_in(app, holder.openid)
    press(client, number, "accept")
    press(client, number, "escalate", "涉及县里的管网改造")
    upper = county_contact(db, holder)
    theirs, home = sign_in(app, upper.openid)
    assert number in home.get_data(as_text=True)
    done = press(theirs, number, "reply", "县里已安排，下个月施工")
    assert done.status_code == 302
    assert ticket(db, number).status == "replied"


def test_a_deputy_cannot_open_or_act_on_another_deputys_ticket(make_app, db):
    app = seeded(make_app)
    holder = deputy_of(db, VOTER)
    assert deputy_of(db, STRANGER).id != holder.id
    own, theirs = opinion(app, VOTER, DRAIN), opinion(app, STRANGER, LAMP)
    client, home = sign_in(app, holder.openid)
    assert own in home.get_data(as_text=True) and theirs not in home.get_data(as_text=True)
    page = client.get(f"/m/t/{theirs}")
    assert page.status_code == 404 and "没有找到编号为" in page.get_data(as_text=True)
    token = token_of(client.get(f"/m/t/{own}").get_data(as_text=True))
    res = client.post(f"/m/t/{theirs}", data={"action": "accept", "csrf_token": token})
    assert res.status_code == 404 and ticket(db, theirs).status == "new"
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.denied")).all()
    assert len(denied) == 2 and {d.actor for d in denied} == {f"deputy:{holder.id}"}
    assert client.get("/m/t/1").status_code == 404  # short or odd numbers are not looked up


def test_a_confidential_ticket_is_the_staffs_alone(make_app, db):
    app = seeded(make_app)
    holder = deputy_of(db, VOTER)
    number = opinion(app, VOTER, LAMP)
    Phone(app, VOTER).says("不要告诉代表是我反映的")
    assert ticket(db, number).confidential
    client, home = sign_in(app, holder.openid)
    assert number not in home.get_data(as_text=True)
    assert client.get(f"/m/t/{number}").status_code == 404


def test_overdue_tickets_come_first_then_the_newest(make_app, db):
    app = seeded(make_app)
    ext = app.extensions["liaison"]
    holder = deputy_of(db, VOTER)
    ext.clock.value = (THURSDAY - timedelta(days=40)).timestamp()
    old = opinion(app, VOTER, LAMP)
    ext.clock.value = (THURSDAY - timedelta(days=3)).timestamp()
    middle = opinion(app, NEIGHBOUR, DRAIN)
    ext.clock.value = THURSDAY.timestamp()
    new = opinion(app, VOTER, CLINIC)
    _, home = sign_in(app, holder.openid)
    html = home.get_data(as_text=True)
    assert html.index(old) < html.index(new) < html.index(middle)
    assert "已超期" in html and "有 1 件已超过办结时限" in html


def test_a_move_the_status_does_not_allow_is_refused_in_chinese_and_changes_nothing(make_app, db):
    app = seeded(make_app)
    holder = deputy_of(db, VOTER)
    number = opinion(app, VOTER, LAMP)
    client, _ = sign_in(app, holder.openid)
    page = client.get(f"/m/t/{number}").get_data(as_text=True)
    assert 'value="accept"' in page and 'value="reply"' not in page  # only what the status allows
    refused = press(client, number, "reply", "明天来修")
    assert refused.status_code == 302
    shown = client.get(f"/m/t/{number}").get_data(as_text=True)
    assert "请先点“受理”" in shown and ticket(db, number).status == "new"
    press(client, number, "accept")
    empty = press(client, number, "reply", "   ")
    assert "请先填写回复的内容" in client.get(empty.headers["Location"]).get_data(as_text=True)
    unknown = press(client, number, "transfer", "不存在的站")
    assert "没有叫“不存在的站”的站所" in client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert ticket(db, number).status == "accepted"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "ticket.reply")) is None


def test_the_deputy_sees_the_voters_photo_and_another_deputy_does_not(make_app, fake_wechat, db):
    from bot.services.roster.demo import seed

    app = build(make_app, WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                WECHAT_API_BASE=fake_wechat.base, WECHAT_OAUTH_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0,
                PUBLIC_BASE_URL="http://localhost")
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()
    photo = b"\xff\xd8\xff\xe0 a broken lamp"
    fake_wechat.media["MEDIA_LAMP_1"] = (photo, "image/jpeg")
    number = opinion(app, VOTER, LAMP)
    ext.clock.value += 30
    Phone(app, VOTER).image("MEDIA_LAMP_1")
    ext.queue.drain(app)  # the worker saves the photo
    client, _ = sign_in_on_wechat(app, fake_wechat, deputy_of(db, VOTER).openid)
    page = client.get(f"/m/t/{number}").get_data(as_text=True)
    src = f"/m/t/{number}/media/MEDIA_LAMP_1"
    assert f'<img class="photo" src="{src}"' in page
    got = client.get(src)
    assert got.status_code == 200 and got.data == photo and got.mimetype == "image/jpeg"
    assert got.headers["Cache-Control"] == "no-store"  # send_file's own "no-cache" would let the phone keep it
    assert client.get(f"/m/t/{number}/media/..%2F..%2Fsecret_key").status_code == 404
    other, _ = sign_in_on_wechat(app, fake_wechat, deputy_of(db, STRANGER).openid)
    assert other.get(src).status_code == 404
    seen = db.scalar(select(AuditEvent).where(AuditEvent.action == "ticket.media"))
    assert seen.target == number and seen.actor == f"deputy:{deputy_of(db, VOTER).id}"


def test_a_double_tap_replies_to_the_voter_once(make_app, db):
    app = seeded(make_app)
    holder = deputy_of(db, VOTER)
    number = opinion(app, VOTER, LAMP)
    client, _ = sign_in(app, holder.openid)
    press(client, number, "accept")
    html = client.get(f"/m/t/{number}").get_data(as_text=True)
    nonces = re.findall(r'name="nonce" value="([^"]+)"', html)
    assert len(nonces) == len(set(nonces)) >= 4  # every action form its own
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/m/static/mobile.js" defer>']  # no inline script
    queue = app.config["TASK_QUEUE"]
    queue.items.clear()
    form = {"action": "reply", "text": "水务站明天上午来修", **form_of(html, "reply")}
    first, second = client.post(f"/m/t/{number}", data=form), client.post(f"/m/t/{number}", data=form)
    assert first.status_code == second.status_code == 302
    assert "已经提交过了" in client.get(second.headers["Location"]).get_data(as_text=True)
    t = ticket(db, number)
    replied = db.scalars(select(OutboundPush).where(OutboundPush.ticket_id == t.id,
                                                    OutboundPush.kind == "voter_replied")).all()
    assert len(replied) == 1 and [args for name, args in queue.items] == [(replied[0].id,)]
    assert db.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.ticket_id == t.id, TicketEvent.kind == "replied")) == 1
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "ticket.reply")) == 1
    # A form without its nonce (a page from before, a hand-made post) does nothing either.
    bare = {"action": "progress", "text": "已约水务站", "csrf_token": form["csrf_token"]}
    stale = client.post(f"/m/t/{number}", data=bare)
    assert "页面已过期" in client.get(stale.headers["Location"]).get_data(as_text=True)
    assert ticket(db, number).status == "replied" and len(queue.items) == 1
    # A fresh page's form works: a second answer, meant, goes out.
    again = press(client, number, "reply", "改到后天上午来修")
    assert "答复已发给群众" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(queue.items) == 2


def test_a_nonce_is_not_spent_when_the_move_fails_to_commit(make_app, db, monkeypatch):
    from bot.mobile import views

    app = seeded(make_app)
    number = opinion(app, VOTER, LAMP)
    client, _ = sign_in(app, deputy_of(db, VOTER).openid)
    html = client.get(f"/m/t/{number}").get_data(as_text=True)
    form = {"action": "accept", **form_of(html, "accept")}

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "commit", broken)
    with pytest.raises(RuntimeError):  # TESTING: the error comes out here, not as the 500 page
        client.post(f"/m/t/{number}", data=form)
    monkeypatch.undo()
    assert ticket(db, number).status == "new"
    again = client.post(f"/m/t/{number}", data=form)  # the deputy taps once more: it is done now
    assert again.status_code == 302 and ticket(db, number).status == "accepted"

