"""Who sees which ticket in the console, role by role, on the demo township:
a voter's opinion goes to their deputy, who accepts it and escalates it (上报)
to the county deputy linked to them under "3+10"."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.models import AuditEvent, Ticket
from bot.services.accounts import NotFound
from bot.services.accounts import users as accounts
from bot.services.accounts.access import can, ticket_for, visible
from bot.services.tickets.records import record
from lifecycle_kit import VOTER, build, county_contact, deputy_of, number_in
from wechat_user import Phone

OTHER_VOTER = "oDEMO_voter_01_01"
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)
IP = "198.51.100.7"


@pytest.fixture
def town(make_app, demo, db):
    """Three tickets: escalated (from VOTER's deputy to their county contact),
    accepted only, and one of another deputy's."""
    app = build(make_app)
    deputy, other = deputy_of(db, VOTER), deputy_of(db, OTHER_VOTER)
    assert deputy.id != other.id
    escalated = number_in(Phone(app, VOTER).says("县医院看病乱收费").text)
    accepted = number_in(Phone(app, VOTER).says("村口路灯坏了一个月").text)
    theirs = number_in(Phone(app, OTHER_VOTER).says("村里自来水停了三天了").text)
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {escalated}")
    desk.says(f"受理 {accepted}")
    assert "上报" in desk.says(f"上报 {escalated} 县医院收费问题，乡里管不了").text
    db.expire_all()
    county = county_contact(db, deputy)
    assert db.scalar(select(Ticket).where(Ticket.number == escalated)).escalated_to_id == county.id
    users = {"admin": ("admin", None), "staff": ("staff", None), "county": ("county", None),
             "deputy": ("deputy", deputy.code), "other": ("deputy", other.code), "upper": ("deputy", county.code)}
    made = {name: accounts.create(db, username=f"u.{name}", password="a long password", role=role,
                                  deputy_code=code, now=NOW) for name, (role, code) in users.items()}
    db.commit()
    return {"users": made, "escalated": escalated, "accepted": accepted, "theirs": theirs}


def _seen(db, user) -> set[str]:
    return set(db.scalars(select(Ticket.number).where(visible(user))))


def test_each_role_sees_its_tickets(db, town):
    u, esc, acc, theirs = town["users"], town["escalated"], town["accepted"], town["theirs"]
    assert _seen(db, u["admin"]) == _seen(db, u["staff"]) == {esc, acc, theirs}
    assert _seen(db, u["county"]) == {esc}
    assert _seen(db, u["deputy"]) == {esc, acc}
    assert _seen(db, u["other"]) == {theirs}
    assert _seen(db, u["upper"]) == {esc}
    u["staff"].active = False
    assert _seen(db, u["staff"]) == set()


def test_a_return_to_triage_takes_it_from_the_county(db, town):
    """Escalated to the office only (no upper deputy), then back in triage: the county no longer sees it."""
    ticket = db.scalar(select(Ticket).where(Ticket.number == town["accepted"]))
    record(db, ticket, "escalated", "deputy:1", NOW, "县人大常委会")
    db.flush()
    assert town["accepted"] in _seen(db, town["users"]["county"])
    record(db, ticket, "returned", "deputy:1", NOW, "不归我管")
    db.flush()
    db.expire(ticket, ["events"])
    assert town["accepted"] not in _seen(db, town["users"]["county"])
    assert not can(town["users"]["county"], "reply", ticket)


def test_ticket_for_finds_by_either_number_form(db, town):
    esc = town["escalated"]
    short = str(int(esc.split("-")[1]))
    for user in ("admin", "county", "deputy", "upper"):
        assert ticket_for(db, town["users"][user], short, address=IP, now=NOW).number == esc
        assert ticket_for(db, town["users"][user], esc, address=IP, now=NOW).number == esc
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "ticket.denied")) is None


def test_another_deputys_ticket_is_not_found_and_audited(db, town):
    theirs = town["theirs"]
    with pytest.raises(NotFound) as refused:
        ticket_for(db, town["users"]["deputy"], theirs, address=IP, now=NOW)
    with pytest.raises(NotFound) as missing:
        ticket_for(db, town["users"]["deputy"], "2026-009999", address=IP, now=NOW)
    assert refused.value.message.replace(theirs, "N") == missing.value.message.replace("2026-009999", "N")
    (denied,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.denied")).all()
    assert (denied.actor, denied.target, denied.address, denied.at) == ("u.deputy", theirs, IP, NOW)
    with pytest.raises(NotFound):
        ticket_for(db, town["users"]["county"], town["accepted"], address=IP, now=NOW)
    with pytest.raises(NotFound):
        ticket_for(db, town["users"]["staff"], "水管", address=IP, now=NOW)
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.denied")).all()) == 2


def test_desk_actions_follow_the_role(db, town):
    u = town["users"]
    esc = db.scalar(select(Ticket).where(Ticket.number == town["escalated"]))
    theirs = db.scalar(select(Ticket).where(Ticket.number == town["theirs"]))
    assert can(u["staff"], "assign", theirs) and can(u["admin"], "merge", esc)
    assert can(u["county"], "reply", esc) and not can(u["county"], "reply", theirs)
    assert not can(u["county"], "reclassify", esc)
    assert can(u["deputy"], "resolve", esc) and can(u["upper"], "resolve", esc)
    assert not can(u["deputy"], "resolve", theirs) and not can(u["deputy"], "assign", esc)
