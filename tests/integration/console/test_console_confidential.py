"""A confidential ticket is for the station's admin and staff accounts alone:
no deputy's or county account opens it, lists it or acts on it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Ticket
from bot.services.tickets import triage
from console_kit import add_user, log_in
from lifecycle_kit import VOTER, build, deputy_of, number_in
from wechat_user import Phone


def test_only_staff_open_a_confidential_ticket(make_app, demo, db):
    app = build(make_app)
    deputy = deputy_of(db, VOTER)
    secret = number_in(Phone(app, VOTER).says(f"{deputy.name}代表收了红包才给办低保，请匿名处理").text)
    add_user(app, "clerk")
    add_user(app, "deputy1", "deputy", deputy.code)
    clerk, theirs = log_in(app, "clerk"), log_in(app, "deputy1")
    page = clerk.get(f"/console/tickets/{secret}")
    assert page.status_code == 200 and ">保密</span>" in page.get_data(as_text=True)
    assert theirs.get(f"/console/tickets/{secret}").status_code == 404
    assert secret not in theirs.get("/console/tickets").get_data(as_text=True)
    assert secret in clerk.get("/console/tickets").get_data(as_text=True)


def test_a_ticket_flagged_confidential_is_hidden_even_from_the_deputy_it_names(make_app, demo, db):
    app = build(make_app)
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    add_user(app, "deputy1", "deputy", deputy.code)
    theirs = log_in(app, "deputy1")
    assert theirs.get(f"/console/tickets/{number}").status_code == 200
    db.expire_all()
    flagged = db.scalar(select(Ticket).where(Ticket.number == number))
    flagged.confidential = True  # as if flagged while still assigned
    db.commit()
    assert theirs.get(f"/console/tickets/{number}").status_code == 404
    assert number not in theirs.get("/console/tickets").get_data(as_text=True)


def test_staff_cannot_hand_a_confidential_ticket_to_a_deputy(make_app, demo, db):
    app = build(make_app)
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("请匿名处理：村里自来水停了三天了").text)
    ext = app.extensions["liaison"]
    held = db.scalar(select(Ticket).where(Ticket.number == number))
    assert held.confidential
    with pytest.raises(triage.TriageError, match="保密工单"):
        triage.assign(db, held, deputy.code, "clerk", ext.now())
