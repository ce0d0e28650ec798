"""A deputy's card binds nobody by itself: the station confirms who scanned it,
the card then is spent, and whoever loses the deputy identity is told. Public
posters bind only with the codes the station issued, and a roster voter stays
in the group staff put them in."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, Deputy, DeputyBinding, Ticket, Voter, VoterGroup
from bot.services import texts
from lifecycle_kit import VOTER, deputy_of, number_in, ticket
from scene_kit import card, scene
from wechat_user import Phone

THIEF = "oSomeoneWhoFoundTheCard"
NEW_PHONE = "oDeputysNewPhone"
PENDING = texts.DEPUTY_BIND_PENDING


@pytest.fixture
def staff(app):
    """`liaison roster bindings ...` as the clerk 张干事 runs it."""
    runner = app.test_cli_runner()

    def run(*args):
        result = runner.invoke(main, ["roster", "bindings", *map(str, args)], obj=State(app=app))
        return result
    return run


def bindings(staff) -> dict:
    result = staff("list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def openid_of(db, code: str) -> str | None:
    db.expire_all()
    return db.scalar(select(Deputy.openid).where(Deputy.code == code))


def test_scanning_someone_elses_deputy_card_makes_nobody_a_deputy(app, demo, db):
    deputy = deputy_of(db, VOTER)
    real = deputy.openid
    answer = Phone(app, THIEF).scans(card(db, deputy.code), subscribed=False)
    assert answer.text == PENDING
    assert openid_of(db, deputy.code) == real

    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    mine = Phone(app, THIEF).says("我的工单").text
    assert number not in mine and "自来水" not in mine
    Phone(app, real).says(f"受理 {number}")  # the real deputy still acts as the deputy
    assert ticket(db, number).status == "accepted"
    assert db.query(Ticket).count() == 1  # "受理" was not filed as a voter's opinion


def test_staff_confirm_the_deputys_new_phone_and_the_old_one_is_told(app, demo, db, staff, inbox):
    deputy = deputy_of(db, VOTER)
    old = deputy.openid
    printed = card(db, deputy.code)
    assert Phone(app, THIEF).scans(printed, subscribed=False).text == PENDING
    assert Phone(app, NEW_PHONE).scans(printed, subscribed=False).text == PENDING
    waiting = bindings(staff)["pending"]
    assert [(r["deputy"], r["wechat"]) for r in waiting] == [(deputy.code, "…" + THIEF[-6:]),
                                                             (deputy.code, "…" + NEW_PHONE[-6:])]
    listed = staff()  # bare `liaison roster bindings` lists
    assert "待确认的绑定申请：2" in listed.output and f"代表 {deputy.code}" in listed.output
    assert NEW_PHONE not in listed.output  # staff see enough to tell accounts apart, not the openid

    done = staff("confirm", waiting[1]["id"], "--by", "张干事")
    assert done.exit_code == 0, done.output
    assert openid_of(db, deputy.code) == NEW_PHONE
    assert inbox.last(old) == texts.DEPUTY_BINDING_MOVED.format(deputy=deputy.name)
    assert inbox.last(NEW_PHONE) == texts.DEPUTY_BINDING_CONFIRMED.format(deputy=deputy.name)
    assert inbox(THIEF) == []
    listed = bindings(staff)
    assert listed["pending"] == []  # the thief's request lapsed with the card
    row = next(r for r in listed["active"] if r["deputy"] == deputy.code)
    assert (row["wechat"], row["confirmed_by"], row["since"][:10]) == ("…" + NEW_PHONE[-6:], "cli:张干事", "2026-11-26")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "deputy_binding.confirm"))
    assert (event.actor, event.target) == ("cli:张干事", f"deputy:{deputy.code}")
    assert NEW_PHONE not in event.detail

    number = number_in(Phone(app, VOTER).says("村口路灯坏了一个月").text)
    assert any(number in text for text in inbox(NEW_PHONE))  # new work goes to the new phone
    assert not any(number in text for text in inbox(old))


def test_a_confirmed_card_is_spent(app, demo, db, staff):
    deputy = deputy_of(db, VOTER)
    printed = card(db, deputy.code)
    Phone(app, NEW_PHONE).scans(printed, subscribed=False)
    staff("confirm", bindings(staff)["pending"][0]["id"], "--by", "张干事")

    assert Phone(app, THIEF).scans(printed, subscribed=False).text == texts.DEPUTY_CARD_USED
    assert Phone(app, NEW_PHONE).scans(printed).text == texts.DEPUTY_CARD_USED
    assert bindings(staff)["pending"] == []
    assert openid_of(db, deputy.code) == NEW_PHONE
    again = staff("confirm", db.scalar(select(DeputyBinding.id)), "--by", "张干事")
    assert again.exit_code != 0 and "已处理过" in again.output


def test_a_rejected_request_tells_the_scanner_and_the_card_still_serves_the_deputy(app, demo, db, staff, inbox):
    deputy = deputy_of(db, VOTER)
    real = deputy.openid
    printed = card(db, deputy.code)
    Phone(app, THIEF).scans(printed, subscribed=False)
    refused = staff("reject", bindings(staff)["pending"][0]["id"], "--by", "张干事")
    assert refused.exit_code == 0, refused.output
    assert inbox.last(THIEF) == texts.DEPUTY_BINDING_REJECTED
    assert openid_of(db, deputy.code) == real
    Phone(app, NEW_PHONE).scans(printed, subscribed=False)
    assert staff("confirm", bindings(staff)["pending"][0]["id"]).exit_code == 0
    assert openid_of(db, deputy.code) == NEW_PHONE


def test_staff_revoke_a_binding_and_that_account_is_told(app, demo, db, staff, inbox):
    deputy = deputy_of(db, VOTER)
    old = deputy.openid
    done = staff("revoke", deputy.code, "--by", "张干事")
    assert done.exit_code == 0, done.output
    assert openid_of(db, deputy.code) is None
    assert inbox.last(old) == texts.DEPUTY_BINDING_REVOKED.format(deputy=deputy.name)
    assert db.scalar(select(AuditEvent.actor).where(AuditEvent.action == "deputy_binding.revoke")) == "cli:张干事"
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    Phone(app, old).says(f"受理 {number}")
    assert ticket(db, number).status != "accepted"
    assert staff("revoke", deputy.code).exit_code != 0  # nothing left to revoke


def test_an_old_roster_workbook_brings_no_revoked_account_back(app, demo, db, staff, tmp_path):
    deputy = deputy_of(db, VOTER)
    printed = card(db, deputy.code)
    Phone(app, THIEF).scans(printed, subscribed=False)
    assert staff("confirm", bindings(staff)["pending"][0]["id"], "--by", "张干事").exit_code == 0  # a mistake
    cli, obj = app.test_cli_runner(), State(app=app)
    old_book = str(tmp_path / "roster.xlsx")
    assert cli.invoke(main, ["roster", "export", old_book, "--by", "张干事"], obj=obj).exit_code == 0
    assert staff("revoke", deputy.code, "--by", "张干事").exit_code == 0
    revoked = len(db.scalars(select(DeputyBinding)).all())

    dry = cli.invoke(main, ["roster", "import", old_book, "--dry-run"], obj=obj)
    assert dry.exit_code == 0, dry.output
    warned = [line.strip() for line in dry.output.splitlines() if line.strip().startswith("警告")]
    assert len(warned) == len(deputy.mandates) and all(
        line.endswith("微信OpenID：代表微信绑定只能通过绑定卡并由工作人员确认，名册中的 OpenID 不会生效") for line in warned)
    done = cli.invoke(main, ["roster", "import", old_book], obj=obj)
    assert done.exit_code == 0 and "警告" in done.output
    assert openid_of(db, deputy.code) is None  # still unbound: no card, no confirmation
    assert len(db.scalars(select(DeputyBinding)).all()) == revoked
    # The other deputies' cells name their own accounts: nothing to warn about, nothing changed.
    others = db.scalar(select(Deputy).where(Deputy.code != deputy.code, Deputy.openid.is_not(None)))
    assert others.openid.startswith("oDEMO_deputy_")


def test_one_wechat_account_speaks_for_one_deputy(app, demo, db, staff):
    a = deputy_of(db, VOTER)
    other = db.scalar(select(Deputy).where(Deputy.code != a.code, Deputy.openid.is_not(None)))
    Phone(app, a.openid).scans(card(db, other.code))
    refused = staff("confirm", bindings(staff)["pending"][0]["id"])
    assert refused.exit_code != 0 and f"已绑定代表 {a.code}" in refused.output
    assert openid_of(db, other.code) != a.openid


def test_a_revoked_site_code_binds_nobody_and_a_new_poster_does(app, demo, db):
    printed = scene(db, "site", "station")
    result = app.test_cli_runner().invoke(main, ["qr", "revoke", "site:station"], obj=State(app=app))
    assert result.exit_code == 0, result.output
    assert Phone(app, "oLatecomer").scans(printed, subscribed=False).text == texts.REVOKED_SCENE
    db.expire_all()
    assert db.scalar(select(Voter.site_id).where(Voter.openid == "oLatecomer")) is None
    reprinted = scene(db, "site", "station")
    assert reprinted != printed
    assert Phone(app, "oLatecomer").scans(reprinted).text.startswith("欢迎！您已关联到乡人大代表联络站")


def test_a_guessed_scene_is_unknown(app, demo, db):
    scene(db, "group", "G01")  # the group has a poster, under its issued key
    for guess in ("group:G01", "site:station", "group:1", "deputy:D001"):
        assert Phone(app, "oGuesser").scans(guess).text == texts.UNKNOWN_SCENE
    db.expire_all()
    assert db.scalar(select(Voter.group_id).where(Voter.openid == "oGuesser")) is None


def test_a_roster_voter_scanning_another_groups_poster_stays_in_their_group(app, demo, db):
    me = db.scalar(select(Voter).where(Voter.openid == VOTER))
    mine, other = me.group, db.scalar(select(VoterGroup).where(VoterGroup.id != me.group_id))
    answer = Phone(app, VOTER).scans(scene(db, "group", other.code)).text
    assert answer == texts.GROUP_STAYS.format(deputy=mine.deputy.name, group=mine.name)
    db.expire_all()
    assert db.scalar(select(Voter.group_id).where(Voter.openid == VOTER)) == mine.id
    assert Phone(app, VOTER).says("村里自来水停了三天了").text.endswith(f"已转交 {mine.deputy.name} 代表。")


def test_staff_on_wechat_hear_of_a_card_scan_once(app, demo, db, inbox):
    from lifecycle_kit import STAFF

    deputy = deputy_of(db, VOTER)
    printed = card(db, deputy.code)
    Phone(app, THIEF).scans(printed, subscribed=False)
    Phone(app, THIEF).scans(printed)
    request_id = db.scalar(select(DeputyBinding.id))
    assert inbox(STAFF) == [texts.STAFF_BINDING_REQUEST.format(deputy=deputy.name, code=deputy.code, id=request_id)]
    assert inbox(THIEF) == []  # the scanner got the reply, nothing more
