"""A confidential complaint is answered by the station itself: staff accept it,
reply and resolve it in the console, the voter hears "联络站" and rates the
result, and the deputy it names hears nothing at any step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import AuditEvent, OutboundPush
from bot.services import texts
from bot.services.accounts import Forbidden
from bot.services.station import Station
from bot.services.tickets import station_desk
from console_kit import add_user, csrf_token, log_in
from lifecycle_kit import VOTER, name_them, number_in, ticket
from wechat_user import Phone

THE_COMPLAINT = "我要举报吴凤华代表收了…红包，请不要告诉他是我说的"
REPLY = "您反映的情况已转镇纪委核查，请保持电话畅通"
RESULT = "经镇纪委核查，已责令退还红包并作出处理"


def _pushes_to(db, openid: str) -> list[str]:
    db.expire_all()
    return [p.payload["text"] for p in db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == openid)
                                                  .order_by(OutboundPush.id))]


def _post(client, number: str, action: str, text: str = ""):
    return client.post(f"/console/tickets/{number}/{action}",
                       data={"text": text, "csrf_token": csrf_token(client, "/console/tickets")})


def test_staff_accept_reply_and_resolve_a_complaint_about_the_deputy_who_hears_nothing(app, demo, db, inbox):
    deputy = name_them(db)
    number = number_in(Phone(app, VOTER).says(THE_COMPLAINT).text)
    add_user(app, "clerk")
    add_user(app, "deputy1", "deputy", deputy.code)
    clerk, theirs = log_in(app, "clerk"), log_in(app, "deputy1")
    page = clerk.get(f"/console/tickets/{number}").get_data(as_text=True)
    assert "由联络站受理" in page and "署名“联络站”" in page

    assert _post(clerk, number, "accept").status_code == 302
    assert inbox.last(VOTER) == texts.VOTER_STATION_ACCEPTED.format(number=number)
    assert _post(clerk, number, "reply", REPLY).status_code == 302
    assert inbox.last(VOTER) == texts.VOTER_STATION_REPLIED.format(number=number, text=REPLY)
    assert _post(clerk, number, "resolve", RESULT).status_code == 302
    assert inbox.last(VOTER) == texts.VOTER_RESOLVED.format(number=number, result=RESULT, days=7)
    assert ticket(db, number).status == "resolved"

    assert Phone(app, VOTER).says("5 办得好").text == texts.RATING_THANKS_COMMENT.format(number=number)
    rated = ticket(db, number)
    assert (rated.status, rated.rating, rated.deputy_id) == ("rated", 5, None)
    assert {e.actor for e in rated.events if e.kind in ("accepted", "replied", "resolved")} == {"staff:clerk"}
    assert _pushes_to(db, deputy.openid) == []
    told = inbox(VOTER)
    assert len(told) == 3 and all("吴凤华" not in said and "代表回复" not in said for said in told)

    db.expire_all()
    audited = {a.action: a.detail for a in db.scalars(select(AuditEvent).where(AuditEvent.target == number))}
    assert audited["ticket.accept"] == "文字 0 字"
    assert audited["ticket.reply"] == f"文字 {len(REPLY)} 字"
    assert audited["ticket.resolve"] == f"文字 {len(RESULT)} 字"
    assert not any(REPLY in (d or "") or RESULT in (d or "") for d in audited.values())
    assert number not in theirs.get("/console/tickets").get_data(as_text=True)


@pytest.mark.parametrize("role", ["deputy", "county"])
def test_a_deputy_or_county_account_posting_the_station_moves_gets_404_and_nothing_moves(app, demo, db, inbox,
                                                                                         role):
    deputy = name_them(db)
    number = number_in(Phone(app, VOTER).says(THE_COMPLAINT).text)
    add_user(app, "them", role, deputy.code if role == "deputy" else None)
    theirs = log_in(app, "them")
    for action, text in (("accept", ""), ("reply", REPLY), ("resolve", RESULT)):
        assert _post(theirs, number, action, text).status_code == 404
    held = ticket(db, number)
    assert (held.status, held.deputy_id) == ("new", None)
    assert inbox(VOTER) == []
    assert _pushes_to(db, deputy.openid) == []
    db.expire_all()
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action.in_(
        ("ticket.accept", "ticket.reply", "ticket.resolve")))).all()


def test_the_service_refuses_a_deputys_account_whatever_the_console_shows(app, ext, demo, db):
    from bot.models import User

    deputy = name_them(db)
    number = number_in(Phone(app, VOTER).says(THE_COMPLAINT).text)
    add_user(app, "deputy1", "deputy", deputy.code)
    account = db.scalar(select(User).where(User.username == "deputy1"))
    with pytest.raises(Forbidden):
        station_desk.take(db, account, ticket(db, number), "accept", "", ext.now(), Station.from_settings(ext.settings))


def test_a_ticket_a_deputy_holds_is_not_the_stations_to_answer(app, ext, demo, db):
    from bot.models import User

    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    add_user(app, "clerk")
    clerk = db.scalar(select(User).where(User.username == "clerk"))
    result = station_desk.take(db, clerk, ticket(db, number), "reply", REPLY, ext.now(),
                               Station.from_settings(ext.settings))
    assert not result.moved and result.outcome.reply == texts.STATION_DESK_HAS_DEPUTY.format(number=number)


def test_the_station_buttons_show_only_on_a_ticket_no_deputy_holds(app, demo, db):
    held = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    secret = number_in(Phone(app, VOTER).says(THE_COMPLAINT).text)
    add_user(app, "clerk")
    clerk = log_in(app, "clerk")
    assert "由联络站受理" in clerk.get(f"/console/tickets/{secret}").get_data(as_text=True)
    page = clerk.get(f"/console/tickets/{held}").get_data(as_text=True)
    assert "由联络站受理" not in page and "代表已接手这件事" in page


def test_a_deputyless_ticket_with_reports_merged_into_it_goes_to_a_deputy_not_the_station(app, ext, demo, db, inbox):
    """The station's words go to the ticket's own voter only; voters merged in would hear nothing, so it refuses."""
    from bot.models import User

    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 600
    second = number_in(Phone(app, VOTER).says("村口的路灯坏了一个月").text)
    primary, dup = ticket(db, first), ticket(db, second)
    primary.deputy_id, primary.needs_triage = None, True
    dup.status, dup.duplicate_of_id = "merged", primary.id
    db.commit()
    add_user(app, "clerk")
    clerk = db.scalar(select(User).where(User.username == "clerk"))
    result = station_desk.take(db, clerk, ticket(db, first), "accept", "", ext.now(),
                               Station.from_settings(ext.settings))
    assert not result.moved and result.outcome.reply == texts.STATION_DESK_LINKED.format(number=first)
    assert ticket(db, first).status == "new" and inbox(VOTER) == []


def test_an_ordinary_ticket_waiting_with_no_deputy_may_be_accepted_by_the_station_too(app, demo, db, inbox):
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    waiting = ticket(db, number)
    waiting.deputy_id, waiting.needs_triage = None, True  # as in the triage queue
    db.commit()
    add_user(app, "clerk")
    clerk = log_in(app, "clerk")
    assert _post(clerk, number, "accept").status_code == 302
    assert inbox(VOTER) == [texts.VOTER_STATION_ACCEPTED.format(number=number)]
    assert (ticket(db, number).status, ticket(db, number).needs_triage) == ("accepted", False)
