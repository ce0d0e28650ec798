"""When staff reject a ticket, or its deputy returns it, the tickets merged
into it are not stranded: each becomes a new ticket in the triage queue, its
voter is told, and staff assign it to a deputy with `liaison tickets assign`."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import Deputy
from bot.services import texts
from lifecycle_kit import VOTER, Inbox, county_contact, deputy_of, number_in, ticket
from wechat_user import Phone

SAME_VILLAGE = "oDEMO_voter_12_04"  # another household of the same village, another group



def cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args), obj=State(app=app))


def _merged_pair(app, ext):
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    second = number_in(Phone(app, SAME_VILLAGE).says("村里自来水也停了好几天了").text)
    return first, second


def _released(db, number):
    t = ticket(db, number)
    assert (t.status, t.needs_triage, t.deputy_id, t.duplicate_of_id, t.escalated_to_id) == \
        ("new", True, None, None, None)
    assert t.events[-1].kind == "unmerged"
    return t


def test_rejecting_a_primary_sends_its_duplicates_to_triage_and_tells_their_voters(app, ext, demo, db):
    inbox = Inbox(app, db)
    first, second = _merged_pair(app, ext)
    assert ticket(db, second).status == "merged"
    done = cli(app, "tickets", "reject", first, "测试消息", "--by", "李干事")
    assert done.exit_code == 0, done.output
    assert ticket(db, first).status == "rejected"
    _released(db, second)
    assert inbox.last(SAME_VILLAGE) == texts.VOTER_UNMERGED.format(number=second, primary=first)
    assert second in cli(app, "triage", "list").output


def test_returning_a_primary_releases_its_duplicates_too(app, ext, demo, db):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    first, second = _merged_pair(app, ext)
    Phone(app, deputy.openid).says(f"退回 {first} 不是我联系的村")
    _released(db, second)
    assert inbox.last(SAME_VILLAGE) == texts.VOTER_UNMERGED.format(number=second, primary=first)


def test_a_returned_ticket_is_no_longer_the_county_deputys(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    desk, voter = Phone(app, deputy.openid), Phone(app, VOTER)
    number = number_in(voter.says("县医院看病乱收费").text)
    desk.says(f"受理 {number}")
    desk.says(f"上报 {number} 县医院收费问题")
    Phone(app, county.openid).says(f"办结 {number} 已转县卫健局")
    ext.clock.value += timedelta(days=1).total_seconds()
    assert voter.says("没解决，还是乱收费").text.startswith(f"已重新办理 {number}")
    assert desk.says(f"退回 {number} 应由县里办").text == texts.DEPUTY_RETURNED.format(number=number)
    assert ticket(db, number).escalated_to_id is None
    assert Phone(app, county.openid).says(f"受理 {number}").text == texts.DEPUTY_NO_SUCH_TICKET.format(number=number)


def test_staff_assign_a_ticket_from_triage_and_the_deputy_is_told(app, ext, demo, db):
    inbox = Inbox(app, db)
    first, second = _merged_pair(app, ext)
    cli(app, "tickets", "reject", first, "测试消息", "--by", "李干事")
    deputy = deputy_of(db, SAME_VILLAGE)
    done = cli(app, "tickets", "assign", second, deputy.code, "--by", "李干事")
    assert done.exit_code == 0, done.output
    t = ticket(db, second)
    assert (t.deputy_id, t.needs_triage, t.events[-1].kind, t.events[-1].actor) == \
        (deputy.id, False, "assigned", "staff:李干事")
    assert inbox.last(deputy.openid).startswith(f"新意见 {second} [")
    assert Phone(app, deputy.openid).says(f"受理 {second}").text.startswith(f"已受理 {second}")


def test_assign_refuses_what_it_cannot_do(app, ext, demo, db):
    first, second = _merged_pair(app, ext)
    cli(app, "tickets", "reject", first, "测试消息", "--by", "李干事")
    county_only = db.scalar(select(Deputy).where(Deputy.code == "D003"))
    retired = deputy_of(db, SAME_VILLAGE)
    retired.active = False
    db.commit()
    for args, says in [((first, "D020"), "不在待分派队列里"),
                       ((second, "D999"), "没有代码为 D999 的代表"),
                       ((second, county_only.code), "不是乡人大代表"),
                       ((second, retired.code), "收不到工单")]:
        done = cli(app, "tickets", "assign", *args, "--by", "李干事")
        assert done.exit_code != 0 and says in done.output, (args, done.output)
    assert ticket(db, second).deputy_id is None


def test_a_ticket_assigned_back_to_the_deputy_who_returned_it_reaches_them_again(app, demo, db):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"退回 {number} 先核实一下")
    done = cli(app, "tickets", "assign", number, deputy.code, "--by", "李干事")  # checked: it is theirs after all
    assert done.exit_code == 0, done.output
    assert len([t for t in inbox(deputy.openid) if t.startswith(f"新意见 {number} [")]) == 2
