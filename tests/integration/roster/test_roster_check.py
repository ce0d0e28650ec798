"""`liaison roster check`: where the "3+10" scheme has holes."""
from __future__ import annotations

from sqlalchemy import delete, select

from bot.models import ContactLink, Deputy, Mandate, Voter, VoterGroup
from bot.services.roster.report import check


def codes(report, key):
    return [item["code"] for item in report[key]]


def test_the_demo_township_is_healthy(demo, db):
    assert check(db) == {k: [] for k in check(db)}


def test_every_kind_of_hole_is_reported(demo, db):
    city = db.scalar(select(Deputy).where(Deputy.code == "D001"))
    db.execute(delete(ContactLink).where(ContactLink.from_deputy_id == city.id))
    county = db.scalar(select(Deputy).where(Deputy.code == "D004"))
    db.execute(delete(ContactLink).where(ContactLink.from_deputy_id == county.id,
                                         ContactLink.layer == "county_township"))
    township = db.scalar(select(Mandate).join(Deputy).where(Deputy.code == "D050", Mandate.level == "township"))
    township.constituency_id = None
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G01"))
    leaving = db.scalars(select(Voter).where(Voter.group_id == group.id).order_by(Voter.id)).all()[:2]
    for v in leaving:
        v.group_id = None
    group.deputy.openid = None
    db.flush()

    report = check(db)
    assert codes(report, "city_without_county") == ["D001"]
    assert codes(report, "county_without_township") == ["D004"]
    assert codes(report, "township_without_constituency") == ["D050"]
    assert report["stationed_not_ten"] == [{"code": group.deputy.code, "name": group.deputy.name, "fixed_voters": 8}]
    assert codes(report, "voters_without_group") == sorted(v.code for v in leaving)
    assert report["groups_deputy_unbound"] == [{"code": "G01", "name": group.name, "deputy": group.deputy.code}]
