"""Who gets the ticket: the group's deputy, else a deputy on duty at the site, else staff."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from bot.models import Deputy, Voter
from bot.services.tickets import assignment
from bot.services.tickets.classify import classify
from bot.services.tickets.records import open_ticket

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


def fixed_voter(db) -> Voter:
    return db.scalar(select(Voter).where(Voter.openid == "oDEMO_voter_03_01"))


def site_deputies(db, site_id: int) -> list[Deputy]:
    return list(db.scalars(select(Deputy).where(Deputy.site_id == site_id).order_by(Deputy.id)))


def test_group_deputy_first(demo, db):
    v = fixed_voter(db)
    chosen = assignment.choose(db, v)
    assert (chosen.deputy, chosen.reason) == (v.group.deputy, "group")


def test_unbound_group_deputy_falls_back_to_the_least_loaded_deputy_on_duty(demo, db):
    v = fixed_voter(db)
    v.group.deputy.openid = None
    others = [d for d in site_deputies(db, v.group.site_id) if d.id != v.group.deputy_id]
    busy = others[0]
    for _ in range(2):
        open_ticket(db, voter=v, text="x", classification=classify("x"),
                    assignment=assignment.Assignment(busy, "site", v.site_id), now=NOW)
    chosen = assignment.choose(db, v)
    assert chosen.reason == "site"
    assert chosen.deputy in others and chosen.deputy != busy


def test_inactive_or_unsubscribed_deputies_are_skipped(demo, db):
    v = fixed_voter(db)
    v.group.deputy.active = False
    for d in site_deputies(db, v.group.site_id):
        if d.id != v.group.deputy_id:
            d.subscribed = False
    assert assignment.choose(db, v).reason == "triage"


def test_no_deputy_reachable_goes_to_triage(demo, db):
    v = fixed_voter(db)
    for d in site_deputies(db, v.group.site_id):
        d.openid = None
    chosen = assignment.choose(db, v)
    assert (chosen.deputy, chosen.reason, chosen.site_id) == (None, "triage", v.group.site_id)


def test_voter_without_group_uses_their_villages_site(demo, db):
    v = fixed_voter(db)
    stranger = Voter(openid="oVillager", village_id=v.village_id)
    db.add(stranger)
    db.flush()
    chosen = assignment.choose(db, stranger)
    assert chosen.reason == "site" and chosen.deputy.site_id == v.village.site_id


def test_unknown_voter_goes_to_triage(db):
    stranger = Voter(openid="oNobody")
    db.add(stranger)
    db.flush()
    assert assignment.choose(db, stranger).reason == "triage"


def test_ticket_year_follows_beijing_time(demo, db):
    v = fixed_voter(db)
    new_year_eve_utc = datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)  # 01:00 on 1 January in Beijing
    ticket = open_ticket(db, voter=v, text="x", classification=classify("x"),
                         assignment=assignment.choose(db, v), now=new_year_eve_utc)
    assert ticket.number == "2027-000001"


def test_an_absent_group_deputy_hands_over_to_a_colleague_on_duty_at_the_groups_site(demo, db):
    v = fixed_voter(db)
    v.group.deputy.active = False  # away: not taking opinions
    chosen = assignment.choose(db, v)
    assert chosen.reason == "site" and chosen.deputy.site_id == v.group.site_id
    assert chosen.deputy.id != v.group.deputy_id


def test_a_deputy_who_is_also_a_voter_in_their_own_group_is_not_given_their_own_opinion(demo, db):
    v = fixed_voter(db)
    own = v.group.deputy  # joins their own group with the WeChat they bound as a deputy
    me = Voter(openid=own.openid, subscribed=True, group_id=v.group_id, site_id=v.site_id,
               village_id=v.village_id, created_at=NOW)
    db.add(me)
    db.flush()
    chosen = assignment.choose(db, me)
    assert chosen.deputy != own
    assert chosen.reason in ("site", "triage")


def test_a_deputy_is_not_given_their_own_opinion_at_their_own_site(demo, db):
    v = fixed_voter(db)
    on_duty = site_deputies(db, v.group.site_id)
    v.group.deputy.openid = None  # the group falls through to the site
    for d in on_duty[1:]:
        d.subscribed = False  # only one deputy on duty is reachable: the sender
    me = Voter(openid=on_duty[0].openid, subscribed=True, site_id=v.group.site_id, created_at=NOW)
    db.add(me)
    db.flush()
    chosen = assignment.choose(db, me)
    assert (chosen.deputy, chosen.reason) == (None, "triage")
