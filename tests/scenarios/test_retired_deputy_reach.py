"""One rule for who can be reached (Deputy.reachable: in office, bound to
WeChat, following us). A deputy who retires with tickets open, still bound
and following, gets no push from any path, and what would have gone to them
goes where unreachable cases already go: another deputy of the site, the
staff triage queue, the staff, the People's Congress office."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import tasks
from bot.models import ContactLink, Deputy, Mandate, OutboundPush, ReceptionDuty, Site, TicketStatus
from bot.services import texts
from bot.services.reception.calendar import Calendar, materialize
from lifecycle_kit import COUNTY_OFFICE, STAFF, VOTER, Inbox, build, county_contact, deputy_of, number_in, sla, ticket
from wechat_user import Phone

REOPENER, RATER, ESCALATED = "oDEMO_voter_12_04", "oDEMO_voter_12_05", "oDEMO_voter_12_03"
SAME_VILLAGE = "oDEMO_voter_12_07"  # same group and village as VOTER


@pytest.fixture
def app(make_app):
    return build(make_app, DIGEST_AFTER=0)  # the story reads each push to the deputy one by one, none digested



def _resolved(app, deputy, openid: str, text: str) -> str:
    number = number_in(Phone(app, openid).says(text).text)
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {number}")
    desk.says(f"办结 {number} 已处理")
    return number


def _put_on_duty(db, deputy) -> object:
    """Staff's duty roster for the deputy's site in December names the deputy."""
    occ = next(o for o in Calendar(db).plan(date(2026, 12, 1), 1) if o.site_id == deputy.site_id)
    rec = materialize(db, occ)
    if all(d.deputy_id != deputy.id for d in rec.duties):
        rec.duties.append(ReceptionDuty(deputy_id=deputy.id))
    db.commit()
    return occ


def _other_township_deputy_of(db, county, but):
    return db.scalar(select(Deputy).join(ContactLink, ContactLink.to_deputy_id == Deputy.id)
                     .join(Mandate, Mandate.deputy_id == Deputy.id)
                     .where(ContactLink.from_deputy_id == county.id, ContactLink.layer == "county_township",
                            Mandate.level == "township", Deputy.id != but.id).order_by(Deputy.id).limit(1))


def test_a_retired_deputy_gets_no_push_from_any_path_and_the_work_goes_to_the_fallback(app, ext, demo, db):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    water = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    hospital = number_in(Phone(app, ESCALATED).says("县医院看病乱收费").text)
    Phone(app, deputy.openid).says(f"受理 {hospital}")
    Phone(app, deputy.openid).says(f"上报 {hospital} 县医院收费问题")
    assert ticket(db, hospital).escalated_to_id == county.id
    lamp = _resolved(app, deputy, REOPENER, "路灯坏了一个月了")
    rubbish = _resolved(app, deputy, RATER, "村口垃圾没人清运")
    occ = _put_on_duty(db, deputy)
    inbox(deputy.openid)  # deliver what was queued so far
    # Both retire (不再在职); their WeChat stays bound and following.
    deputy.active = county.active = False
    db.commit()
    assert deputy.openid and deputy.subscribed and not deputy.reachable
    since = db.scalar(select(func.max(OutboundPush.id)))

    # The same problem again from the same village: not merged into their ticket, not
    # theirs as group deputy: another deputy of the site has it.
    reply = Phone(app, SAME_VILLAGE).says("家里自来水也停了三天了").text
    fresh = ticket(db, number_in(reply))
    assert fresh.status == TicketStatus.NEW and fresh.duplicate_of_id is None
    assert fresh.deputy is not None and fresh.deputy.id != deputy.id and fresh.deputy.site_id == deputy.site_id
    assert reply == texts.RECEIVED_ASSIGNED.format(number=fresh.number, deputy=fresh.deputy.name)

    # A follow-up to their open ticket: kept, the voter told the staff will see to it.
    assert Phone(app, VOTER).says("家里做饭都没水用").text == texts.FOLLOWUP_ADDED_TRIAGE.format(number=water)
    assert ticket(db, water).events[-1].kind == "followup"

    # "没解决" on a ticket they resolved: back to the triage queue, not to them.
    assert Phone(app, REOPENER).says("没解决").text == texts.REOPENED_TRIAGE.format(number=lamp)
    reopened = ticket(db, lamp)
    assert (reopened.status, reopened.deputy_id, reopened.needs_triage) == (TicketStatus.REOPENED, None, True)

    # A rating of a ticket they resolved is kept; nobody is told.
    assert Phone(app, RATER).says("5").text == texts.RATING_THANKS.format(number=rubbish)

    # Staff give the reopened ticket to another township deputy of the retired county deputy;
    # escalating it skips the retired county deputy: the county office gets it.
    other = _other_township_deputy_of(db, county, but=deputy)
    assigned = app.test_cli_runner().invoke(main, ["tickets", "assign", lamp, other.code, "--by", "李干事"],
                                            obj=State(app=app))
    assert assigned.exit_code == 0, assigned.output
    Phone(app, other.openid).says(f"受理 {lamp}")
    assert Phone(app, other.openid).says(f"上报 {lamp} 县里管的路灯").text == \
        texts.DEPUTY_NO_UPPER.format(number=lamp, body="县人大常委会")
    assert ticket(db, lamp).escalated_to_id is None
    assert inbox.last(COUNTY_OFFICE).startswith(f"上报 {lamp} [")

    # SLA: the reminder of their unaccepted ticket goes to the staff; past the
    # deadline the ticket escalated to the retired county deputy goes to the office.
    assert water in sla(app, "2026-11-30")["reminded"]
    assert inbox.last(STAFF).startswith(f"提醒：{water} [")
    assert hospital in sla(app, "2026-12-17")["breached"]
    for openid in (COUNTY_OFFICE, STAFF):
        assert any(t.startswith(f"超期：{hospital} [") for t in inbox(openid)), openid

    # Reception: off the duty roster, and not reminded.
    site = db.get(Site, deputy.site_id)
    assert deputy.id not in {d.id for d in Calendar(db).occurrence(site, 2026, 12).deputies}
    with app.app_context():
        assert tasks.remind_receptions(ext, occ.date - timedelta(days=3))["queued"] > 0

    inbox(STAFF)  # every queued push delivered
    db.expire_all()
    late = db.scalars(select(OutboundPush.recipient_openid).where(OutboundPush.id > since)).all()
    assert late and not {deputy.openid, county.openid} & set(late)
